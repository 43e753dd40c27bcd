package org.detrain.algo;

/**
 * A rank's stochastic gradient: each call draws the rank's next mini-batch and evaluates the
 * mean loss and gradient of its local objective at the given point.
 */
public interface GradientOracle {
    /** Overwrites {@code grad} with g_i(at); returns the mini-batch's mean loss at {@code at}. */
    double gradient(float[] at, float[] grad);
}
