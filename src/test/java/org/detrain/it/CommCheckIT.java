package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real MPJ ranks gossip rank-derived values on the ring and on every torus shape of n and check
 * the mixed result bit for bit (CommCheck), for every n from 1 to 9 — sides of 1 and 2 included,
 * where neighbours coincide — under the multicore device, and for a few n under niodev.
 */
class CommCheckIT {
    @ParameterizedTest(name = "multicore -np {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9})
    void exactGossipOnRingsAndToriUnderMulticore(int n) {
        Cli.Result r = Cli.run("check", "-np", Integer.toString(n), "--rounds", "3", "--floats", "4096", "--timeout", "30");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("exact gossip on [ring(" + n + ")"), r.out());
        assertTrue(r.out().contains("check passed"), r.out());
    }

    @ParameterizedTest(name = "niodev -np {0}")
    @ValueSource(ints = {2, 4, 6})
    void exactGossipUnderNiodev(int n) {
        Cli.Result r = Cli.run("check", "-np", Integer.toString(n), "--transport", "niodev", "--rounds", "3",
                "--floats", "4096", "--timeout", "30");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("check passed"), r.out());
    }
}
