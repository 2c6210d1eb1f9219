package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Function processes never outlive their router, even one killed with SIGKILL (no hook runs then). */
class OrphanTest {
    @TempDir
    Path dataDir;

    @Test
    @Timeout(120)
    void functionProcessesExitWhenTheirRouterIsKilledWithSigkill() throws Exception {
        Process router = new ProcessBuilder(ProcessSettings.currentJava(), "-cp", System.getProperty("java.class.path"),
                OrphanParent.class.getName(), dataDir.toString()).redirectErrorStream(true).start();
        List<Long> pids = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(router.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PIDS [")) {
                    pids = Arrays.stream(line.substring(6, line.length() - 1).split(",\\s*"))
                            .map(Long::parseLong).toList();
                    break;
                }
            }
            assertThat(pids).as("the stand-in router printed its function processes").hasSize(2);
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
            }
            router.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no close()
            long until = System.nanoTime() + 10_000_000_000L;
            for (long pid : pids) {
                while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("function process %d after its router was killed", pid).isFalse();
            }
        } finally {
            router.destroyForcibly();
            if (pids != null) {
                pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
        }
    }
}
