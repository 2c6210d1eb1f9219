package dev.torpor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchiveLimitsTest {

    @Test
    void defaultsAreAThousandEntriesAndFourGibibytes() {
        assertThat(ArchiveLimits.defaults()).isEqualTo(new ArchiveLimits(1000, 4L * 1024 * 1024 * 1024));
    }

    @Test
    void limitsBelowOneAreRefused() {
        assertThatThrownBy(() -> new ArchiveLimits(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEntries");
        assertThatThrownBy(() -> new ArchiveLimits(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxUnpackedBytes");
    }
}
