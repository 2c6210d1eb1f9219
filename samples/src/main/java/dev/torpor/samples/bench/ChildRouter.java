package dev.torpor.samples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Torpor as a child process: {@code java -jar torpor.jar} with a fresh data directory and a free port on
 * 127.0.0.1, its output sent to a log file. The child is killed whatever happens: {@link #close()} stops it,
 * and a shutdown hook kills it if the bench JVM exits first (Ctrl-C, an uncaught error). Public: the growth
 * bench (samples/growth-bench) starts its routers with it too.
 */
public final class ChildRouter implements AutoCloseable {
    /** How the child ended: wall time from SIGTERM to its exit, and its exit status. */
    record Stop(long millis, int exitCode, boolean forced) {
    }

    private final Process process;
    private final Path workDir;
    private final Path log;
    private final int port;
    private final Thread killer;

    private ChildRouter(Process process, Path workDir, Path log, int port) {
        this.process = process;
        this.workDir = workDir;
        this.log = log;
        this.port = port;
        this.killer = new Thread(process::destroyForcibly, "torpor-bench-kill-child");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Starts the router jar with TORPOR_DATA_DIR (fresh temp dir), TORPOR_HOST=127.0.0.1, TORPOR_PORT (a port
     * that was free a moment ago) and TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS=300, so nothing scales to zero on its
     * own during the bench. The child runs on the same JDK as the bench, with no extra JVM options.
     */
    static ChildRouter start(Path jar, String launcher, int warmPool) throws IOException {
        return start(jar, launcher, warmPool, List.of());
    }

    /**
     * @param warmPool   TORPOR_WARM_POOL_SIZE, or null for the router's default
     * @param jvmOptions options for the child's JVM before {@code -jar} (e.g. {@code -XX:StartFlightRecording=…})
     */
    static ChildRouter start(Path jar, String launcher, Integer warmPool, List<String> jvmOptions) throws IOException {
        Map<String, String> settings = new java.util.HashMap<>();
        settings.put("TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS", "300");
        settings.put("TORPOR_LAUNCHER", launcher);
        if (warmPool != null) {
            settings.put("TORPOR_WARM_POOL_SIZE", Integer.toString(warmPool));
        }
        return start(jar, settings, jvmOptions);
    }

    /**
     * Starts the router jar with {@code settings} (TORPOR_* variables) on top of its own fresh data dir, host
     * 127.0.0.1 and a free port.
     *
     * @param jvmOptions options for the child's JVM before {@code -jar} (e.g. {@code -XX:StartFlightRecording=…})
     */
    public static ChildRouter start(Path jar, Map<String, String> settings, List<String> jvmOptions)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no router jar at " + jar + " (build it: mvn -B -q -DskipTests package)");
        }
        Path workDir = Files.createTempDirectory("torpor-bench-");
        Path dataDir = Files.createDirectory(workDir.resolve("data"));
        Path log = workDir.resolve("torpor.log");
        // A router running as root runs function processes as their own uids: they must be able to traverse to
        // the data dir (the data dir itself is closed by the router); the log stays the bench's own.
        Files.createFile(log, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.setPosixFilePermissions(workDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(settings);
        builder.environment().put("TORPOR_DATA_DIR", dataDir.toString());
        builder.environment().put("TORPOR_HOST", "127.0.0.1");
        builder.environment().put("TORPOR_PORT", Integer.toString(port));
        return new ChildRouter(builder.start(), workDir, log, port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * The operator's bearer token, when the router keeps one: the first line of {@code <data dir>/operator.key},
     * which a router with API keys writes on its first start. Null when there is no such file (a router without
     * keys), so the bench works with and without them. Read after {@link #awaitReady}.
     */
    public String operatorKey() throws IOException {
        Path key = workDir.resolve("data").resolve("operator.key");
        if (!Files.isRegularFile(key)) {
            return null;
        }
        String token = Files.readAllLines(key).stream().map(String::trim).filter(line -> !line.isEmpty())
                .findFirst().orElse(null);
        return token;
    }

    public long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** Polls GET /v2/health/ready until it answers 200; fails if the child exits or the time runs out. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(base().resolve("/v2/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Torpor exited during start-up with status " + process.exitValue()
                        + "\n" + logTail());
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Torpor was not ready within " + timeout + "\n" + logTail());
    }

    /** RSS and peak of the router plus its function processes (summed over the router's descendants). */
    ProcStatus status() {
        ProcStatus total = ProcStatus.read(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            try {
                ProcStatus one = ProcStatus.read(child.pid());
                total = new ProcStatus(total.rssKb() + one.rssKb(), total.hwmKb() + one.hwmKb());
            } catch (IllegalStateException gone) {
                // exited between listing and reading
            }
        }
        return total;
    }

    /** How many function processes the router has now: its descendants running a JVM (a launcher may put a helper between). */
    public long functionProcesses() {
        return process.descendants().filter(child -> child.info().command().map(c -> c.endsWith("java")).orElse(false))
                .count();
    }

    /** The router and every process below it (function processes and whatever starts them). */
    public List<Long> processTree() {
        List<Long> pids = new java.util.ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    /**
     * Sends SIGTERM ({@link Process#destroy()} on Linux) and waits for the exit, which per the API contract
     * includes draining in-flight requests, flushing the billing ledger and stopping function instances.
     * After 60 s it kills the child (SIGKILL) and says so.
     */
    Stop stop() throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Stop(millis, process.exitValue(), !exited);
    }

    /** The last lines of the child's log, for error messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Kills the child if still alive; removes the temp dir only when {@code keepFiles} is false. */
    public void close(boolean keepFiles) {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        if (!keepFiles) {
            deleteRecursively(workDir);
        }
    }

    @Override
    public void close() {
        close(false);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
