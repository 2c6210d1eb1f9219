package dev.torpor.router.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BillingSettingsTest {

    private static BillingSettings bind(String currency, String perRequest, int granularityMs, long intervalSeconds,
                                        long retentionDays, String ledger) {
        return new BillingSettings(currency, perRequest, "0", "0.5", granularityMs, true, intervalSeconds,
                retentionDays, ledger);
    }

    @Test
    void goodValuesBindToTheSeedPricesAndTheLedgersSettings() {
        BillingSettings settings = bind(" EUR ", " 0.0000002 ", 100, 30, 7, "off");
        assertThat(settings.defaultPrices()).isEqualTo(new Prices(1, "EUR", 200, 0, 500_000_000, 100, true));
        assertThat(settings.instanceTimeInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(settings.enabled()).isFalse();
        BillingSettings defaults = new BillingSettings("USD", "0", "0", "0", 1, false, 60, 0, "on");
        assertThat(defaults.defaultPrices()).isEqualTo(new Prices(1, "USD", 0, 0, 0, 1, false));
        assertThat(defaults.retention()).as("0 keeps records for ever").isNull();
        assertThat(defaults.enabled()).isTrue();
    }

    @Test
    void aBadValueIsRefusedNamingItsVariable() {
        assertThatThrownBy(() -> bind("usd", "0", 1, 60, 0, "on"))
                .hasMessageStartingWith("TORPOR_PRICE_CURRENCY must be three upper-case letters");
        assertThatThrownBy(() -> bind("USD", "free", 1, 60, 0, "on"))
                .hasMessage("TORPOR_PRICE_PER_REQUEST must be a decimal such as 0.0000002, got 'free'");
        assertThatThrownBy(() -> bind("USD", "-1", 1, 60, 0, "on")).hasMessageContaining("TORPOR_PRICE_PER_REQUEST");
        assertThatThrownBy(() -> bind("USD", "0", 0, 60, 0, "on"))
                .hasMessage("TORPOR_BILLING_GRANULARITY_MS must be between 1 and 3600000, got 0");
        assertThatThrownBy(() -> bind("USD", "0", 1, 61, 0, "on"))
                .hasMessage("TORPOR_INSTANCE_TIME_INTERVAL_SECONDS must be between 1 and 60, got 61");
        assertThatThrownBy(() -> bind("USD", "0", 1, 60, 0, "yes"))
                .hasMessage("TORPOR_BILLING_LEDGER must be on or off, got 'yes'");
    }
}
