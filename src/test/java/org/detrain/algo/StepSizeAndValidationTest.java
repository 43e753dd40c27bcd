package org.detrain.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.detrain.config.RunConfig;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

class StepSizeAndValidationTest {
    @Test
    void warmUpThenStepDecay() {
        // 10 iterations per epoch; 2 warm-up epochs at 1e-5; decay x0.1 at epochs 5 and 8.
        RunConfig c = RunConfig.load(null, List.of("lr=0.5", "warmup.epochs=2", "warmup.lr=1e-5",
                "lr.decay.epochs=5, 8", "lr.decay=0.1"));
        StepSize s = StepSize.from(c, 10);
        assertEquals(1e-5, s.at(0));
        assertEquals(1e-5, s.at(19));
        assertEquals(0.5, s.at(20));
        assertEquals(0.5, s.at(49));
        assertEquals(0.05, s.at(50), 1e-15);
        assertEquals(0.005, s.at(80), 1e-15);
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("lr.decay.epochs=8, 5")));
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("lr.decay.epochs=x")));
    }

    @Test
    void d2IsRefusedAtOrBelowMinusOneThirdAndLazyWeightsFixIt() {
        RunConfig d2 = RunConfig.load(null, List.of("algorithm=d2"));
        // Even ring, weights 1/3: lambda_min = -1/3 exactly (a root of modulus 1 for D²).
        DetrainException e = assertThrows(DetrainException.class,
                () -> Algorithms.validate(d2, MixingMatrix.metropolis(Topologies.ring(8)).spectrum()));
        assertTrue(e.getMessage().contains("weights=lazy"), e.getMessage());
        // Bipartite 4x4 torus with weights 1/5: lambda_min = -3/5.
        assertThrows(DetrainException.class,
                () -> Algorithms.validate(d2, MixingMatrix.metropolis(Topologies.torus(4, 4)).spectrum()));
        Algorithms.validate(d2, MixingMatrix.lazyMetropolis(Topologies.ring(8)).spectrum());
        Algorithms.validate(d2, MixingMatrix.metropolis(Topologies.ring(7)).spectrum()); // odd ring: > -1/3
        Algorithms.validate(RunConfig.defaults(), MixingMatrix.metropolis(Topologies.torus(4, 4)).spectrum());
    }
}
