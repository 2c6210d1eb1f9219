package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.SampleModels;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS example of docs/SECURITY.md, for real: samples/tls/make-keystore.sh makes a self-signed PKCS12 keystore
 * with the JDK's keytool, the router serves HTTPS with Micronaut's SSL settings, and a client that trusts the
 * exported certificate gets answers (with a key) while one that does not fails the handshake.
 */
class TlsTest {
    private static final String PASSWORD = "test-only-password";

    @Test
    void theRouterServesHttpsWithMicronautsSslSettings(@TempDir Path tls) throws Exception {
        Path script = SampleModels.directory().resolve("../../tls/make-keystore.sh")
                .normalize();
        ProcessBuilder make = new ProcessBuilder("bash", script.toString(), tls.toString(), "localhost")
                .redirectErrorStream(true);
        make.environment().put("TORPOR_TLS_KEYSTORE_PASSWORD", PASSWORD);
        Process keytool = make.start();
        keytool.getOutputStream().close();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        assertThat(Files.exists(tls.resolve("torpor.p12"))).as(output).isTrue();

        Map<String, Object> properties = new HashMap<>(new TorporTestProperties() { }.getProperties());
        properties.put("micronaut.server.ssl.enabled", "true");
        properties.put("micronaut.server.ssl.port", "-1");
        properties.put("micronaut.server.ssl.key-store.path", "file:" + tls.resolve("torpor.p12"));
        properties.put("micronaut.server.ssl.key-store.password", PASSWORD);
        properties.put("micronaut.server.ssl.key-store.type", "PKCS12");
        EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties);
        try {
            ApplicationContext context = server.getApplicationContext();
            assertThat(server.getScheme()).isEqualTo("https");
            URI ready = URI.create("https://localhost:" + server.getPort() + "/v2/health/ready");
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(tls.resolve("torpor.crt")))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(trusting.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
            String key = Files.readString(Path.of(context.getRequiredProperty("torpor.data-dir", String.class))
                    .resolve("operator.key")).strip();
            HttpResponse<String> models = trusting.send(HttpRequest.newBuilder(
                            URI.create("https://localhost:" + server.getPort() + "/v2/repository/models"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).as(models.body()).isEqualTo(200);

            HttpClient stranger = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try {
                stranger.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
                throw new AssertionError("a client that does not trust the certificate got an answer");
            } catch (SSLHandshakeException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        } finally {
            server.getApplicationContext().close();
        }
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("torpor", (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
