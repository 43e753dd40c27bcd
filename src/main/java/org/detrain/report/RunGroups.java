package org.detrain.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.detrain.config.ConfigSchema;
import org.detrain.config.KeySpec;
import org.detrain.util.DetrainException;
import org.detrain.util.Formats;

/**
 * How a set of runs is laid out in the report, like the paper's Figures 2 and 3: one panel per value
 * of the sweep keys that vary (shuffled fraction, κ), one line per algorithm, and the runs that differ
 * only in {@code seed} averaged into one line (mean and spread).
 *
 * <p>Keys are the {@code /config} attributes plus {@link RunResult#RANKS_KEY}. Panels are split by
 * {@link #PANEL_KEYS} that vary (or the keys the user names); lines by {@code algorithm} when it
 * varies (or the keys the user names). Then every other key that still takes two values inside one
 * line (a step-size grid, DeTAG's η and R when both are swept, another rank count) is added to the
 * line keys, so that a line only ever averages runs that differ in the seed alone.
 * {@link #IGNORED_KEYS} never split anything: they do not change what a run computes.
 */
public final class RunGroups {
    /** Keys that make panels when they vary, in the order they nest. */
    public static final List<String> PANEL_KEYS = List.of("partition.shuffled", "weights.kappa");
    /** The key whose values are replicas of one experiment. */
    public static final String SEED_KEY = "seed";
    /** Keys that do not change the computation, so runs that differ only in them are replicas too. */
    public static final Set<String> IGNORED_KEYS = Set.of("dataset.dir", "comm.timeout");
    /** Order of algorithms in legends and tables (the paper's order), then others by name. */
    public static final List<String> ALGORITHM_ORDER =
            List.of("dpsgd", "d2", "dsgt", "sgp", "detag", "defacto", "allreduce");
    private static final Map<String, String> ALGORITHM_NAMES = Map.of("dpsgd", "D-PSGD", "d2", "D²", "dsgt", "DSGT",
            "sgp", "SGP", "detag", "DeTAG", "defacto", "DeFacto", "allreduce", "AllReduce-SGD");

    /**
     * One curve: the runs that differ only in their seed.
     *
     * @param identity the index of this line's key values among all lines of the report, the same in every
     *                 panel (what its colour and style follow)
     */
    public record Line(Map<String, String> key, String label, int identity, List<RunResult> runs) {
        public Line {
            key = Map.copyOf(key);
            runs = List.copyOf(runs);
        }

        /** The distinct seeds of the runs, in run order: runs of one seed are one experiment, not two. */
        public List<String> seeds() {
            return runs.stream().map(r -> r.value(SEED_KEY)).distinct().toList();
        }

        /** The runs by seed, seeds in run order. */
        public Map<String, List<RunResult>> bySeed() {
            Map<String, List<RunResult>> out = new LinkedHashMap<>();
            runs.forEach(r -> out.computeIfAbsent(r.value(SEED_KEY), k -> new ArrayList<>()).add(r));
            return out;
        }
    }

    /** One panel: the runs that share the values of the panel keys. */
    public record Panel(Map<String, String> key, String title, List<Line> lines) {
        public Panel {
            key = Map.copyOf(key);
            lines = List.copyOf(lines);
        }
    }

    private final List<String> panelKeys;
    private final List<String> lineKeys;
    private final List<Panel> panels;
    private final List<String> notes;
    private final int runCount;

    private RunGroups(List<String> panelKeys, List<String> lineKeys, List<Panel> panels, List<String> notes, int runCount) {
        this.panelKeys = List.copyOf(panelKeys);
        this.lineKeys = List.copyOf(lineKeys);
        this.panels = List.copyOf(panels);
        this.notes = List.copyOf(notes);
        this.runCount = runCount;
    }

