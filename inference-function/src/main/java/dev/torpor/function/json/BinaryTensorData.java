package dev.torpor.function.json;

import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Tensor elements in the binary tensor data extension's layout (Triton's {@code binary_tensor_data}):
 * little-endian, row-major, no padding, each element in its datatype's native size; BOOL one byte (0 or 1);
 * BYTES each element a 4-byte little-endian unsigned length followed by that many bytes (UTF-8 here, since
 * a {@link Tensor} holds BYTES as strings).
 *
 * <p>Reading checks every size against the data before allocating: a fixed-size datatype needs exactly
 * {@code elements × element size} bytes; BYTES needs its elements to fill the given bytes exactly.
 */
public final class BinaryTensorData {
    private BinaryTensorData() {
    }

    /** Bytes per element, or -1 for BYTES (variable). */
    public static int elementSize(DataType type) {
        return switch (type) {
            case BOOL, INT8, UINT8 -> 1;
            case INT16, UINT16, FP16 -> 2;
            case INT32, UINT32, FP32 -> 4;
            case INT64, UINT64, FP64 -> 8;
            case BYTES -> -1;
        };
    }

    /** The size of {@code tensor}'s elements in the binary layout. */
    public static long byteSize(Tensor tensor) {
        int size = elementSize(tensor.datatype());
        if (size > 0) {
            return (long) size * tensor.size();
        }
        long total = 0;
        for (String value : (String[]) tensor.data()) {
            total += 4 + value.getBytes(StandardCharsets.UTF_8).length;
        }
        return total;
    }

    /** Writes {@code tensor}'s elements into {@code out} at its position (the buffer's order is ignored). */
    public static void write(Tensor tensor, ByteBuffer out) {
        ByteBuffer le = out.order(ByteOrder.LITTLE_ENDIAN);
        Object data = tensor.data();
        switch (tensor.datatype()) {
            case BOOL -> {
                for (boolean value : (boolean[]) data) {
                    le.put((byte) (value ? 1 : 0));
                }
            }
            case INT8, UINT8 -> le.put((byte[]) data);
            case INT16, UINT16, FP16 -> le.asShortBuffer().put((short[]) data);
            case INT32, UINT32 -> le.asIntBuffer().put((int[]) data);
            case INT64, UINT64 -> le.asLongBuffer().put((long[]) data);
            case FP32 -> le.asFloatBuffer().put((float[]) data);
            case FP64 -> le.asDoubleBuffer().put((double[]) data);
            case BYTES -> {
                for (String value : (String[]) data) {
                    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                    le.putInt(bytes.length);
                    le.put(bytes);
                }
            }
        }
        // The typed views above write without moving the byte buffer's position.
        int size = elementSize(tensor.datatype());
        if (size > 1) {
            le.position(le.position() + size * tensor.size());
        }
    }

    /** {@code tensor}'s elements as a fresh byte array in the binary layout. */
    public static byte[] toBytes(Tensor tensor) {
        long size = byteSize(tensor);
        if (size > DecodeLimits.MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("tensor " + tensor.name() + " has more than 2 GiB of binary data");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        write(tensor, out);
        return out.array();
    }

    /**
     * Reads {@code count} elements of {@code type} from {@code length} bytes of {@code body} at {@code offset}.
     *
     * @param label names the tensor in messages, e.g. "input 'x'"
     * @throws BadRequest when the bytes do not hold exactly {@code count} elements
     * @throws PayloadTooLarge for a BYTES element longer than {@code maxBytesElementLength}
     */
    public static Object read(byte[] body, int offset, int length, DataType type, int count, String label,
                              int maxBytesElementLength) {
        int size = elementSize(type);
        if (size > 0 && (long) size * count != length) {
            throw new BadRequest("binary_data_size of " + label + " is " + length + " bytes, but its shape holds "
                    + count + " " + type + " elements of " + size + " byte" + (size == 1 ? "" : "s") + " ("
                    + (long) size * count + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(body, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        return switch (type) {
            case BOOL -> {
                boolean[] values = new boolean[count];
                for (int i = 0; i < count; i++) {
                    byte b = in.get();
                    if (b != 0 && b != 1) {
                        throw new BadRequest("element " + i + " of BOOL " + label + " is byte " + (b & 0xFF)
                                + "; binary BOOL elements are 0 or 1");
                    }
                    values[i] = b == 1;
                }
                yield values;
            }
            case INT8, UINT8 -> {
                byte[] values = new byte[count];
                in.get(values);
                yield values;
            }
            case INT16, UINT16, FP16 -> {
                short[] values = new short[count];
                in.asShortBuffer().get(values);
                yield values;
            }
            case INT32, UINT32 -> {
                int[] values = new int[count];
                in.asIntBuffer().get(values);
                yield values;
            }
            case INT64, UINT64 -> {
                long[] values = new long[count];
                in.asLongBuffer().get(values);
                yield values;
            }
            case FP32 -> {
                float[] values = new float[count];
                in.asFloatBuffer().get(values);
                yield values;
            }
            case FP64 -> {
                double[] values = new double[count];
                in.asDoubleBuffer().get(values);
                yield values;
            }
            case BYTES -> readBytes(in, count, label, maxBytesElementLength);
        };
    }

    private static String[] readBytes(ByteBuffer in, int count, String label, int maxElementLength) {
        // Every element needs at least its 4-byte length: refuse an impossible count before allocating.
        if ((long) count * 4 > in.remaining()) {
            throw new BadRequest("binary_data_size of BYTES " + label + " is " + in.remaining()
                    + " bytes, too few for " + count + " elements (each needs a 4-byte length)");
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            if (in.remaining() < 4) {
                throw new BadRequest("BYTES " + label + " ends inside the length of element " + i);
            }
            long length = in.getInt() & 0xFFFF_FFFFL;
            if (length > maxElementLength) {
                throw new PayloadTooLarge("element " + i + " of BYTES " + label + " is " + length
                        + " bytes, over " + DecodeLimits.describe("maxBytesElementLength", maxElementLength));
            }
            if (length > in.remaining()) {
                throw new BadRequest("element " + i + " of BYTES " + label + " claims " + length + " bytes, but only "
                        + in.remaining() + " remain in its binary data");
            }
            ByteBuffer element = in.slice().limit((int) length);
            try {
                CharBuffer text = utf8.decode(element);
                values[i] = text.toString();
            } catch (CharacterCodingException notUtf8) {
                throw new BadRequest("element " + i + " of BYTES " + label + " is not valid UTF-8");
            }
            in.position(in.position() + (int) length);
        }
        if (in.hasRemaining()) {
            throw new BadRequest("binary_data_size of BYTES " + label + " leaves " + in.remaining()
                    + " bytes after its " + count + " elements");
        }
        return values;
    }
}
