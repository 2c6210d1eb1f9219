package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torpor.router.auth.ApiKeyFormat;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TORPOR_BOOTSTRAP_KEY_FILE on a real router (how a Kubernetes Secret provides the operator key): on an empty
 * database the file's key is the operator key and no {@code operator.key} is written; once keys exist another
 * file's key is not installed; a file without a well-formed key stops start-up naming the variable, never
 * quoting the file's content.
 */
class BootstrapKeyFileTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path secrets;

    private Map<String, Object> properties(Path keyFile) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("torpor.data-dir", dataDir.toString());
        properties.put("torpor.launcher", "in-process");
        properties.put("torpor.auth.bootstrap-key-file", keyFile.toString());
        return properties;
    }

    private Path keyFile(String name, String content) throws Exception {
        return Files.writeString(secrets.resolve(name), content);
    }

    @Test
    void theProvidedKeyIsTheFirstOperatorKeyAndNothingIsWritten() throws Exception {
        String first = ApiKeyFormat.newKey();
        EmbeddedServer router = ApplicationContext.run(EmbeddedServer.class, properties(keyFile("first", first + "\n")));
        try {
            Http.Reply keys = new Http(router.getURL()).withKey(first).get("/admin/keys");
            assertThat(keys.status()).as(keys.body()).isEqualTo(200);
            JsonNode listed = keys.json().get("keys");
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).get("role").asText()).isEqualTo("operator");
            assertThat(listed.get(0).get("tenant").asText()).isEqualTo("default");
            assertThat(dataDir.resolve("operator.key")).doesNotExist();
        } finally {
            router.getApplicationContext().close();
        }
        String second = ApiKeyFormat.newKey();
        EmbeddedServer again = ApplicationContext.run(EmbeddedServer.class, properties(keyFile("second", second)));
        try {
            Http anyone = new Http(again.getURL());
            assertThat(anyone.withKey(first).get("/admin/keys").status()).as("the stored key").isEqualTo(200);
            assertThat(anyone.withKey(second).get("/admin/keys").status()).as("keys exist: not installed")
                    .isEqualTo(401);
        } finally {
            again.getApplicationContext().close();
        }
    }

    @Test
    void aFileWithoutAWellFormedKeyStopsStartUpNamingTheVariable() throws Exception {
        Path broken = keyFile("broken", "tpk_not-a-key-at-all");
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, properties(broken)).close())
                .hasStackTraceContaining("TORPOR_BOOTSTRAP_KEY_FILE: " + broken + " must hold one API key")
                .satisfies(failure -> assertThat(stackTrace(failure)).doesNotContain("not-a-key-at-all"));
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, properties(secrets.resolve("absent")))
                .close())
                .hasStackTraceContaining("TORPOR_BOOTSTRAP_KEY_FILE: cannot read " + secrets.resolve("absent"));
    }

    private static String stackTrace(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
