package org.detrain.kernel;

/**
 * Runs a {@link NetProgram} on batches of at most {@link #capacity()} samples, on a
 * {@link ComputeDevice}: the fast Java engine ({@code java}) or the Aparapi kernel (OpenCL or
 * Aparapi's Java thread pool); {@link NetRef}, the plain reference, is one too (tests and checks only). Callers fill {@link #input()} and {@link #labels()}, then call
 * {@link #trainStep} or {@link #forward}; per-sample losses and correctness are in {@link #loss}
 * and {@link #correct}. One engine per rank and purpose; not thread-safe.
 */
public abstract class NetEngine implements AutoCloseable {
    final NetProgram program;
    final int capacity;

    NetEngine(NetProgram program, int capacity) {
        this.program = program;
        this.capacity = capacity;
    }

    public static NetEngine create(NetProgram program, ComputeDevice device, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        return device.kind() == ComputeDevice.Kind.JAVA ? new JavaEngine(program, capacity, device.threads())
                : new AparapiEngine(program, device, capacity);
    }

    /** Where the passes run, as recorded in the results. */
    public abstract String device();

    public final int capacity() {
        return capacity;
    }

    public final NetProgram program() {
        return program;
    }

    /** The batch: sample s's features at [s·inputSize, (s+1)·inputSize). */
    public abstract float[] input();

    public abstract int[] labels();

    /** Forward, loss and backward on the first n samples; the mean gradient goes to {@code grad}. */
    public abstract void trainStep(float[] params, int n, float[] grad);

    /** Forward and loss only. */
    public abstract void forward(float[] params, int n);

    /** Sample s's loss after the last step. */
    public abstract float loss(int s);

    /** 1 if sample s was classified correctly in the last step, else 0. */
    public abstract float correct(int s);

    /** The whole workspace (activations and their gradients) after the last step; for tests. */
    abstract float[] workspace();

    @Override
    public void close() {
    }

    private static final class JavaEngine extends NetEngine {
        private final JavaNet net;

        JavaEngine(NetProgram program, int capacity, int threads) {
            super(program, capacity);
            net = new JavaNet(program, capacity, threads);
        }

        @Override
        public void close() {
            net.close();
        }

        @Override
        public String device() {
            return "java";
        }

        @Override
        public float[] input() {
            return net.buffers.input;
        }

        @Override
        public int[] labels() {
            return net.buffers.labels;
        }

        @Override
        public void trainStep(float[] params, int n, float[] grad) {
            net.run(params, n, program.passes);
            System.arraycopy(net.buffers.gradient, 0, grad, 0, program.dim);
        }

        @Override
        public void forward(float[] params, int n) {
            net.run(params, n, program.forwardPasses);
        }

        @Override
        public float loss(int s) {
            return net.buffers.results[s];
        }

        @Override
        public float correct(int s) {
            return net.buffers.results[capacity + s];
        }

        @Override
        float[] workspace() {
            net.syncRows();
            return net.buffers.workspace;
        }
    }

    private static final class AparapiEngine extends NetEngine {
        private final NetKernel kernel;
        private final ComputeDevice device;
        private boolean launched;

        AparapiEngine(NetProgram program, ComputeDevice device, int capacity) {
            super(program, capacity);
            this.device = device;
            this.kernel = new NetKernel(program, capacity);
            device.prepare(kernel, "net");
            // First transfer of everything; afterwards only what a step changes moves.
            synchronized (device.launchLock()) {
                kernel.put(kernel.prog).put(kernel.m).put(kernel.g).put(kernel.res);
            }
        }

        @Override
        public String device() {
            return device.description();
        }

        @Override
        public float[] input() {
            return kernel.x;
        }

        @Override
        public int[] labels() {
            return kernel.lab;
        }

        /** One step's launches, under the device's lock (as is every other Aparapi call here). */
        private void launch(float[] params, int n, int passes) {
            if (n < 1 || n > capacity) {
                throw new IllegalArgumentException("batch of " + n + " outside [1, " + capacity + "]");
            }
            assert Thread.holdsLock(device.launchLock());
            System.arraycopy(params, 0, kernel.p, 0, program.dim);
            kernel.nb = n;
            kernel.invN = 1f / n;
            kernel.base = 0;
            kernel.put(kernel.p).put(kernel.x).put(kernel.lab);
            for (int pass = 0; pass < passes; pass++) {
                kernel.base = pass; // one launch per pass, one work-item per output element
                device.execute(kernel, "net", device.rangeFor(program.workItems(pass, n)), 1);
            }
            launched = true;
            kernel.get(kernel.res);
        }

        @Override
        public void trainStep(float[] params, int n, float[] grad) {
            synchronized (device.launchLock()) {
                launch(params, n, program.passes);
                kernel.get(kernel.g);
            }
            System.arraycopy(kernel.g, 0, grad, 0, program.dim);
        }

        @Override
        public void forward(float[] params, int n) {
            synchronized (device.launchLock()) {
                launch(params, n, program.forwardPasses);
            }
        }

        @Override
        public float loss(int s) {
            return kernel.res[s];
        }

        @Override
        public float correct(int s) {
            return kernel.res[capacity + s];
        }

        @Override
        float[] workspace() {
            synchronized (device.launchLock()) {
                kernel.get(kernel.m);
            }
            return kernel.m;
        }

        @Override
        public void close() {
            synchronized (device.launchLock()) {
                if (!launched) {
                    // Aparapi 3.0.2 crashes disposing a kernel that was compiled but never launched.
                    kernel.nb = 0;
                    device.execute(kernel, "net", device.rangeFor(1), 1);
                }
                kernel.dispose();
            }
        }
    }
}
