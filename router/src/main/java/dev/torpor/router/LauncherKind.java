package dev.torpor.router;

/** Where function instances run (TORPOR_LAUNCHER). */
public enum LauncherKind {
    /** Each instance in its own function process: crash and memory isolation. */
    PROCESS("process"),
    /** Instances in the router's JVM: fastest, no isolation. */
    IN_PROCESS("in-process"),
    /** Each instance in a Kubernetes pod of its own (API.md, "Function pods on Kubernetes"). */
    KUBERNETES("kubernetes");

    private final String wireName;

    LauncherKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the configuration: {@code process}, {@code in-process} or {@code kubernetes}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The kind named exactly by {@code text}.
     *
     * @throws IllegalArgumentException naming TORPOR_LAUNCHER and both kinds
     */
    public static LauncherKind parse(String text) {
        for (LauncherKind kind : values()) {
            if (kind.wireName.equals(text)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("TORPOR_LAUNCHER must be 'process' (each instance in its own function"
                + " process), 'in-process' (instances in the router's JVM) or 'kubernetes' (each instance in a pod);"
                + " got '" + text + "'");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
