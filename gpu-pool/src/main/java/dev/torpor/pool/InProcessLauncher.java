package dev.torpor.pool;

import dev.torpor.function.BackendRegistry;
import dev.torpor.function.FunctionInstance;
import dev.torpor.function.LocalFunctionInstance;
import java.time.Clock;
import java.util.Optional;

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
    public boolean batches() {
        return true;
    }

    /** Its instances write to the router's own log: nothing is captured per instance. */
    @Override
    public Optional<InstanceLogs> instanceLogs() {
        return Optional.empty();
    }

    @Override
    public FunctionInstance launch(LaunchSpec spec) {
        var manifest = spec.manifest();
        var backend = backends.forModel(manifest.format(), manifest.engine());
        // A GPU instance runs its engine on that GPU (ONNX Runtime's CUDA provider, DJL's GPU device).
        var runtime = spec.runtime().onDevice(spec.device().gpuIndex());
        return new LocalFunctionInstance(spec.instanceId(), manifest, spec.artifact(), backend, runtime,
                spec.concurrency(), spec.batching(), clock);
    }
}
