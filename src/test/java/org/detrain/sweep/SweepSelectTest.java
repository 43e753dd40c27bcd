package org.detrain.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the best step size per algorithm from a grid, as the paper tunes. */
class SweepSelectTest {
    @TempDir
    Path dir;
    private SweepDir grid;

    /**
     * algorithm x lr x seed, 12 tasks; task = 6a + 2l + s. Final training loss / training objective:
     * <pre>
     *            lr 0.01        lr 0.1                 lr 1
     *   dpsgd    0.8 / 0.8      0.5, 0.7 / 0.6, 0.6    0.1 / 0.1, then diverged (seed 2)
     *   dsgt     0.9 / 0.9      0.4 / 0.5              0.3, 0.35 / 0.7 (seed 2 failed: left out)
     * </pre>
     */
    @BeforeEach
    void writeGrid() throws IOException {
        Files.writeString(dir.resolve("base.properties"), "algorithm = dpsgd\nlr = 0.1\ndataset = synthetic-lsq\n"
                + "model = linear\n");
        Path file = dir.resolve("grid.sweep");
        Files.writeString(file, "config = base.properties\nranks = 2\nset.iterations = 40\n"
                + "axis.algorithm = algorithm : dpsgd | dsgt\naxis.lr = lr : 0.01 | 0.1 | 1\naxis.seed = seed : 1 | 2\n");
        grid = SweepDir.create(SweepSpec.read(file), dir.resolve("results"), "900");
        double[][] loss = {{0.8, 0.8, 0.5, 0.7, 0.1, Double.NaN}, {0.9, 0.9, 0.4, 0.4, 0.3, 0.35}};
        double[][] objective = {{0.8, 0.8, 0.6, 0.6, 0.1, Double.NaN}, {0.9, 0.9, 0.5, 0.5, 0.7, 0.7}};
        for (int a = 0; a < 2; a++) {
            for (int k = 0; k < 6; k++) {
                int task = 6 * a + k;
                String status = a == 0 && k == 5 ? "diverged" : "complete";
                if (a == 1 && k == 5) {
                    Files.createDirectories(grid.task(task).resolve("status"));
                    Files.writeString(grid.task(task).resolve("status/rank-0.failed"), "rank 0 failed: node lost\n");
                    continue;
                }
                TaskFiles.task(grid, task, status, Double.isNaN(loss[a][k]) ? 5.0 : loss[a][k], objective[a][k]);
            }
        }
    }

    private List<Path> tasks() {
        return IntStream.range(0, 12).mapToObj(grid::task).filter(Files::isDirectory).toList();
    }

    @Test
    void theLowestFinalObjectiveWinsPerAlgorithmAndDivergedSettingsLose() {
        SweepSelect.Selection s = SweepSelect.select(tasks(), List.of("algorithm"), List.of("lr"), null, null);
        assertEquals("train_objective", s.metric(), "every run records the training objective");
        assertEquals(2, s.choices().size());
        SweepSelect.Choice dpsgd = s.choices().get(0);
        assertEquals(Map.of("algorithm", "dpsgd"), dpsgd.group());
        assertEquals(Map.of("lr", "0.1"), dpsgd.best().setting(), "lr 1 has the lowest seed-1 value but diverged at seed 2");
        assertEquals(0.6, dpsgd.best().value(), 1e-12);
        assertEquals(List.of("1", "2"), dpsgd.best().seeds());
        assertEquals(Map.of("lr", "0.01"), dpsgd.runnerUp().setting());
        assertEquals(Double.POSITIVE_INFINITY, dpsgd.candidates().get(2).value());
        SweepSelect.Choice dsgt = s.choices().get(1);
        assertEquals(Map.of("lr", "0.1"), dsgt.best().setting(), "by f(x̄) lr 0.1 (0.5) beats lr 1 (0.7)");
        assertEquals(List.of("task-011 (failed)"), dsgt.candidates().get(2).excluded());
    }

    @Test
    void anotherSeriesCanDecide() {
        SweepSelect.Selection s = SweepSelect.select(tasks(), List.of("algorithm"), List.of("lr"), "train_loss", null);
        SweepSelect.Choice dsgt = s.choices().get(1);
        assertEquals(Map.of("lr", "1"), dsgt.best().setting(), "by the training loss lr 1 (0.3, seed 2 failed) wins");
        assertEquals(List.of("1"), dsgt.best().seeds(), "the failed seed is left out");
        assertTrue(assertThrows(DetrainException.class, () -> SweepSelect.select(tasks(), List.of("algorithm"),
                List.of("lr"), "no_such_series", null)).getMessage().contains("has no series /metrics/no_such_series"));
    }

    @Test
    void theFinalSweepHasTheChosenSettingsWithEverySeed() throws IOException {
        SweepSelect.Selection s = SweepSelect.select(tasks(), List.of("algorithm"), List.of("lr"), null, null);
        Path out = Files.createDirectories(dir.resolve("final")).resolve("tuned.sweep");
        Files.writeString(out, SweepSelect.sweepText(s, List.of("1", "2", "3"), out, "tuned", "test"));
        SweepSpec tuned = SweepSpec.read(out);
        assertEquals("tuned", tuned.name());
        assertEquals(dir.resolve("base.properties").toAbsolutePath(), tuned.config(), "relative to the sweep file");
        assertEquals(6, tuned.size());
        assertEquals(List.of("iterations=40", "algorithm=dpsgd", "lr=0.1", "seed=1"), tuned.overrides(0));
        assertEquals(List.of("iterations=40", "algorithm=dsgt", "lr=0.1", "seed=3"), tuned.overrides(5));
        assertEquals(2, tuned.ranks());
    }

    @Test
    void aKeyThatVariesMustBeNamed() {
        String e = assertThrows(DetrainException.class, () -> SweepSelect.select(tasks(), List.of(), List.of("lr"), null,
                null)).getMessage();
        assertTrue(e.contains("[algorithm] take several values among the runs but are neither --by nor --vary"), e);
        e = assertThrows(DetrainException.class, () -> SweepSelect.select(tasks(), List.of("lr"), List.of("lr"), null,
                null)).getMessage();
        assertTrue(e.contains("not both"), e);
        e = assertThrows(DetrainException.class, () -> SweepSelect.select(tasks(), List.of("algorithm"), List.of("lrr"),
                null, null)).getMessage();
        assertTrue(e.contains("'lrr' is not a config key"), e);
    }

    @Test
    void withoutTheObjectiveEverywhereTheTrainingLossDecides() throws IOException {
        TaskFiles.task(grid, 0, "complete", 0.8, Double.NaN); // no /metrics/train_objective
        SweepSelect.Selection s = SweepSelect.select(tasks(), List.of("algorithm"), List.of("lr"), null, null);
        assertEquals("train_loss", s.metric());
        assertTrue(s.notes().get(0).contains("not every run records the training objective"), s.notes().toString());
    }
}
