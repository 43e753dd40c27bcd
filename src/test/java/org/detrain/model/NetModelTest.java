package org.detrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.data.DenseSamples;
import org.detrain.data.Samples;
import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.NetProgram;
import org.detrain.kernel.OpenClAvailable;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * The MLP and LeNet-5: gradients against central finite differences (Java reference and OpenCL),
 * the OpenCL models against the Java references, hand-computed cases, and the checks of a model
 * against its data and device.
 */
class NetModelTest {
    static Samples samples(int count, int features, int classes, long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[count * features];
        int[] labels = new int[count];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        for (int i = 0; i < count; i++) {
            labels[i] = rng.nextInt(classes);
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = labels[i];
        }
        return DenseSamples.of(features, classes, x, values);
    }

    private static Batch batchOf(Samples data) {
        Batch batch = new Batch(data.size(), data.featureCount());
        batch.fillRange(data, 0, data.size());
        return batch;
    }

    /**
     * Central differences on {@code perBlock} random parameters of every block (weights and biases).
     * Biases start at {@code biasShift} (plus noise): a positive shift keeps ReLU inputs away from 0,
     * where the loss has kinks that no finite difference can see past (LeNet's first convolution
     * feeds thousands of ReLUs and pooling windows per sample). Pooling's kinks remain, so for
     * LeNet a few parameters may miss as long as the checked gradient as a whole agrees to 2 %.
     */
    private static void gradientCheck(Model model, NetProgram program, Samples data, int perBlock, double biasShift,
                                      double maxMissFraction) {
        Batch batch = batchOf(data);
        float[] x = new float[model.dim()];
        model.initialize(x, new Rng(5));
        Rng pick = new Rng(6);
        for (int k = 0; k < x.length; k++) {
            x[k] += (float) (0.01 * pick.nextGaussian()); // biases off zero
        }
        for (NetProgram.Block b : program.blocks()) {
            if (b.initStd() == 0) {
                for (int k = b.offset(); k < b.offset() + b.count(); k++) {
                    x[k] += (float) biasShift;
                }
            }
        }
        float[] grad = new float[model.dim()];
        model.lossAndGradient(x, batch, grad);
        float[] scratch = new float[model.dim()];
        int checked = 0;
        int misses = 0;
        double errSq = 0;
        double normSq = 0;
        StringBuilder report = new StringBuilder();
        for (NetProgram.Block b : program.blocks()) {
            for (int t = 0; t < perBlock; t++) {
                int k = b.offset() + pick.nextInt(b.count());
                // ReLU and max-pooling make the loss piecewise smooth: a kink inside [x − h, x + h]
                // spoils one step size, rarely all three (to 1 %), while a wrong gradient matches none.
                StringBuilder tried = new StringBuilder();
                boolean matched = false;
                double middle = 0;
                for (float h : new float[] {1e-3f, 3e-4f, 1e-4f}) {
                    float saved = x[k];
                    x[k] = saved + h;
                    double up = model.lossAndGradient(x, batch, scratch);
                    x[k] = saved - h;
                    double down = model.lossAndGradient(x, batch, scratch);
                    x[k] = saved;
                    double numeric = (up - down) / ((double) (saved + h) - (double) (saved - h));
                    matched |= Math.abs(numeric - grad[k]) <= 1e-2 * Math.max(0.1, Math.abs(numeric));
                    tried.append(String.format(" h=%.0e: %.6g", h, numeric));
                    if (h == 3e-4f) {
                        middle = numeric;
                    }
                }
                checked++;
                errSq += (middle - grad[k]) * (middle - grad[k]);
                normSq += middle * middle;
                if (!matched) {
                    misses++;
                    report.append(String.format("%n  parameter %d (block at %d): analytic %.6g, central differences%s",
                            k, b.offset(), grad[k], tried));
                }
            }
        }
        String what = model.name() + " on " + model.device() + ": " + misses + " of " + checked + " parameters off" + report;
        assertTrue(misses <= maxMissFraction * checked, what);
        assertTrue(Math.sqrt(errSq / normSq) <= 2e-2, "relative error of the checked gradient " + Math.sqrt(errSq / normSq)
                + "; " + what);
    }

    private static NetModel mlp(ComputeDevice d) {
        return (NetModel) Models.create("mlp", 20, 4, "8,6", d);
    }

    /** LeNet-5's gradients are checked where no kink is near, in kernel.NetGradientCheckTest. */
    private static NetModel lenet(int features, ComputeDevice d) {
        return (NetModel) Models.create("lenet", features, 10, "128", d);
    }

