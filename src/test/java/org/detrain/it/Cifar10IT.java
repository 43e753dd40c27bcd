package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.detrain.data.Cifar10Reader;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dataset=cifar10 end to end on real ranks: LeNet-5 on 32x32x3 images read from CIFAR-10's binary
 * format (generated here: the real files cannot be fetched on these machines), the partition's class
 * counts from the files' labels, the directory recorded as read; a missing directory is exit 2.
 */
class Cifar10IT {
    @TempDir
    Path tmp;

    /** Writes CIFAR-10-format batch files: class c's images are bright in channel c % 3, dark elsewhere. */
    private Path fakeCifar(int perFile) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar"));
        Random rng = new Random(5);
        int label = 0;
        for (String name : concat(Cifar10Reader.TRAIN_FILES, Cifar10Reader.TEST_FILE)) {
            byte[] bytes = new byte[perFile * Cifar10Reader.RECORD_BYTES];
            for (int r = 0; r < perFile; r++) {
                int at = r * Cifar10Reader.RECORD_BYTES;
                bytes[at] = (byte) label;
                for (int p = 0; p < 3 * 32 * 32; p++) {
                    int channel = p / (32 * 32);
                    int base = channel == label % 3 ? 200 : 30;
                    bytes[at + 1 + p] = (byte) (base + rng.nextInt(40));
                }
                label = (label + 1) % 10;
            }
            Files.write(dir.resolve(name), bytes);
        }
        return dir;
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.add(b);
        return all;
    }

    @Test
    void leNetTrainsOnCifar10FilesAndRecordsWhatItRead() throws IOException {
        Path dir = fakeCifar(40); // 200 training images, 40 test images, 20 of each class in training
        Path results = tmp.resolve("results");
        Cli.Result r = Cli.run("train", "--results", results.toString(), "--run-id", "c10", "-np", "2", "--set",
                "dataset=cifar10", "--set", "dataset.dir=" + dir, "--set", "model=lenet", "--set", "batch=8", "--set",
                "iterations=12", "--set", "lr=0.02", "--set", "log.every=4", "--set", "eval.every=12", "--set",
                "eval.local=false");
        assertEquals(0, r.exitCode(), r.all());
        H5Group h = Hdf5Files.read(results.resolve("c10").resolve("metrics.h5"));
        assertEquals("cifar10", h.getGroup("config").getAttribute("dataset", String.class));
        assertEquals(dir.toAbsolutePath().normalize().toString(),
                h.getGroup("config").getAttribute("dataset.dir", String.class));
        long[][] counts = h.getGroup("partition").getDataset("class_counts", long[][].class);
        long total = 0;
        for (int c = 0; c < 10; c++) {
            long perClass = counts[0][c] + counts[1][c];
            assertEquals(20, perClass, "class " + c + " over both ranks");
            total += perClass;
        }
        assertEquals(200, total);
        double[] testLoss = h.getGroup("metrics").getDataset("test_loss", double[].class);
        assertTrue(testLoss.length >= 1 && Double.isFinite(testLoss[testLoss.length - 1]), "a finite test loss");
        double[][] trainLoss = h.getGroup("metrics").getDataset("train_loss", double[][].class);
        assertTrue(trainLoss[trainLoss.length - 1][0] < trainLoss[0][0],
                "LeNet-5 lowers the loss on separable images: " + trainLoss[0][0] + " -> " + trainLoss[trainLoss.length - 1][0]);
    }

    @Test
    void aMissingCifar10DirectoryIsBadInputAndWritesNothing() {
        Path results = tmp.resolve("results");
        Cli.Result r = Cli.run("train", "--results", results.toString(), "--run-id", "none", "-np", "2", "--set",
                "dataset=cifar10", "--set", "dataset.dir=" + tmp.resolve("absent"), "--set", "model=lenet", "--set",
                "iterations=2");
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("CIFAR-10 directory") && r.err().contains("binary version"), r.err());
        assertFalse(Files.exists(results.resolve("none")), "no results directory");
    }
}
