package dev.torpor.router;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The router's background timers: one named daemon thread each, so a timer never keeps the JVM alive. */
final class DaemonTimer {
    private DaemonTimer() {
    }

    static ScheduledExecutorService named(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }
}
