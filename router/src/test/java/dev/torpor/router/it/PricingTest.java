package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Prices on a real router and a real model: configured prices (version 1) with cold starts billed, then a
 * {@code PUT /admin/prices} mid-run: later records carry version 2 and its prices, earlier ones keep version 1.
 * Expected costs are computed by hand from each record's own times.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PricingTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> extraProperties() {
        // 0.0000002 per request; 0.000016 per GB-s: 512 MB cost exactly 8 nano-units per ms.
        return Map.of("torpor.billing.price-per-request", "0.0000002",
                "torpor.billing.price-per-gb-second", "0.000016",
                "torpor.billing.bill-cold-start", "true");
    }

    @Test
    void requestsArePricedWithTheVersionCurrentWhenTheyAnsweredAndAPriceChangeAppliesToLaterOnesOnly() {
        Http http = Http.operator(server);
        assertThat(http.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero()).status()).isEqualTo(201);
        assertThat(http.putJson("/v2/repository/models/vad/config", "{\"memoryMb\": 512}").status()).isEqualTo(200);
        JsonNode v1 = http.get("/admin/prices").json();
        assertThat(v1.get("version").asInt()).isEqualTo(1);
        assertThat(v1.get("perGbSecond").asText()).isEqualTo("0.000016");

        List<String> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            before.add(infer(http, i));
        }
        Http.Reply changed = http.putJson("/admin/prices",
                "{\"perRequest\": \"0.000001\", \"granularityMs\": 100, \"billColdStart\": false}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("version").asInt()).isEqualTo(2);
        assertThat(http.putJson("/admin/prices", "{\"perGpuSecond\": -1}").body()).contains("perGpuSecond");
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            after.add(infer(http, 10 + i));
        }

        JsonNode records = http.get("/billing/records?limit=1000").json().get("records");
        assertThat(records).hasSize(6);
        for (JsonNode r : records) {
            String id = r.get("id").asText();
            BigDecimal computeMs = r.get("computeMs").decimalValue();
            BigDecimal initMs = r.get("initMs").decimalValue();
            boolean cold = r.get("coldStart").asBoolean();
            long billedMs = r.get("billedMs").asLong();
            long costNanos = new BigDecimal(r.get("cost").asText()).movePointRight(9).longValueExact();
            assertThat(r.get("memoryMb").asInt()).isEqualTo(512);
            assertThat(r.get("currency").asText()).isEqualTo("USD");
            if (before.contains(id)) {
                assertThat(r.get("priceVersion").asInt()).isEqualTo(1);
                BigDecimal billable = cold ? computeMs.add(initMs) : computeMs; // cold starts billed in version 1
                assertThat(billedMs).isEqualTo(billable.setScale(0, RoundingMode.CEILING).longValueExact());
                assertThat(costNanos).as(id).isEqualTo(200 + 8 * billedMs);
            } else {
                assertThat(after).contains(id);
                assertThat(r.get("priceVersion").asInt()).isEqualTo(2);
                assertThat(billedMs).isEqualTo(100); // Silero runs well under 100 ms: one 100 ms unit
                assertThat(costNanos).as(id).isEqualTo(1_000 + 8 * 100);
                assertThat(r.get("cost").asText()).isEqualTo("0.0000018");
            }
        }
        assertThat(records.get(0).get("coldStart").asBoolean()).isTrue();
        assertThat(records.get(0).get("billedMs").asLong()).isGreaterThan(1); // the load was billed to it
        JsonNode summary = http.get("/billing/summary").json().get(0);
        long sum = 0;
        for (JsonNode r : records) {
            sum += new BigDecimal(r.get("cost").asText()).movePointRight(9).longValueExact();
        }
        assertThat(new BigDecimal(summary.get("cost").asText()).movePointRight(9).longValueExact()).isEqualTo(sum);
        assertThat(http.get("/admin/prices/history").json()).hasSize(2);
    }

    private static String infer(Http http, int seed) {
        Http.Reply reply = http.post("/v2/models/vad/infer",
                SileroRequests.json("r" + seed, SileroRequests.audio(seed)));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.header("torpor-request-id");
    }
}
