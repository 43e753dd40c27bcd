package org.detrain.topology;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * The structure of a graph that {@link Topologies} built, when its Laplacian L = D − A has
 * eigenvalues in closed form. A mixing matrix that is W = I − w·L (every edge weighted w, which
 * Metropolis and lazy weights are on these graphs, uniform weights on regular ones, and κ-slack
 * keeps) then has eigenvalues 1 − w·μ for the Laplacian's μ, with no O(n³) decomposition
 * ({@link MixingMatrix#closedFormSpectrum}).
 *
 * <p>Every formula is for the simple graph the factory produces, after duplicate edges are merged:
 * a ring of 2 is one edge, a torus side of 1 adds nothing and a side of 2 one edge.
 */
public sealed interface GraphShape {
    /** The Laplacian's n eigenvalues, in no particular order. */
    double[] laplacianEigenvalues();

    /**
     * A circulant graph on n ranks: i joined to i ± s (mod n) for each offset s. Its Laplacian's
     * eigenvalues are μ_k = Σ_{s ∈ S} (1 − cos(2πks/n)), k = 0..n−1, where S is the set of distinct
     * nonzero residues ±s mod n. The ring is the circulant of offset 1; the exponential graph that of
     * the offsets 2^j below n.
     */
    record Circulant(int n, int[] offsets) implements GraphShape {
        @Override
        public double[] laplacianEigenvalues() {
            TreeSet<Integer> residues = new TreeSet<>();
            for (int s : offsets) {
                int r = Math.floorMod(s, n);
                if (r != 0) {
                    residues.add(r);
                    residues.add(n - r);
                }
            }
            double[] mu = new double[n];
            for (int k = 0; k < n; k++) {
                double sum = 0;
                for (int s : residues) {
                    // k·s mod n keeps the angle small and exact for large n
                    sum += 1 - Math.cos(2 * Math.PI * (int) ((long) k * s % n) / n);
                }
                mu[k] = sum;
            }
            return mu;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Circulant c && c.n == n && Arrays.equals(c.offsets, offsets);
        }

        @Override
        public int hashCode() {
            return 31 * n + Arrays.hashCode(offsets);
        }

        @Override
        public String toString() {
            return "Circulant[n=" + n + ", offsets=" + Arrays.toString(offsets) + "]";
        }
    }

    /** The rows × cols torus, the Cartesian product of two rings: sums of the rings' eigenvalues. */
    record Torus(int rows, int cols) implements GraphShape {
        @Override
        public double[] laplacianEigenvalues() {
            double[] a = new Circulant(rows, new int[] {1}).laplacianEigenvalues();
            double[] b = new Circulant(cols, new int[] {1}).laplacianEigenvalues();
            double[] mu = new double[rows * cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    mu[i * cols + j] = a[i] + b[j];
                }
            }
            return mu;
        }
    }

    /** K_n: 0 once and n with multiplicity n − 1. */
    record Complete(int n) implements GraphShape {
        @Override
        public double[] laplacianEigenvalues() {
            double[] mu = new double[n];
            Arrays.fill(mu, 1, n, n);
            return mu;
        }
    }

    /** The path on n ranks: 2 − 2cos(πk/n), k = 0..n−1. */
    record Path(int n) implements GraphShape {
        @Override
        public double[] laplacianEigenvalues() {
            double[] mu = new double[n];
            for (int k = 0; k < n; k++) {
                mu[k] = 2 - 2 * Math.cos(Math.PI * k / n);
            }
            return mu;
        }
    }

    /** The star on n ranks: 0, 1 with multiplicity n − 2, and n (n ≥ 2). */
    record Star(int n) implements GraphShape {
        @Override
        public double[] laplacianEigenvalues() {
            double[] mu = new double[n];
            if (n >= 2) {
                Arrays.fill(mu, 1, n - 1, 1);
                mu[n - 1] = n;
            }
            return mu;
        }
    }

    /** The hypercube of dimension d (n = 2^d): 2j with multiplicity C(d, j). */
    record Hypercube(int dimension) implements GraphShape {
        @Override
        public double[] laplacianEigenvalues() {
            double[] mu = new double[1 << dimension];
            for (int i = 0; i < mu.length; i++) {
                mu[i] = 2 * Integer.bitCount(i); // C(d, j) vertices have j bits set
            }
            return mu;
        }
    }
}
