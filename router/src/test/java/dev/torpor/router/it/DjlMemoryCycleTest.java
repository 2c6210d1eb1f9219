package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scale to zero frees DJL's native memory: 50 cycles of publish → load → infer → unload (→ delete) of the
 * TorchScript sample keep the process's resident set bounded. The first cycles pay for the engine's one-time
 * allocations; growth is measured from cycle 10 to cycle 50 and must stay under a generous 96 MB (a leaked
 * model would add its module and allocator pools every cycle). The numbers are printed for the issue note.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // TorporTestProperties needs it: a fresh data dir
class DjlMemoryCycleTest implements TorporTestProperties {
    static final int CYCLES = 50;
    static final long MAX_GROWTH_MB = 96;

    @Inject
    EmbeddedServer server;

    static long rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void fiftyPublishLoadInferUnloadCyclesKeepRssBounded() throws Exception {
        Http http = Http.operator(server);
        byte[] zip = DjlModels.bytes(DjlModels.TORCHSCRIPT_ZIP);
        float[] x = DjlModels.input(4, 3);
        List<Long> rss = new ArrayList<>();
        rss.add(rssMb());
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            String version = Integer.toString(cycle);
            String base = "/v2/repository/models/cycle";
            assertThat(http.put(base + "/versions/" + version, "application/zip", zip).status()).isEqualTo(201);
            assertThat(http.post(base + "/load", "{}").status()).isEqualTo(200);
            Http.Reply answer = http.post("/v2/models/cycle/versions/" + version + "/infer", DjlModels.json("m", x, 4));
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(http.post(base + "/unload", "{}").status()).isEqualTo(200);
            assertThat(http.get(base).json().get("instances")).isEmpty();
            assertThat(http.delete(base + "/versions/" + version).status()).isEqualTo(204);
            System.gc();
            rss.add(rssMb());
        }
        long growth = rss.get(CYCLES) - rss.get(10);
        System.out.printf("DJL memory cycles: RSS before %d MB, after cycle 1 %d MB, 10 %d MB, 25 %d MB, 50 %d MB, "
                        + "max %d MB; growth 10→50: %d MB%n", rss.get(0), rss.get(1), rss.get(10), rss.get(25),
                rss.get(CYCLES), rss.stream().mapToLong(Long::longValue).max().orElseThrow(), growth);
        assertThat(growth).as("RSS growth from cycle 10 to 50, MB (all: %s)", rss).isLessThan(MAX_GROWTH_MB);
    }
}
