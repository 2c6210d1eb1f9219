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
    void aPlacementRequestCarriesTheParsedPreferenceAndRefusesNone() {
        assertThat(new PlacementRequest("m/1", DevicePreference.parse("device", "any"), 1, 1, true).preference())
                .isEqualTo(DevicePreference.ANY);
        assertThatThrownBy(() -> new PlacementRequest("m/1", null, 1, 1, true))
                .isInstanceOf(NullPointerException.class).hasMessage("preference");
    }
}
