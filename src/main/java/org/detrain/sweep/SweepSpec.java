package org.detrain.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.detrain.config.RunConfig;
import org.detrain.util.DetrainException;
import org.detrain.util.IoErrors;

/**
 * A sweep: one base config, fixed overrides, and axes whose Cartesian product gives the runs, one
 * Slurm array task each. The file format ({@code jobs/sweeps/*.sweep}, {@code #} comments):
 * <pre>
 *   name   = heterogeneity                      # optional; default: the file's name without .sweep
 *   config = ../heterogeneity.properties       # relative to this file
 *   ranks  = 8                                  # MPJ ranks (= Slurm tasks) of every run
 *   set.epochs = 2                              # fixed override (any config key), repeatable
 *   axis.data = partition.shuffled lr : 100 5e-3 | 50 5e-5 | 0 5e-5
 *   axis.seed = seed : 1 | 2 | 3
 * </pre>
 * An axis names one or more config keys, then after {@code :} the value tuples separated by
 * {@code |}: several keys on one axis vary together (e.g. an algorithm with its tuned step size for
 * each shuffled fraction). Axes combine as a Cartesian product in file order, the first varying
 * slowest; task {@code i} (0-based, the Slurm array index) is the i-th combination. A line that
 * starts with {@code |} continues the axis above it (one tuple per line reads like a table).
 */
public final class SweepSpec {
    /** One axis: keys that vary together, and their value tuples. */
    public record Axis(String name, List<String> keys, List<List<String>> values) {
    }

    private final Path file;
    private final String name;
    private final Path config;
    private final int ranks;
    private final List<String> fixed;
    private final List<Axis> axes;

    private SweepSpec(Path file, String name, Path config, int ranks, List<String> fixed, List<Axis> axes) {
        this.file = file;
        this.name = name;
        this.config = config;
        this.ranks = ranks;
        this.fixed = List.copyOf(fixed);
        this.axes = List.copyOf(axes);
    }

