package org.detrain.io;

import io.jhdf.BufferBuilder;
import io.jhdf.Superblock;
import io.jhdf.WritableGroupImpl;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.WritableNode;
import io.jhdf.storage.HdfFileChannel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@link H5Group} tree into an open, empty file through jHDF 0.13's writer classes.
 *
 * <p>Why not {@code HdfFile.write(path)} and {@code close()}: jHDF 0.13's close writes its
 * "_jHDF" info string at the channel's current position, i.e. just after the data of the last
 * dataset it wrote. When a group without datasets (e.g. {@code /config}, attributes only) is laid
 * out after that dataset, the string overwrites the group's object header and neither h5dump nor
 * h5py can open the file. We do the same steps in a safe order instead: root group (which writes
 * all objects), then the superblock with the true end of file. Everything used here is public
 * jHDF API ({@code WritableGroupImpl}, {@code HdfFileChannel}, {@code Superblock.SuperblockV2V3});
 * the tests write such a layout and read it with h5dump and h5py, so a jHDF upgrade that breaks
 * this shows up there.
 *
 * <p>String and boolean attributes are written as {@link TypedAttributes} (variable-length UTF-8
 * strings, the boolean enum), which h5py reads as {@code str} and {@code bool}. The strings live
 * in one global heap collection laid out first, right after the superblock; the root group follows
 * it. Layout: superblock (48 bytes) at 0, the heap (if any string) at 64, the root group after it.
 */
final class JhdfWriter {
    /** Where the first object goes, after the 48-byte v2 superblock (where jHDF itself puts the root group). */
    private static final long FIRST_OBJECT_ADDRESS = 64;
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private JhdfWriter() {
    }

    /** Writes {@code root} into {@code channel} (empty, opened for reading and writing) and forces it to disk. */
    static void write(H5Group root, FileChannel channel) throws IOException {
        HdfFileChannel hdfChannel = new HdfFileChannel(channel, new Superblock.SuperblockV2V3());
        TypedAttributes.Heap heap = new TypedAttributes.Heap();
        collectStrings(root, heap);
        long rootAddress = FIRST_OBJECT_ADDRESS;
        if (!heap.isEmpty()) {
            heap.placeAt(FIRST_OBJECT_ADDRESS);
            rootAddress += heap.size();
        }
        WritableGroupImpl jhdfRoot = new WritableGroupImpl(null, "/");
        copy(root, jhdfRoot, heap);
        jhdfRoot.write(hdfChannel, rootAddress);
        if (!heap.isEmpty()) {
            channel.write(heap.toBuffer(), FIRST_OBJECT_ADDRESS);
        }
        channel.write(superblock(channel.size(), rootAddress), 0L);
        channel.force(true);
    }

    /**
     * Superblock version 2 as jHDF writes it ({@code Superblock.SuperblockV2V3.toBuffer}), with our
     * root group address: signature, version 2, 8-byte offsets and lengths, no flags, base address
     * 0, no extension, end of file, root group object header, Jenkins lookup3 checksum.
     */
    private static java.nio.ByteBuffer superblock(long endOfFile, long rootAddress) {
        return new BufferBuilder().writeBytes(SIGNATURE).writeByte(2).writeByte(8).writeByte(8).writeByte(0)
                .writeLong(0).writeLong(-1L).writeLong(endOfFile).writeLong(rootAddress).appendChecksum().build();
    }

    private static void collectStrings(H5Group group, TypedAttributes.Heap heap) {
        for (Object value : group.attributesView().values()) {
            TypedAttributes.collect(value, heap);
        }
        TypedAttributes.collect(emptyDatasets(group).toArray(new String[0]), heap);
        for (H5Group child : group.groupsView().values()) {
            collectStrings(child, heap);
        }
    }

    /** A String, String[] or Boolean attribute goes in as a {@link TypedAttributes} one; the rest as jHDF writes them. */
    private static void putAttribute(WritableNode node, String name, Object value, TypedAttributes.Heap heap) {
        if (value instanceof String || value instanceof String[]) {
            node.getAttributes().put(name, TypedAttributes.strings(name, node, value, heap));
        } else if (value instanceof Boolean b) {
            node.getAttributes().put(name, TypedAttributes.bool(name, node, b));
        } else {
            node.putAttribute(name, value);
        }
    }

    private static void copy(H5Group from, WritableGroup to, TypedAttributes.Heap heap) {
        for (Map.Entry<String, Object> e : from.attributesView().entrySet()) {
            putAttribute(to, e.getKey(), e.getValue(), heap);
        }
        for (Map.Entry<String, Object> e : from.datasetsView().entrySet()) {
            Object values = e.getValue();
            int[] shape = DatasetKind.shape(values);
            DatasetKind kind = DatasetKind.of(values.getClass());
            if (DatasetKind.isEmpty(shape)) {
                continue; // jHDF 0.13 cannot write a dataset with a zero dimension; see H5Group's rules
            } else if (kind != DatasetKind.STRING && kind.storageBytes(values) >= H5Group.COMPRESS_FROM_BYTES) {
                to.putDataset(e.getKey(), values, compressed(kind, shape));
            } else {
                to.putDataset(e.getKey(), values);
            }
        }
        List<String> empty = emptyDatasets(from);
        if (!empty.isEmpty()) {
            putAttribute(to, H5Group.EMPTY_DATASETS_ATTRIBUTE, empty.toArray(new String[0]), heap);
        }
        for (Map.Entry<String, H5Group> e : from.groupsView().entrySet()) {
            copy(e.getValue(), to.putGroup(e.getKey()), heap);
        }
    }

    /** "name:dtype:shape" of each empty dataset of the group (the value of {@link H5Group#EMPTY_DATASETS_ATTRIBUTE}). */
    private static List<String> emptyDatasets(H5Group group) {
        List<String> empty = new ArrayList<>();
        for (Map.Entry<String, Object> e : group.datasetsView().entrySet()) {
            int[] shape = DatasetKind.shape(e.getValue());
            if (DatasetKind.isEmpty(shape)) {
                empty.add(e.getKey() + ":" + DatasetKind.of(e.getValue().getClass()).numpyName() + ":"
                        + H5Group.shapeText(shape));
            }
        }
        return empty;
    }

    /** Chunks of whole rows, about CHUNK_BYTES each; shuffle groups the bytes of floats, then deflate. */
    private static DatasetCreationOptions compressed(DatasetKind kind, int[] shape) {
        long rowBytes = (long) kind.elementBytes() * (shape.length == 2 ? shape[1] : 1);
        int rows = (int) Math.max(1, Math.min(shape[0], H5Group.CHUNK_BYTES / rowBytes));
        int[] chunk = shape.length == 2 ? new int[] {rows, shape[1]} : new int[] {rows};
        DatasetCreationOptions.Builder options = DatasetCreationOptions.builder().chunkDimensions(chunk);
        if (kind.elementBytes() > 1) {
            options.shuffle();
        }
        return options.deflate(4).build();
    }
}
