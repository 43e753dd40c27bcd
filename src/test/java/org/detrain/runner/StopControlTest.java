package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StopControlTest {
    @TempDir
    Path dir;

    @Test
    void firstCheckPointIsOneIterationAfterTheStart() {
        StopControl c = new StopControl(dir.resolve("stop-request"), 40);
        assertFalse(c.due(40));
        assertTrue(c.due(41));
    }

    @Test
    void spacingAimsAtTheTargetTimeFromTheMeasuredIterationTime() {
        // 100 iterations in 200 ms: 2 ms each, so 0.5 s is 250 iterations
        assertEquals(0.5, StopControl.TARGET_SECONDS);
        assertEquals(250, StopControl.spacing(100, 200_000_000L));
        assertEquals(40, StopControl.spacing(10, 20_000_000L), "grows at most fourfold per check");
        // absurdly fast iterations are capped; slow ones still check every iteration
        assertEquals(StopControl.MAX_SPACING, StopControl.spacing(1_000_000_000L, 1_000_000L));
        assertEquals(1, StopControl.spacing(1, 100_000_000_000L));
        assertEquals(1, StopControl.spacing(5, 0), "no time measured: the next iteration");
    }

    @Test
    void agreementSeesTheRequestFileAndSchedulesTheNextCheck() throws Exception {
        Path request = dir.resolve("status/stop-request");
        StopControl c = new StopControl(request, 0);
        SoloComm comm = new SoloComm();
        assertFalse(c.agree(comm, 1));
        assertEquals(2, comm.collectives, "one all-reduce: a gather and a broadcast");
        assertFalse(c.due(1));
        StopSignals.request(request, "SIGUSR1");
        assertTrue(Files.readString(request).startsWith("SIGUSR1 at "));
        long next = 2;
        while (!c.due(next)) {
            next++;
        }
        assertTrue(c.agree(comm, next));
        assertTrue(c.describe().startsWith("2 stop checks"), c.describe());
    }
}
