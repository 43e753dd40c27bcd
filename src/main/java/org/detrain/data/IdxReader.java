package org.detrain.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.detrain.util.DetrainException;

/**
 * Reads image/label pairs in the IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed
 * (recognised by the gzip magic bytes 1f 8b, whatever the file name says).
 *
 * <p>An IDX file is a big-endian header followed by unsigned bytes: images start with the magic
 * number 0x00000803 (2051), then the image count, rows and columns; labels start with 0x00000801
 * (2049), then the label count. Every way a file can be wrong ends in a {@link DetrainException}
 * that names the file and what to do.
 */
public final class IdxReader {
    /** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final String FIX_FILE = "replace it with an intact copy (for Fashion-MNIST: run `make data`)";

    private IdxReader() {
    }

    /**
     * Reads an images file and its labels file into one dataset of single-channel images.
     *
     * @param images IDX images file (magic 2051), plain or gzip
     * @param labels IDX labels file (magic 2049), plain or gzip, one label per image
     * @param classCount number of classes; every label must be below it
     */
    public static ImageDataset read(Path images, Path labels, int classCount) {
        if (classCount < 1 || classCount > 256) {
            throw DetrainException.badInput("class count " + classCount
                    + " is out of range for IDX labels, which are single bytes: use 1 to 256");
        }
        RawImages raw = readImages(images);
        byte[] labelBytes = readLabels(labels);
        if (labelBytes.length != raw.count) {
            throw DetrainException.badInput("images file " + images + " holds " + raw.count + " images but labels file "
                    + labels + " holds " + labelBytes.length + " labels: pass the labels file that belongs to"
                    + " these images (e.g. train-images with train-labels, t10k-images with t10k-labels)");
        }
        for (int i = 0; i < labelBytes.length; i++) {
            int label = labelBytes[i] & 0xFF;
            if (label >= classCount) {
                throw DetrainException.badInput("labels file " + labels + ": label " + label + " at index " + i
                        + " is outside 0.." + (classCount - 1) + " for " + classCount + " classes: set the class"
                        + " count the dataset really has, or " + FIX_FILE);
            }
        }
        return ImageDataset.wrap(raw.pixels, labelBytes, raw.rows, raw.cols, 1, classCount);
    }

    private record RawImages(int count, int rows, int cols, byte[] pixels) {
    }

    private static RawImages readImages(Path file) {
        try (InputStream in = open(file)) {
            byte[] header = readHeader(in, file, 16, IMAGES_MAGIC, "images");
            int count = bigEndianInt(header, 4);
            int rows = bigEndianInt(header, 8);
            int cols = bigEndianInt(header, 12);
            if (count < 0 || rows < 1 || cols < 1) {
                throw DetrainException.badInput("images file " + file + " has an impossible header (" + count
                        + " images of " + rows + "x" + cols + "): it is corrupt; " + FIX_FILE);
            }
            long size = (long) count * rows * cols;
            byte[] pixels = readPayload(in, file, 16, size);
            return new RawImages(count, rows, cols, pixels);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    private static byte[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            byte[] header = readHeader(in, file, 8, LABELS_MAGIC, "labels");
            int count = bigEndianInt(header, 4);
            if (count < 0) {
                throw DetrainException.badInput("labels file " + file + " has an impossible header (" + count
                        + " labels): it is corrupt; " + FIX_FILE);
            }
            return readPayload(in, file, 8, count);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    /** Opens the file, decompressing if it starts with the gzip magic bytes. */
    private static InputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw DetrainException.badInput("IDX file " + file + " not found: check the path"
                    + " (for Fashion-MNIST run `make data`, which fills data/fashion-mnist/)");
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        return in;
    }

    private static byte[] readHeader(InputStream in, Path file, int length, int expectedMagic, String kind)
            throws IOException {
        byte[] header = in.readNBytes(length);
        if (header.length >= 4) {
            int magic = bigEndianInt(header, 0);
            if (magic != expectedMagic) {
                throw DetrainException.badInput(kind + " file " + file + " has magic number " + describeMagic(magic)
                        + " but an IDX " + kind + " file starts with " + describeMagic(expectedMagic)
                        + ": pass the " + kind + " file here (are the images and labels paths swapped?)");
            }
        }
        if (header.length < length) {
            throw DetrainException.badInput(kind + " file " + file + " is truncated: expected a header of " + length
                    + " bytes, got " + header.length + "; " + FIX_FILE);
        }
        return header;
    }

    /** Reads exactly {@code size} payload bytes and checks that nothing follows them. */
    private static byte[] readPayload(InputStream in, Path file, int headerLength, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 16) {
            throw DetrainException.badInput("IDX file " + file + " declares " + size + " data bytes, more than one"
                    + " Java array holds: split the dataset into several files");
        }
        // readNBytes(int) grows its buffer as data arrives, so a corrupt header claiming gigabytes
        // fails as "truncated" instead of allocating them up front.
        byte[] payload = in.readNBytes((int) size);
        if (payload.length < size) {
            throw DetrainException.badInput("IDX file " + file + " is truncated: expected " + (headerLength + size)
                    + " bytes (header " + headerLength + " + data " + size + "), got "
                    + (headerLength + payload.length) + "; " + FIX_FILE);
        }
        // For gzip this read also reaches the trailer, so a bad CRC is caught here.
        if (in.read() >= 0) {
            if (in instanceof GZIPInputStream) {
                // damaged deflate data may inflate to more bytes than the header declares: the CRC
                // at the end of the stream tells a corrupt file from a header that disagrees
                in.transferTo(java.io.OutputStream.nullOutputStream()); // a ZipException names the damage
            }
            throw DetrainException.badInput("IDX file " + file + " has data beyond what its header declares (expected "
                    + (headerLength + size) + " bytes, got more): the header and contents disagree; " + FIX_FILE);
        }
        return payload;
    }

    private static DetrainException ioFailure(Path file, IOException e) {
        if (e instanceof ZipException || e instanceof EOFException) {
            return DetrainException.badInput("IDX file " + file + " is corrupt: not valid gzip data (" + e.getMessage()
                    + "): the file is damaged or cut short; " + FIX_FILE, e);
        }
        return DetrainException.badInput("cannot read IDX file " + file + " (" + e + "): check that it exists and"
                + " is readable", e);
    }

    private static int bigEndianInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static String describeMagic(int magic) {
        String hex = String.format("0x%08X (%d", magic, magic);
        if (magic == IMAGES_MAGIC) {
            return hex + ", IDX images)";
        }
        if (magic == LABELS_MAGIC) {
            return hex + ", IDX labels)";
        }
        return hex + ")";
    }
}
