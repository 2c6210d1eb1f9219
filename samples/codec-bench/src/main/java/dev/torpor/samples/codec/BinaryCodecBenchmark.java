package dev.torpor.samples.codec;

import dev.torpor.function.json.DecodedRequest;
import dev.torpor.function.json.InferenceRequestDecoder;
import dev.torpor.function.json.InferenceResponseEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * Torpor's binary tensor data extension (a JSON header, then raw little-endian elements) against the floor
 * of what any implementation must do: one bulk copy between the body's bytes and a {@code float[]} through
 * {@code ByteBuffer.asFloatBuffer()}. Torpor's decode also parses and checks the JSON header; its encode also
 * writes one and sizes the body.
 *
 * <p>Throughput in operations per second of one FP32 tensor of {@code tensorBytes} of payload;
 * {@link CodecReport} turns it into MiB/s of payload.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class BinaryCodecBenchmark {
    @Param({"1024", "65536", "1048576", "16777216", "67108864"})
    public int tensorBytes;

    private CodecFixture fixture;
    private String headerLength;
    private final InferenceRequestDecoder decoder = new InferenceRequestDecoder();
    private final InferenceResponseEncoder encoder = new InferenceResponseEncoder();

    @Setup(Level.Trial)
    public void prepare() {
        fixture = CodecFixture.ofPayloadBytes(tensorBytes);
        headerLength = Integer.toString(fixture.binaryHeaderLength());
    }

    @Benchmark
    public DecodedRequest decodeTorpor() {
        return decoder.decode(fixture.binaryRequest(), headerLength);
    }

    @Benchmark
    public float[] decodeRawCopy() {
        return RawCopy.read(fixture.binaryRequest(), fixture.binaryHeaderLength(), fixture.payloadBytes());
    }

    @Benchmark
    public InferenceResponseEncoder.Encoded encodeTorpor() {
        return encoder.encode(fixture.response(), output -> true);
    }

    @Benchmark
    public byte[] encodeRawCopy() {
        return RawCopy.write(fixture.values());
    }

    /** The bulk-copy baseline, shared with the tests that check it reads and writes what Torpor does. */
    static final class RawCopy {
        private RawCopy() {
        }

        static float[] read(byte[] body, int offset, int length) {
            float[] values = new float[length / Float.BYTES];
            ByteBuffer.wrap(body, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return values;
        }

        static byte[] write(float[] values) {
            ByteBuffer out = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            out.asFloatBuffer().put(values);
            return out.array();
        }
    }
}
