package org.detrain.model;

import org.detrain.data.Samples;
import org.detrain.util.DetrainException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Exact minimisers of the global objective (1/n) Σ_i f_i for the convex synthetic problems, in
 * double precision, so runs can report ‖x̄ − x*‖/‖x*‖. Every rank's shard has the same size, so
 * the global objective is the mean over all assigned samples.
 */
public final class Optima {
    private Optima() {
    }

    /** argmin Σ ½(a·x − b)² over the given samples: the normal equations AᵀA x = Aᵀb. */
    public static double[] leastSquares(Samples data, int[][] shards) {
        int d = data.featureCount();
        DMatrixRMaj ata = new DMatrixRMaj(d, d);
        DMatrixRMaj atb = new DMatrixRMaj(d, 1);
        float[] a = new float[d];
        for (int[] shard : shards) {
            for (int i : shard) {
                data.copyFeatures(i, a, 0);
                double b = data.target(i);
                for (int p = 0; p < d; p++) {
                    atb.data[p] += a[p] * b;
                    for (int q = 0; q < d; q++) {
                        ata.data[p * d + q] += (double) a[p] * a[q];
                    }
                }
            }
        }
        DMatrixRMaj x = new DMatrixRMaj(d, 1);
        if (!CommonOps_DDRM.solveSPD(ata, atb, x)) {
            throw DetrainException.badInput("the synthetic least-squares problem is singular (fewer samples than features?):"
                    + " raise synthetic.samples above synthetic.features");
        }
        return x.data.clone();
    }

    /**
     * argmin (1/N) Σ log(1 + exp(−s·a·x)) + (μ/2)‖x‖² by Newton's method with backtracking (the
     * objective is μ-strongly convex, so it converges quadratically).
     */
    public static double[] logistic(Samples data, int[][] shards, double l2) {
        int d = data.featureCount();
        int count = 0;
        for (int[] shard : shards) {
            count += shard.length;
        }
        double[] x = new double[d];
        float[] a = new float[d];
        for (int iteration = 0; iteration < 100; iteration++) {
            DMatrixRMaj hessian = new DMatrixRMaj(d, d);
            DMatrixRMaj gradient = new DMatrixRMaj(d, 1);
            for (int[] shard : shards) {
                for (int i : shard) {
                    data.copyFeatures(i, a, 0);
                    double sign = 2.0 * data.label(i) - 1;
                    double z = 0;
                    for (int k = 0; k < d; k++) {
                        z += a[k] * x[k];
                    }
                    double p = 1 / (1 + Math.exp(sign * z)); // sigmoid(−s z)
                    for (int k = 0; k < d; k++) {
                        gradient.data[k] += -sign * p * a[k] / count;
                        for (int q = 0; q < d; q++) {
                            hessian.data[k * d + q] += p * (1 - p) * a[k] * a[q] / count;
                        }
                    }
                }
            }
            for (int k = 0; k < d; k++) {
                gradient.data[k] += l2 * x[k];
                hessian.data[k * d + k] += l2;
            }
            DMatrixRMaj step = new DMatrixRMaj(d, 1);
            if (!CommonOps_DDRM.solveSPD(hessian, gradient, step)) {
                throw DetrainException.badInput("the synthetic logistic problem is degenerate: set model.l2 > 0");
            }
            double norm = 0;
            for (int k = 0; k < d; k++) {
                x[k] -= step.data[k];
                norm += step.data[k] * step.data[k];
            }
            if (Math.sqrt(norm) < 1e-14 * (1 + vectorNorm(x))) {
                break;
            }
        }
        return x;
    }

    private static double vectorNorm(double[] v) {
        double s = 0;
        for (double e : v) {
            s += e * e;
        }
        return Math.sqrt(s);
    }
}
