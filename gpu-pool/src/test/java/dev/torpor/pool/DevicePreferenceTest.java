package dev.torpor.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DevicePreferenceTest {

    @Test
    void theWireNamesAreTheModelConfigsValues() {
        assertThat(DevicePreference.parse("device", "cpu")).isEqualTo(DevicePreference.CPU);
        assertThat(DevicePreference.parse("device", "gpu")).isEqualTo(DevicePreference.GPU);
        assertThat(DevicePreference.parse("device", "any")).isEqualTo(DevicePreference.ANY);
        for (DevicePreference preference : DevicePreference.values()) {
            assertThat(DevicePreference.parse("device", preference.wireName())).isEqualTo(preference);
            assertThat(preference).hasToString(preference.wireName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "CPU", "Gpu", "tpu", " any", "gpu:0"})
    void anythingElseIsRefusedNamingTheFieldAndTheValues(String text) {
        assertThatThrownBy(() -> DevicePreference.parse("device", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device must be one of cpu, gpu, any; got '" + text + "'");
    }

    @Test
    void aPlacementRequestTakesTheWireNameOrTheEnum() {
        assertThat(new PlacementRequest("m/1", "any", 1, 1).preference()).isEqualTo(DevicePreference.ANY);
        assertThat(new PlacementRequest("m/1", DevicePreference.GPU, 1, 1, true).preference())
                .isEqualTo(DevicePreference.GPU);
        assertThatThrownBy(() -> new PlacementRequest("m/1", "tpu", 1, 1))
                .hasMessage("device preference must be one of cpu, gpu, any; got 'tpu'");
    }
}
