package dev.torpor.pool.process;

import dev.torpor.function.host.Wire;
import dev.torpor.pool.LaunchSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A function process lent by the {@link ProcessLauncher} for one cold start: it gives the process its model
 * (a sandboxed process gets its own read-only copy and model cache), and closing it lets the launcher's warm
 * pool start a replacement. Thread-safe; {@link #close()} acts once.
 */
final class ProcessLease implements HostLease {
    private final ProcessLauncher launcher;
    private final HostProcess process;
    private final AtomicBoolean closed = new AtomicBoolean();

    ProcessLease(ProcessLauncher launcher, HostProcess process) {
        this.launcher = launcher;
        this.process = process;
    }

    @Override
    public RemoteHost host() {
        return process;
    }

    @Override
    public Wire.Load loadFor(LaunchSpec spec) throws IOException {
        return new Wire.Load(spec.manifest(), launcher.artifactFor(process, spec), spec.runtime(), spec.concurrency(),
                spec.instanceId(), launcher.cacheDirFor(process), spec.batching());
    }

    @Override
    public void loaded(LaunchSpec spec, long acquireNanos, Duration load) {
        Wire.Hello hello = process.hello();
        process.log().note("pid " + process.pid() + " ready: process start " + ms(process.spawnToHelloNanos())
                + " ms (of which ONNX Runtime init " + ms(hello.ortInitNanos()) + " ms, warm-up "
                + ms(hello.warmUpNanos()) + " ms), acquire " + ms(acquireNanos) + " ms, model load "
                + load.toMillis() + " ms"); // also goes to the router's log, with the instance id
        launcher.loaded(process, spec);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** The cold start is over: the warm pool may refill now. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            launcher.coldStartDone();
        }
    }
}
