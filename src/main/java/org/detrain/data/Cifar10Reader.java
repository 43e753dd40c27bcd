package org.detrain.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.util.DetrainException;

/**
 * Reads CIFAR-10's binary version ("cifar-10-batches-bin"): each record is one label byte followed by
 * 3072 pixel bytes, the 32x32 red plane, then green, then blue, each row by row. That is already
 * {@link ImageDataset}'s channel-major layout, so records are copied as they are.
 */
public final class Cifar10Reader {
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Image side in pixels. */
    public static final int SIDE = 32;
    /** Colour planes. */
    public static final int CHANNELS = 3;
    /** Bytes per record: one label byte and the three planes. */
    public static final int RECORD_BYTES = 1 + CHANNELS * SIDE * SIDE;

    /** Training batch files, in the order their records are concatenated. */
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    /** Test batch file. */
    public static final String TEST_FILE = "test_batch.bin";

    private static final String FIX = "put the binary version of CIFAR-10 (the files of cifar-10-batches-bin) there,"
            + " see data/README.md";

    private Cifar10Reader() {
    }

    /** {@code data/cifar-10-batches-bin}, relative to the working directory. */
    public static Path defaultDir() {
        return Path.of("data", "cifar-10-batches-bin");
    }

    /** Reads {@code data_batch_1.bin .. data_batch_5.bin} as the training set and {@code test_batch.bin} as the test set. */
    public static Split load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw DetrainException.badInput("CIFAR-10 directory " + dir.toAbsolutePath() + " not found: " + FIX);
        }
        List<Path> train = new ArrayList<>();
        for (String name : TRAIN_FILES) {
            train.add(dir.resolve(name));
        }
        return new Split(read(train), read(List.of(dir.resolve(TEST_FILE))));
    }

    /** Reads the records of the given batch files, in order, into one dataset. */
    public static ImageDataset read(List<Path> files) {
        long[] sizes = new long[files.size()];
        long records = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            if (!Files.isRegularFile(file)) {
                throw DetrainException.badInput("CIFAR-10 batch file " + file.toAbsolutePath() + " not found: " + FIX);
            }
            try {
                sizes[f] = Files.size(file);
            } catch (IOException e) {
                throw DetrainException.badInput("cannot read CIFAR-10 batch file " + file + " (" + e
                        + "): check that it is readable", e);
            }
            if (sizes[f] % RECORD_BYTES != 0) {
                throw DetrainException.badInput("CIFAR-10 batch file " + file + " has " + sizes[f] + " bytes, not a"
                        + " multiple of the record size " + RECORD_BYTES + " (1 label + 3072 pixels): it is cut short"
                        + " or not the binary version; " + FIX);
            }
            records += sizes[f] / RECORD_BYTES;
        }
        int features = RECORD_BYTES - 1;
        if (records * features > Integer.MAX_VALUE - 16) {
            throw DetrainException.badInput("the CIFAR-10 files hold " + records + " records, more than fit one Java"
                    + " array: read fewer files at once");
        }
        byte[] pixels = new byte[(int) (records * features)];
        byte[] labels = new byte[(int) records];
        int record = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw DetrainException.badInput("cannot read CIFAR-10 batch file " + file + " (" + e
                        + "): check that it is readable", e);
            }
            if (bytes.length != sizes[f]) {
                throw DetrainException.badInput("CIFAR-10 batch file " + file + " changed size while being read: rerun"
                        + " once nothing else writes it");
            }
            for (int r = 0; r < bytes.length / RECORD_BYTES; r++, record++) {
                int at = r * RECORD_BYTES;
                int label = bytes[at] & 0xFF;
                if (label >= CLASSES) {
                    throw DetrainException.badInput("CIFAR-10 batch file " + file + ": record " + r + " has label " + label
                            + ", outside 0..9 (is it CIFAR-100's format?); " + FIX);
                }
                labels[record] = (byte) label;
                System.arraycopy(bytes, at + 1, pixels, record * features, features);
            }
        }
        return ImageDataset.wrap(pixels, labels, SIDE, SIDE, CHANNELS, CLASSES);
    }
}
