package org.detrain.io;

import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The element types a dataset may hold, with their 1-D and 2-D Java array classes and the numpy
 * name h5py reports for them. Package-private: callers see only Java array types.
 */
enum DatasetKind {
    FLOAT64("float64", double[].class, double[][].class, 8),
    FLOAT32("float32", float[].class, float[][].class, 4),
    INT64("int64", long[].class, long[][].class, 8),
    INT32("int32", int[].class, int[][].class, 4),
    INT8("int8", byte[].class, byte[][].class, 1),
    /** Fixed-length, null-terminated UTF-8 strings; h5py reads them as bytes ({@code |S<n>}). */
    STRING("string", String[].class, String[][].class, 0);

    private final String numpyName;
    private final Class<?> oneDimensional;
    private final Class<?> twoDimensional;
    private final int elementBytes;

    DatasetKind(String numpyName, Class<?> oneDimensional, Class<?> twoDimensional, int elementBytes) {
        this.numpyName = numpyName;
        this.oneDimensional = oneDimensional;
        this.twoDimensional = twoDimensional;
        this.elementBytes = elementBytes;
    }

    String numpyName() {
        return numpyName;
    }

    /** Bytes per element, 0 for strings (their width depends on the longest one). */
    int elementBytes() {
        return elementBytes;
    }

    /** The kind of a supported 1-D or 2-D array class, or null. */
    static DatasetKind of(Class<?> arrayClass) {
        for (DatasetKind kind : values()) {
            if (kind.oneDimensional == arrayClass || kind.twoDimensional == arrayClass) {
                return kind;
            }
        }
        return null;
    }

    static DatasetKind ofNumpyName(String name) {
        for (DatasetKind kind : values()) {
            if (kind.numpyName.equals(name)) {
                return kind;
            }
        }
        return null;
    }

    /** 1 or 2 for a supported array, as the class says (a double[0][] is 2-D). */
    static int rank(Object array) {
        return array.getClass().getComponentType().isArray() ? 2 : 1;
    }

    /**
     * The shape of a 1-D or 2-D array: {length} or {rows, columns}. A 2-D array with no rows
     * reports 0 columns, since Java keeps no column count for it.
     */
    static int[] shape(Object array) {
        int rows = Array.getLength(array);
        if (rank(array) == 1) {
            return new int[] {rows};
        }
        return new int[] {rows, rows == 0 ? 0 : Array.getLength(Array.get(array, 0))};
    }

    static boolean isEmpty(int[] shape) {
        return Arrays.stream(shape).anyMatch(d -> d == 0);
    }

    /** An empty array of this kind with the given shape (one of its dimensions is 0). */
    Object emptyArray(int[] shape) {
        if (shape.length == 1) {
            return Array.newInstance(oneDimensional.getComponentType(), shape[0]);
        }
        return Array.newInstance(oneDimensional.getComponentType(), shape[0], shape[1]);
    }

    /** Raw size in bytes as HDF5 stores it; strings count their longest UTF-8 form plus a NUL. */
    long storageBytes(Object array) {
        long elements = Arrays.stream(shape(array)).asLongStream().reduce(1, (a, b) -> a * b);
        if (this != STRING) {
            return elements * elementBytes;
        }
        int widest = 0;
        for (Object row : rank(array) == 1 ? new Object[] {array} : (Object[]) array) {
            for (String s : (String[]) row) {
                widest = Math.max(widest, s.getBytes(StandardCharsets.UTF_8).length);
            }
        }
        return elements * (widest + 1);
    }

    /** A deep copy, so neither the caller nor a reader can change what a group holds. */
    static Object copy(Object array) {
        if (rank(array) == 1) {
            return cloneRow(array);
        }
        Object[] rows = (Object[]) array;
        Object[] out = (Object[]) Array.newInstance(rows.getClass().getComponentType(), rows.length);
        for (int i = 0; i < rows.length; i++) {
            out[i] = cloneRow(rows[i]);
        }
        return out;
    }

    private static Object cloneRow(Object row) {
        int n = Array.getLength(row);
        Object out = Array.newInstance(row.getClass().getComponentType(), n);
        System.arraycopy(row, 0, out, 0, n);
        return out;
    }
}
