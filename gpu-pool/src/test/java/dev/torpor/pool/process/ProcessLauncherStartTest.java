package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.function.BackendRegistry;
import dev.torpor.pool.InProcessLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Construction and {@link ProcessLauncher#start()} are separate; what each launcher says about captured logs. */
@Timeout(60)
class ProcessLauncherStartTest {
    @TempDir
    Path dataDir;
    ProcessLauncher launcher;

    @AfterEach
    void tearDown() {
        if (launcher != null) {
            launcher.close();
        }
    }

    @Test
    void constructionTouchesNothingAndTheLauncherServesOnlyOnceStarted() throws Exception {
        launcher = new ProcessLauncher(ProcessSettings.defaults(dataDir).withWarmPoolSize(0), Clock.systemUTC());
        try (var entries = Files.list(dataDir)) {
            assertThat(entries.toList()).as("the data dir before start()").isEmpty();
        }
        assertThat(launcher.warmReady()).isZero();
        assertThatThrownBy(() -> launcher.launch(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start()");

        assertThat(launcher.start()).isSameAs(launcher);
        ProcessDataDir dirs = new ProcessDataDir(dataDir);
        assertThat(dirs.slots()).isDirectory();
        assertThat(dirs.trainingTmp()).isDirectory();
        assertThat(dirs.ortCache()).isDirectory();
        assertThat(dirs.natives()).isDirectory();
        List<Path> prepared;
        try (var entries = Files.list(dataDir)) {
            prepared = entries.toList();
        }
        assertThat(launcher.start()).as("a second start() does nothing").isSameAs(launcher);
        try (var entries = Files.list(dataDir)) {
            assertThat(entries.toList()).containsExactlyInAnyOrderElementsOf(prepared);
        }
        assertThat(launcher.livePids()).as("no warm pool: no process").isEmpty();
    }

    @Test
    void aClosedLauncherCannotStartAndClosingAnUnstartedOneIsHarmless() {
        launcher = new ProcessLauncher(ProcessSettings.defaults(dataDir), Clock.systemUTC());
        launcher.close();
        launcher.close();
        assertThatThrownBy(launcher::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(dataDir.resolve("run")).doesNotExist();
    }

    @Test
    void theProcessLauncherCapturesInstanceLogsAndTheInProcessLauncherHasNone() {
        launcher = new ProcessLauncher(ProcessSettings.defaults(dataDir).withWarmPoolSize(0), Clock.systemUTC())
                .start();
        assertThat(launcher.instanceLogs()).isPresent();
        assertThat(launcher.instanceLogs().orElseThrow().lines("vad-1-none")).as("an instance never served").isEmpty();

        ProcessLogs logs = new ProcessLogs();
        ProcessLog first = new ProcessLog("warm-1");
        first.note("pid 1 crashed");
        logs.assign("vad-1-aaaa", first);
        ProcessLog replacement = new ProcessLog("warm-2");
        logs.assign("vad-1-aaaa", replacement);
        replacement.note("pid 2 ready");
        assertThat(logs.lines("vad-1-aaaa")).hasValue(List.of("[torpor] pid 1 crashed", "[torpor] pid 2 ready"));
        assertThat(replacement.owner()).isEqualTo("vad-1-aaaa");

        try (var inProcess = new InProcessLauncher(new BackendRegistry(List.of()), Clock.systemUTC())) {
            assertThat(inProcess.instanceLogs()).isEmpty();
        }
    }
}
