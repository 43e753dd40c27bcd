package org.detrain.kernel;

import com.aparapi.Kernel;

/**
 * {@link VectorOps} as Aparapi kernels (OpenCL or Aparapi's Java thread pool). Every output element
 * is computed by one work-item with the same float32 operations, in the same order, as
 * {@link JavaVectorOps}; products are kept in their own statements so that the OpenCL compiler
 * does not contract them into fused multiply-adds, and the results match the Java twin bit for bit.
 *
 * <p>The callers' arrays live on the host (the algorithm state), so each call puts its inputs and
 * gets its output; the kernels keep their device buffers between calls as long as the callers pass
 * the same arrays (gossip's receive buffers, the state's x), so nothing is re-allocated per step.
 * One instance per rank; not thread-safe.
 */
public final class AparapiVectorOps implements VectorOps, AutoCloseable {
    /** Neighbour inputs one launch mixes; more are folded in by further launches in the same order. */
    static final int SLOTS = 8;

    private final ComputeDevice device;
    private final MixKernel mix = new MixKernel();
    private final MixDifferencesKernel mixDifferences = new MixDifferencesKernel();
    private final AxpbyKernel axpby = new AxpbyKernel();
    private final float[][] scratch = {new float[0], new float[0]};

    public AparapiVectorOps(ComputeDevice device) {
        this.device = device;
        device.prepare(mix, "weightedSum");
        device.prepare(mixDifferences, "mixDifferences");
        device.prepare(axpby, "linearCombination");
    }

    @Override
    public String device() {
        return device.description();
    }

    /*
     * out[k] = w_self·self[k] + Σ_j w_j·in_j[k], j ascending. Folded in launches of SLOTS inputs:
     * out ← w_self·self + Σ_{j<8} …, then out ← 1·out + Σ_{8≤j<16} …; 1·v == v exactly in float32,
     * so every element sees the same sequence of operations as the one-pass Java loop.
     */
    @Override
    public void weightedSum(float[] out, float selfWeight, float[] self, float[] weights, float[][] inputs, int count) {
        if (count == 0) {
            return;
        }
        // A device buffer per distinct array: when out is also an input, or when several launches
        // are folded, results go to scratch buffers and are copied to out at the end.
        boolean alias = out == self;
        for (float[] in : inputs) {
            alias |= in == out;
        }
        inputs = distinct(self, inputs, count);
        int launches = Math.max(1, (inputs.length + SLOTS - 1) / SLOTS);
        float[] first = self;
        float firstWeight = selfWeight;
        float[] target = out;
        for (int l = 0; l < launches; l++) {
            int from = l * SLOTS;
            int n = Math.min(SLOTS, inputs.length - from);
            target = (l == launches - 1 && !alias) ? out : scratch(l % 2, count);
            synchronized (device.launchLock()) {
                mix.bind(target, first, firstWeight, weights, inputs, from, n, count);
                device.execute(mix, "weightedSum", device.rangeFor(count), 1);
                mix.get(target); // Aparapi keeps one device buffer per kernel field, so a fold re-puts it
            }
            first = target;
            firstWeight = 1f;
        }
        if (target != out) {
            System.arraycopy(target, 0, out, 0, count);
        }
    }

    /**
     * Aparapi cannot bind one array to two kernel fields (it crashes on dispose); an input that
     * repeats self or an earlier input is replaced by a copy. Gossip never does this; it is rare.
     */
    private static float[][] distinct(float[] self, float[][] inputs, int count) {
        float[][] result = inputs;
        for (int j = 0; j < inputs.length; j++) {
            boolean repeated = inputs[j] == self;
            for (int i = 0; i < j; i++) {
                repeated |= inputs[i] == inputs[j];
            }
            if (repeated) {
                if (result == inputs) {
                    result = inputs.clone();
                }
                result[j] = java.util.Arrays.copyOf(inputs[j], count);
            }
        }
        return result;
    }

    private float[] scratch(int which, int count) {
        if (scratch[which].length < count) {
            scratch[which] = new float[count];
        }
        return scratch[which];
    }

    /*
     * out[k] = self[k] + Σ_j w_j·(in_j[k] − self[k]), j ascending. Folded in launches of SLOTS inputs:
     * each launch adds its inputs' terms to the running sum (the first starts from self itself), always
     * against the original self, so every element sees the Java twin's sequence of operations.
     */
    @Override
    public void mixDifferences(float[] out, float[] self, float[] weights, float[][] inputs, int count) {
        if (count == 0) {
            return;
        }
        boolean alias = out == self;
        for (float[] in : inputs) {
            alias |= in == out;
        }
        inputs = distinct(self, inputs, count);
        int launches = Math.max(1, (inputs.length + SLOTS - 1) / SLOTS);
        float[] sum = null; // null: the first launch starts from self
        float[] target = out;
        for (int l = 0; l < launches; l++) {
            int from = l * SLOTS;
            int n = Math.min(SLOTS, inputs.length - from);
            target = (l == launches - 1 && !alias) ? out : scratch(l % 2, count);
            synchronized (device.launchLock()) {
                mixDifferences.bind(target, self, sum, weights, inputs, from, n, count);
                device.execute(mixDifferences, "mixDifferences", device.rangeFor(count), 1);
                mixDifferences.get(target);
            }
            sum = target;
        }
        if (target != out) {
            System.arraycopy(target, 0, out, 0, count);
        }
    }

