package org.detrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    /** Where the Debian package dataset-fashion-mnist installs the files. */
    private static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void readsTheRealDataset() {
        assumeTrue(Files.isDirectory(DEBIAN_DIR),
                "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)");
        Split split = FashionMnist.load(DEBIAN_DIR);
        ImageDataset train = split.train();
        ImageDataset test = split.test();
        assertEquals(60_000, train.count());
        assertEquals(10_000, test.count());
        for (ImageDataset set : new ImageDataset[] {train, test}) {
            assertEquals(28, set.rows());
            assertEquals(28, set.cols());
            assertEquals(1, set.channels());
            assertEquals(10, set.classCount());
        }
        int[] sixThousand = new int[10];
        Arrays.fill(sixThousand, 6000);
        int[] oneThousand = new int[10];
        Arrays.fill(oneThousand, 1000);
        assertArrayEquals(sixThousand, train.classCounts());
        assertArrayEquals(oneThousand, test.classCounts());
        // Values read independently with Python's gzip module: the first labels of each file and the
        // pixel sum of the first training image (an ankle boot).
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(train.labels(), 10));
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, Arrays.copyOf(test.labels(), 10));
        long sum = 0;
        for (int f = 0; f < train.features(); f++) {
            sum += train.pixel(0, f);
        }
        assertEquals(76247, sum);
        assertEquals("Ankle boot", FashionMnist.classNames().get(train.label(0)));
    }

    @Test
    void missingDirectorySaysMakeData(@TempDir Path dir) {
        DetrainException e = assertThrows(DetrainException.class, () -> FashionMnist.load(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("make data"), e.getMessage());
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
        DetrainException file = assertThrows(DetrainException.class, () -> FashionMnist.load(dir));
        assertTrue(file.getMessage().contains("train-images-idx3-ubyte.gz"), file.getMessage());
        assertTrue(file.getMessage().contains("make data"), file.getMessage());
    }

    @Test
    void wrongCountsAreNotFashionMnist(@TempDir Path dir) throws IOException {
        // The three-image IDX files under the standard names, one gzip'd and one plain (name without .gz).
        Files.write(dir.resolve(FashionMnist.TRAIN_IMAGES), IdxReaderTest.gzip(IdxReaderTest.IMAGES));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxReaderTest.LABELS);
        Files.write(dir.resolve(FashionMnist.TEST_IMAGES), IdxReaderTest.IMAGES);
        Files.write(dir.resolve(FashionMnist.TEST_LABELS), IdxReaderTest.LABELS);
        DetrainException e = assertThrows(DetrainException.class, () -> FashionMnist.load(dir));
        IdxReaderTest.assertMessage(e, dir.resolve(FashionMnist.TRAIN_IMAGES), "3 images of 2x2", "60000 of 28x28");
    }

    @Test
    void defaultDirIsRelative() {
        assertEquals(Path.of("data/fashion-mnist"), FashionMnist.defaultDir());
    }
}
