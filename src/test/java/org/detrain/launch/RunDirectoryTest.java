package org.detrain.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Default run directories: launches of the same second each get their own. */
class RunDirectoryTest {
    @TempDir
    Path dir;

    private static Path claim(Path results, String base) {
        TrainLauncher.Claimed c = TrainLauncher.claimDefault(results, base);
        c.lock().close();
        return c.dir();
    }

    @Test
    void aTakenDefaultIdGetsTheNextSuffix() {
        Path results = dir.resolve("results");
        assertEquals(results.resolve("quickstart-20250101-120000"), claim(results, "quickstart-20250101-120000"));
        assertEquals(results.resolve("quickstart-20250101-120000-2"), claim(results, "quickstart-20250101-120000"));
        assertEquals(results.resolve("quickstart-20250101-120000-3"), claim(results, "quickstart-20250101-120000"));
    }

    @Test
    void concurrentLaunchesOfOneSecondNeverShareADirectory() throws Exception {
        Path results = dir.resolve("results");
        int launches = 8;
        ExecutorService pool = Executors.newFixedThreadPool(launches);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<TrainLauncher.Claimed>> claimed = new ArrayList<>();
            for (int i = 0; i < launches; i++) {
                claimed.add(pool.submit(() -> {
                    go.await();
                    return TrainLauncher.claimDefault(results, "same-second"); // each keeps its lock, as a launch does
                }));
            }
            go.countDown();
            Set<Path> distinct = new HashSet<>();
            for (Future<TrainLauncher.Claimed> f : claimed) {
                Path p = f.get().dir();
                assertTrue(Files.isDirectory(p), p.toString());
                distinct.add(p);
                f.get().lock().close();
            }
            assertEquals(launches, distinct.size(), "each launch its own directory: " + distinct);
        } finally {
            pool.shutdownNow();
        }
    }
}
