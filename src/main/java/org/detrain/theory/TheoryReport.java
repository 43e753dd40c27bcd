package org.detrain.theory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.detrain.algo.Algorithms;
import org.detrain.algo.DetagSettings;
import org.detrain.config.RunConfig;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;
import org.detrain.util.Formats;
import org.detrain.util.Rng;

/**
 * {@code detrain theory}: what the theory predicts for one topology and mixing matrix before any run:
 * λ, the spectral gap and the diameter; the accelerated-gossip η; DeTAG's recommended phase length R;
 * the contraction of R accelerated vs plain gossip steps, simulated from a seeded random start and
 * bounded over every start; and the complexity table of docs/algorithms.md for the graph.
 */
public final class TheoryReport {
    /** Simulations stop after about this many multiply-adds (n² per round), so huge inputs stay quick. */
    static final long SIMULATION_BUDGET = 400_000_000L;

    /**
     * What to analyse.
     *
     * @param topology   a name {@link Topologies#build} knows (ring, torus, ...)
     * @param n          ranks
     * @param rows       torus rows (0: factor n), passed through to {@link Topologies#build}
     * @param cols       torus columns
     * @param weights    a name {@link MixingMatrix#build} knows
     * @param kappa      κ-slack in (0, 1]
     * @param eta        accelerated-gossip η, or null for the theory's value from λ
     * @param rounds     gossip rounds R to simulate, or null for DeTAG's recommended R
     * @param iterations T for the second term of the recommended R, or null to use ½·ln n alone
     * @param seed       seed of the random start of the simulation
     * @param constants  Δ, L, σ, ς, ς0, B, ε for the complexity table
     * @param edgeProbability erdos-renyi edge probability ({@code topology.p})
     * @param graphSeed  seed of a random graph (the run config's {@code seed})
     * @param edgeFile   edge list for topology "file", or null
     */
    public record Options(String topology, int n, int rows, int cols, String weights, double kappa, Double eta,
                          Integer rounds, Long iterations, long seed, Complexity.Constants constants,
                          double edgeProbability, long graphSeed, java.nio.file.Path edgeFile) {
        public Options(String topology, int n, int rows, int cols, String weights, double kappa, Double eta,
                       Integer rounds, Long iterations, long seed, Complexity.Constants constants) {
            this(topology, n, rows, cols, weights, kappa, eta, rounds, iterations, seed, constants, 0.5, 1, null);
        }
    }

    /**
     * The analysis.
     *
     * @param shownRounds  the R values of the contraction table (ascending, ending at {@code rounds})
     * @param plain        simulated ‖z^R − z̄‖/‖z^0 − z̄‖ of plain gossip, per shown R
     * @param accelerated  the same for accelerated gossip with η
     * @param bound        (1 − √(1 − λ))^R per shown R
     * @param plainWorst   worst start for plain gossip (= λ^R), per shown R
     * @param acceleratedWorst worst start for accelerated gossip, per shown R
     * @param simulated    rounds actually simulated (less than {@code rounds} only for very large n·R)
     */
    public record Result(Options options, Graph graph, MixingMatrix mixing, Spectrum spectrum, int diameter,
                         double eta, double recommendedR, int rounds, int[] shownRounds, double[] plain,
                         double[] accelerated, double[] bound, double[] plainWorst, double[] acceleratedWorst,
                         int simulated, List<Complexity.Row> complexity, DetagSettings detagAuto,
                         DetagSettings detagTheory) {
        public double lambda() {
            return spectrum.lambda();
        }

        public double spectralGap() {
            return spectrum.spectralGap();
        }
    }

    private TheoryReport() {
    }

