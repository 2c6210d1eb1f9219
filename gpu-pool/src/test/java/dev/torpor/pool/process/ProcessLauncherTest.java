package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.error.ErrorKind;
import dev.torpor.error.InstanceCrashed;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.FunctionInstance;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InstanceState;
import dev.torpor.function.RunControl;
import dev.torpor.pool.InProcessLauncher;
import dev.torpor.store.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real function processes serving the real Silero VAD model. */
@Timeout(120)
class ProcessLauncherTest {
    @TempDir
    Path dataDir;
    TestModels models;
    ProcessLauncher launcher;
    ModelManifest vad;

    @BeforeEach
    void setUp() throws Exception {
        models = new TestModels(dataDir);
        vad = models.publishSilero("vad");
    }

    @AfterEach
    void tearDown() {
        if (launcher != null) {
            List<Long> pids = launcher.livePids();
            launcher.close();
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                    .as("pid %d after close", pid).isNotEqualTo(java.util.Optional.of(true)));
        }
    }

    private ProcessLauncher launcher(ProcessSettings settings) {
        launcher = new ProcessLauncher(settings, Clock.systemUTC()).start();
        return launcher;
    }

    private static void await(java.util.function.BooleanSupplier condition, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within %s", within).isLessThan(until);
            Thread.sleep(20);
        }
    }

    @Test
    void aWarmProcessLoadsTheModelAndAnswersLikeTheInProcessEngine() throws Exception {
        ProcessLauncher launcher = launcher(ProcessSettings.defaults(dataDir).withWarmPoolSize(1));
        await(() -> launcher.warmReady() == 1, Duration.ofSeconds(60));
        long warmPid = launcher.livePids().get(0);

        FunctionInstance remote = launcher.launch(models.spec("vad-1-aaaa", vad, 2));
        Duration took = remote.load().get(60, TimeUnit.SECONDS);
        assertThat(remote.state()).isEqualTo(InstanceState.READY);
        assertThat(remote.load()).as("single flight").isSameAs(remote.load());
        assertThat(launcher.livePids()).as("the pool's process served the instance").contains(warmPid);
        assertThat(took).isLessThan(Duration.ofSeconds(30));

        FunctionInstance local = new InProcessLauncher(models.backends, Clock.systemUTC())
                .launch(models.spec("vad-1-bbbb", vad, 1));
        local.load().get(60, TimeUnit.SECONDS);
        try {
            for (int seed = 0; seed < 5; seed++) {
                InferenceOutcome there = remote.infer(TestModels.sileroRequest(seed), new RunControl()).get(30, TimeUnit.SECONDS);
                InferenceOutcome here = local.infer(TestModels.sileroRequest(seed), new RunControl()).get(30, TimeUnit.SECONDS);
                assertThat(there.outputs()).isEqualTo(here.outputs());
                assertThat(there.computeNanos()).isPositive();
            }
        } finally {
            local.stop();
        }
        // The pool refills in the background, and the optimized model was cached on the first load.
        await(() -> launcher.warmReady() == 1, Duration.ofSeconds(60));
        // (a process running as its own uid writes its private cache; the launcher keeps it per model)
        Path cache = launcher.sandboxed() ? dataDir.resolve("cache/ort-fn").resolve(vad.sha256()) : dataDir.resolve("cache/ort");
        await(() -> Files.isDirectory(cache), Duration.ofSeconds(5));
        assertThat(Files.list(cache).filter(f -> f.toString().endsWith(".ort")).count()).isEqualTo(1);
        assertThat(launcher.logs("vad-1-aaaa").orElseThrow()).anyMatch(line -> line.contains("taken from the warm pool"));

        remote.stop();
        assertThat(remote.state()).isEqualTo(InstanceState.STOPPED);
        await(() -> ProcessHandle.of(warmPid).map(ProcessHandle::isAlive).orElse(false) == false, Duration.ofSeconds(10));
    }

    @Test
    void killNineDuringABurstFailsOnlyRunningRequestsWithAReasonRetriesQueuedOnesAndTheNextRequestGetsANewProcess() throws Exception {
        ProcessLauncher launcher = launcher(ProcessSettings.defaults(dataDir).withWarmPoolSize(0));
        FunctionInstance remote = launcher.launch(models.spec("vad-1-cccc", vad, 4));
        remote.load().get(60, TimeUnit.SECONDS);
        long pid = launcher.livePids().get(0);

        List<CompletableFuture<InferenceOutcome>> burst = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            burst.add(remote.infer(TestModels.sileroRequest(i), new RunControl()));
            if (i == 200) {
                new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
            }
        }
        int ok = 0;
        int crashed = 0;
        for (CompletableFuture<InferenceOutcome> answer : burst) {
            try {
                assertThat(answer.get(30, TimeUnit.SECONDS).outputs()).hasSize(2);
                ok++;
            } catch (java.util.concurrent.ExecutionException failed) {
                assertThat(failed.getCause()).isInstanceOf(InstanceCrashed.class)
                        .hasMessageContaining("SIGKILL").hasMessageContaining("vad-1-cccc");
                assertThat(((InstanceCrashed) failed.getCause()).kind()).isEqualTo(ErrorKind.INSTANCE_CRASHED);
                crashed++;
            }
        }
        assertThat(ok + crashed).isEqualTo(400);
        // Only what the process was running (at most its 4 threads) fails; what it had queued but not started
        // is retried once on the new process and answered.
        assertThat(crashed).isBetween(0, 4);
        assertThat(launcher.livePids()).doesNotContain(pid);

        // The instance stays in service: the next request takes a new process.
        InferenceOutcome after = remote.infer(TestModels.sileroRequest(1), new RunControl()).get(60, TimeUnit.SECONDS);
        assertThat(after.outputs()).hasSize(2);
        assertThat(launcher.livePids()).hasSize(1).doesNotContain(pid);
        assertThat(launcher.logs("vad-1-cccc").orElseThrow()).anyMatch(line -> line.contains("SIGKILL"));
        remote.stop();
    }

    @Test
    void aProcessOverItsMemoryLimitIsKilledAndReported() throws Exception {
        ProcessLauncher launcher = launcher(ProcessSettings.defaults(dataDir).withWarmPoolSize(0).withOverheadMb(0)
                .withHealth(Duration.ofMillis(100), Duration.ofSeconds(10)));
        FunctionInstance remote = launcher.launch(models.spec("vad-1-dddd", vad, 1));
        // Silero's estimate is ~69 MiB; a JVM alone is more than that, so the watchdog must kill it.
        CompletableFuture<Duration> load = remote.load();
        try {
            load.get(60, TimeUnit.SECONDS);
            // Loaded before the first watchdog round: the next round kills it.
            var answer = remote.infer(TestModels.sileroRequest(0), new RunControl());
            await(() -> launcher.livePids().isEmpty(), Duration.ofSeconds(10));
        } catch (java.util.concurrent.ExecutionException failed) {
            assertThat(failed.getCause()).isInstanceOf(ModelLoadFailed.class).hasMessageContaining("memory limit");
        }
        assertThat(launcher.logs("vad-1-dddd").orElseThrow()).anyMatch(line -> line.contains("exceeded its memory limit"));
        remote.stop();
    }

    @Test
    void aProcessThatStopsAnsweringIsKilled() throws Exception {
        ProcessLauncher launcher = launcher(ProcessSettings.defaults(dataDir).withWarmPoolSize(0)
                .withHealth(Duration.ofMillis(100), Duration.ofMillis(800)));
        FunctionInstance remote = launcher.launch(models.spec("vad-1-eeee", vad, 1));
        remote.load().get(60, TimeUnit.SECONDS);
        long pid = launcher.livePids().get(0);
        new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
        CompletableFuture<InferenceOutcome> stuck = remote.infer(TestModels.sileroRequest(0), new RunControl());
        try {
            stuck.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException failed) {
            assertThat(failed.getCause()).isInstanceOf(InstanceCrashed.class).hasMessageContaining("health check");
        }
        assertThat(stuck).isCompletedExceptionally();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        remote.stop();
    }
}
