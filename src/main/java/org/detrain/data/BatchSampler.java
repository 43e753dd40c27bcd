package org.detrain.data;

import java.util.Arrays;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;

/**
 * Draws one rank's mini-batches from its shard without replacement within a pass: it walks a
 * permutation of the shard and reshuffles it (Fisher–Yates, in place, through the sampler's own
 * {@link Rng}) at the start of every pass. A batch that runs past the end of a pass takes the
 * remaining samples, then continues at the start of the next, freshly shuffled, permutation, so
 * every sample is used exactly once per pass.
 *
 * <p>Its whole state is {@link #rngState()}, {@link #position()}, {@link #pass()} and
 * {@link #permutation()}; {@link #restore} rebuilds a sampler that continues identically.
 * Not thread-safe: one sampler per rank.
 */
public final class BatchSampler {
    private final int[] permutation;
    private final int batch;
    private final Rng rng;
    private int position;
    private long pass;

    /**
     * A sampler at the start of pass 0, whose permutation is the shard shuffled once by {@code rng}.
     * The sampler keeps and advances {@code rng}: give it a stream of its own, e.g.
     * {@code Rng.of(seed, "sampler", rank)}.
     *
     * @param shard the rank's sample indices (copied)
     * @param batch samples per batch, 1 to the shard size
     * @param rng the sampler's generator
     */
    public BatchSampler(int[] shard, int batch, Rng rng) {
        this(shard.clone(), batch, rng, 0, 0);
        checkBatch(shard.length, batch);
        rng.shuffle(permutation, 0, permutation.length);
    }

    private BatchSampler(int[] permutation, int batch, Rng rng, int position, long pass) {
        this.permutation = permutation;
        this.batch = batch;
        this.rng = rng;
        this.position = position;
        this.pass = pass;
    }

    /**
     * Rebuilds a sampler from a checkpoint of {@link #rngState()}, {@link #position()}, {@link #pass()}
     * and {@link #permutation()}; it continues exactly where the saved one stood.
     *
     * @param shard the rank's shard, as given to the original sampler; the permutation must be a
     *     rearrangement of it
     */
    public static BatchSampler restore(int[] shard, int batch, long rngState, int position, long pass,
                                       int[] permutation) {
        checkBatch(shard.length, batch);
        if (permutation.length != shard.length || position < 0 || position > shard.length || pass < 0) {
            throw DetrainException.badInput("saved sampler state (permutation of " + permutation.length + " samples,"
                    + " position " + position + ", pass " + pass + ") does not fit a shard of " + shard.length
                    + " samples: restart with the partition and rank count the checkpoint was written with,"
                    + " or start the run afresh");
        }
        int[] sortedShard = shard.clone();
        int[] sortedPermutation = permutation.clone();
        Arrays.sort(sortedShard);
        Arrays.sort(sortedPermutation);
        if (!Arrays.equals(sortedShard, sortedPermutation)) {
            throw DetrainException.badInput("saved sampler permutation holds other samples than this rank's shard:"
                    + " restart with the partition and rank count the checkpoint was written with,"
                    + " or start the run afresh");
        }
        return new BatchSampler(permutation.clone(), batch, new Rng(rngState), position, pass);
    }

    /** Writes the next {@link #batch()} sample indices into {@code out[0 .. batch)}. */
    public void next(int[] out) {
        if (out.length < batch) {
            throw DetrainException.runFailure("batch buffer holds " + out.length + " entries but the batch size is "
                    + batch + ": allocate the buffer with the sampler's batch size", null);
        }
        int filled = 0;
        while (filled < batch) {
            if (position == permutation.length) {
                rng.shuffle(permutation, 0, permutation.length);
                position = 0;
                pass++;
            }
            int take = Math.min(batch - filled, permutation.length - position);
            System.arraycopy(permutation, position, out, filled, take);
            position += take;
            filled += take;
        }
    }

    /** Samples per batch. */
    public int batch() {
        return batch;
    }

    /** Samples in the shard. */
    public int shardSize() {
        return permutation.length;
    }

    /** State of the sampler's generator. */
    public long rngState() {
        return rng.state();
    }

    /** How many samples of the current pass's permutation have been handed out (0 to shard size). */
    public int position() {
        return position;
    }

    /** Number of the current pass, counting from 0; it advances when the next pass's first sample is drawn. */
    public long pass() {
        return pass;
    }

    /** Samples handed out so far, divided by the shard size: the rank's epochs completed. */
    public double epochs() {
        return pass + (double) position / permutation.length;
    }

    /** The current pass's order of the shard, as a fresh array. */
    public int[] permutation() {
        return permutation.clone();
    }

    private static void checkBatch(int shardSize, int batch) {
        if (batch < 1) {
            throw DetrainException.badInput("batch size " + batch + " must be at least 1");
        }
        if (batch > shardSize) {
            throw DetrainException.badInput("batch size " + batch + " is larger than this rank's shard of " + shardSize
                    + " samples: use a batch size of at most " + shardSize + ", or fewer ranks so shards are larger");
        }
    }
}
