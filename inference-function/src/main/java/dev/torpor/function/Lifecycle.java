package dev.torpor.function;

import java.util.concurrent.atomic.AtomicReference;

/** Holds one instance's {@link InstanceState} and refuses transitions the lifecycle does not allow. Thread-safe. */
public final class Lifecycle {
    private final AtomicReference<InstanceState> state = new AtomicReference<>(InstanceState.COLD);

    public InstanceState state() {
        return state.get();
    }

    /**
     * Moves to {@code target} if that is legal from the current state.
     *
     * @return false when the transition is not allowed (the state is left as it was)
     */
    public boolean moveTo(InstanceState target) {
        while (true) {
            InstanceState current = state.get();
            if (!current.canMoveTo(target)) {
                return false;
            }
            if (state.compareAndSet(current, target)) {
                return true;
            }
        }
    }
}
