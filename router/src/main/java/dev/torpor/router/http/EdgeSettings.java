package dev.torpor.router.http;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The router settings the HTTP edge's controllers read, given to them by the router's configuration (so that this
 * package does not depend on the package that wires it). Immutable.
 *
 * @param maxUploadMb the publish size limit in MiB ({@code TORPOR_MAX_UPLOAD_MB}, at least 1)
 * @param modelsDir   the model store's directory, which readiness checks is usable
 */
public record EdgeSettings(long maxUploadMb, Path modelsDir) {

    public EdgeSettings {
        if (maxUploadMb < 1) {
            throw new IllegalArgumentException("TORPOR_MAX_UPLOAD_MB must be at least 1, got " + maxUploadMb);
        }
        Objects.requireNonNull(modelsDir, "modelsDir");
    }

    public long maxUploadBytes() {
        return maxUploadMb * 1024 * 1024;
    }

    /** The publish limit as a refusal names it. */
    public String uploadLimitName() {
        return maxUploadMb + " MB publish limit (TORPOR_MAX_UPLOAD_MB)";
    }
}
