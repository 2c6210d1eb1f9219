package dev.torpor.router.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.error.BadRequest;
import org.junit.jupiter.api.Test;

/** Costs computed by hand, in nano-units. */
class PricesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // 0.0000002 per request, 0.000016 per GB-s, 0.0005 per GPU-s
    private final Prices prices = new Prices(1, "USD", 200, 16_000, 500_000, 1, false);

    @Test
    void cpuRequestPaysPerRequestPlusGbSeconds() {
        // 512 MB = 0.5 GB; 3 ms → 0.0015 GB-s × 16000 = 24; + 200
        assertThat(prices.costNanos(true, "cpu", 512, 3)).isEqualTo(224);
        assertThat(prices.costNanos(true, null, 512, 0)).isEqualTo(200); // never ran: the request price only
        assertThat(Units.nanosToDecimal(prices.costNanos(true, "cpu", 512, 3))).isEqualTo("0.000000224");
    }

    @Test
    void gpuRequestPaysGpuSecondsAndNoMemoryPrice() {
        // 250 ms on gpu:0 → 0.25 GPU-s × 500000 = 125000; + 200; its 16000 MB of GPU memory are in the GPU price
        assertThat(prices.costNanos(true, "gpu:0", 16_000, 250)).isEqualTo(125_200);
    }

    @Test
    void instanceTimeHasNoRequestPrice() {
        // 1024 MB for 60 s = 60 GB-s × 16000 = 960000
        assertThat(prices.costNanos(false, "cpu", 1024, 60_000)).isEqualTo(960_000);
    }

    @Test
    void roundsHalfUpOnceAtTheEnd() {
        Prices p = new Prices(1, "USD", 0, 8_000, 0, 1, false);
        // 64 MB × 1 ms × 8000 / 1024000 = 0.5 → 1
        assertThat(p.costNanos(true, "cpu", 64, 1)).isEqualTo(1);
        // 64 MB × 1 ms × 7999 / 1024000 = 0.49992… → 0
        assertThat(new Prices(1, "USD", 0, 7_999, 0, 1, false).costNanos(true, "cpu", 64, 1)).isZero();
    }

    @Test
    void billedTimeRoundsUpToTheGranularityAndBillsColdStartsOnlyWhenAsked() {
        assertThat(prices.billedMs(1, 0, false)).isEqualTo(1);          // 1 µs → 1 ms
        assertThat(prices.billedMs(1_000, 0, false)).isEqualTo(1);
        assertThat(prices.billedMs(1_001, 0, false)).isEqualTo(2);
        assertThat(prices.billedMs(0, 0, false)).isZero();
        assertThat(prices.billedMs(400, 48_000, true)).isEqualTo(1);    // init not billed by default
        Prices cold = new Prices(2, "USD", 0, 0, 0, 100, true);
        assertThat(cold.billedMs(400, 48_000, true)).isEqualTo(100);    // 48.4 ms → 100 ms
        assertThat(cold.billedMs(400, 148_000, true)).isEqualTo(200);   // 148.4 ms → 200 ms
        assertThat(cold.billedMs(400, 148_000, false)).isEqualTo(100);  // warm: the init is not this request's
    }

    @Test
    void documentsMergeValidateAndNameTheField() throws Exception {
        Prices merged = PriceDocument.merge(prices, JSON.readTree("{\"perRequest\": \"0.000001\", \"granularityMs\": 100}"), 2);
        assertThat(merged).isEqualTo(new Prices(2, "USD", 1_000, 16_000, 500_000, 100, false));
        assertThat(PriceDocument.view(merged).get("perRequest")).isEqualTo("0.000001");
        String[][] bad = {
                {"{\"perRequest\": \"-1\"}", "perRequest"},
                {"{\"perGbSecond\": \"0.0000000001\"}", "perGbSecond"},
                {"{\"perGpuSecond\": \"abc\"}", "perGpuSecond"},
                {"{\"granularityMs\": 0}", "granularityMs"},
                {"{\"currency\": \"usd\"}", "currency"},
                {"{\"billColdStart\": \"yes\"}", "billColdStart"},
                {"{\"version\": 9}", "version"},
                {"[]", "JSON object"}};
        for (String[] c : bad) {
            assertThatThrownBy(() -> PriceDocument.merge(prices, JSON.readTree(c[0]), 2)).as(c[0])
                    .isInstanceOf(BadRequest.class).hasMessageContaining(c[1]);
        }
    }
}
