package dev.torpor.function.json;

/**
 * Size limits the request decoder enforces before it allocates anything for a tensor. Exceeding one answers
 * 413 ({@link dev.torpor.error.PayloadTooLarge}) with a message naming the limit by the component name
 * used here and by the router's setting ({@link #describe}), so an operator can find and change it.
 *
 * @param maxElementsPerRequest  elements across all inputs of one request
 * @param maxInputs              input tensors in one request
 * @param maxRank                dimensions of one input's shape
 * @param maxNestingDepth        nesting of JSON arrays and objects anywhere in the body (the root object is 1)
 * @param maxBytesElementLength  UTF-8 bytes of one BYTES element
 * @param maxOutputs             outputs a request may name in its {@code outputs}
 * @param maxBytesPerRequest     bytes of all BYTES elements of one request together, each counted as its UTF-8
 *                               length plus 4 (the binary layout's length prefix), so that a flood of tiny
 *                               strings, each costing a Java object, is bounded too
 */
public record DecodeLimits(long maxElementsPerRequest, int maxInputs, int maxRank, int maxNestingDepth,
                           int maxBytesElementLength, int maxOutputs, long maxBytesPerRequest) {

    /**
     * The largest Java array the decoder may allocate. JVMs refuse arrays a few elements short of
     * {@code Integer.MAX_VALUE}, so one tensor can never exceed this, whatever the limits say.
     */
    public static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    public static final int DEFAULT_MAX_OUTPUTS = 256;
    public static final long DEFAULT_MAX_BYTES_PER_REQUEST = 16L << 20;

    /**
     * 64 M elements (256 MiB of FP32), 256 inputs, rank 16, depth 32, 1 MiB per BYTES element, 256 outputs,
     * 16 MiB of BYTES elements.
     */
    public static final DecodeLimits DEFAULTS = new DecodeLimits(64_000_000L, 256, 16, 32, 1 << 20);

    /** Limits with the default {@code maxOutputs} and {@code maxBytesPerRequest}. */
    public DecodeLimits(long maxElementsPerRequest, int maxInputs, int maxRank, int maxNestingDepth,
                        int maxBytesElementLength) {
        this(maxElementsPerRequest, maxInputs, maxRank, maxNestingDepth, maxBytesElementLength, DEFAULT_MAX_OUTPUTS,
                DEFAULT_MAX_BYTES_PER_REQUEST);
    }

    /**
     * How a message names a limit: its component, its value and the router's setting that changes it, e.g.
     * {@code maxInputs (256, TORPOR_MAX_REQUEST_INPUTS)}.
     */
    static String describe(String component, long value) {
        String setting = switch (component) {
            case "maxElementsPerRequest" -> "TORPOR_MAX_REQUEST_ELEMENTS";
            case "maxInputs" -> "TORPOR_MAX_REQUEST_INPUTS";
            case "maxOutputs" -> "TORPOR_MAX_REQUEST_OUTPUTS";
            case "maxRank" -> "TORPOR_MAX_SHAPE_RANK";
            case "maxNestingDepth" -> "TORPOR_MAX_JSON_DEPTH";
            case "maxBytesElementLength" -> "TORPOR_MAX_BYTES_ELEMENT_LENGTH";
            case "maxBytesPerRequest" -> "TORPOR_MAX_REQUEST_BYTES_DATA_MB";
            default -> throw new IllegalArgumentException("no limit " + component);
        };
        return component + " (" + value + ", " + setting + ")";
    }

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
        if (maxOutputs < 0) {
            throw new IllegalArgumentException("maxOutputs must not be negative, not " + maxOutputs);
        }
        if (maxBytesPerRequest < 0) {
            throw new IllegalArgumentException("maxBytesPerRequest must not be negative, not " + maxBytesPerRequest);
        }
    }
}
