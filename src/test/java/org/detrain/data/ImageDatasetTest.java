package org.detrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
    /** Two RGB images of 1x2 pixels; image 0's planes are R = (1, 2), G = (3, 4), B = (5, 6). */
    private static ImageDataset twoColourImages() {
        byte[] pixels = IdxReaderTest.bytes(1, 2, 3, 4, 5, 6, 250, 251, 252, 253, 254, 255);
        return new ImageDataset(pixels, IdxReaderTest.bytes(4, 1), 1, 2, 3, 5);
    }

    @Test
    void shapeAndAccessors() {
        ImageDataset set = twoColourImages();
        assertEquals(2, set.count());
        assertEquals(6, set.features());
        assertEquals(3, set.channels());
        assertEquals(4, set.label(0));
        assertEquals(1, set.label(1));
        assertEquals(255, set.pixel(1, 5));
        assertArrayEquals(new int[] {0, 1, 0, 0, 1}, set.classCounts());
    }

    @Test
    void copyFeaturesScalesToUnitInterval() {
        float[] out = new float[8];
        twoColourImages().copyFeatures(1, out, 2);
        assertArrayEquals(new float[] {0, 0, 250 / 255f, 251 / 255f, 252 / 255f, 253 / 255f, 254 / 255f, 1f}, out);
    }

    @Test
    void copyFeaturesChecksTheBuffer() {
        assertThrows(IndexOutOfBoundsException.class, () -> twoColourImages().copyFeatures(0, new float[6], 1));
    }

    @Test
    void isImmutable() {
        byte[] pixels = new byte[] {7, 8};
        byte[] labels = new byte[] {0, 1};
        ImageDataset set = new ImageDataset(pixels, labels, 1, 1, 1, 2);
        pixels[0] = 99;
        labels[0] = 1;
        set.labels()[0] = 1;
        assertEquals(7, set.pixel(0, 0));
        assertEquals(0, set.label(0));
    }

    @Test
    void subsetPicksImagesInOrder() {
        ImageDataset sub = twoColourImages().subset(new int[] {1, 0, 1});
        assertEquals(3, sub.count());
        assertArrayEquals(new int[] {1, 4, 1}, sub.labels());
        assertEquals(250, sub.pixel(0, 0));
        assertEquals(6, sub.pixel(1, 5));
        assertEquals(3, sub.channels());
        DetrainException e = assertThrows(DetrainException.class, () -> twoColourImages().subset(new int[] {2}));
        assertTrue(e.getMessage().contains("subset index 2"), e.getMessage());
    }

    @Test
    void rejectsInconsistentArrays() {
        DetrainException size = assertThrows(DetrainException.class,
                () -> new ImageDataset(new byte[5], new byte[2], 1, 2, 1, 3));
        assertTrue(size.getMessage().contains("need 4"), size.getMessage());
        DetrainException label = assertThrows(DetrainException.class,
                () -> new ImageDataset(new byte[2], new byte[] {0, 3}, 1, 1, 1, 3));
        assertTrue(label.getMessage().contains("label 3 of image 1"), label.getMessage());
        assertThrows(DetrainException.class, () -> new ImageDataset(new byte[0], new byte[0], 0, 1, 1, 3));
        assertThrows(DetrainException.class, () -> new ImageDataset(new byte[0], new byte[0], 1, 1, 1, 257));
    }
}
