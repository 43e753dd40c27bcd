package org.detrain.kernel;

/**
 * The plain-Java reference implementation of {@link VectorOps}. Mixing runs in blocks that stay in
 * the L1 cache: out[b] = w_self·self[b], then out[b] += w_j·in_j[b] for j ascending, so each element
 * sees exactly the one-pass sequence of float32 operations while every input is streamed once.
 */
public final class JavaVectorOps implements VectorOps {
    public static final JavaVectorOps INSTANCE = new JavaVectorOps();
    /** Floats per block (16 KiB), well inside L1 with the inputs' blocks. */
    private static final int BLOCK = 4096;

    @Override
    public String device() {
        return "java";
    }

    /* out[k] = w_self·self[k] + Σ_j w_j·in_j[k], accumulated in that order */
    @Override
    public void weightedSum(float[] out, float selfWeight, float[] self, float[] weights, float[][] inputs, int count) {
        boolean outIsInput = false;
        for (float[] in : inputs) {
            outIsInput |= in == out;
        }
        if (outIsInput) { // blocking would overwrite an input before it is read: one element at a time
            for (int k = 0; k < count; k++) {
                float s = selfWeight * self[k];
                for (int j = 0; j < inputs.length; j++) {
                    s += weights[j] * inputs[j][k];
                }
                out[k] = s;
            }
            return;
        }
        for (int from = 0; from < count; from += BLOCK) {
            int n = Math.min(BLOCK, count - from);
            Loops.scale(out, from, selfWeight, self, from, n);
            for (int j = 0; j < inputs.length; j++) {
                Loops.axpy(out, from, weights[j], inputs[j], from, n);
            }
        }
    }

    /* out[k] = α·a[k] + β·b[k] */
    @Override
    public void linearCombination(float[] out, float alpha, float[] a, float beta, float[] b, int count) {
        Loops.axpby(out, alpha, a, beta, b, count);
    }
}
