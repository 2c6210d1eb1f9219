package dev.torpor.function.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtException.OrtErrorCode;
import dev.torpor.error.BadInput;
import dev.torpor.error.EngineFailure;
import org.junit.jupiter.api.Test;

class OrtErrorsTest {

    @Test
    void invalidArgumentsAreTheInputsFault() {
        OrtException e = new OrtException(OrtErrorCode.ORT_INVALID_ARGUMENT,
                "Got invalid dimensions for input: x for the following indices");
        assertThat(OrtErrors.ofRun(e)).isInstanceOf(BadInput.class)
                .hasMessage("ONNX Runtime refused the input: Got invalid dimensions for input: x for the following indices")
                .hasCause(e);
    }

    @Test
    void shapeClashesInsideTheGraphAreTheInputsFault() {
        OrtException e = new OrtException(OrtErrorCode.ORT_RUNTIME_EXCEPTION, "Non-zero status code returned while"
                + " running Add node. Attempting to broadcast an axis by a dimension other than 1. 2 by 3");
        assertThat(OrtErrors.ofRun(e)).isInstanceOf(BadInput.class).hasMessageContaining("2 by 3");
    }

    @Test
    void otherFailuresAreTheEnginesAndLoseOrtsPrefix() {
        OrtException e = new OrtException(OrtErrorCode.ORT_RUNTIME_EXCEPTION, "bad allocation");
        assertThat(e.getMessage()).startsWith("Error code - ORT_RUNTIME_EXCEPTION - message: ");
        assertThat(OrtErrors.ofRun(e)).isInstanceOf(EngineFailure.class).hasMessage("ONNX Runtime failed: bad allocation");
        assertThat(OrtErrors.ofRun(new OrtException(OrtErrorCode.ORT_FAIL, "Exiting due to terminate flag")))
                .isInstanceOf(EngineFailure.class);
    }
}