    @Test
    void mlpGradientMatchesFiniteDifferences() {
        NetModel m = mlp(ComputeDevice.JAVA);
        gradientCheck(m, m.program(), samples(5, 20, 4, 1), 12, 0, 0);
    }

    @Test
    void lenetHasTheLayersOfLeNet5OnBothInputShapes() {
        // conv 5x5x6, conv 5x5x16, dense 120, 84, 10; flattened 16x4x4 (28x28) or 16x5x5 (32x32)
        assertEquals(6 * 25 + 6 + 16 * 6 * 25 + 16 + 16 * 4 * 4 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10,
                lenet(28 * 28, ComputeDevice.JAVA).dim());
        assertEquals(6 * 75 + 6 + 16 * 6 * 25 + 16 + 16 * 5 * 5 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10,
                lenet(3 * 32 * 32, ComputeDevice.JAVA).dim());
    }

    @Test
    void openClGradientsMatchFiniteDifferences() {
        ComputeDevice d = OpenClAvailable.device();
        NetModel m = mlp(d);
        try {
            gradientCheck(m, m.program(), samples(5, 20, 4, 1), 6, 0, 0);
        } finally {
            m.close();
        }
    }

    /** Loss, gradient and evaluation of a model on OpenCL against the Java reference (relative 1e-5). */
    private static void sameAsReference(Model reference, Model cl, Samples data) {
        Batch batch = batchOf(data);
        float[] x = new float[reference.dim()];
        reference.initialize(x, new Rng(9));
        float[] clInit = new float[cl.dim()];
        cl.initialize(clInit, new Rng(9));
        assertTrue(java.util.Arrays.equals(x, clInit), "same initial parameters on every device");
        float[] gr = new float[reference.dim()];
        float[] gc = new float[cl.dim()];
        double lr = reference.lossAndGradient(x, batch, gr);
        double lc = cl.lossAndGradient(x, batch, gc);
        assertEquals(lr, lc, 1e-5 * Math.abs(lr), "loss");
        double diff = 0;
        double scale = 0;
        for (int k = 0; k < gr.length; k++) {
            diff = Math.max(diff, Math.abs(gr[k] - gc[k]));
            scale = Math.max(scale, Math.abs(gr[k]));
        }
        assertTrue(diff <= 1e-5 * scale, "gradient rel. error " + diff / scale + " on " + cl.device());
        double[] ar = new double[2];
        double[] ac = new double[2];
        reference.evaluate(x, batch, ar);
        cl.evaluate(x, batch, ac);
        assertEquals(ar[0], ac[0], 1e-5 * Math.abs(ar[0]), "evaluation loss");
        assertEquals(ar[1], ac[1], "correct predictions");
    }

    @Test
    void openClModelsMatchTheJavaReferences() {
        ComputeDevice d = OpenClAvailable.device();
        Samples images = samples(37, 28 * 28, 10, 4);
        Model softmax = Models.create("softmax", 28 * 28, 10, "128", d);
        Model mlp = Models.create("mlp", 28 * 28, 10, "32,16", d);
        Model lenet = Models.create("lenet", 28 * 28, 10, "128", d);
        try {
            sameAsReference(new SoftmaxRegression(28 * 28, 10), softmax, images);
            sameAsReference(Models.create("mlp", 28 * 28, 10, "32,16", ComputeDevice.JAVA), mlp, images);
            sameAsReference(Models.create("lenet", 28 * 28, 10, "128", ComputeDevice.JAVA), lenet, images);
            assertEquals(d.description(), lenet.device());
        } finally {
            softmax.close();
            mlp.close();
            lenet.close();
        }
    }

    @Test
    void handComputedDenseCase() {
        // input (ln 3, 0), W = I, b = 0: logits (ln 3, 0), p = (3/4, 1/4), label 0
        for (boolean inputMajor : new boolean[] {false, true}) { // W = I looks the same in both layouts
            handComputedDenseCase(inputMajor);
        }
    }

