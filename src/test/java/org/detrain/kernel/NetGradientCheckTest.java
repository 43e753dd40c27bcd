package org.detrain.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.detrain.model.Models;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * LeNet-5's gradient (both input shapes, Java reference and OpenCL) against central finite
 * differences. ReLU and max-pooling make the loss piecewise smooth, and LeNet's first layers feed so
 * many of them that some kink lies within any useful step of most parameters; a difference across a
 * kink measures the average of two slopes. So a parameter is checked only where the network's
 * pattern — which units are active, which element wins each pooling window — is the same at x − h,
 * x and x + h, and the check then has to agree to 0.5 % plus the rounding of a float32 loss. At
 * least a third of the sampled parameters of every layer must be checkable, so the test cannot pass
 * by skipping.
 */
class NetGradientCheckTest {
    private static final float H = 1e-3f;
    /** Rounding of a float32 loss of this size (LeNet's forward pass accumulates some 20 ulps), as an error of the quotient. */
    private static double noise(double loss) {
        return 32 * Math.ulp((float) Math.max(1, Math.abs(loss))) / (2 * H);
    }

    /** Loss of the batch (mean of per-sample float losses, summed in double) and the activation pattern. */
    private record Eval(double loss, boolean[] pattern) {
    }

    private static Eval eval(NetEngine e, float[] params, int n, float[] grad) {
        if (grad == null) {
            e.forward(params, n);
        } else {
            e.trainStep(params, n, grad);
        }
        double loss = 0;
        for (int s = 0; s < n; s++) {
            loss += e.loss(s);
        }
        NetProgram p = e.program();
        float[] m = e.workspace();
        int cap = e.capacity();
        StringBuilder bits = new StringBuilder();
        boolean[] pattern = new boolean[0];
        int size = 0;
        for (int i = 0; i < p.regions.length; i += 4) { // activations (each tensor's first region)
            size += n * p.regions[i + 1];
        }
        for (int q = 0; q < p.pooled.length; q += 4) {
            size += 2 * n * p.pooled[q + 1] * (p.pooled[q + 2] / 2) * (p.pooled[q + 3] / 2);
        }
        pattern = new boolean[size];
        int at = 0;
        for (int i = 0; i < p.regions.length; i += 4) {
            int base = p.regions[i] * cap;
            for (int k = 0; k < n * p.regions[i + 1]; k++) {
                pattern[at++] = m[base + k] > 0f;
            }
        }
        for (int q = 0; q < p.pooled.length; q += 4) {
            int base = p.pooled[q] * cap;
            int c = p.pooled[q + 1];
            int h = p.pooled[q + 2];
            int w = p.pooled[q + 3];
            for (int s = 0; s < n; s++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < h; y += 2) {
                        for (int x = 0; x < w; x += 2) {
                            int i = base + s * c * h * w + (ch * h + y) * w + x;
                            float[] v = {m[i], m[i + 1], m[i + w], m[i + w + 1]};
                            int arg = 0;
                            for (int k = 1; k < 4; k++) {
                                if (v[k] > v[arg]) {
                                    arg = k;
                                }
                            }
                            pattern[at++] = (arg & 1) != 0;
                            pattern[at++] = (arg & 2) != 0;
                        }
                    }
                }
            }
        }
        bits.setLength(0);
        return new Eval(loss / n, pattern);
    }

    private static void check(NetProgram program, ComputeDevice device, int n, int perBlock, long seed) {
        check(program, NetEngine.create(program, device, n), n, perBlock, seed);
    }

    private static void check(NetProgram program, NetEngine e, int n, int perBlock, long seed) {
        Rng rng = new Rng(seed);
        try {
            for (int i = 0; i < n * program.inputSize(); i++) {
                e.input()[i] = (float) rng.nextDouble();
            }
            for (int s = 0; s < n; s++) {
                e.labels()[s] = rng.nextInt(program.classes());
            }
            float[] x = new float[program.dim()];
            for (NetProgram.Block b : program.blocks()) {
                for (int k = b.offset(); k < b.offset() + b.count(); k++) {
                    // positive biases put fewer ReLU inputs near their kink at 0
                    x[k] = (float) (b.initStd() == 0 ? 0.5 + 0.05 * rng.nextGaussian() : b.initStd() * rng.nextGaussian());
                }
            }
            float[] grad = new float[program.dim()];
            Eval centre = eval(e, x, n, grad);
            StringBuilder failures = new StringBuilder();
            for (NetProgram.Block b : program.blocks()) {
                int checked = 0;
                for (int t = 0; t < perBlock; t++) {
                    int k = b.offset() + rng.nextInt(b.count());
                    float saved = x[k];
                    x[k] = saved + H;
                    Eval up = eval(e, x, n, null);
                    x[k] = saved - H;
                    Eval down = eval(e, x, n, null);
                    x[k] = saved;
                    if (!Arrays.equals(up.pattern, centre.pattern) || !Arrays.equals(down.pattern, centre.pattern)) {
                        continue; // a kink within ±h: the difference quotient is no derivative here
                    }
                    checked++;
                    double numeric = (up.loss - down.loss) / ((double) (saved + H) - (double) (saved - H));
                    if (Math.abs(numeric - grad[k]) > 5e-3 * Math.abs(numeric) + noise(centre.loss)) {
                        failures.append(String.format("%n  parameter %d (block at %d): analytic %.6g, central difference %.6g",
                                k, b.offset(), grad[k], numeric));
                    }
                }
                assertTrue(checked * 3 >= perBlock, "only " + checked + " of " + perBlock + " parameters of the block at "
                        + b.offset() + " are away from kinks; the test needs another seed or a smaller h");
            }
            assertTrue(failures.length() == 0, "gradient of " + program.dim() + " parameters on " + e.device() + failures);
        } finally {
            e.close();
        }
    }

    @Test
    void lenetOn28x28x1MatchesFiniteDifferences() {
        check(Models.lenetProgram(new int[] {1, 28, 28}, 10), ComputeDevice.JAVA, 1, 9, 21);
    }

    @Test
    void lenetOn32x32x3MatchesFiniteDifferences() {
        check(Models.lenetProgram(new int[] {3, 32, 32}, 10), ComputeDevice.JAVA, 1, 9, 22);
    }

    /** The plain reference's backward passes, checked on their own (the fast engines are held against them). */
    @Test
    void referenceEngineMatchesFiniteDifferences() {
        NetProgram program = Models.lenetProgram(new int[] {1, 28, 28}, 10);
        check(program, new NetRef(program, 1), 1, 9, 24);
        NetProgram mlp = Models.mlpProgram(30, new int[] {12, 7}, 5);
        check(mlp, new NetRef(mlp, 3), 3, 9, 25);
    }

    @Test
    void lenetOnOpenClMatchesFiniteDifferences() {
        check(Models.lenetProgram(new int[] {1, 28, 28}, 10), OpenClAvailable.device(), 1, 6, 23);
    }
}
