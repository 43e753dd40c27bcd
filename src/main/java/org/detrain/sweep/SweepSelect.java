package org.detrain.sweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.detrain.config.RunConfig;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.results.LaunchInfo;
import org.detrain.results.MetricsSchema;
import org.detrain.results.Numbers;
import org.detrain.results.RunLayout;
import org.detrain.results.RunState;
import org.detrain.util.DetrainException;

/**
 * Tuning as Lu &amp; De Sa do it: within each group of runs that share the {@code --by} keys (an
 * algorithm, a shuffled fraction, a κ), the setting of the {@code --vary} keys (a step size, DeTAG's
 * η and R) whose runs end with the lowest value of a metric — by default the training objective
 * f(x̄) where the runs record it, else the mean training loss of the last record — averaged over the
 * setting's seeds. A setting with a diverged run loses (its value is +∞). The choices become a sweep
 * file of the final runs: the chosen settings, each with the given seeds.
 *
 * <p>Every other key must be the same in all runs (besides {@code seed} and the keys that do not change
 * what a run computes), so that a choice never silently mixes runs of different experiments.
 */
public final class SweepSelect {
    /** The series used when none is named and every run records it: the training objective f(x̄). */
    public static final String OBJECTIVE = MetricsSchema.TRAIN_OBJECTIVE.key();
    /** The fallback: each rank's mean mini-batch loss since the previous record, averaged over ranks. */
    public static final String TRAIN_LOSS = MetricsSchema.TRAIN_LOSS.key();
    /** Keys that never split runs: they do not change what a run computes. */
    static final Set<String> IGNORED_KEYS = Set.of("dataset.dir", "comm.timeout");
    static final String SEED = "seed";

    /** One run as the selection sees it. */
    record Run(Path dir, Map<String, String> config, int ranks, RunState state, double value) {
        String id() {
            return dir.getFileName().toString();
        }
    }

    /**
     * One setting of the vary keys in one group: its runs (seeds) and its score.
     *
     * @param value    mean over the finished runs of the metric's final value; +∞ if any of them diverged
     * @param diverged runs of this setting that diverged
     * @param excluded runs that did not finish (failed, missing, still running), left out of the mean
     */
    public record Candidate(Map<String, String> setting, double value, List<String> seeds, List<String> runIds,
                            int diverged, List<String> excluded) {
        boolean usable() {
            return !seeds.isEmpty();
        }
    }

    /** The choice in one group: the best candidate, the runner-up (or null), and every candidate. */
    public record Choice(Map<String, String> group, Candidate best, Candidate runnerUp, List<Candidate> candidates) {
    }

    /**
     * The outcome.
     *
     * @param metric the series compared
     * @param config the base config of the final sweep
     * @param fixed  the keys all runs share whose values differ from the base config's, as key=value
     */
    public record Selection(List<String> by, List<String> vary, String metric, List<Choice> choices, Path config,
                            int ranks, List<String> fixed, int runs, List<String> notes) {
    }

    private SweepSelect() {
    }

    /**
     * Selects the best setting per group.
     *
     * @param runDirs    run directories (those that failed before writing metrics included)
     * @param by         keys that make groups (may be empty: one group)
     * @param vary       keys whose values are the candidates (at least one)
     * @param metric     a /metrics series, or null for {@link #OBJECTIVE} where every run records it, else {@link #TRAIN_LOSS}
     * @param baseConfig the final sweep's base config, or null for the config of the sweep the runs come from
     */
    public static Selection select(List<Path> runDirs, List<String> by, List<String> vary, String metric, Path baseConfig) {
        if (vary.isEmpty()) {
            throw DetrainException.badInput("sweep select needs --vary: the keys whose best values it picks (e.g. lr)");
        }
        Set<String> overlap = new TreeSet<>(by);
        overlap.retainAll(vary);
        if (!overlap.isEmpty() || by.contains(SEED) || vary.contains(SEED)) {
            throw DetrainException.badInput("sweep select: a key goes in --by or --vary, not both, and never seed"
                    + " (seeds are averaged): " + (overlap.isEmpty() ? SEED : overlap));
        }
        if (runDirs.isEmpty()) {
            throw DetrainException.badInput("sweep select: no runs found");
        }
        List<String> notes = new ArrayList<>();
        String series = metric != null ? metric : chooseMetric(runDirs);
        if (metric == null && !series.equals(OBJECTIVE)) {
            notes.add("metric: " + TRAIN_LOSS + " (mean over ranks of the last record), as not every run records the"
                    + " training objective " + OBJECTIVE);
        }
        List<Run> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            runs.add(read(dir, series));
        }
        checkKeys(runs, by, vary);
        Set<Integer> rankCounts = new TreeSet<>();
        runs.stream().filter(r -> r.ranks() > 0).forEach(r -> rankCounts.add(r.ranks())); // < 0: failed before launch
        if (rankCounts.size() > 1) {
            throw DetrainException.badInput("sweep select: the runs have different rank counts " + rankCounts
                    + "; select among runs of one rank count at a time");
        }

