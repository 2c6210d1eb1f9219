package dev.torpor.router.activation;

import static dev.torpor.router.activation.Fixtures.ARTIFACT;
import static dev.torpor.router.activation.Fixtures.REQUEST;
import static dev.torpor.router.activation.Fixtures.T0;
import static dev.torpor.router.activation.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.pool.DevicePreference;
import dev.torpor.fixtures.MutableClock;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.pool.Device;
import dev.torpor.store.ModelManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Decide-then-apply over time with a fake clock: a step load of concurrency 1 → 16 → 0 on a model with
 * concurrencyPerInstance 2, target 0.5 (one instance per request in flight), maxInstances 8.
 */
class AutoscalerTest {
    private final MutableClock clock = new MutableClock(T0);
    private final FakeLauncher launcher = new FakeLauncher(clock);
    private final Activator activator = new Activator(launcher, () -> List.of(Device.cpu(100_000)), clock);
    private final Autoscaler autoscaler = new Autoscaler(activator, new ScalingSettings(0.5, Duration.ofSeconds(10),
            Duration.ofSeconds(2), 2.0, Duration.ofSeconds(1)));
    private final Reaper reaper = new Reaper(activator);
    private final ModelManifest model = manifest("m", "1");
    private final ServingPolicy policy = new ServingPolicy(DevicePreference.CPU, 64, 0, 8, 2, Duration.ofSeconds(30), 1000,
            Duration.ofMinutes(10), RuntimeOptions.DEFAULT);
    private final List<Invocation> open = new ArrayList<>();

    private void arrive(int count) {
        for (int i = 0; i < count; i++) {
            Invocation invocation = new Invocation(REQUEST, clock.instant(), policy.requestTimeout());
            activator.submit(model, ARTIFACT, policy, invocation);
            open.add(invocation);
        }
        readyAll();
    }

    /** Every launched instance finishes loading at once and holds its runs until the test answers them. */
    private void readyAll() {
        for (FakeInstance instance : launcher.launched) {
            if (!instance.loading.isDone()) {
                instance.answerAtOnce = false;
                instance.finishLoad(Duration.ofMillis(100));
            }
        }
    }

    private void finishAll() {
        for (FakeInstance instance : launcher.launched) {
            while (!instance.pending.isEmpty()) {
                instance.answerOne();
            }
        }
    }

    private int tick() {
        clock.advance(Duration.ofSeconds(1));
        autoscaler.tick(clock.instant());
        readyAll();
        return activator.instances("m").stream().filter(i -> i.state() != dev.torpor.function.InstanceState.DRAINING)
                .toList().size();
    }

    @Test
    void stepLoadScalesUpInPanicHoldsThenDecaysToOneAndTheIdleTimeoutTakesItToZero() {
        arrive(1);
        for (int second = 0; second < 5; second++) {
            assertThat(tick()).as("steady concurrency 1").isEqualTo(1);
        }

        arrive(15); // the step: 16 in flight or queued
        assertThat(tick()).as("one tick after the step: panic, 16 wanted, clamped to maxInstances").isEqualTo(8);
        assertThat(activator.queuedTotal()).isZero();
        for (int second = 0; second < 5; second++) {
            assertThat(tick()).isEqualTo(8);
        }

        // The load stops. Panic holds the count for a stable window after the last burst, then it decays.
        finishAll();
        open.forEach(invocation -> assertThat(invocation.result()).isCompleted());
        List<Integer> after = new ArrayList<>();
        for (int second = 0; second < 20; second++) {
            after.add(tick());
        }
        assertThat(after.get(0)).isEqualTo(8);
        assertThat(after.get(after.size() - 1)).isEqualTo(1);
        for (int i = 1; i < after.size(); i++) {
            assertThat(after.get(i)).isLessThanOrEqualTo(after.get(i - 1));
        }

        // Only the idle timeout takes the last one to zero.
        clock.advance(Duration.ofSeconds(30));
        reaper.sweep(clock.instant());
        awaitNoInstances();
        assertThat(tick()).isZero();
    }

    @Test
    void aColdBurstWakesOneInstanceFirstAndTheDeciderAddsMoreFromItsDemand() {
        for (int i = 0; i < 6; i++) {
            activator.submit(model, ARTIFACT, policy, new Invocation(REQUEST, clock.instant(), policy.requestTimeout()));
        }
        assertThat(launcher.launched).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        autoscaler.tick(clock.instant());
        assertThat(launcher.launched).hasSize(6);
    }

    @Test
    void aBrokenModelIsNotRelaunchedByTheAutoscalerDuringItsBackoff() {
        activator.submit(model, ARTIFACT, policy, new Invocation(REQUEST, clock.instant(), policy.requestTimeout()));
        launcher.last().failLoad(new dev.torpor.error.ModelLoadFailed("broken", null));
        clock.advance(Duration.ofMillis(500));
        autoscaler.tick(clock.instant());
        assertThat(launcher.launched).hasSize(1);
    }

    private void awaitNoInstances() {
        long until = System.nanoTime() + 5_000_000_000L;
        while (!activator.poolState().instances().isEmpty() && System.nanoTime() < until) {
            LockSupport.parkNanos(1_000_000);
        }
        assertThat(activator.poolState().instances()).isEmpty();
    }
}
