package org.detrain.io;

/** Trees with hand-picked values, shared by the round-trip and external-tool tests. */
final class SampleTrees {
    private SampleTrees() {
    }

    /**
     * Every supported attribute and dataset type, empty datasets, and attribute-only groups laid
     * out after datasets (the layout that jHDF 0.13's own close() corrupts).
     */
    static H5Group everyType() {
        H5Group root = new H5Group()
                .attr("s", "hello")
                .attr("s_utf8", "héllo ✓")
                .attr("s_empty", "")
                .attr("l", 1234567890123L)
                .attr("l_negative", -5L)
                .attr("i", 42)
                .attr("d", 0.1)
                .attr("d_nan", Double.NaN)
                .attr("b_true", true)
                .attr("b_false", false)
                .attr("strings", new String[] {"alpha", "", "βγ"})
                .attr("doubles", new double[] {1.5, -2.25})
                .attr("longs", new long[] {1L, 1L << 40})
                .attr("ints", new int[] {-1, 7});
        root.group("data")
                .dataset("d1", new double[] {1.25, -2.5, 3})
                .dataset("d2", new double[][] {{1, 2, 3}, {4, 5, 6}})
                .dataset("f1", new float[] {1.5f, -0.25f})
                .dataset("f2", new float[][] {{1.5f}, {2.5f}})
                .dataset("l1", new long[] {1L << 40, -7})
                .dataset("l2", new long[][] {{1, 2}, {3, 4}})
                .dataset("i1", new int[] {7, -8})
                .dataset("i2", new int[][] {{7, 8}, {9, 10}})
                .dataset("b1", new byte[] {-1, 2, 127})
                .dataset("b2", new byte[][] {{-128, 0}, {1, 2}})
                .dataset("s1", new String[] {"alpha", "b", ""})
                .dataset("s2", new String[][] {{"a", "bc"}, {"d", "é"}})
                .dataset("d_empty", new double[0])
                .attr("unit", "none");
        root.group("empty")
                .dataset("e1", new long[0])
                .dataset("e2", new double[0][5])
                .dataset("e3", new double[3][0])
                .dataset("e4", new String[0]);
        // Groups with no dataset in the file. jHDF lays children out in ConcurrentHashMap order,
        // which for these names puts /empty last, after the last dataset: the layout that jHDF
        // 0.13's own close() corrupts (so does detrain's metrics layout, where /config comes last).
        H5Group config = root.group("config");
        config.attr("algorithm", "dpsgd").attr("topology", "ring").attr("seed", "42");
        root.group("aa_attrs_only").attr("k", 1L);
        root.group("zz_attrs_only").attr("k", 2L);
        root.group("mm_empty_group");
        root.group("nested").group("deeper").group("deepest").attr("depth", 3);
        return root;
    }

    /** Large numeric datasets (each over COMPRESS_FROM_BYTES, some over several chunks with a partial last one), with values given by formulas. */
    static H5Group large() {
        double[][] d = new double[5000][16];
        for (int r = 0; r < 5000; r++) {
            for (int c = 0; c < 16; c++) {
                d[r][c] = r + c / 16.0;
            }
        }
        long[] l = new long[50000];
        for (int k = 0; k < l.length; k++) {
            l[k] = 3L * k - 1;
        }
        float[] f = new float[30000];
        for (int k = 0; k < f.length; k++) {
            f[k] = k * 0.25f;
        }
        byte[] b = new byte[300000];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) k;
        }
        int[][] i = new int[300][100];
        for (int r = 0; r < 300; r++) {
            for (int c = 0; c < 100; c++) {
                i[r][c] = 100 * r + c;
            }
        }
        H5Group root = new H5Group();
        root.group("big").dataset("d", d).dataset("l", l).dataset("f", f).dataset("b", b).dataset("i", i);
        return root;
    }
}
