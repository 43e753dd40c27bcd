package org.detrain.io;

import io.jhdf.Superblock;
import io.jhdf.WritableGroupImpl;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableGroup;
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
 */
final class JhdfWriter {
    /** Where jHDF puts the root group's object header, right after the 48-byte v2 superblock. */
    private static final long ROOT_GROUP_ADDRESS = 64;

    private JhdfWriter() {
    }

    /** Writes {@code root} into {@code channel} (empty, opened for reading and writing) and forces it to disk. */
    static void write(H5Group root, FileChannel channel) throws IOException {
        Superblock.SuperblockV2V3 superblock = new Superblock.SuperblockV2V3();
        HdfFileChannel hdfChannel = new HdfFileChannel(channel, superblock);
        WritableGroupImpl jhdfRoot = new WritableGroupImpl(null, "/");
        copy(root, jhdfRoot);
        jhdfRoot.write(hdfChannel, ROOT_GROUP_ADDRESS);
        channel.write(superblock.toBuffer(channel.size()), 0L);
        channel.force(true);
    }

    private static void copy(H5Group from, WritableGroup to) {
        for (Map.Entry<String, Object> e : from.attributesView().entrySet()) {
            to.putAttribute(e.getKey(), e.getValue());
        }
        List<String> empty = new ArrayList<>();
        for (Map.Entry<String, Object> e : from.datasetsView().entrySet()) {
            Object values = e.getValue();
            int[] shape = DatasetKind.shape(values);
            DatasetKind kind = DatasetKind.of(values.getClass());
            if (DatasetKind.isEmpty(shape)) {
                // jHDF 0.13 cannot write a dataset with a zero dimension; see H5Group's rules.
                empty.add(e.getKey() + ":" + kind.numpyName() + ":" + H5Group.shapeText(shape));
            } else if (kind != DatasetKind.STRING && kind.storageBytes(values) >= H5Group.COMPRESS_FROM_BYTES) {
                to.putDataset(e.getKey(), values, compressed(kind, shape));
            } else {
                to.putDataset(e.getKey(), values);
            }
        }
        if (!empty.isEmpty()) {
            to.putAttribute(H5Group.EMPTY_DATASETS_ATTRIBUTE, empty.toArray(new String[0]));
        }
        for (Map.Entry<String, H5Group> e : from.groupsView().entrySet()) {
            copy(e.getValue(), to.putGroup(e.getKey()));
        }
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
