package dev.torpor.pool.process;

import dev.torpor.function.FunctionInstance;
import dev.torpor.function.djl.DjlEnvironment;
import dev.torpor.function.host.FunctionHost;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.Launcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs every function instance in its own child JVM ({@link FunctionHost}), so that a native crash, a
 * memory leak or a runaway thread in one model takes down only its own process, and scaling to zero
 * returns all of the instance's memory to the machine.
 *
 * <ul>
 * <li>Processes start with the router's java binary and class path, a scrubbed environment, a private
 *     temp dir, ONNX Runtime's natives pre-extracted into the data dir, and a heap limit.</li>
 * <li>A {@link WarmPool} keeps model-less processes started; a cold start takes one and only loads.</li>
 * <li>A watchdog pings every process and reads its RSS; one that stops answering or exceeds its model's
 *     {@code memoryMb + overheadMb} is killed, and its requests fail with the reason.</li>
 * <li>Each process's output is captured with its instance id ({@link #logs(String)}).</li>
 * <li>Processes never outlive the router: {@link #close()} stops them, a JVM shutdown hook kills what is
 *     left, and a process whose parent died (even by SIGKILL) sees its standard input end and exits.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class ProcessLauncher implements Launcher, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProcessLauncher.class.getName());
    private static final int KEPT_LOGS = 256;

    private final ProcessSettings settings;
    private final Clock clock;
    private final Path socketDir;
    private final Path tempDir;
    private final Path cacheDir;
    /** The JVM's command line up to the heap option; gains the class-data archive once it is built. */
    private volatile List<String> baseCommand;
    private final ClassDataArchive archive;
    private final WarmPool pool;
    private final ExecutorService spawner;
    private final ExecutorService completions;
    private final ScheduledExecutorService watchdog;
    private final Set<HostProcess> live = ConcurrentHashMap.newKeySet();
    private final Map<String, ProcessLog> logs = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ProcessLog> eldest) {
            return size() > KEPT_LOGS;
        }
    });
    private final Thread shutdownHook;
    private final AtomicInteger warmSerial = new AtomicInteger();
    private volatile boolean closed;

    public ProcessLauncher(ProcessSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        try {
            Path run = settings.dataDir().resolve("run");
            Files.createDirectories(run);
            // Unix socket paths are limited to ~108 bytes: keep them short, and private to this user.
            this.socketDir = Files.createTempDirectory("torpor-fn-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            this.tempDir = Files.createDirectories(run.resolve("tmp"));
            this.cacheDir = Files.createDirectories(settings.dataDir().resolve("cache").resolve("ort"));
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot prepare the function process directories", unusable);
        }
        Optional<Path> natives = OrtNatives.extract(settings.dataDir().resolve("native"));
        this.archive = new ClassDataArchive(settings.dataDir().resolve("cds"), settings.javaCommand(),
                settings.classPath());
        this.baseCommand = command(natives, archive.options().orElse(List.of()));
        this.spawner = Executors.newCachedThreadPool(daemon("fn-spawner"));
        this.completions = Executors.newCachedThreadPool(daemon("fn-completion"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("fn-watchdog"));
        long every = settings.healthInterval().toMillis();
        watchdog.scheduleWithFixedDelay(this::checkAll, every, every, TimeUnit.MILLISECONDS);
        this.pool = new WarmPool(settings.warmPoolSize(), () -> startProcess("warm-" + warmSerial.incrementAndGet(),
                settings.poolHeapMb(), true), spawner);
        this.shutdownHook = new Thread(this::killAll, "fn-orphan-guard");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        pool.refill();
        if (archive.needsTraining()) {
            spawner.execute(() -> {
                List<String> training = new ArrayList<>(baseCommand);
                training.add(1, "-Xmx" + settings.poolHeapMb() + "m");
                training.addAll(List.of("-cp", settings.classPath(), FunctionHost.class.getName()));
                if (!closed && archive.train(training, environment(), new ProcessLog("cds-training"))) {
                    baseCommand = command(natives, archive.options().orElse(List.of()));
                }
            });
        }
    }

    private List<String> command(Optional<Path> natives, List<String> archiveOptions) {
        List<String> command = new ArrayList<>();
        command.add(settings.javaCommand());
        command.addAll(archiveOptions);
        command.add("-XX:+UseSerialGC");
        command.add("-XX:-UsePerfData");
        command.add("-Xss512k");
        command.add("-Djava.io.tmpdir=" + tempDir);
        command.add("-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %5$s%6$s%n");
        natives.ifPresent(dir -> command.add("-Donnxruntime.native.path=" + dir));
        // DJL models: offline, and PyTorch's natives from the router's cache (unpacked once per data dir).
        Path djlCache = DjlEnvironment.cacheDir(settings.dataDir());
        command.add("-DDJL_CACHE_DIR=" + djlCache);
        command.add("-DENGINE_CACHE_DIR=" + djlCache);
        command.add("-Dai.djl.offline=true");
        command.addAll(settings.extraJvmOptions());
        return command;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public FunctionInstance launch(LaunchSpec spec) {
        if (closed) {
            throw new IllegalStateException("the process launcher is closed");
        }
        return new RemoteFunctionInstance(spec, this, clock);
    }

    /** The optimized-model cache function processes use. */
    Path cacheDir() {
        return cacheDir;
    }

    ProcessSettings settings() {
        return settings;
    }

    /** The RSS limit of an instance's process: its model's memory plus the JVM's and engine's own. */
    long memoryLimitMb(LaunchSpec spec) {
        return spec.memoryMb() + settings.overheadMb();
    }

    /**
     * A connected, model-less process for {@code instanceId}: a warm one when the pool has one, a fresh one
     * otherwise. Completes on a spawner thread.
     */
    CompletableFuture<HostProcess> acquire(String instanceId, LaunchSpec spec) {
        long heapMb = Math.max(64, spec.memoryMb());
        CompletableFuture<HostProcess> pooled = pool.take().orElse(CompletableFuture.completedFuture(null));
        return pooled.thenComposeAsync(warm -> {
            if (warm != null && warm.isAlive()) {
                assign(warm, instanceId, spec);
                warm.log().note("pid " + warm.pid() + " taken from the warm pool");
                return CompletableFuture.completedFuture(warm);
            }
            return CompletableFuture.supplyAsync(() -> {
                HostProcess process = startProcess(instanceId, heapMb, false);
                assign(process, instanceId, spec);
                return process;
            }, spawner);
        }, Runnable::run);
    }

    /**
     * Called when a cold start has finished (loaded or failed): now the warm pool may start a replacement
     * without competing with that load for the CPUs.
     */
    void coldStartDone() {
        pool.refill();
    }

    private void assign(HostProcess process, String instanceId, LaunchSpec spec) {
        process.log().assign(instanceId);
        process.memoryLimitMb(memoryLimitMb(spec));
        ProcessLog previous = logs.get(instanceId);
        if (previous != null && previous != process.log()) {
            // A replacement process: keep the instance's earlier lines (the crash) before the new ones.
            previous.lines().forEach(process.log()::carry);
        }
        logs.put(instanceId, process.log());
    }

    /** @param warmUp whether the process warms its load path up before it says HELLO (pooled processes do) */
    private HostProcess startProcess(String label, long heapMb, boolean warmUp) {
        if (closed) {
            throw new IllegalStateException("the process launcher is closed");
        }
        List<String> command = new ArrayList<>(baseCommand);
        command.add(1, "-Xmx" + heapMb + "m");
        command.add("-cp");
        command.add(settings.classPath());
        command.add(FunctionHost.class.getName());
        if (warmUp) {
            command.add(FunctionHost.WARM_UP);
        }
        ProcessLog log = new ProcessLog(label);
        try {
            HostProcess process = HostProcess.start(command, environment(), socketDir, settings.startTimeout(), log,
                    completions);
            live.add(process);
            process.death().thenRun(() -> live.remove(process));
            if (closed) {
                process.kill("was started while the router shut down");
            }
            return process;
        } catch (IOException failed) {
            List<String> tail = log.lines();
            throw new UncheckedIOException("a function process failed to start: " + failed.getMessage()
                    + (tail.isEmpty() ? "" : "; its output: " + String.join(" | ",
                    tail.subList(Math.max(0, tail.size() - 5), tail.size()))), failed);
        }
    }

    /** Only what a JVM needs: no keys, no database URL, nothing of the router's own environment. */
    private Map<String, String> environment() {
        return Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "TMPDIR", tempDir.toString());
    }

    /** The captured output of an instance's process(es), if the instance is known. */
    public Optional<List<String>> logs(String instanceId) {
        return Optional.ofNullable(logs.get(instanceId)).map(ProcessLog::lines);
    }

    /** Process ids of every function process alive now (pooled ones included); for tests and views. */
    public List<Long> livePids() {
        return live.stream().filter(HostProcess::isAlive).map(HostProcess::pid).toList();
    }

    /** Warm processes ready to take now. */
    public int warmReady() {
        return pool.readyCount();
    }

    private void checkAll() {
        try {
            for (HostProcess process : live) {
                process.check(settings.healthTimeout(), completions);
            }
        } catch (RuntimeException unexpected) {
            LOG.log(System.Logger.Level.WARNING, "function process watchdog failed", unexpected);
        }
    }

    /** Stops the pool and every function process. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
        watchdog.shutdownNow();
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (HostProcess process : List.copyOf(live)) {
            stops.add(CompletableFuture.runAsync(() -> process.stop(Duration.ofSeconds(5)), spawner));
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS)
                .exceptionally(late -> null).join();
        killAll();
        spawner.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        try (var leftovers = Files.list(socketDir)) {
            for (Path file : leftovers.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(socketDir);
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    private void killAll() {
        for (HostProcess process : live) {
            process.kill("was stopped with the router");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
