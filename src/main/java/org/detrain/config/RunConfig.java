package org.detrain.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrain.util.DetrainException;
import org.detrain.util.IoErrors;

/**
 * An immutable, fully resolved run configuration: every key of {@link ConfigSchema} with its
 * canonical value (defaults filled in). Built from a properties-style file plus `key=value`
 * overrides; anything unknown, malformed or out of range is rejected with one message.
 */
public final class RunConfig {
    private final Map<String, String> values;
    private final TopologySettings topology;
    private final DataSettings data;
    private final ModelSettings model;
    private final TrainingSettings training;
    private final LoopSettings loop;

    private RunConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
        this.topology = TopologySettings.from(this);
        this.data = DataSettings.from(this);
        this.model = ModelSettings.from(this);
        this.training = TrainingSettings.from(this);
        this.loop = LoopSettings.from(this);
        checkCombinations();
    }

    /** Defaults only. */
    public static RunConfig defaults() {
        return load(null, List.of());
    }

    /**
     * Reads {@code file} (may be null: defaults only), then applies {@code overrides} ("key=value",
     * applied in order, later wins).
     */
    public static RunConfig load(Path file, List<String> overrides) {
        Map<String, String> raw = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        if (file != null) {
            readFile(file, raw, origin);
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw DetrainException.badInput("--set '" + o + "' is not key=value; write e.g. --set lr=0.05");
            }
            String key = o.substring(0, eq).trim();
            int bad = controlCharacter(o);
            if (bad >= 0) {
                char c = o.charAt(bad);
                throw DetrainException.badInput("--set '" + o.replaceAll("\\p{Cntrl}", "?") + "' holds a control character"
                        + String.format(" (U+%04X%s)", (int) c, c == '\n' || c == '\r' ? ", a line break?" : "")
                        + " at position " + bad + "; a config value is one line of text");
            }
            raw.put(key, o.substring(eq + 1));
            origin.put(key, "--set " + o);
        }
        Map<String, String> resolved = new LinkedHashMap<>();
        for (KeySpec k : ConfigSchema.KEYS) {
            resolved.put(k.name(), k.canonical(k.defaultValue(), "default"));
        }
        for (Map.Entry<String, String> e : raw.entrySet()) {
            KeySpec spec = ConfigSchema.find(e.getKey());
            if (spec == null) {
                String guess = ConfigSchema.closest(e.getKey());
                throw DetrainException.badInput("unknown config key '" + e.getKey() + "' (" + origin.get(e.getKey()) + ")"
                        + (guess != null ? "; did you mean '" + guess + "'?" : "")
                        + " Run `bin/detrain config` for the list of keys.");
            }
            resolved.put(spec.name(), spec.canonical(e.getValue(), origin.get(e.getKey())));
        }
        return new RunConfig(resolved);
    }

    /** Reads back a config written by {@link #toPropertiesText()} (the ranks do this). */
    public static RunConfig fromFile(Path file) {
        return load(file, List.of());
    }

    private static void readFile(Path file, Map<String, String> raw, Map<String, String> origin) {
        if (!Files.exists(file)) {
            if (!Files.notExists(file)) { // neither: a directory on the way may not be entered
                throw DetrainException.badInput("config file " + file + " cannot be reached (permission denied on a directory"
                        + " of its path); copy it somewhere readable, or ask its owner to open the directory");
            }
            throw DetrainException.badInput("config file " + file + " does not exist; pass an existing file to --config (see jobs/)");
        }
        List<String> lines = IoErrors.readUtf8Lines(file, "config file");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = file + ":" + (i + 1);
            if (eq <= 0) {
                throw DetrainException.badInput(where + ": '" + line + "' is not key = value; fix the line or comment it out with #");
            }
            String key = line.substring(0, eq).strip();
            int bad = controlCharacter(line);
            if (bad >= 0) {
                throw DetrainException.badInput(where + ": the line holds a control character"
                        + String.format(" (U+%04X)", (int) line.charAt(bad)) + " at column " + (bad + 1)
                        + "; write plain text");
            }
            if (raw.containsKey(key)) {
                throw DetrainException.badInput(where + ": key '" + key + "' is set twice (first at " + origin.get(key)
                        + "); keep one of them");
            }
            raw.put(key, line.substring(eq + 1).strip());
            origin.put(key, where);
        }
    }

    /** Index of the first control character (other than tab) in {@code text}, or -1. */
    private static int controlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                return i;
            }
        }
        return -1;
    }

    private void checkCombinations() {
        String model = this.model.name();
        String dataset = data.dataset();
        java.util.List<String> fitting = switch (dataset) {
            case "fashion-mnist", "cifar10" -> java.util.List.of("softmax", "mlp", "lenet");
            case "synthetic-lsq", "synthetic-hlsq" -> java.util.List.of("linear");
            case "synthetic-logreg" -> java.util.List.of("logistic");
            default -> java.util.List.of();
        };
        if (!fitting.isEmpty() && !fitting.contains(model)) {
            throw DetrainException.badInput("dataset=" + dataset + " needs model=" + String.join(" or model=", fitting)
                    + " but model=" + model + "; set model=" + fitting.get(0) + " (or pick a dataset for " + model + ")");
        }
        boolean perRank = data.generatedPerRank();
        String partition = data.partition();
        if (perRank && !partition.equals("auto") && !partition.equals("by-rank")) {
            throw DetrainException.badInput("dataset=" + dataset + " is generated rank by rank, so partition=" + partition
                    + " cannot apply; use partition=by-rank (or auto)");
        }
        if (!perRank && partition.equals("by-rank")) {
            throw DetrainException.badInput("partition=by-rank applies only to data generated per rank (synthetic-hlsq,"
                    + " synthetic-logreg); use partition=shuffled or dirichlet for dataset=" + dataset);
        }
        if ((topology.rows() == 0) != (topology.cols() == 0)) {
            throw DetrainException.badInput("set both topology.rows and topology.cols, or neither (then -np is factored)");
        }
        if (topology.name().equals("file") && topology.edgeFile().isEmpty()) {
            throw DetrainException.badInput("topology=file needs topology.file = <edge list path> (one 'i j' pair per line)");
        }
        if (data.dir().isEmpty()) {
            throw DetrainException.badInput("dataset.dir is empty; set it to the dataset's directory, or to auto (its"
                    + " directory under data/)");
        }
        decayEpochs(); // validates the list
    }

    /** The epochs of {@code lr.decay.epochs}, ascending (empty: no decay). */
    public double[] decayEpochs() {
        String text = get("lr.decay.epochs").strip();
        if (text.isEmpty()) {
            return new double[0];
        }
        String[] parts = text.split("\\s*,\\s*");
        double[] epochs = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                epochs[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw DetrainException.badInput("lr.decay.epochs = '" + text + "': '" + parts[i]
                        + "' is not a number; write e.g. lr.decay.epochs = 80, 120");
            }
            if (!(epochs[i] >= 0) || (i > 0 && epochs[i] <= epochs[i - 1])) {
                throw DetrainException.badInput("lr.decay.epochs = '" + text + "' must be non-negative and increasing;"
                        + " write e.g. lr.decay.epochs = 80, 120");
            }
        }
        return epochs;
    }

    /** The communication graph's and mixing matrix's keys, typed. */
    public TopologySettings topology() {
        return topology;
    }

    /** The data's and partition's keys, typed. */
    public DataSettings data() {
        return data;
    }

    /** The model's and compute device's keys, typed. */
    public ModelSettings model() {
        return model;
    }

    /** Seed, batch and run length, typed. */
    public TrainingSettings training() {
        return training;
    }

    /** The training loop's cadences: records, evaluations, checkpoints, final models. */
    public LoopSettings loop() {
        return loop;
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("not a config key: " + key);
        }
        return v;
    }

    public int getInt(String key) {
        return Integer.parseInt(get(key));
    }

    public long getLong(String key) {
        return Long.parseLong(get(key));
    }

    public double getDouble(String key) {
        return Double.parseDouble(get(key));
    }

    public boolean getBoolean(String key) {
        return Boolean.parseBoolean(get(key));
    }

    /** All keys in schema order with canonical values. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The resolved config as a properties file the ranks read back. */
    public String toPropertiesText() {
        StringBuilder sb = new StringBuilder("# detrain resolved configuration (every key, defaults filled in)\n");
        values.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }

    /** SHA-256 of the canonical form: equal hashes mean the same run configuration. */
    public String hash() {
        return digest(List.of());
    }

    /**
     * The keys that only say how long a run trains: a run's checkpoints serve every length of it, so a
     * finished run can be extended ({@code train --resume RUN --set epochs=N}).
     */
    public static final List<String> LENGTH_KEYS = List.of("epochs", "iterations");

    /**
     * SHA-256 of the canonical form without {@link #LENGTH_KEYS}: what a checkpoint is stamped with,
     * so that it resumes the same run with a longer budget, and nothing else.
     */
    public String resumeHash() {
        return digest(LENGTH_KEYS);
    }

    private String digest(List<String> without) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            values.forEach((k, v) -> {
                if (!without.contains(k)) {
                    md.update((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8));
                }
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunConfig other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
