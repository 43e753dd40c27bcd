package org.detrain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/examples/read_metrics.py on files with the layout the runner writes. */
class ReadMetricsScriptTest {
    private static final Path SCRIPT = Path.of("docs/examples/read_metrics.py");

    @TempDir
    Path dir;

    /** 4 ranks on a ring, 3 logged steps, 2 evaluations, hand-picked values. */
    static H5Group metricsFile() {
        H5Group root = new H5Group()
                .attr("detrain_version", "0.1.0")
                .attr("git_commit", "abc1234")
                .attr("ranks", 4L)
                .attr("hosts", new String[] {"node1", "node2"})
                .attr("setup_time", 1.5);
        root.group("config").attr("algorithm", "dpsgd").attr("lr", "0.05").attr("topology", "ring");
        double third = 1.0 / 3;
        root.group("topology")
                .attr("name", "ring").attr("weights", "metropolis").attr("kappa", 1.0)
                .attr("lambda", third).attr("spectral_gap", 2 * third)
                .dataset("adjacency", new int[][] {{0, 1, 0, 1}, {1, 0, 1, 0}, {0, 1, 0, 1}, {1, 0, 1, 0}})
                .dataset("W", new double[][] {
                        {third, third, 0, third}, {third, third, third, 0},
                        {0, third, third, third}, {third, 0, third, third}})
                .dataset("eigenvalues", new double[] {1, third, third, -third});
        root.group("partition").dataset("class_counts", new long[][] {{5, 0, 1}, {0, 5, 1}, {1, 1, 4}, {2, 2, 2}});
        root.group("metrics")
                .dataset("iteration", new long[] {10, 20, 30})
                .dataset("epoch", new double[] {0.1, 0.2, 0.3})
                .dataset("train_loss", new double[][] {{2, 2, 2, 2}, {1, 1.5, 1, 0.5}, {0.5, 0.25, 0.75, 1.0}})
                .dataset("eval_iteration", new long[] {15, 30})
                .dataset("test_accuracy", new double[] {0.5, 0.8125});
        return root;
    }

    @Test
    void printsProvenanceConfigTopologyAndLastMetrics() {
        Path file = dir.resolve("metrics.h5");
        Hdf5Files.writeAtomically(file, metricsFile());
        ExternalTools.Result r = ExternalTools.pythonScript(script(), file.toString()).assertSuccess();
        String out = r.stdout();

        assertContains(out, "provenance:\n  detrain_version: 0.1.0\n  git_commit: abc1234\n  hosts: node1, node2\n"
                + "  ranks: 4\n  setup_time: 1.5\n");
        assertContains(out, "config:\n  algorithm: dpsgd\n  lr: 0.05\n  topology: ring\n");
        assertContains(out, "topology: lambda = 0.3333333333333333, spectral_gap = 0.6666666666666666\n");
        assertContains(out, "last test_accuracy (iteration 30): 0.8125\n");
        // (0.5 + 0.25 + 0.75 + 1.0) / 4
        assertContains(out, "last train_loss (iteration 30, mean over 4 ranks): 0.625\n");
        assertEquals("", r.stderr());
    }

    @Test
    void zeroStepsIsNotAnError() {
        H5Group root = metricsFile();
        root.getGroup("metrics")
                .dataset("iteration", new long[0]).dataset("epoch", new double[0])
                .dataset("train_loss", new double[0][4])
                .dataset("eval_iteration", new long[0]).dataset("test_accuracy", new double[0]);
        Path file = dir.resolve("metrics.h5");
        Hdf5Files.writeAtomically(file, root);
        String out = ExternalTools.pythonScript(script(), file.toString()).assertSuccess().stdout();
        assertContains(out, "test_accuracy: no evaluations recorded yet\n");
        assertContains(out, "train_loss: no steps recorded yet\n");
    }

    @Test
    void missingDatasetExitsNonZeroNamingIt() {
        H5Group root = new H5Group().attr("detrain_version", "0.1.0");
        root.group("config").attr("algorithm", "dpsgd");
        root.group("topology").attr("lambda", 0.5).attr("spectral_gap", 0.5);
        root.group("metrics").dataset("iteration", new long[] {1}).dataset("train_loss", new double[][] {{1}});
        Path file = dir.resolve("metrics.h5");
        Hdf5Files.writeAtomically(file, root);
        ExternalTools.Result r = ExternalTools.pythonScript(script(), file.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("error: " + file + " has no dataset /metrics/test_accuracy\n", r.stderr());
    }

    @Test
    void missingGroupAndMissingFileExitNonZero() throws IOException {
        Path file = dir.resolve("metrics.h5");
        Hdf5Files.writeAtomically(file, new H5Group().attr("detrain_version", "0.1.0"));
        ExternalTools.Result noConfig = ExternalTools.pythonScript(script(), file.toString());
        assertEquals(2, noConfig.exitCode(), noConfig.toString());
        assertContains(noConfig.stderr(), "has no group /config");

        Path missing = dir.resolve("nope.h5");
        ExternalTools.Result noFile = ExternalTools.pythonScript(script(), missing.toString());
        assertEquals(2, noFile.exitCode(), noFile.toString());
        assertEquals("error: " + missing + " does not exist: pass results/<run-id>/metrics.h5\n", noFile.stderr());

        Path text = Files.writeString(dir.resolve("text.h5"), "not hdf5");
        ExternalTools.Result notHdf5 = ExternalTools.pythonScript(script(), text.toString());
        assertEquals(2, notHdf5.exitCode(), notHdf5.toString());
        assertContains(notHdf5.stderr(), "is not a readable HDF5 file");
    }

    @Test
    void plotsWhenMatplotlibIsThereAndSaysHowToGetItOtherwise() throws IOException {
        Path file = dir.resolve("metrics.h5");
        Hdf5Files.writeAtomically(file, metricsFile());
        Path png = dir.resolve("curves.png");
        boolean haveMatplotlib = ExternalTools.python("import matplotlib").exitCode() == 0;
        ExternalTools.Result r = ExternalTools.pythonScript(script(), file.toString(), "--plot", png.toString());
        if (haveMatplotlib) {
            r.assertSuccess();
            byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
        } else {
            assertEquals(2, r.exitCode(), r.toString());
            assertContains(r.stderr(), "apt-get install python3-matplotlib");
        }
    }

    private static Path script() {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath() + " is missing (tests run from the project root)");
        return SCRIPT;
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), "expected\n" + expected + "\nin\n" + text);
    }
}