    private static void handComputedDenseCase(boolean inputMajor) {
        NetProgram p = new NetProgram.Builder(1, 1, 2).dense(2, false, 1, inputMajor).softmaxCrossEntropy();
        NetModel m = new NetModel("t", p, ComputeDevice.JAVA);
        Samples s = new Samples() {
            public int size() {
                return 1;
            }

            public int featureCount() {
                return 2;
            }

            public int classCount() {
                return 2;
            }

            public void copyFeatures(int i, float[] out, int offset) {
                out[offset] = (float) Math.log(3);
                out[offset + 1] = 0;
            }

            public int label(int i) {
                return 0;
            }

            public float target(int i) {
                return 0;
            }
        };
        float[] grad = new float[6];
        double loss = m.lossAndGradient(new float[] {1, 0, 0, 1, 0, 0}, batchOf(s), grad);
        assertEquals(Math.log(4.0 / 3.0), loss, 1e-6);
        double l3 = Math.log(3);
        // dW[j][k] = (p − e_y)_j x_k, db = p − e_y; stored W[j][k] (output-major) or W[k][j] (input-major)
        double[] expected = inputMajor ? new double[] {-l3 / 4, l3 / 4, 0, 0, -0.25, 0.25}
                : new double[] {-l3 / 4, 0, l3 / 4, 0, -0.25, 0.25};
        for (int k = 0; k < 6; k++) {
            assertEquals(expected[k], grad[k], 1e-6, "parameter " + k + (inputMajor ? " (input-major)" : ""));
        }
    }

    @Test
    void handComputedConvolutionAndPooling() {
        // a 6x6 image of ones; one 5x5 filter of 0.1 with bias 0.5 → a 2x2 map of 3.0 (ReLU keeps it),
        // max-pool → 3.0; dense 1 → 2 with W = (1, −1), b = 0 → logits (3, −3).
        NetProgram p = new NetProgram.Builder(1, 6, 6).conv(1, true).pool().dense(2, false).softmaxCrossEntropy();
        float[] params = new float[p.dim()];
        java.util.Arrays.fill(params, 0, 25, 0.1f);
        params[25] = 0.5f;
        params[26] = 1f;
        params[27] = -1f;
        NetModel m = new NetModel("t", p, ComputeDevice.JAVA);
        Samples ones = new Samples() {
            public int size() {
                return 1;
            }

            public int featureCount() {
                return 36;
            }

            public int classCount() {
                return 2;
            }

            public void copyFeatures(int i, float[] out, int offset) {
                java.util.Arrays.fill(out, offset, offset + 36, 1f);
            }

            public int label(int i) {
                return 1;
            }

            public float target(int i) {
                return 1;
            }
        };
        float[] grad = new float[p.dim()];
        double loss = m.lossAndGradient(params, batchOf(ones), grad);
        // label 1: loss = log(1 + e^6) − (−3) − 3 = log(1 + e^6) − ... : softmax(3, −3)[1] = 1/(1+e^6)
        double p1 = 1 / (1 + Math.exp(6));
        assertEquals(-Math.log(p1), loss, 1e-5);
        // dlogits = (1 − p1, p1 − 1); dense: dW = dlogits · 3, db = dlogits
        assertEquals(3 * (1 - p1), grad[26], 1e-5);
        assertEquals(3 * (p1 - 1), grad[27], 1e-5);
        assertEquals(1 - p1, grad[28], 1e-6);
        // back through the dense layer: d(pool) = W·dlogits = 2(1 − p1); only the first maximum of the
        // 2x2 window (position 0) gets it; the conv bias gradient is that, each filter weight too (inputs 1)
        double dPool = 2 * (1 - p1);
        assertEquals(dPool, grad[25], 1e-5, "conv bias");
        for (int k = 0; k < 25; k++) {
            assertEquals(dPool, grad[k], 1e-5, "conv weight " + k);
        }
    }

    @Test
    void modelsAreCheckedAgainstDataAndDevice() {
        DetrainException linearOnCl = assertThrows(DetrainException.class,
                () -> Models.check("linear", 16, 0, "128", ComputeDevice.select("jtp")));
        assertTrue(linearOnCl.getMessage().contains("device=java"), linearOnCl.getMessage());
        DetrainException lenetShape = assertThrows(DetrainException.class,
                () -> Models.check("lenet", 100, 10, "128", ComputeDevice.JAVA));
        assertTrue(lenetShape.getMessage().contains("28x28x1 or 32x32x3"), lenetShape.getMessage());
        for (String bad : new String[] {"", "12,", "0", "a", "128;64"}) {
            DetrainException e = assertThrows(DetrainException.class, () -> Models.parseHidden(bad), bad);
            assertTrue(e.getMessage().contains("model.hidden"), e.getMessage());
        }
        assertEquals(java.util.List.of(256, 128), java.util.Arrays.stream(Models.parseHidden("256, 128")).boxed().toList());
        DetrainException regression = assertThrows(DetrainException.class,
                () -> Models.check("mlp", 16, 0, "128", ComputeDevice.JAVA));
        assertTrue(regression.getMessage().contains("model=linear"), regression.getMessage());
    }
}
