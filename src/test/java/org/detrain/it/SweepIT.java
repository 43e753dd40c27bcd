package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.sweep.SweepSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The researcher's loop on a small real sweep, as the README tells it: scripts/run-sweep-local.sh
 * runs a step-size grid (one step size diverges) into results/&lt;name&gt;-&lt;id&gt;/task-NNN, sweep
 * collect names how each task ended, a lost task is re-run alone into the same sweep, sweep select
 * picks the best step size by the final training objective and writes the final runs' sweep, and
 * report reads the sweep by its id.
 */
class SweepIT {
    @TempDir
    Path tmp;

    @Test
    void gridThenCollectRerunSelectAndReport() throws IOException {
        Path base = tmp.resolve("base.properties");
        Files.writeString(base, "dataset = synthetic-lsq\nmodel = linear\nsynthetic.samples = 256\nbatch = 8\n"
                + "iterations = 60\nlog.every = 10\neval.every = 20\n", StandardCharsets.UTF_8);
        Path grid = tmp.resolve("lr.sweep");
        Files.writeString(grid, "name = lrgrid\nconfig = base.properties\nranks = 2\naxis.lr = lr : 0.02 | 0.2 | 80\n"
                + "axis.seed = seed : 1 | 2\n", StandardCharsets.UTF_8);
        Path results = tmp.resolve("results");
        Map<String, String> env = Map.of("DETRAIN_RESULTS", results.toString());
        Path script = Cli.home().toAbsolutePath().resolve("scripts/run-sweep-local.sh");

        Shell.Result first = Shell.run(tmp, env, 600, script.toString(), grid.toString());
        assertEquals(0, first.exitCode(), "diverged tasks are results, not failures: " + first.output());
        Path sweep;
        try (Stream<Path> dirs = Files.list(results)) {
            sweep = dirs.filter(d -> d.getFileName().toString().matches("lrgrid-\\d{8}-\\d{6}")).findFirst().orElseThrow();
        }
        String id = sweep.getFileName().toString().substring("lrgrid-".length());
        assertEquals(SweepSpec.read(grid).canonicalText(""), SweepSpec.read(sweep.resolve("sweep.sweep")).canonicalText(""));

        Cli.Result collected = Cli.run("sweep", "collect", id, "--results", results.toString());
        assertEquals(0, collected.exitCode(), collected.all());
        List<String> csv = Files.readAllLines(sweep.resolve("summary.csv"));
        for (int task = 0; task < 6; task++) {
            String status = task >= 4 ? "diverged" : "complete"; // lr 80 diverges (tasks 4 and 5)
            assertTrue(csv.get(task + 1).startsWith(task + ",task-00" + task + "," + status + ","), csv.get(task + 1));
        }

        // task 1 lost: the next run of the sweep directory runs it alone
        Runs.deleteTree(sweep.resolve("task-001"));
        assertEquals("1", Cli.run("sweep", "unfinished", sweep.toString()).out().strip());
        Shell.Result rerun = Shell.run(tmp, env, 300, script.toString(), sweep.toString());
        assertEquals(0, rerun.exitCode(), rerun.output());
        assertTrue(rerun.output().contains("1 task(s) to run of 6") && rerun.output().contains("task-001:")
                && !rerun.output().contains("task-000:"), rerun.output());
        assertEquals("", Cli.run("sweep", "unfinished", sweep.toString()).out().strip());

        // select: the lowest mean final f(x̄) over the two seeds, computed here from the files
        double[] objective = new double[2];
        for (int task = 0; task < 4; task++) {
            H5Group m = Hdf5Files.read(sweep.resolve("task-00" + task + "/metrics.h5")).getGroup("metrics");
            double[] f = m.getDataset("train_objective", double[].class);
            objective[task / 2] += f[f.length - 1] / 2;
        }
        String best = objective[0] <= objective[1] ? "0.02" : "0.2";
        Path out = tmp.resolve("final.sweep");
        Cli.Result selected = Cli.run("sweep", "select", sweep.toString(), "--vary", "lr", "--seeds", "1,2,3",
                "--out", out.toString());
        assertEquals(0, selected.exitCode(), selected.all());
        assertTrue(selected.out().contains("by the final train_objective"), selected.out());
        assertTrue(selected.out().lines().anyMatch(l -> l.strip().startsWith(best + " ") && l.strip().endsWith(" 80")),
                "the best lr and lr 80 as diverged: " + selected.out());
        SweepSpec chosen = SweepSpec.read(out);
        assertEquals(3, chosen.size());
        assertEquals(List.of("lr=" + best, "seed=3"), chosen.overrides(2).subList(chosen.overrides(2).size() - 2,
                chosen.overrides(2).size()));
        assertEquals(base.toAbsolutePath(), chosen.config());

        // report by id: the diverged runs are named (they left no metrics.h5, or a diverged one)
        Cli.Result report = Cli.run("report", id, "--results", results.toString(), "--out",
                tmp.resolve("report").toString());
        assertEquals(0, report.exitCode(), report.all());
        String md = Files.readString(tmp.resolve("report/report.md"));
        assertTrue(md.contains("diverged"), md);
        assertTrue(Files.isRegularFile(tmp.resolve("report/objective_vs_epoch.pdf")), "vector figures by default");
    }
}
