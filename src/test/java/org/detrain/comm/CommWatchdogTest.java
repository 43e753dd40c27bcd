package org.detrain.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

/** The bounded waits: one watcher thread for all ranks, a longer bound while a large job starts. */
class CommWatchdogTest {
    @Test
    void aLargeJobsStartUpMayWaitLongerThanCommTimeoutButNotItsIterations() throws Exception {
        BlockingQueue<DetrainException> fired = new ArrayBlockingQueue<>(4);
        CommWatchdog w = new CommWatchdog(7, 1024, 0.05, fired::add);
        try {
            w.enter("gather to rank 0");
            // 0.05 s of comm.timeout, but 102 s while 1024 ranks start
            assertNull(fired.poll(500, TimeUnit.MILLISECONDS), "start-up is bounded by 0.1 s per rank");
            w.leave();
            w.running();
            w.setActivity("iteration 3");
            w.enter("messages from ranks [6, 8]");
            DetrainException e = fired.poll(30, TimeUnit.SECONDS);
            assertTrue(e != null && e.getMessage().startsWith("rank 7 waited 0.1 s for messages from ranks [6, 8] during"
                    + " iteration 3"), String.valueOf(e));
            assertEquals(DetrainException.RUN_FAILED, e.exitCode());
        } finally {
            w.stop();
        }
    }

    @Test
    void aSmallJobKeepsCommTimeoutFromTheStart() {
        assertEquals(30, CommWatchdog.startupSeconds(30, 8));
        assertEquals(102.4, CommWatchdog.startupSeconds(30, 1024), 1e-9);
    }

    @Test
    void oneThreadWatchesEveryRank() throws Exception {
        CommWatchdog[] ranks = new CommWatchdog[64];
        for (int r = 0; r < ranks.length; r++) {
            ranks[r] = new CommWatchdog(r, ranks.length, 30, e -> { });
        }
        try {
            long watchers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("detrain-watchdog")).count();
            assertEquals(1, watchers);
        } finally {
            for (CommWatchdog w : ranks) {
                w.stop();
            }
        }
    }
}
