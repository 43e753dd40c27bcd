package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.detrain.algo.Algorithm;
import org.detrain.algo.AlgorithmState;
import org.detrain.config.ConfigSchema;
import org.detrain.config.KeySpec;
import org.detrain.config.RunConfig;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.results.LaunchInfo;
import org.detrain.results.MetricsSchema;
import org.detrain.results.MetricsSchema.Group;
import org.detrain.results.MetricsSchema.Presence;
import org.detrain.results.MetricsSchema.Shape;
import org.detrain.results.MetricsSchema.Status;
import org.detrain.results.MetricsSchema.Type;
import org.detrain.results.RunSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer and the schema agree: every group, attribute and dataset in a metrics.h5 that
 * MetricsLog really wrote is in {@link MetricsSchema} with the type and shape it says, and every
 * schema entry whose condition holds is in the file (and none whose condition fails).
 */
class MetricsSchemaTest {
    private static final int RANKS = 3;
    private static final int RECORDS = 2;
    private static final int EVALUATIONS = 1;

    @TempDir
    Path dir;

    /** What the file was written with, to tell which entries must be there and how large they are. */
    private record Written(boolean optimum, boolean classes, boolean models, int classCount, int dim, int launches,
                           boolean diverged) {
    }

    private static RunPlan logisticPlan() {
        return RunPlan.build(RunConfig.load(null, List.of("dataset=synthetic-logreg", "model=logistic",
                "synthetic.samples=40", "synthetic.features=5", "batch=4")), RANKS);
    }

