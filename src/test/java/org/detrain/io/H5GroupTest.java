package org.detrain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class H5GroupTest {

    @Test
    void fluentBuildingKeepsInsertionOrderAndPaths() {
        H5Group root = new H5Group().attr("z_first", "a").attr("a_second", 2L);
        H5Group metrics = root.group("metrics").dataset("train_loss", new double[][] {{1, 2}}).dataset("iteration", new long[] {7});
        root.group("config");

        assertEquals("/", root.path());
        assertEquals("/metrics", metrics.path());
        assertEquals("/metrics/inner", metrics.group("inner").path());
        assertEquals(List.of("z_first", "a_second"), root.attributeNames());
        assertEquals(List.of("metrics", "config"), root.groupNames());
        assertEquals(List.of("train_loss", "iteration"), metrics.datasetNames());
        assertSame(metrics, root.group("metrics"), "group(name) returns the existing child");
        assertSame(metrics, root.getGroup("metrics"));
    }

    @Test
    void keepsJavaTypesOfAttributes() {
        H5Group g = new H5Group().attr("l", 5L).attr("i", 5).attr("d", 5.0).attr("b", true).attr("s", "5");
        assertEquals(Long.valueOf(5), g.getAttribute("l"));
        assertEquals(Integer.valueOf(5), g.getAttribute("i"));
        assertEquals(Double.valueOf(5.0), g.getAttribute("d"));
        assertEquals(Boolean.TRUE, g.getAttribute("b"));
        assertEquals("5", g.getAttribute("s", String.class));
    }

    @Test
    void copiesArraysInAndOut() {
        double[][] loss = {{1, 2}, {3, 4}};
        long[] counts = {1, 2};
        H5Group g = new H5Group().dataset("loss", loss).attr("counts", counts);
        loss[0][0] = 99;
        counts[0] = 99;
        assertEquals(1.0, g.getDataset("loss", double[][].class)[0][0]);
        assertArrayEquals(new long[] {1, 2}, g.getAttribute("counts", long[].class));

        g.getDataset("loss", double[][].class)[1][1] = -1;
        g.getAttribute("counts", long[].class)[1] = -1;
        assertEquals(4.0, g.getDataset("loss", double[][].class)[1][1]);
        assertArrayEquals(new long[] {1, 2}, g.getAttribute("counts", long[].class));
    }

    @Test
    void equalityIgnoresOrderButNotValuesOrTypes() {
        H5Group a = new H5Group().attr("x", 1L).attr("y", "s");
        a.group("g").dataset("d", new double[] {1, 2});
        a.group("h");
        H5Group b = new H5Group();
        b.group("h");
        b.group("g").dataset("d", new double[] {1, 2});
        b.attr("y", "s").attr("x", 1L);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());

        assertNotEquals(a, new H5Group().attr("x", 1).attr("y", "s"), "int 1 is not long 1");
        H5Group c = new H5Group().attr("x", 1L).attr("y", "s");
        c.group("g").dataset("d", new double[] {1, 2.5});
        c.group("h");
        assertNotEquals(a, c);
        H5Group d = new H5Group().attr("x", 1L).attr("y", "s");
        d.group("g").dataset("d", new float[] {1, 2});
        d.group("h");
        assertNotEquals(a, d, "float64 and float32 datasets differ");
    }

    @Test
    void replacesAttributesAndDatasetsOfTheSameName() {
        H5Group g = new H5Group().attr("status", "running").attr("status", "complete");
        g.dataset("d", new int[] {1}).dataset("d", new int[] {2, 3});
        assertEquals("complete", g.getAttribute("status"));
        assertArrayEquals(new int[] {2, 3}, g.getDataset("d", int[].class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "a/b", "/", ".", "nul\0inside"})
    void rejectsBadNames(String name) {
        H5Group g = new H5Group();
        DetrainException e = assertThrows(DetrainException.class, () -> g.attr(name, 1L));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
        assertThrows(DetrainException.class, () -> g.dataset(name, new double[] {1}));
        assertThrows(DetrainException.class, () -> g.group(name));
    }

    @Test
    void limitsNamesTo254Utf8Bytes() {
        H5Group g = new H5Group();
        g.dataset("n".repeat(254), new int[] {1});
        g.dataset("é".repeat(127), new int[] {1}); // 254 bytes
        DetrainException e = assertThrows(DetrainException.class, () -> g.dataset("n".repeat(255), new int[] {1}));
        assertTrue(e.getMessage().contains("255 UTF-8 bytes") && e.getMessage().contains("shorten"), e.getMessage());
        assertThrows(DetrainException.class, () -> g.group("é".repeat(128)));
    }

    @Test
    void rejectsRaggedAndNullRows() {
        H5Group g = new H5Group().group("metrics");
        DetrainException ragged = assertThrows(DetrainException.class,
                () -> g.dataset("train_loss", new double[][] {{1, 2}, {3, 4}, {5}}));
        assertEquals("dataset /metrics/train_loss is ragged: row 0 has 2 values but row 2 has 1;"
                + " 2-D datasets must be rectangular", ragged.getMessage());
        DetrainException nullRow = assertThrows(DetrainException.class,
                () -> g.dataset("x", new long[][] {{1}, null}));
        assertTrue(nullRow.getMessage().contains("null row 1"), nullRow.getMessage());
    }

    @Test
    void rejectsNullsAndNulInStrings() {
        H5Group g = new H5Group();
        assertThrows(DetrainException.class, () -> g.attr("s", (String) null));
        assertThrows(DetrainException.class, () -> g.attr("s", new String[] {"a", null}));
        assertThrows(DetrainException.class, () -> g.dataset("s", new String[] {"a", null}));
        assertThrows(DetrainException.class, () -> g.dataset("d", (double[]) null));
        DetrainException nul = assertThrows(DetrainException.class, () -> g.attr("s", "a\0b"));
        assertTrue(nul.getMessage().contains("NUL"), nul.getMessage());
    }

    @Test
    void rejectsEmptyAttributeArraysButAcceptsEmptyDatasets() {
        H5Group g = new H5Group();
        DetrainException e = assertThrows(DetrainException.class, () -> g.attr("hosts", new String[0]));
        assertTrue(e.getMessage().contains("empty array"), e.getMessage());
        assertThrows(DetrainException.class, () -> g.attr("x", new double[0]));
        g.dataset("iteration", new long[0]).dataset("train_loss", new double[0][4]);
        assertEquals(0, g.getDataset("train_loss", double[][].class).length);
    }

    @Test
    void limitsAttributeSize() {
        H5Group g = new H5Group();
        g.attr("ok", "x".repeat(H5Group.MAX_ATTRIBUTE_BYTES - 1)); // + NUL = exactly the limit
        g.attr("ok_numbers", new double[H5Group.MAX_ATTRIBUTE_BYTES / 8]);
        DetrainException e = assertThrows(DetrainException.class, () -> g.attr("big", "x".repeat(H5Group.MAX_ATTRIBUTE_BYTES)));
        assertEquals("attribute /big holds 32769 bytes, more than the 32768 an attribute may hold:"
                + " store it as a dataset instead", e.getMessage());
        // n strings of 2 UTF-8 bytes take n * (2 + 1) bytes: 10922 fit in 32768, 10923 do not
        g.attr("many_ok", java.util.Collections.nCopies(10922, "ab").toArray(new String[0]));
        DetrainException many = assertThrows(DetrainException.class,
                () -> g.attr("many", java.util.Collections.nCopies(10923, "ab").toArray(new String[0])));
        assertTrue(many.getMessage().contains("holds 32769 bytes"), many.getMessage());
    }

    @Test
    void datasetAndGroupCannotShareAName() {
        H5Group g = new H5Group();
        g.group("metrics");
        assertThrows(DetrainException.class, () -> g.dataset("metrics", new int[] {1}));
        g.dataset("W", new double[] {1});
        assertThrows(DetrainException.class, () -> g.group("W"));
    }

    @Test
    void reservedAttributeNameIsRejected() {
        assertThrows(DetrainException.class, () -> new H5Group().attr(H5Group.EMPTY_DATASETS_ATTRIBUTE, "x"));
    }

    @Test
    void missingNamesAndWrongTypesGiveClearMessages() {
        H5Group root = new H5Group();
        root.group("metrics").dataset("iteration", new long[] {1}).dataset("epoch", new double[] {0.5});
        DetrainException missing = assertThrows(DetrainException.class,
                () -> root.getGroup("metrics").getDataset("train_los"));
        assertEquals("/metrics has no dataset 'train_los'; it has: iteration, epoch:"
                + " check the name, or the file's detrain version", missing.getMessage());
        DetrainException wrongType = assertThrows(DetrainException.class,
                () -> root.getGroup("metrics").getDataset("iteration", double[].class));
        assertEquals("dataset /metrics/iteration is a long[], not a double[]: read it as long[]", wrongType.getMessage());
        assertThrows(DetrainException.class, () -> root.getGroup("topology"));
        assertFalse(root.hasGroup("topology"));
        assertTrue(root.getGroup("metrics").hasDataset("epoch"));
    }

    @Test
    void toStringShowsTypesAndShapes() {
        H5Group root = new H5Group().attr("ranks", 4L);
        root.group("metrics").dataset("train_loss", new double[3][4]);
        assertEquals("/\n  @ranks = 4L\n  /metrics\n    train_loss float64 3x4\n", root.toString());
    }
}