    /**
     * Groups runs into panels and lines.
     *
     * @param panelBy keys that make panels, or null for the varying {@link #PANEL_KEYS}
     * @param lineBy  keys that make lines, or null for {@code algorithm} when it varies
     * @throws DetrainException if there are no runs, or a named key is in no run's config
     */
    public static RunGroups of(List<RunResult> runs, List<String> panelBy, List<String> lineBy) {
        if (runs.isEmpty()) {
            throw DetrainException.badInput("no runs to report on: pass run directories (results/<run-id>)");
        }
        Set<String> allKeys = new TreeSet<>();
        runs.forEach(r -> allKeys.addAll(r.config().keySet()));
        List<String> varying = new ArrayList<>();
        for (String key : ordered(allKeys)) {
            if (!key.equals(SEED_KEY) && !IGNORED_KEYS.contains(key)
                    && runs.stream().map(r -> r.value(key)).distinct().count() > 1) {
                varying.add(key);
            }
        }
        List<String> notes = new ArrayList<>();
        List<String> panelKeys = new ArrayList<>();
        if (panelBy != null) {
            panelKeys.addAll(checkKeys(panelBy, allKeys, varying, "--panel-by"));
        } else {
            PANEL_KEYS.stream().filter(varying::contains).forEach(panelKeys::add);
        }
        List<String> lineKeys = new ArrayList<>();
        if (lineBy != null) {
            checkKeys(lineBy, allKeys, varying, "--line-by").stream().filter(k -> !panelKeys.contains(k))
                    .forEach(lineKeys::add);
        } else if (varying.contains("algorithm") && !panelKeys.contains("algorithm")) {
            lineKeys.add("algorithm");
        }
        for (String key : varying) {
            if (panelKeys.contains(key) || lineKeys.contains(key)) {
                continue;
            }
            Map<String, Set<String>> valuesPerLine = new LinkedHashMap<>();
            for (RunResult r : runs) {
                valuesPerLine.computeIfAbsent(values(r, panelKeys) + "|" + values(r, lineKeys), k -> new TreeSet<>())
                        .add(r.value(key));
            }
            if (valuesPerLine.values().stream().anyMatch(s -> s.size() > 1)) {
                lineKeys.add(key);
                if (lineBy != null || lineKeys.size() > 1) {
                    notes.add("lines are also split by `" + key + "`, which varies among runs that share the other keys");
                }
            }
        }

        Comparator<RunResult> byPanel = byKeys(panelKeys);
        Comparator<RunResult> byLine = byKeys(lineKeys);
        // Colours follow the line's identity, so one algorithm keeps its colour in every panel.
        Map<String, Integer> colours = new LinkedHashMap<>();
        runs.stream().sorted(byLine).forEach(r -> colours.putIfAbsent(values(r, lineKeys), colours.size()));

        Map<String, List<RunResult>> byPanelValue = new LinkedHashMap<>();
        runs.stream().sorted(byPanel.thenComparing(byLine).thenComparing(RunGroups::bySeedThenPath))
                .forEach(r -> byPanelValue.computeIfAbsent(values(r, panelKeys), k -> new ArrayList<>()).add(r));
        List<Panel> panels = new ArrayList<>();
        for (List<RunResult> inPanel : byPanelValue.values()) {
            Map<String, List<RunResult>> byLineValue = new LinkedHashMap<>();
            inPanel.forEach(r -> byLineValue.computeIfAbsent(values(r, lineKeys), k -> new ArrayList<>()).add(r));
            List<Line> lines = new ArrayList<>();
            for (Map.Entry<String, List<RunResult>> e : byLineValue.entrySet()) {
                RunResult first = e.getValue().get(0);
                lines.add(new Line(keyMap(first, lineKeys), lineLabel(first, lineKeys), colours.get(e.getKey()), e.getValue()));
            }
            panels.add(new Panel(keyMap(inPanel.get(0), panelKeys), panelTitle(inPanel, panelKeys), lines));
        }
        for (Panel p : panels) {
            for (Line l : p.lines()) {
                if (l.runs().size() > l.seeds().size()) {
                    notes.add(l.label() + (p.title().isEmpty() ? "" : " (" + p.title() + ")") + ": " + l.runs().size()
                            + " runs of " + l.seeds().size() + " seed(s) " + l.seeds() + "; runs of one seed are averaged"
                            + " and count as one seed");
                }
            }
        }
        Map<String, List<String>> byStatus = new TreeMap<>();
        runs.stream().filter(r -> !r.status().equals("complete"))
                .forEach(r -> byStatus.computeIfAbsent(r.status(), k -> new ArrayList<>()).add(r.runId()));
        byStatus.forEach((status, ids) -> notes.add(status + ": " + String.join(", ", ids) + switch (status) {
            case "diverged" -> " (the loss stopped being finite: their curves end there";
            case "stopped" -> " (checkpointed on request; train --resume continues them: their curves end there";
            case "failed" -> " (a rank failed: see their log/; their curves end where their files end";
            default -> " (still running, or killed: their curves end where their files end";
        } + ", and a line with several seeds is cut to its shortest run)"));
        return new RunGroups(panelKeys, lineKeys, panels, notes, runs.size());
    }

    public List<String> panelKeys() {
        return panelKeys;
    }

    public List<String> lineKeys() {
        return lineKeys;
    }

    public List<Panel> panels() {
        return panels;
    }

    /** Remarks for the report: extra line keys, incomplete runs. */
    public List<String> notes() {
        return notes;
    }

    public int runCount() {
        return runCount;
    }

    /** Every line of every panel, panel by panel. */
    public List<Line> lines() {
        return panels.stream().flatMap(p -> p.lines().stream()).toList();
    }

    /** How a key's value reads in a legend, a title or a table: algorithms by their paper names. */
    public static String display(String key, String value) {
        if (key.equals("algorithm")) {
            return ALGORITHM_NAMES.getOrDefault(value, value);
        }
        return value;
    }

