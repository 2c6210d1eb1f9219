package dev.torpor.pool.process;

import dev.torpor.error.InstanceCrashed;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.host.FrameChannel;
import dev.torpor.function.host.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One function process as the router sees it: the child JVM, its output, its limits, and the
 * {@link HostConnection} it answers on. Built complete by {@link #start}: everything it needs to judge its
 * own death (its isolation slot, its memory limit, how to tell an OOM kill) is given before it runs. When it
 * dies — crashed, killed or stopped — the connection fails what was in flight with the reason this class
 * works out from the exit.
 *
 * <p>Thread-safe.
 */
final class HostProcess implements RemoteHost, HostConnection.Peer {
    private static final Duration CRASH_RETRY = Duration.ofSeconds(1);
    /** Answers from a function process are bounded: a frame claiming more is treated as a crash. */
    private static final int MAX_ANSWER_BYTES = Integer.MAX_VALUE - 64;

    /**
     * How to start a process: its command line (without the address, which {@code listener} supplies), a
     * scrubbed environment, its isolation {@code slot} (null: none) with the memory limit its cgroup enforces
     * (0: none) and the check whether the kernel killed it at that limit.
     */
    record Spawn(List<String> command, Map<String, String> environment, HostListener listener,
                 Duration startTimeout, ProcessLog log, Executor completions, Isolation.Slot slot,
                 long memoryLimitMb, BooleanSupplier oomKilled) {
    }

    private final Process process;
    private final ProcessLog log;
    private final Isolation.Slot slot;
    private final BooleanSupplier oomKilled;
    private final long spawnToHelloNanos;
    private final HostConnection connection;
    private volatile boolean stopping;
    private volatile String killReason;
    private volatile long memoryLimitMb;

    private HostProcess(Process process, Spawn spawn, FrameChannel channel, Wire.Hello hello, long spawnToHelloNanos) {
        this.process = process;
        this.log = spawn.log();
        this.slot = spawn.slot();
        this.oomKilled = spawn.oomKilled();
        this.memoryLimitMb = spawn.memoryLimitMb();
        this.spawnToHelloNanos = spawnToHelloNanos;
        this.connection = new HostConnection(channel, hello, spawn.completions(), this);
    }

    /** Starts a function process and waits for its {@code HELLO}. Blocks: call it on a spawner thread. */
    static HostProcess start(Spawn spawn) throws IOException {
        long begin = System.nanoTime();
        Process process = null;
        try (HostListener listener = spawn.listener()) {
            List<String> full = new ArrayList<>(spawn.command());
            full.add(listener.address());
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(spawn.environment());
            process = builder.start();
            pumpOutput(process, spawn.log());
            SocketChannel socket = listener.accept(spawn.startTimeout(), process);
            FrameChannel channel = new FrameChannel(socket, MAX_ANSWER_BYTES);
            Wire.Hello hello = Wire.hello(channel.read());
            HostProcess host = new HostProcess(process, spawn, channel, hello, System.nanoTime() - begin);
            host.connection.startReading("fn-reader-" + hello.pid());
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

    Wire.Hello hello() {
        return connection.hello();
    }

    /** From spawning the JVM to its HELLO, as the router measured it. */
    long spawnToHelloNanos() {
        return spawnToHelloNanos;
    }

    ProcessLog log() {
        return log;
    }

    /** The process's uid, private dir and cgroup; null for a process started without isolation. */
    Isolation.Slot slot() {
        return slot;
    }

    @Override
    public boolean isAlive() {
        return connection.isOpen() && process.isAlive();
    }

    /** Completes with the reason once the process has died (or stopped). */
    CompletableFuture<String> death() {
        return connection.ended();
    }

    /**
     * Gives a (pooled) process to {@code instanceId}: its output is labelled with the instance, and the
     * watchdog holds it to {@code limitMb} of RSS from now on.
     */
    void assign(String instanceId, long limitMb) {
        log.assign(instanceId);
        this.memoryLimitMb = limitMb;
    }

    long memoryLimitMb() {
        return memoryLimitMb;
    }

    @Override
    public CompletableFuture<Duration> load(Wire.Load load) {
        return connection.load(load);
    }

    @Override
    public CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control) {
        return connection.infer(request, control);
    }

    /** One health round: kills a process that has not answered the previous ping or exceeds its memory. */
    void check(Duration timeout, Executor writer) {
        if (!connection.isOpen()) {
            return;
        }
        if (connection.pingOverdue(timeout)) {
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
        connection.ping(writer);
    }

    /** Kills the process at once (SIGKILL); in-flight requests fail with {@code reason}. */
    @Override
    public void kill(String reason) {
        if (killReason == null) {
            killReason = reason;
        }
        if (connection.isOpen()) {
            log.note("killing pid " + process.pid() + ": it " + reason);
        }
        process.destroyForcibly();
    }

    @Override
    public void stop(Duration grace) {
        stopping = true;
        try {
            connection.sendStop();
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
        connection.close();
    }

    @Override
    public String endReason(Exception ended) {
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
        return reason;
    }

    @Override
    public InstanceCrashed crashed(String reason) {
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
}
