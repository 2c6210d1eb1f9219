package dev.torpor.router.activation;

import static dev.torpor.router.activation.Fixtures.ARTIFACT;
import static dev.torpor.router.activation.Fixtures.REQUEST;
import static dev.torpor.router.activation.Fixtures.T0;
import static dev.torpor.router.activation.Fixtures.manifest;
import static dev.torpor.router.activation.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.MutableClock;
import dev.torpor.function.InstanceState;
import dev.torpor.pool.Device;
import dev.torpor.store.ModelManifest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReaperTest {
    private static final Duration IDLE = Duration.ofSeconds(60);
    private final MutableClock clock = new MutableClock(T0);
    private final FakeLauncher launcher = new FakeLauncher(clock);
    private final Activator activator = new Activator(launcher, () -> List.of(Device.cpu(1024)), clock);
    private final Reaper reaper = new Reaper(activator);
    private final ModelManifest vad = manifest("vad", "1");

    private Invocation submit(ServingPolicy policy) {
        Invocation invocation = new Invocation(REQUEST, clock.instant(), policy.requestTimeout());
        activator.submit(vad, ARTIFACT, policy, invocation);
        return invocation;
    }

    private FakeInstance warmInstance(ServingPolicy policy) {
        submit(policy);
        FakeInstance instance = launcher.last();
        instance.finishLoad(Duration.ofMillis(10));
        return instance;
    }

    @Test
    void anInstanceIdleForItsTimeoutIsStoppedAndTheNextRequestIsColdAgain() throws Exception {
        ServingPolicy policy = policy(4, 100, IDLE, Duration.ofSeconds(30), 0);
        FakeInstance instance = warmInstance(policy);

        clock.advance(IDLE.minusMillis(1));
        Instant next = reaper.sweep(clock.instant());
        assertThat(instance.isStopped()).isFalse();
        assertThat(next).isEqualTo(clock.instant().plusMillis(1));

        clock.advance(Duration.ofMillis(1));
        reaper.sweep(clock.instant());

        assertThat(instance.awaitStopped()).isTrue();
        assertThat(activator.instances("vad")).isEmpty();
        Invocation cold = submit(policy);
        assertThat(launcher.launched).hasSize(2);
        launcher.last().finishLoad(Duration.ofMillis(10));
        assertThat(cold.coldStart()).isTrue();
    }

    @Test
    void eachRequestRestartsTheIdleClock() {
        ServingPolicy policy = policy(4, 100, IDLE, Duration.ofSeconds(30), 0);
        FakeInstance instance = warmInstance(policy);

        clock.advance(Duration.ofSeconds(50));
        submit(policy);
        clock.advance(Duration.ofSeconds(50));
        reaper.sweep(clock.instant());

        assertThat(instance.isStopped()).isFalse();
        assertThat(activator.instances("vad")).singleElement()
                .satisfies(view -> assertThat(view.idleSince()).isEqualTo(T0.plusSeconds(50)));
    }

    @Test
    void aBusyInstanceIsNeverReaped() {
        ServingPolicy policy = policy(4, 100, IDLE, Duration.ofHours(1), 0);
        FakeInstance instance = warmInstance(policy);
        instance.answerAtOnce = false;
        submit(policy);

        clock.advance(IDLE.multipliedBy(10));
        reaper.sweep(clock.instant());

        assertThat(instance.isStopped()).isFalse();
        assertThat(activator.instances("vad")).singleElement()
                .satisfies(view -> {
                    assertThat(view.state()).isEqualTo(InstanceState.READY);
                    assertThat(view.inFlight()).isEqualTo(1);
                    assertThat(view.idleSince()).isNull();
                });

        instance.answerOne();
        clock.advance(IDLE);
        reaper.sweep(clock.instant());
        assertThat(instance.awaitStoppedQuietly()).isTrue();
    }

    @Test
    void minInstancesAreKeptWarm() {
        ServingPolicy policy = policy(4, 100, IDLE, Duration.ofSeconds(30), 1);
        FakeInstance instance = warmInstance(policy);

        clock.advance(IDLE.multipliedBy(5));
        Instant next = reaper.sweep(clock.instant());

        assertThat(instance.isStopped()).isFalse();
        assertThat(next).isEqualTo(clock.instant().plus(Reaper.NOTHING_DUE));
    }

    @Test
    void aLoadingInstanceIsNotReaped() {
        ServingPolicy policy = policy(4, 100, IDLE, Duration.ofHours(1), 0);
        submit(policy);

        clock.advance(IDLE.multipliedBy(2));
        reaper.sweep(clock.instant());

        assertThat(launcher.last().isStopped()).isFalse();
        assertThat(activator.instances("vad")).singleElement()
                .satisfies(view -> assertThat(view.state()).isEqualTo(InstanceState.LOADING));
    }
}
