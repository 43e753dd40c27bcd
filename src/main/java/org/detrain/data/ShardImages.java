package org.detrain.data;

import java.util.Arrays;

/**
 * The training set as one rank sees it when its JVM runs that rank alone (niodev): every label, but
 * the pixels of the samples the rank reads only, its shard and the few its evaluations measure
 * (Fashion-MNIST at 8 ranks: about 7 MB instead of 47 MB per JVM). Indices stay those of the whole
 * set, so the rank's shard, sampler and checkpoints are unchanged; asking for the features of a
 * sample that is not held is a programming error.
 */
public final class ShardImages implements Samples {
    private final int[] held;
    private final ImageDataset images;
    private final int[] labels;

    /**
     * @param held   ascending indices of the samples held
     * @param images image k is sample {@code held[k]}
     * @param labels the label of every sample of the whole set
     */
    public ShardImages(int[] held, ImageDataset images, int[] labels) {
        if (images.count() != held.length) {
            throw new IllegalArgumentException(images.count() + " images for " + held.length + " held samples");
        }
        for (int k = 1; k < held.length; k++) {
            if (held[k] <= held[k - 1]) {
                throw new IllegalArgumentException("held samples must be ascending: " + held[k - 1] + ", " + held[k]);
            }
        }
        this.held = held.clone();
        this.images = images;
        this.labels = labels;
    }

    /** The part {@code samples} of a whole dataset read into memory (formats that cannot be read selectively). */
    public static ShardImages of(ImageDataset all, int[] samples) {
        int[] held = Arrays.stream(samples).sorted().distinct().toArray();
        return new ShardImages(held, all.subset(held), all.labels());
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int featureCount() {
        return images.features();
    }

    @Override
    public int classCount() {
        return images.classCount();
    }

    @Override
    public void copyFeatures(int i, float[] out, int offset) {
        int k = Arrays.binarySearch(held, i);
        if (k < 0) {
            throw new IllegalStateException("sample " + i + " is not among the " + held.length + " training samples"
                    + " whose pixels this rank's JVM holds");
        }
        images.copyFeatures(k, out, offset);
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public float target(int i) {
        return labels[i];
    }
}
