package org.detrain.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.util.DetrainException;

/**
 * Fashion-MNIST (Xiao et al. 2017): 60,000 training and 10,000 test grey images of 28x28, 10 classes.
 * detrain never downloads it; {@code make data} copies the files of the Debian package
 * {@code dataset-fashion-mnist} into {@link #defaultDir()}.
 */
public final class FashionMnist {
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Training images. */
    public static final int TRAIN_COUNT = 60_000;
    /** Test images. */
    public static final int TEST_COUNT = 10_000;

    /** The standard file names, as the Debian package and the upstream site ship them. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    private static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String FIX = "run `make data` (it copies them from the Debian package dataset-fashion-mnist;"
            + " without make: apt-get install dataset-fashion-mnist, then scripts/data.sh)";

    private FashionMnist() {
    }

    /** {@code data/fashion-mnist}, relative to the working directory. */
    public static Path defaultDir() {
        return Path.of("data", "fashion-mnist");
    }

    /** The class names, label 0 first. */
    public static List<String> classNames() {
        return CLASS_NAMES;
    }

    /**
     * Reads the four standard files from {@code dir} and checks their counts and image size. A file
     * may also be present decompressed, under its name without {@code .gz}.
     */
    public static Split load(Path dir) {
        requireDir(dir);
        Path trainImages = locate(dir, TRAIN_IMAGES);
        locate(dir, TEST_IMAGES); // a missing file is named before anything is read
        ImageDataset train = IdxReader.read(trainImages, locate(dir, TRAIN_LABELS), CLASSES);
        check(train, TRAIN_COUNT, trainImages, "training");
        return new Split(train, loadTest(dir));
    }

    /** The test set alone. */
    public static ImageDataset loadTest(Path dir) {
        requireDir(dir);
        Path testImages = locate(dir, TEST_IMAGES);
        ImageDataset test = IdxReader.read(testImages, locate(dir, TEST_LABELS), CLASSES);
        check(test, TEST_COUNT, testImages, "test");
        return test;
    }

    /** The labels of the whole training set (the labels file alone: what a partition needs). */
    public static int[] trainLabels(Path dir) {
        requireDir(dir);
        Path labels = locate(dir, TRAIN_LABELS);
        int[] all = IdxReader.readLabels(labels, CLASSES);
        if (all.length != TRAIN_COUNT) {
            throw DetrainException.badInput("Fashion-MNIST training labels file " + labels + " holds " + all.length
                    + " labels but Fashion-MNIST has " + TRAIN_COUNT + ": this is not Fashion-MNIST; " + FIX);
        }
        return all;
    }

    /**
     * The training images at {@code keep} (ascending indices), as the images of one rank's shard:
     * image k is training image {@code keep[k]}. The other images are read past, never stored.
     */
    public static ImageDataset loadTrain(Path dir, int[] keep) {
        requireDir(dir);
        Path trainImages = locate(dir, TRAIN_IMAGES);
        ImageDataset kept = IdxReader.read(trainImages, locate(dir, TRAIN_LABELS), CLASSES, keep);
        if (kept.rows() != SIDE || kept.cols() != SIDE) {
            throw DetrainException.badInput("Fashion-MNIST training file " + trainImages + " holds images of " + kept.rows()
                    + "x" + kept.cols() + " but Fashion-MNIST's are " + SIDE + "x" + SIDE + ": this is not Fashion-MNIST; "
                    + FIX);
        }
        return kept;
    }

    private static void requireDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw DetrainException.badInput("Fashion-MNIST directory " + dir.toAbsolutePath() + " not found: " + FIX);
        }
    }

    private static Path locate(Path dir, String gzName) {
        Path gz = dir.resolve(gzName);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(gzName.substring(0, gzName.length() - ".gz".length()));
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw DetrainException.badInput("Fashion-MNIST file " + gz.toAbsolutePath() + " not found: " + FIX);
    }

    private static void check(ImageDataset set, int expectedCount, Path file, String part) {
        if (set.count() != expectedCount || set.rows() != SIDE || set.cols() != SIDE) {
            throw DetrainException.badInput("Fashion-MNIST " + part + " file " + file + " holds " + set.count()
                    + " images of " + set.rows() + "x" + set.cols() + " but Fashion-MNIST has " + expectedCount
                    + " of " + SIDE + "x" + SIDE + ": this is not Fashion-MNIST; " + FIX);
        }
    }
}
