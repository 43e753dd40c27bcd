package org.detrain.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.detrain.util.DetrainException;

/**
 * Finds the runs below what a user names: a {@code metrics.h5} file, a run directory
 * ({@code results/<run-id>}), a sweep directory or any directory tree of runs, a glob
 * ({@code 'results/lr-*'}, quoted or expanded by the shell), or an id: a Slurm job or array job id
 * ({@code 4711}: {@code results/<job-name>-4711}), one task of an array ({@code 4711_3}:
 * {@code results/<sweep>-4711/task-003}), or a local sweep's date-time. Ids are looked up in the
 * results directory ($DETRAIN_RESULTS, else {@code results}). Below a directory every
 * {@code metrics.h5} counts, at any depth; runs are returned sorted by path, each once.
 */
public final class RunFinder {
    /** The file name of a run's results. */
    public static final String METRICS_FILE = "metrics.h5";

    private static final Pattern ARRAY_TASK = Pattern.compile("(\\d+)_(\\d+)");

    private RunFinder() {
    }

    /**
     * The metrics files of the runs {@code paths} name.
     *
     * @param results where ids are looked up
     * @throws DetrainException if a name matches nothing, a file is not named metrics.h5, or no run is found
     */
    public static List<Path> find(List<String> paths, Path results) {
        return walk(paths, results, true);
    }

    /**
     * The run directories {@code paths} name, those without a metrics.h5 included (a run that failed
     * before its first record still has its {@code run.properties}).
     */
    public static List<Path> runDirectories(List<String> paths, Path results) {
        return walk(paths, results, false);
    }

    /** The results directory ids are looked up in: $DETRAIN_RESULTS, else {@code results}. */
    public static Path defaultResults() {
        String env = System.getenv("DETRAIN_RESULTS");
        return Path.of(env != null && !env.isBlank() ? env : "results");
    }

    private static List<Path> walk(List<String> names, Path results, boolean metricsOnly) {
        if (names.isEmpty()) {
            throw DetrainException.badInput("no results given: pass a run directory (results/<run-id>), a sweep"
                    + " directory, a glob or a Slurm job id, e.g. detrain report results/quickstart-20250101-120000");
        }
        Set<Path> found = new LinkedHashSet<>();
        for (String name : names) {
            for (Path p : expand(name, results)) {
                if (Files.isRegularFile(p)) {
                    if (!p.getFileName().toString().equals(METRICS_FILE)) {
                        throw DetrainException.badInput(p + " is a file but not a " + METRICS_FILE
                                + ": pass a run directory (results/<run-id>) or its " + METRICS_FILE);
                    }
                    found.add(metricsOnly ? p.toAbsolutePath().normalize() : p.toAbsolutePath().normalize().getParent());
                    continue;
                }
                List<Path> below = below(p, metricsOnly);
                if (below.isEmpty()) {
                    throw DetrainException.badInput("no " + METRICS_FILE + " below " + p + ": pass a run directory"
                            + " (results/<run-id>) or a directory that holds run directories");
                }
                found.addAll(below);
            }
        }
        return found.stream().sorted().toList();
    }

    /**
     * The files and directories one name stands for: itself, a glob's matches, or what an id names.
     *
     * @throws DetrainException if it stands for nothing
     */
    public static List<Path> expand(String name, Path results) {
        Path literal = Path.of(name);
        if (Files.exists(literal)) {
            return List.of(literal);
        }
        if (name.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
            List<Path> matches = glob(name);
            if (matches.isEmpty()) {
                throw DetrainException.badInput("'" + name + "' matches nothing: check the pattern (quote it, or let the"
                        + " shell expand it)");
            }
            return matches;
        }
        if (name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            List<Path> byId = byId(name, results);
            if (!byId.isEmpty()) {
                return byId;
            }
        }
        throw DetrainException.badInput(name + " does not exist" + (name.contains("/") ? "" : " and no run or sweep"
                + " directory in " + results + " has that id") + ": pass a run directory (results/<run-id>), a sweep"
                + " directory, a metrics.h5 file, a glob or a Slurm job id");
    }

    /** {@code results/<id>} or {@code results/<anything>-<id>}; {@code <A>_<i>}: task i of the sweep of array job A. */
    private static List<Path> byId(String id, Path results) {
        Matcher task = ARRAY_TASK.matcher(id);
        if (task.matches()) {
            String taskDir = RunLayout.taskRunId(Integer.parseInt(task.group(2)));
            return byId(task.group(1), results).stream().map(d -> d.resolve(taskDir)).filter(Files::isDirectory).toList();
        }
        if (!Files.isDirectory(results)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(results)) {
            return entries.filter(d -> Files.isDirectory(d) && (d.getFileName().toString().equals(id)
                    || d.getFileName().toString().endsWith("-" + id))).sorted().toList();
        } catch (IOException e) {
            throw DetrainException.badInput("cannot list " + results + " (" + e.getMessage() + "): check its permissions", e);
        }
    }

    /** The files and directories a glob matches, sorted; the pattern is relative to the working directory or absolute. */
    private static List<Path> glob(String pattern) {
        Path full = Path.of(pattern).toAbsolutePath().normalize();
        Path base = full.getRoot();
        int first = 0;
        while (first < full.getNameCount() && !hasGlob(full.getName(first).toString())) {
            base = base.resolve(full.getName(first));
            first++;
        }
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + full);
        try (Stream<Path> walk = Files.walk(base, full.getNameCount() - first)) {
            return walk.filter(matcher::matches).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw DetrainException.badInput("cannot list " + base + " (" + e.getMessage() + "): check its permissions", e);
        }
    }

    private static boolean hasGlob(String part) {
        return part.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** Every metrics.h5 below {@code dir} (or, with metricsOnly false, every run directory). */
    private static List<Path> below(Path dir, boolean metricsOnly) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            walk.filter(f -> f.getFileName() != null && Files.isRegularFile(f)
                            && (f.getFileName().toString().equals(METRICS_FILE)
                                || !metricsOnly && f.getFileName().toString().equals(new RunLayout(f.getParent())
                                        .launch().getFileName().toString())))
                    .map(f -> metricsOnly ? f : f.getParent())
                    .map(f -> f.toAbsolutePath().normalize()).forEach(out::add);
        } catch (IOException | UncheckedIOException e) {
            throw DetrainException.badInput("cannot list " + dir + " (" + e.getMessage() + "): check its permissions", e);
        }
        return out.stream().distinct().sorted().toList();
    }
}
