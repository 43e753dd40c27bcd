package org.detrain.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AlgorithmStateTest {
    @Test
    void buffersAreCreatedOnceAndMisusesAreNamed() {
        AlgorithmState s = new AlgorithmState();
        float[] x = s.buffer("x", 3);
        assertSame(x, s.buffer("x", 3));
        assertSame(x, s.buffer("x"));
        IllegalStateException wrongLength = assertThrows(IllegalStateException.class, () -> s.buffer("x", 4));
        assertTrue(wrongLength.getMessage().contains("x has length 3, not 4"), wrongLength.getMessage());
        assertThrows(IllegalStateException.class, () -> s.buffer("y"));
        assertThrows(IllegalStateException.class, () -> s.scalar("w"));
        s.setScalar("w", 0.25);
        assertEquals(0.25, s.scalar("w"));
        s.setIteration(41);
        assertEquals(41, s.iteration());
        assertThrows(UnsupportedOperationException.class, () -> s.buffers().clear());
    }

    @Test
    void aConstantStepSizeIsTheSameAtEveryIteration() {
        StepSize s = StepSize.constant(0.3);
        assertEquals(0.3, s.at(0));
        assertEquals(0.3, s.at(1_000_000));
        assertEquals(7.0, s.epoch(7));
    }
}
