package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.detrain.util.StopSignals;

class RunControlTest {
    @TempDir
    Path dir;

    @Test
    void firstControlPointIsOneIterationAfterTheStart() {
        RunControl c = new RunControl(dir.resolve("stop-request"), 40);
        assertFalse(c.due(40));
        assertTrue(c.due(41));
    }

    @Test
    void spacingAimsAtTheTargetTimeFromTheMeasuredIterationTime() {
        // 100 iterations in 200 ms: 2 ms each, so 0.5 s is 250 iterations
        assertEquals(0.5, RunControl.TARGET_SECONDS);
        assertEquals(250, RunControl.spacing(100, 200_000_000L));
        assertEquals(40, RunControl.spacing(10, 20_000_000L), "grows at most fourfold per check");
        // absurdly fast iterations are capped; slow ones still check every iteration
        assertEquals(RunControl.MAX_SPACING, RunControl.spacing(1_000_000_000L, 1_000_000L));
        assertEquals(1, RunControl.spacing(1, 100_000_000_000L));
        assertEquals(1, RunControl.spacing(5, 0), "no time measured: the next iteration");
    }

    @Test
    void agreementSeesTheRequestFileRankZerosCheckpointWishAndSchedulesTheNextPoint() throws Exception {
        Path request = dir.resolve("status/stop-request");
        RunControl c = new RunControl(request, 0);
        SoloComm comm = new SoloComm();
        assertEquals(new RunControl.Decision(false, false, null), c.agree(comm, 1, false, -1, 0));
        assertEquals(2, comm.collectives, "one all-reduce: a gather and a broadcast");
        assertFalse(c.due(1));
        long next = 2;
        while (!c.due(next)) {
            next++;
        }
        assertEquals(new RunControl.Decision(false, true, null), c.agree(comm, next, true, -1, 0));
        StopSignals.request(request, "SIGUSR1");
        assertTrue(Files.readString(request).startsWith("SIGUSR1 at "));
        while (!c.due(next)) {
            next++;
        }
        assertEquals(new RunControl.Decision(true, false, null), c.agree(comm, next, false, -1, 0));
        assertEquals(new RunControl.Decision(true, false, new RunControl.Divergence(7, 0, Double.NEGATIVE_INFINITY)),
                c.agree(comm, next + 1, false, 7, Double.NEGATIVE_INFINITY), "a rank's divergence reaches every rank");
        assertTrue(c.describe().startsWith("4 control points"), c.describe());
    }
}
