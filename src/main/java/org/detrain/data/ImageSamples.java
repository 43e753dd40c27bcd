package org.detrain.data;

/** {@link Samples} view of an {@link ImageDataset}: pixels scaled to [0, 1], class labels. */
public final class ImageSamples implements Samples {
    private final ImageDataset images;

    public ImageSamples(ImageDataset images) {
        this.images = images;
    }

    @Override
    public int size() {
        return images.count();
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
        images.copyFeatures(i, out, offset);
    }

    @Override
    public int label(int i) {
        return images.label(i);
    }

    @Override
    public float target(int i) {
        return images.label(i);
    }
}
