package org.detrain.kernel;

import java.util.HashMap;
import java.util.Map;

/**
 * The Java engine's second layout of its tensors and the bookkeeping of which layout is current.
 * The convolution and pooling passes work with the samples as the vector lanes: a tensor of S
 * floats a sample becomes [element][sample], S rows of {@link #paddedBatch} floats (the batch
 * padded to whole vectors with zeros), so that every lane is a real output whatever the plane
 * width. The dense passes work on the row-major workspace ([sample][element], {@link NetBuffers}).
 *
 * <p>A tensor that a lane pass touches gets a lane copy, keyed by its region base (the input batch
 * by {@link #INPUT_KEY}). Each copy knows whether it and the row-major tensor are current; a pass
 * asks for the layout it reads ({@link #lanesOf}, {@link #rowsOf}) and says which one it wrote
 * ({@link #lanesFor}, {@link #wroteRows}), so only stale tensors are converted. For LeNet-5 that is
 * the input batch, the features going into the dense layers, and their gradient coming back.
 */
final class LaneLayout {
    /** The key of the input batch's lane copy (region bases are ≥ 0). */
    private static final int INPUT_KEY = -1;

    /** One tensor's [element][sample] copy and which of it and the row-major tensor is current. */
    private static final class LaneCopy {
        final int key;
        final int perSample;
        float[] data = new float[0];
        /** The row length of {@link #data} (a padded batch) and the samples it holds. */
        int paddedBatch;
        int batch;
        boolean current;
        boolean rowsCurrent = true;

        LaneCopy(int key, int perSample) {
            this.key = key;
            this.perSample = perSample;
        }
    }

    private final NetBuffers buffers;
    private final PassThreads threads;
    private final Map<Integer, LaneCopy> copies = new HashMap<>();
    /** The batch size of the step in progress, and the one the lane copies are laid out for. */
    private int batch;
    private int laidOutFor = -1;

    LaneLayout(NetBuffers buffers, PassThreads threads) {
        this.buffers = buffers;
        this.threads = threads;
    }

    /**
     * A step on n samples begins: the caller has refilled the input batch, and lane copies laid out
     * for another batch size go back to rows first.
     */
    void startStep(int n) {
        if (n != laidOutFor) {
            syncRows();
            copies.values().forEach(c -> c.current = false);
            laidOutFor = n;
        }
        LaneCopy input = copies.get(INPUT_KEY);
        if (input != null) {
            input.current = false;
        }
        batch = n;
    }

    /** The batch padded to whole vectors: the row length of every lane copy. */
    int paddedBatch() {
        return (batch + Loops.LANES - 1) / Loops.LANES * Loops.LANES;
    }

    private LaneCopy copy(int source, int regionBase, int perSample) {
        return copies.computeIfAbsent(source == NetBuffers.INPUT ? INPUT_KEY : regionBase,
                key -> new LaneCopy(key, perSample));
    }

    /** A tensor for a pass to read, with the samples as lanes: converted from rows if its copy is stale. */
    float[] lanesOf(int source, int regionBase, int perSample) {
        LaneCopy c = copy(source, regionBase, perSample);
        if (!c.current) {
            int padded = paddedBatch();
            c.data = grow(c.data, perSample * padded);
            toLanes(buffers.source(source), source == NetBuffers.INPUT ? 0 : regionBase * buffers.capacity, perSample,
                    c.data, padded);
            c.paddedBatch = padded;
            c.batch = batch;
            c.current = true;
        }
        return c.data;
    }

    /** A tensor's lane copy for a pass to overwrite; its row-major tensor becomes stale. */
    float[] lanesFor(int regionBase, int perSample) {
        LaneCopy c = copy(0, regionBase, perSample);
        int padded = paddedBatch();
        c.data = grow(c.data, perSample * padded);
        c.paddedBatch = padded;
        c.batch = batch;
        c.current = true;
        c.rowsCurrent = false;
        return c.data;
    }

    /** Makes the row-major tensor current before a dense pass reads it (the input batch always is). */
    void rowsOf(int source, int regionBase) {
        LaneCopy c = source == NetBuffers.INPUT ? null : copies.get(regionBase);
        if (c != null && !c.rowsCurrent) {
            fromLanes(c.data, c.paddedBatch, c.batch, buffers.workspace, regionBase * buffers.capacity, c.perSample);
            c.rowsCurrent = true;
        }
    }

    /** A dense pass overwrote a tensor's row-major copy: its lane copy is stale. */
    void wroteRows(int regionBase) {
        LaneCopy c = copies.get(regionBase);
        if (c != null) {
            c.current = false;
            c.rowsCurrent = true;
        }
    }

    /** Makes every row-major tensor current (before the workspace is read from outside). */
    void syncRows() {
        for (LaneCopy c : copies.values()) {
            if (c.key != INPUT_KEY) {
                rowsOf(0, c.key);
            }
        }
    }

    /**
     * dst[i·padded + s] = src[offset + s·perSample + i] for the batch's samples s, 0 in the padding
     * lanes up to {@code padded}: a tensor to lanes, or (padded = batch) a batch transposed.
     */
    void toLanes(float[] src, int offset, int perSample, float[] dst, int padded) {
        int n = batch;
        threads.split(perSample, (from, to, scratch) -> {
            for (int i = from; i < to; i++) {
                int row = i * padded;
                for (int s = 0; s < n; s++) {
                    dst[row + s] = src[offset + s * perSample + i];
                }
                for (int s = n; s < padded; s++) {
                    dst[row + s] = 0f;
                }
            }
        });
    }

    /** The inverse of {@link #toLanes} for the first n samples. */
    private void fromLanes(float[] src, int padded, int n, float[] dst, int offset, int perSample) {
        threads.split(n, (from, to, scratch) -> {
            for (int s = from; s < to; s++) {
                int row = offset + s * perSample;
                for (int i = 0; i < perSample; i++) {
                    dst[row + i] = src[i * padded + s];
                }
            }
        });
    }

    static float[] grow(float[] a, int size) {
        return a.length < size ? new float[size] : a;
    }
}
