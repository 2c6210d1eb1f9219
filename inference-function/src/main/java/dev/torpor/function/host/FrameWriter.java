package dev.torpor.function.host;

import dev.torpor.function.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A growable little-endian buffer that becomes one {@link Frame}: {@link Wire} composes every message with it.
 * Strings are {@code int32 length + UTF-8} ({@code -1} for null). A tensor is its name, its datatype's
 * {@linkplain WireCodes#code(dev.torpor.store.DataType) wire code} ({@code int8}), {@code int32} rank,
 * {@code int64} dimensions, then its elements: fixed-size types packed, BOOL one byte each, BYTES an
 * {@code int32} length and UTF-8 per element. Not thread-safe: one writer builds one frame.
 */
public final class FrameWriter {
    private ByteBuffer buffer;

    /** @param initialCapacity a guess of the payload's size in bytes; the buffer grows as needed */
    public FrameWriter(int initialCapacity) {
        buffer = ByteBuffer.allocate(Math.max(64, initialCapacity)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(4 + Frame.HEADER);
    }

    private ByteBuffer room(int bytes) {
        if (buffer.remaining() < bytes) {
            long wanted = Math.max((long) buffer.capacity() * 2, (long) buffer.position() + bytes);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("a frame cannot exceed 2 GiB");
            }
            ByteBuffer bigger = ByteBuffer.allocate((int) wanted).order(ByteOrder.LITTLE_ENDIAN);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
        return buffer;
    }

    public FrameWriter i8(int value) {
        room(1).put((byte) value);
        return this;
    }

    public FrameWriter i32(int value) {
        room(4).putInt(value);
        return this;
    }

    public FrameWriter i64(long value) {
        room(8).putLong(value);
        return this;
    }

    public FrameWriter str(String value) {
        if (value == null) {
            return i32(-1);
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        room(4 + bytes.length).putInt(bytes.length).put(bytes);
        return this;
    }

    /** {@code length} raw bytes of {@code bytes} from {@code from} (the caller writes their count, if needed). */
    public FrameWriter bytes(byte[] bytes, int from, int length) {
        room(length).put(bytes, from, length);
        return this;
    }

    /** A datatype code, a rank and the dimensions: what a tensor and a signature entry share. */
    FrameWriter typeAndShape(dev.torpor.store.DataType type, long[] shape) {
        i8(WireCodes.code(type));
        i32(shape.length);
        for (long dim : shape) {
            i64(dim);
        }
        return this;
    }

    public FrameWriter tensor(Tensor tensor) {
        str(tensor.name());
        typeAndShape(tensor.datatype(), tensor.shape());
        Object data = tensor.data();
        int n = tensor.size();
        switch (tensor.datatype()) {
            case FP32 -> {
                ByteBuffer b = room(n * 4);
                b.asFloatBuffer().put((float[]) data);
                b.position(b.position() + n * 4);
            }
            case FP64 -> {
                ByteBuffer b = room(n * 8);
                b.asDoubleBuffer().put((double[]) data);
                b.position(b.position() + n * 8);
            }
            case INT64, UINT64 -> {
                ByteBuffer b = room(n * 8);
                b.asLongBuffer().put((long[]) data);
                b.position(b.position() + n * 8);
            }
            case INT32, UINT32 -> {
                ByteBuffer b = room(n * 4);
                b.asIntBuffer().put((int[]) data);
                b.position(b.position() + n * 4);
            }
            case INT16, UINT16, FP16 -> {
                ByteBuffer b = room(n * 2);
                b.asShortBuffer().put((short[]) data);
                b.position(b.position() + n * 2);
            }
            case INT8, UINT8 -> room(n).put((byte[]) data);
            case BOOL -> {
                ByteBuffer b = room(n);
                for (boolean value : (boolean[]) data) {
                    b.put((byte) (value ? 1 : 0));
                }
            }
            case BYTES -> {
                for (String value : (String[]) data) {
                    str(value);
                }
            }
        }
        return this;
    }

    /** The finished frame, ready to write: length, type, id, payload. The writer is spent. */
    public ByteBuffer frame(byte type, long id) {
        ByteBuffer b = buffer;
        int end = b.position();
        b.putInt(0, end - 4).put(4, type).putLong(5, id);
        b.position(0).limit(end);
        return b;
    }
}