    /**
     * @throws DetrainException for an unknown topology or weights, a bad shape, κ, η, R or constant
     */
    public static Result analyse(Options o) {
        Graph graph = Topologies.build(new Topologies.Spec(o.topology(), o.n(), o.rows(), o.cols(), o.edgeProbability(),
                o.graphSeed(), o.edgeFile()));
        MixingMatrix w = MixingMatrix.build(graph, o.weights(), o.kappa());
        w.validate(true);
        Spectrum spectrum = w.spectrum();
        double lambda = Math.min(1.0, Math.max(0.0, spectrum.lambda()));
        int diameter = graph.diameter();

        double eta;
        if (o.eta() != null) {
            if (!(o.eta() >= 0 && o.eta() < 1)) {
                throw DetrainException.badInput("--eta " + o.eta() + " is outside [0, 1): give a momentum in [0, 1)"
                        + " (0 is plain gossip), or leave it out for the theory's value from λ");
            }
            eta = o.eta();
        } else {
            eta = AcceleratedGossip.recommendedEta(lambda);
        }
        Complexity.Constants c = o.constants();
        double logArgument = Double.NaN;
        if (o.iterations() != null) {
            if (o.iterations() < 1) {
                throw DetrainException.badInput("--iterations " + o.iterations() + " must be at least 1 (T, the training length)");
            }
            logArgument = c.varsigma0() * c.varsigma0() * o.iterations() / (c.delta() * c.smoothness());
        }
        double recommended = GossipTheory.recommendedPhaseLength(graph.size(), lambda, logArgument);
        int rounds;
        if (o.rounds() != null) {
            if (o.rounds() < 1) {
                throw DetrainException.badInput("--rounds " + o.rounds() + " must be at least 1");
            }
            rounds = o.rounds();
        } else {
            rounds = GossipTheory.phaseRounds(recommended);
        }

        int n = graph.size();
        long perRound = Math.max(1L, (long) n * n);
        int simulated = (int) Math.max(1, Math.min(rounds, SIMULATION_BUDGET / perRound));
        double[][] dense = w.toArray();
        double[] z0 = new double[n];
        Rng rng = Rng.of(o.seed(), "theory-start", 0);
        for (int i = 0; i < n; i++) {
            z0[i] = rng.nextGaussian();
        }
        double[] plainAll = GossipTheory.contraction(dense, 0, simulated, z0);
        double[] accAll = GossipTheory.contraction(dense, eta, simulated, z0);
        int[] shown = shownRounds(rounds);
        double[] plain = new double[shown.length];
        double[] acc = new double[shown.length];
        double[] bound = new double[shown.length];
        double[] plainWorst = new double[shown.length];
        double[] accWorst = new double[shown.length];
        double[] eigen = spectrum.eigenvalues();
        for (int k = 0; k < shown.length; k++) {
            int r = shown[k];
            plain[k] = r <= simulated ? plainAll[r] : Double.NaN;
            acc[k] = r <= simulated ? accAll[r] : Double.NaN;
            bound[k] = GossipTheory.bound(lambda, r);
            plainWorst[k] = GossipTheory.worstCase(eigen, 0, r);
            accWorst[k] = GossipTheory.worstCase(eigen, eta, r);
        }
        List<Complexity.Row> table = Complexity.evaluate(c, n, lambda, diameter);
        // what a DeTAG run on this W picks: the defaults (R = auto, η = auto) and R = theory
        DetagSettings detagAuto = DetagSettings.resolve(RunConfig.load(null, List.of("algorithm=detag")), spectrum);
        DetagSettings detagTheory = DetagSettings.resolve(RunConfig.load(null, List.of("algorithm=detag",
                "detag.R=theory")), spectrum);
        return new Result(o, graph, w, spectrum, diameter, eta, recommended, rounds, shown, plain, acc, bound,
                plainWorst, accWorst, simulated, table, detagAuto, detagTheory);
    }

    private static void detagLine(StringBuilder b, String what, DetagSettings d) {
        line(b, what, String.format(Locale.ROOT, "R = %d, η = %s, contraction %s, step bound lr·L < %s", d.rounds(),
                Formats.sig(d.eta(), 4), Formats.sig(d.contraction(), 4), Formats.sig(Math.min(1, d.stepBound()), 3)));
    }

