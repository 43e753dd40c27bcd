package org.detrain.kernel;

import static org.detrain.kernel.NetProgram.STRIDE;

/**
 * The fast Java engine (device {@code java}): runs a {@link NetProgram} on the CPU with the kernel's
 * arithmetic — every element gets the same float32 operations in the same order as in
 * {@link NetKernel} (bias first, then the sum in ascending index order) — and reaches its speed by
 * data layout and loop order alone: the inner loops are {@link Loops} (the Vector API where
 * present), and a pass may run over several threads. {@link NetRef} is the plain reference both
 * fast engines are tested against.
 *
 * <p>This class holds the arrays ({@link NetBuffers}) and dispatches the passes; the work is split
 * by concern: {@link DensePasses} (dense layers and the loss, row-major), {@link ConvPasses}
 * (convolutions and pooling, samples as lanes), {@link LaneLayout} (the two layouts and which one
 * of each tensor is current), {@link PassThreads} (a pass's outputs over the threads).
 */
final class JavaNet implements AutoCloseable {
    final NetBuffers buffers;
    private final NetProgram program;
    private final PassThreads threads;
    private final LaneLayout lanes;
    private final DensePasses dense;
    private final ConvPasses conv;

    JavaNet(NetProgram program, int capacity) {
        this(program, capacity, 1);
    }

    JavaNet(NetProgram program, int capacity, int threads) {
        this.program = program;
        this.buffers = new NetBuffers(program, capacity);
        this.threads = new PassThreads(threads);
        this.lanes = new LaneLayout(buffers, this.threads);
        this.dense = new DensePasses(program, buffers, this.threads, lanes);
        this.conv = new ConvPasses(program, buffers, this.threads, lanes);
    }

    @Override
    public void close() {
        threads.close();
    }

    NetProgram program() {
        return program;
    }

    /** Runs passes [0, passes) on the first n samples of the input batch with parameters params. */
    void run(float[] params, int n, int passes) {
        runRange(params, n, 0, passes);
    }

    /** Runs passes [from, to); for profiling single passes. */
    void runRange(float[] params, int n, int from, int to) {
        lanes.startStep(n);
        for (int pass = from; pass < to; pass++) {
            int at = pass * STRIDE;
            switch (program.code[at]) {
                case NetProgram.DENSE_FWD -> dense.forward(at, params, n);
                case NetProgram.XENT -> dense.softmaxCrossEntropy(at, n);
                case NetProgram.DENSE_BWD_W -> dense.backwardWeights(at, n);
                case NetProgram.DENSE_BWD_IN -> dense.backwardInput(at, params, n);
                case NetProgram.CONV_FWD -> conv.forward(at, params, n);
                case NetProgram.POOL_FWD -> conv.poolForward(at);
                case NetProgram.POOL_BWD -> conv.poolBackward(at);
                case NetProgram.CONV_BWD_W -> conv.backwardWeights(at, n);
                case NetProgram.CONV_BWD_IN -> conv.backwardInput(at, params);
                default -> throw new IllegalStateException("op " + program.code[at]);
            }
        }
    }

    /** Makes every row-major workspace tensor current (before the workspace is read from outside). */
    void syncRows() {
        lanes.syncRows();
    }
}