    // ---------------------------------------------------------------- helpers

    /** Schema order first (the order of `detrain config --keys`), then unknown keys by name. */
    private static List<String> ordered(Set<String> keys) {
        List<String> out = new ArrayList<>();
        if (keys.contains(RunResult.RANKS_KEY)) {
            out.add(RunResult.RANKS_KEY);
        }
        for (KeySpec k : ConfigSchema.KEYS) {
            if (keys.contains(k.name())) {
                out.add(k.name());
            }
        }
        keys.stream().filter(k -> !out.contains(k)).sorted().forEach(out::add);
        return out;
    }

    private static List<String> checkKeys(List<String> keys, Set<String> allKeys, List<String> varying, String option) {
        Set<String> out = new LinkedHashSet<>();
        for (String k : keys) {
            if (!allKeys.contains(k)) {
                throw DetrainException.badInput(option + " names '" + k + "', which no run's /config records: use one of "
                        + (varying.isEmpty() ? "the config keys" : "the keys that vary: " + String.join(", ", varying)));
            }
            out.add(k);
        }
        return List.copyOf(out);
    }

    private static String values(RunResult r, List<String> keys) {
        StringBuilder b = new StringBuilder();
        for (String k : keys) {
            b.append(k).append('=').append(r.value(k)).append('\u0000');
        }
        return b.toString();
    }

    private static Map<String, String> keyMap(RunResult r, List<String> keys) {
        Map<String, String> m = new TreeMap<>();
        keys.forEach(k -> m.put(k, r.value(k)));
        return m;
    }

    private static Comparator<RunResult> byKeys(List<String> keys) {
        Comparator<RunResult> c = (a, b) -> 0;
        for (String k : keys) {
            c = c.thenComparing((a, b) -> compareValues(k, a.value(k), b.value(k)));
        }
        return c;
    }

    /** Sweep keys descending (100 % shuffled first, κ = 1 first, as in the paper), other numbers ascending. */
    static int compareValues(String key, String a, String b) {
        if (key.equals("algorithm")) {
            int ia = ALGORITHM_ORDER.indexOf(a);
            int ib = ALGORITHM_ORDER.indexOf(b);
            ia = ia < 0 ? ALGORITHM_ORDER.size() : ia;
            ib = ib < 0 ? ALGORITHM_ORDER.size() : ib;
            return ia != ib ? Integer.compare(ia, ib) : a.compareTo(b);
        }
        Double da = number(a);
        Double db = number(b);
        if (da != null && db != null) {
            return PANEL_KEYS.contains(key) ? Double.compare(db, da) : Double.compare(da, db);
        }
        if (da != null || db != null) {
            return da != null ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static int bySeedThenPath(RunResult a, RunResult b) {
        int c = compareValues(SEED_KEY, a.value(SEED_KEY), b.value(SEED_KEY));
        return c != 0 ? c : a.file().compareTo(b.file());
    }

    private static Double number(String s) {
        try {
            return Double.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String lineLabel(RunResult r, List<String> keys) {
        if (keys.isEmpty()) {
            String algorithm = r.value("algorithm");
            return algorithm.equals("-") ? r.runId() : display("algorithm", algorithm);
        }
        List<String> parts = new ArrayList<>();
        for (String k : keys) {
            if (!appliesTo(k, r.value("algorithm"))) {
                continue; // "D-PSGD, detag.R=auto" says nothing about D-PSGD
            }
            parts.add(k.equals("algorithm") ? display(k, r.value(k)) : k + "=" + r.value(k));
        }
        return parts.isEmpty() ? r.runId() : String.join(", ", parts);
    }

    /** Whether config key {@code key} means anything to {@code algorithm}: an algorithm's own keys (detag.R, sgp.graph, ...) only to it. */
    static boolean appliesTo(String key, String algorithm) {
        for (String own : List.of("detag", "sgp", "defacto")) {
            if (key.startsWith(own + ".")) {
                return own.equals(algorithm);
            }
        }
        return true;
    }

    private static String panelTitle(List<RunResult> runs, List<String> keys) {
        RunResult r = runs.get(0);
        List<String> parts = new ArrayList<>();
        for (String k : keys) {
            String v = r.value(k);
            switch (k) {
                case "partition.shuffled" -> parts.add("shuffled " + v + " %");
                case "weights.kappa" -> {
                    double gap = r.spectralGap();
                    boolean sameGap = !Double.isNaN(gap) && runs.stream().allMatch(x -> x.spectralGap() == gap);
                    parts.add("κ = " + v + (sameGap ? " (1−λ = " + Formats.sig(gap, 2) + ")" : ""));
                }
                case RunResult.RANKS_KEY -> parts.add("n = " + v);
                default -> parts.add(k + " = " + display(k, v));
            }
        }
        return String.join(", ", parts);
    }
}
