package dev.torpor.store;

/**
 * The Open Inference Protocol tensor datatypes. Names are the protocol's own ({@code FP32}, {@code BYTES}, …).
 * Whether an engine can exchange a datatype with Java is the engine's business: see the backends.
 */
public enum DataType {
    BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8), INT8(1), INT16(2), INT32(4), INT64(8),
    FP16(2), FP32(4), FP64(8),
    /** Variable-length byte strings; Torpor exchanges them as UTF-8 strings. Size 0: not fixed. */
    BYTES(0);

    private final int byteSize;

    DataType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element, or 0 for {@link #BYTES}, whose elements vary in size. */
    public int byteSize() {
        return byteSize;
    }

    /** Parses a protocol datatype name, case-sensitively as the protocol spells it; null when unknown. */
    public static DataType fromProtocolName(String name) {
        if (name == null) {
            return null;
        }
        for (DataType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
