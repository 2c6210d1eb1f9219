package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.process.ProcessLauncher;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Function processes through the whole router: a process killed with SIGKILL during a burst costs only
 * its own requests (each answered 200 or 503 with the reason, each billed accordingly), another model
 * never notices, the next request gets a new process, and stopping the router leaves no process behind.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class FunctionProcessTest implements TorporTestProperties {
    private static final Pattern READY_PID = Pattern.compile("pid (\\d+) ready");

    @Inject
    EmbeddedServer server;
    @Inject
    Launcher launcher;
    Http http;

    @Override
    public Map<String, String> extraProperties() {
        return Map.of("torpor.launcher", "process", "torpor.process.warm-pool-size", "1");
    }

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    private void publish(String name) {
        Http.Reply published = http.putFile("/v2/repository/models/" + name + "/versions/1", SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
    }

    private long servingPid(String instanceId) {
        JsonNode lines = http.get("/admin/instances/" + instanceId + "/logs").json().get("lines");
        long pid = -1;
        for (JsonNode line : lines) {
            Matcher ready = READY_PID.matcher(line.asText());
            if (ready.find()) {
                pid = Long.parseLong(ready.group(1));
            }
        }
        assertThat(pid).as("a 'pid N ready' line in %s", lines).isPositive();
        return pid;
    }

    @Test
    void killNineDuringABurstAnswersEveryRequestAndBillsItAndOtherModelsNeverNotice() throws Exception {
        assertThat(launcher).isInstanceOf(ProcessLauncher.class);
        publish("victim");
        publish("bystander");
        assertThat(http.putJson("/v2/repository/models/victim/config", "{\"concurrencyPerInstance\": 4}").status())
                .isEqualTo(200);
        float[] audio = SileroRequests.audio(3);
        float[] expected = SileroRequests.direct(SampleModels.silero(), audio).get("output");
        Http.Reply first = http.post("/v2/models/victim/infer", SileroRequests.json("w", audio));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(http.post("/v2/models/bystander/infer", SileroRequests.json("w", audio)).status()).isEqualTo(200);
        String victimInstance = http.get("/billing/records?model=victim").json().get("records").get(0)
                .get("instanceId").asText();
        long victimPid = servingPid(victimInstance);

        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<CompletableFuture<Http.Reply>> victim = new ArrayList<>();
        List<CompletableFuture<Http.Reply>> bystander = new ArrayList<>();
        try {
            for (int i = 0; i < 120; i++) {
                String body = SileroRequests.json("v" + i, audio);
                victim.add(CompletableFuture.supplyAsync(() -> http.post("/v2/models/victim/infer", body), clients));
                if (i % 2 == 0) {
                    bystander.add(CompletableFuture.supplyAsync(
                            () -> http.post("/v2/models/bystander/infer", body), clients));
                }
                if (i == 40) {
                    new ProcessBuilder("kill", "-9", Long.toString(victimPid)).start().waitFor();
                }
            }
            int ok = 0;
            int unavailable = 0;
            for (CompletableFuture<Http.Reply> reply : victim) {
                Http.Reply answered = reply.get(60, TimeUnit.SECONDS);
                if (answered.status() == 200) {
                    assertThat(SileroRequests.floats(answered.json().get("outputs").get(0).get("data")))
                            .containsExactly(expected);
                    ok++;
                } else {
                    assertThat(answered.status()).as(answered.body()).isEqualTo(503);
                    assertThat(answered.json().get("error").asText()).contains("SIGKILL").contains(victimInstance);
                    assertThat(answered.header("Retry-After")).isNotNull();
                    unavailable++;
                }
            }
            for (CompletableFuture<Http.Reply> reply : bystander) {
                Http.Reply answered = reply.get(60, TimeUnit.SECONDS);
                assertThat(answered.status()).as("the other model never notices: " + answered.body()).isEqualTo(200);
            }
            assertThat(ok + unavailable).isEqualTo(120);
            System.out.println("kill -9 during the burst: " + ok + " answered 200, " + unavailable + " answered 503");

            // Billing: one record per request, ok for every 200, server_error for every 503.
            JsonNode records = http.get("/billing/records?model=victim&limit=1000").json().get("records");
            assertThat(records).hasSize(121);
            int billedOk = 0;
            int billedError = 0;
            for (JsonNode record : records) {
                String status = record.get("status").asText();
                if (status.equals("ok")) {
                    assertThat(record.get("httpStatus").asInt()).isEqualTo(200);
                    billedOk++;
                } else {
                    assertThat(status).isEqualTo("server_error");
                    assertThat(record.get("httpStatus").asInt()).isEqualTo(503);
                    billedError++;
                }
            }
            assertThat(billedOk).isEqualTo(ok + 1);
            assertThat(billedError).isEqualTo(unavailable);
        } finally {
            clients.shutdownNow();
        }

        // The next request succeeds on a new process, and the logs tell the story.
        Http.Reply after = http.post("/v2/models/victim/infer", SileroRequests.json("after", audio));
        assertThat(after.status()).as(after.body()).isEqualTo(200);
        assertThat(ProcessHandle.of(victimPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(servingPid(victimInstance)).isNotEqualTo(victimPid);
        JsonNode lines = http.get("/admin/instances/" + victimInstance + "/logs").json().get("lines");
        assertThat(lines.toString()).contains("SIGKILL");
    }

    @Test
    void logsOfAnUnknownInstanceAre404() {
        assertThat(http.get("/admin/instances/nope-1-000000/logs").status()).isEqualTo(404);
    }

    @Test
    void stoppingTheRouterLeavesNoFunctionProcessBehind() throws Exception {
        Map<String, Object> properties = new HashMap<>(getProperties());
        ApplicationContext context = ApplicationContext.run(EmbeddedServer.class, properties).getApplicationContext();
        EmbeddedServer other = context.getBean(EmbeddedServer.class);
        Http client = Http.operator(other);
        Http.Reply published = client.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero());
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        assertThat(client.post("/v2/models/vad/infer", SileroRequests.json("x", SileroRequests.audio(0))).status())
                .isEqualTo(200);
        ProcessLauncher processes = (ProcessLauncher) context.getBean(Launcher.class);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (processes.warmReady() < 1 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        List<Long> pids = processes.livePids();
        assertThat(pids).as("the instance's process and the refilled warm one").hasSize(2);

        other.stop();
        context.close();

        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
        }
    }
}
