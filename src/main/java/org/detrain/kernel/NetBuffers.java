package org.detrain.kernel;

/**
 * The arrays a Java engine ({@link JavaNet}, {@link NetRef}) runs a {@link NetProgram} on, laid out
 * as the program describes: the input batch (source 1, row-major, {@code inputSize} floats a
 * sample), the workspace of activations and their gradients (a region of S floats a sample at base
 * r holds sample s at {@code [r·capacity + s·S, r·capacity + (s+1)·S)}), the parameter gradient,
 * the labels, and the per-sample results (loss of sample s at s, correctness at capacity + s).
 */
final class NetBuffers {
    /** The source code of a tensor that is the input batch rather than a workspace region. */
    static final int INPUT = 1;

    final int capacity;
    final float[] input;
    final float[] workspace;
    final float[] gradient;
    final int[] labels;
    final float[] results;

    NetBuffers(NetProgram program, int capacity) {
        this.capacity = capacity;
        input = new float[capacity * program.inputSize];
        workspace = new float[capacity * program.workPerSample];
        gradient = new float[program.dim];
        labels = new int[capacity];
        results = new float[2 * capacity];
    }

    private NetBuffers(int capacity, float[] input, float[] workspace, float[] gradient, int[] labels, float[] results) {
        this.capacity = capacity;
        this.input = input;
        this.workspace = workspace;
        this.gradient = gradient;
        this.labels = labels;
        this.results = results;
    }

    /** Buffers of the given capacity holding copies of these arrays (a fresh gradient and fresh results). */
    static NetBuffers of(int capacity, float[] input, float[] workspace, int[] labels, int dim) {
        return new NetBuffers(capacity, input.clone(), workspace.clone(), new float[dim], labels.clone(),
                new float[2 * capacity]);
    }

    /** The array that holds a pass's input tensor: the batch for {@link #INPUT}, else the workspace. */
    float[] source(int source) {
        return source == INPUT ? input : workspace;
    }
}
