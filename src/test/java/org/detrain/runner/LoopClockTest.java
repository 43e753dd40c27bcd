package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The loop's time is split into its parts without losing or counting any twice; no timing is asserted. */
class LoopClockTest {
    @Test
    void thePartsAddUpToTheWallTimeAndCarryOverLaunches() throws InterruptedException {
        AtomicLong wait = new AtomicLong();
        LoopClock clock = new LoopClock(wait::get, new LoopClock.Times(10, 1, 2, 3, 4), 5);
        clock.start();
        Thread.sleep(2);
        clock.enter(LoopClock.Phase.EVALUATION);
        wait.addAndGet(7_000_000_000L); // waited 7 s inside the evaluation: not the iterations' wait
        Thread.sleep(2);
        clock.leave();
        wait.addAndGet(2_000_000_000L); // 2 s in the iterations
        clock.enter(LoopClock.Phase.CHECKPOINT);
        LoopClock.Times during = clock.times();
        assertTrue(during.checkpoint() >= 4, "the phase in progress counts up to now");
        clock.stop();
        LoopClock.Times t = clock.times();
        assertEquals(t, clock.times(), "frozen at the loop's end");
        assertTrue(t.wall() > 10 && t.evaluation() > 1 && t.record() == 2 && t.metricsIo() == 3 && t.checkpoint() >= 4, t.toString());
        assertEquals(t.wall(), t.training() + t.evaluation() + t.record() + t.metricsIo() + t.checkpoint(), 1e-12);
        assertTrue(t.training() > 0, t.toString());
        assertEquals(5 + 2, clock.iterationWaitSeconds(), 1e-9);
    }

    @Test
    void phasesDoNotNest() {
        LoopClock clock = new LoopClock(() -> 0, LoopClock.Times.ZERO, 0);
        clock.start();
        clock.enter(LoopClock.Phase.RECORD);
        assertThrows(IllegalStateException.class, () -> clock.enter(LoopClock.Phase.METRICS_IO));
    }
}
