package dev.torpor.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvidiaSmiProbeTest {

    @Test
    void parsesTheCsvAndSubtractsMemoryOthersUse() {
        List<Device> gpus = NvidiaSmiProbe.parse("""
                0, NVIDIA H200, 143771, 0
                1, NVIDIA A10G, 23028 MiB, 1028 MiB
                """);
        assertThat(gpus).containsExactly(Device.gpu(0, "NVIDIA H200", 143771), Device.gpu(1, "NVIDIA A10G", 22000));
        assertThat(gpus.get(1).gpuIndex()).isEqualTo(1);
    }

    @Test
    void toleratesAHeaderAndNamesWithCommas() {
        assertThat(NvidiaSmiProbe.parse("index, name, memory.total [MiB], memory.used [MiB]\n2, Tesla T4, rev 2, 15360, 360\n"))
                .containsExactly(Device.gpu(2, "Tesla T4, rev 2", 15000));
    }

    @Test
    void unreadableOutputIsNamed() {
        assertThatThrownBy(() -> NvidiaSmiProbe.parse("No devices were found")).hasMessageContaining("No devices");
        assertThatThrownBy(() -> NvidiaSmiProbe.parse("x, GPU, 10, 1")).hasMessageContaining("not a number");
    }

    @Test
    void aMissingBinaryMeansCpuOnly() {
        assertThat(new NvidiaSmiProbe(List.of("/nonexistent/nvidia-smi"), Duration.ofSeconds(2)).gpus()).isEmpty();
    }

    @Test
    void runsTheCommandAndHonoursItsExitStatusAndTimeout(@TempDir Path dir) throws Exception {
        Path ok = script(dir, "ok.sh", "echo '0, Fake GPU, 16384, 384'");
        assertThat(new NvidiaSmiProbe(List.of(ok.toString()), Duration.ofSeconds(5)).gpus())
                .containsExactly(Device.gpu(0, "Fake GPU", 16000));
        Path failing = script(dir, "fail.sh", "echo 'NVIDIA-SMI has failed'; exit 9");
        assertThat(new NvidiaSmiProbe(List.of(failing.toString()), Duration.ofSeconds(5)).gpus()).isEmpty();
        Path slow = script(dir, "slow.sh", "sleep 5");
        assertThat(new NvidiaSmiProbe(List.of(slow.toString()), Duration.ofMillis(200)).gpus()).isEmpty();
    }

    private static Path script(Path dir, String name, String body) throws Exception {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        script.toFile().setExecutable(true);
        return script;
    }
}
