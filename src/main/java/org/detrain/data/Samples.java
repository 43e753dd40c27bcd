package org.detrain.data;

/**
 * Read-only access to a set of training or test samples, whatever their storage: the models read
 * features as float32 and either a class label or a real-valued target.
 */
public interface Samples {
    int size();

    int featureCount();

    /** Number of classes; 0 for a regression problem. */
    int classCount();

    /** Writes sample i's features into out[offset, offset + featureCount()). */
    void copyFeatures(int i, float[] out, int offset);

    /** Class label of sample i (classification only). */
    int label(int i);

    /** Real-valued target of sample i (regression); the label as a float for classification. */
    float target(int i);
}
