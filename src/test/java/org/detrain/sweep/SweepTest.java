package org.detrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
    @TempDir
    Path dir;

    private Path sweep(String... lines) throws IOException {
        Files.writeString(dir.resolve("base.properties"), "algorithm = dpsgd\nlr = 0.1\n");
        Path f = dir.resolve("s.sweep");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void axesCombineAsAProductWithTheLastAxisFastestAndTuplesVaryTogether() throws IOException {
        SweepSpec s = SweepSpec.read(sweep("config = base.properties   # relative to the sweep", "ranks = 8",
                "set.epochs = 2", "axis.data = partition.shuffled lr : 100 5e-3 | 50 5e-5 | 0 5e-5",
                "axis.seed = seed : 1 | 2"));
        assertEquals(6, s.size());
        assertEquals(8, s.ranks());
        assertEquals(dir.resolve("base.properties").toAbsolutePath(), s.config());
        assertEquals(List.of("partition.shuffled", "lr", "seed"), s.variedKeys());
        assertEquals(Map.of("partition.shuffled", "100", "lr", "5e-3", "seed", "1"), s.varied(0));
        assertEquals(Map.of("partition.shuffled", "100", "lr", "5e-3", "seed", "2"), s.varied(1));
        assertEquals(Map.of("partition.shuffled", "50", "lr", "5e-5", "seed", "1"), s.varied(2));
        assertEquals(Map.of("partition.shuffled", "0", "lr", "5e-5", "seed", "2"), s.varied(5));
        assertEquals(List.of("epochs=2", "partition.shuffled=0", "lr=5e-5", "seed=2"), s.overrides(5));
        assertThrows(DetrainException.class, () -> s.varied(6));
    }

    @Test
    void linesStartingWithABarContinueTheAxisAbove() throws IOException {
        SweepSpec s = SweepSpec.read(sweep("config = base.properties", "ranks = 2", "axis.t = algorithm lr :",
                "    | dpsgd 0.5   # first row", "", "    | dpsgd 0.25"));
        assertEquals(2, s.size());
        assertEquals(Map.of("algorithm", "dpsgd", "lr", "0.25"), s.varied(1));
        String e = assertThrows(DetrainException.class, () -> SweepSpec.read(sweep("config = base.properties",
                "ranks = 2", "| dpsgd 0.5"))).getMessage();
        assertTrue(e.contains("continues an axis"), e);
    }

    @Test
    void theShippedSweepsAreValid() throws IOException {
        try (var files = Files.list(Path.of("jobs/sweeps"))) {
            List<Path> sweeps = files.filter(p -> p.toString().endsWith(".sweep")).sorted().toList();
            assertTrue(sweeps.size() >= 4, "jobs/sweeps holds the studies: " + sweeps);
            for (Path p : sweeps) {
                SweepSpec s = SweepSpec.read(p);
                assertTrue(s.size() >= 2, p + " has runs");
            }
        }
        SweepSpec tuned = SweepSpec.read(Path.of("jobs/sweeps/heterogeneity.sweep"));
        assertEquals(8, tuned.ranks());
        // the paper's tuned step sizes (Table 3), DeTAG with its (eta, R)
        assertEquals(Map.of("algorithm", "dpsgd", "partition.shuffled", "50", "lr", "5e-5", "detag.eta", "0",
                "detag.R", "1", "seed", "1"), tuned.varied(3));
        assertEquals(Map.of("algorithm", "detag", "partition.shuffled", "50", "lr", "5e-4", "detag.eta", "0.2",
                "detag.R", "2", "seed", "1"), tuned.varied(39));
        assertEquals(48, tuned.size());
        SweepSpec gap = SweepSpec.read(Path.of("jobs/sweeps/spectral-gap.sweep"));
        assertEquals(16, gap.ranks());
        assertEquals(List.of("1", "0.1", "0.05", "0.01"), List.of(0, 3, 6, 9).stream()
                .map(i -> gap.varied(i).get("weights.kappa")).toList());
    }

    @Test
    void noAxesMeansOneRun() throws IOException {
        assertEquals(1, SweepSpec.read(sweep("config = base.properties", "ranks = 2")).size());
    }

    @Test
    void badSweepsAreRefusedWithTheLineAndTheFix() throws IOException {
        String e1 = assertThrows(DetrainException.class, () -> SweepSpec.read(sweep("config = base.properties", "ranks = 2",
                "axis.a = lr seed : 0.1 1 | 0.2"))).getMessage();
        assertTrue(e1.contains("line 3") && e1.contains("has 1 value(s)"), e1);
        String e2 = assertThrows(DetrainException.class, () -> SweepSpec.read(sweep("config = base.properties", "ranks = 2",
                "axis.a = lr : 0.1 | -1"))).getMessage();
        assertTrue(e2.contains("task 1") && e2.contains("lr=-1"), e2);
        String e3 = assertThrows(DetrainException.class, () -> SweepSpec.read(sweep("config = base.properties", "ranks = 2",
                "axis.a = lr : 0.1", "axis.b = lr : 0.2"))).getMessage();
        assertTrue(e3.contains("already varied"), e3);
        String e4 = assertThrows(DetrainException.class, () -> SweepSpec.read(sweep("config = nowhere.properties",
                "ranks = 2"))).getMessage();
        assertTrue(e4.contains("does not exist"), e4);
        String e5 = assertThrows(DetrainException.class, () -> SweepSpec.read(sweep("ranks = 2"))).getMessage();
        assertTrue(e5.contains("needs 'config = FILE'"), e5);
        String e6 = assertThrows(DetrainException.class, () -> SweepSpec.read(sweep("config = base.properties", "ranks = 2",
                "set.lrr = 0.1"))).getMessage();
        assertTrue(e6.contains("did you mean 'lr'"), e6);
    }

    @Test
    void trainArgsAreTheConfigThenEachOverride() throws IOException {
        Path f = sweep("config = base.properties", "ranks = 2", "set.epochs = 2", "axis.seed = seed : 3 | 4");
        assertEquals(List.of("--config", dir.resolve("base.properties").toAbsolutePath().toString(), "--set", "epochs=2",
                "--set", "seed=4"), SweepSpec.read(f).trainArgs(1));
    }

    @Test
    void aSweepDirectoryIsNamedAfterTheSweepAndKeepsItsOwnCopy() throws IOException {
        SweepSpec s = SweepSpec.read(sweep("config = base.properties", "ranks = 2", "set.epochs = 2",
                "axis.seed = seed : 1 | 2"));
        assertEquals("s", s.name());
        Path results = dir.resolve("results");
        SweepDir slurm = SweepDir.create(s, results, "4711");
        assertEquals(results.resolve("s-4711").toAbsolutePath(), slurm.root());
        assertEquals(slurm.root().resolve("task-001"), slurm.task(1));
        // the copy does not depend on where it lies: its config is absolute, and it reads back as the same sweep
        SweepSpec copy = SweepDir.open(slurm.root()).spec();
        assertEquals(s.config(), copy.config());
        assertEquals(s.overrides(1), copy.overrides(1));
        assertEquals("s", copy.name());
        // entering it again (every array task does) is fine; another sweep there is refused
        assertEquals(slurm.root(), SweepDir.enter(s, slurm.root()).root());
        SweepSpec other = SweepSpec.read(sweep("config = base.properties", "ranks = 2", "axis.seed = seed : 1 | 3"));
        assertTrue(assertThrows(DetrainException.class, () -> SweepDir.enter(other, slurm.root())).getMessage()
                .contains("holds another sweep"));
        // local sweeps: the date-time, and a suffix for a second sweep of the same second
        SweepDir a = SweepDir.create(s, results, null);
        assertTrue(a.root().getFileName().toString().matches("s-\\d{8}-\\d{6}(-2)?"), a.root().toString());
        // found by path and by id
        assertEquals(slurm.root(), SweepDir.resolve(slurm.root().toString(), results).root());
        assertEquals(slurm.root(), SweepDir.resolve("4711", results).root());
        assertTrue(assertThrows(DetrainException.class, () -> SweepDir.resolve("4712", results)).getMessage()
                .contains("4712 does not exist"));
        assertTrue(assertThrows(DetrainException.class, () -> SweepDir.open(results)).getMessage()
                .contains("is not a sweep directory"));
    }

    @Test
    void aSweepsNameComesFromItsFileOrItsNameEntry() throws IOException {
        assertEquals("grid", SweepSpec.read(sweep("name = grid", "config = base.properties", "ranks = 2")).name());
        String e = assertThrows(DetrainException.class, () -> SweepSpec.read(sweep("name = a/b", "config = base.properties",
                "ranks = 2"))).getMessage();
        assertTrue(e.contains("name 'a/b' must be letters"), e);
    }

    @Test
    void collectListsEveryTaskWithHowItEnded() throws IOException {
        SweepSpec s = SweepSpec.read(sweep("config = base.properties", "ranks = 2", "axis.seed = seed : 1 | 2 | 3 | 4 | 5"));
        SweepDir sweep = SweepDir.create(s, dir.resolve("results"), "77");
        Files.createDirectories(sweep.task(1).resolve("status"));
        Files.writeString(sweep.task(1).resolve("status/rank-0.failed"), "rank 0 failed: boom\nat ...\n");
        Files.createDirectories(sweep.task(2).resolve("log"));
        TaskFiles.task(sweep, 3, "complete", 0.5, 0.25);
        Files.createDirectories(sweep.task(4).resolve("status"));
        Files.writeString(sweep.task(4).resolve("status/rank-1.failed"),
                "rank 1: the training loss is NaN at iteration 12; lower lr\n");
        List<SweepCollect.Row> rows = SweepCollect.rows(sweep);
        assertEquals(List.of("missing", "failed", "no-metrics", "complete", "diverged"),
                rows.stream().map(SweepCollect.Row::status).toList());
        assertEquals("rank 0 failed: boom", rows.get(1).state().detail());
        assertEquals(List.of(0, 1, 2), SweepCollect.unfinished(rows), "complete and diverged tasks are not re-run");
        SweepCollect.write(sweep, rows);
        List<String> csv = Files.readAllLines(sweep.root().resolve("summary.csv"));
        assertEquals("task,run_id,status,seed,iterations,epochs,train_loss,test_loss,test_accuracy,consensus_distance,"
                + "training_time,detail", csv.get(0));
        assertEquals("1,task-001,failed,2,,,,,,,,rank 0 failed: boom", csv.get(2));
        assertTrue(csv.get(4).startsWith("3,task-003,complete,4,40,1.0,0.5,"), csv.get(4));
        H5Group h = Hdf5Files.read(sweep.root().resolve("summary.h5"));
        assertEquals(List.of("missing", "failed", "no-metrics", "complete", "diverged"),
                List.of(h.getDataset("status", String[].class)));
        assertEquals(5L, h.getAttribute("tasks", Long.class));
        assertTrue(Double.isNaN(h.getGroup("results").getDataset("train_loss", double[].class)[0]));
    }
}