    /* out[k] = α·a[k] + β·b[k] */
    @Override
    public void linearCombination(float[] out, float alpha, float[] a, float beta, float[] b, int count) {
        if (count == 0) {
            return;
        }
        float[] target = (out == a || out == b) ? scratch(0, count) : out;
        if (b == a) {
            b = java.util.Arrays.copyOf(a, count); // one array in two kernel fields is not allowed
        }
        synchronized (device.launchLock()) {
            axpby.out = target;
            axpby.a = a;
            axpby.b = b;
            axpby.alpha = alpha;
            axpby.beta = beta;
            axpby.count = count;
            axpby.put(a).put(b);
            device.execute(axpby, "linearCombination", device.rangeFor(count), 1);
            axpby.get(target);
        }
        if (target != out) {
            System.arraycopy(target, 0, out, 0, count);
        }
    }

    @Override
    public void close() {
        // Aparapi 3.0.2 crashes disposing a kernel that was compiled but never launched: launch it empty first.
        synchronized (device.launchLock()) {
            mix.count = 0;
            device.execute(mix, "weightedSum", device.rangeFor(1), 1);
            mix.dispose();
            mixDifferences.count = 0;
            device.execute(mixDifferences, "mixDifferences", device.rangeFor(1), 1);
            mixDifferences.dispose();
            axpby.count = 0;
            device.execute(axpby, "linearCombination", device.rangeFor(1), 1);
            axpby.dispose();
        }
    }

    /** out[k] = w0·self[k] + Σ_{j<n} w[j]·in_j[k], one work-item per k. */
    static final class MixKernel extends Kernel {
        /** A distinct placeholder per unused slot: Aparapi must not see one array in two fields. */
        private final float[][] unused = new float[SLOTS][1];
        float[] out = new float[1];
        float[] self = new float[1];
        float[] in0 = unused[0];
        float[] in1 = unused[1];
        float[] in2 = unused[2];
        float[] in3 = unused[3];
        float[] in4 = unused[4];
        float[] in5 = unused[5];
        float[] in6 = unused[6];
        float[] in7 = unused[7];
        float w0;
        float v0;
        float v1;
        float v2;
        float v3;
        float v4;
        float v5;
        float v6;
        float v7;
        int n;
        int count;

        void bind(float[] out, float[] self, float selfWeight, float[] weights, float[][] inputs, int from, int n, int count) {
            this.out = out;
            this.self = self;
            this.w0 = selfWeight;
            this.n = n;
            this.count = count;
            // Placeholders as long as the data: with 1-element ones every launch took ~18 ms more per
            // unused slot (1 M floats, OpenCL and JTP alike); they are allocated once and never put.
            for (int j = n; j < SLOTS; j++) {
                if (unused[j].length < count) {
                    unused[j] = new float[count];
                }
            }
            v0 = n > 0 ? weights[from] : 0f;
            v1 = n > 1 ? weights[from + 1] : 0f;
            v2 = n > 2 ? weights[from + 2] : 0f;
            v3 = n > 3 ? weights[from + 3] : 0f;
            v4 = n > 4 ? weights[from + 4] : 0f;
            v5 = n > 5 ? weights[from + 5] : 0f;
            v6 = n > 6 ? weights[from + 6] : 0f;
            v7 = n > 7 ? weights[from + 7] : 0f;
            in0 = n > 0 ? inputs[from] : unused[0];
            in1 = n > 1 ? inputs[from + 1] : unused[1];
            in2 = n > 2 ? inputs[from + 2] : unused[2];
            in3 = n > 3 ? inputs[from + 3] : unused[3];
            in4 = n > 4 ? inputs[from + 4] : unused[4];
            in5 = n > 5 ? inputs[from + 5] : unused[5];
            in6 = n > 6 ? inputs[from + 6] : unused[6];
            in7 = n > 7 ? inputs[from + 7] : unused[7];
            put(self);
            float[][] bound = {in0, in1, in2, in3, in4, in5, in6, in7};
            for (int j = 0; j < n; j++) {
                put(bound[j]);
            }
        }

