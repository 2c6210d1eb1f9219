package dev.torpor.function;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets the caller of an engine run stop it when its client goes away. The engine registers how to stop
 * itself (ONNX Runtime: {@code RunOptions.setTerminate}); {@link #cancel()} calls it, at most once, from
 * any thread. Cancelling before the engine registers makes the registration fire at once.
 */
public final class RunControl {
    private final List<Runnable> onCancel = new ArrayList<>();
    private boolean cancelled;

    /** Registers how to stop the run; runs {@code action} at once if already cancelled. */
    public void onCancel(Runnable action) {
        boolean runNow;
        synchronized (this) {
            runNow = cancelled;
            if (!runNow) {
                onCancel.add(action);
            }
        }
        if (runNow) {
            action.run();
        }
    }

    /** Stops the run if it has not finished; harmless to call more than once or after the run. */
    public void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            actions = List.copyOf(onCancel);
            onCancel.clear();
        }
        actions.forEach(Runnable::run);
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }
}
