package dev.torpor.router.billing;

/** How a billed request ended. Everything but {@link #OK} counts as an error in summaries. */
public enum BillingStatus {
    OK("ok"),
    CLIENT_ERROR("client_error"),
    SERVER_ERROR("server_error"),
    TIMEOUT("timeout"),
    REJECTED("rejected"),
    CANCELLED("cancelled");

    private final String wireName;

    BillingStatus(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name used in JSON, CSV and the database. */
    public String wireName() {
        return wireName;
    }

    /** The status for a wire name; {@link IllegalArgumentException} for anything else. */
    public static BillingStatus fromWire(String wireName) {
        for (BillingStatus s : values()) {
            if (s.wireName.equals(wireName)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown billing status: " + wireName);
    }
}
