package dev.torpor.pool.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the router waits for one function host to connect: a Unix domain socket (a child process; the
 * socket file is private to the process's uid) or a TCP port (a host that is not on this machine's file
 * system, such as a pod). {@link #address()} is what the host is told, as {@code FunctionHost}'s argument.
 * One connection per listener; {@link #close()} removes the socket file. Not thread-safe.
 */
final class HostListener implements AutoCloseable {
    private static final AtomicLong SERIAL = new AtomicLong();

    private final ServerSocketChannel server;
    private final String address;
    private final Path socketFile;

    private HostListener(ServerSocketChannel server, String address, Path socketFile) {
        this.server = server;
        this.address = address;
        this.socketFile = socketFile;
    }

    /** A Unix socket in {@code dir}; {@code owner}: the uid the host runs as, which must connect (-1: ours). */
    static HostListener unix(Path dir, int owner) throws IOException {
        Path socket = dir.resolve("h" + SERIAL.incrementAndGet() + ".sock");
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            if (owner >= 0) {
                Files.setAttribute(socket, "unix:uid", owner);
                Files.setAttribute(socket, "unix:gid", owner);
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException | RuntimeException failed) {
            server.close();
            Files.deleteIfExists(socket);
            throw failed;
        }
        return new HostListener(server, socket.toString(), socket);
    }

    /** A TCP port chosen by the system on {@code bindTo} (the loopback address for a host on this machine). */
    static HostListener tcp(InetAddress bindTo) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(bindTo, 0), 1);
        } catch (IOException | RuntimeException failed) {
            server.close();
            throw failed;
        }
        InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
        return new HostListener(server, "tcp:" + bound.getAddress().getHostAddress() + ":" + bound.getPort(), null);
    }

    /** What the host connects to: a socket path, or {@code tcp:<address>:<port>}. */
    String address() {
        return address;
    }

    /**
     * Waits for the host to connect: at most {@code timeout}, and no longer than {@code host} lives.
     *
     * @throws IOException naming whether the host was late or exited first
     */
    SocketChannel accept(Duration timeout, Process host) throws IOException, InterruptedException {
        // accept() has no timeout of its own: closing the server wakes it when the host dies or is late.
        var watchdog = CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Void> late = CompletableFuture.runAsync(() -> { }, watchdog);
        late.thenRun(this::close);
        host.onExit().thenRun(this::close);
        try {
            SocketChannel socket = server.accept();
            if (socketFile == null) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true); // frames are whole messages
            }
            return socket;
        } catch (IOException notConnected) {
            throw new IOException(host.isAlive()
                    ? "the function process did not connect within " + timeout.toSeconds() + " s"
                    : "the function process exited with status " + host.waitFor() + " before it connected",
                    notConnected);
        } finally {
            late.cancel(false);
            close();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            if (socketFile != null) {
                Files.deleteIfExists(socketFile);
            }
        } catch (IOException ignored) {
            // a socket file left behind is removed with its directory
        }
    }
}
