package org.detrain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ExternalToolsTest {

    @Test
    void missingToolFailsWithTheInstallCommand() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> ExternalTools.run(Duration.ofSeconds(5), List.of("detrain-no-such-tool")));
        assertTrue(e.getMessage().contains("apt-get install hdf5-tools python3-h5py"), e.getMessage());
    }

    @Test
    void capturesOutputAndExitCode() {
        ExternalTools.Result r = ExternalTools.python("import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)");
        assertEquals(3, r.exitCode());
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr());
        assertThrows(AssertionFailedError.class, r::assertSuccess);
    }

    @Test
    void slowToolFailsAtTheTimeout() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> ExternalTools.run(Duration.ofMillis(300), List.of("sleep", "10")));
        assertTrue(e.getMessage().contains("did not finish within"), e.getMessage());
    }
}
