package org.detrain.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import org.detrain.util.DetrainException;

/** Reads a whole HDF5 file through jHDF into an {@link H5Group} tree, eagerly, so no error hides in a lazy read. */
final class JhdfReader {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private JhdfReader() {
    }

    /** The tree in {@code file}; HDF5 problems surface as unchecked jHDF exceptions or {@link UnsupportedContent}. */
    static H5Group read(Path file) throws IOException {
        checkComplete(file);
        try (HdfFile hdf = new HdfFile(file)) {
            H5Group root = new H5Group();
            copy(hdf, root);
            return root;
        }
    }

    /** A valid HDF5 object that H5Group cannot hold (a type or shape it does not support). */
    static final class UnsupportedContent extends RuntimeException {
        UnsupportedContent(String message) {
            super(message);
        }
    }

    private static void copy(Group from, H5Group to) {
        // jHDF returns links in header order, which jHDF's writer leaves hash-ordered; sort like h5py.
        Map<String, Attribute> attributes = new TreeMap<>(from.getAttributes());
        for (Map.Entry<String, Attribute> e : attributes.entrySet()) {
            String name = e.getKey();
            Object value = e.getValue().getData();
            if (value instanceof String text && TypedAttributes.isBooleanEnum(e.getValue().getDataType())) {
                value = "TRUE".equals(text); // jHDF gives an enum's member name
            }
            if (H5Group.EMPTY_DATASETS_ATTRIBUTE.equals(name)) {
                restoreEmptyDatasets(from, value, to);
            } else if (isAttributeType(value)) {
                to.putAttribute(name, value);
            } else {
                throw new UnsupportedContent("attribute " + pathOf(from, name) + " is a "
                        + describe(value) + ", which detrain does not write");
            }
        }
        for (Map.Entry<String, Node> e : new TreeMap<>(from.getChildren()).entrySet()) {
            Node node = e.getValue();
            if (node.isLink()) {
                throw new UnsupportedContent(pathOf(from, e.getKey()) + " is a link, which detrain does not write");
            } else if (node instanceof Group) {
                copy((Group) node, to.group(e.getKey()));
            } else if (node instanceof Dataset) {
                Object data = ((Dataset) node).getData();
                if (data == null || DatasetKind.of(data.getClass()) == null) {
                    throw new UnsupportedContent("dataset " + pathOf(from, e.getKey()) + " is a "
                            + describe(data) + ", which detrain does not write");
                }
                to.putDataset(e.getKey(), data);
            } else {
                throw new UnsupportedContent(pathOf(from, e.getKey()) + " is a " + node.getType()
                        + ", which detrain does not write");
            }
        }
    }

    private static void restoreEmptyDatasets(Group from, Object value, H5Group to) {
        if (!(value instanceof String[])) {
            throw new UnsupportedContent(pathOf(from, H5Group.EMPTY_DATASETS_ATTRIBUTE) + " is not a string array");
        }
        for (String entry : (String[]) value) {
            // name:dtype:shape, parsed from the right since a name may itself contain ':'
            int shapeColon = entry.lastIndexOf(':');
            int kindColon = shapeColon <= 0 ? -1 : entry.lastIndexOf(':', shapeColon - 1);
            DatasetKind kind = kindColon <= 0 ? null : DatasetKind.ofNumpyName(entry.substring(kindColon + 1, shapeColon));
            int[] shape = kind == null ? null : parseShape(entry.substring(shapeColon + 1));
            if (shape == null || !DatasetKind.isEmpty(shape)) {
                throw new UnsupportedContent("entry '" + entry + "' of " + pathOf(from, H5Group.EMPTY_DATASETS_ATTRIBUTE)
                        + " is not name:dtype:shape of an empty dataset");
            }
            to.putDataset(entry.substring(0, kindColon), kind.emptyArray(shape));
        }
    }

    private static int[] parseShape(String text) {
        String[] parts = text.split("x", -1);
        if (parts.length < 1 || parts.length > 2) {
            return null;
        }
        int[] shape = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                shape[i] = Integer.parseInt(parts[i]);
                if (shape[i] < 0) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return shape;
    }

    private static boolean isAttributeType(Object value) {
        return value instanceof String || value instanceof Long || value instanceof Integer
                || value instanceof Double || value instanceof Boolean || value instanceof String[]
                || value instanceof double[] || value instanceof long[] || value instanceof int[];
    }

    private static String describe(Object value) {
        return value == null ? "null value" : value.getClass().getSimpleName();
    }

    private static String pathOf(Group group, String name) {
        String base = group.getPath();
        return (base.endsWith("/") ? base : base + "/") + name;
    }

    /**
     * Rejects a file shorter than its superblock's end-of-file address, as the HDF5 library does:
     * a truncated copy could otherwise read back with some datasets silently cut short.
     */
    private static void checkComplete(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long base = -1;
            // The superblock sits at 0, or after a user block at 512, 1024, 2048, ...
            for (long at = 0; at + SIGNATURE.length <= size; at = at == 0 ? 512 : at * 2) {
                ByteBuffer sig = read(channel, at, SIGNATURE.length);
                if (sig != null && java.util.Arrays.equals(sig.array(), SIGNATURE)) {
                    base = at;
                    break;
                }
            }
            if (base < 0) {
                throw new UnsupportedContent("no HDF5 signature: not an HDF5 file");
            }
            ByteBuffer head = read(channel, base, 64);
            if (head == null) {
                throw new UnsupportedContent("the superblock is cut short: the file is truncated (" + size + " bytes)");
            }
            int version = head.get(8);
            int offsetSize = version >= 2 ? head.get(9) : head.get(13);
            int eofField = version >= 2 ? 12 + 2 * offsetSize : (version == 1 ? 28 : 24) + 2 * offsetSize;
            if (offsetSize != 8 || version > 3) {
                return; // unusual layout: leave the checks to jHDF
            }
            long baseAddress = head.getLong(version >= 2 ? 12 : (version == 1 ? 28 : 24));
            long eof = head.getLong(eofField);
            if (eof != -1 && baseAddress + eof > size) {
                throw new UnsupportedContent("it has " + size + " bytes but its superblock says " + (baseAddress + eof)
                        + ": the file is truncated");
            }
        }
    }

    private static ByteBuffer read(FileChannel channel, long at, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, at + buffer.position()) < 0) {
                return null;
            }
        }
        return buffer.flip();
    }

    /** Wraps any failure while reading {@code file} into one message that names it. */
    static DetrainException failure(Path file, Throwable cause) {
        String reason;
        if (cause instanceof UnsupportedContent) {
            reason = cause.getMessage();
        } else {
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            reason = "the file is damaged or not HDF5 (" + cause
                    + (root == cause ? "" : "; caused by " + root) + ")";
        }
        return DetrainException.badInput("cannot read HDF5 file " + file + ": " + reason
                + "; restore it, or re-run to regenerate it", cause);
    }

    static DetrainException failure(Path file, DetrainException cause) {
        return DetrainException.badInput("cannot read HDF5 file " + file + ": " + cause.getMessage(), cause);
    }
}
