package dev.torpor.router.billing;

import static dev.torpor.router.billing.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BillingFormatTest {
    /** Copied from API.md's example record, in its order. */
    static final List<String> API_FIELDS = List.of("id", "kind", "startedAt", "tenant", "owner", "model", "version",
            "instanceId", "device", "coldStart", "queueMs", "initMs", "computeMs", "billedMs", "memoryMb",
            "gbSeconds", "gpuSeconds", "status", "httpStatus", "requestBytes", "responseBytes", "cost", "currency",
            "priceVersion");

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void jsonHasExactlyApiFieldNamesInApiOrder() throws Exception {
        JsonNode json = mapper.readTree(BillingJson.toJson(record().build()));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(API_FIELDS);
    }

    @Test
    void jsonValuesMatchApiExample() throws Exception {
        BillingRecord r = record().id("01JD0000000000000000000000").startedAt(Instant.parse("2026-11-30T14:59:06.123456Z"))
                .times(0, 48_000, 1_000, 1).memoryMb(64).gpuMicros(0).costNanos(1040).build();
        String text = BillingJson.toJson(r);
        JsonNode expected = mapper.readTree("""
                {"id": "01JD0000000000000000000000", "kind": "request", "startedAt": "2026-11-30T14:59:06.123Z",
                 "tenant": "default", "owner": "acme", "model": "vad", "version": "1", "instanceId": "vad-1-7f3a",
                 "device": "cpu", "coldStart": true, "queueMs": 0, "initMs": 48, "computeMs": 1,
                 "billedMs": 1, "memoryMb": 64, "gbSeconds": 0.0000625, "gpuSeconds": 0,
                 "status": "ok", "httpStatus": 200, "requestBytes": 5321, "responseBytes": 1210,
                 "cost": "0.00000104", "currency": "USD", "priceVersion": 1}""");
        assertThat(mapper.readTree(text)).isEqualTo(expected);
        // Plain numbers as written, never an exponent.
        assertThat(text).contains("\"initMs\":48,", "\"gbSeconds\":0.0000625,", "\"queueMs\":0,")
                .doesNotContain("E+", "E-");
    }

    @Test
    void jsonWritesNullsAndFractionalMilliseconds() throws Exception {
        BillingRecord r = record().instanceId(null).device(null).times(1_250, 1, 999_999, 5)
                .kind(RecordKind.INSTANCE_TIME).status(BillingStatus.CLIENT_ERROR).gpuMicros(1_500_000).build();
        JsonNode json = mapper.readTree(BillingJson.toJson(r));
        assertThat(json.get("instanceId").isNull()).isTrue();
        assertThat(json.get("device").isNull()).isTrue();
        assertThat(json.get("queueMs").decimalValue()).isEqualByComparingTo("1.25");
        assertThat(json.get("initMs").decimalValue()).isEqualByComparingTo("0.001");
        assertThat(json.get("computeMs").decimalValue()).isEqualByComparingTo("999.999");
        assertThat(json.get("gpuSeconds").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(json.get("kind").asText()).isEqualTo("instance_time");
        assertThat(json.get("status").asText()).isEqualTo("client_error");
    }

    @Test
    void pageJsonHasRecordsThenNext() throws Exception {
        String last = BillingJson.toJson(new BillingQuery.Page(List.of(record().build()), null));
        assertThat(last).endsWith(",\"next\":null}").startsWith("{\"records\":[{\"id\":");
        JsonNode more = mapper.readTree(BillingJson.toJson(new BillingQuery.Page(List.of(), "djE6Nw")));
        assertThat(more.get("records").size()).isZero();
        assertThat(more.get("next").asText()).isEqualTo("djE6Nw");
    }

    @Test
    void costFormatting() {
        assertThat(Units.nanosToDecimal(0)).isEqualTo("0");
        assertThat(Units.nanosToDecimal(1)).isEqualTo("0.000000001");
        assertThat(Units.nanosToDecimal(1040)).isEqualTo("0.00000104");
        assertThat(Units.nanosToDecimal(1_000_000_000)).isEqualTo("1");
        assertThat(Units.nanosToDecimal(12_500_000_000L)).isEqualTo("12.5");
        assertThat(record().costNanos(1040).build().cost()).isEqualTo("0.00000104");
    }

    @Test
    void derivedUnitsAreExact() {
        assertThat(Units.gbSeconds(64)).isEqualTo(new BigDecimal("0.0000625"));
        assertThat(Units.gbSeconds(1024L * 1000)).isEqualTo(new BigDecimal("1"));
        assertThat(Units.gbSeconds(3)).isEqualTo(new BigDecimal("0.0000029296875"));
        assertThat(Units.microsToMillis(48_000).toPlainString()).isEqualTo("48");
        assertThat(Units.microsToMillis(0).toPlainString()).isEqualTo("0");
        assertThat(Units.microsToSeconds(1).toPlainString()).isEqualTo("0.000001");
    }

    @Test
    void startedAtKeepsMicrosecondsAndPrintsMilliseconds() {
        BillingRecord r = record().startedAt(Instant.parse("2026-01-02T03:04:05.000001999Z")).build();
        assertThat(r.startedAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05.000001Z"));
        assertThat(Units.formatTimestamp(r.startedAt())).isEqualTo("2026-01-02T03:04:05.000Z");
        assertThat(Units.fromEpochMicros(Units.toEpochMicros(r.startedAt()))).isEqualTo(r.startedAt());
        Instant before = Instant.parse("1969-12-31T23:59:59.999999Z");
        assertThat(Units.fromEpochMicros(Units.toEpochMicros(before))).isEqualTo(before);
        assertThat(Units.ceilEpochMicros(Instant.ofEpochSecond(0, 1))).isEqualTo(1);
        assertThat(Units.ceilEpochMicros(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void csvHeaderIsApiFieldsInOrder() {
        String csv = BillingCsv.toCsv(List.of());
        assertThat(csv).isEqualTo(String.join(",", API_FIELDS) + "\r\n");
        assertThat(BillingColumns.names()).containsExactlyElementsOf(API_FIELDS);
    }

    @Test
    void csvRowQuotesCommaQuoteAndNewlineAndLeavesNullsEmpty() {
        BillingRecord r = record().id("01X").startedAt(Instant.parse("2026-11-30T14:59:06.123Z"))
                .tenant("a,b").model("say \"hi\"").instanceId("line1\nline2").device(null)
                .times(0, 48_000, 1_000, 1).costNanos(1040).build();
        String row = BillingCsv.toCsv(List.of(r)).split("\r\n", 2)[1];
        assertThat(row).isEqualTo("01X,request,2026-11-30T14:59:06.123Z,\"a,b\",acme,\"say \"\"hi\"\"\",1,"
                + "\"line1\nline2\",,true,0,48,1,1,64,0.0000625,0,ok,200,5321,1210,0.00000104,USD,1\r\n");
        assertThat(BillingCsv.quote("plain")).isEqualTo("plain");
        assertThat(BillingCsv.quote("cr\r")).isEqualTo("\"cr\r\"");
    }

    @Test
    void csvHasOneValuePerHeaderColumn() {
        String csv = BillingCsv.toCsv(List.of(record().build(), record().build()));
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            assertThat(line.split(",", -1)).hasSize(API_FIELDS.size());
        }
    }

    @Test
    void summaryJsonFieldsInApiOrder() throws Exception {
        SummaryRow row = new SummaryRow("vad", 3, 1, 2, 2_500, 7, 64 * 7, 1_000_000, 3120, "USD");
        JsonNode json = mapper.readTree(BillingJson.summaryToJson(List.of(row))).get(0);
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("key", "requests", "errors", "coldStarts", "computeMs", "billedMs",
                "gbSeconds", "gpuSeconds", "cost", "currency");
        assertThat(json.get("computeMs").decimalValue()).isEqualByComparingTo("2.5");
        assertThat(json.get("gbSeconds").decimalValue()).isEqualByComparingTo("0.0004375");
        assertThat(json.get("gpuSeconds").decimalValue()).isEqualByComparingTo("1");
        assertThat(json.get("cost").asText()).isEqualTo("0.00000312");
    }

    @Test
    void recordRejectsNegativeAmountsAndBlankNames() {
        assertThatThrownBy(() -> record().costNanos(-1).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("costNanos");
        assertThatThrownBy(() -> record().tenant(" ").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
    }

    @Test
    void enumsRoundTripTheirWireNames() {
        for (BillingStatus s : BillingStatus.values()) {
            assertThat(BillingStatus.fromWire(s.wireName())).isSameAs(s);
        }
        for (RecordKind k : RecordKind.values()) {
            assertThat(RecordKind.fromWire(k.wireName())).isSameAs(k);
        }
        assertThat(BillingStatus.SERVER_ERROR.wireName()).isEqualTo("server_error");
        assertThatThrownBy(() -> BillingStatus.fromWire("OK")).isInstanceOf(IllegalArgumentException.class);
    }
}
