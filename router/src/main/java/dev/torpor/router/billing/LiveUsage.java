package dev.torpor.router.billing;

import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.InstanceView;
import java.util.List;

/**
 * The usage counters the function instances keep themselves (engine time, runs), read from the activator for
 * {@link InstanceUsage} and the {@link Reconciler}. Stateless.
 */
public final class LiveUsage {
    private LiveUsage() {
    }

    /** Every live instance's own counters, now. */
    public static List<InstanceUsage.Sample> of(Activator activator) {
        return activator.allInstances().stream().map(LiveUsage::sample).toList();
    }

    /** One instance's own counters. */
    public static InstanceUsage.Sample sample(InstanceView view) {
        return new InstanceUsage.Sample(view.id(), view.model(), view.version(), view.device(), view.startedAt(),
                view.busyMicros(), view.runs());
    }
}
