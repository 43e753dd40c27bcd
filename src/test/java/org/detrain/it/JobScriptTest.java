package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * slurm/lib/detrain-job.sh's dj_run without Slurm: Slurm's commands and the daemons are shell
 * functions that record what they were asked, and bin/detrain is a stand-in that sends the job
 * script SIGUSR1 (what --signal=B:USR1@T delivers) and then ends the way a real run would. Decides
 * exactly what SlurmIT can only hit by chance: a signal that comes as the run ends.
 */
class JobScriptTest {
    @TempDir
    Path dir;

    /**
     * Runs dj_run with a stand-in detrain whose answer to the stop (SIGTERM) is {@code exitOnTerm}, as
     * the launcher's: 0 when the run had just finished, 75 when it stopped after a checkpoint.
     */
    private Shell.Result jobWhoseRunEnds(int exitOnTerm) throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path detrain = bin.resolve("detrain");
        Files.writeString(detrain, "#!/bin/bash\n"
                + "trap 'exit " + exitOnTerm + "' TERM\n"
                + "kill -USR1 $PPID\n" // the job script, which started this in the background
                + "for i in $(seq 100); do sleep 0.1; done\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(detrain, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path calls = dir.resolve("calls");
        String script = "source '" + Path.of("slurm/lib/detrain-job.sh").toAbsolutePath() + "'\n"
                + "dj_home() { echo '" + home + "'; }\n"
                + "dj_start_daemons() { DJ_PORT=10000; DJ_DAEMON_PID=; }\n"
                + "dj_stop_daemons() { echo stop-daemons >>'" + calls + "'; }\n"
                + "scontrol() { if [[ $1 == show ]]; then echo node1; else echo \"scontrol $*\" >>'" + calls + "'; fi; }\n"
                + "dj_run \"$(dj_job_run_id)\" --config x.properties\n";
        Shell.Result r = Shell.run(dir, Map.of("SLURM_JOB_ID", "4711", "SLURM_JOB_NAME", "my job", "SLURM_JOB_NODELIST",
                "node1", "SLURM_NTASKS", "2", "DETRAIN_RESULTS", dir.resolve("results").toString()), 60, "bash", "-c", script);
        String recorded = Files.exists(calls) ? Files.readString(calls) : "";
        return new Shell.Result(r.exitCode(), r.output() + "\n--- calls:\n" + recorded);
    }

    @Test
    void aSignalThatComesAsTheRunEndsDoesNotRequeueTheFinishedJob() throws IOException {
        Shell.Result r = jobWhoseRunEnds(0);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SIGUSR1: stopping the run for requeue"), r.output());
        assertTrue(r.output().contains("SIGUSR1 came as the run ended (exit code 0): not requeueing job 4711"), r.output());
        assertFalse(r.output().contains("scontrol requeue"), r.output());
        assertTrue(r.output().contains("(run my_job-4711)"), "results/<job-name>-<job-id>: " + r.output());
    }

    @Test
    void aRunStoppedByTheSignalIsRequeued() throws IOException {
        Shell.Result r = jobWhoseRunEnds(75);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("requeueing job 4711") && r.output().contains("scontrol requeue 4711"), r.output());
    }
}
