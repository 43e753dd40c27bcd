package org.detrain.kernel;

/**
 * The plain-Java reference implementation of {@link VectorOps}. Mixing keeps a block of the output in
 * registers while it adds the neighbours in turn ({@code Loops.weightedSum}), so every input is
 * streamed once and each element sees the one-pass sequence of float32 operations.
 */
public final class JavaVectorOps implements VectorOps {
    public static final JavaVectorOps INSTANCE = new JavaVectorOps();

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
        if (outIsInput) { // vector blocks would overwrite an input before it is read: one element at a time
            for (int k = 0; k < count; k++) {
                float s = selfWeight * self[k];
                for (int j = 0; j < inputs.length; j++) {
                    s += weights[j] * inputs[j][k];
                }
                out[k] = s;
            }
            return;
        }
        Loops.weightedSum(out, selfWeight, self, weights, inputs, count);
    }

    /* out[k] = self[k] + Σ_j w_j·(in_j[k] − self[k]), accumulated in that order */
    @Override
    public void mixDifferences(float[] out, float[] self, float[] weights, float[][] inputs, int count) {
        boolean outIsInput = false;
        for (float[] in : inputs) {
            outIsInput |= in == out;
        }
        if (!outIsInput) {
            Loops.mixDifferences(out, self, weights, inputs, count);
            return;
        }
        for (int k = 0; k < count; k++) { // an output that is also an input: one element at a time
            float own = self[k];
            float s = own;
            for (int j = 0; j < inputs.length; j++) {
                s += weights[j] * (inputs[j][k] - own);
            }
            out[k] = s;
        }
    }

    @Override
    public void linearCombination(float[] out, float alpha, float[] a, float beta, float[] b, int count) {
        Loops.axpby(out, alpha, a, beta, b, count);
    }
}
