package dev.torpor.function.json;

/**
 * Size limits the request decoder enforces before it allocates anything for a tensor. Exceeding one answers
 * 413 ({@link dev.torpor.error.PayloadTooLarge}) with a message naming the limit by the component name
 * used here, so an operator can find the setting.
 *
 * @param maxElementsPerRequest  elements across all inputs of one request
 * @param maxInputs              input tensors in one request
 * @param maxRank                dimensions of one input's shape
 * @param maxNestingDepth        nesting of JSON arrays and objects anywhere in the body (the root object is 1)
 * @param maxBytesElementLength  UTF-8 bytes of one BYTES element
 */
public record DecodeLimits(long maxElementsPerRequest, int maxInputs, int maxRank, int maxNestingDepth,
                           int maxBytesElementLength) {

    /**
     * The largest Java array the decoder may allocate. JVMs refuse arrays a few elements short of
     * {@code Integer.MAX_VALUE}, so one tensor can never exceed this, whatever the limits say.
     */
    public static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    /** 64 M elements (256 MiB of FP32), 256 inputs, rank 16, depth 32, 1 MiB per BYTES element. */
    public static final DecodeLimits DEFAULTS = new DecodeLimits(64_000_000L, 256, 16, 32, 1 << 20);

    public DecodeLimits {
        if (maxElementsPerRequest < 1 || maxElementsPerRequest > MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("maxElementsPerRequest must be between 1 and " + MAX_ARRAY_LENGTH
                    + ", not " + maxElementsPerRequest);
        }
        if (maxInputs < 1) {
            throw new IllegalArgumentException("maxInputs must be at least 1, not " + maxInputs);
        }
        if (maxRank < 0) {
            throw new IllegalArgumentException("maxRank must not be negative, not " + maxRank);
        }
        // The request's own structure (root, inputs array, input object, shape array) needs depth 4.
        if (maxNestingDepth < 4) {
            throw new IllegalArgumentException("maxNestingDepth must be at least 4, not " + maxNestingDepth);
        }
        if (maxBytesElementLength < 0) {
            throw new IllegalArgumentException("maxBytesElementLength must not be negative, not "
                    + maxBytesElementLength);
        }
    }
}
