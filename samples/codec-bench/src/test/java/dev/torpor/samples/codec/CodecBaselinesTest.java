package dev.torpor.samples.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.json.DecodedRequest;
import dev.torpor.function.json.InferenceRequestDecoder;
import dev.torpor.function.json.InferenceResponseEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks compare like with like only if Torpor's codec and each baseline read and write the same
 * floats from the same bodies: checked here on a small tensor (the benchmarks themselves run only from
 * samples/codec-bench.sh).
 */
class CodecBaselinesTest {
    private final CodecFixture fixture = CodecFixture.ofPayloadBytes(4096);
    private final InferenceRequestDecoder decoder = new InferenceRequestDecoder();
    private final InferenceResponseEncoder encoder = new InferenceResponseEncoder();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void jsonDecodeOfTorporAndOfTheJacksonTreeGiveTheFixturesFloats() throws Exception {
        InferenceRequest request = decoder.decode(fixture.jsonRequest());
        float[] torpor = (float[]) request.input(CodecFixture.INPUT).orElseThrow().data();
        float[] tree = JsonCodecBenchmark.JacksonTree.firstInputData(mapper.readTree(fixture.jsonRequest()));

        assertThat(torpor).containsExactly(fixture.values());
        assertThat(tree).containsExactly(fixture.values());
        assertThat(fixture.values()).hasSize(1024).doesNotContain(0f);
    }

    @Test
    void jsonEncodeOfTorporAndOfTheJacksonTreeWriteTheSameFloats() throws Exception {
        byte[] torpor = encoder.encode(fixture.response());
        byte[] tree = mapper.writeValueAsBytes(JsonCodecBenchmark.JacksonTree.response(mapper, fixture.values()));

        assertThat(mapper.readTree(torpor)).isEqualTo(mapper.readTree(tree));
        float[] back = JsonCodecBenchmark.JacksonTree.firstInputData(
                mapper.createObjectNode().set("inputs", mapper.readTree(torpor).get("outputs")));
        assertThat(back).containsExactly(fixture.values());
    }

    @Test
    void binaryDecodeOfTorporAndOfTheRawCopyGiveTheFixturesFloats() {
        DecodedRequest decoded = decoder.decode(fixture.binaryRequest(), Integer.toString(fixture.binaryHeaderLength()));
        float[] torpor = (float[]) decoded.request().input(CodecFixture.INPUT).orElseThrow().data();
        float[] raw = BinaryCodecBenchmark.RawCopy.read(fixture.binaryRequest(), fixture.binaryHeaderLength(),
                fixture.payloadBytes());

        assertThat(torpor).containsExactly(fixture.values());
        assertThat(raw).containsExactly(fixture.values());
    }

    @Test
    void binaryEncodeOfTorporEndsWithTheRawCopysBytes() {
        InferenceResponseEncoder.Encoded encoded = encoder.encode(fixture.response(), output -> true);
        byte[] raw = BinaryCodecBenchmark.RawCopy.write(fixture.values());

        assertThat(encoded.body()).hasSize(encoded.headerLength() + raw.length);
        assertThat(ByteBuffer.wrap(encoded.body(), encoded.headerLength(), raw.length).slice())
                .isEqualTo(ByteBuffer.wrap(raw));
        assertThat(new String(encoded.body(), 0, encoded.headerLength(), StandardCharsets.UTF_8))
                .contains("\"binary_data_size\":" + raw.length);
    }
}
