package org.detrain.topology;

import java.util.Arrays;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

import org.detrain.util.DetrainException;

/**
 * The eigenvalues of a symmetric mixing matrix W, largest first, and the quantities the theory
 * uses: λ = max(|λ2|, |λn|) and the spectral gap 1 − λ.
 *
 * <p>For a single rank (n = 1) there is no second eigenvalue: gossip is exact in zero rounds, so
 * λ2 and λ are defined as 0 and the spectral gap as 1.
 *
 * @param eigenvalues all n eigenvalues; stored sorted descending, and copied on the way in and out
 */
public record Spectrum(double[] eigenvalues) {
    /** Largest |W_ij − W_ji| still treated as symmetric (rounding in user-supplied weights). */
    static final double SYMMETRY_TOLERANCE = 1e-12;

    public Spectrum {
        if (eigenvalues == null || eigenvalues.length == 0) {
            throw DetrainException.badInput("a spectrum needs at least one eigenvalue: pass the eigenvalues of an n x n matrix, n >= 1");
        }
        double[] sorted = eigenvalues.clone();
        for (double value : sorted) {
            if (!Double.isFinite(value)) {
                throw DetrainException.badInput("eigenvalue " + value + " is not finite: check the mixing matrix for NaN or infinite weights");
            }
        }
        Arrays.sort(sorted);
        // Ascending to descending in place.
        for (int i = 0, j = sorted.length - 1; i < j; i++, j--) {
            double t = sorted[i];
            sorted[i] = sorted[j];
            sorted[j] = t;
        }
        eigenvalues = sorted;
    }

    /**
     * The spectrum of a symmetric matrix, by EJML's symmetric eigen-solver. The matrix is first
     * symmetrized as (A + Aᵀ)/2 so that rounding-level asymmetry cannot bias the result.
     *
     * @throws DetrainException if the matrix is not square or not symmetric within 1e-12
     */
    public static Spectrum ofSymmetric(double[][] matrix) {
        int n = matrix.length;
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) {
                throw DetrainException.badInput("row " + i + " has " + matrix[i].length + " entries but the matrix has "
                        + n + " rows: an eigen-decomposition needs a square matrix");
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (Math.abs(matrix[i][j] - matrix[j][i]) > SYMMETRY_TOLERANCE) {
                    throw DetrainException.badInput("entry (" + i + ", " + j + ") = " + matrix[i][j] + " but (" + j + ", " + i
                            + ") = " + matrix[j][i] + ": the symmetric eigen-solver needs a symmetric matrix;"
                            + " use symmetric weights such as weights=metropolis");
                }
                a.set(i, j, 0.5 * (matrix[i][j] + matrix[j][i]));
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        if (!eig.decompose(a)) {
            throw DetrainException.runFailure("the symmetric eigen-decomposition of a " + n + " x " + n
                    + " matrix did not converge; check the matrix for extreme values", null);
        }
        double[] values = new double[eig.getNumberOfEigenvalues()];
        for (int k = 0; k < values.length; k++) {
            values[k] = eig.getEigenvalue(k).real;
        }
        return new Spectrum(values);
    }

    /** All eigenvalues, descending (a fresh copy). */
    @Override
    public double[] eigenvalues() {
        return eigenvalues.clone();
    }

    /** Number of eigenvalues n. */
    public int size() {
        return eigenvalues.length;
    }

    /** The largest eigenvalue λ1 (1 for a stochastic W). */
    public double lambda1() {
        return eigenvalues[0];
    }

    /** The second-largest eigenvalue λ2; 0 for n = 1 (see the class comment). */
    public double lambda2() {
        return eigenvalues.length == 1 ? 0.0 : eigenvalues[1];
    }

    /** The smallest eigenvalue λn (D² needs it >= −1/3); for n = 1 the only eigenvalue. */
    public double lambdaMin() {
        return eigenvalues[eigenvalues.length - 1];
    }

    /** λ = max(|λ2|, |λn|), the rate at which gossip contracts disagreement; 0 for n = 1. */
    public double lambda() {
        if (eigenvalues.length == 1) {
            return 0.0;
        }
        return Math.max(Math.abs(lambda2()), Math.abs(lambdaMin()));
    }

    /** The spectral gap 1 − λ. */
    public double spectralGap() {
        return 1.0 - lambda();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Spectrum s && Arrays.equals(eigenvalues, s.eigenvalues);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(eigenvalues);
    }

    @Override
    public String toString() {
        return "Spectrum[lambda=" + lambda() + ", gap=" + spectralGap() + ", eigenvalues="
                + Arrays.toString(eigenvalues) + "]";
    }
}
