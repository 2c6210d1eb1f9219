package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.host.FunctionHost;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The container image ({@code deploy/docker/Dockerfile}), built from this build's jar by {@link TorporImage} and run
 * with Docker: its default command is a router that answers through the published port (so it listens beyond the
 * container's loopback), runs as its unprivileged user, writes its operator key to the data volume, and serves Silero
 * VAD from a function process inside the container with the answer ONNX Runtime gives called directly; its other
 * entry point, the function host, starts from a plain {@code java -cp} command without a shell.
 *
 * <p>Runs in {@code mvn verify} (failsafe, after the package phase). Fails without Docker, like the PostgreSQL suite.
 */
class ContainerImageIT {
    private static final int PORT = 8080;
    private static String image;

    @BeforeAll
    static void buildImage() {
        assumeFalse(TorporImage.optedOut(), "container image tests opted out (-Dtorpor.test.image=skip)");
        image = TorporImage.build();
    }

    @Test
    void theRouterServesAModelThroughThePublishedPort() throws Exception {
        try (GenericContainer<?> router = new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(name -> false) // built here, never pulled
                .withExposedPorts(PORT)
                .waitingFor(Wait.forHttp("/v2/health/ready").forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)))) {
            router.start();
            try {
                servesSilero(router);
            } catch (Exception | AssertionError failed) {
                System.err.println("router container's log:\n" + router.getLogs());
                throw failed;
            }
        }
    }

    private static void servesSilero(GenericContainer<?> router) throws Exception {
        Container.ExecResult uid = router.execInContainer("id", "-u");
        assertThat(uid.getStdout().strip()).as("the router's uid").isEqualTo("10001");

        // The key the router bootstrapped into its data volume, as an operator would fetch it (docker cp).
        Path keyDir = Files.createTempDirectory("torpor-image-key-");
        router.copyFileFromContainer(TorporImage.DATA_DIR + "/operator.key", keyDir.resolve("operator.key").toString());
        Http http = Http.operator(new URL("http://" + router.getHost() + ":" + router.getMappedPort(PORT)), keyDir);

        Http.Reply published = http.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);

        float[] audio = SileroRequests.audio(0);
        Map<String, float[]> expected = SileroRequests.direct(SampleModels.silero(), audio);
        Http.Reply cold = http.post("/v2/models/vad/infer", SileroRequests.json("in-the-image", audio));
        assertThat(cold.status()).as(cold.body()).isEqualTo(200);
        assertThat(cold.header("torpor-cold-start")).isEqualTo("true");
        JsonNode outputs = cold.json().get("outputs");
        assertThat(outputs).hasSize(expected.size());
        for (JsonNode output : outputs) {
            assertThat(SileroRequests.floats(output.get("data")))
                    .as(output.get("name").asText())
                    .containsExactly(expected.get(output.get("name").asText()));
        }
        assertThat(http.get("/billing/records?model=vad").json().get("records")).hasSize(1);
    }

    @Test
    void theFunctionHostEntryPointStartsWithoutAShell() throws Exception {
        DockerClient docker = DockerClientFactory.instance().client();
        String id = docker.createContainerCmd(image)
                .withCmd("java", "-cp", TorporImage.JAR, FunctionHost.class.getName(), "--no-such-option", "tcp:127.0.0.1:9")
                .exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            int exit = docker.waitContainerCmd(id).start().awaitStatusCode(60, TimeUnit.SECONDS);
            String log = logs(docker, id);
            assertThat(log).as("the function host's output").contains("usage: FunctionHost");
            assertThat(exit).as("its usage error's exit status; output: %s", log).isEqualTo(2);
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    private static String logs(DockerClient docker, String id) throws InterruptedException {
        StringBuilder text = new StringBuilder();
        docker.logContainerCmd(id).withStdOut(true).withStdErr(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                })
                .awaitCompletion(30, TimeUnit.SECONDS);
        return text.toString();
    }
}
