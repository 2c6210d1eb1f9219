package dev.torpor.pool.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;

/** Lets tests outside this package dial a listening function host the way the router does ({@link DialedHost}). */
public final class TestDialer {
    private TestDialer() {
    }

    /** A router's connection to a host; closing it stops the host's work (the host then exits). */
    public interface Dialed extends AutoCloseable {
        /** The host's process id, from its HELLO. */
        long helloPid();

        @Override
        void close();
    }

    /** Dials {@code address} presenting {@code token} and waits for HELLO (bounded by {@code timeout}). */
    public static Dialed dial(String name, InetSocketAddress address, String token, Duration timeout,
                              Executor completions) throws IOException {
        DialedHost host = DialedHost.dial(name, address, token, timeout, completions);
        return new Dialed() {
            @Override
            public long helloPid() {
                return host.hello().pid();
            }

            @Override
            public void close() {
                host.stop(timeout);
            }
        };
    }
}
