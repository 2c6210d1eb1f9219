package dev.torpor.store;

/**
 * How a model's artifact is stored. The lower-case {@link #wireName()} is what {@code model.json} and the API use.
 * (The Open Inference Protocol {@code platform} a version is served under depends on its engine and file too,
 * and is named by the router.)
 */
public enum ModelFormat {
    ONNX("onnx"),
    TORCHSCRIPT("torchscript"),
    DJL("djl");

    private final String wireName;

    ModelFormat(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
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
