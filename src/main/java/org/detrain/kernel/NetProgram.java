package org.detrain.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A feed-forward network as a list of kernel passes that the engines execute ({@link JavaNet}, the
 * fast Java engine; {@link NetKernel}, the Aparapi kernel; {@link NetRef}, the plain reference both
 * are tested against): the forward passes, then softmax
 * cross-entropy (per-sample loss, correctness and the logits' gradient), then the backward passes.
 *
 * <p>Parameters are one flat float32 array; layer by layer, a dense layer stores W (in x out, or
 * out x in for softmax regression's layout) then b (out), a convolution stores K (out x in x 5 x 5)
 * then b (out). Activations and
 * their gradients live in one workspace array: a tensor of S floats per sample at region base r
 * (in per-sample units) occupies {@code [r*cap + s*S, r*cap + (s+1)*S)} for sample s of a batch of
 * capacity cap. The input batch is a separate array (source 1), row-major, S floats per sample.
 *
 * <p>Each pass is {@link #STRIDE} ints: the op code and its arguments. All ops compute every output
 * element in one place with a fixed order of float32 operations, so a run is reproducible.
 */
public final class NetProgram {
    static final int STRIDE = 12;
    static final int DENSE_FWD = 1;
    static final int XENT = 2;
    static final int DENSE_BWD_W = 3;
    static final int DENSE_BWD_IN = 4;
    static final int CONV_FWD = 5;
    static final int POOL_FWD = 6;
    static final int POOL_BWD = 7;
    static final int CONV_BWD_W = 8;
    static final int CONV_BWD_IN = 9;
    /** Convolutions are 5x5, stride 1, no padding. */
    static final int KS = 5;

    /** One parameter block (weights or biases) and its initial standard deviation. */
    public record Block(int offset, int count, double initStd) {
    }

    final int[] code;
    final int forwardPasses;
    final int passes;
    final int inputSize;
    final int classes;
    final int dim;
    final int workPerSample;
    /** Workspace regions as (base, size) pairs, per sample: each tensor's activation, then its gradient. */
    final int[] regions;
    /** Inputs of the pooling layers as (region base, channels, height, width) quadruples; for tests. */
    final int[] pooled;
    private final List<Block> blocks;

    private NetProgram(int[] code, int forwardPasses, int inputSize, int classes, int dim, int workPerSample,
                       int[] regions, int[] pooled, List<Block> blocks) {
        this.regions = regions;
        this.pooled = pooled;
        this.code = code;
        this.forwardPasses = forwardPasses;
        this.passes = code.length / STRIDE;
        this.inputSize = inputSize;
        this.classes = classes;
        this.dim = dim;
        this.workPerSample = workPerSample;
        this.blocks = List.copyOf(blocks);
    }

    public int dim() {
        return dim;
    }

    public int inputSize() {
        return inputSize;
    }

    public int classes() {
        return classes;
    }

    /** Passes of a training step (forward, loss, backward). */
    public int passes() {
        return passes;
    }

    /** The parameter blocks, in order, with their initialisation scale. */
    public List<Block> blocks() {
        return blocks;
    }

    /** The number of output elements (work-items) of pass {@code pass} on a batch of n samples. */
    int workItems(int pass, int n) {
        int o = pass * STRIDE;
        int[] c = code;
        return switch (c[o]) {
            case DENSE_FWD -> n * c[o + 5];
            case XENT -> n;
            case DENSE_BWD_W -> c[o + 5] * c[o + 3] + c[o + 5];
            case DENSE_BWD_IN -> n * c[o + 4];
            case CONV_FWD -> n * c[o + 7] * (c[o + 4] - KS + 1) * (c[o + 5] - KS + 1);
            case POOL_FWD -> n * c[o + 2] * (c[o + 3] / 2) * (c[o + 4] / 2);
            case POOL_BWD -> n * c[o + 2] * c[o + 3] * c[o + 4];
            case CONV_BWD_W -> c[o + 7] * c[o + 3] * KS * KS + c[o + 7];
            case CONV_BWD_IN -> n * c[o + 3] * c[o + 4] * c[o + 5];
            default -> throw new IllegalStateException("op " + c[o]);
        };
    }

    /** Workspace floats per sample (activations and their gradients). */
    public int workPerSample() {
        return workPerSample;
    }

    /** A tensor: region base (per-sample units; ignored for the input), source (1 = input array), shape. */
    private record Tensor(int base, int source, int c, int h, int w, boolean relu, int grad) {
        int size() {
            return c * h * w;
        }
    }

    private record Layer(int kind, Tensor in, Tensor out, int wOff, int layout) {
    }

    /** Builds a network from its input shape, layer by layer, ending in {@link #softmaxCrossEntropy()}. */
    public static final class Builder {
        private final List<int[]> forward = new ArrayList<>();
        private final List<Layer> layers = new ArrayList<>();
        private final List<Block> blocks = new ArrayList<>();
        private final List<Integer> regions = new ArrayList<>();
        private final List<Integer> pooled = new ArrayList<>();
        private final int inputSize;
        private Tensor cur;
        private int work;
        private int dim;

        public Builder(int channels, int height, int width) {
            if (channels < 1 || height < 1 || width < 1) {
                throw new IllegalArgumentException("input shape must be positive");
            }
            cur = new Tensor(0, 1, channels, height, width, false, -1);
            inputSize = channels * height * width;
        }

        private Tensor newTensor(int c, int h, int w, boolean relu) {
            int s = c * h * w;
            Tensor t = new Tensor(work, 0, c, h, w, relu, work + s);
            regions.addAll(List.of(work, s, work + s, s));
            work += 2 * s; // activation, then its gradient
            return t;
        }

        /**
         * A dense layer to {@code out} units (flattening its input), with ReLU or not; weights stored
         * input-major (W[k][j]), which lets both the forward pass and the weight gradient run over
         * contiguous rows of the output width.
         */
        public Builder dense(int out, boolean relu) {
            return dense(out, relu, Math.sqrt(2.0 / cur.size()), true);
        }

        /**
         * A dense layer whose weights start as N(0, initStd²), stored input-major (W[k][j], k·out + j)
         * or output-major (W[j][k], j·in + k: softmax regression's layout).
         */
        public Builder dense(int out, boolean relu, double initStd, boolean inputMajor) {
            int k = cur.size();
            int layout = inputMajor ? 1 : 0;
            Tensor t = newTensor(out, 1, 1, relu);
            int wOff = dim;
            blocks.add(new Block(dim, out * k, initStd));
            blocks.add(new Block(dim + out * k, out, 0));
            dim += out * k + out;
            forward.add(new int[] {DENSE_FWD, cur.base, cur.source, k, t.base, out, wOff, relu ? 1 : 0, layout});
            layers.add(new Layer(DENSE_FWD, cur, t, wOff, layout));
            cur = t;
            return this;
        }

        /** A 5x5 convolution (stride 1, no padding) to {@code out} channels, with ReLU or not. */
        public Builder conv(int out, boolean relu) {
            if (cur.h < KS || cur.w < KS) {
                throw new IllegalArgumentException("a 5x5 convolution needs at least 5x5 input, got " + cur.h + "x" + cur.w);
            }
            int fanIn = cur.c * KS * KS;
            Tensor t = newTensor(out, cur.h - KS + 1, cur.w - KS + 1, relu);
            int wOff = dim;
            blocks.add(new Block(dim, out * fanIn, Math.sqrt(2.0 / fanIn)));
            blocks.add(new Block(dim + out * fanIn, out, 0));
            dim += out * fanIn + out;
            forward.add(new int[] {CONV_FWD, cur.base, cur.source, cur.c, cur.h, cur.w, t.base, out, wOff, relu ? 1 : 0});
            layers.add(new Layer(CONV_FWD, cur, t, wOff, 0));
            cur = t;
            return this;
        }

        /** 2x2 max pooling, stride 2 (height and width must be even). */
        public Builder pool() {
            if (cur.source == 1 || cur.h % 2 != 0 || cur.w % 2 != 0) {
                throw new IllegalArgumentException("2x2 pooling needs an even-sized hidden tensor, got " + cur.h + "x" + cur.w);
            }
            Tensor t = newTensor(cur.c, cur.h / 2, cur.w / 2, false);
            pooled.addAll(List.of(cur.base, cur.c, cur.h, cur.w));
            forward.add(new int[] {POOL_FWD, cur.base, cur.c, cur.h, cur.w, t.base});
            layers.add(new Layer(POOL_FWD, cur, t, -1, 0));
            cur = t;
            return this;
        }

        /** Ends the network: the current tensor is the logits of a softmax cross-entropy loss. */
        public NetProgram softmaxCrossEntropy() {
            if (cur.source == 1 || cur.relu || layers.get(layers.size() - 1).kind != DENSE_FWD) {
                throw new IllegalArgumentException("the logits must come from a dense layer without ReLU");
            }
            List<int[]> passes = new ArrayList<>(forward);
            passes.add(new int[] {XENT, cur.base, cur.size(), cur.grad});
            int forwardPasses = passes.size();
            for (int i = layers.size() - 1; i >= 0; i--) {
                Layer l = layers.get(i);
                Tensor in = l.in;
                Tensor out = l.out;
                boolean needInGrad = in.source != 1;
                int mask = in.relu ? in.base : -1; // ReLU'(z) = [a > 0] with a = ReLU(z)
                switch (l.kind) {
                    case DENSE_FWD -> {
                        passes.add(new int[] {DENSE_BWD_W, in.base, in.source, in.size(), out.grad, out.size(), l.wOff, l.layout});
                        if (needInGrad) {
                            passes.add(new int[] {DENSE_BWD_IN, out.grad, out.size(), l.wOff, in.size(), in.grad, mask, l.layout});
                        }
                    }
                    case CONV_FWD -> {
                        passes.add(new int[] {CONV_BWD_W, in.base, in.source, in.c, in.h, in.w, out.grad, out.c, l.wOff});
                        if (needInGrad) {
                            passes.add(new int[] {CONV_BWD_IN, out.grad, out.c, in.c, in.h, in.w, l.wOff, in.grad, mask});
                        }
                    }
                    case POOL_FWD -> passes.add(new int[] {POOL_BWD, out.grad, in.c, in.h, in.w, in.base, in.grad,
                            in.relu ? 1 : 0});
                    default -> throw new IllegalStateException("layer kind " + l.kind);
                }
            }
            int[] code = new int[passes.size() * STRIDE];
            for (int p = 0; p < passes.size(); p++) {
                int[] op = passes.get(p);
                System.arraycopy(op, 0, code, p * STRIDE, op.length);
            }
            return new NetProgram(code, forwardPasses, inputSize, cur.size(), dim, work,
                    regions.stream().mapToInt(Integer::intValue).toArray(),
                    pooled.stream().mapToInt(Integer::intValue).toArray(), blocks);
        }
    }

    @Override
    public String toString() {
        return "NetProgram[dim=" + dim + ", passes=" + passes + ", code=" + Arrays.toString(code) + "]";
    }
}
