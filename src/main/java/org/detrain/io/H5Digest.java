package org.detrain.io;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SHA-256 of the values an {@link H5Group} tree holds, independent of the order names were added
 * (jHDF reads names back sorted) and of how the file lays them out. A tree written to HDF5 and read
 * back has the digest it had before writing, so a digest stored in the file detects any change to
 * a value, however the bytes were damaged.
 *
 * <p>Canonical form, fed to SHA-256: for each group, attributes, then datasets, then child groups,
 * each set in ascending name order; every entry is its kind ('A', 'D', 'G'), its name, and for
 * values a type tag, the shape and the elements in big-endian binary (strings as UTF-8 with their
 * length).
 */
public final class H5Digest {
    private H5Digest() {
    }

    /** Hex SHA-256 of {@code root} leaving out the root attributes named in {@code skipRootAttributes}. */
    public static String of(H5Group root, Set<String> skipRootAttributes) {
        MessageDigest md = sha256();
        feedGroup(md, root, skipRootAttributes);
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256", e);
        }
    }

    private static void feedGroup(MessageDigest md, H5Group g, Set<String> skip) {
        Map<String, Object> attributes = g.attributesView();
        for (String name : sorted(attributes.keySet())) {
            if (skip.contains(name)) {
                continue;
            }
            feedString(md, "A");
            feedString(md, name);
            feedValue(md, attributes.get(name));
        }
        Map<String, Object> datasets = g.datasetsView();
        for (String name : sorted(datasets.keySet())) {
            feedString(md, "D");
            feedString(md, name);
            feedValue(md, datasets.get(name));
        }
        Map<String, H5Group> groups = g.groupsView();
        for (String name : sorted(groups.keySet())) {
            feedString(md, "G");
            feedString(md, name);
            feedGroup(md, groups.get(name), Set.of());
        }
        feedString(md, "end");
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    private static void feedValue(MessageDigest md, Object value) {
        if (value instanceof String s) {
            feedString(md, "string");
            feedString(md, s);
        } else if (value instanceof Long v) {
            feedString(md, "int64");
            md.update(ByteBuffer.allocate(8).putLong(v).array());
        } else if (value instanceof Integer v) {
            feedString(md, "int32");
            md.update(ByteBuffer.allocate(4).putInt(v).array());
        } else if (value instanceof Double v) {
            feedString(md, "float64");
            md.update(ByteBuffer.allocate(8).putLong(Double.doubleToRawLongBits(v)).array());
        } else if (value instanceof Boolean v) {
            feedString(md, "bool");
            md.update((byte) (v ? 1 : 0));
        } else if (value.getClass().isArray()) {
            feedArray(md, value);
        } else {
            throw new IllegalArgumentException("cannot digest a " + value.getClass());
        }
    }

    private static void feedArray(MessageDigest md, Object array) {
        boolean twoD = array.getClass().getComponentType().isArray();
        Object[] rows = twoD ? (Object[]) array : new Object[] {array};
        Class<?> element = twoD ? array.getClass().getComponentType().getComponentType()
                : array.getClass().getComponentType();
        feedString(md, element.getSimpleName() + (twoD ? "[][]" : "[]"));
        md.update(ByteBuffer.allocate(4).putInt(Array.getLength(array)).array());
        for (Object row : rows) {
            int n = Array.getLength(row);
            md.update(ByteBuffer.allocate(4).putInt(n).array());
            if (row instanceof String[] strings) {
                for (String s : strings) {
                    feedString(md, s);
                }
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(n * elementBytes(element)).order(ByteOrder.BIG_ENDIAN);
            if (row instanceof double[] d) {
                b.asDoubleBuffer().put(d);
            } else if (row instanceof float[] f) {
                b.asFloatBuffer().put(f);
            } else if (row instanceof long[] l) {
                b.asLongBuffer().put(l);
            } else if (row instanceof int[] i) {
                b.asIntBuffer().put(i);
            } else if (row instanceof byte[] bytes) {
                b.put(bytes);
            } else {
                throw new IllegalArgumentException("cannot digest a " + row.getClass());
            }
            md.update(b.array());
        }
    }

    private static int elementBytes(Class<?> element) {
        if (element == double.class || element == long.class) {
            return 8;
        }
        if (element == float.class || element == int.class) {
            return 4;
        }
        return 1;
    }

    private static void feedString(MessageDigest md, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        md.update(bytes);
    }
}
