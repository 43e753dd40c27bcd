package org.detrain.io;

import io.jhdf.BufferBuilder;
import io.jhdf.api.Attribute;
import io.jhdf.api.Node;
import io.jhdf.api.WritableAttributeImpl;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.message.DataSpace;
import io.jhdf.storage.HdfBackingStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrain.util.DetrainException;

/**
 * Attribute types jHDF 0.13 cannot write but readers expect: variable-length UTF-8 strings (h5py
 * returns {@code str}; jHDF's own fixed-length strings come back as {@code bytes}) and booleans as
 * the enum {FALSE = 0, TRUE = 1} on int8 (h5py returns {@code numpy.bool_}; jHDF's bit field comes
 * back as {@code uint8}). Both are laid out byte for byte as the HDF5 library itself writes them
 * (the datatype messages and the global heap collection were compared with files h5py wrote).
 *
 * <p>A variable-length string is stored as its length, the address of a <em>global heap
 * collection</em> and an object index in it; the collection holds the UTF-8 bytes. {@link Heap}
 * builds one collection for a whole file before anything is written (its address must be known
 * when the attributes are encoded), every distinct string once. {@link JhdfWriter} places it right
 * after the superblock and the root group after it.
 */
final class TypedAttributes {
    /** The smallest collection the HDF5 library writes (H5HG_MINSIZE); readers may expect no less. */
    static final int MIN_COLLECTION_BYTES = 4096;
    private static final byte[] COLLECTION_SIGNATURE = {'G', 'C', 'O', 'L'};
    /** Object header of a heap object: index (2), reference count (2), reserved (4), size (8). */
    private static final int OBJECT_HEADER_BYTES = 16;
    private static final int MAX_OBJECTS = 0xFFFF;

    private TypedAttributes() {
    }

    /** One global heap collection holding every distinct string of a file's string attributes. */
    static final class Heap {
        private final Map<String, Integer> indexOf = new LinkedHashMap<>();
        private final List<byte[]> objects = new ArrayList<>();
        private long address = -1;

        /** Adds a string (once, however often it occurs). */
        void add(String s) {
            if (indexOf.containsKey(s)) {
                return;
            }
            if (objects.size() == MAX_OBJECTS) {
                throw DetrainException.runFailure("more than " + MAX_OBJECTS + " distinct strings in the attributes of"
                        + " one HDF5 file, more than one global heap collection holds; store them as a dataset", null);
            }
            objects.add(s.getBytes(StandardCharsets.UTF_8));
            indexOf.put(s, objects.size()); // object 0 is the free space
        }

        boolean isEmpty() {
            return objects.isEmpty();
        }

        /** Bytes of the collection: header, the objects padded to 8 bytes, the free-space object; at least 4 KiB. */
        long size() {
            long bytes = 16 + OBJECT_HEADER_BYTES; // header and the free-space object's own header
            for (byte[] o : objects) {
                bytes += OBJECT_HEADER_BYTES + padded(o.length);
            }
            return Math.max(MIN_COLLECTION_BYTES, bytes);
        }

        /** Fixes where the collection will be written; attributes can be encoded from then on. */
        void placeAt(long fileAddress) {
            this.address = fileAddress;
        }

        /**
         * The collection: "GCOL", version 1, its size, then objects 1..n (index, reference count 0
         * as the HDF5 library leaves it for attribute strings, size, bytes padded to 8), then the
         * free-space object 0 whose size counts the rest of the collection, its own header included.
         */
        ByteBuffer toBuffer() {
            long size = size();
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
            b.put(COLLECTION_SIGNATURE).put((byte) 1).put(new byte[3]).putLong(size);
            for (int k = 0; k < objects.size(); k++) {
                byte[] o = objects.get(k);
                b.putShort((short) (k + 1)).putShort((short) 0).putInt(0).putLong(o.length).put(o);
                b.position(b.position() + padded(o.length) - o.length);
            }
            b.putShort((short) 0).putShort((short) 0).putInt(0).putLong(size - b.position());
            return b.rewind();
        }

        /** The 16-byte reference to a string: its length in bytes, the collection's address, its index. */
        private void encode(String s, ByteBuffer into) {
            Integer index = indexOf.get(s);
            if (index == null || address < 0) {
                throw new IllegalStateException("string not in the heap, or the heap not placed: " + s);
            }
            into.putInt(objects.get(index - 1).length).putLong(address).putInt(index);
        }

        private static int padded(int length) {
            return (length + 7) & ~7;
        }
    }

    /** An attribute holding a String or String[] as variable-length UTF-8 strings in {@code heap}. */
    static Attribute strings(String name, Node node, Object value, Heap heap) {
        if (!(value instanceof String) && !(value instanceof String[])) {
            throw new IllegalArgumentException("not a string attribute: " + value.getClass());
        }
        return new Prepared(new WritableAttributeImpl(name, node, value), new VariableLengthString(heap));
    }

    /** An attribute holding a Boolean as the enum {FALSE, TRUE} on int8. */
    static Attribute bool(String name, Node node, Boolean value) {
        return new Prepared(new WritableAttributeImpl(name, node, value), new BooleanEnum());
    }

