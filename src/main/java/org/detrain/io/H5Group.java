package org.detrain.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.detrain.util.DetrainException;

/**
 * An in-memory description of an HDF5 group: attributes, datasets and child groups, kept in the
 * order they were added. {@code new H5Group()} is the root of a file; {@link Hdf5Files} writes a
 * tree to disk and reads one back. Build fluently:
 * <pre>{@code
 * H5Group root = new H5Group().attr("git_commit", "abc").attr("ranks", 4L);
 * root.group("metrics").dataset("iteration", iterations).dataset("train_loss", lossPerStepAndRank);
 * }</pre>
 * Values are copied on the way in and on the way out, so later changes to a caller's buffer never
 * change what is written. A group is a builder, not thread-safe; build it on one thread.
 *
 * <h2>What is stored, and how it looks from h5py</h2>
 * Measured with jHDF 0.13.0, h5dump 1.10.8 and h5py 3.7 / numpy 1.24 (Debian 12):
 * <table>
 * <caption>Java value, HDF5 type, h5py result; every row reads back as the same Java type</caption>
 * <tr><th>Java</th><th>HDF5 (h5dump)</th><th>h5py</th></tr>
 * <tr><td>attr String</td><td>scalar H5T_STRING, variable length (STRSIZE H5T_VARIABLE), NULLTERM, UTF-8,
 *     its bytes in the file's global heap ({@link TypedAttributes})</td>
 *     <td>{@code str}</td></tr>
 * <tr><td>attr String[]</td><td>1-D variable-length UTF-8 strings</td>
 *     <td>ndarray of {@code str} (dtype object)</td></tr>
 * <tr><td>attr long / int</td><td>H5T_STD_I64LE / H5T_STD_I32LE scalar</td>
 *     <td>{@code numpy.int64} / {@code numpy.int32}: the Java type is kept, so write
 *     {@code 4L} when you mean int64</td></tr>
 * <tr><td>attr double</td><td>H5T_IEEE_F64LE scalar</td><td>{@code numpy.float64}</td></tr>
 * <tr><td>attr boolean</td><td>H5T_ENUM {FALSE 0, TRUE 1} on H5T_STD_I8LE (what h5py itself writes)</td>
 *     <td>{@code numpy.bool_}</td></tr>
 * <tr><td>attr double[] / long[] / int[]</td><td>1-D F64LE / I64LE / I32LE</td>
 *     <td>ndarray shape (n,) float64 / int64 / int32</td></tr>
 * <tr><td>dataset double[] / double[][]</td><td>F64LE, shape (n) / (rows, cols), row-major</td>
 *     <td>float64, shape (n,) / (rows, cols)</td></tr>
 * <tr><td>dataset float[], long[], int[], byte[] (and 2-D)</td><td>F32LE, I64LE, I32LE, I8LE</td>
 *     <td>float32, int64, int32, int8</td></tr>
 * <tr><td>dataset String[] / String[][]</td><td>fixed-length UTF-8 strings</td>
 *     <td>{@code |S<width>} bytes; {@code ds.asstr()[()]} gives str</td></tr>
 * </table>
 *
 * <h2>Rules (each broken rule is a {@link DetrainException} at the call that breaks it)</h2>
 * <ul>
 * <li>Names are non-blank, at most {@value #MAX_NAME_BYTES} UTF-8 bytes, contain no '/' and no
 *     NUL, and are not "." (jHDF 0.13 stores a link name's length in one byte, and writes a
 *     corrupt header past 254). A dataset and a group in one group cannot share a name.
 *     Adding an attribute or dataset under an existing name replaces it.</li>
 * <li>2-D arrays must be rectangular (no ragged or null rows); strings contain no NUL.</li>
 * <li>An attribute holds at most {@value #MAX_ATTRIBUTE_BYTES} bytes (strings: longest UTF-8
 *     form + 1, times the count). jHDF 0.13 keeps every attribute in its object header and
 *     writes an unreadable file once one attribute nears 64 KiB; store big values as datasets.</li>
 * <li>Attribute arrays must not be empty: jHDF 0.13 cannot write empty arrays.</li>
 * <li>Empty datasets (a dimension is 0, e.g. 0 steps) are allowed, though jHDF 0.13 cannot write
 *     them either. They are left out of the file and listed instead in the parent group's string
 *     array attribute {@value #EMPTY_DATASETS_ATTRIBUTE}, one entry
 *     {@code name:dtype:shape} each (e.g. {@code train_loss:float64:0x0};
 *     Java keeps no column count for a {@code double[0][]}, so 0 rows always read back as 0x0).
 *     {@link Hdf5Files#read} restores them as empty arrays and hides the attribute; h5py users
 *     see no dataset, and {@code docs/examples/read_metrics.py} shows how to tell "empty" from
 *     "missing".</li>
 * <li>Datasets of at least {@value #COMPRESS_FROM_BYTES} bytes (numbers only) are written
 *     chunked (about {@value #CHUNK_BYTES} bytes a chunk, whole rows), with the shuffle and deflate
 *     filters; h5dump and h5py read these (gzip), checked by the tests.</li>
 * <li>HDF5 files written by jHDF 0.13 do not record creation order: {@link Hdf5Files#read}
 *     returns names sorted ascending, as h5py lists them, and {@link #equals} ignores order.</li>
 * </ul>
 */
