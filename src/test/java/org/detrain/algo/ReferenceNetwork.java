package org.detrain.algo;

import java.util.ArrayList;
import java.util.List;

/**
 * An independent float64 model of a whole decentralized network, written straight from the
 * algorithm definitions (the spec's recurrences, quoted above each method) with dense matrices:
 * X is n x d (row i = rank i's vector), W is the n x n mixing matrix. It shares no code with
 * src/main: it gets only the problem data (W's values, the graph's neighbour lists, the per-rank
 * gradients of {@link ReferenceProblem}) and the options as plain numbers.
 *
 * <p>Conventions the spec leaves open, fixed here the way the implementation documents them:
 * <ul>
 *   <li>step sizes: γ_t of the iteration t in which an update is applied (DeTAG and DeFacto: the
 *       iteration that ends the phase / starts the local step); D² with a schedule uses
 *       γ_t·g^t − γ_{t−1}·g^{t−1} (its "+γ g(x^{t−1})" term keeps the step that term was taken with);</li>
 *   <li>weight decay μ adds μ·x to every stochastic gradient; heavy-ball momentum β replaces every
 *       stochastic gradient g by v ← β·v + g, except for DeTAG and DeFacto, whose momentum acts on a
 *       whole phase's / cycle's averaged gradient (DeTAGM: v ← β·v + g_cur, tracked instead of g_cur);</li>
 *   <li>SGP's time-varying exponential graph for n not a power of two cycles through the
 *       ⌈log2 n⌉ hop lengths 1, 2, 4, ... < n;</li>
 *   <li>DeFacto (as the implementation's class comment explains) takes its local step before the
 *       exact averaging, so a cycle of 2R iterations is centralized SGD:
 *       x ← (1/n) Σ_j (x_j − α·g_j/R), g_j = Σ over R fresh gradients at x_j.</li>
 * </ul>
 */
final class ReferenceNetwork {
    /** Rank i's next stochastic gradient at x (each call consumes the rank's next mini-batch). */
    interface Gradients {
        double[] next(int rank, double[] x);
    }

    /** The options as plain numbers; the step-size schedule is written out in {@link #gamma}. */
    record Options(double lr, double warmupEpochs, double warmupLr, double[] decayEpochs, double decay,
                   long iterationsPerEpoch, double momentum, double weightDecay) {
        static Options constant(double lr) {
            return new Options(lr, 0, lr, new double[0], 1, 1, 0, 0);
        }

        Options with(double momentum, double weightDecay) {
            return new Options(lr, warmupEpochs, warmupLr, decayEpochs, decay, iterationsPerEpoch, momentum, weightDecay);
        }

        /** Warm-up at warmupLr for the first warmupEpochs, then lr times decay per decay epoch passed. */
        double gamma(long t) {
            double epoch = (double) t / iterationsPerEpoch;
            if (epoch < warmupEpochs) {
                return warmupLr;
            }
            double g = lr;
            for (double e : decayEpochs) {
                if (epoch >= e) {
                    g *= decay;
                }
            }
            return g;
        }
    }

    /** Per step t (after it): every rank's x, and the tracker y / push-sum weight where there is one. */
    static final class Trajectory {
        final List<double[][]> x = new ArrayList<>();
        final List<double[][]> y = new ArrayList<>();
        final List<double[]> weight = new ArrayList<>();
    }

    private final double[][] w;
    private final int n;
    private final int d;
    private final Gradients oracle;
    private final Options options;
    private final double[][] velocity;

    ReferenceNetwork(double[][] w, int dim, Gradients oracle, Options options) {
        this.w = w;
        this.n = w.length;
        this.d = dim;
        this.oracle = oracle;
        this.options = options;
        this.velocity = new double[n][d];
    }

    // ---- D-PSGD ---------------------------------------------------------------------------------

