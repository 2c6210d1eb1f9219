package dev.torpor.samples.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.json.InferenceRequestDecoder;
import dev.torpor.function.json.InferenceResponseEncoder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Torpor's KServe V2 JSON codec (Jackson's streaming parser and generator straight into and out of a
 * {@code float[]}) against the obvious way to do it with Jackson: its tree model ({@code readTree}, then copy
 * the {@code data} nodes into a {@code float[]}; build an {@code ArrayNode} of the floats, then write it).
 *
 * <p>Throughput in operations per second of one FP32 tensor of {@code tensorBytes} of payload;
 * {@link CodecReport} turns it into MiB/s of payload.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
// The 64 MiB JSON body is ~200 MB, and the tree baseline holds a node per element on top of it.
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class JsonCodecBenchmark {
    @Param({"1024", "65536", "1048576", "16777216", "67108864"})
    public int tensorBytes;

    private CodecFixture fixture;
    private final InferenceRequestDecoder decoder = new InferenceRequestDecoder();
    private final InferenceResponseEncoder encoder = new InferenceResponseEncoder();
    private final ObjectMapper mapper = new ObjectMapper();

    @Setup(Level.Trial)
    public void prepare() {
        fixture = CodecFixture.ofPayloadBytes(tensorBytes);
    }

    @Benchmark
    public InferenceRequest decodeTorpor() {
        return decoder.decode(fixture.jsonRequest());
    }

    @Benchmark
    public float[] decodeJacksonTree() throws IOException {
        return JacksonTree.firstInputData(mapper.readTree(fixture.jsonRequest()));
    }

    @Benchmark
    public byte[] encodeTorpor() {
        return encoder.encode(fixture.response());
    }

    @Benchmark
    public byte[] encodeJacksonTree() throws IOException {
        return mapper.writeValueAsBytes(JacksonTree.response(mapper, fixture.values()));
    }

    /** The tree-model baseline, shared with the tests that check it reads and writes what Torpor does. */
    static final class JacksonTree {
        private JacksonTree() {
        }

        static float[] firstInputData(JsonNode request) {
            JsonNode data = request.get("inputs").get(0).get("data");
            float[] values = new float[data.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = data.get(i).floatValue();
            }
            return values;
        }

        static ObjectNode response(ObjectMapper mapper, float[] values) {
            ObjectNode response = mapper.createObjectNode();
            response.put("model_name", "bench");
            response.put("model_version", "1");
            ObjectNode output = response.putArray("outputs").addObject();
            output.put("name", CodecFixture.OUTPUT);
            output.putArray("shape").add(1).add(values.length);
            output.put("datatype", "FP32");
            ArrayNode data = output.putArray("data");
            for (float value : values) {
                data.add(value);
            }
            return response;
        }
    }
}
