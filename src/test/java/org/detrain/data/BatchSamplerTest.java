package org.detrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchSamplerTest {
    private static int[] range(int from, int count) {
        int[] a = new int[count];
        for (int i = 0; i < count; i++) {
            a[i] = from + i;
        }
        return a;
    }

    /** The next {@code batches} batches, concatenated. */
    private static int[] draw(BatchSampler sampler, int batches) {
        int[] all = new int[batches * sampler.batch()];
        int[] out = new int[sampler.batch()];
        for (int b = 0; b < batches; b++) {
            sampler.next(out);
            System.arraycopy(out, 0, all, b * out.length, out.length);
        }
        return all;
    }

    @Test
    void followsFisherYatesPassesOfTheGivenGenerator() {
        int[] shard = range(10, 10);
        // The specified stream, built directly from Rng: pass 0 is the shard shuffled once, and each
        // later pass reshuffles the previous permutation in place.
        Rng reference = new Rng(42);
        int[] permutation = shard.clone();
        int[] expected = new int[21];
        reference.shuffle(permutation, 0, 10);
        System.arraycopy(permutation, 0, expected, 0, 10);
        reference.shuffle(permutation, 0, 10);
        System.arraycopy(permutation, 0, expected, 10, 10);
        reference.shuffle(permutation, 0, 10);
        expected[20] = permutation[0];

        BatchSampler sampler = new BatchSampler(shard, 3, new Rng(42));
        assertArrayEquals(expected, draw(sampler, 7));
        assertEquals(2, sampler.pass());
        assertEquals(1, sampler.position());
        assertEquals(reference.state(), sampler.rngState());
    }

    @ParameterizedTest
    @CsvSource({"37, 5", "37, 37", "40, 8", "1, 1", "12, 7"})
    void everySampleOncePerPass(int size, int batch) {
        int[] shard = new int[size];
        for (int i = 0; i < size; i++) {
            shard[i] = 1000 + 3 * i;
        }
        BatchSampler sampler = new BatchSampler(shard, batch, new Rng(size * 31L + batch));
        int passes = 6;
        int batches = passes * size / batch;
        int[] stream = draw(sampler, batches);
        int[] previous = null;
        boolean reshuffled = size == 1;
        for (int p = 0; p + 1 <= stream.length / size; p++) {
            int[] pass = Arrays.copyOfRange(stream, p * size, (p + 1) * size);
            int[] sorted = pass.clone();
            Arrays.sort(sorted);
            assertArrayEquals(shard, sorted, "pass " + p + " is not a permutation of the shard");
            if (previous != null && !Arrays.equals(previous, pass)) {
                reshuffled = true;
            }
            previous = pass;
        }
        assertTrue(reshuffled, "the order must change between passes");
    }

    @Test
    void passAndPositionCount() {
        BatchSampler sampler = new BatchSampler(range(0, 10), 4, new Rng(3));
        assertEquals(0, sampler.pass());
        assertEquals(0, sampler.position());
        draw(sampler, 1);
        assertEquals(0, sampler.pass());
        assertEquals(4, sampler.position());
        draw(sampler, 2); // 12 samples: the second batch crossed into pass 1
        assertEquals(1, sampler.pass());
        assertEquals(2, sampler.position());
        assertEquals(1.2, sampler.epochs(), 1e-12);
        draw(sampler, 2); // 20 samples: pass 1 just finished, pass 2 not started yet
        assertEquals(1, sampler.pass());
        assertEquals(10, sampler.position());
    }

    @Test
    void sameSeedSameBatchesOtherSeedOther() {
        int[] shard = range(0, 50);
        int[] a = draw(new BatchSampler(shard, 8, new Rng(5)), 20);
        int[] b = draw(new BatchSampler(shard, 8, new Rng(5)), 20);
        int[] c = draw(new BatchSampler(shard, 8, new Rng(6)), 20);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @ParameterizedTest
    @CsvSource({"0", "1", "3", "5", "6", "17"})
    void restoreContinuesIdentically(int batchesBefore) {
        int[] shard = range(100, 15);
        BatchSampler original = new BatchSampler(shard, 3, Rng.of(9, "sampler", 2));
        draw(original, batchesBefore);
        BatchSampler restored = BatchSampler.restore(shard, 3, original.rngState(), original.position(),
                original.pass(), original.permutation());
        assertEquals(original.pass(), restored.pass());
        assertEquals(original.position(), restored.position());
        assertArrayEquals(draw(original, 23), draw(restored, 23));
        assertEquals(original.rngState(), restored.rngState());
    }

    @Test
    void stateIsACopy() {
        BatchSampler sampler = new BatchSampler(range(0, 6), 2, new Rng(1));
        int[] permutation = sampler.permutation();
        permutation[0] = -1;
        assertTrue(Arrays.stream(sampler.permutation()).allMatch(i -> i >= 0));
        int[] shard = range(0, 6);
        BatchSampler fromShard = new BatchSampler(shard, 6, new Rng(1));
        shard[0] = 99;
        int[] batch = draw(fromShard, 1);
        Arrays.sort(batch);
        assertArrayEquals(range(0, 6), batch);
    }

    @Test
    void rejectsBadBatchAndState() {
        DetrainException big = assertThrows(DetrainException.class, () -> new BatchSampler(range(0, 5), 6, new Rng(1)));
        assertTrue(big.getMessage().contains("at most 5"), big.getMessage());
        assertThrows(DetrainException.class, () -> new BatchSampler(range(0, 5), 0, new Rng(1)));
        assertThrows(DetrainException.class, () -> new BatchSampler(new int[0], 1, new Rng(1)));
        int[] shard = range(0, 4);
        DetrainException other = assertThrows(DetrainException.class,
                () -> BatchSampler.restore(shard, 2, 0, 0, 0, new int[] {0, 1, 2, 5}));
        assertTrue(other.getMessage().contains("other samples"), other.getMessage());
        assertThrows(DetrainException.class, () -> BatchSampler.restore(shard, 2, 0, 5, 0, new int[] {3, 2, 1, 0}));
        assertThrows(DetrainException.class, () -> BatchSampler.restore(shard, 2, 0, 0, -1, new int[] {3, 2, 1, 0}));
        assertThrows(DetrainException.class, () -> BatchSampler.restore(shard, 2, 0, 0, 0, new int[] {3, 2, 1}));
        BatchSampler sampler = new BatchSampler(shard, 2, new Rng(1));
        assertEquals(DetrainException.BAD_INPUT, other.exitCode(), "a saved state is read while a resume is set up");
        DetrainException small = assertThrows(DetrainException.class, () -> sampler.next(new int[1]));
        assertEquals(DetrainException.RUN_FAILED, small.exitCode(), "drawing a batch happens during the run");
    }
}
