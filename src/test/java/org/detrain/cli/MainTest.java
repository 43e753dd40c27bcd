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
        assertBadInput(run("trian"), "unknown command 'trian'", "train, check");
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
    void transportIsCheckedByName() {
        assertBadInput(run("train", "--transport", "mpi", "--results", dir.resolve("results").toString()),
                "unknown transport 'mpi'", "multicore or niodev");
        assertBadInput(run("check", "--transport", "mpi"), "unknown transport 'mpi'");
        assertBadInput(run("train", "--resume", dir.toString(), "--transport", "mpi"), "unknown transport 'mpi'");
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
