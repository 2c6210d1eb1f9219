package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The documented switch for local development: with TORPOR_AUTH_ENABLED=false no key is asked for or created. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthOffTest implements TorporTestProperties {
    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> extraProperties() {
        return Map.of("torpor.auth.enabled", "false");
    }

    @Test
    void everyRequestActsAsAnOperatorOfTenantDefaultAndNoKeyIsCreated() {
        Http http = new Http(server.getURL()); // no key
        assertThat(http.putFile("/v2/repository/models/open/versions/1", SampleModels.silero()).status()).isEqualTo(201);
        Http.Reply answered = http.post("/v2/models/open/infer", SileroRequests.json("o", SileroRequests.audio(2)));
        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        assertThat(http.get("/admin/pool").status()).isEqualTo(200);
        assertThat(http.get("/billing/records").json().get("records").get(0).get("tenant").asText())
                .isEqualTo("default");
        assertThat(http.get("/v2/repository/models/open").json().get("owner").asText()).isEqualTo("default");
        Path dataDir = Path.of(server.getApplicationContext().getRequiredProperty("torpor.data-dir", String.class));
        assertThat(Files.exists(dataDir.resolve("operator.key"))).isFalse();
    }
}
