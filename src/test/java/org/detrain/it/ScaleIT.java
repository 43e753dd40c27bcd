package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many ranks on one machine: 128 multicore ranks of a tiny problem start (MPJ's start took minutes
 * at this size before its message key was repaired), share one plan, train, record every rank and
 * write a complete checkpoint set of 128 files; and a rank count that cannot fit is refused before
 * anything is written.
 */
class ScaleIT {
    @TempDir
    Path results;

    @Test
    void aHundredAndTwentyEightRanksTrainRecordAndCheckpoint() throws IOException {
        int ranks = 128;
        Cli.Result r = Runs.train(results, "many", Runs.args("-np", Integer.toString(ranks), "--set",
                "dataset=synthetic-hlsq", "--set", "partition=auto", "--set", "model=linear", "--set",
                "synthetic.samples=8", "--set", "synthetic.features=4", "--set", "batch=4", "--set", "lr=0.05",
                "--set", "iterations=30", "--set", "log.every=10", "--set", "eval.every=30", "--set",
                "checkpoint.every=30", "--set", "eval.local=false"));
        assertEquals(0, r.exitCode(), r.all());
        Path run = results.resolve("many");
        H5Group h = Hdf5Files.read(run.resolve("metrics.h5"));
        assertEquals((long) ranks, h.getAttribute("ranks", Long.class));
        assertEquals(ranks, h.getAttribute("hosts", String[].class).length);
        double[][] loss = h.getGroup("metrics").getDataset("train_loss", double[][].class);
        assertEquals(3, loss.length);
        assertEquals(ranks, loss[0].length);
        for (double[] record : loss) {
            for (double v : record) {
                assertTrue(Double.isFinite(v) && v > 0, "every rank recorded its loss: " + v);
            }
        }
        double[] optimum = h.getGroup("metrics").getDataset("optimum_distance", double[].class);
        assertTrue(optimum[2] < optimum[0], "the averaged model approaches the optimum: " + optimum[0] + " -> " + optimum[2]);
        Path set = run.resolve("ckpt/it-0000000030");
        try (Stream<Path> files = Files.list(set)) {
            assertEquals(ranks, files.filter(f -> f.getFileName().toString().matches("rank-\\d+\\.h5")).count());
        }
        assertTrue(Files.isRegularFile(set.resolve("manifest.properties")), "the set is complete");
        try (Stream<Path> done = Files.list(run.resolve("status"))) {
            assertEquals(ranks, done.filter(f -> f.getFileName().toString().endsWith(".done")).count());
        }
    }

    @Test
    void aRankCountThatCannotFitIsRefusedBeforeAnythingIsWritten() {
        // 4096 ranks of a wide MLP: about 290 GB, whatever heap the rank JVM is allowed
        Cli.Result r = Cli.run("train", "-np", "4096", "--set", "model=mlp", "--set", "model.hidden=1024", "--jvm=-Xmx200g",
                "--results", results.toString(), "--run-id", "huge");
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("-np 4096 needs about") && r.err().contains("this machine has"), r.err());
        assertFalse(r.all().contains("OutOfMemoryError") || r.all().contains("\tat "), "a message, not a trace: " + r.all());
        assertFalse(Files.exists(results.resolve("huge")));

        Cli.Result small = Cli.run("train", "-np", "1024", "--jvm=-Xmx64m", "--results", results.toString(), "--run-id",
                "small-heap", "--set", "eval.local=false");
        assertEquals(2, small.exitCode(), small.all());
        assertTrue(small.err().contains("of heap in the rank JVM") && small.err().contains("--jvm=-Xmx"), small.err());
        assertFalse(Files.exists(results.resolve("small-heap")));
    }
}