public final class H5Group {
    /** Longest name, in UTF-8 bytes, that jHDF 0.13 writes readably (measured: 255 fails). */
    public static final int MAX_NAME_BYTES = 254;
    /** Largest attribute value in bytes; jHDF 0.13 fails somewhere under 64 KiB (measured). */
    public static final int MAX_ATTRIBUTE_BYTES = 32 * 1024;
    /** Numeric datasets from this many bytes on are chunked and compressed. */
    public static final long COMPRESS_FROM_BYTES = 64 * 1024;
    /** Target chunk size of compressed datasets. */
    public static final long CHUNK_BYTES = 256 * 1024;
    /** Reserved attribute listing the empty datasets of a group (see the class comment). */
    public static final String EMPTY_DATASETS_ATTRIBUTE = "_empty_datasets";

    private final String path;
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final Map<String, Object> datasets = new LinkedHashMap<>();
    private final Map<String, H5Group> groups = new LinkedHashMap<>();

    /** A root group, i.e. a whole file. */
    public H5Group() {
        this("/");
    }

    private H5Group(String path) {
        this.path = path;
    }

    /** Where this group sits in the file: "/" for the root, "/metrics" for a child of it. */
    public String path() {
        return path;
    }

    // ---------------------------------------------------------------- building: attributes

    /** Sets a string attribute (scalar, variable-length UTF-8: h5py returns str). */
    public H5Group attr(String name, String value) {
        return putAttribute(name, value);
    }

    /** Sets a 64-bit integer attribute. */
    public H5Group attr(String name, long value) {
        return putAttribute(name, value);
    }

    /** Sets a 32-bit integer attribute. */
    public H5Group attr(String name, int value) {
        return putAttribute(name, value);
    }

    /** Sets a float64 attribute. */
    public H5Group attr(String name, double value) {
        return putAttribute(name, value);
    }

    /** Sets a boolean attribute, stored as the enum FALSE/TRUE (h5py: numpy.bool_). */
    public H5Group attr(String name, boolean value) {
        return putAttribute(name, value);
    }

    /** Sets a 1-D string array attribute; it must not be empty. */
    public H5Group attr(String name, String[] values) {
        return putAttribute(name, values);
    }

    /** Sets a 1-D float64 array attribute; it must not be empty. */
    public H5Group attr(String name, double[] values) {
        return putAttribute(name, values);
    }

    /** Sets a 1-D int64 array attribute; it must not be empty. */
    public H5Group attr(String name, long[] values) {
        return putAttribute(name, values);
    }

    /** Sets a 1-D int32 array attribute; it must not be empty. */
    public H5Group attr(String name, int[] values) {
        return putAttribute(name, values);
    }

    // ---------------------------------------------------------------- building: datasets

    /** Adds a float64 dataset of shape (n). */
    public H5Group dataset(String name, double[] values) {
        return putDataset(name, values);
    }

    /** Adds a float64 dataset of shape (rows, cols). */
    public H5Group dataset(String name, double[][] values) {
        return putDataset(name, values);
    }

    /** Adds a float32 dataset of shape (n). */
    public H5Group dataset(String name, float[] values) {
        return putDataset(name, values);
    }