    /**
     * x_i ← Σ_j W_ij x_j − γ·g_i(x_i)   (gradient at the pre-gossip model).
     * With R rounds of accelerated gossip Σ_j W_ij x_j becomes z^R, z^{−1} = z^0 = x,
     * z^{r+1} = (1 + η)·W z^r − η·z^{r−1} (η = 0: W^R x).
     */
    Trajectory dpsgd(double[] x0, int steps, int rounds, double eta) {
        double[][] x = consensus(x0);
        Trajectory out = new Trajectory();
        for (int t = 0; t < steps; t++) {
            double[][] g = gradients(x, true);
            double[][] z = acceleratedGossip(x, rounds, eta);
            x = axpy(z, -options.gamma(t), g);
            out.x.add(x);
        }
        return out;
    }

    // ---- D² -------------------------------------------------------------------------------------

    /**
     * x^1     = W (x^0 − γ g(x^0));
     * x^{t+1} = W (2x^t − x^{t−1} − γ g(x^t) + γ g(x^{t−1})).
     */
    Trajectory d2(double[] x0, int steps) {
        double[][] x = consensus(x0);
        double[][] xPrev = null;
        double[][] gPrev = null;
        double gammaPrev = 0;
        Trajectory out = new Trajectory();
        for (int t = 0; t < steps; t++) {
            double[][] g = gradients(x, true);
            double gamma = options.gamma(t);
            double[][] inner = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    inner[i][k] = t == 0 ? x[i][k] - gamma * g[i][k]
                            : 2 * x[i][k] - xPrev[i][k] - gamma * g[i][k] + gammaPrev * gPrev[i][k];
                }
            }
            xPrev = x;
            gPrev = g;
            gammaPrev = gamma;
            x = mix(inner);
            out.x.add(x);
        }
        return out;
    }

    // ---- DSGT -----------------------------------------------------------------------------------

    /** x^{t+1} = W (x^t − α y^t);  y^{t+1} = W y^t + g(x^{t+1}) − g(x^t);  y^0 = g(x^0). */
    Trajectory dsgt(double[] x0, int steps) {
        double[][] x = consensus(x0);
        double[][] g = gradients(x, true);
        double[][] y = copy(g);
        Trajectory out = new Trajectory();
        for (int t = 0; t < steps; t++) {
            double[][] xNext = mix(axpy(x, -options.gamma(t), y));
            double[][] gNext = gradients(xNext, true);
            double[][] wy = mix(y);
            double[][] yNext = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    yNext[i][k] = wy[i][k] + gNext[i][k] - g[i][k];
                }
            }
            x = xNext;
            y = yNext;
            g = gNext;
            out.x.add(x);
            out.y.add(y);
        }
        return out;
    }

    // ---- SGP ------------------------------------------------------------------------------------

    /** Who rank i pushes to at iteration t. */
    interface PushPeers {
        int[] of(int rank, long t);
    }

    /**
     * z_i = x_i / w_i;  x_i ← x_i − γ g_i(z_i);  then x_i ← Σ_j P_ij x_j, w_i ← Σ_j P_ij w_j with P
     * column-stochastic: node j keeps 1/(outdeg_j + 1) and sends that share to each out-peer.
     */
    Trajectory sgp(double[] x0, int steps, PushPeers peers) {
        double[][] x = consensus(x0);
        double[] weight = new double[n];
        java.util.Arrays.fill(weight, 1.0);
        Trajectory out = new Trajectory();
        for (int t = 0; t < steps; t++) {
            double[][] z = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    z[i][k] = x[i][k] / weight[i];
                }
            }
            double[][] g = gradients(z, true);
            double[][] stepped = axpy(x, -options.gamma(t), g);
            double[][] p = new double[n][n];
            for (int j = 0; j < n; j++) {
                int[] to = peers.of(j, t);
                double share = 1.0 / (to.length + 1);
                p[j][j] += share;
                for (int i : to) {
                    p[i][j] += share;
                }
            }
            x = multiply(p, stepped);
            double[] nextWeight = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    nextWeight[i] += p[i][j] * weight[j];
                }
            }
            weight = nextWeight;
            out.x.add(x);
            out.weight.add(weight.clone());
        }
        return out;
    }

    /** The one-peer directed exponential graph: at t node i sends to i + 2^(t mod ⌈log2 n⌉). */
    static PushPeers exponential(int n) {
        int hops = 0;
        while ((1L << hops) < n) {
            hops++;
        }
        int h = hops;
        return (rank, t) -> h == 0 ? new int[0] : new int[] {(int) ((rank + (1L << (t % h))) % n)};
    }

    // ---- DeTAG ----------------------------------------------------------------------------------

    /**
     * Phase length for the phase starting at iteration t: R, or R_initial before epoch R_switch.
     */
    interface PhaseLength {
        int at(long phaseStart);
    }

    /**
     * For t = 0 … T−1, phase k of length R, r = t − (phase start):
     *  1. one AG step on x̃ and on y: z^{r+1} = (1 + η)·W z^r − η·z^{r−1}, history z^{−1} = z^0 at the phase start;
     *  2. g_cur ← g_cur + g_i(x)/R (at the phase-start x);
     *  3. at r = R − 1: x ← x̃ − α·y;  y ← y + g_cur − g_prev;  g_prev ← g_cur;  g_cur ← 0;  x̃ ← x.
     * y, g_cur, g_prev start at 0. DeTAGM: v ← β·v + g_cur first and y tracks v (g_prev holds the last v).
     */
    /** η of a phase of the given length (dynamic R: each length has its own η). */
    interface PhaseEta {
        double of(int length);
    }

    Trajectory detag(double[] x0, int steps, PhaseLength phases, PhaseEta etas, double beta) {
        double[][] x = consensus(x0);
        double[][] xt = copy(x);
        double[][] xtPrev = copy(x);
        double[][] y = new double[n][d];
        double[][] yPrev = new double[n][d];
        double[][] gCur = new double[n][d];
        double[][] gPrev = new double[n][d];
        double[][] v = new double[n][d];
        long phaseStart = 0;
        int length = phases.at(0);
        Trajectory out = new Trajectory();
        for (int t = 0; t < steps; t++) {
            double[][] g = gradients(x, false);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    gCur[i][k] += g[i][k] / length;
                }
            }
            double eta = etas.of(length);
            double[][] xtNext = agStep(xt, xtPrev, eta);
            double[][] yNext = agStep(y, yPrev, eta);
            xtPrev = xt;
            xt = xtNext;
            yPrev = y;
            y = yNext;
            if (t - phaseStart == length - 1) {
                double[][] tracked = gCur;
                if (beta > 0) {
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < d; k++) {
                            v[i][k] = beta * v[i][k] + gCur[i][k];
                        }
                    }
                    tracked = copy(v);
                }
                x = axpy(xt, -options.gamma(t), y);
                double[][] yNew = new double[n][d];
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < d; k++) {
                        yNew[i][k] = y[i][k] + tracked[i][k] - gPrev[i][k];
                    }
                }
                y = yNew;
                gPrev = tracked;
                gCur = new double[n][d];
                xt = copy(x);
                xtPrev = copy(x);
                yPrev = copy(y);
                phaseStart = t + 1;
                length = phases.at(phaseStart);
            }
            out.x.add(x);
            out.y.add(y);
        }
        return out;
    }

    // ---- DeFacto --------------------------------------------------------------------------------

    /**
     * Cycles of 2R iterations, R = number of exact-averaging factors: R compute steps g ← g + g_i(x)
     * at fixed x, then R communication steps; over the cycle x ← (1/n) Σ_j (x_j − α·g_j/R), with the
     * local step taken at s = R (DeFactoM: v_j ← β·v_j + g_j/R, x ← mean_j (x_j − α·v_j)); g ← 0.
     */
    Trajectory defacto(double[] x0, int steps, int factors, double beta) {
        double[][] x = consensus(x0);
        double[][] gSum = new double[n][d];
        double[][] local = null;
        double[][] v = new double[n][d];
        Trajectory out = new Trajectory();
        for (int t = 0; t < steps; t++) {
            int s = (int) (t % (2L * factors));
            if (s < factors) {
                double[][] g = gradients(x, false);
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < d; k++) {
                        gSum[i][k] += g[i][k];
                    }
                }
            } else {
                if (s == factors) {
                    double alpha = options.gamma(t);
                    local = new double[n][d];
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < d; k++) {
                            if (beta > 0) {
                                v[i][k] = beta * v[i][k] + gSum[i][k] / factors;
                                local[i][k] = x[i][k] - alpha * v[i][k];
                            } else {
                                local[i][k] = x[i][k] - alpha * gSum[i][k] / factors;
                            }
                        }
                    }
                }
                if (s == 2 * factors - 1) {
                    double[] mean = new double[d];
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < d; k++) {
                            mean[k] += local[i][k] / n;
                        }
                    }
                    x = consensus(mean);
                    gSum = new double[n][d];
                }
            }
            out.x.add(x);
        }
        return out;
    }

    // ---- AllReduce ------------------------------------------------------------------------------

    /** x ← x − γ·(1/n) Σ_i g_i(x). */
    Trajectory allreduce(double[] x0, int steps) {
        double[][] x = consensus(x0);
        Trajectory out = new Trajectory();
        for (int t = 0; t < steps; t++) {
            double[][] g = gradients(x, true);
            double[] mean = new double[d];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    mean[k] += g[i][k] / n;
                }
            }
            double gamma = options.gamma(t);
            double[][] next = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    next[i][k] = x[i][k] - gamma * mean[k];
                }
            }
            x = next;
            out.x.add(x);
        }
        return out;
    }

    // ---- helpers --------------------------------------------------------------------------------

    /**
     * Every rank's stochastic gradient at its own row of {@code at}, with weight decay added and, if
     * {@code heavyBall}, passed through the rank's momentum buffer.
     */
    private double[][] gradients(double[][] at, boolean heavyBall) {
        double[][] g = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] gi = oracle.next(i, at[i]).clone();
            for (int k = 0; k < d; k++) {
                gi[k] += options.weightDecay() * at[i][k];
            }
            if (heavyBall && options.momentum() > 0) {
                for (int k = 0; k < d; k++) {
                    velocity[i][k] = options.momentum() * velocity[i][k] + gi[k];
                }
                gi = velocity[i].clone();
            }
            g[i] = gi;
        }
        return g;
    }

    private double[][] acceleratedGossip(double[][] x, int rounds, double eta) {
        double[][] z = copy(x);
        double[][] prev = copy(x);
        for (int r = 0; r < rounds; r++) {
            double[][] next = agStep(z, prev, eta);
            prev = z;
            z = next;
        }
        return z;
    }

    /** (1 + η)·W z − η·z_prev. */
    private double[][] agStep(double[][] z, double[][] prev, double eta) {
        double[][] wz = mix(z);
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                out[i][k] = (1 + eta) * wz[i][k] - eta * prev[i][k];
            }
        }
        return out;
    }

    private double[][] mix(double[][] x) {
        return multiply(w, x);
    }

    private double[][] multiply(double[][] m, double[][] x) {
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (m[i][j] != 0) {
                    for (int k = 0; k < d; k++) {
                        out[i][k] += m[i][j] * x[j][k];
                    }
                }
            }
        }
        return out;
    }

    private double[][] axpy(double[][] x, double a, double[][] y) {
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                out[i][k] = x[i][k] + a * y[i][k];
            }
        }
        return out;
    }

    private double[][] consensus(double[] v) {
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = v.clone();
        }
        return out;
    }

    private static double[][] copy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }
}
