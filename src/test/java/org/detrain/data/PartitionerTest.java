package org.detrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.BitSet;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionerTest {
    private static final int N = 60_000;
    private static final int RANKS = 8;

    /**
     * Fashion-MNIST-like labels: 10 classes x 6000, interleaved as label(i) = 7i mod 10, so the stable
     * sort has real work to do and the members of each class are known in closed form
     * (label c at i ≡ 3c mod 10, since 7 * 3 = 21 ≡ 1).
     */
    private static final int[] LABELS = fashionLikeLabels();

    private static int[] fashionLikeLabels() {
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = (7 * i) % 10;
        }
        return labels;
    }

    /** Class counts per rank with nothing shuffled, worked out by hand: rank r takes sorted positions [7500r, 7500r+7500). */
    private static final int[][] SORTED_COUNTS = {
        {6000, 1500, 0, 0, 0, 0, 0, 0, 0, 0},
        {0, 4500, 3000, 0, 0, 0, 0, 0, 0, 0},
        {0, 0, 3000, 4500, 0, 0, 0, 0, 0, 0},
        {0, 0, 0, 1500, 6000, 0, 0, 0, 0, 0},
        {0, 0, 0, 0, 0, 6000, 1500, 0, 0, 0},
        {0, 0, 0, 0, 0, 0, 4500, 3000, 0, 0},
        {0, 0, 0, 0, 0, 0, 0, 3000, 4500, 0},
        {0, 0, 0, 0, 0, 0, 0, 0, 1500, 6000},
    };

    private static Partition shuffled(double percent, long seed) {
        return Partitioner.shuffledFraction(LABELS, RANKS, percent, new Rng(seed));
    }

    @Test
    void stableSortKeepsIndexOrderWithinAClass() {
        assertArrayEquals(new int[] {1, 4, 0, 3, 2, 5}, Partitioner.stableSortByLabel(new int[] {2, 0, 3, 2, 0, 3}));
    }

    @Test
    void zeroPercentGivesOneOrTwoClassesPerRank() {
        Partition p = shuffled(0, 1);
        assertArrayEquals(SORTED_COUNTS, p.classCounts(LABELS, 10));
        for (int[] counts : p.classCounts(LABELS, 10)) {
            long classes = Arrays.stream(counts).filter(c -> c > 0).count();
            assertTrue(classes == 1 || classes == 2);
        }
        // Rank 0: all of class 0 and the first 1500 members of class 1, which sit at i = 3, 13, 23, ...
        int[] expected = new int[7500];
        int k = 0;
        for (int i = 0; i < N; i++) {
            if (LABELS[i] == 0) {
                expected[k++] = i;
            } else if (LABELS[i] == 1 && i <= 14_993) {
                expected[k++] = i;
            }
        }
        assertEquals(7500, k);
        assertArrayEquals(expected, p.shard(0));
    }

    @Test
    void shufflingOnlyInsideTheFirstShardChangesNothing() {
        // 10% of 60000 = 6000: only class 0 is shuffled, inside rank 0's shard, so the sets are those of 0%.
        assertEquals(shuffled(0, 1), shuffled(10, 99));
    }

    @Test
    void hundredPercentIsIid() {
        int[][] counts = shuffled(100, 7).classCounts(LABELS, 10);
        for (int r = 0; r < RANKS; r++) {
            for (int c = 0; c < 10; c++) {
                // Hypergeometric: mean 750, standard deviation about 24; 150 is over six of them.
                assertTrue(Math.abs(counts[r][c] - 750) < 150, "rank " + r + " class " + c + ": " + counts[r][c]);
            }
        }
    }

    @Test
    void twentyFivePercentMixesOnlyTheFirstTwoRanks() {
        // floor(0.25 * 60000) = 15000 sorted samples = classes 0, 1 and the first 3000 of class 2 = ranks 0 and 1.
        Partition p = shuffled(25, 3);
        int[][] counts = p.classCounts(LABELS, 10);
        for (int r = 2; r < RANKS; r++) {
            assertArrayEquals(SORTED_COUNTS[r], counts[r], "untouched rank " + r);
        }
        int[] expectedMix = {3000, 3000, 1500};
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 10; c++) {
                if (c < 3) {
                    assertTrue(Math.abs(counts[r][c] - expectedMix[c]) < 300, "rank " + r + " class " + c + ": " + counts[r][c]);
                } else {
                    assertEquals(0, counts[r][c]);
                }
            }
        }
        // Ranks 0 and 1 together hold exactly the first 15000 sorted samples.
        BitSet firstTwo = new BitSet();
        Arrays.stream(p.shard(0)).forEach(firstTwo::set);
        Arrays.stream(p.shard(1)).forEach(firstTwo::set);
        int[] sorted = Partitioner.stableSortByLabel(LABELS);
        BitSet expected = new BitSet();
        for (int k = 0; k < 15_000; k++) {
            expected.set(sorted[k]);
        }
        assertEquals(expected, firstTwo);
    }

    @Test
    void fiftyPercentMixesTheFirstFourRanks() {
        int[][] counts = shuffled(50, 5).classCounts(LABELS, 10);
        for (int r = 4; r < RANKS; r++) {
            assertArrayEquals(SORTED_COUNTS[r], counts[r], "untouched rank " + r);
        }
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 10; c++) {
                int expected = c < 5 ? 1500 : 0;
                assertTrue(Math.abs(counts[r][c] - expected) < 300, "rank " + r + " class " + c + ": " + counts[r][c]);
            }
        }
    }

    @Test
    void shuffledPrefixIsFloorOfThePercent() {
        // Ten samples with distinct labels, one per rank: X% shuffles the first floor(X/10) of them.
        int[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        boolean fourthMoved = false;
        for (long seed = 0; seed < 50; seed++) {
            Partition below = Partitioner.shuffledFraction(labels, 10, 39.99, new Rng(seed));
            for (int r = 3; r < 10; r++) {
                assertArrayEquals(new int[] {r}, below.shard(r));
            }
            Partition at = Partitioner.shuffledFraction(labels, 10, 40, new Rng(seed));
            fourthMoved |= at.shard(3)[0] != 3;
            for (int r = 4; r < 10; r++) {
                assertArrayEquals(new int[] {r}, at.shard(r));
            }
        }
        assertTrue(fourthMoved, "with 40% the fourth sample must take part in the shuffle");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 8, 13})
    void shardsAreDisjointEqualAndDropTheRemainder(int ranks) {
        Partition p = Partitioner.shuffledFraction(LABELS, ranks, 0, new Rng(2));
        assertEquals(ranks, p.ranks());
        BitSet seen = new BitSet();
        for (int r = 0; r < ranks; r++) {
            int[] shard = p.shard(r);
            assertEquals(N / ranks, shard.length);
            for (int index : shard) {
                assertTrue(!seen.get(index), "sample " + index + " twice");
                seen.set(index);
            }
        }
        assertEquals(N - N % ranks, seen.cardinality());
        // With nothing shuffled the dropped ones are the last members of class 9 (i ≡ 7 mod 10).
        for (int d = 0; d < N % ranks; d++) {
            assertTrue(!seen.get(N - 3 - 10 * d), "sample " + (N - 3 - 10 * d) + " should be dropped");
        }
        assertEquals(N % ranks != 0, p.describe().contains("dropped"));
    }

    @Test
    void sameSeedSamePartitionOtherSeedOther() {
        assertEquals(shuffled(50, 11), shuffled(50, 11));
        assertNotEquals(shuffled(50, 11), shuffled(50, 12));
        int[] shard = shuffled(50, 11).shard(2);
        for (int k = 1; k < shard.length; k++) {
            assertTrue(shard[k - 1] < shard[k], "shards are sorted ascending");
        }
    }

    @Test
    void describeNamesTheScheme() {
        assertEquals("shuffled fraction 25% over 8 ranks: 7500 samples each, 60000 in all", shuffled(25, 1).describe());
    }

    @Test
    void rejectsBadArguments() {
        Rng rng = new Rng(1);
        int[] labels = {0, 1, 0};
        assertThrows(DetrainException.class, () -> Partitioner.shuffledFraction(labels, 0, 50, rng));
        DetrainException tooMany = assertThrows(DetrainException.class,
                () -> Partitioner.shuffledFraction(labels, 4, 50, rng));
        assertTrue(tooMany.getMessage().contains("at most 3 ranks"), tooMany.getMessage());
        for (double bad : new double[] {-1, 100.5, Double.NaN}) {
            DetrainException e = assertThrows(DetrainException.class,
                    () -> Partitioner.shuffledFraction(labels, 1, bad, rng));
            assertTrue(e.getMessage().contains("[0, 100]"), e.getMessage());
        }
        assertThrows(DetrainException.class, () -> Partitioner.shuffledFraction(new int[] {0, -1}, 1, 50, rng));
    }

    // ---- Dirichlet -------------------------------------------------------------------------------

    @Test
    void cumulativeRoundingAddsUp() {
        // Boundaries round(10/3) = 3, round(20/3) = 7, 10.
        assertArrayEquals(new int[] {3, 4, 3}, Partitioner.splitByProportions(10, new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}));
        // Boundaries round(3.5) = 4, 4, 7.
        assertArrayEquals(new int[] {4, 0, 3}, Partitioner.splitByProportions(7, new double[] {0.5, 0, 0.5}));
        assertArrayEquals(new int[] {0, 0, 5}, Partitioner.splitByProportions(5, new double[] {0, 0, 1}));
        // Proportions that sum a hair above 1 still give exactly n.
        assertArrayEquals(new int[] {1, 1, 1}, Partitioner.splitByProportions(3, new double[] {0.3333333333333334, 0.3333333333333334, 0.3333333333333334}));
    }

    private static Partition dirichlet(double alpha, int minShard, long seed) {
        return Partitioner.dirichlet(LABELS, 10, RANKS, alpha, minShard, new Rng(seed));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.05, 1, 1000})
    void dirichletUsesEverySampleOnce(double alpha) {
        Partition p = dirichlet(alpha, 0, 4);
        BitSet seen = new BitSet();
        for (int r = 0; r < RANKS; r++) {
            int[] shard = p.shard(r);
            for (int k = 0; k < shard.length; k++) {
                assertTrue(k == 0 || shard[k - 1] < shard[k], "sorted ascending");
                assertTrue(!seen.get(shard[k]));
                seen.set(shard[k]);
            }
        }
        assertEquals(N, seen.cardinality());
        int[][] counts = p.classCounts(LABELS, 10);
        for (int c = 0; c < 10; c++) {
            int total = 0;
            for (int r = 0; r < RANKS; r++) {
                total += counts[r][c];
            }
            assertEquals(6000, total);
        }
    }

    @Test
    void largeAlphaIsNearlyUniform() {
        int[][] counts = dirichlet(1000, 0, 9).classCounts(LABELS, 10);
        for (int r = 0; r < RANKS; r++) {
            for (int c = 0; c < 10; c++) {
                // Dir(1000) over 8 ranks: share sd about 0.0037, i.e. 22 samples of 6000.
                assertTrue(Math.abs(counts[r][c] - 750) < 150, "rank " + r + " class " + c + ": " + counts[r][c]);
            }
        }
    }

    @Test
    void smallAlphaIsSkewed() {
        int[][] counts = dirichlet(0.05, 0, 9).classCounts(LABELS, 10);
        int concentrated = 0;
        for (int c = 0; c < 10; c++) {
            int max = 0;
            for (int r = 0; r < RANKS; r++) {
                max = Math.max(max, counts[r][c]);
            }
            if (max > 3000) {
                concentrated++;
            }
        }
        // Under Dir(0.05) over 8 ranks the largest share exceeds one half with probability
        // about 0.94, so fewer than 6 of 10 such classes happens with probability about 1e-4.
        assertTrue(concentrated >= 6, "classes with a majority rank: " + concentrated);
    }

    @Test
    void minimumShardIsRespectedOrExplained() {
        int[] labels = Arrays.copyOf(LABELS, 2000);
        for (long seed = 0; seed < 5; seed++) {
            Partition p = Partitioner.dirichlet(labels, 10, 16, 0.3, 40, new Rng(seed));
            for (int r = 0; r < 16; r++) {
                assertTrue(p.shardSize(r) >= 40, "rank " + r + " has " + p.shardSize(r));
            }
        }
        DetrainException e = assertThrows(DetrainException.class,
                () -> Partitioner.dirichlet(labels, 10, 16, 0.001, 120, new Rng(1)));
        assertTrue(e.getMessage().contains("larger alpha"), e.getMessage());
        DetrainException impossible = assertThrows(DetrainException.class,
                () -> Partitioner.dirichlet(labels, 10, 16, 1, 126, new Rng(1)));
        assertTrue(impossible.getMessage().contains("between 0 and 125"), impossible.getMessage());
    }

    @Test
    void dirichletIsReproducible() {
        assertEquals(dirichlet(0.5, 10, 21), dirichlet(0.5, 10, 21));
        assertNotEquals(dirichlet(0.5, 10, 21), dirichlet(0.5, 10, 22));
    }

    @Test
    void tinyAlphaStillPartitions() {
        // Gamma draws underflow to 0 here; every class must still land, whole, on some rank.
        int[][] counts = dirichlet(1e-300, 0, 3).classCounts(LABELS, 10);
        for (int c = 0; c < 10; c++) {
            int holders = 0;
            for (int r = 0; r < RANKS; r++) {
                holders += counts[r][c] > 0 ? 1 : 0;
            }
            assertEquals(1, holders);
        }
    }

    @Test
    void oneRankGetsEverything() {
        Partition d = Partitioner.dirichlet(LABELS, 10, 1, 0.1, 0, new Rng(1));
        Partition s = Partitioner.shuffledFraction(LABELS, 1, 30, new Rng(1));
        int[] all = new int[N];
        Arrays.setAll(all, i -> i);
        assertArrayEquals(all, d.shard(0));
        assertArrayEquals(all, s.shard(0));
    }

    @Test
    void dirichletRejectsBadArguments() {
        for (double alpha : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            DetrainException e = assertThrows(DetrainException.class, () -> dirichlet(alpha, 0, 1));
            assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        }
        assertThrows(DetrainException.class, () -> Partitioner.dirichlet(LABELS, 9, RANKS, 1, 0, new Rng(1)));
        assertThrows(DetrainException.class, () -> Partitioner.dirichlet(LABELS, 10, 0, 1, 0, new Rng(1)));
        assertThrows(DetrainException.class, () -> Partitioner.dirichlet(new int[3], 10, 4, 1, 0, new Rng(1)));
    }

    // ---- Partition ---------------------------------------------------------------------------------

    @Test
    void partitionCopiesAndValidates() {
        int[][] shards = {{0, 2}, {1}};
        Partition p = Partition.of("hand-made", shards);
        shards[0][0] = 5;
        p.shard(0)[0] = 7;
        assertArrayEquals(new int[] {0, 2}, p.shard(0));
        assertArrayEquals(new int[][] {{1, 1}, {0, 1}}, p.classCounts(new int[] {0, 1, 1}, 2));
        assertEquals("hand-made over 2 ranks: 1 to 2 samples per rank, 3 in all", p.describe());
        DetrainException twice = assertThrows(DetrainException.class, () -> Partition.of("x", new int[][] {{0, 1}, {1}}));
        assertTrue(twice.getMessage().contains("sample 1 appears twice"), twice.getMessage());
        assertThrows(DetrainException.class, () -> p.shard(2));
        assertThrows(DetrainException.class, () -> p.classCounts(new int[] {0, 1}, 2));
    }
}
