package dev.torpor.router.activation;

import dev.torpor.function.InstanceState;
import dev.torpor.store.ModelId;
import java.time.Instant;

/**
 * A snapshot of one instance for the repository and pool views; {@code idleSince} is null while busy or loading.
 * {@code busyMicros} and {@code runs} are the instance's own counters (see {@code FunctionInstance#busyMicros});
 * {@code host} is where it runs when outside the router's machine ({@code pod/NAME}), else null.
 */
public record InstanceView(String id, String model, String version, String device, InstanceState state,
                           int inFlight, Instant startedAt, Instant idleSince, long busyMicros, long runs,
                           String host) {

    static InstanceView of(ModelId id, InstanceSlot slot) {
        return new InstanceView(slot.instance().id(), id.name(), id.version(), slot.device().id(),
                slot.visibleState(), slot.inFlight(), slot.instance().startedAt(),
                slot.isReady() ? slot.idleSince() : null, slot.instance().busyMicros(), slot.instance().runs(),
                slot.instance().host().orElse(null));
    }
}
