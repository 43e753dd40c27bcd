package org.detrain.kernel;

import static org.detrain.kernel.NetProgram.STRIDE;

/**
 * The plain reference engine: a {@link NetProgram} executed the obvious way, as a textbook would
 * write each layer — nested loops over samples, channels, rows and columns, one output element at a
 * time, row-major tensors throughout, one thread, no Vector API and no second layout. It is slow
 * and meant for tests and device checks: both fast engines ({@link JavaNet}, {@link NetKernel}) are
 * held against it ({@link ReferenceCheck}).
 *
 * <p><b>Accumulation in double.</b> Every sum (a dense or convolution output, a gradient, the
 * softmax normaliser) is accumulated in double from float32 operands and rounded to float32 once,
 * when it is stored. A product of two floats is exact in double, so a sum of m terms is off by at
 * most about m·2⁻⁵³·Σ|terms| before that final rounding: the reference is, to float32 precision,
 * the exact result of its inputs whatever order it adds in. A float32 engine then differs from it
 * only by its own rounding, which is bounded for any summation order by γ_m·Σ|terms|
 * (γ_m = m·2⁻²⁴/(1 − m·2⁻²⁴)); that makes the tolerance of the comparison a derived bound rather
 * than a guess, and an engine's mistake of any size cannot hide behind the reference's own
 * rounding. Tensors between passes are float32, as in the engines.
 */
final class NetRef extends NetEngine {
    private final NetBuffers buffers;

    NetRef(NetProgram program, int capacity) {
        super(program, capacity);
        buffers = new NetBuffers(program, capacity);
    }

    @Override
    public String device() {
        return "reference";
    }

    @Override
    public float[] input() {
        return buffers.input;
    }

    @Override
    public int[] labels() {
        return buffers.labels;
    }

    @Override
    public void trainStep(float[] params, int n, float[] grad) {
        run(params, n, program.passes);
        System.arraycopy(buffers.gradient, 0, grad, 0, program.dim);
    }

    @Override
    public void forward(float[] params, int n) {
        run(params, n, program.forwardPasses);
    }

