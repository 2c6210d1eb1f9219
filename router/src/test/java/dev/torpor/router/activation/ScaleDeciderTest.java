package dev.torpor.router.activation;

import static dev.torpor.router.activation.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.router.activation.ScaleDecider.Decision;
import dev.torpor.router.activation.ScaleDecider.Snapshot;
import dev.torpor.router.activation.ScaleDecider.State;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The KPA-style decisions as a pure function: concurrencyPerInstance 4 × target 0.5 = 2 per instance. */
class ScaleDeciderTest {
    private final ScaleDecider decider = new ScaleDecider(new ScalingSettings(0.5, Duration.ofSeconds(60),
            Duration.ofSeconds(6), 2.0, Duration.ofSeconds(1)));

    private static Snapshot load(int live, double stable, double panic) {
        return new Snapshot(live, live, stable, panic, 0, 10, 4);
    }

    @Test
    void steadyLoadKeepsCeilOfDemandOverTargetPerInstance() {
        Decision steady = decider.decide(load(3, 6, 6), State.CALM, T0);
        assertThat(steady.desired()).isEqualTo(3);
        assertThat(steady.state().panicking()).isFalse();
        assertThat(decider.decide(load(3, 6.2, 6.2), State.CALM, T0).desired()).isEqualTo(4);
    }

    @Test
    void aBurstPanicsAndScalesUpFromThePanicWindowAtOnce() {
        // One instance; the stable window has barely seen the burst, the panic window has.
        Decision burst = decider.decide(load(1, 1.5, 10), State.CALM, T0);
        assertThat(burst.state().panicking()).isTrue();
        assertThat(burst.desired()).isEqualTo(5);
        // Without a burst the same stable demand would ask for one instance only.
        assertThat(decider.decide(load(1, 1.5, 1.5), State.CALM, T0).desired()).isEqualTo(1);
    }

    @Test
    void panicNeverScalesDownAndEndsAStableWindowAfterTheLastBurst() {
        State state = decider.decide(load(1, 1, 10), State.CALM, T0).state();
        Instant t = T0;
        for (int second = 1; second < 60; second++) {
            t = T0.plusSeconds(second);
            Decision calmer = decider.decide(load(5, 3, 1), state, t);
            assertThat(calmer.desired()).as("second %d", second).isEqualTo(5);
            assertThat(calmer.state().panicking()).isTrue();
            state = calmer.state();
        }
        Decision over = decider.decide(load(5, 3, 1), state, T0.plusSeconds(60));
        assertThat(over.state().panicking()).isFalse();
        assertThat(over.desired()).isEqualTo(2);
    }

    @Test
    void aNewBurstWhilePanickingExtendsThePanicAndCanRaiseThePeak() {
        State state = decider.decide(load(1, 1, 10), State.CALM, T0).state();
        Decision again = decider.decide(load(5, 4, 30), state, T0.plusSeconds(30));
        assertThat(again.desired()).isEqualTo(10); // 15 wanted, clamped to maxInstances
        assertThat(again.state().panicSince()).isEqualTo(T0.plusSeconds(30));
        assertThat(decider.decide(load(10, 4, 1), again.state(), T0.plusSeconds(80)).desired()).isEqualTo(10);
        assertThat(decider.decide(load(10, 4, 1), again.state(), T0.plusSeconds(90)).desired()).isEqualTo(2);
    }

    @Test
    void loadStopsAtOneInstanceAndOnlyTheIdleTimeoutGoesToZero() {
        assertThat(decider.decide(load(4, 0, 0), State.CALM, T0).desired()).isEqualTo(1);
        assertThat(decider.decide(load(0, 0, 0), State.CALM, T0).desired()).isZero();
        // Reaped or evicted: past demand in the windows does not bring it back; a request will.
        assertThat(decider.decide(load(0, 3, 3), State.CALM, T0).desired()).isZero();
        Snapshot warm = new Snapshot(4, 4, 0, 0, 2, 10, 4);
        assertThat(decider.decide(warm, State.CALM, T0).desired()).isEqualTo(2);
        Snapshot warmAtZero = new Snapshot(0, 0, 0, 0, 2, 10, 4);
        assertThat(decider.decide(warmAtZero, State.CALM, T0).desired()).isEqualTo(2);
    }

    @Test
    void aColdModelsWaitingDemandAsksForMoreThanTheFirstInstance() {
        // One instance loading (not READY), 16 requests queued for the last second.
        Decision cold = decider.decide(new Snapshot(1, 0, 16, 16, 0, 4, 4), State.CALM, T0);
        assertThat(cold.desired()).isEqualTo(4);
        assertThat(cold.state().panicking()).isTrue();
    }

    @Test
    void theResultIsClampedToMaxInstances() {
        assertThat(decider.decide(new Snapshot(1, 1, 100, 100, 0, 3, 4), State.CALM, T0).desired()).isEqualTo(3);
    }
}
