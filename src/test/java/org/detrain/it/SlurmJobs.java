package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slurm's client commands for the Slurm tests, against the cluster that {@code env} names
 * (SLURM_CONF): a job's fields, the queue, and what a finished job must not leave behind.
 */
final class SlurmJobs {
    private SlurmJobs() {
    }

    private static Path home() {
        return Cli.home().toAbsolutePath();
    }

    /** One field of {@code scontrol show job} ("" when the job or field is unknown). */
    static String field(Map<String, String> env, String job, String field) {
        String text = Shell.run(home(), env, 30, "scontrol", "show", "job", "-o", job).output();
        Matcher m = Pattern.compile("\\b" + field + "=(\\S+)").matcher(text);
        return m.find() ? m.group(1) : "";
    }

    static boolean queueEmpty(Map<String, String> env) {
        return Shell.run(home(), env, 30, "squeue", "-h").output().isBlank();
    }

    /** The node names of a Slurm node list ("h[1-2,4]" → h1, h2, h4). */
    static List<String> hostnames(Map<String, String> env, String nodeList) {
        return Shell.run(home(), env, 30, "scontrol", "show", "hostnames", nodeList).ok().output().lines()
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** An empty queue, no process naming {@code results} (daemons, ranks) and no job scratch in it. */
    static void assertNothingLeft(Map<String, String> env, Path results, String why) {
        Shell.await("an empty queue (" + why + ")", 60, () -> queueEmpty(env));
        Shell.await("no daemon or rank of " + results + " left (" + why + ")", 30,
                () -> Shell.processesMentioning(results.toString()).isEmpty());
        assertNoScratch(results);
    }

    /** The job scripts' scratch directories (machines file, MPJ homes) are removed. */
    static void assertNoScratch(Path results) {
        try (var files = Files.list(results)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".slurm-")).toList(),
                    "the job's scratch (machines file, MPJ homes) is removed");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
