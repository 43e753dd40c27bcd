package org.detrain.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AgPolynomialTest {
    @Test
    void plainGossipIsAPowerAndTheConsensusModeIsKept() {
        for (double mu : new double[] {-0.9, -1.0 / 3, 0, 0.3, 0.949}) {
            assertEquals(Math.pow(mu, 5), AgPolynomial.value(mu, 5, 0), 1e-15);
        }
        for (double eta : new double[] {0, 0.2, 0.52, 0.9}) {
            for (int r = 0; r < 12; r++) {
                assertEquals(1, AgPolynomial.value(1, r, eta), 1e-12);
            }
        }
    }

    @Test
    void firstRoundsFollowTheRecurrenceWithAFreshHistory() {
        double mu = -1.0 / 3;
        double eta = 0.521;
        double p1 = (1 + eta) * mu - eta; // z^{-1} = z^0
        double p2 = (1 + eta) * mu * p1 - eta * 1;
        assertEquals(p1, AgPolynomial.value(mu, 1, eta), 1e-15);
        assertEquals(p2, AgPolynomial.value(mu, 2, eta), 1e-15);
        // the numbers: R = 1 with the theory's eta on a Metropolis 16-ring has a multiplier beyond -1
        assertEquals(-1.03, AgPolynomial.value(mu, 1, eta), 0.005);
    }

    /** The closed-form bound against the phase map itself, iterated well below and just above it. */
    @Test
    void stableStepMatchesTheLaggedTrackingMap() {
        for (double p : new double[] {-0.9, -0.57, -1.0 / 3, -0.27, -0.1, 0.2, 0.8, 0.9}) {
            double bound = AgPolynomial.stableStep(p);
            double below = Math.min(0.98 * bound, 0.95);
            assertTrue(grows(p, below) < 1e-3, "p=" + p + " should be stable at a=" + below);
            if (bound < 1.5) {
                assertTrue(grows(p, 1.02 * bound) > 1e3, "p=" + p + " should diverge at a=" + 1.02 * bound);
            }
        }
        assertEquals(0, AgPolynomial.stableStep(-1.0));
        assertEquals(0, AgPolynomial.stableStep(1.2));
        assertEquals(1, AgPolynomial.stableStep(AgPolynomial.MOST_NEGATIVE_HARMLESS), 1e-12);
    }

    /** |state| after many phases of x⁺ = p(x − u), u⁺ = p·u + a·x − v, v⁺ = a·x from a unit start. */
    private static double grows(double p, double a) {
        double x = 1;
        double u = 0.5;
        double v = 0.25;
        for (int k = 0; k < 20_000; k++) {
            double nx = p * (x - u);
            double nu = p * u + a * x - v;
            double nv = a * x;
            x = nx;
            u = nu;
            v = nv;
        }
        return Math.abs(x) + Math.abs(u) + Math.abs(v);
    }
}