    /** Adds a float32 dataset of shape (rows, cols). */
    public H5Group dataset(String name, float[][] values) {
        return putDataset(name, values);
    }

    /** Adds an int64 dataset of shape (n). */
    public H5Group dataset(String name, long[] values) {
        return putDataset(name, values);
    }

    /** Adds an int64 dataset of shape (rows, cols). */
    public H5Group dataset(String name, long[][] values) {
        return putDataset(name, values);
    }

    /** Adds an int32 dataset of shape (n). */
    public H5Group dataset(String name, int[] values) {
        return putDataset(name, values);
    }

    /** Adds an int32 dataset of shape (rows, cols). */
    public H5Group dataset(String name, int[][] values) {
        return putDataset(name, values);
    }

    /** Adds an int8 dataset of shape (n). */
    public H5Group dataset(String name, byte[] values) {
        return putDataset(name, values);
    }

    /** Adds an int8 dataset of shape (rows, cols). */
    public H5Group dataset(String name, byte[][] values) {
        return putDataset(name, values);
    }

    /** Adds a fixed-length UTF-8 string dataset of shape (n). */
    public H5Group dataset(String name, String[] values) {
        return putDataset(name, values);
    }

    /** Adds a fixed-length UTF-8 string dataset of shape (rows, cols). */
    public H5Group dataset(String name, String[][] values) {
        return putDataset(name, values);
    }

    // ---------------------------------------------------------------- building: groups

    /** The child group {@code name}, created empty if it does not exist yet. */
    public H5Group group(String name) {
        checkName(name, "group");
        if (datasets.containsKey(name)) {
            throw DetrainException.badInput(where(name) + " is already a dataset: give the group another name");
        }
        return groups.computeIfAbsent(name, n -> new H5Group(childPath(n)));
    }

    // ---------------------------------------------------------------- reading

    /** Attribute names in the order they were added (sorted by name in a group read from a file). */
    public List<String> attributeNames() {
        return List.copyOf(attributes.keySet());
    }

    /** Dataset names in the order they were added (sorted by name in a group read from a file). */
    public List<String> datasetNames() {
        return List.copyOf(datasets.keySet());
    }

    /** Child group names in the order they were added (sorted by name in a group read from a file). */
    public List<String> groupNames() {
        return List.copyOf(groups.keySet());
    }

    public boolean hasAttribute(String name) {
        return attributes.containsKey(name);
    }

    public boolean hasDataset(String name) {
        return datasets.containsKey(name);
    }

    public boolean hasGroup(String name) {
        return groups.containsKey(name);
    }

    /**
     * The attribute's value: a String, Long, Integer, Double, Boolean, String[], double[], long[]
     * or int[] (a copy).
     */
    public Object getAttribute(String name) {
        Object value = attributes.get(name);
        if (value == null) {
            throw missing("attribute", name, attributes.keySet());
        }
        return value.getClass().isArray() ? DatasetKind.copy(value) : value;
    }

    /** The attribute's value as {@code type}, e.g. {@code Double.class} or {@code String[].class}. */
    public <T> T getAttribute(String name, Class<T> type) {
        return as(type, getAttribute(name), "attribute", name);
    }

    /** A copy of the dataset's array: one of the 1-D or 2-D array types accepted by {@code dataset}. */
    public Object getDataset(String name) {
        Object value = datasets.get(name);
        if (value == null) {
            throw missing("dataset", name, datasets.keySet());
        }
        return DatasetKind.copy(value);
    }

    /** The dataset as {@code type}, e.g. {@code double[][].class}. */
    public <T> T getDataset(String name, Class<T> type) {
        return as(type, getDataset(name), "dataset", name);
    }

    /** The existing child group {@code name}; unlike {@link #group} it never creates one. */
    public H5Group getGroup(String name) {
        H5Group child = groups.get(name);
        if (child == null) {
            throw missing("group", name, groups.keySet());
        }
        return child;
    }

    // ---------------------------------------------------------------- shared with the reader

    /** Adds an attribute whose Java type was checked by the caller or is checked here. */
    H5Group putAttribute(String name, Object value) {
        checkName(name, "attribute");
        if (EMPTY_DATASETS_ATTRIBUTE.equals(name)) {
            throw DetrainException.badInput(where(name) + ": the attribute name " + EMPTY_DATASETS_ATTRIBUTE
                    + " is reserved for the list of empty datasets; choose another name");
        }
        attributes.put(name, checkedAttribute(name, value));
        return this;
    }

