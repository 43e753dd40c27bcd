package org.detrain.theory;

import java.util.ArrayList;
import java.util.List;
import org.detrain.util.DetrainException;

/**
 * The complexity table of docs/algorithms.md evaluated for one graph: iterations to reach
 * E‖∇f(x̂)‖ ≤ ε, up to constant factors, as a sample term common to all rows, ΔLσ²/(nBε⁴), plus a
 * communication term per algorithm. Logarithms are natural.
 */
public final class Complexity {
    /**
     * The problem constants.
     *
     * @param delta     Δ = f(x⁰) − inf f
     * @param smoothness L, the gradients' Lipschitz constant
     * @param sigma     σ, where σ² bounds the variance of a one-sample stochastic gradient
     * @param varsigma  ς, the outer variance (heterogeneity) between workers' local losses
     * @param varsigma0 ς0, the heterogeneity at the start x⁰
     * @param batch     B, samples per mini-batch
     * @param epsilon   ε, the target gradient norm
     */
    public record Constants(double delta, double smoothness, double sigma, double varsigma, double varsigma0,
                            double batch, double epsilon) {
        /** Δ = L = σ = ς = ς0 = B = 1 and ε = 0.1: only the graph-dependent factors and the ratios mean anything then. */
        public static final Constants DEFAULTS = new Constants(1, 1, 1, 1, 1, 1, 0.1);

        public Constants {
            positive("delta (Δ)", delta, false);
            positive("smoothness (L)", smoothness, false);
            positive("sigma (σ)", sigma, true);
            positive("varsigma (ς)", varsigma, true);
            positive("varsigma0 (ς0)", varsigma0, true);
            positive("batch (B)", batch, false);
            positive("epsilon (ε)", epsilon, false);
        }

        private static void positive(String name, double v, boolean zeroAllowed) {
            if (!(zeroAllowed ? v >= 0 : v > 0) || Double.isInfinite(v)) {
                throw DetrainException.badInput(name + " = " + v + " must be a finite number " + (zeroAllowed ? ">= 0" : "> 0")
                        + ": pass e.g. --" + name.substring(0, name.indexOf(' ')) + " 1");
            }
        }
    }

    /**
     * One row.
     *
     * @param algorithm     who the row is about
     * @param formula       the communication term as docs/algorithms.md writes it
     * @param communication its value
     * @param sample        the common sample term
     * @param bound         whether the row is a lower bound rather than an algorithm
     */
    public record Row(String algorithm, String formula, double communication, double sample, boolean bound) {
        /** Sample term plus communication term. */
        public double total() {
            return communication + sample;
        }
    }

    private Complexity() {
    }

    /** ΔLσ²/(nBε⁴), the sample term every row shares. */
    public static double sampleTerm(Constants c, int n) {
        double e2 = c.epsilon() * c.epsilon();
        return c.delta() * c.smoothness() * c.sigma() * c.sigma() / (n * c.batch() * e2 * e2);
    }

    /** Every row of the table for n workers, λ and the diameter D. */
    public static List<Row> evaluate(Constants c, int n, double lambda, int diameter) {
        double dl = c.delta() * c.smoothness();
        double e2 = c.epsilon() * c.epsilon();
        double gap = 1 - lambda;
        double sample = sampleTerm(c, n);
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("lower bound (any protocol)", "ΔL·D/ε²", dl * diameter / e2, sample, true));
        rows.add(new Row("lower bound (gossip)", "ΔL/(ε²√(1−λ))", dl / (e2 * Math.sqrt(gap)), sample, true));
        rows.add(new Row("DeFacto", "ΔL·D/ε²", dl * diameter / e2, sample, false));
        double log = Math.log(n + c.varsigma0() * n / (c.epsilon() * Math.sqrt(dl)));
        rows.add(new Row("DeTAG", "ΔL·ln(n + ς0·n/(ε√(ΔL)))/(ε²√(1−λ))", dl * log / (e2 * Math.sqrt(gap)), sample, false));
        rows.add(new Row("D-PSGD, SGP", "ΔL·n·ς/(ε²(1−λ)²)", dl * n * c.varsigma() / (e2 * gap * gap), sample, false));
        rows.add(new Row("D², DSGT", "λ²·ΔL·n·ς0/(ε²(1−λ)³)",
                lambda * lambda * dl * n * c.varsigma0() / (e2 * gap * gap * gap), sample, false));
        return rows;
    }

    /** The algorithm rows (not the bounds) with the smallest total, ties all kept, in table order. */
    public static List<Row> favoured(List<Row> rows, boolean gossipOnly) {
        double best = Double.POSITIVE_INFINITY;
        for (Row r : rows) {
            if (!r.bound() && (!gossipOnly || !r.algorithm().equals("DeFacto"))) {
                best = Math.min(best, r.total());
            }
        }
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            if (!r.bound() && (!gossipOnly || !r.algorithm().equals("DeFacto")) && r.total() <= best * (1 + 1e-12)) {
                out.add(r);
            }
        }
        return out;
    }
}
