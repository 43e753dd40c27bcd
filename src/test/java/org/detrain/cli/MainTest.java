package org.detrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dispatch, exit codes, and the option checks that refuse a launch before anything starts. */
class MainTest {
    @TempDir
    Path dir;
    private String savedHome;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeEach
    void home() {
        // a checkout without MPJ or jars: every launch below must be refused before it needs them
        savedHome = System.getProperty("detrain.home");
        System.setProperty("detrain.home", dir.toString());
    }

    @AfterEach
    void restore() {
        if (savedHome == null) {
            System.clearProperty("detrain.home");
        } else {
            System.setProperty("detrain.home", savedHome);
        }
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertBadInput(Result r, String... fragments) {
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), "one message: " + r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "message should contain '" + f + "': " + r.err());
        }
    }

    private Path machines() throws IOException {
        Path f = dir.resolve("machines");
        Files.writeString(f, "node-1\nnode-2\n");
        return f;
    }

    @Test
    void usageAndUnknownCommands() {
        Result none = run();
        assertEquals(2, none.exitCode());
        assertTrue(none.out().startsWith("usage: detrain <command>"), none.out());
        assertEquals(0, run("--help").exitCode());
        assertBadInput(run("trian"), "unknown command 'trian': did you mean 'train'?", "train, check");
        assertBadInput(run("reprot"), "did you mean 'report'?");
        assertBadInput(run("frobnicate"), "unknown command 'frobnicate'; the commands are train, check");
        Result version = run("version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("detrain "), version.out());
        for (String command : List.of("train", "check", "config", "report", "theory", "daemon", "devices")) {
            Result help = run(command, "--help");
            assertEquals(0, help.exitCode(), command + ": " + help);
            assertTrue(help.out().startsWith("usage: detrain " + command), command + ": " + help.out());
        }
    }

    @Test
    void aSingleValuedOptionGivenTwiceIsRefusedNamingBothValues() {
        Path results = dir.resolve("results");
        assertBadInput(run("train", "--config", "a.properties", "--config", "b.properties", "--results", results.toString()),
                "--config is given 2 times ('a.properties', 'b.properties') but takes one value");
        assertBadInput(run("train", "-np", "2", "-np", "4", "--results", results.toString()), "-np is given 2 times ('2', '4')");
        assertBadInput(run("train", "--run-id", "a", "--run-id", "b", "--results", results.toString()), "('a', 'b')");
        assertBadInput(run("report", "x", "--out", "o1", "--out", "o2"), "--out is given 2 times");
        assertBadInput(run("theory", "--n", "4", "-np", "8"), "--n 4 and -np 8 name two rank counts");
        assertTrue(!Files.exists(results), "nothing may be written for bad input");
        // --set is repeatable, and the later value of a key wins
        Result set = run("config", "--set", "seed=1", "--set", "lr=0.5", "--set", "seed=7");
        assertEquals(0, set.exitCode(), set.toString());
        assertTrue(set.out().lines().anyMatch(l -> l.matches("seed\\s*=\\s*7")), set.out());
        assertTrue(set.out().lines().anyMatch(l -> l.matches("lr\\s*=\\s*0.5")), set.out());
    }

    @Test
    void configKeysKeepsItsColumnsAlignedWhateverTheirLength() {
        Result r = run("config", "--keys");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        String header = lines.get(0);
        assertTrue(header.startsWith("key "), header);
        for (String column : List.of("values", "default", "meaning")) {
            int at = header.indexOf(column);
            for (String line : lines) {
                if (line.length() > at) {
                    assertEquals("  ", line.substring(at - 2, at), "a cell runs into the '" + column + "' column: " + line);
                }
            }
        }
        int valuesAt = header.indexOf("values");
        int defaultAt = header.indexOf("default");
        assertTrue(defaultAt - valuesAt <= ConfigCommand.VALUES_WIDTH + 2, "long value lists wrap: " + header);
        // the long lists are all there, wrapped after a '|'
        String joined = String.join("\n", lines);
        assertTrue(joined.contains("ring|torus|complete|star|"), joined);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(" ".repeat(valuesAt)) && l.contains("erdos-renyi|file")),
                joined);
    }

    @Test
    void sweepCollectExitsNonZeroWhenNothingFinishedAndCreatesNothingForAMissingSweep() throws IOException {
        Files.writeString(dir.resolve("base.properties"), "algorithm = dpsgd\n");
        Path sweep = dir.resolve("two.sweep");
        Files.writeString(sweep, "config = base.properties\nranks = 2\naxis.seed = seed : 1 | 2\n");
        Path results = dir.resolve("results");
        // the old mistake: a name that is no sweep directory (here: a task name) is bad input, and leaves no directory
        assertBadInput(run("sweep", "collect", results.resolve("task").toString()), "does not exist");
        assertBadInput(run("sweep", "collect", "4711", "--results", results.toString()), "4711 does not exist");
        assertTrue(!Files.exists(results), "nothing created for a sweep that is not there");

        Result init = run("sweep", "init", sweep.toString(), "--results", results.toString(), "--id", "4711");
        assertEquals(0, init.exitCode(), init.toString());
        Path sweepDir = results.resolve("two-4711");
        assertEquals(sweepDir.toAbsolutePath().toString(), init.out().strip());
        Files.createDirectories(sweepDir.resolve("task-000/status"));
        Files.writeString(sweepDir.resolve("task-000/status/rank-1.failed"), "rank 1 failed: out of memory\n");
        Result collected = run("sweep", "collect", "4711", "--results", results.toString());
        assertEquals(3, collected.exitCode(), "no task finished: " + collected);
        assertTrue(collected.out().contains("collected 1 failed, 1 missing"), collected.out());
        assertTrue(collected.out().contains("2 task(s) did not finish (0,1): re-run them"), collected.out());
        assertTrue(collected.err().contains("no task of sweep " + sweepDir.toAbsolutePath() + " finished"), collected.err());
        assertTrue(Files.isRegularFile(sweepDir.resolve("summary.csv")), "the summary says so all the same");
        assertEquals("0,1", run("sweep", "unfinished", sweepDir.toString()).out().strip());
        try (Stream<Path> files = Files.list(results)) {
            assertEquals(List.of(sweepDir), files.toList(), "no stray directory");
        }
    }

    @Test
    void transportIsCheckedByName() {
        assertBadInput(run("train", "--transport", "mpi", "--results", dir.resolve("results").toString()),
                "unknown transport 'mpi'", "multicore or niodev");
        assertBadInput(run("check", "--transport", "mpi"), "unknown transport 'mpi'");
        assertBadInput(run("train", "--resume", dir.toString(), "--transport", "mpi"), "unknown transport 'mpi'");
    }

    @Test
    void aWholeNumberTooLargeForAnIntIsOutOfRangeNotMalformed() {
        assertBadInput(run("train", "-np", "2147483648"), "-np 2147483648 is out of range for a whole-number option");
        assertBadInput(run("check", "-np", "-99999999999"), "-np -99999999999 is out of range");
    }

    @Test
    void severalHostsNeedBothOptionsAndNiodev() throws IOException {
        Path results = dir.resolve("results");
        String m = machines().toString();
        assertBadInput(run("train", "--transport", "niodev", "--machines", m, "--results", results.toString()),
                "--machines and --daemon-port go together");
        assertBadInput(run("train", "--machines", m, "--daemon-port", "40055", "--results", results.toString()),
                "--machines", "needs --transport niodev");
        assertBadInput(run("check", "--transport", "multicore", "--machines", m, "--daemon-port", "40055"),
                "needs --transport niodev");
        assertBadInput(run("train", "--transport", "niodev", "--machines", m, "--daemon-port", "port"),
                "--daemon-port must be a whole number");
        assertBadInput(run("train", "--transport", "niodev", "--machines", m, "--daemon-port", "40055", "--results",
                results.toString(), "--set", "dataset=synthetic-lsq", "--set", "model=linear"),
                "the job secret", ".secret does not exist");
        assertBadInput(run("train", "--secret", m + ".secret", "--results", results.toString()),
                "--secret goes with --machines");
        assertTrue(!Files.exists(results), "nothing may be written for bad input");
    }

    @Test
    void daemonChecksItsArgumentsFirst() {
        assertBadInput(run("daemon", "--port", "40055"), "needs --port P and --allow");
        assertBadInput(run("daemon", "--port", "65536", "--allow", "localhost"), "--port must be a TCP port");
        assertBadInput(run("daemon", "--port", "40055", "--bind", "localhost", "--allow", "localhost"), "pass --secret FILE");
        assertBadInput(run("daemon", "--port", "40055", "--bind", "localhost", "--allow", "no-such-host.invalid"),
                "host 'no-such-host.invalid' does not resolve");
    }

    @Test
    void sweepArgsPrintsOneTrainArgumentPerLine() throws IOException {
        Files.writeString(dir.resolve("base.properties"), "algorithm = dpsgd\n");
        Path sweep = dir.resolve("s.sweep");
        Files.writeString(sweep, "config = base.properties\nranks = 2\naxis.seed = seed : 3 | 4\n");
        Result r = run("sweep", "args", sweep.toString(), "1");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("--config", dir.resolve("base.properties").toAbsolutePath().toString(), "--set", "seed=4"),
                r.out().lines().toList());
        assertBadInput(run("sweep", "args", sweep.toString(), "one"), "task index must be a whole number");
        assertBadInput(run("sweep", "args", sweep.toString(), "2"), "task index 2 is outside");
        assertBadInput(run("sweep", "frobnicate", sweep.toString()), "unknown sweep verb");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "sweep args writes nothing");
        }
    }
}