    /** 1, 2, 4, … below R, then R itself. */
    static int[] shownRounds(int rounds) {
        TreeSet<Integer> set = new TreeSet<>();
        for (long r = 1; r < rounds; r *= 2) {
            set.add((int) r);
        }
        set.add(rounds);
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The analysis as text for the terminal. */
    public static String format(Result r) {
        Options o = r.options();
        StringBuilder b = new StringBuilder();
        Graph g = r.graph();
        b.append("theory for ").append(g.name()).append(", weights ").append(r.mixing().weights())
                .append(o.kappa() == 1.0 ? "" : ", κ = " + Formats.sig(o.kappa(), 6)).append('\n');
        b.append("\ngraph\n");
        line(b, "ranks n", Integer.toString(g.size()));
        line(b, "edges", g.edgeCount() + " (degree " + (g.isRegular() ? Integer.toString(g.maxDegree())
                : g.minDegree() + ".." + g.maxDegree()) + ")");
        line(b, "diameter D", Integer.toString(r.diameter()));
        b.append("\nmixing matrix W\n");
        Spectrum s = r.spectrum();
        line(b, "λ₂", Formats.sig(s.lambda2(), 8));
        line(b, "λₙ (smallest)", Formats.sig(s.lambdaMin(), 8)
                + (Algorithms.d2CanRun(s) ? "   (> −1/3: D² can run)" : "   (≤ −1/3: D² refuses this W; use weights=lazy)"));
        line(b, "λ = max(|λ₂|, |λₙ|)", Formats.sig(r.lambda(), 8));
        line(b, "spectral gap 1 − λ", Formats.sig(r.spectralGap(), 4));
        b.append("\naccelerated gossip (JMLR Alg. 3)\n");
        line(b, o.eta() == null ? "η = (1 − √(1−λ²)) / (1 + √(1−λ²))" : "η (given)", Formats.sig(r.eta(), 6));
        b.append("\nDeTAG phase length (Corollary 6)\n");
        String formula = o.iterations() == null ? "R = ½·ln n / √(1 − λ)" : "R = max(½·ln n, ½·ln(ς0²T/(ΔL))) / √(1 − λ)";
        line(b, formula, Formats.sig(r.recommendedR(), 4) + " → " + GossipTheory.phaseRounds(r.recommendedR()) + " rounds"
                + (o.iterations() == null ? "   (pass --iterations T for the ς0²T/(ΔL) term)" : ""));
        b.append("\nwhat a DeTAG run on this W picks (docs/algorithms.md, \"DeTAG's settings\")\n");
        detagLine(b, "detag.R=auto, detag.eta=auto (defaults)", r.detagAuto());
        detagLine(b, "detag.R=theory, detag.eta=auto", r.detagTheory());
        b.append("  (contraction: max |p_R(μ)| over W's non-consensus eigenvalues per phase; step bound: the largest lr·L"
                + " for which no eigenmode is less stable than the consensus, whose own bound is 1)\n");
        b.append("\ngossip contraction ‖zᴿ − z̄‖ / ‖z⁰ − z̄‖ after R rounds\n");
        b.append("  simulated: double precision on the dense W from a random start (seed ").append(o.seed())
                .append("); worst start: the largest factor over W's eigenvectors\n");
        if (r.simulated() < r.rounds()) {
            b.append("  (simulated only the first ").append(r.simulated()).append(" rounds: n²·R is too large)\n");
        }
        b.append(String.format(Locale.ROOT, "  %6s  %12s  %12s  %14s  %14s  %14s%n", "R", "plain", "accelerated",
                "(1−√(1−λ))^R", "plain worst λ^R", "acc. worst"));
        boolean expands = false;
        for (int k = 0; k < r.shownRounds().length; k++) {
            expands |= r.acceleratedWorst()[k] >= 1;
            b.append(String.format(Locale.ROOT, "  %6d  %12s  %12s  %14s  %14s  %14s%n", r.shownRounds()[k],
                    ratio(r.plain()[k]), ratio(r.accelerated()[k]), ratio(r.bound()[k]), ratio(r.plainWorst()[k]),
                    ratio(r.acceleratedWorst()[k]) + (r.acceleratedWorst()[k] >= 1 ? " (!)" : "")));
        }
        if (expands) {
            b.append("  (!) with this η some eigenmode grows: such (R, η) diverge at any step size, and a run refuses"
                    + " them (detag.eta=auto / gossip.eta=auto pick an η that contracts)\n");
        }
        Complexity.Constants c = o.constants();
        b.append("\ncomplexity: iterations to E‖∇f(x̂)‖ ≤ ε, up to constant factors (docs/algorithms.md)\n");
        b.append("  Δ = ").append(Formats.sig(c.delta(), 4)).append(", L = ").append(Formats.sig(c.smoothness(), 4))
                .append(", σ = ").append(Formats.sig(c.sigma(), 4)).append(", ς = ").append(Formats.sig(c.varsigma(), 4))
                .append(", ς0 = ").append(Formats.sig(c.varsigma0(), 4)).append(", B = ").append(Formats.sig(c.batch(), 4))
                .append(", ε = ").append(Formats.sig(c.epsilon(), 4)).append(", n = ").append(g.size())
                .append(", D = ").append(r.diameter()).append('\n');
        if (c.equals(Complexity.Constants.DEFAULTS)) {
            b.append("  (default constants: set --delta --smoothness --sigma --varsigma --varsigma0 --batch --epsilon"
                    + " for your problem; with these only the graph's factors and the ratios mean anything)\n");
        }
        double sample = r.complexity().get(0).sample();
        b.append("  sample term ΔLσ²/(nBε⁴), common to all rows: ").append(Formats.sig(sample, 4)).append('\n');
        double gossipBound = r.complexity().get(1).total();
        b.append(String.format(Locale.ROOT, "  %-28s %-42s %12s %12s %10s%n", "algorithm", "communication term",
                "comm. value", "total", "× gossip LB"));
        for (Complexity.Row row : r.complexity()) {
            b.append(String.format(Locale.ROOT, "  %-28s %-42s %12s %12s %10s%n", row.algorithm(), row.formula(),
                    Formats.sig(row.communication(), 4), Formats.sig(row.total(), 4),
                    Formats.sig(row.total() / gossipBound, 3)));
        }
        List<Complexity.Row> best = Complexity.favoured(r.complexity(), false);
        List<Complexity.Row> bestGossip = Complexity.favoured(r.complexity(), true);
        b.append("\ntheory favours: ").append(names(best));
        if (!best.equals(bestGossip)) {
            b.append(" (not gossip: it averages exactly along a spanning tree); among gossip algorithms: ")
                    .append(names(bestGossip));
        }
        Complexity.Row dpsgd = r.complexity().stream().filter(x -> x.algorithm().startsWith("D-PSGD")).findFirst().orElseThrow();
        Complexity.Row detag = r.complexity().stream().filter(x -> x.algorithm().equals("DeTAG")).findFirst().orElseThrow();
        b.append("\nDeTAG vs D-PSGD: ").append(Formats.sig(dpsgd.total() / detag.total(), 3))
                .append("× fewer iterations by the bounds\n");
        return b.toString();
    }

    private static String names(List<Complexity.Row> rows) {
        List<String> names = new ArrayList<>();
        rows.forEach(x -> names.add(x.algorithm()));
        return String.join(" = ", names);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) ? "—" : Formats.sig(v, 4);
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format(Locale.ROOT, "  %-46s %s%n", label, value));
    }
}
