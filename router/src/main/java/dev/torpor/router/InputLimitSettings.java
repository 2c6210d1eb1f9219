package dev.torpor.router;

import dev.torpor.function.json.DecodeLimits;
import dev.torpor.store.ArchiveLimits;

/**
 * The limits on what a client may send and make Torpor build, besides the body sizes in {@link TorporSettings}:
 * what the infer decoder accepts, how large a model's answer may be, and what a published archive may unpack
 * to. Each comes from its {@code torpor.*} property or {@code TORPOR_*} variable (docs/SECURITY.md lists them);
 * a bad value stops start-up with a message naming the variable.
 *
 * @param decode      what one infer request may hold (TORPOR_MAX_REQUEST_ELEMENTS, …)
 * @param maxOutputMb what one run's outputs may take together (TORPOR_MAX_OUTPUT_MB)
 * @param archive     what one published archive may unpack to (TORPOR_ARCHIVE_MAX_ENTRIES, …)
 */
public record InputLimitSettings(DecodeLimits decode, long maxOutputMb, ArchiveLimits archive) {
    /**
     * The largest output limit: a JSON answer takes up to ~4× its tensors' bytes (a float as text), and it
     * must stay below one Java array (2 GiB).
     */
    static final long MAX_OUTPUT_MB = 256;

    public InputLimitSettings {
        if (maxOutputMb < 1 || maxOutputMb > MAX_OUTPUT_MB) {
            throw new IllegalArgumentException("TORPOR_MAX_OUTPUT_MB must be between 1 and " + MAX_OUTPUT_MB + ", got "
                    + maxOutputMb);
        }
    }

    /** Builds the limits, naming the variable of any value out of range. */
    static InputLimitSettings of(long maxElements, int maxInputs, int maxOutputs, int maxRank, int maxJsonDepth,
                                 int maxBytesElementLength, long maxBytesDataMb, long maxOutputMb,
                                 int archiveMaxEntries, long archiveMaxUnpackedMb) {
        atLeast("TORPOR_MAX_REQUEST_ELEMENTS", maxElements, 1, DecodeLimits.MAX_ARRAY_LENGTH);
        atLeast("TORPOR_MAX_REQUEST_INPUTS", maxInputs, 1, Integer.MAX_VALUE);
        atLeast("TORPOR_MAX_REQUEST_OUTPUTS", maxOutputs, 0, Integer.MAX_VALUE);
        atLeast("TORPOR_MAX_SHAPE_RANK", maxRank, 0, Integer.MAX_VALUE);
        // The request's own structure (root object, inputs array, input object, shape array) needs depth 4.
        atLeast("TORPOR_MAX_JSON_DEPTH", maxJsonDepth, 4, 10_000);
        atLeast("TORPOR_MAX_BYTES_ELEMENT_LENGTH", maxBytesElementLength, 0, Integer.MAX_VALUE - 1);
        atLeast("TORPOR_MAX_REQUEST_BYTES_DATA_MB", maxBytesDataMb, 1, 2047);
        atLeast("TORPOR_ARCHIVE_MAX_ENTRIES", archiveMaxEntries, 1, Integer.MAX_VALUE);
        atLeast("TORPOR_ARCHIVE_MAX_UNPACKED_MB", archiveMaxUnpackedMb, 1, Long.MAX_VALUE / (1024 * 1024));
        return new InputLimitSettings(new DecodeLimits(maxElements, maxInputs, maxRank, maxJsonDepth,
                maxBytesElementLength, maxOutputs, maxBytesDataMb * 1024 * 1024), maxOutputMb,
                new ArchiveLimits(archiveMaxEntries, archiveMaxUnpackedMb * 1024 * 1024));
    }

    public long maxOutputBytes() {
        return maxOutputMb * 1024 * 1024;
    }

    private static void atLeast(String variable, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(variable + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