        Map<Map<String, String>, Map<Map<String, String>, List<Run>>> groups = new LinkedHashMap<>();
        runs.stream().sorted(Comparator.comparing((Run r) -> sortKey(r, by)).thenComparing(r -> sortKey(r, vary))
                        .thenComparing(r -> r.dir().toString()))
                .forEach(r -> groups.computeIfAbsent(pick(r.config(), by), k -> new LinkedHashMap<>())
                        .computeIfAbsent(pick(r.config(), vary), k -> new ArrayList<>()).add(r));
        List<Choice> choices = new ArrayList<>();
        for (Map.Entry<Map<String, String>, Map<Map<String, String>, List<Run>>> g : groups.entrySet()) {
            List<Candidate> candidates = new ArrayList<>();
            g.getValue().forEach((setting, inSetting) -> candidates.add(candidate(setting, inSetting)));
            List<Candidate> ranked = candidates.stream().filter(Candidate::usable)
                    .sorted(Comparator.comparingDouble(Candidate::value)).toList(); // stable: ties keep value order
            if (ranked.isEmpty()) {
                notes.add("group " + g.getKey() + ": no run finished, so nothing is chosen there");
                continue;
            }
            if (Double.isInfinite(ranked.get(0).value())) {
                notes.add("group " + g.getKey() + ": every setting diverged; the first is written, but widen the grid"
                        + " towards smaller steps");
            }
            choices.add(new Choice(g.getKey(), ranked.get(0), ranked.size() > 1 ? ranked.get(1) : null, candidates));
        }
        if (choices.isEmpty()) {
            throw DetrainException.badInput("sweep select: no group has a finished run to choose from; collect the sweep"
                    + " (detrain sweep collect) to see what happened to its runs");
        }
        if (rankCounts.isEmpty()) {
            throw DetrainException.badInput("sweep select: none of the runs says how many ranks it had (run.properties)");
        }
        Path config = baseConfig != null ? baseConfig.toAbsolutePath().normalize() : sweepConfig(runDirs);
        RunConfig base = RunConfig.load(config, List.of());
        List<String> fixed = new ArrayList<>();
        for (Map.Entry<String, String> e : base.asMap().entrySet()) {
            String k = e.getKey();
            if (by.contains(k) || vary.contains(k) || k.equals(SEED) || IGNORED_KEYS.contains(k)) {
                continue;
            }
            String v = runs.get(0).config().get(k);
            if (v != null && !v.equals(e.getValue())) {
                fixed.add(k + "=" + v);
            }
        }
        return new Selection(List.copyOf(by), List.copyOf(vary), series, choices, config, rankCounts.iterator().next(),
                fixed, runs.size(), notes);
    }

    /** The final runs as a sweep file: the chosen settings (one tuple per group), each with every seed. */
    public static String sweepText(Selection s, List<String> seeds, Path out, String name, String provenance) {
        if (seeds.isEmpty()) {
            throw DetrainException.badInput("sweep select: --seeds names no seed");
        }
        StringBuilder b = new StringBuilder();
        provenance.lines().forEach(l -> b.append("# ").append(l).append('\n'));
        b.append("name = ").append(name).append('\n');
        b.append("config = ").append(configPath(s.config(), out)).append('\n');
        b.append("ranks = ").append(s.ranks()).append('\n');
        for (String f : s.fixed()) {
            int eq = f.indexOf('=');
            b.append("set.").append(f, 0, eq).append(" = ").append(f.substring(eq + 1)).append('\n');
        }
        List<String> keys = new ArrayList<>(s.by());
        keys.addAll(s.vary());
        b.append("axis.tuned = ").append(String.join(" ", keys)).append(" :\n");
        for (Choice c : s.choices()) {
            List<String> values = new ArrayList<>();
            s.by().forEach(k -> values.add(c.group().get(k)));
            s.vary().forEach(k -> values.add(c.best().setting().get(k)));
            b.append("    | ").append(String.join(" ", values)).append('\n');
        }
        b.append("axis.seed = ").append(SEED).append(" : ").append(String.join(" | ", seeds)).append('\n');
        return b.toString();
    }

    /**
     * The config as the sweep file names it: relative to the file when both lie in one project (their
     * common ancestor is at least two levels below the root, e.g. a checkout), else absolute.
     */
    static String configPath(Path config, Path sweepFile) {
        Path a = config.toAbsolutePath().normalize();
        Path dir = sweepFile.toAbsolutePath().normalize().getParent();
        int common = 0;
        while (common < Math.min(a.getNameCount(), dir.getNameCount()) && a.getName(common).equals(dir.getName(common))) {
            common++;
        }
        return common >= 2 ? dir.relativize(a).toString() : a.toString();
    }

    // ---------------------------------------------------------------- reading

    /** train_objective when every complete run records it, else train_loss (diverged runs lose either way). */
    private static String chooseMetric(List<Path> runDirs) {
        boolean any = false;
        for (Path dir : runDirs) {
            Path metrics = new RunLayout(dir).metrics();
            if (RunState.of(dir).outcome() != RunState.Outcome.COMPLETE) {
                continue;
            }
            any = true;
            try {
                H5Group root = Hdf5Files.read(metrics);
                if (!root.hasGroup(MetricsSchema.Group.METRICS.key())
                        || !root.getGroup(MetricsSchema.Group.METRICS.key()).hasDataset(OBJECTIVE)) {
                    return TRAIN_LOSS;
                }
            } catch (DetrainException e) {
                // an unreadable file says so when the run is read
            }
        }
        return any ? OBJECTIVE : TRAIN_LOSS;
    }

    private static Run read(Path dir, String series) {
        RunLayout layout = new RunLayout(dir);
        RunState state = RunState.of(dir);
        Map<String, String> config;
        if (Files.isRegularFile(layout.config())) {
            config = new LinkedHashMap<>(RunConfig.fromFile(layout.config()).asMap());
        } else {
            config = taskConfig(dir);
        }
        int ranks = Files.isRegularFile(layout.launch()) ? LaunchInfo.read(layout.launch()).ranks() : -1;
        double value = Double.NaN;
        if (state.outcome() == RunState.Outcome.DIVERGED) {
            value = Double.POSITIVE_INFINITY;
        } else if (state.outcome() == RunState.Outcome.COMPLETE) {
            value = finalValue(layout.metrics(), series);
            if (!Double.isFinite(value)) {
                value = Double.POSITIVE_INFINITY; // a non-finite end is a divergence, whatever the status says
            }
        }
        return new Run(dir, config, ranks, state, value);
    }

    /** The config of task NNN of the sweep directory {@code dir} lies in (a task that failed before writing its own). */
    private static Map<String, String> taskConfig(Path dir) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        String name = dir.getFileName().toString();
        if (parent != null && SweepDir.isSweepDir(parent) && name.matches("task-\\d+")) {
            SweepSpec spec = SweepDir.open(parent).spec();
            int task = Integer.parseInt(name.substring(5));
            if (task < spec.size()) {
                return new LinkedHashMap<>(RunConfig.load(spec.config(), spec.overrides(task)).asMap());
            }
        }
        throw DetrainException.badInput(dir + " has no config.properties, so its settings are unknown: select among run"
                + " directories written by detrain train");
    }

    /**
     * The last value of {@code /metrics/<series>}: of a (records) series its last entry, of a
     * (records × ranks) one the mean over ranks of its last row.
     */
    static double finalValue(Path metrics, String series) {
        H5Group m = Hdf5Files.read(metrics).getGroup(MetricsSchema.Group.METRICS.key());
        if (!m.hasDataset(series)) {
            throw DetrainException.badInput(metrics + " has no series /metrics/" + series + "; it has "
                    + m.datasetNames() + ": pass one of them as --metric");
        }
        Object v = m.getDataset(series);
        double[] last;
        if (v instanceof Object[] rows) { // records x ranks
            if (rows.length == 0) {
                return Double.NaN;
            }
            last = numbers(rows[rows.length - 1], metrics, series);
        } else {
            double[] all = numbers(v, metrics, series);
            last = all.length == 0 ? new double[0] : new double[] {all[all.length - 1]};
        }
        if (last.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double x : last) {
            sum += x; // rank order
        }
        return sum / last.length;
    }

    private static double[] numbers(Object v, Path file, String series) {
        double[] d = Numbers.of(v);
        if (d != null) {
            return d;
        }
        throw DetrainException.badInput(file + ": /metrics/" + series + " holds " + v.getClass().getSimpleName()
                + ", not numbers; pass a numeric series as --metric");
    }

    /** The base config of the sweep directory every run lies in (its sweep.sweep), or a request for --config. */
    private static Path sweepConfig(List<Path> runDirs) {
        Set<Path> sweeps = new LinkedHashSet<>();
        for (Path dir : runDirs) {
            Path parent = dir.toAbsolutePath().normalize().getParent();
            sweeps.add(parent != null && SweepDir.isSweepDir(parent) ? parent : null);
        }
        if (sweeps.size() == 1 && !sweeps.contains(null)) {
            return SweepDir.open(sweeps.iterator().next()).spec().config();
        }
        throw DetrainException.badInput("sweep select: the runs are not all tasks of one sweep directory, so the final"
                + " sweep's base config is unknown; name it with --config FILE");
    }

    // ---------------------------------------------------------------- grouping

    private static void checkKeys(List<Run> runs, List<String> by, List<String> vary) {
        Set<String> known = runs.get(0).config().keySet();
        for (String k : concat(by, vary)) {
            if (!known.contains(k)) {
                throw DetrainException.badInput("sweep select: '" + k + "' is not a config key of these runs (see"
                        + " detrain config --keys)");
            }
        }
        List<String> stray = new ArrayList<>();
        for (String k : known) {
            if (by.contains(k) || vary.contains(k) || k.equals(SEED) || IGNORED_KEYS.contains(k)) {
                continue;
            }
            if (runs.stream().map(r -> r.config().get(k)).distinct().count() > 1) {
                stray.add(k);
            }
        }
        if (!stray.isEmpty()) {
            throw DetrainException.badInput("sweep select: " + stray + " take several values among the runs but are"
                    + " neither --by nor --vary keys; add each to one of them (or select among fewer runs)");
        }
    }

    private static Candidate candidate(Map<String, String> setting, List<Run> runs) {
        List<String> seeds = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        Map<String, List<Double>> bySeed = new LinkedHashMap<>();
        int diverged = 0;
        for (Run r : runs) {
            if (!r.state().finished()) {
                excluded.add(r.id() + " (" + r.state().outcome().text() + ")");
                continue;
            }
            ids.add(r.id());
            if (r.state().outcome() == RunState.Outcome.DIVERGED || Double.isInfinite(r.value())) {
                diverged++;
            }
            bySeed.computeIfAbsent(r.config().get(SEED), k -> new ArrayList<>()).add(r.value());
        }
        // runs of one seed are one experiment: their mean first, then the mean over distinct seeds
        double sum = 0;
        for (Map.Entry<String, List<Double>> e : bySeed.entrySet()) {
            seeds.add(e.getKey());
            sum += e.getValue().stream().mapToDouble(Double::doubleValue).sum() / e.getValue().size();
        }
        double value = diverged > 0 ? Double.POSITIVE_INFINITY : seeds.isEmpty() ? Double.NaN : sum / seeds.size();
        return new Candidate(setting, value, seeds, ids, diverged, excluded);
    }

    private static Map<String, String> pick(Map<String, String> config, List<String> keys) {
        Map<String, String> out = new LinkedHashMap<>();
        keys.forEach(k -> out.put(k, config.get(k)));
        return out;
    }

    /** Numbers compare as numbers (1e-3 before 0.01), everything else as text. */
    private static String sortKey(Run r, List<String> keys) {
        StringBuilder b = new StringBuilder();
        for (String k : keys) {
            String v = r.config().get(k);
            try {
                double d = Double.parseDouble(v);
                // an order-preserving text form of a double: sign flip and fixed-width hex of the bits
                long bits = Double.doubleToLongBits(d);
                bits = bits < 0 ? ~bits : bits | Long.MIN_VALUE;
                b.append(String.format("0%016x", bits));
            } catch (NumberFormatException e) {
                b.append('1').append(v);
            }
            b.append('\u0000');
        }
        return b.toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
