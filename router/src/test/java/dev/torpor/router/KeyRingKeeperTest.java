package dev.torpor.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyRingKeeperTest {

    @Test
    void onlyLoopbackAddressesCountAsLocalForTheAuthOffWarning() {
        assertThat(KeyRingKeeper.isLoopback("127.0.0.1")).isTrue();
        assertThat(KeyRingKeeper.isLoopback("::1")).isTrue();
        assertThat(KeyRingKeeper.isLoopback("localhost")).isTrue();
        assertThat(KeyRingKeeper.isLoopback("0.0.0.0")).isFalse();
        assertThat(KeyRingKeeper.isLoopback("")).as("no host: every interface").isFalse();
        assertThat(KeyRingKeeper.isLoopback(null)).isFalse();
        assertThat(KeyRingKeeper.isLoopback("no-such-host.invalid")).isFalse();
    }
}
