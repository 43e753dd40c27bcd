package org.detrain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.detrain.model.Models;
import org.detrain.util.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every op of {@link NetKernel} against its twin {@link JavaNet}, the fast Java engine, on random
 * shapes (both are held against the plain reference in {@link NetRefTest}):
 * after a training step, every activation and gradient in the workspace, the parameter gradient
 * and the per-sample losses agree to a relative error of 1e-5 (float32), region by region. Plus
 * hand-computed cases that fix what the twins compute.
 */
class NetKernelTwinTest {
    private static final List<NetEngine> OPEN = new ArrayList<>();

    @AfterAll
    static void release() {
        OPEN.forEach(NetEngine::close);
    }

    /** ‖a − b‖∞ / max(‖b‖∞, tiny) over [from, to). */
    static double relError(float[] a, float[] b, int from, int to) {
        double diff = 0;
        double scale = 0;
        for (int i = from; i < to; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs((double) b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    private static NetProgram randomProgram(Rng rng, boolean conv) {
        if (!conv) {
            NetProgram.Builder b = new NetProgram.Builder(1, 1, 1 + rng.nextInt(70));
            int layers = rng.nextInt(3);
            for (int l = 0; l < layers; l++) {
                b.dense(1 + rng.nextInt(40), rng.nextInt(2) == 0);
            }
            return b.dense(2 + rng.nextInt(9), false).softmaxCrossEntropy();
        }
        // conv → pool → conv → pool → dense: sizes so that every pool sees an even side
        int side2 = 2 * (1 + rng.nextInt(2)) + 4;      // conv2 input side: 6 or 8 → output 2 or 4
        int side1 = 2 * side2 + 4;                       // conv1 input side
        int channels = 1 + rng.nextInt(3);
        return new NetProgram.Builder(channels, side1, side1)
                .conv(1 + rng.nextInt(5), rng.nextInt(3) > 0).pool()
                .conv(1 + rng.nextInt(6), true).pool()
                .dense(1 + rng.nextInt(20), true).dense(2 + rng.nextInt(5), false).softmaxCrossEntropy();
    }

    private static void fill(NetEngine e, int n, Rng rng) {
        NetProgram p = e.program();
        float[] x = e.input();
        for (int i = 0; i < n * p.inputSize(); i++) {
            x[i] = (float) rng.nextDouble();
        }
        for (int s = 0; s < n; s++) {
            e.labels()[s] = rng.nextInt(p.classes());
        }
    }

    private static void compare(NetProgram program, ComputeDevice device, Rng rng) {
        int capacity = 1 + rng.nextInt(40);
        int n = 1 + rng.nextInt(capacity);
        NetEngine java = NetEngine.create(program, ComputeDevice.JAVA, capacity);
        NetEngine cl = NetEngine.create(program, device, capacity);
        OPEN.add(cl);
        fill(java, n, rng);
        System.arraycopy(java.input(), 0, cl.input(), 0, n * program.inputSize());
        System.arraycopy(java.labels(), 0, cl.labels(), 0, n);
        float[] params = new float[program.dim()];
        for (int k = 0; k < params.length; k++) {
            params[k] = (float) (0.3 * rng.nextGaussian());
        }
        float[] gj = new float[program.dim()];
        float[] gc = new float[program.dim()];
        java.trainStep(params, n, gj);
        cl.trainStep(params, n, gc);
        String what = program + " n=" + n + " on " + device;
        // region by region: every op's output (activation or gradient) for the n samples
        float[] mj = java.workspace();
        float[] mc = cl.workspace();
        for (int i = 0; i < program.regions.length; i += 2) {
            int base = program.regions[i] * capacity;
            double e = relError(mc, mj, base, base + n * program.regions[i + 1]);
            assertTrue(e <= 1e-5, "workspace region " + i / 2 + " rel. error " + e + " in " + what);
        }
        for (NetProgram.Block b : program.blocks()) {
            double e = relError(gc, gj, b.offset(), b.offset() + b.count());
            assertTrue(e <= 1e-5, "gradient block at " + b.offset() + " rel. error " + e + " in " + what);
        }
        for (int s = 0; s < n; s++) {
            assertEquals(java.loss(s), cl.loss(s), 1e-5 * Math.max(1, Math.abs(java.loss(s))), "loss of sample " + s);
        }
    }

    @Test
    void denseOpsMatchTheirJavaTwinsOnRandomShapes() {
        ComputeDevice device = OpenClAvailable.device();
        Rng rng = new Rng(41);
        for (int round = 0; round < 6; round++) {
            compare(randomProgram(rng, false), device, rng);
        }
    }

    @Test
    void convAndPoolOpsMatchTheirJavaTwinsOnRandomShapes() {
        ComputeDevice device = OpenClAvailable.device();
        Rng rng = new Rng(42);
        for (int round = 0; round < 4; round++) {
            compare(randomProgram(rng, true), device, rng);
        }
    }

    /** The Java engine with 3 threads gives the same bits as with 1 (outputs are split, never sums). */
    @Test
    void javaEngineThreadsDoNotChangeABit() {
        Rng rng = new Rng(44);
        for (boolean conv : new boolean[] {false, true, true}) {
            NetProgram program = randomProgram(rng, conv);
            int n = 1 + rng.nextInt(12);
            NetEngine one = NetEngine.create(program, ComputeDevice.JAVA, n);
            NetEngine three = NetEngine.create(program, ComputeDevice.java(3), n);
            fill(one, n, rng);
            System.arraycopy(one.input(), 0, three.input(), 0, n * program.inputSize());
            System.arraycopy(one.labels(), 0, three.labels(), 0, n);
            float[] params = new float[program.dim()];
            for (int k = 0; k < params.length; k++) {
                params[k] = (float) (0.3 * rng.nextGaussian());
            }
            float[] g1 = new float[program.dim()];
            float[] g3 = new float[program.dim()];
            one.trainStep(params, n, g1);
            three.trainStep(params, n, g3);
            org.junit.jupiter.api.Assertions.assertArrayEquals(g1, g3, "gradient");
            org.junit.jupiter.api.Assertions.assertArrayEquals(one.workspace(), three.workspace(), "workspace");
            for (int s = 0; s < n; s++) {
                assertEquals(one.loss(s), three.loss(s), 0f);
            }
            one.close();
            three.close();
        }
    }

    /**
     * The Java engine keeps convolution tensors in its own lane layout between passes; a step after
     * steps and evaluations of other batch sizes must give the same bits as on a fresh engine.
     */
    @Test
    void javaEngineGivesTheSameBitsAfterOtherBatchSizes() {
        Rng rng = new Rng(45);
        NetProgram program = Models.lenetProgram(new int[] {1, 28, 28}, 10);
        int cap = 40;
        float[] params = new float[program.dim()];
        for (int k = 0; k < params.length; k++) {
            params[k] = (float) (0.1 * rng.nextGaussian());
        }
        NetEngine fresh = NetEngine.create(program, ComputeDevice.JAVA, cap);
        NetEngine used = NetEngine.create(program, ComputeDevice.JAVA, cap);
        fill(fresh, cap, rng);
        float[] input = fresh.input().clone();
        int[] labels = fresh.labels().clone();
        float[] scratch = new float[program.dim()];
        fill(used, cap, rng); // other samples first
        used.trainStep(params, 33, scratch);
        used.forward(params, 5);
        used.trainStep(params, 21, scratch); // the same size as the step compared: only the input changes
        System.arraycopy(input, 0, used.input(), 0, input.length);
        System.arraycopy(labels, 0, used.labels(), 0, labels.length);
        float[] g1 = new float[program.dim()];
        float[] g2 = new float[program.dim()];
        fresh.trainStep(params, 21, g1);
        used.trainStep(params, 21, g2);
        org.junit.jupiter.api.Assertions.assertArrayEquals(g1, g2, "gradient");
        for (int s = 0; s < 21; s++) {
            assertEquals(fresh.loss(s), used.loss(s), 0f);
        }
        float[] mf = fresh.workspace();
        float[] mu = used.workspace();
        for (int i = 0; i < program.regions.length; i += 2) { // the 21 samples of every tensor
            int base = program.regions[i] * cap;
            int len = 21 * program.regions[i + 1];
            org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOfRange(mf, base, base + len),
                    java.util.Arrays.copyOfRange(mu, base, base + len), "workspace region " + i / 2);
        }
        fresh.close();
        used.close();
    }

    @Test
    void opsMatchOnJavaThreadPool() {
        Rng rng = new Rng(43);
        ComputeDevice jtp = ComputeDevice.select("jtp");
        compare(randomProgram(rng, false), jtp, rng);
        compare(randomProgram(rng, true), jtp, rng);
    }
}
