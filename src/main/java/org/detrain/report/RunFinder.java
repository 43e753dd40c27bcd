package org.detrain.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.detrain.util.DetrainException;

/**
 * Finds the runs below the paths a user gives: a {@code metrics.h5} file itself, a run directory
 * ({@code results/<run-id>}), or any directory tree of runs (a sweep such as
 * {@code results/<job-id>/<task>/metrics.h5}). Every {@code metrics.h5} below a directory counts,
 * at any depth; files are returned sorted by path, each once.
 */
public final class RunFinder {
    /** The file name of a run's results. */
    public static final String METRICS_FILE = "metrics.h5";

    private RunFinder() {
    }

    /**
     * @throws DetrainException if a path does not exist, a file is not named metrics.h5, or no run is found
     */
    public static List<Path> find(List<Path> paths) {
        if (paths.isEmpty()) {
            throw DetrainException.badInput("no results given: pass a run directory (results/<run-id>) or a sweep"
                    + " directory, e.g. detrain report results/quickstart-20250101-120000");
        }
        Set<Path> found = new LinkedHashSet<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw DetrainException.badInput(p + " does not exist: pass a run directory (results/<run-id>),"
                        + " a sweep directory or a metrics.h5 file");
            }
            if (Files.isRegularFile(p)) {
                if (!p.getFileName().toString().equals(METRICS_FILE)) {
                    throw DetrainException.badInput(p + " is a file but not a " + METRICS_FILE
                            + ": pass a run directory (results/<run-id>) or its " + METRICS_FILE);
                }
                found.add(p.toAbsolutePath().normalize());
                continue;
            }
            List<Path> below = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(p, FileVisitOption.FOLLOW_LINKS)) {
                walk.filter(f -> f.getFileName() != null && f.getFileName().toString().equals(METRICS_FILE)
                        && Files.isRegularFile(f)).forEach(below::add);
            } catch (IOException | UncheckedIOException e) {
                throw DetrainException.badInput("cannot list " + p + " (" + e.getMessage() + "): check its permissions", e);
            }
            if (below.isEmpty()) {
                throw DetrainException.badInput("no " + METRICS_FILE + " below " + p + ": pass a run directory"
                        + " (results/<run-id>) or a directory that holds run directories");
            }
            below.stream().map(f -> f.toAbsolutePath().normalize()).sorted().forEach(found::add);
        }
        return List.copyOf(found);
    }
}
