package org.detrain.data;

import java.util.Arrays;
import java.util.BitSet;
import org.detrain.util.DetrainException;

/**
 * An immutable assignment of training samples to ranks: rank r trains on the samples whose indices
 * are in {@link #shard(int)}. Shards are disjoint; samples in no shard are not trained on.
 */
public final class Partition {
    private final String scheme;
    private final int[][] shards;

    private Partition(String scheme, int[][] shards) {
        this.scheme = scheme;
        this.shards = shards;
    }

    /**
     * A partition from copies of the given shards.
     *
     * @param scheme a short description of how it was made, e.g. "shuffled fraction 25%"
     * @param shards one array of sample indices per rank; indices non-negative and in no two shards
     */
    public static Partition of(String scheme, int[][] shards) {
        if (shards.length < 1) {
            throw DetrainException.badInput("a partition needs at least one shard, got none: pass one shard per rank");
        }
        int[][] copy = new int[shards.length][];
        BitSet seen = new BitSet();
        for (int r = 0; r < shards.length; r++) {
            copy[r] = shards[r].clone();
            for (int index : copy[r]) {
                if (index < 0) {
                    throw DetrainException.badInput("shard of rank " + r + " holds the negative sample index " + index
                            + ": shards must hold indices into the training set");
                }
                if (seen.get(index)) {
                    throw DetrainException.badInput("sample " + index + " appears twice in the partition (again in the"
                            + " shard of rank " + r + "): shards must be disjoint");
                }
                seen.set(index);
            }
        }
        return new Partition(scheme, copy);
    }

    /** Builds from arrays made fresh by the partitioner, without copying or re-checking them. */
    static Partition wrap(String scheme, int[][] shards) {
        return new Partition(scheme, shards);
    }

    /** Number of ranks (shards). */
    public int ranks() {
        return shards.length;
    }

    /** The sample indices of {@code rank}'s shard, as a fresh array. */
    public int[] shard(int rank) {
        return shards[checkRank(rank)].clone();
    }

    /** Number of samples in {@code rank}'s shard. */
    public int shardSize(int rank) {
        return shards[checkRank(rank)].length;
    }

    /** Samples in all shards together. */
    public long assigned() {
        long total = 0;
        for (int[] shard : shards) {
            total += shard.length;
        }
        return total;
    }

    /** How the partition was made. */
    public String scheme() {
        return scheme;
    }

    /**
     * Per-rank label histogram: {@code counts[rank][class]} samples of that class in that shard.
     *
     * @param labels the labels of the whole training set the shards index into
     * @param classes number of classes; every label must be below it
     */
    public int[][] classCounts(int[] labels, int classes) {
        if (classes < 1) {
            throw DetrainException.badInput("class count " + classes + " must be at least 1");
        }
        int[][] counts = new int[shards.length][classes];
        for (int r = 0; r < shards.length; r++) {
            for (int index : shards[r]) {
                if (index >= labels.length) {
                    throw DetrainException.badInput("rank " + r + "'s shard holds sample " + index + " but the label"
                            + " vector has only " + labels.length + " entries: pass the labels of the training set"
                            + " this partition was made for");
                }
                int label = labels[index];
                if (label < 0 || label >= classes) {
                    throw DetrainException.badInput("sample " + index + " has label " + label + ", outside 0.." + (classes - 1)
                            + ": pass the right class count");
                }
                counts[r][label]++;
            }
        }
        return counts;
    }

    /** One line: the scheme, the rank count and the smallest and largest shard. */
    public String describe() {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int[] shard : shards) {
            min = Math.min(min, shard.length);
            max = Math.max(max, shard.length);
        }
        String sizes = min == max ? min + " samples each" : min + " to " + max + " samples per rank";
        return scheme + " over " + shards.length + " ranks: " + sizes + ", " + assigned() + " in all";
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Partitions are equal when their shards are, element by element; the scheme text is ignored. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Partition other && Arrays.deepEquals(shards, other.shards);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(shards);
    }

    private int checkRank(int rank) {
        if (rank < 0 || rank >= shards.length) {
            throw DetrainException.badInput("rank " + rank + " is outside the partition's ranks 0.." + (shards.length - 1)
                    + ": make the partition for the job's rank count");
        }
        return rank;
    }
}
