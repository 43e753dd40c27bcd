package org.detrain.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.detrain.comm.MpjJob;
import org.detrain.diag.CommCheck;
import org.detrain.results.RunLayout;
import org.detrain.runner.TrainingRun;

/**
 * Routes what a job prints (MPJ and every rank, merged by the starter): rank 0's progress lines to
 * the renderer, messages for the user to the screen, everything else to {@code log/mpj.log}; keeps
 * the first lines failing ranks print ("detrain rank N: ..."), which reach the launcher even when a
 * rank could not write its status file (a full file system).
 */
final class JobOutput {
    private static final int KEPT_RANK_ERRORS = 16;

    private final List<String> rankErrors = Collections.synchronizedList(new ArrayList<>());
    private final Thread pump;

    private JobOutput(MpjJob job, RunLayout layout, ProgressRenderer progress) {
        pump = new Thread(() -> route(job, layout, progress), "detrain-output");
        pump.setDaemon(true);
    }

    /** Starts routing the job's output on a thread of its own. */
    static JobOutput start(MpjJob job, RunLayout layout, ProgressRenderer progress) {
        JobOutput output = new JobOutput(job, layout, progress);
        output.pump.start();
        return output;
    }

    /** Waits up to {@code millis} for the job's output to end. */
    void join(long millis) throws InterruptedException {
        pump.join(millis);
    }

    /** What failing ranks printed, in order of arrival. */
    List<String> rankErrors() {
        synchronized (rankErrors) {
            return List.copyOf(rankErrors);
        }
    }

    private void route(MpjJob job, RunLayout layout, ProgressRenderer progress) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(job.starter().getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter mpjLog = new PrintWriter(Files.newBufferedWriter(layout.mpjLog(), StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(TrainingRun.PROGRESS) && progress.update(line)) {
                    continue;
                }
                if (line.startsWith(CommCheck.SAY)) {
                    progress.say(line.substring(CommCheck.SAY.length()));
                } else {
                    if (line.startsWith("detrain rank ") && rankErrors.size() < KEPT_RANK_ERRORS) {
                        rankErrors.add(line);
                    }
                    mpjLog.println(line);
                }
            }
        } catch (IOException e) {
            // the job was stopped; what it printed so far is in mpj.log
        }
    }
}
