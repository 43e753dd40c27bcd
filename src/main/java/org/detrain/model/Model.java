package org.detrain.model;

import org.detrain.util.Rng;

/**
 * A differentiable model whose parameters are one flat float32 array, so that gossip moves a
 * single buffer. Implementations keep no per-call state in fields beyond scratch space, and sum
 * in a fixed order, so results are bit-reproducible.
 */
public interface Model {
    String name();

    /** Number of parameters. */
    int dim();

    /** Writes initial parameters; the same seed gives the same model on every rank. */
    void initialize(float[] params, Rng rng);

    /**
     * Mean loss over the batch at {@code params}; overwrites {@code grad} with the mean gradient.
     */
    double lossAndGradient(float[] params, Batch batch, float[] grad);

    /**
     * Adds the batch's summed loss to {@code acc[0]} and its number of correct predictions to
     * {@code acc[1]} (0 for regression).
     */
    void evaluate(float[] params, Batch batch, double[] acc);

    /**
     * Where this model's kernels run, as recorded in the results: {@code java}, {@code jtp} or
     * {@code opencl:<type>:<device>:<platform>} (see {@link org.detrain.kernel.ComputeDevice}).
     */
    default String device() {
        return "java";
    }

    /** Releases device resources (OpenCL buffers and kernels); the model is unusable afterwards. */
    default void close() {
    }
}
