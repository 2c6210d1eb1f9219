package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A flood of slow uploads takes at most {@code TORPOR_MAX_BLOCKING_THREADS} threads (4 here): each holds a blocking
 * thread while its body trickles in, and once all are held a request that needs one gets 503 with
 * {@code Retry-After} naming the limit, while the event loop still answers. When the uploads go, requests are served
 * again. Loopback only; 4 sockets; every wait has a deadline.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlockingPoolFloodTest implements TorporTestProperties {
    private static final int THREADS = 4;
    private static final long DEADLINE_MS = 20_000;

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> extraProperties() {
        return Map.of("torpor.max-blocking-threads", Integer.toString(THREADS));
    }

    /** A publish that announces 1 MB and sends 16 bytes of it, then waits: its controller holds a thread. */
    private Socket slowUpload(String key, int n) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5_000);
        OutputStream out = socket.getOutputStream();
        out.write(("PUT /v2/repository/models/flood/versions/" + n + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Authorization: Bearer " + key + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Length: 1048576\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[16]);
        out.flush();
        return socket;
    }

    private static Http.Reply until(Http http, String path, IntPredicate status) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        Http.Reply reply = http.get(path);
        while (!status.test(reply.status()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            reply = http.get(path);
        }
        return reply;
    }

    @Test
    void slowUploadsHoldAtMostTheLimitAndTheRestGetA503NamingIt() throws Exception {
        Http http = Http.operator(server);
        assertThat(http.get("/v2/repository/models").status()).isEqualTo(200);
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 1; i <= THREADS; i++) {
                flood.add(slowUpload(http.key(), i));
            }
            Http.Reply busy = until(http, "/v2/repository/models", status -> status == 503);
            assertThat(busy.status()).as(busy.body()).isEqualTo(503);
            assertThat(busy.header("Retry-After")).isEqualTo("1");
            assertThat(busy.json().get("error").asText()).contains("all " + THREADS + " threads")
                    .contains("TORPOR_MAX_BLOCKING_THREADS");
            assertThat(http.get("/v2/health/live").status()).as("the event loop still answers").isEqualTo(200);
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
        Http.Reply served = until(http, "/v2/repository/models", status -> status == 200);
        assertThat(served.status()).as(served.body()).isEqualTo(200);
    }
}
