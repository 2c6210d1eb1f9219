package dev.torpor.function.host;

import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.Unauthenticated;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A listening function host's door (a pod's {@code containerPort}): it accepts TCP connections for the host's
 * whole life and hands over the first one that presents the host's token, as its first frame, as the router's
 * connection. Everything else is ignored without harm: a bare connection (a readiness probe connects and
 * closes, or sends nothing for {@link #HANDSHAKE_TIMEOUT}) is closed; a wrong token is answered with an
 * UNAUTHENTICATED ERROR and closed (the token is compared in constant time and never logged); a valid token
 * while a router is already connected is answered with a CAPACITY_EXHAUSTED ERROR and closed — a host serves
 * one router, for its life. Before the token, a connection may only send frames of
 * {@link Wire#MAX_TOKEN_BYTES}, so an unauthenticated peer cannot make the host allocate more.
 *
 * <p>Thread-safe: one daemon thread accepts, and each connection is checked on a thread of its own.
 */
final class RouterAcceptor {
    /** How long a connection may take to present its token. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final ServerSocketChannel server;
    private final byte[] token;
    private final int maxFrameBytes;
    private final CompletableFuture<FrameChannel> router = new CompletableFuture<>();
    private final AtomicBoolean claimed = new AtomicBoolean();

    private RouterAcceptor(ServerSocketChannel server, byte[] token, int maxFrameBytes) {
        this.server = server;
        this.token = token;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Listens as the pod contract says — on {@code $POD_IP} ({@code 0.0.0.0} when unset), port
     * {@code $TORPOR_FUNCTION_PORT} (default {@link FunctionHost#DEFAULT_PORT}), for the token in
     * {@code $TORPOR_FUNCTION_TOKEN} — and waits for the router's connection. Exits (status 2) without a token.
     */
    static FrameChannel fromEnvironment(int maxFrameBytes) throws IOException {
        String ip = System.getenv("POD_IP");
        String port = System.getenv("TORPOR_FUNCTION_PORT");
        String token = System.getenv("TORPOR_FUNCTION_TOKEN");
        if (token == null || token.isEmpty()) {
            System.err.println("function host: " + FunctionHost.LISTEN + " needs TORPOR_FUNCTION_TOKEN in its environment");
            System.exit(2);
        }
        InetSocketAddress address = new InetSocketAddress(ip == null || ip.isBlank() ? "0.0.0.0" : ip.strip(),
                port == null || port.isBlank() ? FunctionHost.DEFAULT_PORT : Integer.parseInt(port.strip()));
        RouterAcceptor acceptor = listen(address, token, maxFrameBytes);
        System.err.println("function host: listening on " + acceptor.address());
        return acceptor.awaitRouter();
    }

    /**
     * Listens on {@code address} and starts accepting.
     *
     * @param maxFrameBytes the frame limit of the router's connection once it is authenticated
     */
    static RouterAcceptor listen(InetSocketAddress address, String token, int maxFrameBytes) throws IOException {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("a listening host needs a token");
        }
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(address);
        RouterAcceptor acceptor = new RouterAcceptor(server, token.getBytes(StandardCharsets.UTF_8), maxFrameBytes);
        Thread accepting = new Thread(acceptor::acceptLoop, "accept");
        accepting.setDaemon(true);
        accepting.start();
        return acceptor;
    }

    /** Where it listens (the port the system chose, when asked for port 0). */
    SocketAddress address() throws IOException {
        return server.getLocalAddress();
    }

    /** Waits for the router: the first connection that presented the token. */
    FrameChannel awaitRouter() {
        return router.join();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel connection = server.accept();
                Thread check = new Thread(() -> handshake(connection), "handshake");
                check.setDaemon(true);
                check.start();
            } catch (IOException failed) {
                System.err.println("function host: accept failed: " + failed.getMessage());
            }
        }
    }

    private void handshake(SocketChannel connection) {
        // A read has no timeout of its own: closing the connection wakes it.
        CompletableFuture<Void> late = CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        late.thenRun(() -> closeQuietly(connection));
        String peer = peerOf(connection);
        try {
            String presented = Wire.token(new FrameChannel(connection, Wire.MAX_TOKEN_BYTES).read());
            late.cancel(false);
            FrameChannel channel = new FrameChannel(connection, maxFrameBytes);
            if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
                System.err.println("function host: refused a connection from " + peer + ": wrong token");
                refuse(channel, new Unauthenticated("the function host refused the token"));
            } else if (!claimed.compareAndSet(false, true)) {
                System.err.println("function host: refused a second router connection from " + peer);
                refuse(channel, new CapacityExhausted("this function host already serves a router", null));
            } else {
                connection.setOption(StandardSocketOptions.TCP_NODELAY, true); // frames are whole messages
                System.err.println("function host: router connected from " + peer);
                router.complete(channel);
            }
        } catch (IOException | RuntimeException bare) {
            // a probe, or a peer that does not speak the protocol: not the router
            late.cancel(false);
            closeQuietly(connection);
        }
    }

    private static void refuse(FrameChannel channel, RuntimeException why) {
        try {
            channel.write(Wire.error(0, why));
        } catch (IOException ignored) {
            // it is closed either way
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static String peerOf(SocketChannel connection) {
        try {
            return String.valueOf(connection.getRemoteAddress());
        } catch (IOException gone) {
            return "(gone)";
        }
    }

    private static void closeQuietly(SocketChannel connection) {
        try {
            connection.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
