package org.detrain.kernel;

/** The plain-Java reference implementation of {@link VectorOps}. */
public final class JavaVectorOps implements VectorOps {
    public static final JavaVectorOps INSTANCE = new JavaVectorOps();

    @Override
    public String device() {
        return "java";
    }

    @Override
    public void weightedSum(float[] out, float selfWeight, float[] self, float[] weights, float[][] inputs, int count) {
        for (int k = 0; k < count; k++) {
            float s = selfWeight * self[k];
            for (int j = 0; j < inputs.length; j++) {
                s += weights[j] * inputs[j][k];
            }
            out[k] = s;
        }
    }

    @Override
    public void mixDifferences(float[] out, float[] self, float[] weights, float[][] inputs, int count) {
        for (int k = 0; k < count; k++) {
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
        for (int k = 0; k < count; k++) {
            out[k] = alpha * a[k] + beta * b[k];
        }
    }
}
