package dev.torpor.router.it;

import dev.torpor.fixtures.ChildRouter;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.router.db.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Not a test (surefire's default includes skip it): what the durable ledger costs. Silero VAD through a real router
 * in a child JVM, 8 closed-loop clients, throughput and p99 with the ledger on and off ({@code TORPOR_BILLING_LEDGER}),
 * on SQLite and on PostgreSQL (Testcontainers; needs Docker), in one run, rounds interleaved.
 *
 * <pre>mvn -B -o -q test -pl router -am -Dtest=LedgerBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class LedgerBenchmark {
    static final int CLIENTS = 8;
    static final Duration WARM = Duration.ofSeconds(3);
    static final Duration MEASURE = Duration.ofSeconds(8);

    record Result(String name, double perSecond, double p50Ms, double p99Ms) {
    }

    @Test
    void ledgerOnVersusOff() throws Exception {
        List<Result> results = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (String db : List.of("sqlite", "postgresql")) {
                for (String ledger : List.of("on", "off")) {
                    // A fresh database per run: each router bootstraps its own operator key into its data dir.
                    results.add(run(db + " ledger " + ledger, db.equals("sqlite") ? "" : TestPostgres.freshUrl(), ledger));
                }
            }
        }
        System.out.println("=== ledger benchmark (Silero VAD, " + CLIENTS + " clients, " + MEASURE.toSeconds() + " s) ===");
        results.forEach(r -> System.out.printf("%-22s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms%n",
                r.name(), r.perSecond(), r.p50Ms(), r.p99Ms()));
    }

    private Result run(String name, String dbUrl, String ledger) throws Exception {
        Path data = Files.createTempDirectory("torpor-bench-");
        int port = ChildRouter.freePort();
        Process router = start(data, port, dbUrl, ledger);
        try {
            Http http = Http.operator(new URL("http://127.0.0.1:" + port), data);
            String model = "vad" + Math.abs(System.nanoTime() % 100000);
            http.putFile("/v2/repository/models/" + model + "/versions/1", SampleModels.silero());
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/" + model
                            + "/infer")).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + http.key())
                    .POST(HttpRequest.BodyPublishers.ofString(SileroRequests.json("b", SileroRequests.audio(1))))
                    .build();
            AtomicBoolean measuring = new AtomicBoolean(false);
            AtomicBoolean running = new AtomicBoolean(true);
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200 && measuring.get()) {
                                latencies.add(System.nanoTime() - t0);
                            }
                        } catch (IOException | InterruptedException e) {
                            return;
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            Thread.sleep(WARM.toMillis());
            measuring.set(true);
            Thread.sleep(MEASURE.toMillis());
            measuring.set(false);
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return new Result(name, sorted.size() / (double) MEASURE.toSeconds(),
                    sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
        } finally {
            router.destroy();
            router.waitFor();
        }
    }

    static Process start(Path data, int port, String dbUrl, String ledger) throws Exception {
        return ChildRouter.onTestClassPath().tempPrefix("torpor-bench-").port(port).dataDir(data)
                .settings(Map.of("TORPOR_DB_URL", dbUrl, "TORPOR_BILLING_LEDGER", ledger)).start()
                .awaitReady(Duration.ofSeconds(60)).process();
    }
}
