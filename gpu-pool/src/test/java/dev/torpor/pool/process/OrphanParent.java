package dev.torpor.pool.process;

import java.nio.file.Path;
import java.time.Clock;

/**
 * A stand-in router for {@link OrphanTest}: starts a process launcher with a warm pool of two, prints the
 * function processes' pids and waits to be killed.
 */
public final class OrphanParent {
    private OrphanParent() {
    }

    public static void main(String[] args) throws Exception {
        ProcessLauncher launcher = new ProcessLauncher(ProcessSettings.defaults(Path.of(args[0])).withWarmPoolSize(2),
                Clock.systemUTC()).start();
        while (launcher.warmReady() < 2) {
            Thread.sleep(20);
        }
        System.out.println("PIDS " + launcher.livePids());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
