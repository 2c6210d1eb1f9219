package dev.torpor.router.model;

import dev.torpor.function.djl.DjlBackend;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import java.util.regex.Pattern;

/**
 * The Open Inference Protocol {@code platform} of a published version, in the protocol's
 * {@code <project>_<format>} form: named after what the file is, not after the engine library that runs it. An
 * ONNX model is {@code onnx_onnxv1} whether ONNX Runtime runs it directly or through DJL's OnnxRuntime engine;
 * a TorchScript file is {@code pytorch_torchscript}, also inside a DJL archive; DJL's own
 * {@code <name>-NNNN.params} (a block's parameters, loaded into a block DJL rebuilds) is {@code djl_params}.
 * Stateless.
 */
public final class OipPlatform {
    public static final String ONNX = "onnx_onnxv1";
    public static final String TORCHSCRIPT = "pytorch_torchscript";
    public static final String DJL_PARAMS = "djl_params";
    /** DJL's parameter files; a DJL/PyTorch archive with any other file holds a TorchScript file. */
    private static final Pattern PARAMS = Pattern.compile("(?:.*/)?[^/]+-\\d{4}\\.params");

    private OipPlatform() {
    }

    public static String of(ModelManifest manifest) {
        return of(manifest.format(), manifest.engine(), manifest.file());
    }

    /** @param engine the engine {@code model.json} names, null for the format's default */
    static String of(ModelFormat format, String engine, String file) {
        return switch (format) {
            case ONNX -> ONNX;
            case TORCHSCRIPT -> TORCHSCRIPT;
            case DJL -> DjlBackend.ONNX_RUNTIME.equals(engine) ? ONNX
                    : PARAMS.matcher(file).matches() ? DJL_PARAMS : TORCHSCRIPT;
        };
    }
}
