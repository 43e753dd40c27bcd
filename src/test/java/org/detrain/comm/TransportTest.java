package org.detrain.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

class TransportTest {
    @Test
    void parsesTheNamesUsersTypeAndPrintsThemBack() {
        assertEquals(Transport.MULTICORE, Transport.parse("multicore"));
        assertEquals(Transport.NIODEV, Transport.parse("niodev"));
        for (Transport t : Transport.values()) {
            assertEquals(t, Transport.parse(t.toString()), "what is recorded (mpj_device, run.properties) parses back");
        }
        assertTrue(Transport.NIODEV.oneJvmPerRank());
        assertFalse(Transport.MULTICORE.oneJvmPerRank());
    }

    @Test
    void anythingElseIsBadInputNamingTheChoices() {
        for (String bad : new String[] {"NIODEV", "Multicore", "hybdev", "", " niodev"}) {
            DetrainException e = assertThrows(DetrainException.class, () -> Transport.parse(bad));
            assertEquals(DetrainException.BAD_INPUT, e.exitCode());
            assertEquals("unknown transport '" + bad + "': use multicore or niodev", e.getMessage());
        }
        assertThrows(DetrainException.class, () -> Transport.parse(null));
    }
}