    /** An algorithm with one parameter of each kind the writer stores. */
    private static final Algorithm PROBE = new Algorithm() {
        public String name() {
            return "probe";
        }

        public void init(AlgorithmState state) {
        }

        public double step(AlgorithmState state, long t) {
            return 0;
        }

        public Map<String, Object> parameters() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("R", 4L);
            p.put("eta", 0.25);
            p.put("graph", "exponential");
            return p;
        }
    };

    private H5Group write(RunPlan plan, boolean models, Status status) {
        LaunchInfo launch = new LaunchInfo("run", RANKS, "multicore", "0", "abc", false, "then", "host", "cmd");
        MetricsLog log = new MetricsLog(plan, launch, new String[] {"h0", "h1", "h2"},
                new String[] {"java", "java", "java"}, PROBE, true);
        log.launchedAt(0);
        log.launchedAt(5);
        for (int k = 1; k <= RECORDS; k++) {
            double[] rows = new double[RANKS * MetricsSchema.RECORD_COLUMNS.size()];
            for (int r = 0; r < RANKS; r++) {
                System.arraycopy(new MetricsLog.RankRecord(k + r, 0.5, 100L * k, 4L * k, 0.1 * k, 0.2 * k).row(), 0, rows,
                        r * MetricsSchema.RECORD_COLUMNS.size(), MetricsSchema.RECORD_COLUMNS.size());
            }
            log.recordStep(10L * k, 0.5 * k, new LoopClock.Times(1.0 * k, 0.25 * k, 0.125 * k, 0.0625 * k, 0.5 * k),
                    0.01 / k, 0.3 / k, rows);
        }
        double[] evalRows = new double[RANKS * MetricsSchema.EVALUATION_COLUMNS.size()];
        for (int r = 0; r < RANKS; r++) {
            System.arraycopy(new MetricsLog.RankEvaluation(0.6 + r, 0.7, 0.5 + r).row(), 0, evalRows,
                    r * MetricsSchema.EVALUATION_COLUMNS.size(), MetricsSchema.EVALUATION_COLUMNS.size());
        }
        log.recordEval(20, 1.0, 2.5, 0.6, 0.8, 0.55, evalRows);
        int dim = plan.newModel().dim();
        if (models) {
            log.recordModels(new float[RANKS * dim], dim);
        }
        Path file = dir.resolve(status.text() + "-" + models + "-metrics.h5");
        log.write(file, status);
        return Hdf5Files.read(file);
    }

    @Test
    void everythingWrittenIsInTheSchemaAndEverythingDueIsWritten() {
        RunPlan plan = logisticPlan();
        assertTrue(plan.optimum() != null && plan.train().classCount() > 0, "the probe run must have every optional part");
        H5Group root = write(plan, true, Status.COMPLETE);
        check(root, new Written(true, true, true, plan.train().classCount(), plan.newModel().dim(), 2, false));
        assertEquals(Status.COMPLETE.text(), root.getAttribute(MetricsSchema.STATUS.key()));
        assertEquals(MetricsSchema.FORMAT_VERSION, root.getAttribute(MetricsSchema.FORMAT.key()));
    }

    /** Config values keep the type of their key, so h5py returns numbers and booleans, not text. */
    @Test
    void configValuesAreStoredWithTheirKeysTypes() {
        H5Group config = write(logisticPlan(), false, Status.RUNNING).getGroup(Group.CONFIG.key());
        assertEquals(4L, config.getAttribute("batch"));
        assertEquals(0.1, config.getAttribute("lr"));
        assertEquals(Boolean.FALSE, config.getAttribute("gradient.exact"));
        assertEquals("dpsgd", config.getAttribute("algorithm"));
        assertEquals("auto", config.getAttribute("detag.R"), "a word where a number may stand stays text");
        assertEquals("", config.getAttribute("lr.decay.epochs"));
    }

    /**
     * A diverged run: status diverged, the iteration, and the series cut to what was measured
     * before it, in metrics.h5 and as the last line of metrics.jsonl.
     */
    @Test
    void aDivergedRunKeepsTheSeriesUpToTheBlowUp() throws IOException {
        RunPlan plan = logisticPlan();
        LaunchInfo launch = new LaunchInfo("run", RANKS, "multicore", "0", "abc", false, "then", "host", "cmd");
        MetricsLog log = new MetricsLog(plan, launch, new String[] {"h0", "h1", "h2"},
                new String[] {"java", "java", "java"}, PROBE, true);
        log.launchedAt(0);
        Path h5 = dir.resolve("metrics.h5");
        Path lines = dir.resolve("metrics.jsonl");
        log.start(h5, lines);
        assertEquals(Status.RUNNING.text(), Hdf5Files.read(h5).getAttribute(MetricsSchema.STATUS.key()),
                "the file is there from the start");
        double[] rows = new double[RANKS * MetricsSchema.RECORD_COLUMNS.size()];
        for (int k = 1; k <= 3; k++) {
            java.util.Arrays.fill(rows, k == 3 ? Double.NaN : k);
            log.recordStep(10L * k, k, LoopClock.Times.ZERO, 0.5, 0.5, rows.clone());
        }
        log.recordEval(20, 2, 1, 0.5, 0.5, 0.5, new double[RANKS * MetricsSchema.EVALUATION_COLUMNS.size()]);
        log.finishDiverged(24);
        H5Group root = Hdf5Files.read(h5);
        assertEquals(Status.DIVERGED.text(), root.getAttribute(MetricsSchema.STATUS.key()));
        assertEquals(24L, root.getAttribute(MetricsSchema.DIVERGED_AT.key()));
        H5Group m = root.getGroup(Group.METRICS.key());
        assertTrue(java.util.Arrays.equals(new long[] {10, 20}, m.getDataset(MetricsSchema.ITERATION.key(), long[].class)));
        assertTrue(java.util.Arrays.equals(new long[] {20}, m.getDataset(MetricsSchema.EVAL_ITERATION.key(), long[].class)));
        List<String> text = Files.readAllLines(lines);
        assertTrue(text.get(0).startsWith("{\"kind\":\"run\",\"format\":\"" + MetricsSchema.FORMAT_VERSION + "\""), text.get(0));
        assertEquals(5, text.size(), "header, the two finite records, the evaluation before the blow-up, status: " + text);
        assertTrue(text.stream().noneMatch(l -> l.contains("NaN")), "no line past the blow-up: " + text);
        assertTrue(text.get(3).startsWith("{\"kind\":\"evaluation\",\"iteration\":20,"), text.get(3));
        assertTrue(text.get(4).startsWith("{\"kind\":\"status\",\"status\":\"diverged\",\"iteration\":20,\"diverged_at\":24,"
                + "\"wall_time\":0.0,\"training_time\":0.0,"), text.get(4));
    }

    @Test
    void optionalPartsAreLeftOutExactlyWhenTheirConditionFails() {
        RunPlan full = logisticPlan();
        // the same plan without a known optimum and without class labels (as for a softmax or MLP run on images)
        RunPlan lean = new RunPlan(full.config(), full.ranks(), full.graph(), full.mixing(), full.spectrum(), full.choices(),
                full.train(), full.test(), full.trainLabels(), full.partition(), full.iterations(), full.iterationsPerEpoch(), null);
        H5Group root = write(lean, false, Status.RUNNING);
        check(root, new Written(false, full.train().classCount() > 0, false, full.train().classCount(),
                full.newModel().dim(), 2, false));
    }

    /** The end-of-run summary reads what the writer wrote, through the schema's names. */
    @Test
    void theSummaryReadsTheWrittenFile() throws IOException {
        write(logisticPlan(), true, Status.STOPPED);
        Path file = dir.resolve("stopped-true-metrics.h5");
        RunSummary s = RunSummary.read(file, 9.0);
        assertEquals(RECORDS * 10L, s.iterations());
        assertEquals(Status.STOPPED, s.status());
        assertEquals((RECORDS + RECORDS + 1 + RECORDS + 2) / 3.0, s.trainLoss(), 1e-12); // ranks' losses k, k+1, k+2
        assertEquals(0.8, s.testAccuracy());
        assertTrue(Files.size(file) > 0);
    }

    /** The summary is read once the run has ended: a file that cannot be read back is a run failure (exit 3). */
    @Test
    void aSummaryThatCannotBeReadIsARunFailure() throws IOException {
        org.detrain.util.DetrainException missing = org.junit.jupiter.api.Assertions.assertThrows(
                org.detrain.util.DetrainException.class, () -> RunSummary.read(dir.resolve("metrics.h5"), 1.0));
        assertEquals(org.detrain.util.DetrainException.RUN_FAILED, missing.exitCode(), missing.getMessage());
        assertTrue(missing.getMessage().contains("metrics.h5"), missing.getMessage());
        Path empty = dir.resolve("empty.h5");
        Hdf5Files.writeAtomically(empty, new H5Group().attr(MetricsSchema.STATUS.key(), "running"));
        org.detrain.util.DetrainException noSeries = org.junit.jupiter.api.Assertions.assertThrows(
                org.detrain.util.DetrainException.class, () -> RunSummary.read(empty, 1.0));
        assertEquals(org.detrain.util.DetrainException.RUN_FAILED, noSeries.exitCode(), noSeries.getMessage());
    }

    private void check(H5Group root, Written w) {
        Map<String, MetricsSchema> byPath = new LinkedHashMap<>();
        for (MetricsSchema e : MetricsSchema.values()) {
            byPath.put(e.path(), e);
        }
        List<String> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();

        // groups: exactly the schema's, each present exactly when its condition holds
        Set<String> expectedGroups = new TreeSet<>();
        for (Group g : Group.values()) {
            if (g != Group.ROOT && due(g.presence(), w)) {
                expectedGroups.add(g.key());
            }
        }
        assertEquals(expectedGroups, new TreeSet<>(root.groupNames()), "groups of the file");

        for (Group g : Group.values()) {
            if (g != Group.ROOT && !root.hasGroup(g.key())) {
                continue;
            }
            H5Group group = g == Group.ROOT ? root : root.getGroup(g.key());
            if (g != Group.ROOT) {
                assertEquals(List.of(), group.groupNames(), "no nested groups in /" + g.key());
            }
            for (String name : group.attributeNames()) {
                String path = (g == Group.ROOT ? "/" : "/" + g.key()) + "@" + name;
                if (g == Group.CONFIG || (g == Group.ALGORITHM && !name.equals(MetricsSchema.ALGORITHM_NAME.key()))) {
                    continue; // open groups, checked below
                }
                check(path, byPath.get(path), group.getAttribute(name), w, problems);
                seen.add(path);
            }
            for (String name : group.datasetNames()) {
                String path = (g == Group.ROOT ? "" : "/" + g.key()) + "/" + name;
                check(path, byPath.get(path), group.getDataset(name), w, problems);
                seen.add(path);
            }
        }
        for (MetricsSchema e : MetricsSchema.values()) {
            boolean due = due(e.presence(), w);
            if (due && !seen.contains(e.path())) {
                problems.add(e.path() + " is in the schema (" + e.presence() + ") but the writer did not write it");
            } else if (!due && seen.contains(e.path())) {
                problems.add(e.path() + " is written although its condition " + e.presence() + " does not hold");
            }
        }
        // the open groups: /config holds every config key, /algorithm the algorithm's parameters
        Set<String> keys = new TreeSet<>();
        for (KeySpec k : ConfigSchema.KEYS) {
            keys.add(k.name());
        }
        assertEquals(keys, new TreeSet<>(root.getGroup(Group.CONFIG.key()).attributeNames()), "/config attributes");
        Set<String> algorithm = new TreeSet<>(PROBE.parameters().keySet());
        algorithm.add(MetricsSchema.ALGORITHM_NAME.key());
        Set<String> writtenParameters = new TreeSet<>(root.getGroup(Group.ALGORITHM.key()).attributeNames());
        writtenParameters.addAll(root.getGroup(Group.ALGORITHM.key()).datasetNames()); // 2-D parameters
        assertEquals(algorithm, writtenParameters, "/algorithm attributes and datasets");
        assertEquals(List.of(), problems);
    }

    private static boolean due(Presence p, Written w) {
        return switch (p) {
            case ALWAYS -> true;
            case WITH_OPTIMUM -> w.optimum();
            case WITH_CLASSES -> w.classes();
            case WITH_MODELS -> w.models();
            case WITH_MODELS_AND_OPTIMUM -> w.models() && w.optimum();
            case WHEN_DIVERGED -> w.diverged();
        };
    }

    private static void check(String path, MetricsSchema entry, Object value, Written w, List<String> problems) {
        if (entry == null) {
            problems.add(path + " is written but not in MetricsSchema");
            return;
        }
        Type type = typeOf(value);
        if (type != entry.type()) {
            problems.add(path + " is stored as " + type + " but the schema says " + entry.type());
        }
        List<Integer> dims = dims(value);
        List<Integer> expected = switch (entry.shape()) {
            case SCALAR -> List.of();
            case RANKS -> List.of(RANKS);
            case RECORDS -> List.of(RECORDS);
            case RECORDS_BY_RANKS -> List.of(RECORDS, RANKS);
            case EVALUATIONS -> List.of(EVALUATIONS);
            case EVALUATIONS_BY_RANKS -> List.of(EVALUATIONS, RANKS);
            case RANKS_BY_RANKS -> List.of(RANKS, RANKS);
            case RANKS_BY_CLASSES -> List.of(RANKS, w.classCount());
            case PARAMETERS -> List.of(w.dim());
            case RANKS_BY_PARAMETERS -> List.of(RANKS, w.dim());
            case LAUNCHES -> List.of(w.launches());
        };
        if (!dims.equals(expected)) {
            problems.add(path + " has shape " + dims + " but the schema says " + entry.shape() + " = " + expected);
        }
        if (entry.shape() == Shape.SCALAR && entry.kind() != MetricsSchema.Kind.ATTRIBUTE) {
            problems.add(path + ": only attributes are scalars");
        }
    }

    private static Type typeOf(Object value) {
        Class<?> c = value.getClass();
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c == String.class) {
            return Type.TEXT;
        } else if (c == Boolean.class) {
            return Type.BOOL;
        } else if (c == long.class || c == Long.class) {
            return Type.INT64;
        } else if (c == int.class || c == Integer.class) {
            return Type.INT32;
        } else if (c == float.class || c == Float.class) {
            return Type.FLOAT32;
        } else if (c == double.class || c == Double.class) {
            return Type.FLOAT64;
        }
        throw new AssertionError("unexpected stored type " + value.getClass());
    }

    private static List<Integer> dims(Object value) {
        List<Integer> dims = new ArrayList<>();
        Object v = value;
        while (v.getClass().isArray()) {
            dims.add(Array.getLength(v));
            if (Array.getLength(v) == 0) {
                break;
            }
            v = Array.get(v, 0);
        }
        return dims;
    }

    /**
     * The Python reader (python/detrain_results/schema.py) names the same /metrics series, groups and
     * status values as the schema, so a rename on one side cannot leave the other reading nothing.
     */
    @Test
    void thePythonReaderNamesTheSameSeries() throws IOException {
        String py = Files.readString(Path.of(System.getProperty("user.dir"), "python", "detrain_results", "schema.py"));
        Set<String> pythonSeries = new TreeSet<>();
        for (String table : List.of("RECORD_AXIS", "RECORD_SERIES", "RECORD_PER_RANK", "EVAL_AXIS", "EVAL_SERIES",
                "EVAL_PER_RANK")) {
            java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?ms)^" + table + " = (.*?)(?=^\\S)")
                    .matcher(py);
            assertTrue(block.find(), "schema.py lacks " + table); // the assignment, up to the next top-level line
            java.util.regex.Matcher pair = java.util.regex.Pattern.compile("\\(\"([a-z_]+)\", \"[a-z_]+\"\\)")
                    .matcher(block.group(1));
            while (pair.find()) {
                pythonSeries.add(pair.group(1));
            }
        }
        Set<String> javaSeries = new TreeSet<>();
        for (MetricsSchema e : MetricsSchema.values()) {
            if (e.group() == Group.METRICS) {
                javaSeries.add(e.key());
            }
        }
        assertEquals(javaSeries, pythonSeries, "/metrics series in MetricsSchema vs python/detrain_results/schema.py");
        for (Group g : Group.values()) {
            assertTrue(g == Group.ROOT || py.contains("_GROUP = \"" + g.key() + "\""), "schema.py lacks the group " + g.key());
        }
        for (Status st : Status.values()) {
            assertTrue(py.contains(" = \"" + st.text() + "\""), "schema.py lacks the status " + st.text());
        }
        assertTrue(py.contains("FORMAT_PREFIX = \"" + MetricsSchema.FORMAT_VERSION.substring(0,
                MetricsSchema.FORMAT_VERSION.indexOf('/') + 1) + "\""), "schema.py's format prefix");
    }

    /** README's "Results" section names every group, attribute and dataset of the schema. */
    @Test
    void theReadmeDocumentsEveryName() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("user.dir"), "README.md"));
        int from = readme.indexOf("## Results");
        int to = readme.indexOf("\n## ", from + 1);
        String section = readme.substring(from, to < 0 ? readme.length() : to);
        for (MetricsSchema e : MetricsSchema.values()) {
            assertTrue(section.contains("`" + e.key() + "`"), "README's Results section lacks `" + e.key() + "` (" + e.path()
                    + ")");
        }
        for (Group g : Group.values()) {
            assertTrue(g == Group.ROOT || section.contains("`/" + g.key() + "`"), "README lacks the group /" + g.key());
        }
        for (Status s : Status.values()) {
            assertTrue(section.contains(s.text()), "README lacks the status " + s.text());
        }
    }
}
