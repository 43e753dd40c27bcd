package org.detrain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ThreadTeamTest {
    /** Every index of every task is run exactly once, by the member that owns its range, task after task. */
    @Test
    void coversEachRangeOnceAcrossManyTasks() {
        try (ThreadTeam team = new ThreadTeam(3, "test-team")) {
            for (int task = 0; task < 20_000; task++) {
                int count = task % 7; // 0..6: also fewer items than members
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, count));
                int[] owner = new int[Math.max(1, count)];
                team.run(count, (member, from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                        owner[i] = member;
                    }
                });
                for (int i = 0; i < count; i++) {
                    assertEquals(1, hits.get(i), "task " + task + " index " + i);
                    int parts = Math.min(3, count);
                    int expected = 0;
                    while ((long) count * (expected + 1) / parts <= i) { // member t owns [count·t/parts, count·(t+1)/parts)
                        expected++;
                    }
                    assertEquals(expected, owner[i], "contiguous ranges in member order");
                }
            }
        }
    }

    @Test
    void aFailingRangeFailsTheRunAndTheTeamGoesOn() {
        try (ThreadTeam team = new ThreadTeam(2, "test-team")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run(10, (member, from, to) -> {
                if (member == 1) {
                    throw new ArithmeticException("boom");
                }
            }));
            assertTrue(e.getMessage().contains("boom"), e.getMessage());
            // the caller's own range failing waits for the members before it throws
            AtomicIntegerArray done = new AtomicIntegerArray(1);
            assertThrows(ArithmeticException.class, () -> team.run(2, (member, from, to) -> {
                if (member == 0) {
                    throw new ArithmeticException("own");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                done.set(0, 1);
            }));
            assertEquals(1, done.get(0), "the member finished before run() threw");
            int[] sum = new int[1];
            team.run(1, (member, from, to) -> sum[0] += to - from);
            assertEquals(1, sum[0]);
        }
    }
}
