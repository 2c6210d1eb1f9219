package dev.torpor.router;

import static dev.torpor.router.config.SettingChecks.between;

import dev.torpor.function.json.DecodeLimits;
import dev.torpor.store.ArchiveLimits;
import io.micronaut.context.annotation.ConfigurationInject;
import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * The limits on what a client may send and make Torpor build, besides the body sizes in {@link TorporSettings}:
 * what the infer decoder accepts, how large a model's answer may be, and what a published archive may unpack
 * to. Each is bound from its {@code torpor.*} property, whose default and {@code TORPOR_*} variable
 * {@code application.yml} names (docs/SECURITY.md lists them); a bad value stops start-up with a message naming
 * the variable. Immutable.
 *
 * @param decode      what one infer request may hold (TORPOR_MAX_REQUEST_ELEMENTS, …)
 * @param maxOutputMb what one run's outputs may take together (TORPOR_MAX_OUTPUT_MB)
 * @param archive     what one published archive may unpack to (TORPOR_ARCHIVE_MAX_ENTRIES, …)
 */
@ConfigurationProperties("torpor")
public record InputLimitSettings(DecodeLimits decode, long maxOutputMb, ArchiveLimits archive) {
    /**
     * The largest output limit: a JSON answer takes up to ~4× its tensors' bytes (a float as text), and it
     * must stay below one Java array (2 GiB).
     */
    static final long MAX_OUTPUT_MB = 256;

    public InputLimitSettings {
        between("TORPOR_MAX_OUTPUT_MB", maxOutputMb, 1, MAX_OUTPUT_MB);
    }

    /** Binds the limits, naming the variable of any value out of range. */
    @ConfigurationInject
    InputLimitSettings(long maxRequestElements, int maxRequestInputs, int maxRequestOutputs, int maxShapeRank,
                       int maxJsonDepth, int maxBytesElementLength, long maxRequestBytesDataMb, long maxOutputMb,
                       int archiveMaxEntries, long archiveMaxUnpackedMb) {
        this(decodeLimits(maxRequestElements, maxRequestInputs, maxRequestOutputs, maxShapeRank, maxJsonDepth,
                maxBytesElementLength, maxRequestBytesDataMb), maxOutputMb,
                archiveLimits(archiveMaxEntries, archiveMaxUnpackedMb));
    }

    private static DecodeLimits decodeLimits(long maxElements, int maxInputs, int maxOutputs, int maxRank,
                                             int maxJsonDepth, int maxBytesElementLength, long maxBytesDataMb) {
        between("TORPOR_MAX_REQUEST_ELEMENTS", maxElements, 1, DecodeLimits.MAX_ARRAY_LENGTH);
        between("TORPOR_MAX_REQUEST_INPUTS", maxInputs, 1, Integer.MAX_VALUE);
        between("TORPOR_MAX_REQUEST_OUTPUTS", maxOutputs, 0, Integer.MAX_VALUE);
        between("TORPOR_MAX_SHAPE_RANK", maxRank, 0, Integer.MAX_VALUE);
        // The request's own structure (root object, inputs array, input object, shape array) needs depth 4.
        between("TORPOR_MAX_JSON_DEPTH", maxJsonDepth, 4, 10_000);
        between("TORPOR_MAX_BYTES_ELEMENT_LENGTH", maxBytesElementLength, 0, Integer.MAX_VALUE - 1);
        between("TORPOR_MAX_REQUEST_BYTES_DATA_MB", maxBytesDataMb, 1, 2047);
        return new DecodeLimits(maxElements, maxInputs, maxRank, maxJsonDepth, maxBytesElementLength, maxOutputs,
                maxBytesDataMb * 1024 * 1024);
    }

    private static ArchiveLimits archiveLimits(int maxEntries, long maxUnpackedMb) {
        between("TORPOR_ARCHIVE_MAX_ENTRIES", maxEntries, 1, Integer.MAX_VALUE);
        between("TORPOR_ARCHIVE_MAX_UNPACKED_MB", maxUnpackedMb, 1, Long.MAX_VALUE / (1024 * 1024));
        return new ArchiveLimits(maxEntries, maxUnpackedMb * 1024 * 1024);
    }

    public long maxOutputBytes() {
        return maxOutputMb * 1024 * 1024;
    }
}
