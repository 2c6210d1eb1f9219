package dev.torpor.pool;

import java.util.List;

/** What {@link Placement} decided for a new instance. */
public sealed interface PlacementDecision {

    /**
     * Run it on {@code device}, once the {@code evict}ed instances (ids; idle instances of other models, least
     * recently used first) have stopped. An empty list means it fits now.
     */
    record Place(Device device, List<String> evict) implements PlacementDecision {
        public Place {
            evict = List.copyOf(evict);
        }

        public boolean fitsNow() {
            return evict.isEmpty();
        }
    }

    /** It could fit, but not now and not by evicting idle instances: wait until capacity frees. */
    record Wait(String reason) implements PlacementDecision {
    }

    /** It can never fit under the current devices and limits (503 at once). */
    record Refuse(String reason) implements PlacementDecision {
    }
}
