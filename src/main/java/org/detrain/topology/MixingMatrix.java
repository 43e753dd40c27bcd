package org.detrain.topology;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.detrain.util.DetrainException;

/**
 * An immutable dense n x n mixing matrix W on a {@link Graph}: {@code W[i][j]} is the weight rank i
 * gives to rank j's value when it averages, so one gossip step is x_i ← Σ_j W_ij x_j.
 *
 * <p>The factories are those of docs/algorithms.md ("Graphs and mixing matrices"): Metropolis–Hastings,
 * lazy Metropolis and uniform weights, each optionally relaxed by κ-slack ({@link #withKappa}). {@link #fromArray} takes
 * any matrix, e.g. a user-supplied one; {@link #validate} says whether a matrix is fit for use.
 */
public final class MixingMatrix {
    /** The names {@link #build} accepts for {@code weights}. */
    public static final List<String> WEIGHT_NAMES = List.of("metropolis", "lazy", "uniform");

    /** Largest |row sum − 1| (and |column sum − 1|) accepted by {@link #validate}. */
    public static final double SUM_TOLERANCE = 1e-12;

    /**
     * Largest rank count whose {@link #spectrum} is always the dense decomposition (about 30 ms at
     * 256 ranks here, 1 s at 1024 and cubic beyond); above it a structured W takes the closed form.
     * Runs up to this size keep the exact bits they always had.
     */
    public static final int DENSE_SPECTRUM_LIMIT = 256;

    private final Graph graph;
    private final double[][] w;
    private final String weights;
    private final double kappa;

    /** Takes ownership of {@code w}: callers pass a fresh array. */
    private MixingMatrix(Graph graph, double[][] w, String weights, double kappa) {
        this.graph = graph;
        this.w = w;
        this.weights = weights;
        this.kappa = kappa;
    }

    /** Metropolis–Hastings weights: W_ij = 1/(1 + max(d_i, d_j)) on edges, the self-weight fills the row. */
    public static MixingMatrix metropolis(Graph graph) {
        return fromEdgeWeights(graph, "metropolis", (di, dj) -> 1.0 / (1 + Math.max(di, dj)));
    }

    /**
     * Lazy Metropolis weights: W_ij = 1/(2·max(d_i, d_j)) on edges, the self-weight fills the row
     * (so at least 1/2; a ring gets 1/2 self and 1/4 each side; a single rank gets [1]).
     */
    public static MixingMatrix lazyMetropolis(Graph graph) {
        return fromEdgeWeights(graph, "lazy", (di, dj) -> 1.0 / (2.0 * Math.max(di, dj)));
    }

    /**
     * Uniform weights over the closed neighbourhood: W_ij = 1/(d_i + 1) for j = i and every neighbour
     * j (a ring gets 1/3, a torus 1/5). Row-stochastic always, but symmetric and doubly stochastic only
     * on a regular graph, as docs/algorithms.md defines it; {@link #validate} reports the other case.
     */
    public static MixingMatrix uniform(Graph graph) {
        int n = graph.size();
        double[][] w = new double[n][n];
        for (int i = 0; i < n; i++) {
            double share = 1.0 / (graph.degree(i) + 1);
            w[i][i] = share;
            for (int j : graph.neighbours(i)) {
                w[i][j] = share;
            }
        }
        return new MixingMatrix(graph, w, "uniform", 1.0);
    }

