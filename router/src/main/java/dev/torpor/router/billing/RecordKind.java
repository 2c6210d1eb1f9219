package dev.torpor.router.billing;

/** What a billing record bills: one request, or a span of reserved capacity kept warm by {@code minInstances}. */
public enum RecordKind {
    REQUEST("request"),
    /** Reserved capacity, billed to the model's owner tenant. */
    INSTANCE_TIME("instance_time");

    private final String wireName;

    RecordKind(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name used in JSON, CSV and the database (API.md keeps billing values lower case). */
    public String wireName() {
        return wireName;
    }

    /** The kind for a wire name; {@link IllegalArgumentException} for anything else (only trusted input is parsed). */
    public static RecordKind fromWire(String wireName) {
        for (RecordKind k : values()) {
            if (k.wireName.equals(wireName)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown record kind: " + wireName);
    }
}
