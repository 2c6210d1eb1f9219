package dev.torpor.router;

import dev.torpor.router.auth.ApiKeys;
import dev.torpor.router.auth.AuthSettings;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start: with auth on, loads the keys (creating the first operator key on an empty store, or installing the
 * one TORPOR_BOOTSTRAP_KEY_FILE provides) and then reloads them periodically; with auth off, warns loudly when
 * the server listens beyond loopback.
 */
@Context
public class KeyRingKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(KeyRingKeeper.class);

    private final ScheduledExecutorService timer = DaemonTimer.named("key-ring-refresh");

    KeyRingKeeper(ApiKeys keys, AuthSettings auth, TorporSettings settings,
                  @Value("${micronaut.server.host:}") String host) {
        if (!auth.enabled()) {
            warnAuthOff(host);
            return;
        }
        keys.bootstrap(settings.dataDir(), auth.bootstrapKeyFile());
        long every = auth.refreshInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                keys.refresh();
            } catch (RuntimeException failed) {
                LOG.warn("could not reload the API keys (the previous set stays in force): {}", failed.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private static void warnAuthOff(String host) {
        if (isLoopback(host)) {
            LOG.warn("Authentication is OFF (TORPOR_AUTH_ENABLED=false): every request acts as an operator."
                    + " Listening on loopback only ({}).", host);
            return;
        }
        String line = "*".repeat(100);
        LOG.warn("\n{}\n*** Authentication is OFF (TORPOR_AUTH_ENABLED=false) and Torpor listens on '{}', beyond"
                + " loopback:\n*** ANYONE who can reach this port can publish, delete and call models, change limits"
                + " and prices and read all billing.\n*** Turn auth on, or bind to 127.0.0.1 (TORPOR_HOST).\n{}",
                line, host.isEmpty() ? "all interfaces" : host, line);
    }

    static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false; // Netty binds every interface when no host is set
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException unknown) {
            return false;
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
