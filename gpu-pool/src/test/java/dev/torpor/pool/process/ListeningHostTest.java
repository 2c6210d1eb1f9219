package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.InstanceState;
import dev.torpor.function.RunControl;
import dev.torpor.function.Tensor;
import dev.torpor.function.host.FunctionHost;
import dev.torpor.function.host.Wire;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.store.DataType;
import dev.torpor.store.ModelManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function host as a pod runs it ({@code FunctionHost --listen}): a real child JVM listening on its own
 * loopback address (127.0.0.2: all of 127/8 is loopback on Linux) with a token. Probes and wrong tokens do not
 * disturb it; the router dials it ({@link DialedHost}), sends the Silero sample's files over the connection and
 * loads them, and the answers equal ONNX Runtime's called directly; a second router is refused; a second host on the
 * same files directory (a pod's volume) loads the same model without a transfer.
 */
class ListeningHostTest {
    private static final InetAddress POD_IP = address("127.0.0.2");

    @TempDir
    Path dataDir;
    private final ExecutorService completions = Executors.newCachedThreadPool();
    private final List<Process> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(Process::destroyForcibly);
        completions.shutdownNow();
    }

    @Test
    void aListeningHostIgnoresProbesRefusesWrongTokensAndServesItsRouterTheModelItWasSent() throws Exception {
        TestModels models = new TestModels(dataDir);
        ModelManifest vad = models.publishSilero("vad");
        String token = UUID.randomUUID().toString();
        Path files = dataDir.resolve("pod-volume");
        int port = freePort();
        Path log = dataDir.resolve("host-1.log");
        Process host = startListening(port, token, files, log);
        InetSocketAddress at = new InetSocketAddress(POD_IP, port);
        awaitPort(at, host);

        // A readiness probe connects and closes; another sends nothing for a while, a third sends garbage.
        new Socket(POD_IP, port).close();
        try (Socket silent = new Socket(POD_IP, port); Socket garbage = new Socket(POD_IP, port)) {
            OutputStream out = garbage.getOutputStream();
            out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 1, 2, 3});
            out.flush();
            Thread.sleep(300);
            assertThat(host.isAlive()).isTrue();
        }
        assertThatThrownBy(() -> DialedHost.dial("vad-1-pod", at, "not-" + token, Duration.ofSeconds(10), completions))
                .isInstanceOf(IOException.class).hasMessageContaining("refused the connection")
                .hasMessageContaining("refused the token");
        assertThat(host.isAlive()).as("probes and a wrong token leave the host up").isTrue();

        DialedHost dialed = DialedHost.dial("vad-1-pod", at, token, Duration.ofSeconds(10), completions);
        assertThat(dialed.hello().pid()).isEqualTo(host.pid());
        assertThatThrownBy(() -> DialedHost.dial("vad-1-other", at, token, Duration.ofSeconds(10), completions))
                .isInstanceOf(IOException.class).hasMessageContaining("already serves a router");
        assertThat(dialed.isAlive()).as("a second router does not disturb the first").isTrue();

        RemoteFunctionInstance remote = new RemoteFunctionInstance(models.spec("vad-1-pod", vad, 1),
                spec -> CompletableFuture.completedFuture(lease(dialed)), Clock.systemUTC());
        remote.load().get(60, TimeUnit.SECONDS);
        assertThat(remote.state()).isEqualTo(InstanceState.READY);
        ModelUpload.Result upload = dialed.lastUpload();
        assertThat(upload.bytesSent()).as("the model was sent").isGreaterThanOrEqualTo(vad.sizeBytes());
        assertThat(upload.artifact()).startsWith(files.toAbsolutePath());
        assertThat(upload.artifact()).hasSameBinaryContentAs(models.store.artifact(vad));

        try (OrtSession direct = OrtEnvironment.getEnvironment().createSession(
                models.store.artifact(vad).toString(), new OrtSession.SessionOptions())) {
            for (int seed = 0; seed < 3; seed++) {
                InferenceRequest request = TestModels.sileroRequest(seed);
                InferenceOutcome there = remote.infer(request, new RunControl()).get(30, TimeUnit.SECONDS);
                assertThat(there.computeNanos()).isPositive();
                assertThat(there.outputs()).hasSize(direct.getOutputNames().size());
                assertSameAsOrtDirect(direct, request, there);
            }
        }
        remote.stop();
        assertThat(dialed.death().get(30, TimeUnit.SECONDS)).isEqualTo("stopped");
        assertThat(host.waitFor(30, TimeUnit.SECONDS)).as("the host exits with its router's connection").isTrue();

        // The same model again, on a new host over the same volume: served from its cache, nothing sent.
        Process second = startListening(port, token, files, dataDir.resolve("host-2.log"));
        awaitPort(at, second);
        DialedHost again = DialedHost.dial("vad-1-pod2", at, token, Duration.ofSeconds(10), completions);
        Wire.Load load = again.loadFor(models.spec("vad-1-pod2", vad, 1));
        assertThat(again.lastUpload().bytesSent()).as("a cached model is not sent again").isZero();
        assertThat(again.lastUpload().filesSent()).isZero();
        assertThat(again.load(load).get(60, TimeUnit.SECONDS)).isPositive();
        assertThat(again.infer(TestModels.sileroRequest(0), new RunControl()).get(30, TimeUnit.SECONDS).outputs())
                .isNotEmpty();
        again.stop(Duration.ofSeconds(10));
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();

        String output = Files.readString(log) + Files.readString(dataDir.resolve("host-2.log"));
        assertThat(output).contains("wrong token").contains("refused a second router")
                .contains("received model file").contains("is cached, no transfer")
                .as("the token is never logged").doesNotContain(token);
    }

    @Test
    void aFileWhoseBytesDoNotMatchItsDigestFailsTheLoadWithTheReason() throws Exception {
        TestModels models = new TestModels(dataDir);
        ModelManifest vad = models.publishSilero("vad");
        String token = UUID.randomUUID().toString();
        int port = freePort();
        Process host = startListening(port, token, dataDir.resolve("pod-volume"), dataDir.resolve("host.log"));
        InetSocketAddress at = new InetSocketAddress(POD_IP, port);
        awaitPort(at, host);
        DialedHost dialed = DialedHost.dial("vad-1-pod", at, token, Duration.ofSeconds(10), completions);
        HostConnection connection = dialed.connection();
        long id = connection.newFileId();
        byte[] bytes = Files.readAllBytes(models.store.artifact(vad));
        var offer = new Wire.FileOffer(vad.sha256(), "model.onnx", "0".repeat(64), bytes.length);
        assertThat(connection.offerFile(id, offer).get(10, TimeUnit.SECONDS)).as("wanted").isEmpty();
        var stored = connection.awaitStored(id);
        for (int at2 = 0; at2 < bytes.length; at2 += Wire.MAX_CHUNK_BYTES) {
            connection.write(Wire.fileChunk(id, at2, bytes, at2, Math.min(Wire.MAX_CHUNK_BYTES, bytes.length - at2)));
        }
        assertThatThrownBy(() -> stored.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ModelLoadFailed.class)
                .hasMessageContaining("model.onnx").hasMessageContaining("not the offered " + "0".repeat(64));
        assertThat(dialed.isAlive()).as("a refused file does not end the connection").isTrue();
        dialed.stop(Duration.ofSeconds(10));
    }

    /** The outputs ONNX Runtime itself gives for {@code request}, element for element. */
    private static void assertSameAsOrtDirect(OrtSession direct, InferenceRequest request, InferenceOutcome there)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (Tensor input : request.inputs()) {
                inputs.put(input.name(), input.datatype() == DataType.FP32
                        ? OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) input.data()), input.shape())
                        : OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) input.data()), input.shape()));
            }
            try (OrtSession.Result result = direct.run(inputs)) {
                for (Tensor output : there.outputs()) {
                    OnnxTensor expected = (OnnxTensor) result.get(output.name()).orElseThrow();
                    float[] values = new float[expected.getFloatBuffer().remaining()];
                    expected.getFloatBuffer().get(values);
                    assertThat(output.shape()).isEqualTo(expected.getInfo().getShape());
                    assertThat((float[]) output.data()).as(output.name()).containsExactly(values);
                }
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private Process startListening(int port, String token, Path files, Path log) throws IOException {
        ProcessSettings settings = ProcessSettings.defaults(dataDir);
        ProcessBuilder builder = new ProcessBuilder(settings.javaCommand(), "-Xmx256m", "-cp", settings.classPath(),
                FunctionHost.class.getName(), FunctionHost.LISTEN)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8",
                "POD_IP", POD_IP.getHostAddress(), "TORPOR_FUNCTION_PORT", String.valueOf(port),
                "TORPOR_FUNCTION_TOKEN", token, "TORPOR_FUNCTION_FILES", files.toString()));
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** Waits until the host accepts connections, as a kubelet's readiness probe would. */
    private static void awaitPort(InetSocketAddress at, Process host) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            assertThat(host.isAlive()).as("the host is up").isTrue();
            try (Socket probe = new Socket()) {
                probe.connect(at, 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the host did not listen on " + at);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, POD_IP)) {
            return socket.getLocalPort();
        }
    }

    private static HostLease lease(DialedHost host) {
        return new HostLease() {
            @Override
            public RemoteHost host() {
                return host;
            }

            @Override
            public Wire.Load loadFor(LaunchSpec spec) throws IOException {
                return host.loadFor(spec);
            }

            @Override
            public void loaded(LaunchSpec spec, long acquireNanos, Duration load) {
                assertThat(load).isPositive();
            }

            @Override
            public void close() {
            }
        };
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }
}
