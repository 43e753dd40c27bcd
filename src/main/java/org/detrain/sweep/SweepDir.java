package org.detrain.sweep;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.detrain.io.AtomicFiles;
import org.detrain.results.RunFinder;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;

/**
 * Where a sweep's runs go, the same for a local sweep and a Slurm job array:
 * <pre>
 *   results/&lt;name&gt;-&lt;id&gt;/          the sweep directory; id: the array job's id, or the local launch's date-time
 *     sweep.sweep                  the sweep as launched (its config as an absolute path)
 *     task-000/ task-001/ …        one run directory per task (task i = array index i)
 *     summary.csv, summary.h5      written by detrain sweep collect
 * </pre>
 * A sweep directory is re-entered to re-run the tasks that did not finish into it.
 */
public final class SweepDir {
    /** The sweep's own copy of its description, inside the sweep directory. */
    public static final String SPEC_FILE = "sweep.sweep";

    private final Path root;
    private final SweepSpec spec;

    private SweepDir(Path root, SweepSpec spec) {
        this.root = root;
        this.spec = spec;
    }

    /** The run id of task {@code index}: {@code task-007}. */
    public static String taskRunId(int index) {
        return RunLayout.taskRunId(index);
    }

    public Path root() {
        return root;
    }

    public SweepSpec spec() {
        return spec;
    }

    /** The run directory of task {@code index}. */
    public Path task(int index) {
        return root.resolve(taskRunId(index));
    }

    /**
     * A new sweep directory {@code <results>/<name>-<id>}: with {@code id} null, the date and time of
     * now, claimed atomically with a {@code -2}, {@code -3} … suffix when another launch of the same
     * second has it.
     */
    public static SweepDir create(SweepSpec spec, Path results, String id) {
        Path parent = results.toAbsolutePath().normalize();
        Path dir;
        try {
            Files.createDirectories(parent);
            if (id != null) {
                dir = parent.resolve(spec.name() + "-" + checkId(id));
                Files.createDirectories(dir);
            } else {
                String base = spec.name() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                dir = null;
                for (int k = 1; dir == null; k++) {
                    try {
                        dir = Files.createDirectory(parent.resolve(k == 1 ? base : base + "-" + k));
                    } catch (FileAlreadyExistsException taken) {
                        // another sweep of the same second: the next suffix
                    }
                }
            }
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create the sweep directory in " + parent + ": " + e.getMessage()
                    + "; choose a writable results directory (DETRAIN_RESULTS or --results)", e);
        }
        return enter(spec, dir);
    }

    /**
     * The sweep directory {@code dir} for {@code spec}: created if needed, {@link #SPEC_FILE} written
     * if it is not there yet (atomically: the array's tasks may all do this at once); refused when the
     * directory holds another sweep.
     */
    public static SweepDir enter(SweepSpec spec, Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        Path file = root.resolve(SPEC_FILE);
        String text = spec.canonicalText("sweep " + spec.name() + ", from " + spec.file().toAbsolutePath().normalize()
                + "\nwritten by detrain sweep when the sweep was launched; its tasks are task-NNN/ beside this file");
        if (Files.isRegularFile(file)) {
            SweepSpec there = SweepSpec.read(file);
            if (!there.canonicalText("").equals(spec.canonicalText(""))) {
                throw DetrainException.badInput(root + " holds another sweep (" + file + " differs from "
                        + spec.file() + "); give another directory, or re-run this one from its own " + SPEC_FILE);
            }
            return new SweepDir(root, there);
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create the sweep directory " + root + ": " + e.getMessage()
                    + "; choose a writable results directory", e);
        }
        AtomicFiles.writeText(file, text, AtomicFiles.BAD_INPUT);
        return new SweepDir(root, SweepSpec.read(file));
    }

    /** An existing sweep directory, read from its {@link #SPEC_FILE}. */
    public static SweepDir open(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw DetrainException.badInput("sweep directory " + dir + " does not exist; pass results/<sweep>-<id> (or"
                    + " just the id) as printed when the sweep was launched");
        }
        Path file = root.resolve(SPEC_FILE);
        if (!Files.isRegularFile(file)) {
            throw DetrainException.badInput(dir + " is not a sweep directory: it has no " + SPEC_FILE + "; pass the"
                    + " directory a sweep was launched into (results/<sweep>-<id>)");
        }
        return new SweepDir(root, SweepSpec.read(file));
    }

    /** Whether {@code dir} is a sweep directory. */
    public static boolean isSweepDir(Path dir) {
        return Files.isRegularFile(dir.resolve(SPEC_FILE));
    }

    /**
     * The sweep directory an argument names: a directory, or an id (a Slurm array job id, a local
     * sweep's date-time) that names exactly one {@code <results>/<name>-<id>} sweep directory.
     */
    public static SweepDir resolve(String arg, Path results) {
        List<Path> sweeps = RunFinder.expand(arg, results).stream().filter(SweepDir::isSweepDir).toList();
        if (sweeps.size() == 1) {
            return open(sweeps.get(0));
        }
        if (sweeps.isEmpty()) {
            Path asPath = Path.of(arg);
            if (Files.isDirectory(asPath)) {
                return open(asPath); // says why it is not one
            }
            throw DetrainException.badInput(arg + " names no sweep directory (one holding " + SPEC_FILE + ") in " + results
                    + "; pass the sweep directory printed when the sweep was launched");
        }
        throw DetrainException.badInput(arg + " names several sweeps: " + sweeps + "; pass one directory");
    }

    private static String checkId(String id) {
        if (!id.matches("[A-Za-z0-9._-]{1,100}")) {
            throw DetrainException.badInput("sweep id '" + id + "' must be letters, digits, '.', '_' or '-'");
        }
        return id;
    }
}
