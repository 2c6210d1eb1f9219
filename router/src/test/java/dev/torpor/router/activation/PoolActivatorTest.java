package dev.torpor.router.activation;

import static dev.torpor.router.activation.Fixtures.ARTIFACT;
import static dev.torpor.router.activation.Fixtures.REQUEST;
import static dev.torpor.router.activation.Fixtures.T0;
import static dev.torpor.router.activation.Fixtures.failureOf;
import static dev.torpor.router.activation.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.pool.DevicePreference;
import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.QueueFull;
import dev.torpor.fixtures.MutableClock;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.pool.Device;
import dev.torpor.pool.PoolLimits;
import dev.torpor.store.ModelManifest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The activator inside a limited pool: fake devices (a CPU budget and two 16 GB GPUs), fake instances. */
class PoolActivatorTest {
    private final MutableClock clock = new MutableClock(T0);
    private final FakeLauncher launcher = new FakeLauncher(clock);
    private final AtomicReference<PoolLimits> limits = new AtomicReference<>(PoolLimits.UNLIMITED);
    private final List<Device> devices = List.of(Device.cpu(8192), Device.gpu(0, "Fake", 16384),
            Device.gpu(1, "Fake", 16384));
    private final Activator activator = new Activator(launcher, () -> devices, limits::get, clock);

    private static ServingPolicy policy(String device, long memoryMb) {
        return new ServingPolicy(DevicePreference.parse("device", device), memoryMb, 0, 4, 1, Duration.ofSeconds(300), 100, Duration.ofSeconds(30),
                RuntimeOptions.DEFAULT);
    }

    private Invocation submit(ModelManifest model, ServingPolicy policy) {
        Invocation invocation = new Invocation(REQUEST, clock.instant(), policy.requestTimeout());
        activator.submit(model, ARTIFACT, policy, invocation);
        return invocation;
    }

