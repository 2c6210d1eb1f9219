package dev.torpor.pool.process;

import dev.torpor.error.EngineFailure;
import dev.torpor.error.InstanceCrashed;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.Batcher;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.host.Frame;
import dev.torpor.function.host.FrameChannel;
import dev.torpor.function.host.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One function process as the router sees it: the child JVM, its socket and the requests in flight on it.
 * A reader thread takes the process's answers off the socket and completes their futures on the
 * launcher's completion threads (never on the reader, so that a completion that sends the next request
 * can never stall the reading). When the socket ends — the process crashed, was killed or stopped — every
 * request still in flight fails with {@link InstanceCrashed} naming the cause.
 *
 * <p>Thread-safe.
 */
final class HostProcess {
    private static final AtomicLong SERIAL = new AtomicLong();
    private static final Duration CRASH_RETRY = Duration.ofSeconds(1);
    /** Answers from a function process are bounded: a frame claiming more is treated as a crash. */
    private static final int MAX_ANSWER_BYTES = Integer.MAX_VALUE - 64;
    /** Where a frame's request id sits: after the int32 length and the int8 type. */
    private static final int ID_OFFSET = 4 + 1;

    /**
     * A request that the process certainly had not started running when it died: it may be sent again to a
     * new process. Internal to this package; {@link #crash()} is what a caller sees when it is not retried.
     */
    static final class NotStarted extends RuntimeException {
        private final InstanceCrashed crash;

        NotStarted(InstanceCrashed crash) {
            super(crash.getMessage(), null, false, false);
            this.crash = crash;
        }

        InstanceCrashed crash() {
            return crash;
        }
    }

    /** What the process said when it connected; nanosecond timings. */
    record Hello(long pid, String ortVersion, long ortInitNanos, long warmUpNanos, long mainToHelloNanos,
                 long spawnToHelloNanos) {
    }

    private final Process process;
    private final ProcessLog log;
    private final FrameChannel channel;
    private final Executor completions;
    private final Hello hello;
    private final Map<Long, CompletableFuture<InferenceOutcome>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Object sendLock = new Object();
    /** Requests whose frame could not be written: the process never saw them. */
    private final java.util.Set<Long> unsent = ConcurrentHashMap.newKeySet();
    private volatile int workers = 1;
    private final CompletableFuture<Duration> loaded = new CompletableFuture<>();
    private final CompletableFuture<String> death = new CompletableFuture<>();
    private volatile boolean dead;
    private volatile boolean stopping;
    private volatile String killReason;
    private volatile long memoryLimitMb;
    private volatile long pingSentAt;
    private volatile boolean pingOutstanding;
    /** Whether the kernel killed the process at its cgroup's memory limit (false without a cgroup). */
    private volatile java.util.function.BooleanSupplier oomKilled = () -> false;

    private HostProcess(Process process, ProcessLog log, FrameChannel channel, Executor completions, Hello hello) {
        this.process = process;
        this.log = log;
        this.channel = channel;
        this.completions = completions;
        this.hello = hello;
    }

    /**
     * Starts a function process and waits for its {@code HELLO}. Blocks: call it on a spawner thread.
     *
     * @param command the JVM's command line without the socket argument
     */
    static HostProcess start(List<String> command, Map<String, String> environment, Path socketDir,
                             Duration startTimeout, ProcessLog log, Executor completions) throws IOException {
        return start(command, environment, socketDir, startTimeout, log, completions, -1);
    }