    /** Adds a dataset whose Java type was checked by the caller or is checked here. */
    H5Group putDataset(String name, Object values) {
        checkName(name, "dataset");
        if (values == null) {
            throw DetrainException.badInput(where(name) + " is null: pass an array (an empty one if there is no data)");
        }
        DatasetKind kind = DatasetKind.of(values.getClass());
        if (kind == null) {
            throw DetrainException.badInput(where(name) + " is a " + values.getClass().getSimpleName()
                    + ": datasets take 1-D or 2-D arrays of double, float, long, int, byte or String");
        }
        if (groups.containsKey(name)) {
            throw DetrainException.badInput(where(name) + " is already a group: give the dataset another name");
        }
        checkRectangular(name, values);
        if (kind == DatasetKind.STRING) {
            checkStrings(name, values);
        }
        datasets.put(name, DatasetKind.copy(values));
        return this;
    }

    /** The stored dataset itself, not a copy: for the writer, which only reads it. */
    Map<String, Object> datasetsView() {
        return Collections.unmodifiableMap(datasets);
    }

    Map<String, Object> attributesView() {
        return Collections.unmodifiableMap(attributes);
    }

    Map<String, H5Group> groupsView() {
        return Collections.unmodifiableMap(groups);
    }

    // ---------------------------------------------------------------- value semantics

