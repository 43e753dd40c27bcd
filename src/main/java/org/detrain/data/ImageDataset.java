package org.detrain.data;

import java.util.Arrays;
import org.detrain.util.DetrainException;

/**
 * An immutable set of labelled images, stored compactly: one unsigned byte per pixel value and one
 * byte per label (Fashion-MNIST's 60,000 training images take 47 MB rather than 188 MB as floats).
 *
 * <p>Image {@code i} occupies {@code pixels[i*features() .. (i+1)*features())}; inside an image the
 * order is channel-major, then row, then column ({@code c*rows*cols + r*cols + col}), which is both
 * CIFAR-10's file layout and the NCHW layout the models expect. Grey-scale images have one channel.
 */
public final class ImageDataset {
    /** v/255f for every byte value; a table so that the hot copy loop does no division. */
    private static final float[] UNIT_SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT_SCALE[v] = v / 255f;
        }
    }

    private final byte[] pixels;
    private final byte[] labels;
    private final int rows;
    private final int cols;
    private final int channels;
    private final int classCount;

    /**
     * A dataset from copies of the given arrays.
     *
     * @param pixels unsigned pixel values, {@code labels.length * rows * cols * channels} of them
     * @param labels one label per image, each in {@code [0, classCount)} read as unsigned
     * @param rows image height, at least 1
     * @param cols image width, at least 1
     * @param channels colour planes, at least 1
     * @param classCount number of classes, 1 to 256
     */
    public ImageDataset(byte[] pixels, byte[] labels, int rows, int cols, int channels, int classCount) {
        this(pixels.clone(), labels.clone(), rows, cols, channels, classCount, true);
    }

    /** Takes ownership of the arrays without copying; for the readers, which built them fresh. */
    static ImageDataset wrap(byte[] pixels, byte[] labels, int rows, int cols, int channels, int classCount) {
        return new ImageDataset(pixels, labels, rows, cols, channels, classCount, true);
    }

    /** The trailing flag only tells this constructor apart from the public, copying one. */
    private ImageDataset(byte[] pixels, byte[] labels, int rows, int cols, int channels, int classCount,
                         boolean owned) {
        if (rows < 1 || cols < 1 || channels < 1) {
            throw DetrainException.badInput("image shape " + channels + "x" + rows + "x" + cols
                    + " (channels x rows x cols) is empty: every dimension must be at least 1");
        }
        if (classCount < 1 || classCount > 256) {
            throw DetrainException.badInput("class count " + classCount
                    + " is out of range: labels are stored as bytes, so use 1 to 256 classes");
        }
        long features = (long) rows * cols * channels;
        if ((long) labels.length * features != pixels.length) {
            throw DetrainException.badInput("pixel array holds " + pixels.length + " values but " + labels.length
                    + " images of " + features + " values need " + (long) labels.length * features
                    + ": pass one label per image and pixels for exactly those images");
        }
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label >= classCount) {
                throw DetrainException.badInput("label " + label + " of image " + i + " is not below the class count "
                        + classCount + ": pass the right class count or fix the labels");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.rows = rows;
        this.cols = cols;
        this.channels = channels;
        this.classCount = classCount;
    }

    /** Number of images. */
    public int count() {
        return labels.length;
    }

    /** Image height in pixels. */
    public int rows() {
        return rows;
    }

    /** Image width in pixels. */
    public int cols() {
        return cols;
    }

    /** Colour planes per image (1 for grey, 3 for RGB). */
    public int channels() {
        return channels;
    }

    /** Values per image: {@code rows * cols * channels}. */
    public int features() {
        return rows * cols * channels;
    }

    /** Number of classes; every label lies in {@code [0, classCount)}. */
    public int classCount() {
        return classCount;
    }

    /** Label of image {@code i}. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    /** Unsigned value (0..255) of feature {@code feature} of image {@code i}. */
    public int pixel(int i, int feature) {
        if (feature < 0 || feature >= features()) {
            throw new IndexOutOfBoundsException("feature " + feature + " of " + features());
        }
        return pixels[i * features() + feature] & 0xFF;
    }

    /**
     * Writes image {@code i} scaled to [0, 1] (value / 255f) into {@code out[offset .. offset+features())},
     * channel-major, then row, then column.
     */
    public void copyFeatures(int i, float[] out, int offset) {
        int features = features();
        if (i < 0 || i >= count()) {
            throw new IndexOutOfBoundsException("image " + i + " of " + count());
        }
        if (offset < 0 || offset + features > out.length) {
            throw new IndexOutOfBoundsException("need " + features + " floats at offset " + offset
                    + " but the buffer holds " + out.length);
        }
        int base = i * features;
        for (int f = 0; f < features; f++) {
            out[offset + f] = UNIT_SCALE[pixels[base + f] & 0xFF];
        }
    }

    /** All labels, as a fresh array. */
    public int[] labels() {
        int[] copy = new int[labels.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = labels[i] & 0xFF;
        }
        return copy;
    }

    /** How many images carry each label: an array of {@link #classCount()} entries. */
    public int[] classCounts() {
        int[] counts = new int[classCount];
        for (byte label : labels) {
            counts[label & 0xFF]++;
        }
        return counts;
    }

    /** A new dataset holding images {@code indices[0], indices[1], …} in that order (repeats allowed). */
    public ImageDataset subset(int[] indices) {
        int features = features();
        byte[] subPixels = new byte[Math.multiplyExact(indices.length, features)];
        byte[] subLabels = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= count()) {
                throw DetrainException.badInput("subset index " + i + " at position " + k + " is outside the dataset of "
                        + count() + " images: pass indices in [0, " + count() + ")");
            }
            System.arraycopy(pixels, i * features, subPixels, k * features, features);
            subLabels[k] = labels[i];
        }
        return wrap(subPixels, subLabels, rows, cols, channels, classCount);
    }

    @Override
    public String toString() {
        return "ImageDataset[" + count() + " images, " + channels + "x" + rows + "x" + cols + ", " + classCount
                + " classes, per class " + Arrays.toString(classCounts()) + "]";
    }
}