    /** Waits for the stopper thread (instances stop off the caller's thread); bounded, never sleeps on time. */
    private static void eventually(BooleanSupplier condition) {
        long until = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not reached within 5 s");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Serves one request on a fresh instance of the model and leaves the instance idle. */
    private FakeInstance warm(ModelManifest model, ServingPolicy policy) {
        Invocation first = submit(model, policy);
        FakeInstance instance = launcher.last();
        instance.finishLoad(Duration.ofMillis(5));
        assertThat(first.result()).succeedsWithin(Duration.ofSeconds(5));
        return instance;
    }

    @Test
    void aThirdModelEvictsTheLeastRecentlyUsedIdleInstanceAndIsServed() {
        limits.set(new PoolLimits(2, null, null, null, null, null, null, null));
        FakeInstance a = warm(manifest("a", "1"), policy("cpu", 100));
        clock.advance(Duration.ofSeconds(1));
        FakeInstance b = warm(manifest("b", "1"), policy("cpu", 100));
        clock.advance(Duration.ofSeconds(1));

        Invocation c = submit(manifest("c", "1"), policy("cpu", 100));

        assertThat(a.awaitStoppedQuietly()).isTrue();
        assertThat(b.isStopped()).isFalse();
        eventually(() -> launcher.launched.size() == 3);
        launcher.last().finishLoad(Duration.ofMillis(5));
        assertThat(c.result()).succeedsWithin(Duration.ofSeconds(5));
        assertThat(activator.instances("a")).isEmpty();
        assertThat(activator.poolState().instances()).hasSize(2);
    }

    @Test
    void withNothingIdleToEvictTheRequestWaitsThen504sNamingWhy() {
        limits.set(new PoolLimits(1, null, null, null, null, null, null, null));
        Invocation first = submit(manifest("a", "1"), policy("cpu", 100));
        FakeInstance a = launcher.last();
        a.answerAtOnce = false;
        a.finishLoad(Duration.ofMillis(5));
        assertThat(a.pending).hasSize(1); // busy

        ServingPolicy quick = new ServingPolicy(DevicePreference.CPU, 100, 0, 4, 1, Duration.ofSeconds(300), 100,
                Duration.ofSeconds(1), RuntimeOptions.DEFAULT);
        Invocation waiting = submit(manifest("b", "1"), quick);
        assertThat(launcher.launched).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        activator.expireOverdue(clock.instant());

        assertThat(failureOf(waiting)).isInstanceOf(DeadlineExceeded.class).hasMessageContaining("maxInstances 1");
        a.answerOne();
        assertThat(first.result()).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void raisingALimitServesWaitingRequestsAtOnce() {
        limits.set(new PoolLimits(1, null, null, null, null, null, null, null));
        submit(manifest("a", "1"), policy("cpu", 100));
        launcher.last().answerAtOnce = false;
        launcher.last().finishLoad(Duration.ofMillis(5));
        Invocation waiting = submit(manifest("b", "1"), policy("cpu", 100));
        assertThat(launcher.launched).hasSize(1);

        limits.set(new PoolLimits(2, null, null, null, null, null, null, null));
        activator.limitsChanged();

        assertThat(launcher.launched).hasSize(2);
        launcher.last().finishLoad(Duration.ofMillis(5));
        assertThat(waiting.result()).isCompleted();
    }

    @Test
    void loweringALimitDrainsSurplusInstancesWithoutKillingARequestInFlight() {
        FakeInstance idle = warm(manifest("a", "1"), policy("cpu", 100));
        Invocation busyFirst = submit(manifest("b", "1"), policy("cpu", 100));
        FakeInstance busy = launcher.last();
        busy.answerAtOnce = false;
        busy.finishLoad(Duration.ofMillis(5));
        clock.advance(Duration.ofSeconds(1));
        FakeInstance newest = warm(manifest("c", "1"), policy("cpu", 100));

        limits.set(new PoolLimits(1, null, null, null, null, null, null, null));
        activator.limitsChanged();

        assertThat(idle.awaitStoppedQuietly()).isTrue();
        assertThat(newest.awaitStoppedQuietly()).isTrue();
        assertThat(busy.isStopped()).isFalse();
        assertThat(busyFirst.result()).isNotDone();
        // The stopper thread forgets a stopped instance just after its stop returns: wait for that, too.
        eventually(() -> activator.poolState().instances().size() == 1);
        assertThat(activator.poolState().instances()).hasSize(1);
        busy.answerOne();
        assertThat(busyFirst.result()).isCompleted();
    }

    @Test
    void aModelNoDeviceCanHoldIsRefusedAtOnceWith503() {
        Invocation huge = submit(manifest("huge", "1"), policy("gpu", 20_000));
        assertThat(failureOf(huge)).isInstanceOf(CapacityExhausted.class).hasMessageContaining("needs 20000 MiB");
        assertThat(((CapacityExhausted) failureOf(huge)).kind()).isEqualTo(ErrorKind.CAPACITY_EXHAUSTED);
        assertThat(((CapacityExhausted) failureOf(huge)).retryAfter()).isPresent();
        assertThat(launcher.launched).isEmpty();
    }

    @Test
    void aFullPoolQueueRefusesWith429() {
        limits.set(new PoolLimits(null, null, null, null, null, null, 2, null));
        submit(manifest("a", "1"), policy("cpu", 100));
        submit(manifest("b", "1"), policy("cpu", 100));
        Invocation third = submit(manifest("c", "1"), policy("cpu", 100));
        assertThat(failureOf(third)).isInstanceOf(QueueFull.class).hasMessageContaining("maxQueuedTotal 2");
        assertThat(((QueueFull) failureOf(third)).retryAfter()).isPresent();
    }

    @Test
    void waitingModelsAreServedInArrivalOrderWhenCapacityFrees() {
        limits.set(new PoolLimits(1, null, null, null, null, null, null, null));
        submit(manifest("hot", "1"), policy("cpu", 100));
        FakeInstance hot = launcher.last();
        hot.answerAtOnce = false;
        hot.finishLoad(Duration.ofMillis(5));
        Invocation b = submit(manifest("b", "1"), policy("cpu", 100));
        clock.advance(Duration.ofMillis(1));
        Invocation c = submit(manifest("c", "1"), policy("cpu", 100));
        // More of the hot model keeps arriving; its own queue does not jump ahead of b and c.
        submit(manifest("hot", "1"), policy("cpu", 100));

        activator.scaleToZero(manifest("hot", "1").id()); // drains once its request finishes
        hot.answerOne();
        eventually(() -> launcher.launched.size() == 2);
        assertThat(launcher.specs.get(1).manifest().name()).isEqualTo("b");
        launcher.last().finishLoad(Duration.ofMillis(5));
        // The launch ran on the stopper thread, which may register its load callback after finishLoad:
        // then the dispatch happens there, a moment later.
        eventually(() -> b.result().isDone());
        assertThat(b.result()).isCompleted();
        assertThat(c.result()).isNotDone();
    }

    @Test
    void aHotModelIsCappedPerModelSoOthersStillFindRoom() {
        limits.set(new PoolLimits(3, 2, null, null, null, null, null, null));
        Autoscaler autoscaler = new Autoscaler(activator, new ScalingSettings(1.0, Duration.ofSeconds(10),
                Duration.ofSeconds(2), 2.0, Duration.ofSeconds(1)));
        for (int i = 0; i < 20; i++) {
            submit(manifest("hot", "1"), policy("cpu", 100));
        }
        launcher.last().answerAtOnce = false;
        launcher.last().finishLoad(Duration.ofMillis(5));
        clock.advance(Duration.ofSeconds(1));
        autoscaler.tick(clock.instant());
        assertThat(activator.instances("hot")).hasSize(2);

        Invocation other = submit(manifest("other", "1"), policy("cpu", 100));
        assertThat(launcher.launched).hasSize(3);
        launcher.last().finishLoad(Duration.ofMillis(5));
        assertThat(other.result()).isCompleted();
    }

    @Test
    void gpuInstancesAreBinPackedAndAccountedOnTheirDevice() {
        Invocation first = submit(manifest("g", "1"), policy("gpu", 10_000));
        launcher.last().finishLoad(Duration.ofMillis(5));
        assertThat(first.deviceId()).isEqualTo("gpu:0");
        // 6000 MiB fits beside it on gpu:0 (best fit), which keeps gpu:1 whole for a large model.
        submit(manifest("h", "1"), policy("gpu", 6_000));
        assertThat(launcher.specs.get(1).device().id()).isEqualTo("gpu:0");
        submit(manifest("big", "1"), policy("gpu", 16_000));
        assertThat(launcher.specs.get(2).device().id()).isEqualTo("gpu:1");
        assertThat(activator.poolState().memoryMbUsed("gpu:0")).isEqualTo(16_000);
        assertThat(activator.poolState().memoryMbUsed("gpu:1")).isEqualTo(16_000);
        assertThat(activator.poolState().memoryMbUsed("cpu")).isZero();
    }

    @Test
    void aGpuThatCannotStartTheModelSendsAnyToTheCpu() {
        Invocation request = submit(manifest("m", "1"), policy("any", 100));
        assertThat(launcher.specs.get(0).device().id()).isEqualTo("gpu:0");
        launcher.last().failLoad(new ModelLoadFailed("CUDA execution provider cannot start on gpu:0", null));

        assertThat(launcher.launched).hasSize(2);
        assertThat(launcher.specs.get(1).device().id()).isEqualTo("cpu");
        launcher.last().finishLoad(Duration.ofMillis(5));
        assertThat(request.result()).isCompleted();
        assertThat(request.deviceId()).isEqualTo("cpu");
        assertThat(activator.lastLoadFailure("m")).isEmpty();
    }

    @Test
    void aGpuOnlyModelWhoseGpuCannotStartFailsWithTheReason() {
        Invocation request = submit(manifest("m", "1"), policy("gpu", 100));
        launcher.last().failLoad(new ModelLoadFailed("CUDA execution provider cannot start on gpu:0", null));
        assertThat(failureOf(request)).isInstanceOf(ModelLoadFailed.class).hasMessageContaining("CUDA execution provider");
        assertThat(launcher.launched).hasSize(1);
    }
}
