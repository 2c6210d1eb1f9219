package dev.torpor.router.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Starts a real router as a child process on the test class path (in-process launcher, no GPU probe) and waits
 * until it is ready, for tests that must kill it or measure it from outside.
 */
final class ChildRouter {
    private ChildRouter() {
    }

    /**
     * @param env settings beyond the defaults, e.g. {@code TORPOR_DATA_DIR}, {@code TORPOR_PORT}, {@code TORPOR_DB_URL}
     * @return the router's process, ready to serve; its output goes to a temp log named in any failure
     */
    static Process start(String logPrefix, int port, Map<String, String> env) throws Exception {
        Path log = Files.createTempFile(logPrefix, ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.torpor.router.Torpor");
        pb.environment().put("TORPOR_PORT", Integer.toString(port));
        pb.environment().put("TORPOR_LAUNCHER", "in-process");
        pb.environment().put("TORPOR_GPUS", "none");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("router exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> ready = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v2/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("router did not become ready: " + Files.readString(log));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
