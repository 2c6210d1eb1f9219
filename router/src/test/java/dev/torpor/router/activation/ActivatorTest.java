package dev.torpor.router.activation;

import static dev.torpor.router.activation.Fixtures.ARTIFACT;
import static dev.torpor.router.activation.Fixtures.REQUEST;
import static dev.torpor.router.activation.Fixtures.T0;
import static dev.torpor.router.activation.Fixtures.failureOf;
import static dev.torpor.router.activation.Fixtures.manifest;
import static dev.torpor.router.activation.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.pool.DevicePreference;
import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.QueueFull;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.ShuttingDown;
import dev.torpor.fixtures.MutableClock;
import dev.torpor.pool.Device;
import dev.torpor.store.ModelManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ActivatorTest {
    private final MutableClock clock = new MutableClock(T0);
    private final FakeLauncher launcher = new FakeLauncher(clock);
    private final Activator activator = new Activator(launcher, () -> List.of(Device.cpu(1024)), clock);
    private final ModelManifest vad = manifest("vad", "1");

    private Invocation submit(ServingPolicy policy) {
        Invocation invocation = new Invocation(REQUEST, clock.instant(), policy.requestTimeout());
        activator.submit(vad, ARTIFACT, policy, invocation);
        return invocation;
    }

    @Test
    void aColdRequestWaitsForOneLoadThenRunsAndIsMarkedCold() {
        Invocation first = submit(policy());

        assertThat(launcher.launched).hasSize(1);
        assertThat(first.result()).isNotDone();
        assertThat(activator.queuedTotal()).isEqualTo(1);

        clock.advance(Duration.ofMillis(120));
        launcher.last().finishLoad(Duration.ofMillis(120));

        assertThat(first.result()).isCompleted();
        assertThat(first.coldStart()).isTrue();
        assertThat(first.initTime()).isEqualTo(Duration.ofMillis(120));
        assertThat(first.queueTime(clock.instant())).isEqualTo(Duration.ofMillis(120));
        assertThat(first.instanceId()).isEqualTo(launcher.last().id());
        assertThat(first.deviceId()).isEqualTo("cpu");
        assertThat(activator.queuedTotal()).isZero();
    }

    @Test
    void aRequestToAReadyInstanceIsWarm() {
        submit(policy());
        launcher.last().finishLoad(Duration.ofMillis(50));
        clock.advance(Duration.ofMillis(10));

        Invocation second = submit(policy());

        assertThat(second.result()).isCompleted();
        assertThat(second.coldStart()).isFalse();
        assertThat(second.initTime()).isZero();
        assertThat(second.queueTime(clock.instant())).isZero();
        assertThat(launcher.launched).hasSize(1);
    }

    @Test
    void aBurstOnAColdModelTriggersExactlyOneLoadAndEveryRequestIsAnswered() {
        List<Invocation> burst = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            burst.add(submit(policy()));
        }
        assertThat(launcher.launched).hasSize(1);
        assertThat(launcher.last().loadCalls).hasValue(1);

        launcher.last().finishLoad(Duration.ofMillis(80));

        assertThat(burst).allSatisfy(invocation -> {
            assertThat(invocation.result()).isCompleted();
            assertThat(invocation.coldStart()).isTrue();
        });
        assertThat(launcher.last().runs).hasValue(64);
    }

    @Test
    void concurrencyPerInstanceBoundsWhatRunsAtOnceAndTheQueueDrainsAsRunsFinish() {
        ServingPolicy two = policy(2, 100, Duration.ofSeconds(300), Duration.ofSeconds(30), 0);
        submit(two);
        FakeInstance instance = launcher.last();
        instance.answerAtOnce = false;
        instance.finishLoad(Duration.ofMillis(5));
        instance.answerOne();

        List<Invocation> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(submit(two));
        }
        assertThat(instance.pending).hasSize(2);
        assertThat(activator.queuedTotal()).isEqualTo(3);
        assertThat(launcher.launched).hasSize(1);

        for (int i = 0; i < 5; i++) {
            instance.answerOne();
        }
        assertThat(five).allSatisfy(invocation -> assertThat(invocation.result()).isCompleted());
        assertThat(five.get(4).coldStart()).isFalse();
    }

    @Test
    void aFullQueueRefusesWith429AndARetryAfter() {
        ServingPolicy small = policy(1, 2, Duration.ofSeconds(300), Duration.ofSeconds(30), 0);
        submit(small);
        submit(small);

        Invocation third = submit(small);

        assertThat(failureOf(third)).isInstanceOf(QueueFull.class)
                .hasMessageContaining("maxQueue 2")
                .satisfies(e -> assertThat(((QueueFull) e).retryAfter()).isPresent());
        assertThat(((QueueFull) failureOf(third)).kind()).isEqualTo(ErrorKind.QUEUE_FULL);
    }

    @Test
    void aModelWithoutAQueueRefusesItsColdRequestButStillWakes() {
        ServingPolicy noQueue = policy(1, 0, Duration.ofSeconds(300), Duration.ofSeconds(30), 0);
        Invocation refused = submit(noQueue);

        assertThat(failureOf(refused)).isInstanceOf(QueueFull.class);
        assertThat(launcher.launched).hasSize(1);
        launcher.last().finishLoad(Duration.ofMillis(5));
        assertThat(submit(noQueue).result()).isCompleted();
    }

    @Test
    void aQueuedRequestPastItsDeadlineGets504AndLeavesTheQueue() {
        ServingPolicy quick = policy(4, 100, Duration.ofSeconds(300), Duration.ofMillis(500), 0);
        Invocation waiting = submit(quick);

        clock.advance(Duration.ofMillis(499));
        activator.expireOverdue(clock.instant());
        assertThat(waiting.result()).isNotDone();

        clock.advance(Duration.ofMillis(1));
        activator.expireOverdue(clock.instant());

        assertThat(failureOf(waiting)).isInstanceOf(DeadlineExceeded.class).hasMessageContaining("500 ms");
        assertThat(activator.queuedTotal()).isZero();
        // The load goes on: the next request is served by it.
        launcher.last().finishLoad(Duration.ofMillis(600));
        Invocation next = submit(quick);
        assertThat(next.result()).isCompleted();
    }

    @Test
    void aRunningRequestPastItsDeadlineHasItsEngineCallStoppedAndGets504() {
        ServingPolicy quick = policy(4, 100, Duration.ofSeconds(300), Duration.ofMillis(500), 0);
        submit(quick);
        FakeInstance instance = launcher.last();
        instance.finishLoad(Duration.ofMillis(1));
        instance.answerAtOnce = false;

        Invocation slow = submit(quick);
        clock.advance(Duration.ofMillis(500));
        activator.expireOverdue(clock.instant());

        assertThat(failureOf(slow)).isInstanceOf(DeadlineExceeded.class).hasMessageContaining("while it ran");
        assertThat(activator.instances("vad")).singleElement()
                .satisfies(view -> assertThat(view.inFlight()).isZero());
    }

    @Test
    void aLoadFailureAnswersEveryWaiterWithTheReasonAndBacksOffBeforeRetrying() {
        List<Invocation> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiting.add(submit(policy()));
        }
        launcher.last().failLoad(new ModelLoadFailed("libfoo.so: cannot open shared object", null));

        assertThat(waiting).allSatisfy(invocation -> assertThat(failureOf(invocation))
                .isInstanceOf(ModelLoadFailed.class).hasMessageContaining("libfoo.so"));
        assertThat(activator.lastLoadFailure("vad")).hasValueSatisfying(failure -> {
            assertThat(failure.reason()).contains("libfoo.so");
            assertThat(failure.attempts()).isEqualTo(1);
        });

        // Within the backoff: refused at once, no new load.
        clock.advance(Duration.ofMillis(500));
        Invocation early = submit(policy());
        assertThat(failureOf(early)).isInstanceOf(ModelLoadFailed.class).hasMessageContaining("libfoo.so");
        assertThat(((ModelLoadFailed) failureOf(early)).retryAfter()).hasValue(Duration.ofMillis(500));
        assertThat(launcher.launched).hasSize(1);
        assertThat(launcher.launched.get(0).awaitStoppedQuietly()).isTrue();

        // After the backoff: one retry, which succeeds and clears the failure.
        clock.advance(Duration.ofMillis(500));
        Invocation retry = submit(policy());
        assertThat(launcher.launched).hasSize(2);
        launcher.last().finishLoad(Duration.ofMillis(10));
        assertThat(retry.result()).isCompleted();
        assertThat(activator.lastLoadFailure("vad")).isEmpty();
    }

    @Test
    void theBackoffDoublesWithEachConsecutiveFailureUpToAMinute() {
        Duration[] expected = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
            Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofSeconds(60),
            Duration.ofSeconds(60)};
        for (Duration wait : expected) {
            submit(policy());
            launcher.last().failLoad(new ModelLoadFailed("broken", null));
            Invocation refused = submit(policy());
            assertThat(((ModelLoadFailed) failureOf(refused)).retryAfter()).hasValue(wait);
            clock.advance(wait);
        }
        assertThat(launcher.launched).hasSize(expected.length);
    }

    @Test
    void aClientThatGoesAwayWhileQueuedLeavesTheQueueAsCancelled() {
        Invocation stays = submit(policy());
        Invocation leaves = submit(policy());

        activator.cancel(vad.id(), leaves);

        assertThat(failureOf(leaves)).isInstanceOf(RequestCancelled.class);
        assertThat(activator.queuedTotal()).isEqualTo(1);
        launcher.last().finishLoad(Duration.ofMillis(10));
        assertThat(stays.result()).isCompleted();
        assertThat(launcher.last().runs).hasValue(1);
    }

    @Test
    void aClientThatGoesAwayWhileRunningHasItsEngineCallStopped() {
        submit(policy());
        FakeInstance instance = launcher.last();
        instance.finishLoad(Duration.ofMillis(1));
        instance.answerAtOnce = false;
        Invocation running = submit(policy());

        activator.cancel(vad.id(), running);

        assertThat(failureOf(running)).isInstanceOf(RequestCancelled.class);
        assertThat(instance.pending).singleElement().satisfies(run -> assertThat(run).isCompletedExceptionally());
    }

    @Test
    void aModelAskingForAGpuOnACpuOnlyPoolIsRefusedWithTheReason() {
        ServingPolicy gpu = new ServingPolicy(DevicePreference.GPU, 64, 0, 4, 4, Duration.ofSeconds(300), 100,
                Duration.ofSeconds(30), dev.torpor.function.RuntimeOptions.DEFAULT);
        Invocation refused = new Invocation(REQUEST, clock.instant(), Duration.ofSeconds(30));
        activator.submit(vad, ARTIFACT, gpu, refused);

        assertThat(failureOf(refused)).isInstanceOf(CapacityExhausted.class).hasMessageContaining("no GPU device");
        assertThat(launcher.launched).isEmpty();
    }

    @Test
    void aModelsViewsShowEveryVersionOfItsOwnAndNothingOfAModelWithALongerName() {
        activator.wake(vad, ARTIFACT, policy());
        launcher.last().finishLoad(Duration.ofMillis(3));
        activator.wake(manifest("vad", "2"), ARTIFACT, policy());
        launcher.last().finishLoad(Duration.ofMillis(3));
        activator.wake(manifest("vad2", "1"), ARTIFACT, policy());
        launcher.last().failLoad(new ModelLoadFailed("vad2 is broken", null));

        assertThat(activator.instances("vad")).extracting(InstanceView::version).containsExactlyInAnyOrder("1", "2");
        assertThat(activator.lastLoadFailure("vad")).isEmpty();
        assertThat(activator.instances("vad2")).isEmpty();
        assertThat(activator.lastLoadFailure("vad2")).hasValueSatisfying(failure ->
                assertThat(failure.reason()).contains("vad2 is broken"));
        assertThat(activator.instances("never-used")).isEmpty();
        assertThat(activator.lastLoadFailure("never-used")).isEmpty();
    }

    @Test
    void wakeLoadsOnceAndScaleToZeroDrainsInFlightRequestsFirst() throws Exception {
        var woken = activator.wake(vad, ARTIFACT, policy());
        var again = activator.wake(vad, ARTIFACT, policy());
        assertThat(launcher.launched).hasSize(1);
        FakeInstance instance = launcher.last();
        instance.finishLoad(Duration.ofMillis(3));
        assertThat(woken).isCompleted();
        assertThat(again).isCompleted();

        instance.answerAtOnce = false;
        Invocation inFlight = submit(policy());
        var zero = activator.scaleToZero(vad.id());

        assertThat(zero).isNotDone();
        assertThat(instance.isStopped()).isFalse();
        instance.answerOne();
        zero.get(5, TimeUnit.SECONDS);
        assertThat(inFlight.result()).isCompleted();
        assertThat(instance.isStopped()).isTrue();
        assertThat(activator.instances("vad")).isEmpty();

        // The model stays servable: the next request wakes a fresh instance.
        Invocation next = submit(policy());
        assertThat(launcher.launched).hasSize(2);
        launcher.last().finishLoad(Duration.ofMillis(3));
        assertThat(next.coldStart()).isTrue();
    }

    @Test
    void shutdownRefusesNewWorkAndStopsEveryInstance() throws Exception {
        submit(policy());
        launcher.last().finishLoad(Duration.ofMillis(1));

        activator.shutdown(Duration.ofMillis(100));

        assertThat(launcher.last().awaitStopped()).isTrue();
        assertThat(failureOf(submit(policy()))).isInstanceOf(ShuttingDown.class);
    }
}
