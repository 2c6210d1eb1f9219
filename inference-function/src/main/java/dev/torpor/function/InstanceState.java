package dev.torpor.function;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of a function instance, with its legal transitions written down once:
 *
 * <pre>
 * COLD ──► LOADING ──► READY ──► DRAINING ──► STOPPED
 *   │         │          │                      ▲
 *   │         └──► FAILED ┴──────────────────────┤
 *   └────────────────────────────────────────────┘
 * </pre>
 *
 * A READY instance may stop without draining when nothing is in flight; a FAILED one only stops.
 */
public enum InstanceState {
    COLD, LOADING, READY, DRAINING, STOPPED, FAILED;

    private Set<InstanceState> next() {
        return switch (this) {
            case COLD -> EnumSet.of(LOADING, STOPPED);
            case LOADING -> EnumSet.of(READY, FAILED, STOPPED);
            case READY -> EnumSet.of(DRAINING, STOPPED, FAILED);
            case DRAINING -> EnumSet.of(STOPPED, FAILED);
            case FAILED -> EnumSet.of(STOPPED);
            case STOPPED -> EnumSet.noneOf(InstanceState.class);
        };
    }

    /** Whether the lifecycle allows going from this state to {@code target}. */
    public boolean canMoveTo(InstanceState target) {
        return next().contains(target);
    }

    /** Whether the instance holds, or is acquiring, engine resources (LOADING, READY, DRAINING). */
    public boolean isLive() {
        return this == LOADING || this == READY || this == DRAINING;
    }
}
