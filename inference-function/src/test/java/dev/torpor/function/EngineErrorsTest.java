package dev.torpor.function;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.error.BadInput;
import dev.torpor.error.EngineFailure;
import org.junit.jupiter.api.Test;

class EngineErrorsTest {

    @Test
    void anEnforceFailureLosesItsFileLineAndFunctionButKeepsItsWords() {
        assertThat(EngineErrors.withoutSourcePaths("/onnxruntime_src/onnxruntime/core/framework/op_kernel.cc:83"
                + " virtual OrtValue* onnxruntime::OpKernelContext::OutputMLValue(int, const onnxruntime::TensorShape&)"
                + " status.IsOK() was false. Shape mismatch attempting to re-use buffer. {1} != {2}"))
                .isEqualTo("status.IsOK() was false. Shape mismatch attempting to re-use buffer. {1} != {2}");
        assertThat(EngineErrors.withoutSourcePaths("Non-zero status code returned while running Conv node."
                + " Status Message: /onnxruntime_src/onnxruntime/core/providers/cpu/nn/conv_attributes.h:101"
                + " onnxruntime::common::Status onnxruntime::ConvAttributes::ValidateInputShape(const Tensor*, const"
                + " Tensor*) const X num_dims does not match W num_dims. X: {1,3} W: {8,3,3,3}"))
                .isEqualTo("Non-zero status code returned while running Conv node. Status Message: X num_dims does"
                        + " not match W num_dims. X: {1,3} W: {8,3,3,3}");
    }

    @Test
    void aPathWithoutAFunctionAndTextWithoutPathsAreKeptOtherwise() {
        assertThat(EngineErrors.withoutSourcePaths("failed at C:\\src\\ort\\session.cpp:12 while loading"))
                .isEqualTo("failed at while loading");
        String plain = "Got invalid dimensions for input: x for the following indices index: 0 Got: 2 Expected: 1"
                + " Please fix either the inputs/outputs or the model.";
        assertThat(EngineErrors.withoutSourcePaths(plain)).isEqualTo(plain);
        assertThat(EngineErrors.withoutSourcePaths("cannot read /models/m/1/model.onnx or /etc/a.config"))
                .isEqualTo("cannot read /models/m/1/model.onnx or /etc/a.config");
        assertThat(EngineErrors.withoutSourcePaths(null)).isNull();
    }

    @Test
    void theInputsFaultIsWhatTheEngineSaysOrAShapeClashAndTheRestIsTheEngines() {
        RuntimeException cause = new RuntimeException();
        assertThat(EngineErrors.ofRun("E", true, "no", cause)).isInstanceOf(BadInput.class)
                .hasMessage("E refused the input: no").hasCause(cause);
        assertThat(EngineErrors.ofRun("E", false, "Input initial_h must have shape {1,1,2}", cause))
                .isInstanceOf(BadInput.class);
        assertThat(EngineErrors.ofRun("E", false, "Invalid input dimensions", cause)).isInstanceOf(BadInput.class);
        assertThat(EngineErrors.ofRun("E", false, "Attempting to broadcast an axis", cause)).isInstanceOf(BadInput.class);
        assertThat(EngineErrors.ofRun("E", false, "bad allocation /x/alloc.cc:9 here", cause))
                .isInstanceOf(EngineFailure.class).hasMessage("E failed: bad allocation here");
    }
}
