package dev.torpor.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.function.json.DecodeLimits;
import dev.torpor.store.ArchiveLimits;
import org.junit.jupiter.api.Test;

class InputLimitSettingsTest {

    @Test
    void theDocumentedDefaultsBindToTheDecoderAndArchiveLimits() {
        InputLimitSettings limits = new InputLimitSettings(64_000_000, 256, 256, 16, 32, 1_048_576, 16, 64, 1000, 4096);
        assertThat(limits.decode()).isEqualTo(new DecodeLimits(64_000_000, 256, 16, 32, 1_048_576, 256, 16L << 20));
        assertThat(limits.archive()).isEqualTo(new ArchiveLimits(1000, 4096L << 20));
        assertThat(limits.maxOutputBytes()).isEqualTo(64L << 20);
    }

    @Test
    void aValueOutOfRangeIsRefusedNamingItsVariable() {
        assertThatThrownBy(() -> new InputLimitSettings(0, 256, 256, 16, 32, 1, 16, 64, 1000, 4096))
                .hasMessageStartingWith("TORPOR_MAX_REQUEST_ELEMENTS must be between 1 and ");
        assertThatThrownBy(() -> new InputLimitSettings(1, 0, 256, 16, 32, 1, 16, 64, 1000, 4096))
                .hasMessageStartingWith("TORPOR_MAX_REQUEST_INPUTS must be between 1 and ");
        assertThatThrownBy(() -> new InputLimitSettings(1, 1, -1, 16, 32, 1, 16, 64, 1000, 4096))
                .hasMessageStartingWith("TORPOR_MAX_REQUEST_OUTPUTS must be between 0 and ");
        assertThatThrownBy(() -> new InputLimitSettings(1, 1, 1, 16, 3, 1, 16, 64, 1000, 4096))
                .hasMessage("TORPOR_MAX_JSON_DEPTH must be between 4 and 10000, got 3");
        assertThatThrownBy(() -> new InputLimitSettings(1, 1, 1, 16, 32, 1, 2048, 64, 1000, 4096))
                .hasMessage("TORPOR_MAX_REQUEST_BYTES_DATA_MB must be between 1 and 2047, got 2048");
        assertThatThrownBy(() -> new InputLimitSettings(1, 1, 1, 16, 32, 1, 16, 257, 1000, 4096))
                .hasMessage("TORPOR_MAX_OUTPUT_MB must be between 1 and 256, got 257");
        assertThatThrownBy(() -> new InputLimitSettings(1, 1, 1, 16, 32, 1, 16, 64, 0, 4096))
                .hasMessageStartingWith("TORPOR_ARCHIVE_MAX_ENTRIES must be between 1 and ");
        assertThatThrownBy(() -> new InputLimitSettings(1, 1, 1, 16, 32, 1, 16, 64, 1, 0))
                .hasMessageStartingWith("TORPOR_ARCHIVE_MAX_UNPACKED_MB must be between 1 and ");
    }
}
