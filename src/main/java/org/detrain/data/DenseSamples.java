package org.detrain.data;

/**
 * Samples held as dense float32 features (row-major) and one float target per sample, which is the
 * class label for classification ({@code classes} > 0) and the real target for regression. The
 * synthetic generators produce these.
 */
public final class DenseSamples implements Samples {
    private final int features;
    private final int classes;
    private final float[] a;
    private final float[] b;

    /** The most values one Java array holds (the VM refuses a few below Integer.MAX_VALUE). */
    public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    /**
     * Refuses (bad input) a synthetic problem whose {@code samples} x {@code features} values do not fit
     * in one array, naming the numbers; {@code what} says how the sample count came about.
     */
    public static void requireCapacity(long samples, int features, String what) {
        long values = samples * features; // both below 2^31: no overflow in a long
        if (values > MAX_VALUES) {
            throw org.detrain.util.DetrainException.badInput(String.format("synthetic data of %d samples (%s) x %d"
                    + " features = %d values is more than one array holds (%d); lower synthetic.samples or"
                    + " synthetic.features", samples, what, features, values, MAX_VALUES));
        }
    }

    /** Takes ownership of the arrays (no copy): a holds size x features values, b one per sample. */
    DenseSamples(int features, int classes, float[] a, float[] b) {
        if (a.length != (long) b.length * features) {
            throw new IllegalArgumentException("features " + a.length + " do not match " + b.length + " samples");
        }
        this.features = features;
        this.classes = classes;
        this.a = a;
        this.b = b;
    }

    /**
     * Samples from copies of the given arrays: {@code features} holds count x featureCount values
     * row-major, {@code targets} one value per sample (the class label when {@code classes} > 0).
     */
    public static DenseSamples of(int featureCount, int classes, float[] features, float[] targets) {
        return new DenseSamples(featureCount, classes, features.clone(), targets.clone());
    }

    @Override
    public int size() {
        return b.length;
    }

    @Override
    public int featureCount() {
        return features;
    }

    @Override
    public int classCount() {
        return classes;
    }

    @Override
    public void copyFeatures(int i, float[] out, int offset) {
        System.arraycopy(a, i * features, out, offset, features);
    }

    @Override
    public int label(int i) {
        if (classes == 0) {
            throw new UnsupportedOperationException("a regression problem has no labels");
        }
        return (int) b[i];
    }

    @Override
    public float target(int i) {
        return b[i];
    }
}
