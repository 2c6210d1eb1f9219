package dev.torpor.store;

/**
 * How a model's artifact is stored, and the Open Inference Protocol {@code platform} name it is served
 * under. The lower-case {@link #wireName()} is what {@code model.json} and the API use.
 */
public enum ModelFormat {
    ONNX("onnx", "onnxruntime_onnx"),
    TORCHSCRIPT("torchscript", "pytorch_torchscript"),
    DJL("djl", "djl");

    private final String wireName;
    private final String platform;

    ModelFormat(String wireName, String platform) {
        this.wireName = wireName;
        this.platform = platform;
    }

    public String wireName() {
        return wireName;
    }

    public String platform() {
        return platform;
    }

    /** Parses {@code onnx}, {@code torchscript} or {@code djl}; null when unknown. */
    public static ModelFormat fromWireName(String name) {
        for (ModelFormat format : values()) {
            if (format.wireName.equals(name)) {
                return format;
            }
        }
        return null;
    }
}
