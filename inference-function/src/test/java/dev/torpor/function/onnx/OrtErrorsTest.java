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

    @Test
    void anLstmWhoseInitialStateDoesNotFitTheBatchIsTheInputsFaultThoughOrtCallsItAFailure() {
        // ORT 1.21's words for TinyOnnx.lstm() run with X of batch 1 and initial_h of batch 3.
        OrtException e = new OrtException(OrtErrorCode.ORT_FAIL, "Non-zero status code returned while running LSTM"
                + " node. Name:'LSTM_Y' Status Message: Input initial_h must have shape {1,1,2}. Actual:{1,3,2}");
        assertThat(OrtErrors.ofRun(e)).isInstanceOf(BadInput.class)
                .hasMessageStartingWith("ONNX Runtime refused the input: ").hasMessageContaining("initial_h");
    }

    @Test
    void aStringTheKernelCannotDecodeIsTheInputsFaultThoughOrtCallsItAFailure() {
        // ORT 1.21's words for TinyOnnx.stringNormalizer("C") run with ["a\u0000b"]: Java's modified UTF-8 gives
        // ORT the bytes 61 C0 80 62, which its UTF-8 decoder refuses.
        OrtException e = new OrtException(OrtErrorCode.ORT_FAIL, "Non-zero status code returned while running"
                + " StringNormalizer node. Name:'StringNormalizer_y' Status Message: Failed to compute buffer size for"
                + " wchar_t. Converted only first: 1 bytes out of: 4 Source: a\u0000b");
        assertThat(OrtErrors.ofRun(e)).isInstanceOf(BadInput.class)
                .hasMessageStartingWith("ONNX Runtime refused the input: ").hasMessageContaining("wchar_t");
        assertThat(OrtErrors.ofRun(new OrtException(OrtErrorCode.ORT_FAIL, "Status Message: Failed to convert to"
                + " wchar_t. Converted only first: 0 bytes out of: 2 Source: x"))).isInstanceOf(BadInput.class);
    }

    @Test
    void aStringTensorTheJavaBindingCannotBuildIsTheInputsFault() {
        OrtException e = new OrtException(OrtErrorCode.ORT_JAVA_UNKNOWN,
                "Supplied array has a zero dimension at 0, all dimensions must be positive");
        assertThat(OrtErrors.ofRun(e)).isInstanceOf(BadInput.class);
    }

    @Test
    void messagesLoseOrtsSourcePathsAndFunctions() {
        OrtException e = new OrtException(OrtErrorCode.ORT_RUNTIME_EXCEPTION, "Exception during initialization:"
                + " /onnxruntime_src/onnxruntime/core/providers/cpu/text/string_normalizer.cc:393"
                + " onnxruntime::string_normalizer::Locale::Locale(const std::string&)::<lambda()> Failed to construct"
                + " locale with name:xx_XX.UTF-8:locale::facet::_S_create_c_locale name not valid");
        assertThat(OrtErrors.message(e)).isEqualTo("Exception during initialization: Failed to construct locale"
                + " with name:xx_XX.UTF-8:locale::facet::_S_create_c_locale name not valid");
        assertThat(OrtErrors.ofRun(e)).isInstanceOf(EngineFailure.class).hasMessage("ONNX Runtime failed: "
                + OrtErrors.message(e));
    }
}
