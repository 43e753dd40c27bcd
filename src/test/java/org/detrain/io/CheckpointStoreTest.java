package org.detrain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    private static final String HASH = "c0ffee";

    @TempDir
    Path dir;

    /** A rank's content whose float values are easy to find in the file: 1000 + rank + k/8. */
    private static H5Group content(int rank) {
        float[] x = new float[64];
        for (int k = 0; k < x.length; k++) {
            x[k] = 1000 + rank + k / 8f;
        }
        H5Group g = new H5Group();
        g.group("state").group("buffers").dataset("x", x);
        g.group("state").group("scalars").attr("w", 0.5 + rank);
        g.group("sampler").attr("rng_state", 42L + rank).dataset("permutation", new int[] {2, 0, 1});
        return g;
    }

    /** Writes a complete set the way the ranks and rank 0 do. */
    private CheckpointStore writeSet(CheckpointStore store, long iteration, int ranks) {
        List<CheckpointStore.FileDigest> files = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            files.add(store.writeRank(new CheckpointStore.Header(HASH, ranks, r, iteration), content(r)));
        }
        store.writeManifest(new CheckpointStore.Manifest(iteration, ranks, HASH, "run", "periodic", "now", files));
        return store;
    }

    @Test
    void rankFilesRoundTripWithHeaderAndChecksum() {
        CheckpointStore store = writeSet(new CheckpointStore(dir), 100, 2);
        H5Group back = store.readRank(new CheckpointStore.Header(HASH, 2, 1, 100));
        assertEquals(CheckpointStore.FILE_FORMAT, back.getAttribute("format"));
        assertEquals(1L, back.getAttribute("rank"));
        assertEquals(100L, back.getAttribute("iteration"));
        float[] x = back.getGroup("state").getGroup("buffers").getDataset("x", float[].class);
        assertEquals(1001f + 63 / 8f, x[63]);
        assertEquals(1.5, back.getGroup("state").getGroup("scalars").getAttribute("w", Double.class));
        assertTrue(Files.exists(dir.resolve("it-0000000100/manifest.properties")));
        assertNull(store.verifySet(100, HASH, 2));
    }

    /** Writing happens during a run: a failure exits 3; reading one back happens while a resume is set up: exit 2. */
    @Test
    void writeFailuresAreRunFailuresReadFailuresBadInput() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Files.createFile(store.setDir(100)); // a file where the set's directory must go
        DetrainException write = assertThrows(DetrainException.class,
                () -> store.writeRank(new CheckpointStore.Header(HASH, 1, 0, 100), content(0)));
        assertEquals(DetrainException.RUN_FAILED, write.exitCode(), write.getMessage());
        assertTrue(write.getMessage().contains(store.setDir(100).toString()), write.getMessage());
        DetrainException read = assertThrows(DetrainException.class,
                () -> store.readRank(new CheckpointStore.Header(HASH, 1, 0, 100)));
        assertEquals(DetrainException.BAD_INPUT, read.exitCode(), read.getMessage());
    }

    @Test
    void readingChecksTheHeader() {
        CheckpointStore store = writeSet(new CheckpointStore(dir), 100, 2);
        DetrainException e = assertThrows(DetrainException.class,
                () -> store.readRank(new CheckpointStore.Header("other", 2, 1, 100)));
        assertTrue(e.getMessage().contains("config hash c0ffee"), e.getMessage());
    }

    @Test
    void aChangedValueInsideAFileFailsItsChecksum() throws IOException {
        CheckpointStore store = writeSet(new CheckpointStore(dir), 100, 2);
        Path file = store.rankFile(100, 1);
        byte[] bytes = Files.readAllBytes(file);
        // x[8] = 1002.0f, stored little-endian; change its lowest mantissa bit
        byte[] pattern = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1002f).putFloat(1002.125f).array();
        int at = indexOf(bytes, pattern);
        assertTrue(at > 0, "the float data is stored raw");
        bytes[at] ^= 1;
        Files.write(file, bytes);
        DetrainException e = assertThrows(DetrainException.class,
                () -> store.readRank(new CheckpointStore.Header(HASH, 2, 1, 100)));
        assertTrue(e.getMessage().contains("fails its checksum"), e.getMessage());
        assertTrue(store.verifySet(100, HASH, 2).contains("SHA-256"), "the manifest catches it too");
    }

    @Test
    void damagedSetsAreNamedWithTheReason() throws IOException {
        CheckpointStore store = writeSet(new CheckpointStore(dir), 100, 3);
        Path f0 = store.rankFile(100, 0);
        byte[] original = Files.readAllBytes(f0);

        Files.write(f0, java.util.Arrays.copyOf(original, original.length - 10));
        assertTrue(store.verifySet(100, HASH, 3).contains("bytes but the manifest says"), store.verifySet(100, HASH, 3));

        byte[] flipped = original.clone();
        flipped[flipped.length / 2] ^= 0x40;
        Files.write(f0, flipped);
        assertTrue(store.verifySet(100, HASH, 3).contains("fails its SHA-256"));

        Files.write(f0, original);
        assertNull(store.verifySet(100, HASH, 3));
        Files.delete(store.rankFile(100, 2));
        assertTrue(store.verifySet(100, HASH, 3).contains("rank-2.h5 of"), store.verifySet(100, HASH, 3));
    }

    @Test
    void anEditedManifestIsDamage() throws IOException {
        CheckpointStore store = writeSet(new CheckpointStore(dir), 100, 2);
        Path m = store.manifest(100);
        Files.writeString(m, Files.readString(m).replace("rank.1.bytes=", "rank.1.bytes=1"));
        assertTrue(store.verifySet(100, HASH, 2).contains("fails its checksum"), store.verifySet(100, HASH, 2));
        Files.writeString(m, "garbage\n");
        assertTrue(store.verifySet(100, HASH, 2).contains("fails its checksum"));
    }

    @Test
    void aSetOfAnotherConfigOrRankCountIsRefusedNotSkipped() {
        CheckpointStore store = writeSet(new CheckpointStore(dir), 100, 2);
        DetrainException config = assertThrows(DetrainException.class, () -> store.select("other", 2));
        assertTrue(config.getMessage().contains("config hash c0ffee") && config.getMessage().contains("start a new run"));
        DetrainException ranks = assertThrows(DetrainException.class, () -> store.select(HASH, 3));
        assertTrue(ranks.getMessage().contains("2 ranks"), ranks.getMessage());
    }

    @Test
    void selectionTakesTheNewestSoundSetAndNamesTheDamagedOnes() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        writeSet(store, 100, 2);
        writeSet(store, 200, 2);
        writeSet(store, 300, 2);
        store.writeRank(new CheckpointStore.Header(HASH, 2, 0, 400), content(0)); // incomplete: no manifest
        assertEquals(List.of(300L, 200L, 100L), store.completeIterations());
        assertEquals(List.of(400L), store.incompleteIterations());
        assertEquals(300, store.select(HASH, 2).iteration());

        Files.write(store.rankFile(300, 1), new byte[] {1, 2, 3});
        Files.delete(store.rankFile(200, 0));
        CheckpointStore.Selection s = store.select(HASH, 2);
        assertEquals(100, s.iteration());
        assertEquals(List.of(300L, 200L), s.damaged());
        assertEquals(2, s.reasons().size());

        Files.delete(store.rankFile(100, 1));
        assertFalse(store.select(HASH, 2).found());
    }

    @Test
    void pruneKeepsTheNewestCompleteSetsAndSetAsideOnes() {
        CheckpointStore store = new CheckpointStore(dir);
        store.writeRank(new CheckpointStore.Header(HASH, 1, 0, 50), content(0)); // failed write long ago
        for (long it : new long[] {100, 200, 300, 400}) {
            writeSet(store, it, 1);
        }
        Path aside = store.quarantine(100);
        assertTrue(Files.isDirectory(aside) && aside.getFileName().toString().startsWith("it-0000000100.damaged-"));
        store.writeRank(new CheckpointStore.Header(HASH, 1, 0, 500), content(0)); // being written now
        store.prune(2);
        assertEquals(List.of(400L, 300L), store.completeIterations());
        assertEquals(List.of(500L), store.incompleteIterations(), "only sets older than the newest complete go");
        assertTrue(Files.isDirectory(aside), "a set aside stays for inspection");
        store.removeIncomplete();
        assertEquals(List.of(), store.incompleteIterations());
    }

    @Test
    void digestIgnoresInsertionOrderButNotValuesOrTypes() {
        H5Group a = new H5Group().attr("n", 1L).attr("s", "x");
        a.dataset("v", new float[] {1f, 2f});
        H5Group b = new H5Group();
        b.dataset("v", new float[] {1f, 2f});
        b.attr("s", "x").attr("n", 1L);
        assertEquals(H5Digest.of(a, Set.of()), H5Digest.of(b, Set.of()));
        H5Group c = new H5Group().attr("n", 1).attr("s", "x"); // int, not long
        c.dataset("v", new float[] {1f, 2f});
        assertNotEquals(H5Digest.of(a, Set.of()), H5Digest.of(c, Set.of()));
        H5Group d = new H5Group().attr("n", 1L).attr("s", "x");
        d.dataset("v", new float[] {1f, Math.nextUp(2f)});
        assertNotEquals(H5Digest.of(a, Set.of()), H5Digest.of(d, Set.of()));
        assertEquals(H5Digest.of(a, Set.of("n")), H5Digest.of(new H5Group().attr("s", "x").dataset("v", new float[] {1f, 2f}),
                Set.of()), "skipped root attributes do not count");
    }

    @Test
    void digestOfAFileReadBackEqualsTheWrittenTree() {
        H5Group g = content(3);
        g.group("metrics").dataset("rows", new double[0][]).dataset("names", new String[] {"a", "bé"});
        Path file = dir.resolve("t.h5");
        Hdf5Files.writeAtomically(file, g);
        assertEquals(H5Digest.of(g, Set.of()), H5Digest.of(Hdf5Files.read(file), Set.of()));
    }

    @Test
    void manifestIsPlainSortedText() throws IOException {
        CheckpointStore store = writeSet(new CheckpointStore(dir), 7, 1);
        List<String> lines = Files.readAllLines(store.manifest(7), StandardCharsets.UTF_8);
        assertTrue(lines.contains("iteration=7") && lines.contains("ranks=1") && lines.contains("config_hash=c0ffee"), lines.toString());
        CheckpointStore.Manifest m = store.readManifest(7);
        assertEquals(CheckpointStore.digest(store.rankFile(7, 0)), m.files().get(0));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
