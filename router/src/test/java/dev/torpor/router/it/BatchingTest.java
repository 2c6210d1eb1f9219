package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Dynamic batching over HTTP: the OCR classifier with {@code batching: {maxBatchSize: 8, maxDelayMicros: 2000}}
 * on one instance answers concurrent requests as the same model without batching does, within 1e-5 relative,
 * and every request is billed compute time.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchingTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;

    private static String request(int seed) {
        Random random = new Random(seed);
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 3 * 48 * 192; i++) {
            data.append(i == 0 ? "" : ",").append(random.nextFloat() * 2 - 1);
        }
        return "{\"id\":\"r" + seed + "\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3,48,192],"
                + "\"data\":[" + data + "]}]}";
    }

    @Test
    void batchedAnswersAgreeWithUnbatchedOnes() throws Exception {
        Http http = Http.operator(server);
        assertThat(http.putFile("/v2/repository/models/ocru/versions/1", SampleModels.ocrClassifier()).status())
                .isEqualTo(201);
        assertThat(http.putFile("/v2/repository/models/ocrb/versions/1", SampleModels.ocrClassifier()).status())
                .isEqualTo(201);
        Http.Reply config = http.putJson("/v2/repository/models/ocrb/config", "{\"maxInstances\": 1, "
                + "\"concurrencyPerInstance\": 1, \"batching\": {\"maxBatchSize\": 8, \"maxDelayMicros\": 2000}}");
        assertThat(config.status()).as(config.body()).isEqualTo(200);
        assertThat(config.json().get("batching").get("maxBatchSize").asInt()).isEqualTo(8);

        int count = 32;
        List<String> bodies = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            bodies.add(request(i));
            Http.Reply reply = http.post("/v2/models/ocru/infer", bodies.get(i));
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            expected.add(SileroRequests.floats(reply.json().get("outputs").get(0).get("data")));
        }
        ExecutorService clients = Executors.newFixedThreadPool(8);
        int largestBatch = 0;
        try {
            List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
            for (String body : bodies) {
                replies.add(CompletableFuture.supplyAsync(() -> http.post("/v2/models/ocrb/infer", body), clients));
            }
            for (int i = 0; i < count; i++) {
                Http.Reply reply = replies.get(i).get(60, TimeUnit.SECONDS);
                assertThat(reply.status()).as(reply.body()).isEqualTo(200);
                JsonNode output = reply.json().get("outputs").get(0);
                assertThat(output.get("shape").toString()).isEqualTo("[1,2]");
                assertThat(reply.json().get("id").asText()).isEqualTo("r" + i);
                float[] actual = SileroRequests.floats(output.get("data"));
                for (int j = 0; j < actual.length; j++) {
                    assertThat((double) Math.abs(actual[j] - expected.get(i)[j])).as("request %d element %d", i, j)
                            .isLessThanOrEqualTo(1e-5 * Math.abs(expected.get(i)[j]) + 1e-7);
                }
                assertThat(Double.parseDouble(reply.header("torpor-compute-ms"))).isPositive();
                int batchSize = Integer.parseInt(reply.header("torpor-batch-size"));
                assertThat(batchSize).isBetween(1, 8);
                largestBatch = Math.max(largestBatch, batchSize);
            }
            assertThat(largestBatch).as("some requests shared an engine call").isGreaterThan(1);
        } finally {
            clients.shutdownNow();
        }
    }
}
