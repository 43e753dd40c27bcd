package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input of every kind ends with exit code 2, one message naming the problem and the fix, and
 * no results directory left behind.
 */
class BadInputIT {
    @TempDir
    Path results;

    private Cli.Result train(String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "-np", "4", "--results", results.toString(),
                "--set", "dataset=synthetic-lsq", "--set", "model=linear", "--set", "iterations=5"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private void assertRefused(Cli.Result r, String... fragments) throws IOException {
        assertEquals(2, r.exitCode(), r.all());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "message should contain '" + f + "': " + r.err());
        }
        assertEquals(1, r.err().strip().lines().count(), "one message: " + r.err());
        try (Stream<Path> s = Files.list(results)) {
            assertEquals(List.of(), s.toList(), "nothing may be written for bad input");
        }
    }

    @Test
    void unknownKeySuggestsTheClosestOne() throws IOException {
        assertRefused(train("--set", "lrr=0.1"), "unknown config key 'lrr'", "did you mean 'lr'");
    }

    @Test
    void malformedAndOutOfRangeValues() throws IOException {
        assertRefused(train("--set", "batch=abc"), "'batch'", "not a whole number");
        assertRefused(train("--set", "topology=moebius"), "'topology'", "not one of ring, torus");
        assertRefused(train("--set", "lr=-1"), "'lr'", "outside");
        assertRefused(train("--set", "partition.shuffled=120"), "partition.shuffled", "[0, 100]");
        assertRefused(train("--set", "nokeyvalue"), "is not key=value");
    }

    @Test
    void torusThatDoesNotFitTheRankCount() throws IOException {
        assertRefused(train("--set", "topology=torus", "--set", "topology.rows=3", "--set", "topology.cols=3"), "9", "4");
    }

    @Test
    void rankCountBelowOne() throws IOException {
        Cli.Result r = Cli.run("train", "-np", "0", "--results", results.toString(), "--set", "dataset=synthetic-lsq",
                "--set", "model=linear");
        assertRefused(r, "-np must be at least 1");
    }

    @Test
    void configFileProblems(@TempDir Path dir) throws IOException {
        assertRefused(train("--config", dir.resolve("nope.properties").toString()), "does not exist");
        Path dup = dir.resolve("dup.properties");
        Files.writeString(dup, "lr = 0.1\nbatch = 8\nlr = 0.2\n");
        assertRefused(train("--config", dup.toString()), "dup.properties:3", "set twice");
        Path junk = dir.resolve("junk.properties");
        Files.writeString(junk, "# fine\nthis line has no equals sign\n");
        assertRefused(train("--config", junk.toString()), "junk.properties:2", "not key = value");
    }

    @Test
    void missingDataDirectorySaysToRunMakeData(@TempDir Path dir) throws IOException {
        Cli.Result r = Cli.run("train", "-np", "2", "--results", results.toString(), "--set",
                "dataset.dir=" + dir.resolve("absent"), "--set", "iterations=2");
        assertRefused(r, "absent", "make data");
    }

    @Test
    void corruptDataFileIsNamed(@TempDir Path dir) throws IOException {
        Path src = Cli.home().resolve("data/fashion-mnist");
        for (String f : List.of("train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        // A valid gzip stream holding a truncated IDX file: right magic, too few bytes.
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve("train-images-idx3-ubyte.gz")))) {
            o.write(new byte[] {0, 0, 8, 3, 0, 0, (byte) 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3});
        }
        Cli.Result r = Cli.run("train", "-np", "2", "--results", results.toString(), "--set",
                "dataset.dir=" + dir, "--set", "iterations=2");
        assertRefused(r, "train-images-idx3-ubyte.gz");
    }

    @Test
    void existingResultsDirectoryIsRefusedUnlessOverwrite() throws IOException {
        Cli.Result first = train("--run-id", "twice");
        assertEquals(0, first.exitCode(), first.all());
        Path metrics = results.resolve("twice/metrics.h5");
        long size = Files.size(metrics);
        Cli.Result again = train("--run-id", "twice");
        assertEquals(2, again.exitCode(), again.all());
        assertTrue(again.err().contains("already exists") && again.err().contains("--overwrite"), again.err());
        assertEquals(size, Files.size(metrics), "the earlier results must be untouched");
        Cli.Result over = train("--run-id", "twice", "--overwrite");
        assertEquals(0, over.exitCode(), over.all());
    }

    @Test
    void badRunId() throws IOException {
        assertRefused(train("--run-id", "../escape"), "run id", "letters, digits");
    }

    @Test
    void mpjNotInstalled(@TempDir Path fakeHome) throws IOException {
        Files.createSymbolicLink(fakeHome.resolve("target"), Cli.home().resolve("target"));
        String saved = System.getProperty("detrain.home");
        System.setProperty("detrain.home", fakeHome.toString());
        try {
            assertRefused(train(), "MPJ Express is not set up", "make mpj");
        } finally {
            System.setProperty("detrain.home", saved);
        }
    }

    // ---- issue 17: every value the schema accepts works; everything else is exit 2, nothing written

    @Test
    void absurdSizesAreRefusedWithNumbersNotStackTraces() throws IOException {
        for (String np : List.of("100000", "2147483647")) {
            List<String> args = new ArrayList<>(List.of("train", "-np", np, "--results", results.toString(), "--set",
                    "dataset=synthetic-lsq", "--set", "model=linear"));
            assertRefused(Cli.run(args.toArray(String[]::new)), np + " ranks is more than detrain supports (4096)");
        }
        assertRefused(train("--set", "synthetic.samples=100000000", "--set", "synthetic.features=1000"),
                "100000000 samples", "x 1000 features = 100000000000 values is more than one array holds (2147483639)");
        assertRefused(train("--set", "synthetic.features=1000000"), "1000000 is outside [1, 2048]");
        assertRefused(train("--set", "iterations=2147483648"), "2147483648 is outside [0, 2147483647]");
        Cli.Result theory = Cli.run("theory", "--n", "100000");
        assertEquals(2, theory.exitCode(), theory.all());
        assertTrue(theory.err().contains("100000 ranks is more than detrain supports (4096)"), theory.err());
        Cli.Result check = Cli.run("check", "--timeout", "-5");
        assertEquals(2, check.exitCode(), check.all());
        assertTrue(check.err().contains("--timeout must be a positive number of seconds, got -5.0"), check.err());
    }

    @Test
    void aLineBreakInsideASetValueIsRefused() throws IOException {
        assertRefused(train("--set", "lr=0.1\nmodel=mlp"), "control character (U+000A, a line break?)");
    }

    @Test
    void jvmOptionsThatDoNotStartAJvmAreRefusedUpFront() throws IOException {
        assertRefused(train("--transport", "niodev", "--jvm=-Xmx1k"), "do not start a JVM", "heap");
        assertRefused(train("--jvm=-XX:+NoSuchOption"), "do not start a JVM", "NoSuchOption");
    }

    @Test
    void encodingAndByteOrderMarksOfConfigFiles() throws IOException {
        Path dir = Files.createTempDirectory("detrain-enc");
        Path latin1 = dir.resolve("latin1.properties");
        Files.write(latin1, "# caf\u00e9\nlr = 0.1\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertRefused(train("--config", latin1.toString()), "is not UTF-8 text (first bad byte at offset 5)");
        Path bom = dir.resolve("bom.properties");
        Files.write(bom, "\uFEFFdataset = synthetic-lsq\nmodel = linear\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Cli.Result r = Cli.run("config", "--config", bom.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("dataset = synthetic-lsq"), r.out());
    }

    @Test
    void aRelativeEdgeListIsReadFromTheLaunchDirectoryAndRecordedAbsolute() throws IOException {
        Path edges = Path.of("target", "bad-input-it-edges.txt");
        Files.writeString(edges, "0 1\n1 2\n2 3\n3 0\n");
        Cli.Result r = train("--run-id", "edges", "--transport", "niodev", "--set", "topology=file", "--set",
                "topology.file=" + edges);
        assertEquals(0, r.exitCode(), r.all());
        String recorded = Files.readString(results.resolve("edges/config.properties"));
        assertTrue(recorded.contains("topology.file = " + edges.toAbsolutePath()), recorded);
        Runs.deleteTree(results.resolve("edges"));
        Files.deleteIfExists(results.resolve(".edges.lock"));
    }

    @Test
    void detrainsOwnMessageComesFirst() {
        // run as a separate process: Aparapi's native library writes to the process's own stderr
        Shell.Result r = Shell.run(Cli.home().toAbsolutePath(), java.util.Map.of(), 120, "bin/detrain", "train", "-np", "2",
                "--results", results.toString(), "--set", "device=gpu", "--set", "batch=1000000");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().startsWith("detrain: "), "detrain speaks first: " + r.output());
    }
}
