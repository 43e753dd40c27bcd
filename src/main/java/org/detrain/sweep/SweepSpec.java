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
    private final Path config;
    private final int ranks;
    private final List<String> fixed;
    private final List<Axis> axes;

    private SweepSpec(Path file, Path config, int ranks, List<String> fixed, List<Axis> axes) {
        this.file = file;
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
            String name = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim();
            if (name.equals("config")) {
                Path base = file.toAbsolutePath().getParent();
                config = base.resolve(value).normalize();
                if (!Files.isRegularFile(config)) {
                    throw DetrainException.badInput(where + ": config file " + config + " does not exist; the path is relative to"
                            + " the sweep file");
                }
            } else if (name.equals("ranks")) {
                try {
                    ranks = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    ranks = -1;
                }
                if (ranks < 1) {
                    throw DetrainException.badInput(where + ": ranks must be a whole number ≥ 1, got '" + value + "'");
                }
            } else if (name.startsWith("set.") && name.length() > 4) {
                fixed.add(name.substring(4) + "=" + value);
            } else if (name.startsWith("axis.") && name.length() > 5) {
                Axis axis = parseAxis(name.substring(5), value, where);
                for (String k : axis.keys()) {
                    if (!varied.add(k)) {
                        throw DetrainException.badInput(where + ": key '" + k + "' is already varied by another axis; put keys"
                                + " that vary together on one axis");
                    }
                }
                axes.add(axis);
            } else {
                throw DetrainException.badInput(where + ": unknown entry '" + name + "'; use config, ranks, set.<key> or"
                        + " axis.<name>");
            }
        }
        if (config == null || ranks == null) {
            throw DetrainException.badInput("sweep file " + file + " needs 'config = FILE' and 'ranks = N'");
        }
        SweepSpec sweep = new SweepSpec(file, config, ranks, fixed, axes);
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

    public Path file() {
        return file;
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
