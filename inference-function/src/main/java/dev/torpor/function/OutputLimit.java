package dev.torpor.function;

import dev.torpor.error.PayloadTooLarge;
import dev.torpor.store.DataType;
import java.util.Arrays;

/**
 * What one run's outputs may take together once copied out of the engine's native memory into Java arrays
 * ({@link RuntimeOptions#maxOutputBytes()}, the router's {@code TORPOR_MAX_OUTPUT_MB}). Sessions reserve each
 * output from its shape and datatype <em>before</em> copying it, so a model whose answer is too large (a
 * request that makes a Tile or an Expand blow up, say) costs a 413 naming the limit, not the heap. A BYTES
 * element is counted as 4 bytes here, its length in the binary layout; its text is counted once it is read.
 * One instance serves one run.
 */
public final class OutputLimit {
    private final long maxBytes;
    private long reserved;

    public OutputLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Reserves output {@code name}'s elements.
     *
     * @throws PayloadTooLarge when the run's outputs would pass the limit (or one Java array's size)
     */
    public void reserve(String name, DataType type, long[] shape) {
        long count = Tensor.elementCount(shape);
        String what = "output '" + name + "' (" + type + " " + Arrays.toString(shape) + ")";
        // A Java array holds fewer than 2^31 elements, whatever the limit says.
        if (count < 0 || count > Integer.MAX_VALUE - 8) {
            throw new PayloadTooLarge("the model's answer is larger than Java can hold: " + what
                    + " has more than 2^31 elements (output limit " + describe(maxBytes) + ", TORPOR_MAX_OUTPUT_MB)");
        }
        reserveBytes(count * (type == DataType.BYTES ? 4 : type.byteSize()), what);
    }

    /** Reserves {@code bytes} more for {@code what}, e.g. the text of a BYTES output once it is read. */
    public void reserveBytes(long bytes, String what) {
        if (bytes > maxBytes - reserved) {
            throw new PayloadTooLarge("the model's answer is larger than the output limit of " + describe(maxBytes)
                    + " (TORPOR_MAX_OUTPUT_MB): " + what + " needs " + bytes + " bytes" + (reserved > 0 ? " beyond the " + reserved + " before it" : ""));
        }
        reserved += bytes;
    }

    private static String describe(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MB" : bytes + " bytes";
    }
}