    /**
     * A matrix given entry by entry, e.g. by a user. Only its shape and finiteness are checked here;
     * call {@link #validate} before gossiping with it.
     *
     * @param name what {@link #weights()} reports, e.g. the file it came from
     * @throws DetrainException if the matrix is not n x n for the graph's n or has a non-finite entry
     */
    public static MixingMatrix fromArray(Graph graph, double[][] matrix, String name) {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(name, "name");
        int n = graph.size();
        if (matrix == null || matrix.length != n) {
            throw DetrainException.badInput("mixing matrix '" + name + "' has " + (matrix == null ? 0 : matrix.length)
                    + " rows but " + graph.name() + " has " + n + " ranks: give an " + n + " x " + n + " matrix");
        }
        double[][] w = new double[n][];
        for (int i = 0; i < n; i++) {
            if (matrix[i] == null || matrix[i].length != n) {
                throw DetrainException.badInput("mixing matrix '" + name + "' row " + i + " has "
                        + (matrix[i] == null ? 0 : matrix[i].length) + " entries but " + graph.name() + " has " + n
                        + " ranks: give " + n + " entries per row");
            }
            for (int j = 0; j < n; j++) {
                if (!Double.isFinite(matrix[i][j])) {
                    throw DetrainException.badInput("mixing matrix '" + name + "' entry W[" + i + "][" + j + "] = "
                            + matrix[i][j] + " is not a finite number: give finite weights in [0, 1]");
                }
            }
            w[i] = matrix[i].clone();
        }
        return new MixingMatrix(graph, w, name, 1.0);
    }

    /**
     * The matrix a run's configuration asks for.
     *
     * @param weights one of {@link #WEIGHT_NAMES} (case-insensitive)
     * @param kappa   κ-slack in (0, 1]; 1 leaves W as it is
     * @throws DetrainException for an unknown weights name or a κ outside (0, 1]
     */
    public static MixingMatrix build(Graph graph, String weights, double kappa) {
        requireKappa(kappa);
        String name = weights == null ? "" : weights.strip().toLowerCase(Locale.ROOT);
        MixingMatrix base = switch (name) {
            case "metropolis" -> metropolis(graph);
            case "lazy" -> lazyMetropolis(graph);
            case "uniform" -> uniform(graph);
            default -> throw DetrainException.badInput("unknown weights '" + weights + "': use one of "
                    + String.join(", ", WEIGHT_NAMES));
        };
        return kappa == 1.0 ? base : base.withKappa(kappa);
    }

