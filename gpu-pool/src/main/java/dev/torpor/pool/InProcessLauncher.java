package dev.torpor.pool;

import dev.torpor.function.BackendRegistry;
import dev.torpor.function.FunctionInstance;
import dev.torpor.function.LocalFunctionInstance;
import java.time.Clock;

/**
 * Runs instances inside the router's own JVM: the fastest path (no hop, no second runtime), with no
 * isolation between models. Suited to single-tenant setups and tests.
 */
public final class InProcessLauncher implements Launcher {
    private final BackendRegistry backends;
    private final Clock clock;

    public InProcessLauncher(BackendRegistry backends, Clock clock) {
        this.backends = backends;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "in-process";
    }

    @Override
    public FunctionInstance launch(LaunchSpec spec) {
        var manifest = spec.manifest();
        var backend = backends.forModel(manifest.format(), manifest.engine());
        return new LocalFunctionInstance(spec.instanceId(), manifest, spec.artifact(), backend, spec.runtime(),
                spec.concurrency(), clock);
    }
}
