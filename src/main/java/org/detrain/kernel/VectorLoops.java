package org.detrain.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link Loops} with the Vector API; loaded only when the module is present. Same bits as the plain loops. */
final class VectorLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorLoops() {
    }

    static void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector p = FloatVector.fromArray(S, x, xOff + i).mul(a);
            FloatVector.fromArray(S, y, yOff + i).add(p).intoArray(y, yOff + i);
        }
        for (; i < n; i++) { // (masked tail vectors measured slower on JDK 17)
            y[yOff + i] += a * x[xOff + i];
        }
    }

    static void scale(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).mul(a).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = a * x[xOff + i];
        }
    }

    static void axpby(float[] out, float alpha, float[] a, float beta, float[] b, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector p = FloatVector.fromArray(S, a, i).mul(alpha);
            FloatVector q = FloatVector.fromArray(S, b, i).mul(beta);
            p.add(q).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = alpha * a[i] + beta * b[i];
        }
    }
}
