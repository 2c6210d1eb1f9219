package dev.torpor.function;

import static dev.torpor.function.InstanceState.COLD;
import static dev.torpor.function.InstanceState.DRAINING;
import static dev.torpor.function.InstanceState.FAILED;
import static dev.torpor.function.InstanceState.LOADING;
import static dev.torpor.function.InstanceState.READY;
import static dev.torpor.function.InstanceState.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    @Test
    void onlyTheDocumentedTransitionsAreLegal() {
        Map<InstanceState, EnumSet<InstanceState>> legal = Map.of(
                COLD, EnumSet.of(LOADING, STOPPED),
                LOADING, EnumSet.of(READY, FAILED, STOPPED),
                READY, EnumSet.of(DRAINING, STOPPED, FAILED),
                DRAINING, EnumSet.of(STOPPED, FAILED),
                FAILED, EnumSet.of(STOPPED),
                STOPPED, EnumSet.noneOf(InstanceState.class));
        for (InstanceState from : InstanceState.values()) {
            for (InstanceState to : InstanceState.values()) {
                assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(legal.get(from).contains(to));
            }
        }
    }

    @Test
    void aLifecycleFollowsTheHappyPathAndRefusesToGoBack() {
        Lifecycle lifecycle = new Lifecycle();
        assertThat(lifecycle.state()).isEqualTo(COLD);
        assertThat(lifecycle.moveTo(READY)).isFalse();
        assertThat(lifecycle.moveTo(LOADING)).isTrue();
        assertThat(lifecycle.moveTo(READY)).isTrue();
        assertThat(lifecycle.moveTo(LOADING)).isFalse();
        assertThat(lifecycle.moveTo(DRAINING)).isTrue();
        assertThat(lifecycle.moveTo(STOPPED)).isTrue();
        assertThat(lifecycle.moveTo(READY)).isFalse();
        assertThat(lifecycle.state()).isEqualTo(STOPPED);
    }

    @Test
    void liveStatesAreThoseThatHoldEngineResources() {
        assertThat(EnumSet.allOf(InstanceState.class).stream().filter(InstanceState::isLive))
                .containsExactlyInAnyOrder(LOADING, READY, DRAINING);
    }
}
