package dev.torpor.pool.process;

import dev.torpor.error.InstanceCrashed;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.host.Frame;
import dev.torpor.function.host.FrameChannel;
import dev.torpor.function.host.Wire;
import dev.torpor.pool.LaunchSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A function host the router connects to — {@link HostListener}'s sibling for hosts started with
 * {@code FunctionHost --listen} (a pod): {@link #dial} opens TCP to {@code host:port}, presents the host's
 * token as the first frame and reads its HELLO (a refusal — wrong token, or another router already connected —
 * comes back as an ERROR and fails the dial with its message). It does not share the router's file system:
 * {@link #loadFor} sends the model's files over the connection ({@link ModelUpload}) and names them in the LOAD.
 * The host exits when its connection ends, so {@link #kill} closes it; whoever started the host (a pod
 * launcher) removes what is left.
 *
 * <p>Thread-safe.
 */
public final class DialedHost implements RemoteHost, HostConnection.Peer {
    private static final Duration CRASH_RETRY = Duration.ofSeconds(1);
    /** Answers are bounded: a frame claiming more is treated as a crash. */
    private static final int MAX_ANSWER_BYTES = Integer.MAX_VALUE - 64;

    private final String name;
    private final InetSocketAddress address;
    private final HostConnection connection;
    private final Duration fileTimeout;
    private volatile String killReason;
    private volatile boolean stopping;
    private volatile ModelUpload.Result lastUpload;

    private DialedHost(String name, InetSocketAddress address, FrameChannel channel, Wire.Hello hello,
                       Executor completions, Duration fileTimeout) {
        this.name = name;
        this.address = address;
        this.fileTimeout = fileTimeout;
        this.connection = new HostConnection(channel, hello, completions, this);
    }

    /**
     * Connects to a listening host and authenticates: at most {@code timeout} to connect and get its HELLO (and
     * the same for each model file's answer later).
     *
     * @param name what failures call the host (the instance id, a pod's name)
     * @throws IOException naming the address and why: unreachable, late, or refused (the host's message)
     */
    public static DialedHost dial(String name, InetSocketAddress address, String token, Duration timeout,
                           Executor completions) throws IOException {
        SocketChannel socket = SocketChannel.open();
        // Reads have no timeout of their own: closing the socket wakes them when the host is late.
        CompletableFuture<Void> late = CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
        late.thenRun(() -> closeQuietly(socket));
        try {
            socket.socket().connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true); // frames are whole messages
            FrameChannel channel = new FrameChannel(socket, MAX_ANSWER_BYTES);
            channel.write(Wire.token(token));
            Frame first = channel.read();
            if (first.type() == Frame.ERROR) {
                throw new IOException("the function host at " + where(address) + " refused the connection: "
                        + Wire.error(first.payload()).getMessage());
            }
            Wire.Hello hello = Wire.hello(first);
            if (late.isDone()) {
                throw new TimeoutException();
            }
            late.cancel(false);
            DialedHost host = new DialedHost(name, address, channel, hello, completions, timeout);
            host.connection.startReading("fn-reader-" + name);
            return host;
        } catch (IOException | RuntimeException | TimeoutException failed) {
            boolean wasLate = late.isDone() && !late.isCancelled();
            late.cancel(false);
            closeQuietly(socket);
            if (wasLate) {
                throw new IOException("the function host at " + where(address) + " did not answer within "
                        + timeout.toMillis() + " ms", failed);
            }
            throw failed instanceof IOException io ? io : new IOException("cannot connect to the function host at "
                    + where(address) + ": " + failed.getMessage(), failed);
        }
    }

    /** The conversation itself (tests send frames on it directly). */
    HostConnection connection() {
        return connection;
    }

    public Wire.Hello hello() {
        return connection.hello();
    }

    /**
     * Sends {@code spec}'s model files (those the host's cache lacks) and returns the LOAD naming them where
     * the host stored them. Blocking.
     */
    public Wire.Load loadFor(LaunchSpec spec) throws IOException {
        return loadFor(spec, Optional.empty());
    }

    /**
     * As {@link #loadFor(LaunchSpec)}, also sending {@code optimized}, the model's optimized graph for this host
     * ({@link OptimizedModels#forHost}): the LOAD then names the cache it went into, and the host loads it as is.
     */
    public Wire.Load loadFor(LaunchSpec spec, Optional<Path> optimized) throws IOException {
        ModelUpload.Result upload = ModelUpload.send(connection, spec, fileTimeout, optimized);
        lastUpload = upload;
        return new Wire.Load(spec.manifest(), upload.artifact(), spec.runtime(), spec.concurrency(), spec.instanceId(),
                upload.cacheDir() == null ? null : upload.cacheDir().toString(), spec.batching());
    }

    /**
     * Sends {@code spec}'s model files (and {@code optimized}) ahead of any LOAD, for the host to keep in its cache: a
     * later {@link #loadFor} of that model then sends only offers. Blocking.
     */
    public ModelUpload.Result stage(LaunchSpec spec, Optional<Path> optimized) throws IOException {
        return ModelUpload.send(connection, spec, fileTimeout, optimized);
    }

    /** What the last {@link #loadFor} sent (null before one): tests and start-up timings read it. */
    public ModelUpload.Result lastUpload() {
        return lastUpload;
    }

    /** Completes with the reason once the connection has ended. */
    public CompletableFuture<String> death() {
        return connection.ended();
    }

    @Override
    public CompletableFuture<Duration> load(Wire.Load load) {
        return connection.load(load);
    }

    @Override
    public CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control) {
        return connection.infer(request, control);
    }

    @Override
    public boolean isAlive() {
        return connection.isOpen();
    }

    /** Closes the connection, which ends the host; in-flight requests fail with {@code reason}. */
    @Override
    public void kill(String reason) {
        if (killReason == null) {
            killReason = reason;
        }
        connection.close();
    }

    @Override
    public void stop(Duration grace) {
        stopping = true;
        try {
            connection.sendStop();
            connection.ended().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | java.util.concurrent.ExecutionException | TimeoutException notCleanly) {
            // closing below ends it anyway
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }

    @Override
    public String endReason(Exception ended) {
        return killReason != null ? killReason : stopping ? "stopped" : "closed its connection (" + ended.getMessage() + ")";
    }

    @Override
    public InstanceCrashed crashed(String reason) {
        return new InstanceCrashed("the function host of " + name + " at " + where(address) + " " + reason
                + "; the next request starts a new one", CRASH_RETRY);
    }

    private static String where(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
