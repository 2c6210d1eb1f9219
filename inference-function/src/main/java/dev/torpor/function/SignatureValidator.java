package dev.torpor.function;

import dev.torpor.error.BadInput;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a decoded request against the model's {@link Signature} before it reaches an engine, so that a
 * request that does not fit the model is a 422 with a clear message instead of an engine error.
 *
 * <p>Checks, in order: every input is known to the model, has the model's datatype and a shape the spec
 * accepts ({@link TensorSpec#accepts}: same rank, equal wherever the spec is not -1); every model input
 * is present; every requested output is known. The first failure is thrown.
 */
public final class SignatureValidator {
    private SignatureValidator() {
    }

    /** @throws BadInput when the request does not fit {@code signature}; the message names the input or output */
    public static void validate(InferenceRequest request, Signature signature) {
        for (Tensor input : request.inputs()) {
            TensorSpec spec = signature.input(input.name()).orElseThrow(() -> new BadInput(
                    "unknown input '" + input.name() + "'; the model's inputs are " + names(signature.inputs())));
            if (input.datatype() != spec.datatype()) {
                throw new BadInput("input '" + input.name() + "' has datatype " + input.datatype()
                        + ", the model expects " + spec.datatype());
            }
            long[] shape = input.shape();
            if (!spec.accepts(shape)) {
                throw new BadInput("input '" + input.name() + "' has shape " + text(shape) + ", the model expects "
                        + text(spec.shape()) + (shape.length != spec.rank()
                        ? " (rank " + spec.rank() + ", not " + shape.length + ")" : ""));
            }
        }
        for (TensorSpec spec : signature.inputs()) {
            if (request.input(spec.name()).isEmpty()) {
                throw new BadInput("missing input '" + spec.name() + "' (" + spec.datatype() + " "
                        + text(spec.shape()) + ")");
            }
        }
        for (String output : request.requestedOutputs()) {
            if (signature.output(output).isEmpty()) {
                throw new BadInput("unknown output '" + output + "'; the model's outputs are "
                        + names(signature.outputs()));
            }
        }
    }

    private static String names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList().toString();
    }

    private static String text(long[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }
}
