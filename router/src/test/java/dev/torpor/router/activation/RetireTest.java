package dev.torpor.router.activation;

import static dev.torpor.router.activation.Fixtures.ARTIFACT;
import static dev.torpor.router.activation.Fixtures.REQUEST;
import static dev.torpor.router.activation.Fixtures.T0;
import static dev.torpor.router.activation.Fixtures.failureOf;
import static dev.torpor.router.activation.Fixtures.manifest;
import static dev.torpor.router.activation.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.error.ModelNotFound;
import dev.torpor.fixtures.MutableClock;
import dev.torpor.pool.Device;
import dev.torpor.store.ModelManifest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Activator#retire}: a deleted version drains, fails what waits for it, and leaves no gate behind. */
class RetireTest {
    private final MutableClock clock = new MutableClock(T0);
    private final FakeLauncher launcher = new FakeLauncher(clock);
    private final Activator activator = new Activator(launcher, () -> List.of(Device.cpu(1024)), clock);
    private final ModelManifest v1 = manifest("vad", "1");
    private final ModelManifest v2 = manifest("vad", "2");

    private Invocation submit(ModelManifest manifest, ServingPolicy policy) {
        Invocation invocation = new Invocation(REQUEST, clock.instant(), policy.requestTimeout());
        activator.submit(manifest, ARTIFACT, policy, invocation);
        return invocation;
    }

    @Test
    void aRetiredVersionThatServedLeavesNoGateAndItsSiblingKeepsServing() throws Exception {
        assertThat(submit(v1, policy()).result()).isNotDone();
        launcher.last().finishLoad(Duration.ofMillis(5));
        submit(v2, policy());
        launcher.last().finishLoad(Duration.ofMillis(5));
        assertThat(activator.hasGate(v1.id())).isTrue();

        activator.retire(v1.id()).get(5, TimeUnit.SECONDS);

        assertThat(launcher.launched.get(0).isStopped()).isTrue();
        assertThat(activator.hasGate(v1.id())).isFalse();
        assertThat(activator.instances("vad")).extracting(InstanceView::version).containsExactly("2");
        assertThat(activator.hasGate(v2.id())).isTrue();
        assertThat(submit(v2, policy()).result()).isCompleted();
    }

    @Test
    void aRetiredVersionForgetsItsLoadFailures() throws Exception {
        Invocation failed = submit(v1, policy());
        launcher.last().failLoad(new IllegalStateException("broken weights"));
        assertThat(failed.result()).isCompletedExceptionally();
        assertThat(activator.lastLoadFailure("vad")).isPresent();

        activator.retire(v1.id()).get(5, TimeUnit.SECONDS);

        assertThat(activator.hasGate(v1.id())).isFalse();
        assertThat(activator.lastLoadFailure("vad")).isEmpty();
    }

    @Test
    void retiringLetsRunningRequestsFinishFailsQueuedOnesAndRefusesNewOnes() throws Exception {
        ServingPolicy one = policy(1, 100, Duration.ofSeconds(300), Duration.ofSeconds(30), 0);
        Invocation running = submit(v1, one);
        FakeInstance instance = launcher.last();
        instance.answerAtOnce = false;
        instance.finishLoad(Duration.ofMillis(5));
        Invocation queued = submit(v1, one);
        CompletableFuture<Void> waking = activator.wake(v1, ARTIFACT, one);

        CompletableFuture<Void> retired = activator.retire(v1.id());

        assertThat(failureOf(queued)).isInstanceOf(ModelNotFound.class);
        assertThat(waking).isCompleted(); // the wake found a READY instance before the retirement
        assertThat(failureOf(submit(v1, one))).isInstanceOf(ModelNotFound.class).hasMessageContaining("deleted");
        assertThat(activator.wake(v1, ARTIFACT, one)).isCompletedExceptionally();
        assertThat(retired).isNotDone();
        assertThat(activator.hasGate(v1.id())).isTrue();
        assertThat(instance.isStopped()).isFalse();

        instance.answerOne();
        retired.get(5, TimeUnit.SECONDS);

        assertThat(running.result()).isCompleted();
        assertThat(instance.isStopped()).isTrue();
        assertThat(activator.hasGate(v1.id())).isFalse();
        assertThat(launcher.launched).hasSize(1);
    }

    @Test
    void retiringAVersionThePoolNeverServedIsDoneAtOnce() {
        assertThat(activator.retire(v1.id())).isCompleted();
        assertThat(activator.hasGate(v1.id())).isFalse();
    }
}
