package org.detrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {
    @TempDir
    Path dir;

    /** Pixel value of (plane, row, col) in the generated record with the given seed. */
    private static int value(int seed, int plane, int row, int col) {
        return (seed * 31 + plane * 101 + row * 7 + col) & 0xFF;
    }

    /** A batch file of records with labels {@code labels[k]} and pixels from seeds {@code firstSeed + k}. */
    private Path batch(String name, int firstSeed, int... labels) throws IOException {
        byte[] bytes = new byte[labels.length * 3073];
        for (int k = 0; k < labels.length; k++) {
            int at = k * 3073;
            bytes[at] = (byte) labels[k];
            for (int plane = 0; plane < 3; plane++) {
                for (int row = 0; row < 32; row++) {
                    for (int col = 0; col < 32; col++) {
                        bytes[at + 1 + plane * 1024 + row * 32 + col] = (byte) value(firstSeed + k, plane, row, col);
                    }
                }
            }
        }
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    @Test
    void readsRecordsChannelMajor() throws IOException {
        ImageDataset set = Cifar10Reader.read(List.of(batch("a.bin", 0, 3, 9), batch("b.bin", 2, 0, 7)));
        assertEquals(4, set.count());
        assertEquals(3, set.channels());
        assertEquals(32, set.rows());
        assertEquals(32, set.cols());
        assertEquals(3072, set.features());
        assertArrayEquals(new int[] {3, 9, 0, 7}, set.labels());
        float[] out = new float[3072];
        for (int image = 0; image < 4; image++) {
            set.copyFeatures(image, out, 0);
            for (int plane = 0; plane < 3; plane++) {
                for (int row = 0; row < 32; row++) {
                    for (int col = 0; col < 32; col++) {
                        assertEquals(value(image, plane, row, col) / 255f, out[plane * 1024 + row * 32 + col]);
                    }
                }
            }
        }
        // First green value of record 1: (31 + 101) & 0xFF = 132.
        assertEquals(132, set.pixel(1, 1024));
    }

    @Test
    void loadsTheStandardFiles() throws IOException {
        for (int b = 1; b <= 5; b++) {
            batch("data_batch_" + b + ".bin", 10 * b, b, b + 1);
        }
        batch("test_batch.bin", 100, 8, 9);
        Split split = Cifar10Reader.load(dir);
        assertEquals(10, split.train().count());
        assertArrayEquals(new int[] {1, 2, 2, 3, 3, 4, 4, 5, 5, 6}, split.train().labels());
        assertArrayEquals(new int[] {8, 9}, split.test().labels());
        assertEquals(value(50, 2, 31, 31), split.train().pixel(8, 3071));
    }

    @Test
    void sizeNotAMultipleOfTheRecordIsRejected() throws IOException {
        Path good = batch("good.bin", 0, 1, 2);
        Path bad = dir.resolve("bad.bin");
        Files.write(bad, new byte[2 * 3073 + 5]);
        DetrainException e = assertThrows(DetrainException.class, () -> Cifar10Reader.read(List.of(good, bad)));
        IdxReaderTest.assertMessage(e, bad, "6151 bytes", "multiple of the record size 3073");
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path file = batch("c100.bin", 0, 4, 42);
        DetrainException e = assertThrows(DetrainException.class, () -> Cifar10Reader.read(List.of(file)));
        IdxReaderTest.assertMessage(e, file, "record 1 has label 42");
    }

    @Test
    void missingFilesPointToTheReadme() throws IOException {
        DetrainException noDir = assertThrows(DetrainException.class,
                () -> Cifar10Reader.load(dir.resolve("cifar")));
        assertTrue(noDir.getMessage().contains("data/README.md"), noDir.getMessage());
        batch("data_batch_1.bin", 0, 1);
        DetrainException noFile = assertThrows(DetrainException.class, () -> Cifar10Reader.load(dir));
        assertTrue(noFile.getMessage().contains("data_batch_2.bin"), noFile.getMessage());
    }
}
