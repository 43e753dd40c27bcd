package org.detrain.model;

import org.detrain.data.Samples;

/** A reusable mini-batch buffer: features row-major (size x featureCount), labels and targets. */
public final class Batch {
    private final int capacity;
    private final int featureCount;
    final float[] features;
    final int[] labels;
    final float[] targets;
    private int size;

    public Batch(int capacity, int featureCount) {
        this.capacity = capacity;
        this.featureCount = featureCount;
        this.features = new float[capacity * featureCount];
        this.labels = new int[capacity];
        this.targets = new float[capacity];
    }

    /** Loads samples {@code indices[from, from + count)} of {@code data}. */
    public void fill(Samples data, int[] indices, int from, int count) {
        if (count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " exceeds capacity " + capacity);
        }
        boolean classification = data.classCount() > 0;
        for (int s = 0; s < count; s++) {
            int i = indices[from + s];
            data.copyFeatures(i, features, s * featureCount);
            labels[s] = classification ? data.label(i) : -1;
            targets[s] = data.target(i);
        }
        size = count;
    }

    /** Loads the contiguous samples [from, from + count) of {@code data} (evaluation). */
    public void fillRange(Samples data, int from, int count) {
        if (count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " exceeds capacity " + capacity);
        }
        boolean classification = data.classCount() > 0;
        for (int s = 0; s < count; s++) {
            data.copyFeatures(from + s, features, s * featureCount);
            labels[s] = classification ? data.label(from + s) : -1;
            targets[s] = data.target(from + s);
        }
        size = count;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    public int featureCount() {
        return featureCount;
    }
}
