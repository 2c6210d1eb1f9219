package dev.torpor.pool.process;

import dev.torpor.function.FunctionInstance;
import dev.torpor.function.host.FunctionHost;
import dev.torpor.pool.DaemonThreads;
import dev.torpor.pool.InstanceLogs;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.Launcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * <li>Each process's output is captured with its instance id ({@link #instanceLogs()}).</li>
 * <li>Processes never outlive the router: {@link #close()} stops them, a JVM shutdown hook kills what is
 *     left, and a process whose parent died (even by SIGKILL) sees its standard input end and exits.</li>
 * </ul>
 *
 * <p>Construction only takes the settings; {@link #start()} prepares the data dir ({@link ProcessDataDir},
 * {@link Isolation}) and starts the background work. The parts: {@link Isolation} (uids, cgroups, the data
 * dir's lockdown), {@link FunctionCommand} (a function JVM's command line, the class-data archive),
 * {@link ModelFiles} (what a process gets for its model), {@link WarmPool}, {@link ProcessLogs}.
 *
 * <p>Thread-safe.
 */
public final class ProcessLauncher implements Launcher, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProcessLauncher.class.getName());

    private final ProcessSettings settings;
    private final Clock clock;
    private final ProcessDataDir dirs;
    private final Set<HostProcess> live = ConcurrentHashMap.newKeySet();
    private final ProcessLogs logs = new ProcessLogs();
    private final AtomicInteger warmSerial = new AtomicInteger();

    // Set once by start(), before its volatile write of `started`: a caller that has seen started == true
    // (launch() checks it) sees them, as does every instance launch() returns and every task run by the
    // executors created there.
    private Path socketDir;
    private Isolation isolation;
    private FunctionCommand command;
    private ModelFiles modelFiles;
    private WarmPool pool;
    private ExecutorService spawner;
    private ExecutorService completions;
    private ScheduledExecutorService watchdog;
    private Thread shutdownHook;
    private volatile boolean started;
    private volatile boolean closed;

    /** Only takes its settings: {@link #start()} prepares the directories and starts the processes. */
    public ProcessLauncher(ProcessSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.dirs = new ProcessDataDir(settings.dataDir());
    }

    /**
     * Prepares the data dir (directories, ONNX Runtime's natives, the class path, the lockdown), starts the
     * watchdog and the warm pool, registers the shutdown hook that kills what is left, and starts building the
     * class-data archive if there is none. Call it once before {@link #launch}; later calls do nothing.
     *
     * @return this launcher
     * @throws IllegalStateException when the launcher is closed
     * @throws java.io.UncheckedIOException when the data dir cannot be prepared
     */
    public synchronized ProcessLauncher start() {
        if (closed) {
            throw new IllegalStateException("the process launcher is closed");
        }
        if (started) {
            return this;
        }
        try {
            Files.createDirectories(dirs.run());
            this.socketDir = ProcessDataDir.newSocketDir();
            Files.createDirectories(dirs.trainingTmp());
            Files.createDirectories(dirs.ortCache());
            this.isolation = Isolation.prepare(settings, dirs);
            if (isolation.sandboxed()) {
                // each socket is chowned to its process's uid; the dir lets them reach it, not list it
                Files.setPosixFilePermissions(socketDir, DataDirLockdown.TRAVERSE);
            }
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot prepare the function process directories", unusable);
        }
        Optional<Path> natives = OrtNatives.extract(dirs.natives());
        this.command = new FunctionCommand(settings, dirs, isolation.classPath(settings.classPath()), natives);
        isolation.lockDown();
        this.modelFiles = new ModelFiles(dirs);
        this.spawner = Executors.newCachedThreadPool(DaemonThreads.named("fn-spawner"));
        this.completions = Executors.newCachedThreadPool(DaemonThreads.named("fn-completion"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("fn-watchdog"));
        this.pool = new WarmPool(settings.warmPoolSize(), () -> startProcess("warm-" + warmSerial.incrementAndGet(),
                settings.poolHeapMb(), List.of(FunctionHost.WARM_UP)), spawner);
        this.shutdownHook = new Thread(this::killAll, "fn-orphan-guard");
        started = true;
        long every = settings.healthInterval().toMillis();
        watchdog.scheduleWithFixedDelay(this::checkAll, every, every, TimeUnit.MILLISECONDS);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        pool.refill();
        if (command.needsTraining()) {
            spawner.execute(() -> {
                if (!closed) {
                    command.train();
                }
            });
        }
        return this;
    }

    private void requireStarted() {
        if (closed) {
            throw new IllegalStateException("the process launcher is closed");
        }
        if (!started) {
            throw new IllegalStateException("the process launcher is not started: call start() first");
        }
    }

    @Override
    public String name() {
        return "process";
    }

    /** Function processes batch inside themselves (the LOAD frame carries the model's batching). */
    @Override
    public boolean batches() {
        return true;
    }

    @Override
    public FunctionInstance launch(LaunchSpec spec) {
        requireStarted();
        return new RemoteFunctionInstance(spec, this::acquire, clock);
    }

    /** The artifact path a process loads: its own read-only link or copy when it runs as its own uid. */
    Path artifactFor(HostProcess process, LaunchSpec spec) throws IOException {
        return modelFiles.artifactFor(process.slot(), spec);
    }

    /** The optimized-model cache dir a process writes: the shared one, or its private one when sandboxed. */
    String cacheDirFor(HostProcess process) {
        return modelFiles.cacheDirFor(process.slot());
    }

    /** After a load: shares what a sandboxed process wrote into its private cache with its model's next processes. */
    void loaded(HostProcess process, LaunchSpec spec) {
        modelFiles.harvest(process.slot(), spec);
    }

    /** Whether function processes run as their own unprivileged uids. Only once started. */
    public boolean sandboxed() {
        requireStarted();
        return isolation.sandboxed();
    }

    /** Whether function processes get a memory cgroup each. Only once started. */
    public boolean memoryCgroups() {
        requireStarted();
        return isolation.cgroups();
    }

    /** The RSS limit of an instance's process: its model's memory plus the JVM's and engine's own. */
    private long memoryLimitMb(LaunchSpec spec) {
        return spec.memoryMb() + settings.overheadMb();
    }

    /**
     * A lease on a connected, model-less process for {@code spec}'s instance: a warm one when the pool has
     * one, a fresh one otherwise. Completes on a spawner thread. Closing the lease (or failing to get one)
     * ends the cold start: the warm pool then starts a replacement without competing with it for the CPUs.
     */
    CompletableFuture<HostLease> acquire(LaunchSpec spec) {
        String instanceId = spec.instanceId();
        long heapMb = Math.max(64, spec.memoryMb());
        // A pooled process made ONNX Runtime's environment itself: a model that needs other options gets its own.
        List<String> options = FunctionHost.optionsFor(spec.manifest());
        CompletableFuture<HostProcess> pooled = options.isEmpty()
                ? pool.take().orElse(CompletableFuture.completedFuture(null)) : CompletableFuture.completedFuture(null);
        return pooled.thenComposeAsync(warm -> {
            if (warm != null && warm.isAlive()) {
                assign(warm, instanceId, spec);
                warm.log().note("pid " + warm.pid() + " taken from the warm pool");
                return CompletableFuture.completedFuture(warm);
            }
            return CompletableFuture.supplyAsync(() -> {
                HostProcess process = startProcess(instanceId, heapMb, options);
                assign(process, instanceId, spec);
                return process;
            }, spawner);
        }, Runnable::run).<HostLease>thenApply(process -> new ProcessLease(this, process))
                .whenComplete((lease, failure) -> {
                    if (failure != null) {
                        coldStartDone();
                    }
                });
    }

    /** A cold start has finished (see {@link #acquire}). */
    void coldStartDone() {
        pool.refill();
    }

    private void assign(HostProcess process, String instanceId, LaunchSpec spec) {
        logs.assign(instanceId, process.log());
        process.assign(instanceId, memoryLimitMb(spec));
        if (process.slot() != null) {
            isolation.limit(process.slot(), memoryLimitMb(spec));
        }
    }

    /**
     * @param hostOptions {@link FunctionHost}'s options: {@link FunctionHost#WARM_UP} for pooled processes (they
     *                    warm their load path up before HELLO), {@link FunctionHost#optionsFor} for an instance's
     */
    private HostProcess startProcess(String label, long heapMb, List<String> hostOptions) {
        if (closed) {
            throw new IllegalStateException("the process launcher is closed");
        }
        Isolation.Slot slot;
        try {
            slot = isolation.open(heapMb + settings.overheadMb());
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot prepare a function process: " + failed.getMessage(), failed);
        }
        Path tmp = slot.dir().tmp();
        ProcessLog log = new ProcessLog(label);
        try {
            HostProcess process = HostProcess.start(new HostProcess.Spawn(
                    command.process(isolation.prefix(slot), heapMb, tmp, hostOptions), FunctionCommand.environment(tmp),
                    HostListener.unix(socketDir, slot.uid()), settings.startTimeout(), log, completions, slot,
                    slot.cgroup() != null ? heapMb + settings.overheadMb() : 0, () -> isolation.oomKilled(slot)));
            live.add(process);
            process.death().thenRun(() -> {
                live.remove(process);
                isolation.close(slot);
            });
            if (closed) {
                process.kill("was started while the router shut down");
            }
            return process;
        } catch (IOException failed) {
            String why = isolation.oomKilled(slot) ? "it exceeded its memory limit: killed by the kernel's OOM killer "
                    + "at its cgroup's limit of " + (heapMb + settings.overheadMb()) + " MiB" : failed.getMessage();
            isolation.close(slot);
            List<String> tail = log.lines();
            throw new UncheckedIOException("a function process failed to start: " + why
                    + (tail.isEmpty() ? "" : "; its output: " + String.join(" | ",
                    tail.subList(Math.max(0, tail.size() - 5), tail.size()))), failed);
        }
    }

    /** The captured output of its instances' processes, with the router's notes about them. */
    @Override
    public Optional<InstanceLogs> instanceLogs() {
        return Optional.of(logs);
    }

    /** The captured output of an instance's process(es), if the instance is known. */
    public Optional<List<String>> logs(String instanceId) {
        return logs.lines(instanceId);
    }

    /** Process ids of every function process alive now (pooled ones included); for tests and views. */
    public List<Long> livePids() {
        return live.stream().filter(HostProcess::isAlive).map(HostProcess::pid).toList();
    }

    /** Warm processes ready to take now (none before {@link #start()}). */
    public int warmReady() {
        return started ? pool.readyCount() : 0;
    }

    private void checkAll() {
        try {
            for (HostProcess process : live) {
                process.check(settings.healthTimeout(), completions);
            }
            // files the router created in the data dir since (the database's journal, …) are hidden too
            isolation.lockDown();
        } catch (RuntimeException unexpected) {
            LOG.log(System.Logger.Level.WARNING, "function process watchdog failed", unexpected);
        }
    }

    /** Stops the pool and every function process. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!started) {
            return;
        }
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
}
