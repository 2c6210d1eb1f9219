package dev.torpor.router.activation;

import static dev.torpor.router.activation.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConcurrencyWindowTest {

    @Test
    void demandIsTimeWeightedBetweenChangesAndAveragedPerWindow() {
        ConcurrencyWindow window = new ConcurrencyWindow();
        window.observe(0, T0);
        window.observe(4, T0.plusMillis(500)); // 0 for half a second, then 4
        window.tick(T0.plusSeconds(1), Duration.ofSeconds(10));
        assertThat(window.average(T0.plusSeconds(1), Duration.ofSeconds(1))).isCloseTo(2.0, within(1e-9));

        window.tick(T0.plusSeconds(2), Duration.ofSeconds(10)); // 4 all along
        assertThat(window.average(T0.plusSeconds(2), Duration.ofSeconds(1))).isCloseTo(4.0, within(1e-9));
        assertThat(window.average(T0.plusSeconds(2), Duration.ofSeconds(10))).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void bucketsOlderThanTheStableWindowAreForgotten() {
        ConcurrencyWindow window = new ConcurrencyWindow();
        window.observe(8, T0);
        window.tick(T0.plusSeconds(1), Duration.ofSeconds(3));
        window.observe(0, T0.plusSeconds(1));
        for (int second = 2; second <= 5; second++) {
            window.tick(T0.plusSeconds(second), Duration.ofSeconds(3));
        }
        assertThat(window.average(T0.plusSeconds(5), Duration.ofSeconds(60))).isZero();
    }
}
