package org.detrain.algo;

/**
 * A decentralized training algorithm, seen from one rank. The runner calls {@link #init} once,
 * then {@link #step} for t = 0, 1, ...; all state the algorithm carries between steps lives in
 * the {@link AlgorithmState}.
 */
public interface Algorithm {
    String name();

    /** Sets up the state; {@code state.buffer("x")} already holds x^0, identical on every rank. */
    void init(AlgorithmState state);

    /** Runs iteration t (0-based); returns the mean mini-batch loss the rank saw. */
    double step(AlgorithmState state, long t);

    /** What was chosen for this run (η, R, ...), recorded in the results' /algorithm group. */
    default java.util.Map<String, Object> parameters() {
        return java.util.Map.of();
    }

    /**
     * What to do when the loss blows up, for the failure message: by default lower the step.
     * Algorithms whose stability depends on more than the step say what else to change.
     */
    default String divergenceAdvice(double lr) {
        return "lower lr (now " + lr + ")";
    }

    /**
     * What the algorithm mixes on, for /topology: "W" (the configured graph and its W, whose spectrum
     * /topology records), or a description of another graph that /algorithm records.
     */
    default String gossipGraph() {
        return "W";
    }

    /** The rank's current model for evaluation (x_i for most algorithms). */
    default float[] model(AlgorithmState state) {
        return state.buffer("x");
    }
}