    /** Equal when both hold equal attributes, datasets and groups under the same names, in any order. */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof H5Group)) {
            return false;
        }
        H5Group that = (H5Group) other;
        return sameValues(attributes, that.attributes) && sameValues(datasets, that.datasets)
                && groups.equals(that.groups);
    }

    @Override
    public int hashCode() {
        int h = groups.hashCode();
        for (Map<String, Object> values : List.of(attributes, datasets)) {
            for (Map.Entry<String, Object> e : values.entrySet()) {
                h += e.getKey().hashCode() ^ Arrays.deepHashCode(new Object[] {e.getValue()});
            }
        }
        return h;
    }

    /** One line per object with its type and shape, for logs and test failure messages. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        describe(out, "");
        return out.toString();
    }

    private void describe(StringBuilder out, String indent) {
        out.append(indent).append(path).append('\n');
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            out.append(indent).append("  @").append(e.getKey()).append(" = ").append(show(e.getValue())).append('\n');
        }
        for (Map.Entry<String, Object> e : datasets.entrySet()) {
            Object v = e.getValue();
            out.append(indent).append("  ").append(e.getKey()).append(' ')
                    .append(DatasetKind.of(v.getClass()).numpyName()).append(' ')
                    .append(shapeText(DatasetKind.shape(v))).append('\n');
        }
        for (H5Group g : groups.values()) {
            g.describe(out, indent + "  ");
        }
    }

    private static String show(Object value) {
        if (value instanceof String) {
            return '"' + (String) value + '"';
        }
        if (value instanceof Long) {
            return value + "L";
        }
        if (value instanceof Object[]) {
            return Arrays.toString((Object[]) value);
        }
        if (value.getClass().isArray()) {
            return Arrays.deepToString(new Object[] {value}).replaceAll("^\\[|]$", "");
        }
        return String.valueOf(value);
    }

    static String shapeText(int[] shape) {
        StringBuilder s = new StringBuilder();
        for (int d : shape) {
            s.append(s.length() == 0 ? "" : "x").append(d);
        }
        return s.toString();
    }

    // ---------------------------------------------------------------- checks

    private String childPath(String name) {
        return "/".equals(path) ? "/" + name : path + "/" + name;
    }

    private String where(String name) {
        return childPath(name);
    }

    private void checkName(String name, String what) {
        if (name == null || name.isBlank()) {
            throw DetrainException.badInput("an HDF5 " + what + " name in " + path + " is "
                    + (name == null ? "null" : "blank") + ": give the " + what + " a name");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || ".".equals(name)) {
            throw DetrainException.badInput("HDF5 " + what + " name '" + name.replace("\0", "\\0") + "' in " + path
                    + " is not allowed: names must not contain '/' or NUL, or be '.'; rename it");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw DetrainException.badInput("HDF5 " + what + " name '" + name.substring(0, 20) + "…' in " + path
                    + " is " + bytes + " UTF-8 bytes long; jHDF 0.13 writes at most " + MAX_NAME_BYTES
                    + ": shorten it");
        }
    }

    private Object checkedAttribute(String name, Object value) {
        if (value == null) {
            throw DetrainException.badInput("attribute " + where(name) + " is null: pass a value (e.g. \"\" or \"none\")");
        }
        long bytes;
        if (value instanceof String) {
            checkNoNul(name, (String) value);
            bytes = ((String) value).getBytes(StandardCharsets.UTF_8).length + 1L;
        } else if (value instanceof Long || value instanceof Double) {
            bytes = 8;
        } else if (value instanceof Integer) {
            bytes = 4;
        } else if (value instanceof Boolean) {
            bytes = 1;
        } else if (value instanceof String[] || value instanceof double[] || value instanceof long[]
                || value instanceof int[]) {
            if (java.lang.reflect.Array.getLength(value) == 0) {
                throw DetrainException.badInput("attribute " + where(name) + " is an empty array, which jHDF 0.13"
                        + " cannot write: leave the attribute out or store a dataset (empty datasets are allowed)");
            }
            if (value instanceof String[]) {
                checkStrings(name, value);
                bytes = DatasetKind.STRING.storageBytes(value);
            } else {
                bytes = java.lang.reflect.Array.getLength(value) * (value instanceof int[] ? 4L : 8L);
            }
            value = DatasetKind.copy(value);
        } else {
            throw DetrainException.badInput("attribute " + where(name) + " is a " + value.getClass().getSimpleName()
                    + ": attributes take String, long, int, double, boolean, String[], double[], long[] or int[]");
        }
        if (bytes > MAX_ATTRIBUTE_BYTES) {
            throw DetrainException.badInput("attribute " + where(name) + " holds " + bytes + " bytes, more than the "
                    + MAX_ATTRIBUTE_BYTES + " an attribute may hold: store it as a dataset instead");
        }
        return value;
    }

    private void checkRectangular(String name, Object values) {
        if (DatasetKind.rank(values) == 1) {
            return;
        }
        Object[] rows = (Object[]) values;
        int columns = -1;
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] == null) {
                throw DetrainException.badInput("dataset " + where(name) + " has a null row " + r
                        + ": fill every row (2-D datasets are rectangular)");
            }
            int length = java.lang.reflect.Array.getLength(rows[r]);
            if (columns >= 0 && length != columns) {
                throw DetrainException.badInput("dataset " + where(name) + " is ragged: row 0 has " + columns
                        + " values but row " + r + " has " + length + "; 2-D datasets must be rectangular");
            }
            columns = length;
        }
    }

    private void checkStrings(String name, Object values) {
        Object[] rows = DatasetKind.rank(values) == 1 ? new Object[] {values} : (Object[]) values;
        for (Object row : rows) {
            for (String s : (String[]) row) {
                if (s == null) {
                    throw DetrainException.badInput(where(name) + " contains a null string: use \"\" instead");
                }
                checkNoNul(name, s);
            }
        }
    }

    private void checkNoNul(String name, String s) {
        if (s.indexOf('\0') >= 0) {
            throw DetrainException.badInput(where(name) + " contains a NUL character, which HDF5's null-terminated"
                    + " strings would cut off: remove it");
        }
    }

    private DetrainException missing(String what, String name, java.util.Set<String> present) {
        List<String> names = new ArrayList<>(present);
        return DetrainException.badInput(path + " has no " + what + " '" + name + "'"
                + (names.isEmpty() ? " (it has no " + what + "s)" : "; it has: " + String.join(", ", names))
                + ": check the name, or the file's detrain version");
    }

    private <T> T as(Class<T> type, Object value, String what, String name) {
        if (!type.isInstance(value)) {
            throw DetrainException.badInput(what + " " + where(name) + " is a " + value.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName() + ": read it as " + value.getClass().getSimpleName());
        }
        return type.cast(value);
    }

    private static boolean sameValues(Map<String, Object> a, Map<String, Object> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : a.entrySet()) {
            if (!Objects.deepEquals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
