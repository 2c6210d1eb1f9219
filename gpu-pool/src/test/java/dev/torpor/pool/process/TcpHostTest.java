package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.function.FunctionInstance;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InstanceState;
import dev.torpor.function.RunControl;
import dev.torpor.function.host.FunctionHost;
import dev.torpor.function.host.Wire;
import dev.torpor.pool.InProcessLauncher;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.store.ModelManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The function host over TCP, the transport of hosts that do not share the router's file system (pods): a
 * real {@link FunctionHost} connects to a loopback port, and a {@link RemoteFunctionInstance} on the router
 * side loads the Silero sample through it and answers exactly as the in-process engine does. The lease it
 * was lent is closed once the first answer is in.
 */
class TcpHostTest {
    @TempDir
    Path dataDir;
    private final ExecutorService completions = Executors.newCachedThreadPool();
    private final List<HostProcess> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(host -> host.kill("the test ended"));
        completions.shutdownNow();
    }

    @Test
    void aFunctionHostServesAnInstanceOverLoopbackTcp() throws Exception {
        TestModels models = new TestModels(dataDir);
        ModelManifest vad = models.publishSilero("vad");
        AtomicInteger leasesClosed = new AtomicInteger();
        HostLease.Source overTcp = spec -> CompletableFuture.supplyAsync(() -> lease(startOverTcp(spec), leasesClosed));

        RemoteFunctionInstance remote = new RemoteFunctionInstance(models.spec("vad-1-tcp", vad, 1), overTcp,
                Clock.systemUTC());
        remote.load().get(60, TimeUnit.SECONDS);
        assertThat(remote.state()).isEqualTo(InstanceState.READY);
        assertThat(started).hasSize(1);

        FunctionInstance local = new InProcessLauncher(models.backends, Clock.systemUTC())
                .launch(models.spec("vad-1-here", vad, 1));
        local.load().get(60, TimeUnit.SECONDS);
        try {
            for (int seed = 0; seed < 3; seed++) {
                InferenceOutcome there = remote.infer(TestModels.sileroRequest(seed), new RunControl())
                        .get(30, TimeUnit.SECONDS);
                InferenceOutcome here = local.infer(TestModels.sileroRequest(seed), new RunControl())
                        .get(30, TimeUnit.SECONDS);
                assertThat(there.outputs()).isEqualTo(here.outputs());
                assertThat(there.computeNanos()).isPositive();
            }
        } finally {
            local.stop();
        }
        assertThat(remote.runs()).isEqualTo(3);
        assertThat(remote.busyMicros()).isPositive();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (leasesClosed.get() == 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(leasesClosed).as("the cold start ended with its first answer, once").hasValue(1);

        remote.stop();
        assertThat(remote.state()).isEqualTo(InstanceState.STOPPED);
        HostProcess host = started.get(0);
        assertThat(host.death().get(30, TimeUnit.SECONDS)).isEqualTo("stopped");
        assertThat(host.isAlive()).isFalse();
    }

    private HostProcess startOverTcp(LaunchSpec spec) {
        ProcessSettings settings = ProcessSettings.defaults(dataDir);
        try {
            HostListener listener = HostListener.tcp(InetAddress.getLoopbackAddress());
            assertThat(listener.address()).startsWith("tcp:127.0.0.1:");
            HostProcess host = HostProcess.start(new HostProcess.Spawn(
                    List.of(settings.javaCommand(), "-Xmx256m", "-cp", settings.classPath(), FunctionHost.class.getName()),
                    Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"), listener, Duration.ofSeconds(60),
                    new ProcessLog(spec.instanceId()), completions, null, 0, () -> false));
            started.add(host);
            return host;
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    private static HostLease lease(HostProcess host, AtomicInteger closed) {
        return new HostLease() {
            @Override
            public RemoteHost host() {
                return host;
            }

            @Override
            public Wire.Load loadFor(LaunchSpec spec) {
                return new Wire.Load(spec.manifest(), spec.artifact().toAbsolutePath(), spec.runtime(),
                        spec.concurrency(), spec.instanceId(), null, spec.batching());
            }

            @Override
            public void loaded(LaunchSpec spec, long acquireNanos, Duration load) {
                assertThat(load).isPositive();
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }
}
