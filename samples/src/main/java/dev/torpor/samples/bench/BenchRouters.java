package dev.torpor.samples.bench;

import dev.torpor.fixtures.ChildRouter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The router jar as the benches start it: one launcher, and nothing scales to zero on its own during a run. */
final class BenchRouters {
    private BenchRouters() {
    }

    /**
     * Starts {@code jar} with TORPOR_LAUNCHER={@code launcher} and TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS=300 on a
     * fresh data dir, host 127.0.0.1 and a free port; not ready yet ({@link ChildRouter#awaitReady}).
     *
     * @param warmPool   TORPOR_WARM_POOL_SIZE, or null for the router's default
     * @param jvmOptions options for the child's JVM before {@code -jar} (e.g. {@code -XX:StartFlightRecording=…})
     */
    static ChildRouter start(Path jar, String launcher, Integer warmPool, List<String> jvmOptions) throws IOException {
        ChildRouter.Builder router = ChildRouter.jar(jar).tempPrefix("torpor-bench-").jvmOptions(jvmOptions)
                .setting("TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS", "300")
                .setting("TORPOR_LAUNCHER", launcher);
        if (warmPool != null) {
            router.setting("TORPOR_WARM_POOL_SIZE", Integer.toString(warmPool));
        }
        return router.start();
    }
}
