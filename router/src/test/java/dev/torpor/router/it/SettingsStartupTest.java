package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.function.json.DecodeLimits;
import dev.torpor.pool.DeviceProbe;
import dev.torpor.pool.GpuDiscovery;
import dev.torpor.pool.process.ProcessSettings;
import dev.torpor.router.FunctionProcessSettings;
import dev.torpor.router.InputLimitSettings;
import dev.torpor.router.LauncherKind;
import dev.torpor.router.TorporSettings;
import dev.torpor.router.activation.ScalingSettings;
import dev.torpor.router.auth.AuthSettings;
import dev.torpor.router.billing.BillingSettings;
import dev.torpor.router.billing.Prices;
import dev.torpor.store.ArchiveLimits;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings records bound by a real application context: {@code application.yml}'s defaults (the ones the
 * README's configuration table documents) arrive typed, and a bad value stops start-up with a message naming it.
 */
class SettingsStartupTest {
    @TempDir
    Path dataDir;

    private Map<String, Object> properties(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("torpor.data-dir", dataDir.toString());
        properties.putAll(extra);
        return properties;
    }

    @Test
    void theDocumentedDefaultsBindToTheSettingsRecords() {
        try (ApplicationContext context = ApplicationContext.run(properties(Map.of("torpor.launcher", "in-process",
                "torpor.gpus", "fake:2x1000")))) {
            TorporSettings settings = context.getBean(TorporSettings.class);
            assertThat(settings.dataDir()).isEqualTo(dataDir.toAbsolutePath().normalize());
            assertThat(settings.launcher()).isEqualTo(LauncherKind.IN_PROCESS);
            assertThat(settings.gpus()).isEqualTo(new GpuDiscovery.Fake(2, 1000));
            assertThat(context.getBean(DeviceProbe.class).gpus()).hasSize(2);
            assertThat(settings.dbUrl()).isEqualTo("jdbc:sqlite:" + settings.dataDir().resolve("torpor.db"));
            assertThat(settings.maxUploadMb()).isEqualTo(2048);
            assertThat(settings.maxRequestMb()).isEqualTo(64);
            assertThat(settings.defaultIdleTimeout()).isEqualTo(Duration.ofSeconds(300));
            assertThat(settings.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
            assertThat(settings.cpuMemoryMb()).isPositive();

            InputLimitSettings limits = context.getBean(InputLimitSettings.class);
            assertThat(limits.decode()).isEqualTo(new DecodeLimits(64_000_000, 256, 16, 32, 1_048_576, 256, 16L << 20));
            assertThat(limits.maxOutputMb()).isEqualTo(64);
            assertThat(limits.archive()).isEqualTo(new ArchiveLimits(1000, 4096L << 20));

            assertThat(context.getBean(FunctionProcessSettings.class))
                    .isEqualTo(new FunctionProcessSettings(1, 256, 256, 10, null, "", 61000, 1000, true));
            assertThat(context.getBean(ProcessSettings.class)).isEqualTo(ProcessSettings.defaults(settings.dataDir()));
            assertThat(context.getBean(AuthSettings.class)).isEqualTo(new AuthSettings(true, Duration.ofSeconds(10), null));
            assertThat(context.getBean(BillingSettings.class)).isEqualTo(new BillingSettings(
                    new Prices(1, "USD", 0, 0, 0, 1, false), Duration.ofSeconds(60), null, true));
            assertThat(context.getBean(ScalingSettings.class)).isEqualTo(new ScalingSettings(0.7, Duration.ofSeconds(60),
                    Duration.ofSeconds(6), 2.0, Duration.ofSeconds(1)));
        }
    }

    @Test
    void aBadLauncherKindStopsStartUpNamingTheVariable() {
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class,
                properties(Map.of("torpor.launcher", "sideways"))).close())
                .hasMessageContaining("TORPOR_LAUNCHER must be 'process' (each instance in its own function process),"
                        + " 'in-process' (instances in the router's JVM) or 'kubernetes' (each instance in a pod);"
                        + " got 'sideways'")
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBadValueOfAnotherRecordStopsStartUpNamingItsVariable() {
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class,
                properties(Map.of("torpor.launcher", "in-process", "torpor.billing.ledger", "maybe"))).close())
                .hasMessageContaining("TORPOR_BILLING_LEDGER must be on or off, got 'maybe'");
    }
}