        @Override
        public void run() {
            int k = getGlobalId();
            if (k < count) {
                float s = w0 * self[k];
                if (n > 0) {
                    float p = v0 * in0[k];
                    s = s + p;
                }
                if (n > 1) {
                    float p = v1 * in1[k];
                    s = s + p;
                }
                if (n > 2) {
                    float p = v2 * in2[k];
                    s = s + p;
                }
                if (n > 3) {
                    float p = v3 * in3[k];
                    s = s + p;
                }
                if (n > 4) {
                    float p = v4 * in4[k];
                    s = s + p;
                }
                if (n > 5) {
                    float p = v5 * in5[k];
                    s = s + p;
                }
                if (n > 6) {
                    float p = v6 * in6[k];
                    s = s + p;
                }
                if (n > 7) {
                    float p = v7 * in7[k];
                    s = s + p;
                }
                out[k] = s;
            }
        }
    }

    /** out[k] = start[k] + Σ_{j<n} w[j]·(in_j[k] − self[k]) with start = self or a running sum. */
    static final class MixDifferencesKernel extends Kernel {
        private final float[][] unused = new float[SLOTS + 1][1];
        float[] out = new float[1];
        float[] self = new float[1];
        float[] sum = unused[SLOTS];
        int fromSelf;
        float[] in0 = unused[0];
        float[] in1 = unused[1];
        float[] in2 = unused[2];
        float[] in3 = unused[3];
        float[] in4 = unused[4];
        float[] in5 = unused[5];
        float[] in6 = unused[6];
        float[] in7 = unused[7];
        float v0;
        float v1;
        float v2;
        float v3;
        float v4;
        float v5;
        float v6;
        float v7;
        int n;
        int count;

        void bind(float[] out, float[] self, float[] sum, float[] weights, float[][] inputs, int from, int n, int count) {
            this.out = out;
            this.self = self;
            this.fromSelf = sum == null ? 1 : 0;
            this.n = n;
            this.count = count;
            for (int j = 0; j <= SLOTS; j++) {
                if ((j >= n || j == SLOTS) && unused[j].length < count) {
                    unused[j] = new float[count];
                }
            }
            this.sum = sum == null ? unused[SLOTS] : sum;
            v0 = n > 0 ? weights[from] : 0f;
            v1 = n > 1 ? weights[from + 1] : 0f;
            v2 = n > 2 ? weights[from + 2] : 0f;
            v3 = n > 3 ? weights[from + 3] : 0f;
            v4 = n > 4 ? weights[from + 4] : 0f;
            v5 = n > 5 ? weights[from + 5] : 0f;
            v6 = n > 6 ? weights[from + 6] : 0f;
            v7 = n > 7 ? weights[from + 7] : 0f;
            in0 = n > 0 ? inputs[from] : unused[0];
            in1 = n > 1 ? inputs[from + 1] : unused[1];
            in2 = n > 2 ? inputs[from + 2] : unused[2];
            in3 = n > 3 ? inputs[from + 3] : unused[3];
            in4 = n > 4 ? inputs[from + 4] : unused[4];
            in5 = n > 5 ? inputs[from + 5] : unused[5];
            in6 = n > 6 ? inputs[from + 6] : unused[6];
            in7 = n > 7 ? inputs[from + 7] : unused[7];
            put(self);
            if (sum != null) {
                put(sum);
            }
            float[][] bound = {in0, in1, in2, in3, in4, in5, in6, in7};
            for (int j = 0; j < n; j++) {
                put(bound[j]);
            }
        }

        @Override
        public void run() {
            int k = getGlobalId();
            if (k < count) {
                float own = self[k];
                float s = own;
                if (fromSelf == 0) {
                    s = sum[k];
                }
                if (n > 0) {
                    float d = in0[k] - own;
                    float p = v0 * d;
                    s = s + p;
                }
                if (n > 1) {
                    float d = in1[k] - own;
                    float p = v1 * d;
                    s = s + p;
                }
                if (n > 2) {
                    float d = in2[k] - own;
                    float p = v2 * d;
                    s = s + p;
                }
                if (n > 3) {
                    float d = in3[k] - own;
                    float p = v3 * d;
                    s = s + p;
                }
                if (n > 4) {
                    float d = in4[k] - own;
                    float p = v4 * d;
                    s = s + p;
                }
                if (n > 5) {
                    float d = in5[k] - own;
                    float p = v5 * d;
                    s = s + p;
                }
                if (n > 6) {
                    float d = in6[k] - own;
                    float p = v6 * d;
                    s = s + p;
                }
                if (n > 7) {
                    float d = in7[k] - own;
                    float p = v7 * d;
                    s = s + p;
                }
                out[k] = s;
            }
        }
    }

    /** out[k] = alpha·a[k] + beta·b[k], one work-item per k. */
    static final class AxpbyKernel extends Kernel {
        float[] out = new float[1];
        float[] a = new float[1];
        float[] b = new float[1];
        float alpha;
        float beta;
        int count;

        @Override
        public void run() {
            int k = getGlobalId();
            if (k < count) {
                float p = alpha * a[k];
                float q = beta * b[k];
                out[k] = p + q;
            }
        }
    }
}
