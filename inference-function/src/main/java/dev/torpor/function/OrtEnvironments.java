package dev.torpor.function;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;

/**
 * The process-wide ONNX Runtime environment, shared by Torpor's ONNX backend and DJL's ONNX Runtime engine.
 * ORT allows one environment per process, and DJL's engine insists on creating it (with threading options,
 * which ORT refuses once an environment exists). So DJL's engine, when it is in the build, starts first and
 * the ONNX backend then uses the environment DJL created. Cheap after the first call.
 */
public final class OrtEnvironments {
    private static final System.Logger LOG = System.getLogger(OrtEnvironments.class.getName());

    private OrtEnvironments() {
    }

    /** The shared environment, created by DJL's ONNX Runtime engine when that engine is present. */
    public static synchronized OrtEnvironment shared() {
        try {
            if (Engine.hasEngine("OnnxRuntime")) {
                Engine.getEngine("OnnxRuntime");
            }
        } catch (RuntimeException | LinkageError failed) {
            LOG.log(System.Logger.Level.WARNING, "DJL's ONNX Runtime engine did not start; ONNX models through "
                    + "DJL will be refused: " + failed.getMessage());
        }
        return OrtEnvironment.getEnvironment();
    }
}
