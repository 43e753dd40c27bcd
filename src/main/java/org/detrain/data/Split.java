package org.detrain.data;

import java.util.Objects;

/**
 * A dataset's training and test parts.
 *
 * @param train the training images, which the partitioners divide among ranks
 * @param test the held-out images for evaluation
 */
public record Split(ImageDataset train, ImageDataset test) {
    public Split {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }
}
