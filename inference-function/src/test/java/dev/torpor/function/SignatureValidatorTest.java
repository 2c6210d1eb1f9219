package dev.torpor.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.torpor.error.BadInput;
import dev.torpor.error.ErrorKind;
import dev.torpor.store.DataType;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignatureValidatorTest {
    private static final Signature VAD = new Signature(
            List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, -1}),
                    new TensorSpec("state", DataType.FP32, new long[] {2, -1, 128}),
                    new TensorSpec("sr", DataType.INT64, new long[] {})),
            List.of(new TensorSpec("output", DataType.FP32, new long[] {-1, 1}),
                    new TensorSpec("stateN", DataType.FP32, new long[] {2, -1, 128})));

    private static Tensor fp32(String name, long... shape) {
        return new Tensor(name, DataType.FP32, shape, new float[(int) Tensor.elementCount(shape)]);
    }

    private static Tensor sr() {
        return new Tensor("sr", DataType.INT64, new long[] {}, new long[] {16000});
    }

    private static BadInput refusal(List<Tensor> inputs, List<String> outputs) {
        BadInput error = catchThrowableOfType(BadInput.class,
                () -> SignatureValidator.validate(new InferenceRequest(null, inputs, outputs), VAD));
        assertThat(error).isNotNull();
        assertThat(error.kind()).isEqualTo(ErrorKind.BAD_INPUT);
        return error;
    }

    @Test
    void acceptsARequestThatFits() {
        assertThatCode(() -> SignatureValidator.validate(new InferenceRequest("r",
                List.of(sr(), fp32("input", 1, 512), fp32("state", 2, 1, 128)), List.of("stateN")), VAD))
                .doesNotThrowAnyException();
        assertThatCode(() -> SignatureValidator.validate(new InferenceRequest(null,
                List.of(fp32("input", 3, 7), fp32("state", 2, 3, 128), sr()), List.of()), VAD))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesAnUnknownInputListingTheModelsInputs() {
        assertThat(refusal(List.of(fp32("inputs", 1, 512), fp32("state", 2, 1, 128), sr()), List.of()))
                .hasMessage("unknown input 'inputs'; the model's inputs are [input, state, sr]");
    }

    @Test
    void refusesAMissingInput() {
        assertThat(refusal(List.of(fp32("input", 1, 512), fp32("state", 2, 1, 128)), List.of()))
                .hasMessage("missing input 'sr' (INT64 [])");
    }

    @Test
    void refusesTheWrongDatatype() {
        Tensor sr32 = new Tensor("sr", DataType.INT32, new long[] {}, new int[] {16000});
        assertThat(refusal(List.of(fp32("input", 1, 512), fp32("state", 2, 1, 128), sr32), List.of()))
                .hasMessage("input 'sr' has datatype INT32, the model expects INT64");
    }

    @Test
    void refusesAShapeTheSpecDoesNotAccept() {
        assertThat(refusal(List.of(fp32("input", 512), fp32("state", 2, 1, 128), sr()), List.of()))
                .hasMessage("input 'input' has shape [512], the model expects [-1,-1] (rank 2, not 1)");
        assertThat(refusal(List.of(fp32("input", 1, 512), fp32("state", 2, 1, 64), sr()), List.of()))
                .hasMessage("input 'state' has shape [2,1,64], the model expects [2,-1,128]");
        Tensor srVector = new Tensor("sr", DataType.INT64, new long[] {1}, new long[] {16000});
        assertThat(refusal(List.of(fp32("input", 1, 512), fp32("state", 2, 1, 128), srVector), List.of()))
                .hasMessageContaining("input 'sr' has shape [1], the model expects []");
    }

    @Test
    void refusesAnUnknownRequestedOutput() {
        assertThat(refusal(List.of(fp32("input", 1, 512), fp32("state", 2, 1, 128), sr()), List.of("output", "prob")))
                .hasMessage("unknown output 'prob'; the model's outputs are [output, stateN]");
    }
}
