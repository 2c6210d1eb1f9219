package dev.torpor.router.activation;

import static dev.torpor.router.activation.Fixtures.ARTIFACT;
import static dev.torpor.router.activation.Fixtures.REQUEST;
import static dev.torpor.router.activation.Fixtures.T0;
import static dev.torpor.router.activation.Fixtures.manifest;
import static dev.torpor.router.activation.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.pool.DevicePreference;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.pool.Device;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The rules a {@link ModelGate} keeps itself, and its demand that every change holds the pool's lock. */
class ModelGateTest {
    private final PoolLock lock = new PoolLock();
    private final ModelGate gate = new ModelGate(manifest("vad", "1").id(), lock, manifest("vad", "1"), ARTIFACT,
            policy());

    private static Invocation request() {
        return new Invocation(REQUEST, T0, Duration.ofSeconds(30));
    }

    @Test
    void changingAGateWithoutThePoolsLockFailsAtOnce() {
        assertThat(ModelGateTest.class.desiredAssertionStatus()).as("tests run with -ea").isTrue();
        assertThatThrownBy(() -> gate.enqueue(request())).isInstanceOf(AssertionError.class)
                .hasMessageContaining("lock");
        assertThatThrownBy(gate::takeAllWaiting).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> gate.placement().awaitCapacity("full")).isInstanceOf(AssertionError.class);
        synchronized (lock) {
            gate.enqueue(request());
            assertThat(gate.queued()).isEqualTo(1);
        }
    }

    @Test
    void takingWhatWaitsTakesTheQueueAndTheWakesTogetherAndEndsTheWaitForAPlacement() {
        synchronized (lock) {
            Invocation queued = request();
            gate.enqueue(queued);
            CompletableFuture<Void> wake = gate.awaitWake();
            gate.placement().awaitCapacity("the pool is full");

            Waiting waiting = gate.takeAllWaiting();

            assertThat(waiting.requests()).containsExactly(queued);
            assertThat(waiting.wakes()).containsExactly(wake);
            assertThat(gate.hasQueued()).isFalse();
            assertThat(gate.hasWakeWaiters()).isFalse();
            assertThat(gate.placement().isWaiting()).isFalse();
        }
    }

    @Test
    void aGateWaitsForAPlacementOnlyWhileSomethingWaitsForCapacity() {
        synchronized (lock) {
            Invocation queued = request();
            gate.enqueue(queued);
            gate.awaitWake();
            gate.placement().awaitCapacity("the pool is full");

            gate.withdraw(queued, T0);
            assertThat(gate.placement().isWaiting()).as("a wake still waits").isTrue();
            gate.takeWakeWaiters();
            gate.settle();
            assertThat(gate.placement().isWaiting()).isFalse();
            assertThat(gate.placement().noCapacityNote()).isEmpty();
        }
    }

    @Test
    void aGpuLoadFailureMovesADeviceAnyVersionToTheCpuOnce() {
        ServingPolicy any = new ServingPolicy(DevicePreference.ANY, 64, 0, 4, 4, Duration.ofSeconds(300), 100,
                Duration.ofSeconds(30), RuntimeOptions.DEFAULT);
        InstanceSlot onGpu = new InstanceSlot(new FakeInstance("i-1", T0), Device.gpu(0, "H100", 80_000), 64);
        InstanceSlot onCpu = new InstanceSlot(new FakeInstance("i-2", T0), Device.cpu(1024), 64);
        synchronized (lock) {
            assertThat(gate.fallBackFromGpu(onGpu)).as("device cpu never falls back").isFalse();
            gate.applyPolicy(any);
            assertThat(gate.fallBackFromGpu(onCpu)).isFalse();
            assertThat(gate.gpuAllowed()).isTrue();

            assertThat(gate.fallBackFromGpu(onGpu)).isTrue();
            assertThat(gate.gpuAllowed()).isFalse();
            assertThat(gate.fallBackFromGpu(onGpu)).as("only once").isFalse();
        }
    }

    @Test
    void aRetiredGateHandsOverWhatWaited() {
        synchronized (lock) {
            Invocation queued = request();
            gate.enqueue(queued);
            assertThat(gate.retire().requests()).containsExactly(queued);
            assertThat(gate.isRetiring()).isTrue();
            assertThat(gate.hasQueued()).isFalse();
        }
    }
}
