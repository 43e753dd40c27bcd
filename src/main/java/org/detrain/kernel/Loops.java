package org.detrain.kernel;

/**
 * The innermost loops of the Java engines: each element gets one float32 multiply and one add (never
 * a fused multiply-add), so every variant gives the same bits. When the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (the rank JVMs, the tests and the benchmark do), the
 * loops use the Vector API, which the JIT turns into AVX/AVX-512 code; without it, plain loops
 * (JDK 17's auto-vectoriser leaves these ones scalar — measured 2 vs 8-12 GMAC/s here).
 */
public final class Loops {
    /** Whether the Vector API module is in the boot layer; a constant, fixed at class initialisation. */
    public static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private Loops() {
    }

    /** y[yOff + i] += a · x[xOff + i] for i in [0, n). */
    public static void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        if (VECTOR) {
            VectorLoops.axpy(y, yOff, a, x, xOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /**
     * out[outOff + i] += Σ_{r < count} coef[coefOff + r·coefStride] · rows[rowsOff + r·rowStride + i] for
     * i in [0, n), adding the rows in ascending r (a block of a matrix product: the output block stays
     * in registers while the rows stream past).
     */
    public static void accumulate(float[] out, int outOff, int n, float[] coef, int coefOff, int coefStride,
                                  float[] rows, int rowsOff, int rowStride, int count) {
        if (VECTOR) {
            VectorLoops.accumulate(out, outOff, n, coef, coefOff, coefStride, rows, rowsOff, rowStride, count);
            return;
        }
        for (int r = 0; r < count; r++) {
            axpy(out, outOff, coef[coefOff + r * coefStride], rows, rowsOff + r * rowStride, n);
        }
    }

    /**
     * Four {@link #accumulate}s that share their rows: out[outOff + k·outStride + i] += Σ_r coef[c_k + r] ·
     * rows[rowsOff + r·rowStride + i] for k in 0..3 and i in [0, n), rows in ascending r. Four
     * independent sums per lane hide the add latency that a single output's chain cannot.
     */
    public static void accumulate4(float[] out, int outOff, int outStride, int n, float[] coef, int c0, int c1, int c2,
                                   int c3, float[] rows, int rowsOff, int rowStride, int count) {
        if (VECTOR) {
            VectorLoops.accumulate4(out, outOff, outStride, n, coef, c0, c1, c2, c3, rows, rowsOff, rowStride, count);
            return;
        }
        accumulate(out, outOff, n, coef, c0, 1, rows, rowsOff, rowStride, count);
        accumulate(out, outOff + outStride, n, coef, c1, 1, rows, rowsOff, rowStride, count);
        accumulate(out, outOff + 2 * outStride, n, coef, c2, 1, rows, rowsOff, rowStride, count);
        accumulate(out, outOff + 3 * outStride, n, coef, c3, 1, rows, rowsOff, rowStride, count);
    }

    /** As {@link #accumulate}, row r starting at rows[rowsOff + rowOffsets[r]]. */
    public static void accumulateAt(float[] out, int outOff, int n, float[] coef, int coefOff, int coefStride,
                                    float[] rows, int rowsOff, int[] rowOffsets, int count) {
        if (VECTOR) {
            VectorLoops.accumulateAt(out, outOff, n, coef, coefOff, coefStride, rows, rowsOff, rowOffsets, count);
            return;
        }
        for (int r = 0; r < count; r++) {
            axpy(out, outOff, coef[coefOff + r * coefStride], rows, rowsOff + rowOffsets[r], n);
        }
    }

    /**
     * out[i] = w0·self[i] + Σ_j w[j]·inputs[j][i] for i in [0, n), j ascending; {@code out} may be
     * {@code self} but no input (each element is read before it is written, the inputs are not).
     */
    public static void weightedSum(float[] out, float w0, float[] self, float[] w, float[][] inputs, int n) {
        if (VECTOR) {
            VectorLoops.weightedSum(out, w0, self, w, inputs, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float acc = w0 * self[i];
            for (int j = 0; j < inputs.length; j++) {
                acc += w[j] * inputs[j][i];
            }
            out[i] = acc;
        }
    }

    /**
     * out[i] = self[i] + Σ_j w[j]·(inputs[j][i] − self[i]) for i in [0, n), j ascending; {@code out}
     * may be {@code self} but no input.
     */
    public static void mixDifferences(float[] out, float[] self, float[] w, float[][] inputs, int n) {
        if (VECTOR) {
            VectorLoops.mixDifferences(out, self, w, inputs, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float own = self[i];
            float acc = own;
            for (int j = 0; j < inputs.length; j++) {
                acc += w[j] * (inputs[j][i] - own);
            }
            out[i] = acc;
        }
    }

    /** y[i] = a · x[i] for i in [0, n). */
    public static void scale(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        if (VECTOR) {
            VectorLoops.scale(y, yOff, a, x, xOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOff + i] = a * x[xOff + i];
        }
    }

    /** out[i] = α·a[i] + β·b[i] for i in [0, n). */
    public static void axpby(float[] out, float alpha, float[] a, float beta, float[] b, int n) {
        if (VECTOR) {
            VectorLoops.axpby(out, alpha, a, beta, b, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            out[i] = alpha * a[i] + beta * b[i];
        }
    }
}