    /** @param socketOwner the uid the process runs as, which must be able to connect; -1: the router's */
    static HostProcess start(List<String> command, Map<String, String> environment, Path socketDir,
                             Duration startTimeout, ProcessLog log, Executor completions, int socketOwner)
            throws IOException {
        long begin = System.nanoTime();
        Path socketPath = socketDir.resolve("h" + SERIAL.incrementAndGet() + ".sock");
        Files.deleteIfExists(socketPath);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Process process = null;
        try {
            server.bind(UnixDomainSocketAddress.of(socketPath));
            if (socketOwner >= 0) {
                Files.setAttribute(socketPath, "unix:uid", socketOwner);
                Files.setAttribute(socketPath, "unix:gid", socketOwner);
                Files.setPosixFilePermissions(socketPath, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
            List<String> full = new ArrayList<>(command);
            full.add(socketPath.toString());
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(environment);
            process = builder.start();
            pumpOutput(process, log);
            Process started = process;
            // accept() has no timeout of its own: closing the server wakes it when the process dies or is late.
            var watchdog = CompletableFuture.delayedExecutor(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            CompletableFuture<Void> late = CompletableFuture.runAsync(() -> { }, watchdog);
            late.thenRun(() -> closeQuietly(server));
            started.onExit().thenRun(() -> closeQuietly(server));
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (IOException notConnected) {
                throw new IOException(started.isAlive()
                        ? "the function process did not connect within " + startTimeout.toSeconds() + " s"
                        : "the function process exited with status " + started.waitFor() + " before it connected",
                        notConnected);
            } finally {
                late.cancel(false);
                closeQuietly(server);
                Files.deleteIfExists(socketPath);
            }
            FrameChannel channel = new FrameChannel(socket, MAX_ANSWER_BYTES);
            Frame first = channel.read();
            if (first.type() != Frame.HELLO) {
                throw new IOException("the function process did not start with HELLO");
            }
            ByteBuffer p = first.payload();
            Hello hello = new Hello(p.getLong(), Wire.str(p), p.getLong(), p.getLong(), p.getLong(),
                    System.nanoTime() - begin);
            HostProcess host = new HostProcess(started, log, channel, completions, hello);
            Thread reader = new Thread(host::readLoop, "fn-reader-" + hello.pid());
            reader.setDaemon(true);
            reader.start();
            return host;
        } catch (IOException | RuntimeException failed) {
            if (process != null) {
                process.destroyForcibly();
            }
            throw failed instanceof IOException io ? io : new IOException(failed.getMessage(), failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            if (process != null) {
                process.destroyForcibly();
            }
            throw new IOException("interrupted while starting a function process", interrupted);
        } finally {
            closeQuietly(server);
        }
    }

    private static void pumpOutput(Process process, ProcessLog log) {
        Thread pump = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    log.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "fn-log-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    long pid() {
        return process.pid();
    }

    Hello hello() {
        return hello;
    }

    ProcessLog log() {
        return log;
    }

    boolean isAlive() {
        return !dead && process.isAlive();
    }

    /** Completes with the reason once the process has died (or stopped). */
    CompletableFuture<String> death() {
        return death;
    }

    void memoryLimitMb(long limit) {
        this.memoryLimitMb = limit;
    }

    private volatile Isolation.Slot slot;

    void slot(Isolation.Slot slot) {
        this.slot = slot;
    }

    /** The process's uid, private dir and cgroup; null for a process started without a launcher. */
    Isolation.Slot slot() {
        return slot;
    }

    void oomKilled(java.util.function.BooleanSupplier check) {
        this.oomKilled = check;
    }

    long memoryLimitMb() {
        return memoryLimitMb;
    }

    /** Asks the process to load its model; completes with the load time the process measured. */
    CompletableFuture<Duration> load(Wire.Load load) {
        // A batching process may have started every request its engine threads' batches hold.
        boolean batches = load.batching().enabled() && Batcher.batchable(load.manifest().signature());
        workers = Math.max(1, load.concurrency()) * (batches ? load.batching().maxBatchSize() : 1);
        try {
            channel.write(Wire.load(load));
        } catch (IOException gone) {
            // the reader sees the end of the socket and fails the load with the reason
        }
        return loaded;
    }

    /**
     * Sends one request; the future completes with the outputs and the process's own compute time. When the
     * process dies first, it fails with {@link InstanceCrashed}, wrapped in {@link NotStarted} when the
     * request certainly had not started running there (see {@link #died}).
     */
    CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control) {
        CompletableFuture<InferenceOutcome> answer = new CompletableFuture<>();
        if (dead) {
            answer.completeExceptionally(new NotStarted(crashed(death.getNow("has died"))));
            return answer;
        }
        ByteBuffer frame;
        try {
            frame = Wire.request(0, request);
        } catch (RuntimeException unencodable) {
            answer.completeExceptionally(new EngineFailure("cannot send the request: " + unencodable.getMessage()));
            return answer;
        }
        long id;
        // Ids are given in the order frames reach the socket, which is the order the process queues them in.
        synchronized (sendLock) {
            id = nextId.getAndIncrement();
            frame.putLong(ID_OFFSET, id);
            pending.put(id, answer);
            try {
                channel.write(frame);
            } catch (IOException gone) {
                // the reader notices the end of the socket and fails this request with the reason
                unsent.add(id);
            }
        }
        if (dead && pending.remove(id) != null) {
            // died() may have drained pending before this id was added
            answer.completeExceptionally(new NotStarted(crashed(death.getNow("has died"))));
            return answer;
        }
        long sent = id;
        control.onCancel(() -> {
            if (pending.containsKey(sent)) {
                try {
                    channel.write(Frame.CANCEL, sent);
                } catch (IOException gone) {
                    // the process is dying; its requests fail with the reason
                }
            }
        });
        return answer;
    }

    /** Threads the process runs requests on (its model's concurrency), once it has been asked to load. */
    void workers(int count) {
        this.workers = count;
    }

    /** One health round: kills a process that has not answered the previous ping or exceeds its memory. */
    void check(Duration timeout, Executor writer) {
        if (dead) {
            return;
        }
        long now = System.nanoTime();
        if (pingOutstanding && now - pingSentAt > timeout.toNanos()) {
            kill("did not answer its health check within " + timeout.toMillis() + " ms");
            return;
        }
        long limit = memoryLimitMb;
        if (limit > 0) {
            long rss = Rss.ofMb(process.pid());
            if (rss > limit) {
                kill("exceeded its memory limit: RSS " + rss + " MiB > " + limit + " MiB");
                return;
            }
        }
        if (!pingOutstanding) {
            pingSentAt = now;
            pingOutstanding = true;
            writer.execute(() -> {
                try {
                    channel.write(Frame.PING, 0);
                } catch (IOException gone) {
                    // the reader handles the end
                }
            });
        }
    }

    /** Kills the process at once (SIGKILL); in-flight requests fail with {@code reason}. */
    void kill(String reason) {
        if (killReason == null) {
            killReason = reason;
        }
        if (!dead) {
            log.note("killing pid " + process.pid() + ": it " + reason);
        }
        process.destroyForcibly();
    }

    /** Asks the process to finish its runs, close its session and exit; kills it after {@code grace}. */
    void stop(Duration grace) {
        stopping = true;
        try {
            channel.write(Frame.STOP, 0);
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.note("pid " + process.pid() + " did not stop within " + grace.toMillis() + " ms; killing it");
                process.destroyForcibly();
            }
        } catch (IOException alreadyGone) {
            process.destroyForcibly();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        closeQuietly(channel);
    }

    private void readLoop() {
        try {
            while (true) {
                Frame frame = channel.read();
                switch (frame.type()) {
                    case Frame.RESULT -> {
                        var answer = pending.remove(frame.id());
                        if (answer != null) {
                            Wire.Result result = Wire.result(frame.payload());
                            completions.execute(() -> answer.complete(new InferenceOutcome(result.outputs(),
                                    result.computeNanos(), result.batchSize())));
                        }
                    }
                    case Frame.ERROR -> {
                        var failure = Wire.error(frame.payload());
                        if (frame.id() == 0) {
                            completions.execute(() -> loaded.completeExceptionally(failure));
                        } else {
                            var answer = pending.remove(frame.id());
                            if (answer != null) {
                                completions.execute(() -> answer.completeExceptionally(failure));
                            }
                        }
                    }
                    case Frame.LOADED -> {
                        long took = frame.payload().getLong();
                        completions.execute(() -> loaded.complete(Duration.ofNanos(took)));
                    }
                    case Frame.PONG -> pingOutstanding = false;
                    default -> throw new IOException("unexpected frame type " + frame.type());
                }
            }
        } catch (IOException | RuntimeException ended) {
            died(ended);
        }
    }

    private void died(Exception ended) {
        dead = true;
        closeQuietly(channel);
        String reason;
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                if (killReason == null && !stopping) {
                    killReason = "broke the protocol (" + ended.getMessage() + ")";
                }
                process.destroyForcibly();
                process.waitFor(2, TimeUnit.SECONDS);
            }
            int status = process.exitValue();
            if (killReason == null && status == 128 + 9 && oomKilled.getAsBoolean()) {
                killReason = "exceeded its memory limit: killed by the kernel's OOM killer at its cgroup's limit of "
                        + memoryLimitMb + " MiB";
            }
            reason = killReason != null ? killReason : stopping ? "stopped" : describeExit(status);
        } catch (InterruptedException | IllegalThreadStateException unknown) {
            reason = killReason != null ? killReason : "ended (" + ended.getMessage() + ")";
        }
        if (!stopping || killReason != null) {
            log.note("pid " + process.pid() + " " + reason);
        }
        InstanceCrashed crash = crashed(reason);
        // The process queues requests in the order they arrived and runs them on its engine threads (in batches
        // of at most maxBatchSize when it batches), each of which writes its answers before it takes more; every
        // answer written has been read by now. So of the requests still pending, only the first `workers`
        // (threads × batch size) the process received can have started:
        // the others (and any it never received) fail as NotStarted, which the instance retries once.
        List<Long> ids;
        synchronized (sendLock) {
            dead = true;
            ids = new ArrayList<>(pending.keySet());
        }
        ids.sort(null);
        List<CompletableFuture<InferenceOutcome>> failed = new ArrayList<>();
        List<CompletableFuture<InferenceOutcome>> notStarted = new ArrayList<>();
        int mayHaveStarted = workers;
        for (Long id : ids) {
            var answer = pending.remove(id);
            if (answer == null) {
                continue;
            }
            if (!unsent.contains(id) && mayHaveStarted > 0) {
                mayHaveStarted--;
                failed.add(answer);
            } else {
                notStarted.add(answer);
            }
        }
        String finalReason = reason;
        NotStarted retryable = new NotStarted(crash);
        completions.execute(() -> {
            failed.forEach(answer -> answer.completeExceptionally(crash));
            notStarted.forEach(answer -> answer.completeExceptionally(retryable));
            loaded.completeExceptionally(new ModelLoadFailed("the function process " + finalReason, CRASH_RETRY));
            death.complete(finalReason);
        });
    }

    private InstanceCrashed crashed(String reason) {
        return new InstanceCrashed("the function process of instance " + log.owner() + " (pid " + process.pid()
                + ") " + reason + "; the next request starts a new one", CRASH_RETRY);
    }

    static String describeExit(int status) {
        if (status > 128) {
            int signal = status - 128;
            String name = switch (signal) {
                case 9 -> "SIGKILL";
                case 6 -> "SIGABRT";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                case 7 -> "SIGBUS";
                default -> "signal " + signal;
            };
            return "was killed by " + name + (signal == 9 ? " (killed from outside, or by the kernel's OOM killer)"
                    : signal == 11 || signal == 6 || signal == 7 ? " (a native crash)" : "");
        }
        return "exited with status " + status;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }
}
