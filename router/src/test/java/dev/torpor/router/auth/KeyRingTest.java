package dev.torpor.router.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.Unauthenticated;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyRingTest {
    private final String key = ApiKeyFormat.newKey();
    private final KeyRing ring = new KeyRing();

    KeyRingTest() {
        ring.replace(List.of(new StoredKey("key_1", ApiKeyFormat.hash(key), Role.PUBLISHER, "team-a", Instant.EPOCH,
                null)));
    }

    @Test
    void aKnownBearerKeyAuthenticatesAsItsRoleAndTenant() {
        assertThat(ring.authenticate("Bearer " + key)).isEqualTo(new Caller("key_1", Role.PUBLISHER, "team-a"));
        assertThat(ring.authenticate("bearer " + key + "  ")).isEqualTo(new Caller("key_1", Role.PUBLISHER, "team-a"));
    }

    @Test
    void keysAreFreshlyRandomAndOnlyTheirHashIsComparable() {
        String other = ApiKeyFormat.newKey();
        assertThat(other).isNotEqualTo(key).startsWith("tpk_").hasSize(47);
        assertThat(ApiKeyFormat.wellFormed(other)).isTrue();
        assertThat(ApiKeyFormat.hash(other)).hasSize(64).isNotEqualTo(ApiKeyFormat.hash(key));
        assertThatThrownBy(() -> ring.authenticate("Bearer " + other)).isInstanceOf(Unauthenticated.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token tpk_x", "Bearer tpk_short",
            "Bearer tpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Bearer tpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!",
            "Bearer \u0000\u0001", "BearerX tpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void missingMalformedOrUnknownKeysAre401WithoutEchoingThem(String header) {
        assertThatThrownBy(() -> ring.authenticate(header)).isInstanceOf(Unauthenticated.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tpk_"));
    }

    @Test
    void aHugeHeaderIsRefusedCheaply() {
        assertThatThrownBy(() -> ring.authenticate("Bearer " + "A".repeat(1_000_000))).isInstanceOf(Unauthenticated.class);
        assertThatThrownBy(() -> ring.authenticate(null)).isInstanceOf(Unauthenticated.class)
                .hasMessageContaining("Authorization: Bearer");
    }

    @Test
    void replacingTheKeysRevokesTheOldOnes() {
        ring.replace(List.of());
        assertThatThrownBy(() -> ring.authenticate("Bearer " + key)).isInstanceOf(Unauthenticated.class);
        assertThat(ring.size()).isZero();
    }
}
