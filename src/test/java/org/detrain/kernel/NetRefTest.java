package org.detrain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.detrain.model.Models;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * Both fast engines against the plain reference {@link NetRef} ({@link ReferenceCheck}: every pass
 * within its derived float32 bound on the engine's own inputs, losses and gradients end to end):
 * the Java engine with 1 and 3 threads, the Aparapi kernel on Aparapi's Java thread pool, and on
 * OpenCL where a platform is present (PoCL here). Shapes: random dense stacks (both weight
 * layouts), random convolution/pooling stacks on non-square inputs, LeNet-5 on both input shapes
 * at a batch that is not a whole number of vectors, and the MLP. Plus hand-computed cases that fix
 * what the reference itself computes.
 */
class NetRefTest {
    private static final float U = 0x1p-24f;

    /** A random dense stack: 0-2 hidden layers, each layer's ReLU and weight layout at random. */
    static NetProgram randomDense(Rng rng) {
        NetProgram.Builder b = new NetProgram.Builder(1, 1, 1 + rng.nextInt(70));
        int layers = rng.nextInt(3);
        for (int l = 0; l < layers; l++) {
            b.dense(1 + rng.nextInt(40), rng.nextInt(2) == 0, 0.3, rng.nextInt(3) > 0);
        }
        return b.dense(2 + rng.nextInt(9), false, 0.3, (rng.nextInt(2) == 0)).softmaxCrossEntropy();
    }

    /** A random conv stack on an H x W input (H ≠ W mostly): conv, pool where the sides are even, conv, dense. */
    static NetProgram randomConv(Rng rng) {
        int channels = 1 + rng.nextInt(3);
        int height = 2 * (5 + rng.nextInt(5));
        int width = 2 * (5 + rng.nextInt(5));
        NetProgram.Builder b = new NetProgram.Builder(channels, height, width).conv(1 + rng.nextInt(5), rng.nextInt(3) > 0);
        int h = height - 4;
        int w = width - 4;
        if (rng.nextInt(3) > 0) {
            b.pool();
            h /= 2;
            w /= 2;
        }
        if (h >= 5 && w >= 5) {
            b.conv(1 + rng.nextInt(6), true);
            h -= 4;
            w -= 4;
            if (h % 2 == 0 && w % 2 == 0 && (rng.nextInt(2) == 0)) {
                b.pool();
            }
        }
        if ((rng.nextInt(2) == 0)) {
            b.dense(1 + rng.nextInt(20), true);
        }
        return b.dense(2 + rng.nextInt(5), false).softmaxCrossEntropy();
    }

    private static List<NetProgram> namedPrograms() {
        return List.of(Models.lenetProgram(new int[] {1, 28, 28}, 10), Models.lenetProgram(new int[] {3, 32, 32}, 10),
                Models.mlpProgram(784, new int[] {128}, 10), Models.softmaxProgram(784, 10));
    }

    private static void assertAgrees(NetProgram program, ComputeDevice device, int capacity, int n, long seed) {
        ReferenceCheck.Result r = ReferenceCheck.check(program, device, capacity, n, seed);
        assertTrue(r.ok(), r.toString());
        assertEquals(program.passes(), r.passes().size());
    }

    /** Random shapes, then the named models at a batch of 19 or 33 (not a whole number of vectors). */
    private static void checkEngine(ComputeDevice device, int randomRounds, boolean named, long seed) {
        Rng rng = new Rng(seed);
        for (int round = 0; round < randomRounds; round++) {
            NetProgram program = round % 2 == 0 ? randomDense(rng) : randomConv(rng);
            int capacity = 1 + rng.nextInt(40);
            assertAgrees(program, device, capacity, 1 + rng.nextInt(capacity), rng.nextLong());
        }
        if (named) {
            for (NetProgram program : namedPrograms()) {
                int n = program.inputSize() == 3 * 32 * 32 ? 19 : 33;
                assertAgrees(program, device, 40, n, rng.nextLong());
            }
        }
    }

    @Test
    void javaEngineMatchesTheReference() {
        checkEngine(ComputeDevice.JAVA, 16, true, 51);
    }

    @Test
    void javaEngineWithThreeThreadsMatchesTheReference() {
        checkEngine(ComputeDevice.java(3), 10, true, 52);
    }

    @Test
    void aparapiOnJavaThreadPoolMatchesTheReference() {
        checkEngine(ComputeDevice.select("jtp"), 6, false, 53);
        assertAgrees(Models.lenetProgram(new int[] {1, 28, 28}, 10), ComputeDevice.select("jtp"), 8, 5, 54);
    }

    @Test
    void aparapiOnOpenClMatchesTheReference() {
        checkEngine(OpenClAvailable.device(), 10, true, 55);
    }

    /** input [1, 2], W = I (output-major), b = 0, label 1: loss = log(1 + e⁻¹), dz = (p₀, p₁ − 1). */
    @Test
    void referenceComputesADenseLayerByHand() {
        NetProgram program = new NetProgram.Builder(1, 1, 2).dense(2, false, 1, false).softmaxCrossEntropy();
        NetRef ref = new NetRef(program, 1);
        ref.input()[0] = 1;
        ref.input()[1] = 2;
        ref.labels()[0] = 1;
        float[] params = {1, 0, 0, 1, 0, 0};
        float[] grad = new float[6];
        ref.trainStep(params, 1, grad);
        double p0 = 1 / (1 + Math.exp(1));
        assertEquals(Math.log(1 + Math.exp(-1)), ref.loss(0), 2 * U);
        assertEquals(1f, ref.correct(0));
        // dW[j,k] = dz_j · x_k, db = dz
        float[] expected = {(float) p0, (float) (2 * p0), (float) -p0, (float) (-2 * p0), (float) p0, (float) -p0};
        for (int k = 0; k < 6; k++) {
            assertEquals(expected[k], grad[k], 4 * U, "gradient " + k);
        }
    }

    /**
     * A 5x5 input x = 0..24, one 5x5 filter of 0.01s with bias 0.5 (ReLU): one output 3.5; a dense
     * layer W = [1, −1] makes the logits (3.5, −3.5); label 1. Then loss = 7 + log(1 + e⁻⁷), the
     * convolution output's gradient is 2·σ(7)... with σ(−7) = p₀: dz_conv = p₀·1 + (p₁ − 1)·(−1) = 2p₀,
     * and dK[i] = 2p₀·x_i.
     */
    @Test
    void referenceComputesAConvolutionByHand() {
        NetProgram program = new NetProgram.Builder(1, 5, 5).conv(1, true).dense(2, false).softmaxCrossEntropy();
        NetRef ref = new NetRef(program, 1);
        for (int i = 0; i < 25; i++) {
            ref.input()[i] = i;
        }
        ref.labels()[0] = 1;
        float[] params = new float[program.dim()];
        for (int i = 0; i < 25; i++) {
            params[i] = 0.01f;
        }
        params[25] = 0.5f; // conv bias
        params[26] = 1; // W[k=0][j=0]
        params[27] = -1; // W[k=0][j=1]
        float[] grad = new float[program.dim()];
        ref.trainStep(params, 1, grad);
        double z = 0.5 + 0.01f * 300.0;
        double p0 = 1 / (1 + Math.exp(-2 * z));
        assertEquals(2 * z + Math.log(1 + Math.exp(-2 * z)), ref.loss(0), 8 * U);
        assertEquals(0f, ref.correct(0));
        for (int i : new int[] {0, 1, 12, 24}) {
            assertEquals(2 * p0 * i, grad[i], 1e-5 * Math.max(1, i), "dK " + i);
        }
        assertEquals(2 * p0, grad[25], 1e-6, "conv bias");
        assertEquals(p0 * z, grad[26], 1e-5, "dW[0][0]");
    }

    /** Max pooling: a window's first maximum wins and alone gets the gradient (ties included). */
    @Test
    void referencePoolsTheFirstMaximum() {
        NetProgram program = new NetProgram.Builder(1, 6, 6).conv(1, false).pool().dense(2, false).softmaxCrossEntropy();
        NetBuffers b = new NetBuffers(program, 1);
        int[] c = program.code;
        int pool = NetProgram.STRIDE; // pass 1
        int inAt = c[pool + 1];
        int outAt = c[pool + 5];
        float[] window = {3, 3, 1, 3}; // (0,0), (0,1), (1,0), (1,1) of the first window: a tie, the first wins
        b.workspace[inAt] = window[0];
        b.workspace[inAt + 1] = window[1];
        b.workspace[inAt + 2] = window[2];
        b.workspace[inAt + 3] = window[3];
        NetRef.runPass(program, 1, new float[program.dim()], 1, b);
        assertEquals(3f, b.workspace[outAt]);
        List<Integer> backward = new ArrayList<>();
        for (int pass = program.forwardPasses; pass < program.passes(); pass++) {
            if (c[pass * NetProgram.STRIDE] == NetProgram.POOL_BWD) {
                backward.add(pass);
            }
        }
        int at = backward.get(0) * NetProgram.STRIDE;
        b.workspace[c[at + 1]] = 5f; // dout of the first window
        NetRef.runPass(program, backward.get(0), new float[program.dim()], 1, b);
        int din = c[at + 6];
        assertEquals(5f, b.workspace[din]);
        assertEquals(0f, b.workspace[din + 1]);
        assertEquals(0f, b.workspace[din + 2 * 1]);
        assertEquals(0f, b.workspace[din + 2]);
    }
}