    /** Every string in a String or String[] attribute value, for {@link Heap#add}. */
    static void collect(Object value, Heap heap) {
        if (value instanceof String s) {
            heap.add(s);
        } else if (value instanceof String[] a) {
            for (String s : a) {
                heap.add(s);
            }
        }
    }

    /**
     * Whether a datatype read back by jHDF is the boolean enum this class writes (jHDF then gives
     * the member names, "TRUE"/"FALSE", which the reader turns back into booleans).
     */
    static boolean isBooleanEnum(DataType type) {
        if (!(type instanceof io.jhdf.object.datatype.EnumDataType e)) {
            return false;
        }
        Map<Integer, String> mapping = e.getEnumMapping();
        return mapping.size() == 2 && "FALSE".equals(mapping.get(0)) && "TRUE".equals(mapping.get(1));
    }

    /** jHDF's own attribute for the value's dataspace, with another datatype. */
    private static final class Prepared implements Attribute {
        private final WritableAttributeImpl plain;
        private final DataType type;

        Prepared(WritableAttributeImpl plain, DataType type) {
            this.plain = plain;
            this.type = type;
        }

        @Override
        public Node getNode() {
            return plain.getNode();
        }

        @Override
        public String getName() {
            return plain.getName();
        }

        @Override
        public long getSize() {
            return plain.getSize();
        }

        @Override
        public long getSizeInBytes() {
            return plain.getSize() * type.getSize();
        }

        @Override
        public int[] getDimensions() {
            return plain.getDimensions();
        }

        @Override
        public long[] getDimensionsAsLong() {
            return plain.getDimensionsAsLong();
        }

        @Override
        public Object getData() {
            return plain.getData();
        }

        @Override
        public Class<?> getJavaType() {
            return plain.getJavaType();
        }

        @Override
        public boolean isScalar() {
            return plain.isScalar();
        }

        @Override
        public boolean isEmpty() {
            return plain.isEmpty();
        }

        @Override
        public ByteBuffer getBuffer() {
            return type.encodeData(plain.getData());
        }

        @Override
        public DataSpace getDataSpace() {
            return plain.getDataSpace();
        }

        @Override
        public DataType getDataType() {
            return type;
        }
    }

    /** Datatype class 9 (variable length), type string, null-terminated, UTF-8, on unsigned 8-bit characters. */
    private static final class VariableLengthString extends DataType {
        private static final int CLASS = 9;
        private final Heap heap;

        VariableLengthString(Heap heap) {
            super(CLASS, 16);
            this.heap = heap;
        }

        @Override
        public ByteBuffer toBuffer() {
            return new BufferBuilder()
                    .writeByte(0x10 | CLASS) // version 1, class 9
                    .writeByte(0x01)         // type 1: string; padding 0: null-terminated
                    .writeByte(0x01)         // character set 1: UTF-8
                    .writeByte(0x00)
                    .writeInt(16)            // length (4), heap address (8), object index (4)
                    .writeBuffer(unsignedByte())
                    .build();
        }

        @Override
        public ByteBuffer encodeData(Object data) {
            String[] values = data instanceof String s ? new String[] {s} : (String[]) data;
            ByteBuffer b = ByteBuffer.allocate(16 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (String v : values) {
                heap.encode(v, b);
            }
            return b.rewind();
        }

        @Override
        public Class<?> getJavaType() {
            return String.class;
        }

        @Override
        public Object fillData(ByteBuffer buffer, int[] dimensions, HdfBackingStorage storage) {
            throw new UnsupportedOperationException("written only; jHDF reads variable-length strings itself");
        }
    }

    /** Datatype class 8 (enum), version 3, on signed 8-bit integers: FALSE = 0, TRUE = 1 (h5py's boolean). */
    private static final class BooleanEnum extends DataType {
        private static final int CLASS = 8;

        BooleanEnum() {
            super(CLASS, 1);
        }

        @Override
        public ByteBuffer toBuffer() {
            return new BufferBuilder()
                    .writeByte(0x30 | CLASS) // version 3, class 8
                    .writeShort(2)           // two members
                    .writeByte(0x00)
                    .writeInt(1)             // one byte per value
                    .writeBytes(new byte[] {0x10, 0x08, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0}) // base: signed 8-bit
                    .writeBytes("FALSE\0TRUE\0".getBytes(StandardCharsets.US_ASCII))  // names (version 3: unpadded)
                    .writeBytes(new byte[] {0, 1})                                    // values
                    .build();
        }

        @Override
        public ByteBuffer encodeData(Object data) {
            return ByteBuffer.wrap(new byte[] {(byte) (((Boolean) data) ? 1 : 0)});
        }

        @Override
        public Class<?> getJavaType() {
            return Boolean.class;
        }

        @Override
        public Object fillData(ByteBuffer buffer, int[] dimensions, HdfBackingStorage storage) {
            throw new UnsupportedOperationException("written only; jHDF reads enums itself");
        }
    }

    /** Fixed-point, version 1, little-endian, unsigned, 1 byte, offset 0, precision 8: the characters of a string. */
    private static ByteBuffer unsignedByte() {
        return ByteBuffer.wrap(new byte[] {0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0});
    }
}
