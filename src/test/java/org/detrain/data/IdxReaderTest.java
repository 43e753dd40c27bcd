package org.detrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    /** Three 2x2 images, written out byte by byte: header (magic 2051, 3, 2, 2), then the pixels. */
    static final byte[] IMAGES = bytes(
            0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
            0, 255, 128, 1,
            10, 20, 30, 40,
            200, 100, 50, 0);
    /** Their labels: header (magic 2049, 3), then 2, 0, 1. */
    static final byte[] LABELS = bytes(0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x03, 2, 0, 1);

    @TempDir
    Path dir;

    @Test
    void readsPlainFiles() throws IOException {
        ImageDataset set = IdxReader.read(write("img", IMAGES), write("lbl", LABELS), 3);
        checkTheThreeImages(set);
    }

    @Test
    void readsGzipFilesWhateverTheirName() throws IOException {
        // Named without .gz on purpose: gzip is recognised by its magic bytes.
        ImageDataset set = IdxReader.read(write("img", gzip(IMAGES)), write("lbl.gz", gzip(LABELS)), 3);
        checkTheThreeImages(set);
    }

    @Test
    void readsPlainFileNamedGz() throws IOException {
        ImageDataset set = IdxReader.read(write("img.gz", IMAGES), write("lbl.gz", LABELS), 3);
        checkTheThreeImages(set);
    }

    private static void checkTheThreeImages(ImageDataset set) {
        assertEquals(3, set.count());
        assertEquals(2, set.rows());
        assertEquals(2, set.cols());
        assertEquals(1, set.channels());
        assertEquals(4, set.features());
        assertEquals(3, set.classCount());
        assertArrayEquals(new int[] {2, 0, 1}, set.labels());
        assertEquals(255, set.pixel(0, 1));
        assertEquals(200, set.pixel(2, 0));
        float[] out = new float[6];
        set.copyFeatures(0, out, 1);
        assertArrayEquals(new float[] {0f, 0f, 1f, 128f / 255f, 1f / 255f, 0f}, out);
        set.copyFeatures(1, out, 2);
        assertArrayEquals(new float[] {0f, 0f, 10f / 255f, 20f / 255f, 30f / 255f, 40f / 255f}, out);
    }

    @Test
    void missingFileIsNamed() throws IOException {
        Path labels = write("lbl", LABELS);
        Path missing = dir.resolve("nope-images");
        DetrainException e = assertThrows(DetrainException.class, () -> IdxReader.read(missing, labels, 3));
        assertMessage(e, missing, "not found", "make data");
    }

    @Test
    void truncatedImagesReportExpectedAndActualSize() throws IOException {
        Path images = write("img", Arrays.copyOf(IMAGES, IMAGES.length - 1));
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(images, write("lbl", LABELS), 3));
        assertMessage(e, images, "truncated", "expected 28 bytes", "got 27");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path labels = write("lbl", Arrays.copyOf(LABELS, 6));
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(write("img", IMAGES), labels, 3));
        assertMessage(e, labels, "truncated", "header of 8 bytes, got 6");
    }

    @Test
    void truncatedGzipPayloadCountsDecompressedBytes() throws IOException {
        Path labels = write("lbl", gzip(Arrays.copyOf(LABELS, LABELS.length - 2)));
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(write("img", IMAGES), labels, 3));
        assertMessage(e, labels, "truncated", "expected 11 bytes", "got 9");
    }

    @Test
    void gzipCutShortIsCorrupt() throws IOException {
        byte[] compressed = gzip(IMAGES);
        Path images = write("img", Arrays.copyOf(compressed, compressed.length - 12));
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(images, write("lbl", LABELS), 3));
        assertMessage(e, images, "not valid gzip", "make data");
    }

    @Test
    void gzipWithBadChecksumIsCorrupt() throws IOException {
        byte[] compressed = gzip(IMAGES);
        compressed[compressed.length - 8] ^= 0x55; // first byte of the CRC-32 in the trailer
        Path images = write("img", compressed);
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(images, write("lbl", LABELS), 3));
        assertMessage(e, images, "not valid gzip");
    }

    @Test
    void damagedGzipThatInflatesPastItsHeaderIsCorruptNotAHeaderMismatch() throws IOException {
        // damaged deflate data decodes to more bytes than the header declares; the checksum says why
        byte[] compressed = gzip(Arrays.copyOf(IMAGES, IMAGES.length + 100));
        compressed[compressed.length - 8] ^= 0x55;
        Path images = write("img", compressed);
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(images, write("lbl", LABELS), 3));
        assertMessage(e, images, "is corrupt", "not valid gzip");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        Path images = write("img", Arrays.copyOf(IMAGES, IMAGES.length + 3));
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(images, write("lbl", LABELS), 3));
        assertMessage(e, images, "beyond what its header declares");
    }

    @Test
    void swappedFilesReportBothMagicNumbers() throws IOException {
        Path images = write("img", IMAGES);
        Path labels = write("lbl", LABELS);
        DetrainException e = assertThrows(DetrainException.class, () -> IdxReader.read(labels, images, 3));
        assertMessage(e, labels, "0x00000801 (2049", "0x00000803 (2051", "swapped");
    }

    @Test
    void unknownMagicNumber() throws IOException {
        byte[] bad = IMAGES.clone();
        bad[2] = 0x0D;
        Path images = write("img", bad);
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(images, write("lbl", LABELS), 3));
        assertMessage(e, images, "0x00000D03", "0x00000803");
    }

    @Test
    void labelAtOrAboveClassCount() throws IOException {
        Path labels = write("lbl", LABELS);
        // Labels are 2, 0, 1: with 2 classes the label 2 at index 0 is out of range.
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(write("img", IMAGES), labels, 2));
        assertMessage(e, labels, "label 2 at index 0", "0..1");
    }

    @Test
    void countMismatchNamesBothFiles() throws IOException {
        byte[] twoLabels = bytes(0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x02, 2, 0);
        Path images = write("img", IMAGES);
        Path labels = write("lbl", twoLabels);
        DetrainException e = assertThrows(DetrainException.class, () -> IdxReader.read(images, labels, 3));
        assertMessage(e, images, "3 images", "2 labels", labels.toString());
    }

    @Test
    void impossibleHeader() throws IOException {
        byte[] bad = IMAGES.clone();
        bad[11] = 0; // rows = 0
        Path images = write("img", bad);
        DetrainException e = assertThrows(DetrainException.class,
                () -> IdxReader.read(images, write("lbl", LABELS), 3));
        assertMessage(e, images, "impossible header");
    }

    static void assertMessage(DetrainException e, Path file, String... parts) {
        String message = e.getMessage();
        assertTrue(message.contains(file.toString()) || message.contains(file.toAbsolutePath().toString()),
                () -> "message does not name " + file + ": " + message);
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "message lacks '" + part + "': " + message);
        }
    }

    private Path write(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return file;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
