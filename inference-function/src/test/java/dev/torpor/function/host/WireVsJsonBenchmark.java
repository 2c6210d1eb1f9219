package dev.torpor.function.host;

import dev.torpor.function.InferenceRequest;
import dev.torpor.function.InferenceResponse;
import dev.torpor.function.Tensor;
import dev.torpor.function.json.InferenceRequestDecoder;
import dev.torpor.function.json.InferenceResponseEncoder;
import dev.torpor.store.DataType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Not a test (surefire's default includes skip it): the measurement behind the choice of the router ↔ function
 * process protocol. For one FP32 tensor of 1 KiB … 4 MiB of random values, one hop's codec cost both ways:
 * binary frames ({@link Wire}: encode a request frame, decode it) against the V2 REST JSON alternative (Torpor's
 * own streaming encoder and decoder, the fastest JSON path in the build), and the bytes each puts on the socket.
 *
 * <pre>mvn -B -o -q test -pl inference-function -am -Dtest=WireVsJsonBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class WireVsJsonBenchmark {
    private static final int[] SIZES = {1 << 10, 16 << 10, 256 << 10, 1 << 20, 4 << 20};

    @Test
    void report() {
        InferenceResponseEncoder json = new InferenceResponseEncoder();
        InferenceRequestDecoder decoder = new InferenceRequestDecoder();
        StringBuilder md = new StringBuilder();
        md.append("| tensor (FP32) | binary frame bytes | binary encode+decode µs | JSON bytes | JSON encode+decode µs |"
                + " JSON ÷ binary time |\n|---|---:|---:|---:|---:|---:|\n");
        for (int bytes : SIZES) {
            float[] data = new float[bytes / 4];
            SplittableRandom random = new SplittableRandom(bytes);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) random.nextDouble(-1, 1);
            }
            Tensor tensor = new Tensor("x", DataType.FP32, new long[] {1, data.length}, data);
            InferenceRequest request = new InferenceRequest("r", List.of(tensor), List.of());
            InferenceResponse asJson = new InferenceResponse("m", "1", "r", List.of(tensor));
            int rounds = Math.max(5, (64 << 20) / bytes);

            long[] binary = new long[rounds];
            int frameBytes = 0;
            for (int warm = 0; warm < 2; warm++) {
                for (int i = 0; i < rounds; i++) {
                    long begin = System.nanoTime();
                    ByteBuffer frame = Wire.request(i, request);
                    frameBytes = frame.remaining();
                    InferenceRequest back = Wire.request(WarmUp.payloadOf(frame));
                    binary[i] = System.nanoTime() - begin;
                    check(back, data);
                }
            }
            long[] text = new long[rounds];
            int jsonBytes = 0;
            for (int warm = 0; warm < 2; warm++) {
                for (int i = 0; i < rounds; i++) {
                    long begin = System.nanoTime();
                    byte[] body = json.encode(asJson);
                    // The same tensors as a request body ({"inputs": [...]}): what the JSON hop would send.
                    byte[] requestBody = asRequest(body);
                    jsonBytes = requestBody.length;
                    InferenceRequest back = decoder.decode(requestBody);
                    text[i] = System.nanoTime() - begin;
                    check(back, data);
                }
            }
            double b = median(binary) / 1000.0;
            double j = median(text) / 1000.0;
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %d | %.1f | %.0f× |%n", label(bytes), frameBytes, b,
                    jsonBytes, j, j / b));
        }
        System.out.println("\nRouter ↔ function process codec, one hop, median of rounds (JIT-warm):\n" + md);
    }

    private static final byte[] OUTPUTS = "\"outputs\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] INPUTS = "{\"inputs\":".getBytes(StandardCharsets.UTF_8);

    /** {"model_name": …, "outputs": [...]} → {"inputs": [...]}; the field is near the start. */
    private static byte[] asRequest(byte[] response) {
        for (int at = 0; at < response.length; at++) {
            if (Arrays.equals(response, at, at + OUTPUTS.length, OUTPUTS, 0, OUTPUTS.length)) {
                int rest = at + OUTPUTS.length;
                byte[] request = new byte[INPUTS.length + response.length - rest];
                System.arraycopy(INPUTS, 0, request, 0, INPUTS.length);
                System.arraycopy(response, rest, request, INPUTS.length, response.length - rest);
                return request;
            }
        }
        throw new IllegalStateException("no outputs field");
    }

    private static void check(InferenceRequest back, float[] expected) {
        if (!Arrays.equals((float[]) back.inputs().get(0).data(), expected)) {
            throw new AssertionError("the tensor did not round-trip");
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String label(int bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
