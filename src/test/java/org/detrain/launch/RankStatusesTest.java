package org.detrain.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's view of 1024 ranks' status files, read by one directory listing per tick. */
class RankStatusesTest {
    private static final int RANKS = 1024;

    @TempDir
    Path dir;

    @Test
    void aTickSeesWhatTheRanksWroteSinceTheLastOne() throws Exception {
        RunLayout layout = new RunLayout(dir);
        Files.createDirectories(layout.statusDir());
        Files.createDirectories(layout.logDir());
        RankStatuses statuses = new RankStatuses(layout, RANKS);
        statuses.refresh();
        assertEquals(RANKS, statuses.notStarted().size());

        for (int r = 0; r < RANKS; r++) {
            if (r != 700) {
                Files.writeString(r % 2 == 0 ? layout.rankLog(r) : layout.pid(r), "x");
            }
        }
        Files.writeString(layout.statusDir().resolve(".rank-3.done.tmp"), "being written"); // not a status yet
        Files.writeString(layout.statusDir().resolve("rank-5000.done"), "ok"); // not a rank of this job
        assertEquals(RANKS, statuses.notStarted().size(), "nothing is read between ticks");
        statuses.refreshFully();
        assertEquals(List.of(700), statuses.notStarted());

        for (int r = 0; r < RANKS; r++) {
            Files.writeString(layout.done(r), "ok\n");
        }
        assertFalse(statuses.allFinished());
        statuses.refreshFully();
        assertTrue(statuses.allFinished());
        assertFalse(statuses.anyFailed());
        assertTrue(statuses.hasStatus(3));
        assertEquals(List.of(), statuses.notStarted());
        assertEquals(RankStatuses.Ending.DONE, statuses.conclude(true, List.of(), List.of()));
    }

    @Test
    void aFailureAndSilentRanksEndTheJobWithOneMessage() throws Exception {
        RunLayout layout = new RunLayout(dir);
        Files.createDirectories(layout.statusDir());
        RankStatuses statuses = new RankStatuses(layout, RANKS);
        for (int r = 0; r < RANKS; r++) {
            if (r < 500 || r > 700 && r != 900) {
                Files.writeString(layout.done(r), "ok\n");
            }
        }
        Files.writeString(layout.failed(600), "rank 600: the training loss is NaN\ntrace");
        statuses.refreshFully();
        assertTrue(statuses.anyFailed());
        assertFalse(statuses.allFinished());
        DetrainException e = assertThrows(DetrainException.class, () -> statuses.conclude(true, List.of(), List.of()));
        assertTrue(e.getMessage().startsWith("rank 600: the training loss is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("rank(s) [500-599, 601-700, 900] stopped without reporting"), e.getMessage());
    }

    @Test
    void betweenListingsTheWatchReportsNewFiles() throws Exception {
        RunLayout layout = new RunLayout(dir);
        Files.createDirectories(layout.statusDir());
        Files.createDirectories(layout.logDir());
        try (RankStatuses statuses = new RankStatuses(layout, RANKS)) {
            statuses.refresh(); // the watch is set and the directories listed once
            Files.writeString(layout.rankLog(9), "started");
            Path tmp = layout.statusDir().resolve(".rank-9.failed.tmp");
            Files.writeString(tmp, "rank 9: boom\n");
            Files.move(tmp, layout.failed(9), java.nio.file.StandardCopyOption.ATOMIC_MOVE); // as AtomicFiles writes it
            for (int i = 0; i < 500 && !statuses.anyFailed(); i++) {
                Thread.sleep(20); // the watch's events arrive on the JDK's own thread
                statuses.refresh();
            }
            assertTrue(statuses.anyFailed());
            assertTrue(statuses.hasStatus(9));
            assertFalse(statuses.notStarted().contains(9));
        }
    }

    @Test
    void rankListsAreWrittenAsRuns() {
        assertEquals("[]", RankStatuses.ranges(List.of()));
        assertEquals("[7]", RankStatuses.ranges(List.of(7)));
        assertEquals("[3, 4]", RankStatuses.ranges(List.of(3, 4)));
        assertEquals("[0-255]", RankStatuses.ranges(range(0, 256)));
        List<Integer> mixed = new ArrayList<>(List.of(1));
        mixed.addAll(range(3, 6));
        mixed.addAll(List.of(9, 10, 12));
        assertEquals("[1, 3-5, 9, 10, 12]", RankStatuses.ranges(mixed));
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int r = from; r < to; r++) {
            out.add(r);
        }
        return out;
    }
}
