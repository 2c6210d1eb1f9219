package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Archives for DJL that must be refused with a precise 4xx, leaving the store as it was: no model.json, an
 * unknown engine, a .pt that is not TorchScript, datatypes DJL cannot exchange, a .params without its block,
 * zip-slip entries and zip bombs (over the entry cap, over the unpacked-size cap, here 1 MB).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DjlBadArchiveTest implements TorporTestProperties {
    private static final String TORCH_JSON = """
            {"format": "torchscript", "engine": "PyTorch", "file": "mlp.pt",
             "inputs":  [{"name": "x", "datatype": "%s", "shape": [-1, 8]}],
             "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}""";

    @Inject
    EmbeddedServer server;
    Http http;

    @Override
    public Map<String, String> extraProperties() {
        return Map.of("torpor.archive-max-unpacked-mb", "1");
    }

    @BeforeEach
    void client() {
        http = Http.operator(server);
    }

    @AfterEach
    void storeIsUnchanged() {
        assertThat(http.get("/v2/repository/models").json().get("models")).isEmpty();
    }

    private static byte[] mlpPt() {
        return TestArchives.entry(DjlModels.archive(DjlModels.TORCHSCRIPT_ZIP), "mlp.pt");
    }

    private Http.Reply publish(byte[] zip) {
        return http.put("/v2/repository/models/bad/versions/1", "application/zip", zip);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void refused(byte[] zip, int status, String... messageParts) {
        Http.Reply reply = publish(zip);
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        String error = reply.json().get("error").asText();
        for (String part : messageParts) {
            assertThat(error).contains(part);
        }
        assertThat(http.get("/v2/models/bad").status()).isEqualTo(404);
    }

    @Test
    void anArchiveWithoutModelJsonIs400() {
        refused(TestArchives.zip("mlp.pt", mlpPt()), 400, "no model.json");
    }

    @Test
    void anUnknownEngineIs422NamingIt() {
        refused(TestArchives.zip("model.json", utf8(TORCH_JSON.formatted("FP32").replace(
                "\"format\": \"torchscript\", \"engine\": \"PyTorch\"", "\"format\": \"djl\", \"engine\": \"TensorFlow\"")),
                "mlp.pt", mlpPt()), 422, "no engine in this build serves format 'djl' with engine 'TensorFlow'");
    }

    @Test
    void aPtThatIsNotTorchscriptIs422WithDjlsMessage() {
        refused(TestArchives.zip("model.json", utf8(TORCH_JSON.formatted("FP32")), "mlp.pt", utf8("not a model")),
                422, "PyTorch (DJL) cannot open the model: ");
    }

    @Test
    void aDatatypeDjlCannotExchangeIs422NamingIt() {
        refused(TestArchives.zip("model.json", utf8(TORCH_JSON.formatted("UINT32")), "mlp.pt", mlpPt()),
                422, "input 'x' has datatype UINT32");
    }

    @Test
    void paramsWithoutABlockIs400() {
        refused(TestArchives.zip("model.json", utf8("""
                {"format": "djl", "engine": "PyTorch", "file": "mlp-0005.params",
                 "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
                 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}"""),
                "mlp-0005.params", TestArchives.entry(DjlModels.archive(DjlModels.DJL_ZIP), "mlp-0005.params")),
                400, "'block' is required");
    }

    @Test
    void zipSlipEntriesAre400() {
        refused(TestArchives.zip("model.json", utf8(TORCH_JSON.formatted("FP32")), "mlp.pt", mlpPt(),
                "../evil.pt", utf8("x")), 400);
        refused(TestArchives.zip("model.json", utf8(TORCH_JSON.formatted("FP32")), "mlp.pt", mlpPt(),
                "/tmp/evil.pt", utf8("x")), 400);
    }

    @Test
    void zipBombsAre413NamingTheLimit() throws IOException {
        // 8 MB of zeros deflate to a few KB, and unpack past the 1 MB limit set for this test.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("model.json"));
            zip.write(utf8(TORCH_JSON.formatted("FP32")));
            zip.putNextEntry(new ZipEntry("mlp.pt"));
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 8; i++) {
                zip.write(zeros);
            }
        }
        assertThat(bytes.size()).isLessThan(100_000);
        refused(bytes.toByteArray(), 413, "the unpacked archive limit");

        List<Object> many = new ArrayList<>(List.of("model.json", utf8(TORCH_JSON.formatted("FP32")), "mlp.pt", mlpPt()));
        for (int i = 0; i < 1000; i++) {
            many.add("f" + i);
            many.add(new byte[0]);
        }
        refused(TestArchives.zip(many.toArray()), 413, "the archive entry limit");
    }
}
