package dev.torpor.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GpuDiscoveryTest {

    @Test
    void eachFormNamesItsWayOfFindingGpus() {
        assertThat(GpuDiscovery.parse("TORPOR_GPUS", "auto")).isEqualTo(new GpuDiscovery.Auto());
        assertThat(GpuDiscovery.parse("TORPOR_GPUS", "auto").probe()).isInstanceOf(NvidiaSmiProbe.class);
        assertThat(GpuDiscovery.parse("TORPOR_GPUS", "none").probe().gpus()).isEmpty();
        GpuDiscovery fake = GpuDiscovery.parse("TORPOR_GPUS", "fake:2x16384");
        assertThat(fake).isEqualTo(new GpuDiscovery.Fake(2, 16384));
        assertThat(fake.probe().gpus()).containsExactly(Device.gpu(0, "Fake GPU", 16384), Device.gpu(1, "Fake GPU", 16384));
        assertThat(fake).hasToString("fake:2x16384");
        assertThat(new GpuDiscovery.Auto()).hasToString("auto");
        assertThat(new GpuDiscovery.None()).hasToString("none");
    }

    @Test
    void declaredGpusAreTheClustersForPodsAndProbeLikeFakeOnes() {
        GpuDiscovery declared = GpuDiscovery.parse("TORPOR_GPUS", "declared:4x81920");
        assertThat(declared).isEqualTo(new GpuDiscovery.Declared(4, 81920));
        assertThat(declared).hasToString("declared:4x81920");
        assertThat(declared.probe().gpus()).hasSize(4).allSatisfy(gpu -> {
            assertThat(gpu.isGpu()).isTrue();
            assertThat(gpu.memoryMbTotal()).isEqualTo(81920);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "AUTO", "None", "nvidia", "fake:", "fake:0x100", "fake:2x0", "fake:1000x1", "fake:2X100",
            "fake:2x100 ", "fake:-1x100", "fake:2x1234567890", "declared:", "declared:0x1", "declared:2x0",
            "Declared:2x100"})
    void anythingElseIsRefusedNamingTheSettingAndTheForms(String text) {
        assertThatThrownBy(() -> GpuDiscovery.parse("TORPOR_GPUS", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TORPOR_GPUS must be auto, none, declared:COUNTxMB (the cluster's GPUs, e.g. declared:4x81920)"
                        + " or fake:COUNTxMB (e.g. fake:2x16384); got '" + text + "'");
    }

    @Test
    void aFakeGpuNeedsACountAndAMemory() {
        assertThatThrownBy(() -> new GpuDiscovery.Fake(0, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GpuDiscovery.Fake(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