    /** Reads and checks a sweep file: every task's config must be valid, or nothing is submitted. */
    public static SweepSpec read(Path file) {
        if (!Files.exists(file)) {
            throw DetrainException.badInput("sweep file " + file + " does not exist; see jobs/sweeps/ for examples");
        }
        List<String> lines = IoErrors.readUtf8Lines(file, "sweep file");
        Path config = null;
        String name = defaultName(file);
        Integer ranks = null;
        List<String> fixed = new ArrayList<>();
        List<Axis> axes = new ArrayList<>();
        Set<String> varied = new LinkedHashSet<>();
        List<String> entries = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("|")) {
                if (entries.isEmpty() || !entries.get(entries.size() - 1).startsWith("axis.")) {
                    throw DetrainException.badInput(file + " line " + (n + 1) + ": a line starting with '|' continues an"
                            + " axis, but there is no axis.<name> line above it");
                }
                entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line);
                continue;
            }
            entries.add(line);
            starts.add(n + 1);
        }
        for (int at = 0; at < entries.size(); at++) {
            String line = entries.get(at);
            String where = file + " line " + starts.get(at);
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw DetrainException.badInput(where + ": '" + line + "' is not name = value; see the format in jobs/sweeps/README.md");
            }
            String entry = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim();
            if (entry.equals("name")) {
                if (!value.matches(NAME_PATTERN)) {
                    throw DetrainException.badInput(where + ": name '" + value + "' must be letters, digits, '.', '_' or"
                            + " '-', starting with a letter or digit (it names the sweep's results directory)");
                }
                name = value;
            } else if (entry.equals("config")) {
                Path base = file.toAbsolutePath().getParent();
                config = base.resolve(value).normalize();
                if (!Files.isRegularFile(config)) {
                    throw DetrainException.badInput(where + ": config file " + config + " does not exist; the path is relative to"
                            + " the sweep file");
                }
            } else if (entry.equals("ranks")) {
                try {
                    ranks = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    ranks = -1;
                }
                if (ranks < 1) {
                    throw DetrainException.badInput(where + ": ranks must be a whole number ≥ 1, got '" + value + "'");
                }
            } else if (entry.startsWith("set.") && entry.length() > 4) {
                fixed.add(entry.substring(4) + "=" + value);
            } else if (entry.startsWith("axis.") && entry.length() > 5) {
                Axis axis = parseAxis(entry.substring(5), value, where);
                for (String k : axis.keys()) {
                    if (!varied.add(k)) {
                        throw DetrainException.badInput(where + ": key '" + k + "' is already varied by another axis; put keys"
                                + " that vary together on one axis");
                    }
                }
                axes.add(axis);
            } else {
                throw DetrainException.badInput(where + ": unknown entry '" + entry + "'; use name, config, ranks,"
                        + " set.<key> or axis.<name>");
            }
        }
        if (config == null || ranks == null) {
            throw DetrainException.badInput("sweep file " + file + " needs 'config = FILE' and 'ranks = N'");
        }
        SweepSpec sweep = new SweepSpec(file, name, config, ranks, fixed, axes);
        for (int i = 0; i < sweep.size(); i++) {
            try {
                RunConfig.load(config, sweep.overrides(i));
            } catch (DetrainException e) {
                throw DetrainException.badInput("sweep " + file + ", task " + i + " " + sweep.overrides(i) + ": "
                        + e.getMessage());
            }
        }
        return sweep;
    }

    private static Axis parseAxis(String name, String value, String where) {
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw DetrainException.badInput(where + ": axis '" + name + "' needs 'key ... : value ... | value ...'");
        }
        List<String> keys = List.of(value.substring(0, colon).trim().split("\\s+"));
        if (keys.get(0).isEmpty()) {
            throw DetrainException.badInput(where + ": axis '" + name + "' names no config key before ':'");
        }
        List<List<String>> tuples = new ArrayList<>();
        String rows = value.substring(colon + 1).trim();
        if (rows.startsWith("|")) { // the rows begin on the lines below, each starting with '|'
            rows = rows.substring(1);
        }
        for (String tuple : rows.split("\\|")) {
            List<String> vals = List.of(tuple.trim().split("\\s+"));
            if (vals.size() != keys.size() || vals.get(0).isEmpty()) {
                throw DetrainException.badInput(where + ": axis '" + name + "' has keys " + keys + " but the tuple '"
                        + tuple.trim() + "' has " + (vals.get(0).isEmpty() ? 0 : vals.size()) + " value(s)");
            }
            tuples.add(vals);
        }
        return new Axis(name, keys, tuples);
    }

    /** What names a sweep's results directory ({@code <name>-<id>}) and a run id. */
    static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}";

    /** The file's name without {@code .sweep}, made fit for a directory name. */
    private static String defaultName(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.sweep$", "").replaceAll("[^A-Za-z0-9._-]", "_");
        return base.isEmpty() || !Character.isLetterOrDigit(base.charAt(0)) ? "sweep" + base : base;
    }

    public Path file() {
        return file;
    }

    /** The sweep's name: the {@code name} entry, else the file's name without {@code .sweep}. */
    public String name() {
        return name;
    }

    /** The fixed overrides ({@code set.<key> = value}), as {@code key=value}, in file order. */
    public List<String> fixed() {
        return fixed;
    }

    /**
     * The sweep as a file of this format that does not depend on where it lies: its name, the config
     * as an absolute path, the fixed overrides and the axes, one tuple per line.
     */
    public String canonicalText(String comment) {
        StringBuilder b = new StringBuilder();
        comment.lines().forEach(l -> b.append("# ").append(l).append('\n'));
        b.append("name = ").append(name).append('\n');
        b.append("config = ").append(config).append('\n');
        b.append("ranks = ").append(ranks).append('\n');
        for (String f : fixed) {
            int eq = f.indexOf('=');
            b.append("set.").append(f, 0, eq).append(" = ").append(f.substring(eq + 1)).append('\n');
        }
        for (Axis a : axes) {
            b.append("axis.").append(a.name()).append(" = ").append(String.join(" ", a.keys())).append(" :\n");
            for (List<String> tuple : a.values()) {
                b.append("    | ").append(String.join(" ", tuple)).append('\n');
            }
        }
        return b.toString();
    }

    public Path config() {
        return config;
    }

    public int ranks() {
        return ranks;
    }

    public List<Axis> axes() {
        return axes;
    }

    /** Number of runs: the product of the axes' lengths (1 without axes). */
    public int size() {
        long n = 1;
        for (Axis a : axes) {
            n *= a.values().size();
            if (n > 100_000) {
                throw DetrainException.badInput("sweep " + file + " has more than 100000 runs; split it");
            }
        }
        return (int) n;
    }

    /** The varied keys and their values in task {@code index} (file order). */
    public Map<String, String> varied(int index) {
        if (index < 0 || index >= size()) {
            throw DetrainException.badInput("task index " + index + " is outside the sweep " + file + " (0.." + (size() - 1) + ")");
        }
        Map<String, String> out = new LinkedHashMap<>();
        int rest = index;
        int[] pick = new int[axes.size()];
        for (int a = axes.size() - 1; a >= 0; a--) { // the last axis varies fastest
            int len = axes.get(a).values().size();
            pick[a] = rest % len;
            rest /= len;
        }
        for (int a = 0; a < axes.size(); a++) {
            Axis axis = axes.get(a);
            for (int k = 0; k < axis.keys().size(); k++) {
                out.put(axis.keys().get(k), axis.values().get(pick[a]).get(k));
            }
        }
        return out;
    }

    /** The --set overrides of task {@code index}: the fixed ones, then the varied ones. */
    public List<String> overrides(int index) {
        List<String> out = new ArrayList<>(fixed);
        varied(index).forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** The {@code detrain train} arguments of task {@code index}: the config file, then each override. */
    public List<String> trainArgs(int index) {
        List<String> out = new ArrayList<>(List.of("--config", config.toString()));
        for (String o : overrides(index)) {
            out.add("--set");
            out.add(o);
        }
        return out;
    }

    /** Every varied key, in file order. */
    public List<String> variedKeys() {
        List<String> out = new ArrayList<>();
        axes.forEach(a -> out.addAll(a.keys()));
        return out;
    }
}
