package org.detrain.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.detrain.comm.local.LocalWorld;
import org.detrain.config.RunConfig;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;
import org.detrain.topology.Topologies;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every algorithm and option, run for real (Algorithms.create over the in-process communicator, as
 * the runner wires it) on a random heterogeneous problem with a replayed mini-batch sequence, must
 * produce on every rank, after every one of {@value #STEPS} iterations, the iterate that an
 * independent float64 model of the whole network ({@link ReferenceNetwork}) computes from the
 * algorithm definitions.
 *
 * <p>Tolerance: |x_i − x_i^ref|_∞ ≤ 1e-5 · max(1, max_i |x_i^ref|_∞), per iteration. The
 * implementation works in float32 (unit round-off u = 2^-24 ≈ 6e-8): every update rounds each entry
 * once or a few times, and stable recurrences carry these errors along without amplifying them much,
 * so after T = 60 steps the difference stays around T·u ≈ 4e-6 of the iterate's size at worst (D²
 * integrates its rounding). Measured (-Dexact.report=1 prints each case's worst relative error):
 * 8e-8 … 1.4e-6, the largest for D². The deliberate mutants (scripts/check-mutants.sh) reach
 * 1.5e-4 (DeTAG's gradient at x̃, the subtlest) to 1.9 within the 60 steps: the tolerance sits 7x
 * above the one and 15x below the other.
 */
class ExactIterateTest {
    static final int STEPS = 60;
    static final double TOLERANCE = 1e-5;
    private static final int DIM = 5;

    /** One scenario: algorithm, graph, weights, config options, problem. */
    record Case(String label, String algorithm, Graph graph, String weights, Map<String, String> options,
                ReferenceProblem.Kind kind, long iterationsPerEpoch, long seed) {
        @Override
        public String toString() {
            return label;
        }
    }

    /** Options every case states explicitly, so that no default of the config schema is relied on. */
    private static Map<String, String> options(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("lr", "0.05");
        m.put("warmup.epochs", "0");
        m.put("warmup.lr", "1e-5");
        m.put("lr.decay.epochs", "");
        m.put("lr.decay", "0.1");
        m.put("momentum", "0");
        m.put("weight.decay", "0");
        m.put("gossip.rounds", "1");
        m.put("gossip.eta", "0");
        m.put("detag.R", "1");
        m.put("detag.eta", "0");
        m.put("detag.R.initial", "0");
        m.put("detag.R.switch", "0");
        m.put("sgp.graph", "topology");
        for (int k = 0; k < keyValues.length; k += 2) {
            m.put(keyValues[k], keyValues[k + 1]);
        }
        return m;
    }

    private static Case lsq(String label, String algorithm, Graph g, String weights, String... kv) {
        return new Case(label, algorithm, g, weights, options(kv), ReferenceProblem.Kind.LEAST_SQUARES, 10, label.hashCode());
    }

    private static Case logistic(String label, String algorithm, Graph g, String weights, String... kv) {
        return new Case(label, algorithm, g, weights, options(kv), ReferenceProblem.Kind.LOGISTIC, 10, label.hashCode());
    }

    /** Warm-up for one epoch (10 iterations), then lr, decayed at epochs 3 and 4.5. */
    private static final String[] SCHEDULE = {"warmup.epochs", "1", "warmup.lr", "0.01", "lr.decay.epochs", "3, 4.5",
            "lr.decay", "0.3"};

    private static String[] join(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        Graph ring8 = Topologies.ring(8);
        Graph torus = Topologies.torus(3, 4);
        // D-PSGD: plain, plain with R rounds (W^R), accelerated rounds, momentum + weight decay, schedule
        c.add(lsq("dpsgd ring8", "dpsgd", ring8, "metropolis"));
        c.add(lsq("dpsgd torus4x4 n16", "dpsgd", Topologies.torus(4, 4), "metropolis"));
        c.add(lsq("dpsgd n1", "dpsgd", Topologies.ring(1), "metropolis"));
        c.add(lsq("dpsgd rounds3 eta0", "dpsgd", torus, "metropolis", "gossip.rounds", "3"));
        c.add(lsq("dpsgd rounds3 eta auto", "dpsgd", torus, "metropolis", "gossip.rounds", "3", "gossip.eta", "auto"));
        c.add(lsq("dpsgd rounds1 eta0.3", "dpsgd", Topologies.ring(7), "lazy", "gossip.rounds", "1", "gossip.eta", "0.3"));
        c.add(lsq("dpsgd momentum weight decay", "dpsgd", ring8, "lazy", "momentum", "0.9", "weight.decay", "0.05",
                "lr", "0.02"));
        c.add(lsq("dpsgd warm-up step decay", "dpsgd", ring8, "metropolis", SCHEDULE));
        c.add(lsq("dpsgd momentum only", "dpsgd", torus, "metropolis", "momentum", "0.8", "lr", "0.02"));
        c.add(logistic("dpsgd logistic star", "dpsgd", Topologies.star(6), "metropolis", "lr", "0.3"));
        // D²: its first step, lazy and non-dyadic weights, a schedule, one rank
        c.add(lsq("d2 ring8 lazy", "d2", ring8, "lazy"));
        c.add(lsq("d2 torus3x3 metropolis", "d2", Topologies.torus(3, 3), "metropolis"));
        c.add(lsq("d2 warm-up step decay", "d2", Topologies.ring(7), "metropolis", SCHEDULE));
        c.add(lsq("d2 momentum weight decay", "d2", ring8, "lazy", "momentum", "0.5", "weight.decay", "0.05"));
        c.add(lsq("d2 n1", "d2", Topologies.ring(1), "metropolis"));
        // DSGT
        c.add(lsq("dsgt ring8", "dsgt", ring8, "metropolis"));
        c.add(lsq("dsgt star n9", "dsgt", Topologies.star(9), "metropolis"));
        c.add(logistic("dsgt logistic torus", "dsgt", torus, "metropolis", "lr", "0.3"));
        c.add(lsq("dsgt weight decay only", "dsgt", Topologies.ring(5), "metropolis", "weight.decay", "0.1"));
        c.add(lsq("dsgt momentum weight decay schedule", "dsgt", ring8, "lazy",
                join(SCHEDULE, "momentum", "0.5", "weight.decay", "0.05")));
        // SGP: push-sum weights that move (star, path: uneven out-degrees), the time-varying
        // exponential graph for n not a power of two, and n = 1
        c.add(lsq("sgp star n7 topology", "sgp", Topologies.star(7), "metropolis", "sgp.graph", "topology"));
        c.add(lsq("sgp path n5 topology", "sgp", Topologies.path(5), "metropolis", "sgp.graph", "topology"));
        c.add(lsq("sgp exponential n6", "sgp", Topologies.ring(6), "metropolis", "sgp.graph", "exponential"));
        c.add(lsq("sgp exponential n11", "sgp", Topologies.ring(11), "metropolis", "sgp.graph", "exponential"));
        c.add(lsq("sgp exponential n16", "sgp", Topologies.ring(16), "metropolis", "sgp.graph", "exponential"));
        c.add(lsq("sgp momentum weight decay schedule", "sgp", Topologies.star(5), "metropolis",
                join(SCHEDULE, "momentum", "0.5", "weight.decay", "0.05")));
        c.add(lsq("sgp n1", "sgp", Topologies.ring(1), "metropolis", "sgp.graph", "exponential"));
        // DeTAG: R in {1, 2, 4} x eta in {0, auto}, dynamic R, DeTAGM, schedules, logistic
        for (String r : List.of("1", "2", "4")) {
            for (String eta : List.of("0", "auto")) {
                c.add(lsq("detag R" + r + " eta " + eta, "detag", ring8, "metropolis", "detag.R", r, "detag.eta", eta));
            }
        }
        c.add(lsq("detag R3 eta0.4 torus", "detag", torus, "metropolis", "detag.R", "3", "detag.eta", "0.4"));
        c.add(lsq("detag dynamic R 1 then 3", "detag", ring8, "lazy", "detag.R", "3", "detag.R.initial", "1",
                "detag.R.switch", "2", "detag.eta", "auto"));
        c.add(lsq("detag dynamic R 2 then 4 at 2.5", "detag", torus, "metropolis", "detag.R", "4", "detag.R.initial", "2",
                "detag.R.switch", "2.5", "detag.eta", "0.2"));
        c.add(lsq("detag R.initial without a switch epoch", "detag", ring8, "metropolis", "detag.R", "3",
                "detag.R.initial", "2", "detag.R.switch", "0", "detag.eta", "0.2"));
        c.add(lsq("detagm momentum", "detag", ring8, "metropolis", "detag.R", "2", "detag.eta", "auto", "momentum", "0.6"));
        c.add(lsq("detag weight decay schedule", "detag", ring8, "metropolis",
                join(SCHEDULE, "detag.R", "2", "detag.eta", "auto", "weight.decay", "0.05")));
        c.add(logistic("detag logistic star", "detag", Topologies.star(6), "metropolis", "detag.R", "2", "detag.eta",
                "auto", "lr", "0.3"));
        c.add(lsq("detag n1", "detag", Topologies.ring(1), "metropolis", "detag.R", "2", "detag.eta", "auto"));
        // DeFacto
        c.add(lsq("defacto ring7", "defacto", Topologies.ring(7), "metropolis"));
        c.add(lsq("defacto torus3x4", "defacto", torus, "metropolis"));
        c.add(lsq("defacto star n5 momentum schedule", "defacto", Topologies.star(5), "metropolis",
                join(SCHEDULE, "momentum", "0.5", "weight.decay", "0.05")));
        c.add(lsq("defacto n1", "defacto", Topologies.ring(1), "metropolis"));
        // AllReduce
        c.add(lsq("allreduce ring5", "allreduce", Topologies.ring(5), "metropolis"));
        c.add(lsq("allreduce momentum weight decay schedule", "allreduce", Topologies.ring(16), "metropolis",
                join(SCHEDULE, "momentum", "0.9", "weight.decay", "0.05", "lr", "0.02")));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyRanksIterateMatchesTheFloat64ReferenceAfterEveryStep(Case c) {
        Run run = Run.of(c, STEPS);
        ReferenceNetwork.Trajectory ref = reference(c, run);
        compare(c, "x", run.x, ref.x);
        for (int t = 0; t < STEPS; t++) {
            for (int i = 0; i < run.n; i++) {
                assertEquals(run.oracleLoss[t][i], run.loss[t][i],
                        c + ": step " + t + " of rank " + i + " returns the loss of its latest mini-batch");
            }
        }
        if (!ref.y.isEmpty()) {
            compare(c, "y", run.y, ref.y);
        }
        if (!ref.weight.isEmpty()) {
            for (int t = 0; t < STEPS; t++) {
                for (int i = 0; i < run.n; i++) {
                    double want = ref.weight.get(t)[i];
                    assertEquals(want, run.weight[t][i], TOLERANCE * want,
                            c + ": push-sum weight of rank " + i + " after step " + t);
                }
            }
            // the evaluated model is the de-biased x / w
            List<double[][]> z = new ArrayList<>();
            for (int t = 0; t < STEPS; t++) {
                double[][] zt = new double[run.n][DIM];
                for (int i = 0; i < run.n; i++) {
                    for (int k = 0; k < DIM; k++) {
                        zt[i][k] = ref.x.get(t)[i][k] / ref.weight.get(t)[i];
                    }
                }
                z.add(zt);
            }
            compare(c, "model", run.model, z);
        }
    }

    /** The real algorithm's iterates, one float array per (step, rank). */
    static final class Run {
        final int n;
        final float[][][] x;
        final float[][][] y;
        final float[][][] model;
        final double[][] weight;
        /** What step() returned, and the loss of the rank's latest oracle call at that point. */
        final double[][] loss;
        final double[][] oracleLoss;
        final Map<String, Object> parameters = new LinkedHashMap<>();
        /** Rank 0's algorithm name and state buffer names after the run. */
        String name;
        final java.util.Set<String> buffers = new java.util.TreeSet<>();

        private Run(int n, int steps) {
            this.n = n;
            x = new float[steps][n][];
            y = new float[steps][n][];
            model = new float[steps][n][];
            weight = new double[steps][n];
            loss = new double[steps][n];
            oracleLoss = new double[steps][n];
        }

        static Run of(Case c, int steps) {
            int n = c.graph().size();
            Run run = new Run(n, steps);
            ReferenceProblem problem = new ReferenceProblem(c.kind(), n, DIM, 20, 4, c.seed());
            MixingMatrix mixing = MixingMatrix.build(c.graph(), c.weights(), 1);
            Spectrum spectrum = mixing.spectrum();
            List<String> overrides = new ArrayList<>();
            overrides.add("algorithm=" + c.algorithm());
            c.options().forEach((k, v) -> overrides.add(k + "=" + v));
            RunConfig config = RunConfig.load(null, overrides);
            float[] x0 = problem.start();
            LocalWorld.run(n, 30, comm -> {
                int rank = comm.rank();
                GradientOracle oracle = problem.oracle(rank);
                double[] lastLoss = {Double.NaN};
                GradientOracle recording = (at, grad) -> lastLoss[0] = oracle.gradient(at, grad);
                Context ctx = new Context(config, JavaVectorOps.INSTANCE, comm, mixing, spectrum, recording, DIM,
                        StepSize.from(config, c.iterationsPerEpoch()));
                AlgorithmState state = new AlgorithmState();
                System.arraycopy(x0, 0, state.buffer("x", DIM), 0, DIM);
                Algorithm algorithm = Algorithms.create(ctx, state);
                algorithm.init(state);
                if (rank == 0) {
                    run.parameters.putAll(algorithm.parameters());
                    run.name = algorithm.name();
                }
                for (int t = 0; t < steps; t++) {
                    comm.setActivity("iteration " + t);
                    run.loss[t][rank] = algorithm.step(state, t);
                    run.oracleLoss[t][rank] = lastLoss[0];
                    run.x[t][rank] = state.buffer("x").clone();
                    if (state.buffers().containsKey("y")) {
                        run.y[t][rank] = state.buffer("y").clone();
                    }
                    run.model[t][rank] = algorithm.model(state).clone();
                    if (state.scalars().containsKey(Sgp.WEIGHT)) {
                        run.weight[t][rank] = state.scalar(Sgp.WEIGHT);
                    }
                }
                if (rank == 0) {
                    run.buffers.addAll(state.buffers().keySet());
                }
            });
            return run;
        }
    }

    static ReferenceNetwork.Trajectory reference(Case c, Run run) {
        Map<String, String> o = c.options();
        ReferenceProblem problem = new ReferenceProblem(c.kind(), run.n, DIM, 20, 4, c.seed());
        String decay = o.get("lr.decay.epochs").strip();
        double[] decayEpochs = decay.isEmpty() ? new double[0]
                : Stream.of(decay.split("\\s*,\\s*")).mapToDouble(Double::parseDouble).toArray();
        double momentum = num(o, "momentum");
        ReferenceNetwork.Options options = new ReferenceNetwork.Options(num(o, "lr"), num(o, "warmup.epochs"),
                num(o, "warmup.lr"), decayEpochs, num(o, "lr.decay"), c.iterationsPerEpoch(), momentum,
                num(o, "weight.decay"));
        double[][] w = MixingMatrix.build(c.graph(), c.weights(), 1).toArray();
        // DeTAG and DeFacto apply momentum to a phase's / cycle's gradient themselves
        boolean phaseMomentum = c.algorithm().equals("detag") || c.algorithm().equals("defacto");
        ReferenceNetwork net = new ReferenceNetwork(w, DIM, problem.referenceGradients(),
                phaseMomentum ? options.with(0, options.weightDecay()) : options);
        double[] x0 = toDouble(problem.start());
        int steps = run.x.length;
        return switch (c.algorithm()) {
            case "dpsgd" -> net.dpsgd(x0, steps, (int) num(o, "gossip.rounds"), eta(o.get("gossip.eta"), run, "gossip_eta", w));
            case "d2" -> net.d2(x0, steps);
            case "dsgt" -> net.dsgt(x0, steps);
            case "sgp" -> net.sgp(x0, steps, o.get("sgp.graph").equals("exponential") ? ReferenceNetwork.exponential(run.n)
                    : (rank, t) -> c.graph().neighbours(rank));
            case "detag" -> {
                int r = (int) num(o, "detag.R");
                int initial = (int) num(o, "detag.R.initial");
                double switchEpoch = num(o, "detag.R.switch");
                long ipe = c.iterationsPerEpoch();
                double eta = eta(o.get("detag.eta"), run, "eta", w);
                double etaInitial = eta(o.get("detag.eta"), run, "eta_initial", w); // auto chooses per phase length
                yield net.detag(x0, steps, start -> initial > 0 && (double) start / ipe < switchEpoch ? initial : r,
                        length -> initial > 0 && length == initial && initial != r ? etaInitial : eta, momentum);
            }
            case "defacto" -> net.defacto(x0, steps, exactAveragingFactors(c.graph()), momentum);
            case "allreduce" -> net.allreduce(x0, steps);
            default -> throw new IllegalArgumentException(c.algorithm());
        };
    }

    /**
     * η: a number as given; "auto" is whatever the algorithm chose (it reports it), which must be the
     * spec's formula — {@link #etaAutoIsTheSpecFormulaFromLambda} checks that on its own.
     */
    private static double eta(String value, Run run, String parameter, double[][] w) {
        if (!value.equals("auto")) {
            return Double.parseDouble(value);
        }
        return ((Number) run.parameters.get(parameter)).doubleValue();
    }

    /** DeFacto's R: gather up and propagate down a breadth-first tree from rank 0, so 2·(its height), at least 1. */
    static int exactAveragingFactors(Graph g) {
        int n = g.size();
        int[] depth = new int[n];
        java.util.Arrays.fill(depth, -1);
        depth[0] = 0;
        java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>(List.of(0));
        int height = 0;
        while (!queue.isEmpty()) {
            int v = queue.poll();
            for (int u : g.neighbours(v)) {
                if (depth[u] < 0) {
                    depth[u] = depth[v] + 1;
                    height = Math.max(height, depth[u]);
                    queue.add(u);
                }
            }
        }
        return Math.max(1, 2 * height);
    }

    private static double num(Map<String, String> o, String key) {
        return Double.parseDouble(o.get(key));
    }

    static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = v[k];
        }
        return out;
    }

    /** Largest |x − ref| relative to the scale of the whole network's iterate, over all steps and ranks. */
    static double worstError(float[][][] actual, List<double[][]> reference) {
        double worst = 0;
        for (int t = 0; t < reference.size(); t++) {
            double[][] ref = reference.get(t);
            double scale = 1;
            for (double[] row : ref) {
                for (double v : row) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
            for (int i = 0; i < ref.length; i++) {
                for (int k = 0; k < ref[i].length; k++) {
                    worst = Math.max(worst, Math.abs(actual[t][i][k] - ref[i][k]) / scale);
                }
            }
        }
        return worst;
    }

    static void compare(Case c, String what, float[][][] actual, List<double[][]> reference) {
        String firstFailure = null;
        for (int t = 0; t < reference.size() && firstFailure == null; t++) {
            double[][] ref = reference.get(t);
            double scale = 1;
            for (double[] row : ref) {
                for (double v : row) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
            for (int i = 0; i < ref.length && firstFailure == null; i++) {
                for (int k = 0; k < ref[i].length; k++) {
                    double err = Math.abs(actual[t][i][k] - ref[i][k]);
                    if (!(err <= TOLERANCE * scale)) {
                        firstFailure = String.format("%s: %s of rank %d after step %d differs from the float64 reference:"
                                        + " entry %d is %s, reference %s (|diff| %.3g > %.0e x %.3g)", c, what, i, t, k,
                                actual[t][i][k], ref[i][k], err, TOLERANCE, scale);
                        break;
                    }
                }
            }
        }
        if (System.getProperty("exact.report") != null) {
            System.out.printf("exact-iterate %-40s %-5s worst relative error %.2e%n", c, what, worstError(actual, reference));
        }
        if (firstFailure != null) {
            fail(firstFailure);
        }
    }

    // ---- the options' own facts -----------------------------------------------------------------

    @Test
    void eachAlgorithmNamesItselfAndRecordsWhatItChose() {
        Graph star = Topologies.star(7);
        Map<String, Map<String, Object>> expected = new LinkedHashMap<>();
        expected.put("dpsgd", Map.of("gossip_rounds", 3L, "gossip_eta", 0.3));
        expected.put("d2", Map.of());
        expected.put("dsgt", Map.of());
        expected.put("sgp", Map.of("graph", "static star(7)"));
        expected.put("detag", Map.of("R", 4L, "R_initial", 2L, "R_switch_epoch", 1.5, "eta", 0.2, "eta_initial", 0.2,
                "momentum", 0.5));
        expected.put("defacto", Map.of("R", 2L, "tree_height", 1L, "momentum", 0.5));
        expected.put("allreduce", Map.of());
        for (Map.Entry<String, Map<String, Object>> e : expected.entrySet()) {
            Run run = Run.of(lsq(e.getKey(), e.getKey(), star, "metropolis", "gossip.rounds", "3", "gossip.eta", "0.3",
                    "detag.R", "4", "detag.R.initial", "2", "detag.R.switch", "1.5", "detag.eta", "0.2",
                    "momentum", e.getKey().equals("detag") || e.getKey().equals("defacto") ? "0.5" : "0"), 1);
            assertEquals(e.getKey(), run.name);
            java.util.Set<String> keys = new java.util.HashSet<>(e.getValue().keySet());
            if (e.getKey().equals("detag")) { // the phase analysis of DetagSettings, tested in DetagSettingsTest
                keys.addAll(List.of("gossip_contraction", "step_bound_alpha_L"));
            }
            if (e.getKey().equals("sgp")) { // the graph push-sum mixes on, tested in PushSumGraphTest
                keys.addAll(List.of("period", "mixing_rate"));
            }
            if (e.getKey().equals("defacto")) {
                keys.add("tree_parent");
            }
            assertEquals(keys, run.parameters.keySet(), e.getKey());
            for (Map.Entry<String, Object> p : e.getValue().entrySet()) {
                Object got = run.parameters.get(p.getKey());
                if (p.getValue() instanceof Double want) {
                    assertEquals(want, ((Number) got).doubleValue(), 1e-7, e.getKey() + " " + p.getKey());
                } else {
                    assertEquals(p.getValue(), got, e.getKey() + " " + p.getKey());
                }
            }
        }
        Run exponential = Run.of(lsq("sgp", "sgp", Topologies.ring(11), "metropolis", "sgp.graph", "exponential"), 1);
        assertEquals("one-peer exponential, 4 hop lengths", exponential.parameters.get("graph"));
        Run plain = Run.of(lsq("detag", "detag", star, "metropolis", "detag.R", "3", "detag.eta", "0",
                "detag.R.switch", "2"), 1);
        assertEquals(3L, plain.parameters.get("R_initial"), "no dynamic phase length: R throughout");
        assertEquals(0.0, plain.parameters.get("R_switch_epoch"));
    }

    @Test
    void aMomentumBufferExistsExactlyWhenMomentumIsOn() {
        // the state is what a checkpoint holds: nothing in it that the run does not use
        for (String algorithm : List.of("dpsgd", "d2", "dsgt", "sgp", "detag", "defacto", "allreduce")) {
            for (String beta : List.of("0", "0.5")) {
                Run run = Run.of(lsq(algorithm, algorithm, Topologies.ring(4), "lazy", "momentum", beta,
                        "weight.decay", "0.01"), 1);
                assertEquals(!beta.equals("0"), run.buffers.contains("momentum"), algorithm + " with momentum " + beta
                        + ": " + run.buffers);
            }
        }
    }

    @Test
    void etaAutoIsTheSpecFormulaFromLambda() {
        // Where theory's η = (1 − √(1 − λ²)) / (1 + √(1 − λ²)) keeps every eigenmode at least as stable as the
        // consensus (DeTAG) or contracts best (D-PSGD), auto takes it: λ computed here with EJML directly.
        for (Case c : List.of(lsq("ring8", "detag", Topologies.ring(8), "metropolis", "detag.eta", "auto", "detag.R", "2"),
                lsq("torus", "dpsgd", Topologies.torus(3, 4), "metropolis", "gossip.eta", "auto", "gossip.rounds", "2"))) {
            Run run = Run.of(c, 1);
            double lambda = secondLargestModulus(MixingMatrix.build(c.graph(), c.weights(), 1).toArray());
            double s = Math.sqrt(1 - lambda * lambda);
            double eta = ((Number) run.parameters.get(c.algorithm().equals("detag") ? "eta" : "gossip_eta")).doubleValue();
            assertEquals((1 - s) / (1 + s), eta, 1e-7, c.toString());
            assertTrue(eta > 0.1, "a ring's and a torus's λ give a clearly nonzero η: " + eta);
        }
        // Where it does not (a 16-ring with weights 1/3, R = 2: theory's η = 0.52 leaves the mode of eigenvalue −1/3
        // with multiplier −0.57 per phase), auto takes a smaller η whose every multiplier is at least √3 − 2,
        // checked here by running the two-round recurrence on every eigenvalue.
        Case ring16 = lsq("ring16", "detag", Topologies.ring(16), "metropolis", "detag.eta", "auto", "detag.R", "2");
        double eta = ((Number) Run.of(ring16, 1).parameters.get("eta")).doubleValue();
        double[] mus = eigenvalues(MixingMatrix.build(ring16.graph(), "metropolis", 1).toArray());
        double lambda = Math.max(Math.abs(mus[0]), Math.abs(mus[mus.length - 2]));
        double theory = (1 - Math.sqrt(1 - lambda * lambda)) / (1 + Math.sqrt(1 - lambda * lambda));
        assertTrue(eta > 0 && eta < theory, "auto " + eta + " below theory's " + theory);
        assertTrue(twoRoundMin(mus, theory) < Math.sqrt(3) - 2, "theory's eta leaves a harmful mode");
        assertTrue(twoRoundMin(mus, eta) >= Math.sqrt(3) - 2 - 1e-12, "auto's eta does not");
    }

    /** The smallest two-round accelerated-gossip multiplier over the non-consensus eigenvalues (ascending, last is 1). */
    private static double twoRoundMin(double[] ascending, double eta) {
        double min = Double.POSITIVE_INFINITY;
        for (int k = 0; k < ascending.length - 1; k++) {
            double mu = ascending[k];
            double p1 = (1 + eta) * mu - eta;
            min = Math.min(min, (1 + eta) * mu * p1 - eta);
        }
        return min;
    }

    private static double[] eigenvalues(double[][] w) {
        int n = w.length;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        assertTrue(eig.decompose(new DMatrixRMaj(w)));
        double[] values = new double[n];
        for (int k = 0; k < n; k++) {
            values[k] = eig.getEigenvalue(k).real;
        }
        java.util.Arrays.sort(values);
        return values;
    }

    private static double secondLargestModulus(double[][] w) {
        int n = w.length;
        DMatrixRMaj m = new DMatrixRMaj(w);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        assertTrue(eig.decompose(m));
        double[] values = new double[n];
        for (int k = 0; k < n; k++) {
            values[k] = eig.getEigenvalue(k).real;
        }
        java.util.Arrays.sort(values);
        return Math.max(Math.abs(values[0]), Math.abs(values[n - 2]));
    }
}
