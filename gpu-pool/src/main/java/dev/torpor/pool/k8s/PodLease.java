package dev.torpor.pool.k8s;

import dev.torpor.function.host.Wire;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.process.DialedHost;
import dev.torpor.pool.process.HostLease;
import dev.torpor.pool.process.ModelUpload;
import dev.torpor.pool.process.OptimizedModels;
import dev.torpor.pool.process.RemoteHost;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Ready pod, connected, lent for one cold start: {@link #loadFor} sends the model's files over the connection
 * (those the pod's cache lacks), {@link #loaded} logs the phases of the start, and closing it lets the launcher
 * create the replacement of a claimed warm pod. Thread-safe; {@link #close()} acts once.
 *
 */
final class PodLease implements HostLease {
    private static final System.Logger LOG = System.getLogger(PodLease.class.getName());

    private final PodTracker pod;
    private final DialedHost host;
    private final ColdStartPhases phases;
    private final Runnable coldStartDone;
    private final OptimizedModels optimized;
    private volatile LaunchSpec loadedSpec;
    private final AtomicBoolean closed = new AtomicBoolean();

    PodLease(PodTracker pod, DialedHost host, ColdStartPhases phases, OptimizedModels optimized,
             Runnable coldStartDone) {
        this.pod = pod;
        this.optimized = optimized;
        this.host = host;
        this.phases = phases;
        this.coldStartDone = coldStartDone;
    }

    @Override
    public RemoteHost host() {
        return host;
    }

    @Override
    public Wire.Load loadFor(LaunchSpec spec) throws IOException {
        long begin = System.nanoTime();
        Wire.Load load = host.loadFor(spec, optimized == null ? java.util.Optional.empty()
                : optimized.forHost(spec, host.hello()));
        phases.uploaded(System.nanoTime() - begin, host.lastUpload());
        return load;
    }

    @Override
    public void loaded(LaunchSpec spec, long acquireNanos, Duration load) {
        phases.loaded(load);
        loadedSpec = spec;
        LOG.log(System.Logger.Level.INFO, "instance {0} ready on pod {1}: {2}", spec.instanceId(), pod.name(), phases);
    }

    @Override
    public java.util.Optional<String> where() {
        return java.util.Optional.of("pod/" + pod.name());
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            coldStartDone.run();
            LaunchSpec spec = loadedSpec;
            if (optimized != null && spec != null) {
                optimized.prepare(spec); // for the next cold start, now that this one has answered
            }
        }
    }

    /**
     * The phases of one cold start on a pod, in milliseconds: how the pod was had ({@code claimed} a warm one or
     * {@code created} one), the wait for it to be Ready, the connection (token and HELLO), the model's upload
     * (files and bytes sent; 0 when the pod had them cached) and the load. Written by one start, read after.
     */
    static final class ColdStartPhases {
        private final boolean claimed;
        private final long podNanos;
        private final long readyNanos;
        private final long connectNanos;
        private volatile long uploadNanos;
        private volatile ModelUpload.Result upload;
        private volatile Duration load;

        ColdStartPhases(boolean claimed, long podNanos, long readyNanos, long connectNanos) {
            this.claimed = claimed;
            this.podNanos = podNanos;
            this.readyNanos = readyNanos;
            this.connectNanos = connectNanos;
        }

        void uploaded(long nanos, ModelUpload.Result result) {
            this.uploadNanos = nanos;
            this.upload = result;
        }

        void loaded(Duration took) {
            this.load = took;
        }

        @Override
        public String toString() {
            ModelUpload.Result sent = upload;
            return (claimed ? "claimed a warm pod " : "created a pod ") + ms(podNanos) + " ms, Ready after "
                    + ms(readyNanos) + " ms, connect " + ms(connectNanos) + " ms, upload " + ms(uploadNanos) + " ms ("
                    + (sent == null ? 0 : sent.filesSent()) + " files, " + (sent == null ? 0 : sent.bytesSent())
                    + " bytes), load " + (load == null ? "-" : load.toMillis()) + " ms";
        }

        private static String ms(long nanos) {
            return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
        }
    }
}
