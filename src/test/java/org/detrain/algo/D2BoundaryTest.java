package org.detrain.algo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;
import org.detrain.topology.Topologies;
import org.junit.jupiter.api.Test;

/**
 * Why D² needs λmin(W) > −1/3 and not ≥ (Algorithms.d2CanRun, shared by `train` and `theory`),
 * shown on the float64 network reference: local losses f_i(x) = (h/2)x² + c_i·x on an 8-ring, with
 * heterogeneous c_i that sum to 0 (so x* = 0 and the ranks' gradients disagree everywhere).
 */
class D2BoundaryTest {
    private static final double[] C = {1, -2, 0.5, 3, -1, -0.5, 2, -3};

    /** Consensus distance (1/n) Σ (x_i − x̄)² after each of {@code steps} D² steps. */
    private static double[] consensus(MixingMatrix w, double curvature, int steps) {
        ReferenceNetwork net = new ReferenceNetwork(w.toArray(), 1,
                (rank, x) -> new double[] {curvature * x[0] + C[rank]}, ReferenceNetwork.Options.constant(0.05));
        ReferenceNetwork.Trajectory t = net.d2(new double[] {0.7}, steps);
        double[] out = new double[steps];
        for (int s = 0; s < steps; s++) {
            double mean = 0;
            for (double[] xi : t.x.get(s)) {
                mean += xi[0] / C.length;
            }
            for (double[] xi : t.x.get(s)) {
                out[s] += (xi[0] - mean) * (xi[0] - mean) / C.length;
            }
        }
        return out;
    }

    @Test
    void atMinusOneThirdAFlatDisagreementNeverDecaysAboveItDoes() {
        MixingMatrix boundary = MixingMatrix.metropolis(Topologies.ring(8));      // λmin = −1/3
        MixingMatrix inside = boundary.withKappa(0.97);                            // λmin = −0.3133
        double[] atBoundary = consensus(boundary, 0, 4000);
        double[] above = consensus(inside, 0, 4000);
        // the part along W's −1/3 eigenvector oscillates (root −1) at a constant amplitude
        assertTrue(atBoundary[3999] > 0.01 * atBoundary[0], "no curvature, λmin = −1/3: the disagreement stays, "
                + atBoundary[0] + " -> " + atBoundary[3999]);
        assertTrue(Math.abs(atBoundary[3999] / atBoundary[1999] - 1) < 1e-6, atBoundary[1999] + " -> " + atBoundary[3999]);
        assertTrue(above[3999] < 1e-20 * above[0], "λmin > −1/3 damps it: " + above[0] + " -> " + above[3999]);
    }

    @Test
    void atMinusOneThirdCurvatureAloneStillDampsIt() {
        double[] curved = consensus(MixingMatrix.metropolis(Topologies.ring(8)), 1, 4000);
        assertTrue(curved[3999] < 1e-30, "with curvature h = 1 the mode decays like (1 − γh/2)^t: " + curved[3999]);
    }

    @Test
    void trainAndTheoryShareOneBoundary() {
        assertFalse(Algorithms.d2CanRun(MixingMatrix.metropolis(Topologies.ring(8)).spectrum()));
        assertFalse(Algorithms.d2CanRun(new Spectrum(new double[] {1, -1.0 / 3})));
        assertFalse(Algorithms.d2CanRun(new Spectrum(new double[] {1, -1.0 / 3 + 1e-12})), "−1/3 up to rounding");
        assertTrue(Algorithms.d2CanRun(new Spectrum(new double[] {1, -1.0 / 3 + 1e-8})));
        for (MixingMatrix w : List.of(MixingMatrix.lazyMetropolis(Topologies.ring(8)),
                MixingMatrix.metropolis(Topologies.ring(7)), MixingMatrix.metropolis(Topologies.torus(3, 3)))) {
            assertTrue(Algorithms.d2CanRun(w.spectrum()), w.toString());
        }
    }
}
