package dev.torpor.samples.growth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code java -jar torpor.jar} as a child process: a fresh data directory in a temp dir, a free port on
 * 127.0.0.1, the log in a file, and the given settings as environment variables. The child is always killed:
 * by {@link #close()}, or by a shutdown hook when the bench JVM exits first.
 */
final class RouterProcess implements AutoCloseable {
    private final Process process;
    private final Path workDir;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final Thread killer;

    private RouterProcess(Process process, Path workDir, Path dataDir, Path log, int port) {
        this.process = process;
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
        this.killer = new Thread(process::destroyForcibly, "growth-bench-kill-router");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts the router jar with {@code settings} (TORPOR_* variables) on top of its own data dir, host and port. */
    static RouterProcess start(Path jar, Map<String, String> settings) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no router jar at " + jar + " (build it: mvn -B -q -DskipTests -pl router -am package)");
        }
        Path workDir = Files.createTempDirectory("torpor-growth-");
        // A router running as root runs function processes as their own uids, which must reach the data dir.
        Files.setPosixFilePermissions(workDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path dataDir = Files.createDirectory(workDir.resolve("data"));
        Path log = workDir.resolve("torpor.log");
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", jar.toAbsolutePath().toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(settings);
        builder.environment().put("TORPOR_DATA_DIR", dataDir.toString());
        builder.environment().put("TORPOR_HOST", "127.0.0.1");
        builder.environment().put("TORPOR_PORT", Integer.toString(port));
        return new RouterProcess(builder.start(), workDir, dataDir, log, port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    long pid() {
        return process.pid();
    }

    /** Polls GET /v2/health/ready until it answers 200; fails if the child exits or the time runs out. */
    void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(base().resolve("/v2/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the router exited during start-up with status "
                        + process.exitValue() + "\n" + logTail());
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
        throw new IllegalStateException("the router was not ready within " + timeout + "\n" + logTail());
    }

    /**
     * The operator's bearer token, when the router has API keys: it writes {@code <data dir>/operator.key}
     * (one line) on its first start. Empty for a router without keys.
     */
    Optional<String> operatorKey() throws IOException {
        Path key = dataDir.resolve("operator.key");
        return Files.isRegularFile(key) ? Optional.of(Files.readString(key, StandardCharsets.UTF_8).strip())
                : Optional.empty();
    }

    /** The router and every process below it (function processes and whatever starts them). */
    List<Long> processTree() {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    /** The function processes: descendants running a JVM (a launcher may put a helper between them and the router). */
    long functionProcesses() {
        return process.descendants().filter(child -> child.info().command().map(c -> c.endsWith("java")).orElse(false))
                .count();
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL after 30 s; removes the temp dir (models, database, log) unless {@code keep}. */
    void close(boolean keep) {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        if (!keep) {
            try (Stream<Path> paths = Files.walk(workDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }

    @Override
    public void close() {
        close(false);
    }

    Path log() {
        return log;
    }
}
