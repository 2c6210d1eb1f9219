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
    private final Isolation isolation;
    /** The class path as function processes see it (jars they could not read are linked into the data dir). */
    private final String classPath;
    /** What function processes may read in the data dir; everything else there is hidden from them. */
    private final List<Path> visible;
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
            this.isolation = new Isolation(settings, run);
            if (isolation.sandboxed()) {
                // each socket is chowned to its process's uid; the dir lets them reach it, not list it
                Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx--x--x"));
            }
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot prepare the function process directories", unusable);
        }
        Path data = settings.dataDir();
        Optional<Path> natives = OrtNatives.extract(data.resolve("native"));
        this.classPath = isolation.classPath(settings.classPath(), data.resolve("fn-classpath"));
        Path djlCache = DjlEnvironment.cacheDir(data);
        this.visible = List.of(data.resolve("native"), data.resolve("cds"), data.resolve("run"),
                data.resolve("fn-classpath"), djlCache);
        isolation.lockDown(data, visible);
        if (isolation.sandboxed() && !djlCache.startsWith(data) && Files.isDirectory(djlCache)) {
            try {
                Isolation.readableByAll(djlCache);
            } catch (IOException unreadable) {
                LOG.log(System.Logger.Level.WARNING, "cannot make the DJL cache {0} readable to function processes",
                        djlCache);
            }
        }
        this.archive = new ClassDataArchive(data.resolve("cds"), settings.javaCommand(), classPath);
        this.baseCommand = command(natives, archive.options().orElse(List.of()));
        this.spawner = Executors.newCachedThreadPool(daemon("fn-spawner"));
        this.completions = Executors.newCachedThreadPool(daemon("fn-completion"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("fn-watchdog"));
        long every = settings.healthInterval().toMillis();
        watchdog.scheduleWithFixedDelay(this::checkAll, every, every, TimeUnit.MILLISECONDS);
        this.pool = new WarmPool(settings.warmPoolSize(), () -> startProcess("warm-" + warmSerial.incrementAndGet(),
                settings.poolHeapMb(), List.of(FunctionHost.WARM_UP)), spawner);
        this.shutdownHook = new Thread(this::killAll, "fn-orphan-guard");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        pool.refill();
        if (archive.needsTraining()) {
            spawner.execute(() -> {
                List<String> training = new ArrayList<>(baseCommand);
                training.add(1, "-Xmx" + settings.poolHeapMb() + "m");
                training.add(1, "-Djava.io.tmpdir=" + tempDir);
                training.addAll(List.of("-cp", classPath, FunctionHost.class.getName()));
                if (!closed && archive.train(training, environment(tempDir), new ProcessLog("cds-training"))) {
                    try {
                        Isolation.readableByAll(data.resolve("cds"));
                    } catch (IOException ignored) {
                        // processes that cannot map it run without
                    }
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

    /** Function processes batch inside themselves (the LOAD frame carries the model's batching). */
    @Override
    public boolean batches() {
        return true;
    }

    @Override
    public FunctionInstance launch(LaunchSpec spec) {
        if (closed) {
            throw new IllegalStateException("the process launcher is closed");
        }
        return new RemoteFunctionInstance(spec, this::acquire, clock);
    }

    /** The optimized-model cache function processes use. */
    Path cacheDir() {
        return cacheDir;
    }

    /** The artifact path a process loads: its own read-only link or copy when it runs as its own uid. */
    Path artifactFor(HostProcess process, LaunchSpec spec) throws IOException {
        Isolation.Slot slot = process.slot();
        if (slot == null || !slot.sandboxed()) {
            return spec.artifact().toAbsolutePath();
        }
        Path shared = sandboxCache(spec);
        if (Files.isDirectory(shared)) {
            // this model's optimized-model cache entries, written by earlier processes of the same model
            try (var entries = Files.list(shared)) {
                for (Path entry : entries.toList()) {
                    Path mine = slot.dir().resolve("ort").resolve(entry.getFileName());
                    if (!Files.exists(mine)) {
                        Files.copy(entry, mine);
                        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("r--r--r--"));
                    }
                }
            }
        }
        return isolation.provide(slot, spec.artifact(), spec.manifest().file());
    }

    /** The optimized-model cache dir a process writes: the shared one, or its private one when sandboxed. */
    String cacheDirFor(HostProcess process) {
        Isolation.Slot slot = process.slot();
        return slot == null || !slot.sandboxed() ? cacheDir.toString() : slot.dir().resolve("ort").toString();
    }

    /**
     * After a sandboxed load: copies the entries the process wrote into its private cache to the model's
     * own cache dir (an entry written by an untrusted process is only ever used for the same model).
     */
    void loaded(HostProcess process, LaunchSpec spec) {
        Isolation.Slot slot = process.slot();
        if (slot == null || !slot.sandboxed()) {
            return;
        }
        Path shared = sandboxCache(spec);
        try (var entries = Files.list(slot.dir().resolve("ort"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                Path target = shared.resolve(name);
                if (name.endsWith(".ort") && !Files.exists(target) && Files.isRegularFile(entry,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(shared);
                    Path temporary = shared.resolve(name + ".tmp");
                    Files.copy(entry, temporary, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.move(temporary, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the next load optimizes again
        }
    }

    private Path sandboxCache(LaunchSpec spec) {
        return cacheDir.resolveSibling("ort-fn").resolve(spec.manifest().sha256());
    }

    /** Whether function processes run as their own unprivileged uids. */
    public boolean sandboxed() {
        return isolation.sandboxed();
    }

    /** Whether function processes get a memory cgroup each. */
    public boolean memoryCgroups() {
        return isolation.cgroups();
    }

    ProcessSettings settings() {
        return settings;
    }

    /** The RSS limit of an instance's process: its model's memory plus the JVM's and engine's own. */
    long memoryLimitMb(LaunchSpec spec) {
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
        process.assign(instanceId, memoryLimitMb(spec));
        if (process.slot() != null) {
            isolation.limit(process.slot(), memoryLimitMb(spec));
        }
        ProcessLog previous = logs.get(instanceId);
        if (previous != null && previous != process.log()) {
            // A replacement process: keep the instance's earlier lines (the crash) before the new ones.
            previous.lines().forEach(process.log()::carry);
        }
        logs.put(instanceId, process.log());
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
        Path tmp = slot.dir().resolve("tmp");
        List<String> command = new ArrayList<>(isolation.prefix(slot));
        int java = command.size();
        command.addAll(baseCommand);
        command.add(java + 1, "-Xmx" + heapMb + "m");
        command.add(java + 1, "-Djava.io.tmpdir=" + tmp);
        command.add("-cp");
        command.add(classPath);
        command.add(FunctionHost.class.getName());
        command.addAll(hostOptions);
        ProcessLog log = new ProcessLog(label);
        try {
            HostProcess process = HostProcess.start(new HostProcess.Spawn(command, environment(tmp),
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

    /** Only what a JVM needs: no keys, no database URL, nothing of the router's own environment. */
    private static Map<String, String> environment(Path tmp) {
        return Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "TMPDIR", tmp.toString());
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
            // files the router created in the data dir since (the database's journal, …) are hidden too
            isolation.lockDown(settings.dataDir(), visible);
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