    private void run(float[] params, int n, int passes) {
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException("batch of " + n + " outside [1, " + capacity + "]");
        }
        for (int pass = 0; pass < passes; pass++) {
            runPass(program, pass, params, n, buffers);
        }
    }

    @Override
    public float loss(int s) {
        return buffers.results[s];
    }

    @Override
    public float correct(int s) {
        return buffers.results[capacity + s];
    }

    @Override
    float[] workspace() {
        return buffers.workspace;
    }

    /** Runs pass {@code pass} of the program on n samples of {@code b}, reading and writing only b. */
    static void runPass(NetProgram program, int pass, float[] params, int n, NetBuffers b) {
        int[] c = program.code;
        int at = pass * STRIDE;
        switch (c[at]) {
            case NetProgram.DENSE_FWD -> denseForward(b, params, n, c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5],
                    c[at + 6], c[at + 7] == 1, c[at + 8] == 1);
            case NetProgram.XENT -> softmaxCrossEntropy(b, n, c[at + 1], c[at + 2], c[at + 3]);
            case NetProgram.DENSE_BWD_W -> denseWeightGradient(b, n, c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5],
                    c[at + 6], c[at + 7] == 1);
            case NetProgram.DENSE_BWD_IN -> denseInputGradient(b, params, n, c[at + 1], c[at + 2], c[at + 3], c[at + 4],
                    c[at + 5], c[at + 6], c[at + 7] == 1);
            case NetProgram.CONV_FWD -> convForward(b, params, n, c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5],
                    c[at + 6], c[at + 7], c[at + 8], c[at + 9] == 1);
            case NetProgram.POOL_FWD -> poolForward(b, n, c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5]);
            case NetProgram.POOL_BWD -> poolBackward(b, n, c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], c[at + 6],
                    c[at + 7] == 1);
            case NetProgram.CONV_BWD_W -> convWeightGradient(b, n, c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5],
                    c[at + 6], c[at + 7], c[at + 8]);
            case NetProgram.CONV_BWD_IN -> convInputGradient(b, params, n, c[at + 1], c[at + 2], c[at + 3], c[at + 4],
                    c[at + 5], c[at + 6], c[at + 7], c[at + 8]);
            default -> throw new IllegalStateException("op " + c[at]);
        }
    }

    /** W[j,k] of a dense layer: at k·J + j (input-major) or j·K + k (output-major). */
    private static float weight(float[] params, int weightsAt, boolean inputMajor, int j, int k, int inWidth, int outWidth) {
        return params[inputMajor ? weightsAt + k * outWidth + j : weightsAt + j * inWidth + k];
    }

    /** out[s,j] = act(b[j] + Σ_k W[j,k]·in[s,k]) */
    private static void denseForward(NetBuffers b, float[] params, int n, int inBase, int inSource, int inWidth,
                                     int outBase, int outWidth, int weightsAt, boolean relu, boolean inputMajor) {
        float[] in = b.source(inSource);
        int biasAt = weightsAt + outWidth * inWidth;
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < outWidth; j++) {
                double sum = params[biasAt + j];
                for (int k = 0; k < inWidth; k++) {
                    sum += (double) weight(params, weightsAt, inputMajor, j, k, inWidth, outWidth)
                            * in[inBase * b.capacity + s * inWidth + k];
                }
                b.workspace[outBase * b.capacity + s * outWidth + j] = activate(sum, relu);
            }
        }
    }

    private static float activate(double sum, boolean relu) {
        return relu && sum < 0 ? 0f : (float) sum;
    }

    /* loss_s = log Σ_c exp(z_c) − z_y; correct_s = [first argmax z = y]; dz_c = (softmax(z)_c − [c = y]) / n */
    private static void softmaxCrossEntropy(NetBuffers b, int n, int logitsBase, int classes, int gradBase) {
        for (int s = 0; s < n; s++) {
            int row = logitsBase * b.capacity + s * classes;
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (b.workspace[row + c] > b.workspace[row + best]) {
                    best = c;
                }
            }
            double max = b.workspace[row + best];
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(b.workspace[row + c] - max);
            }
            double logSumExp = max + Math.log(sum);
            int y = b.labels[s];
            b.results[s] = (float) (logSumExp - b.workspace[row + y]);
            b.results[b.capacity + s] = best == y ? 1f : 0f;
            for (int c = 0; c < classes; c++) {
                double softmax = Math.exp(b.workspace[row + c] - logSumExp);
                b.workspace[gradBase * b.capacity + s * classes + c] = (float) ((softmax - (c == y ? 1 : 0)) / n);
            }
        }
    }

    /** dW[j,k] = Σ_s dz[s,j]·in[s,k]; db[j] = Σ_s dz[s,j] */
    private static void denseWeightGradient(NetBuffers b, int n, int inBase, int inSource, int inWidth, int gradBase,
                                            int outWidth, int weightsAt, boolean inputMajor) {
        float[] in = b.source(inSource);
        for (int j = 0; j < outWidth; j++) {
            for (int k = 0; k < inWidth; k++) {
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    sum += (double) b.workspace[gradBase * b.capacity + s * outWidth + j]
                            * in[inBase * b.capacity + s * inWidth + k];
                }
                b.gradient[inputMajor ? weightsAt + k * outWidth + j : weightsAt + j * inWidth + k] = (float) sum;
            }
            double bias = 0;
            for (int s = 0; s < n; s++) {
                bias += b.workspace[gradBase * b.capacity + s * outWidth + j];
            }
            b.gradient[weightsAt + outWidth * inWidth + j] = (float) bias;
        }
    }

    /** din[s,k] = Σ_j dz[s,j]·W[j,k], zero where the ReLU that made in[s,k] was off (a ≤ 0) */
    private static void denseInputGradient(NetBuffers b, float[] params, int n, int gradBase, int outWidth, int weightsAt,
                                           int inWidth, int inGradBase, int maskBase, boolean inputMajor) {
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < inWidth; k++) {
                double sum = 0;
                for (int j = 0; j < outWidth; j++) {
                    sum += (double) b.workspace[gradBase * b.capacity + s * outWidth + j]
                            * weight(params, weightsAt, inputMajor, j, k, inWidth, outWidth);
                }
                boolean off = maskBase >= 0 && b.workspace[maskBase * b.capacity + s * inWidth + k] <= 0f;
                b.workspace[inGradBase * b.capacity + s * inWidth + k] = off ? 0f : (float) sum;
            }
        }
    }

    /** out[s,o,y,x] = act(b[o] + Σ_{c,ky,kx} K[o,c,ky,kx]·in[s,c,y+ky,x+kx]), K at ((o·C + c)·5 + ky)·5 + kx */
    private static void convForward(NetBuffers b, float[] params, int n, int inBase, int inSource, int channels,
                                    int height, int width, int outBase, int filters, int weightsAt, boolean relu) {
        float[] in = b.source(inSource);
        int outHeight = height - 4;
        int outWidth = width - 4;
        int inSize = channels * height * width;
        int outSize = filters * outHeight * outWidth;
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < filters; o++) {
                for (int y = 0; y < outHeight; y++) {
                    for (int x = 0; x < outWidth; x++) {
                        double sum = params[weightsAt + filters * channels * 25 + o];
                        for (int c = 0; c < channels; c++) {
                            for (int ky = 0; ky < 5; ky++) {
                                for (int kx = 0; kx < 5; kx++) {
                                    sum += (double) params[weightsAt + ((o * channels + c) * 5 + ky) * 5 + kx]
                                            * in[inBase * b.capacity + s * inSize + (c * height + y + ky) * width + x + kx];
                                }
                            }
                        }
                        b.workspace[outBase * b.capacity + s * outSize + (o * outHeight + y) * outWidth + x] =
                                activate(sum, relu);
                    }
                }
            }
        }
    }

    /** out[s,c,y,x] = max over the window in[s,c,2y..2y+1,2x..2x+1] */
    private static void poolForward(NetBuffers b, int n, int inBase, int channels, int height, int width, int outBase) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < outHeight; y++) {
                    for (int x = 0; x < outWidth; x++) {
                        int winner = poolWinner(b, inBase, s, channels, height, width, c, y, x);
                        b.workspace[outBase * b.capacity + s * channels * outHeight * outWidth
                                + (c * outHeight + y) * outWidth + x] = b.workspace[winner];
                    }
                }
            }
        }
    }

    /**
     * The workspace index of the first maximum of a pooling window, scanning (0,0), (0,1), (1,0),
     * (1,1) and replacing only on a strictly greater value (the element the gradient goes to).
     */
    private static int poolWinner(NetBuffers b, int actBase, int s, int channels, int height, int width, int c, int y,
                                  int x) {
        int best = -1;
        for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
                int i = actBase * b.capacity + s * channels * height * width + (c * height + 2 * y + dy) * width + 2 * x + dx;
                if (best < 0 || b.workspace[i] > b.workspace[best]) {
                    best = i;
                }
            }
        }
        return best;
    }

    /** din = dout at each window's first maximum, 0 elsewhere; 0 too where the ReLU before the pool was off */
    private static void poolBackward(NetBuffers b, int n, int outGradBase, int channels, int height, int width,
                                     int actBase, int inGradBase, boolean relu) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        int inSize = channels * height * width;
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < inSize; i++) {
                b.workspace[inGradBase * b.capacity + s * inSize + i] = 0f;
            }
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < outHeight; y++) {
                    for (int x = 0; x < outWidth; x++) {
                        int winner = poolWinner(b, actBase, s, channels, height, width, c, y, x);
                        float dOut = b.workspace[outGradBase * b.capacity + s * channels * outHeight * outWidth
                                + (c * outHeight + y) * outWidth + x];
                        boolean off = relu && b.workspace[winner] <= 0f;
                        b.workspace[winner - actBase * b.capacity + inGradBase * b.capacity] = off ? 0f : dOut;
                    }
                }
            }
        }
    }

    /** dK[o,c,ky,kx] = Σ_s Σ_{y,x} dz[s,o,y,x]·in[s,c,y+ky,x+kx]; db[o] = Σ_s Σ_{y,x} dz[s,o,y,x] */
    private static void convWeightGradient(NetBuffers b, int n, int inBase, int inSource, int channels, int height,
                                           int width, int outGradBase, int filters, int weightsAt) {
        float[] in = b.source(inSource);
        int outHeight = height - 4;
        int outWidth = width - 4;
        int inSize = channels * height * width;
        int outSize = filters * outHeight * outWidth;
        for (int o = 0; o < filters; o++) {
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < 5; ky++) {
                    for (int kx = 0; kx < 5; kx++) {
                        double sum = 0;
                        for (int s = 0; s < n; s++) {
                            for (int y = 0; y < outHeight; y++) {
                                for (int x = 0; x < outWidth; x++) {
                                    sum += (double) b.workspace[outGradBase * b.capacity + s * outSize
                                            + (o * outHeight + y) * outWidth + x]
                                            * in[inBase * b.capacity + s * inSize + (c * height + y + ky) * width + x + kx];
                                }
                            }
                        }
                        b.gradient[weightsAt + ((o * channels + c) * 5 + ky) * 5 + kx] = (float) sum;
                    }
                }
            }
            double bias = 0;
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < outHeight * outWidth; i++) {
                    bias += b.workspace[outGradBase * b.capacity + s * outSize + o * outHeight * outWidth + i];
                }
            }
            b.gradient[weightsAt + filters * channels * 25 + o] = (float) bias;
        }
    }

    /** din[s,c,y,x] = Σ_{o,ky,kx} K[o,c,ky,kx]·dz[s,o,y−ky,x−kx] over the terms inside dz, then the ReLU mask */
    private static void convInputGradient(NetBuffers b, float[] params, int n, int outGradBase, int filters,
                                          int channels, int height, int width, int weightsAt, int inGradBase,
                                          int maskBase) {
        int outHeight = height - 4;
        int outWidth = width - 4;
        int inSize = channels * height * width;
        int outSize = filters * outHeight * outWidth;
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double sum = 0;
                        for (int o = 0; o < filters; o++) {
                            for (int ky = 0; ky < 5; ky++) {
                                for (int kx = 0; kx < 5; kx++) {
                                    int oy = y - ky;
                                    int ox = x - kx;
                                    if (oy >= 0 && oy < outHeight && ox >= 0 && ox < outWidth) {
                                        sum += (double) params[weightsAt + ((o * channels + c) * 5 + ky) * 5 + kx]
                                                * b.workspace[outGradBase * b.capacity + s * outSize
                                                + (o * outHeight + oy) * outWidth + ox];
                                    }
                                }
                            }
                        }
                        int i = s * inSize + (c * height + y) * width + x;
                        boolean off = maskBase >= 0 && b.workspace[maskBase * b.capacity + i] <= 0f;
                        b.workspace[inGradBase * b.capacity + i] = off ? 0f : (float) sum;
                    }
                }
            }
        }
    }
}