    /**
     * κ-slack: κ·W + (1 − κ)·I, which slows gossip down (spectral gap scaled by κ) while keeping
     * every property {@link #validate} checks. Applying it twice multiplies the κs.
     *
     * @throws DetrainException if κ is not in (0, 1]
     */
    public MixingMatrix withKappa(double kappa) {
        requireKappa(kappa);
        int n = size();
        double[][] scaled = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                scaled[i][j] = kappa * w[i][j];
            }
            scaled[i][i] += 1.0 - kappa;
        }
        return new MixingMatrix(graph, scaled, weights, this.kappa * kappa);
    }

    /** Number of ranks n. */
    public int size() {
        return w.length;
    }

    /** The graph W is supported on. */
    public Graph graph() {
        return graph;
    }

    /** W_ij: the weight rank i gives to rank j's value. */
    public double weight(int i, int j) {
        return w[checkRank(i)][checkRank(j)];
    }

    /** W_ii: the weight rank i keeps on its own value. */
    public double selfWeight(int i) {
        return w[checkRank(i)][i];
    }

    /** Rank i's weights on its neighbours, aligned with {@code graph().neighbours(i)} (a fresh array). */
    public double[] neighbourWeights(int i) {
        int[] neighbours = graph.neighbours(checkRank(i));
        double[] result = new double[neighbours.length];
        for (int k = 0; k < neighbours.length; k++) {
            result[k] = w[i][neighbours[k]];
        }
        return result;
    }

    /** W as a fresh n x n array. */
    public double[][] toArray() {
        double[][] copy = new double[w.length][];
        for (int i = 0; i < w.length; i++) {
            copy[i] = w[i].clone();
        }
        return copy;
    }

    /** The weights' name: metropolis, lazy, uniform, or the name given to {@link #fromArray}. */
    public String weights() {
        return weights;
    }

    /** The κ-slack applied (product over {@link #withKappa} calls); 1 for none. */
    public double kappa() {
        return kappa;
    }

    /** Whether W_ij = W_ji for all i, j within {@link Spectrum#SYMMETRY_TOLERANCE} (1e-12). */
    public boolean isSymmetric() {
        return firstAsymmetry() == null;
    }

    /**
     * Checks that W is fit for gossip: entries >= 0, zero off the diagonal wherever the graph has no
     * edge, every row summing to 1 within 1e-12; and, when {@code requireDoublyStochastic} (D-PSGD,
     * D², DSGT, DeTAG), also symmetric within 1e-12 with every column summing to 1.
     *
     * @throws DetrainException naming the first offending entry, row or column and a fix
     */
    public void validate(boolean requireDoublyStochastic) {
        int n = size();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = w[i][j];
                if (v < 0) {
                    throw invalid("entry W[" + i + "][" + j + "] = " + v + " is negative; mixing weights must be >= 0");
                }
                if (i != j && v != 0 && !graph.hasEdge(i, j)) {
                    throw invalid("entry W[" + i + "][" + j + "] = " + v + " but " + graph.name()
                            + " has no edge " + i + "-" + j + "; weights may be nonzero only on edges and the diagonal");
                }
            }
        }
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += w[i][j];
            }
            if (Math.abs(sum - 1) > SUM_TOLERANCE) {
                throw invalid("row " + i + " sums to " + sum + " instead of 1 (off by " + (sum - 1) + ")");
            }
        }
        if (!requireDoublyStochastic) {
            return;
        }
        int[] asymmetry = firstAsymmetry();
        if (asymmetry != null) {
            int i = asymmetry[0];
            int j = asymmetry[1];
            throw invalid("W[" + i + "][" + j + "] = " + w[i][j] + " but W[" + j + "][" + i + "] = " + w[j][i]
                    + ", so W is not symmetric as this algorithm needs");
        }
        for (int j = 0; j < n; j++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += w[i][j];
            }
            if (Math.abs(sum - 1) > SUM_TOLERANCE) {
                throw invalid("column " + j + " sums to " + sum + " instead of 1, so W is not doubly stochastic"
                        + " as this algorithm needs");
            }
        }
    }

    /**
     * The eigenvalues of W with λ and the spectral gap. Computed on every call; keep the result. Up to
     * {@link #DENSE_SPECTRUM_LIMIT} ranks by EJML's dense symmetric decomposition (O(n³)); above, from
     * the graph's structure when it has a closed form ({@link #closedFormSpectrum}: ring, torus,
     * complete, star, path, hypercube, exponential, with any of the built-in weights and κ), else
     * densely too. Only symmetric W is supported for now (every W the factories build on ring and torus is);
     * a non-symmetric W, e.g. a push-sum matrix, has complex eigenvalues and its λ needs a different
     * definition.
     *
     * @throws DetrainException if W is not symmetric
     */
    public Spectrum spectrum() {
        int[] asymmetry = firstAsymmetry();
        if (asymmetry != null) {
            int i = asymmetry[0];
            int j = asymmetry[1];
            throw DetrainException.badInput("cannot compute the spectrum of " + describe() + ": W[" + i + "][" + j + "] = "
                    + w[i][j] + " but W[" + j + "][" + i + "] = " + w[j][i]
                    + " and only symmetric W is supported; " + fixHint());
        }
        if (size() > DENSE_SPECTRUM_LIMIT) {
            Spectrum structured = closedFormSpectrum();
            if (structured != null) {
                return structured;
            }
        }
        return Spectrum.ofSymmetric(w);
    }

    /**
     * W's eigenvalues without a decomposition, when W = I − w·L for the Laplacian L of a graph with a
     * known {@link GraphShape}: every edge carries the same weight w and every self-weight is
     * 1 − w·degree (within {@link #SUM_TOLERANCE}). Then the eigenvalues are 1 − w·μ over the
     * Laplacian's μ; they agree with the dense decomposition to about 1e-15. O(n²) to check W, O(n)
     * (O(n·log n) for the exponential graph) for the values.
     *
     * @return the spectrum, or null when the graph has no known shape or W is not of that form
     */
    public Spectrum closedFormSpectrum() {
        GraphShape shape = graph.shape();
        int n = size();
        if (shape == null) {
            return null;
        }
        if (n == 1) {
            return new Spectrum(new double[] {w[0][0]});
        }
        double edgeWeight = Double.NaN;
        for (int i = 0; i < n; i++) {
            int degree = 0;
            for (int j = 0; j < n; j++) {
                if (j == i || w[i][j] == 0 && !graph.hasEdge(i, j)) {
                    continue;
                }
                if (!graph.hasEdge(i, j)) {
                    return null; // weight off the graph: not I − wL
                }
                if (Double.isNaN(edgeWeight)) {
                    edgeWeight = w[i][j];
                } else if (w[i][j] != edgeWeight) {
                    return null;
                }
                degree++;
            }
            if (degree != graph.degree(i) || Math.abs(w[i][i] - (1 - edgeWeight * degree)) > SUM_TOLERANCE) {
                return null;
            }
        }
        double[] mu = shape.laplacianEigenvalues();
        double[] values = new double[n];
        for (int k = 0; k < n; k++) {
            values[k] = 1 - edgeWeight * mu[k];
        }
        return new Spectrum(values);
    }

    /** {i, j} of the first pair with |W_ij − W_ji| above the tolerance, or null if symmetric. */
    private int[] firstAsymmetry() {
        for (int i = 0; i < w.length; i++) {
            for (int j = i + 1; j < w.length; j++) {
                if (Math.abs(w[i][j] - w[j][i]) > Spectrum.SYMMETRY_TOLERANCE) {
                    return new int[] {i, j};
                }
            }
        }
        return null;
    }

    private DetrainException invalid(String problem) {
        return DetrainException.badInput("mixing matrix " + describe() + ": " + problem + "; " + fixHint());
    }

    private String fixHint() {
        if (weights.equals("uniform") && !graph.isRegular()) {
            // The one case the built-in factories produce an unfit W: say why, not just what.
            return "uniform weights 1/(d_i+1) are doubly stochastic only on regular graphs and " + graph.name()
                    + " has degrees " + graph.minDegree() + ".." + graph.maxDegree()
                    + ": use weights=metropolis (or weights=lazy)";
        }
        return "use weights=metropolis (or weights=lazy), which are symmetric and doubly stochastic on any graph";
    }

    private String describe() {
        return "'" + weights + "'" + (kappa == 1.0 ? "" : " with kappa " + kappa) + " on " + graph.name();
    }

    private static void requireKappa(double kappa) {
        if (!(kappa > 0 && kappa <= 1)) {
            throw DetrainException.badInput("weights.kappa = " + kappa + " is outside (0, 1]: set weights.kappa to a"
                    + " value in (0, 1] (1 keeps W unchanged, smaller values slow gossip down)");
        }
    }

    private int checkRank(int i) {
        if (i < 0 || i >= w.length) {
            throw DetrainException.badInput("rank " + i + " is not in the mixing matrix on " + graph.name() + " (ranks 0.."
                    + (w.length - 1) + "): use a rank below " + w.length);
        }
        return i;
    }

    /** Off-diagonal weight of an edge from the two endpoint degrees. */
    @FunctionalInterface
    private interface EdgeWeight {
        double of(int degreeI, int degreeJ);
    }

    private static MixingMatrix fromEdgeWeights(Graph graph, String name, EdgeWeight rule) {
        int n = graph.size();
        double[][] w = new double[n][n];
        for (int i = 0; i < n; i++) {
            double offDiagonal = 0;
            for (int j : graph.neighbours(i)) {
                w[i][j] = rule.of(graph.degree(i), graph.degree(j));
                offDiagonal += w[i][j];
            }
            w[i][i] = 1.0 - offDiagonal;
        }
        return new MixingMatrix(graph, w, name, 1.0);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MixingMatrix m && graph.equals(m.graph) && weights.equals(m.weights)
                && Double.compare(kappa, m.kappa) == 0 && Arrays.deepEquals(w, m.w);
    }

    @Override
    public int hashCode() {
        return Objects.hash(graph, weights, kappa, Arrays.deepHashCode(w));
    }

    @Override
    public String toString() {
        return "MixingMatrix[" + describe() + "]";
    }
}
