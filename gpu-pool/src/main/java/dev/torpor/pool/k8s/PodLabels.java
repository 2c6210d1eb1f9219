package dev.torpor.pool.k8s;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The labels and annotations of function pods (API.md's pod contract, literal): every pod carries
 * {@code app.kubernetes.io/name=torpor}, {@code app.kubernetes.io/component=function} and its router's id; a warm pod
 * {@code torpor.dev/state=warm}, a claimed one {@code claimed} with its model and version. Label values are limited
 * (63 characters of {@code [A-Za-z0-9._-]}, alphanumeric at both ends): {@link #labelValue} makes any text one, and
 * the exact model id also goes in an annotation. Stateless.
 */
public final class PodLabels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String ROUTER = "torpor.dev/router";
    public static final String STATE = "torpor.dev/state";
    public static final String MODEL = "torpor.dev/model";
    public static final String VERSION = "torpor.dev/version";
    /** Annotation: the exact {@code model/version} a claimed pod serves (labels may be shortened). */
    public static final String MODEL_ID = "torpor.dev/model-id";
    /** Annotation: the instance a claimed pod runs. */
    public static final String INSTANCE = "torpor.dev/instance";

    public static final String WARM = "warm";
    public static final String CLAIMED = "claimed";

    private static final int MAX = 63;

    private PodLabels() {
    }

    /**
     * {@code text} as a label value: characters outside {@code [A-Za-z0-9._-]} become {@code -}, the ends are trimmed
     * to alphanumerics, and text longer than 63 keeps its first 54 characters and a hash of the whole (so two long
     * ids stay apart). Blank text becomes {@code none}.
     */
    public static String labelValue(String text) {
        String value = text == null ? "" : text.replaceAll("[^A-Za-z0-9._-]", "-");
        if (value.length() > MAX) {
            value = value.substring(0, MAX - 9) + "-" + hash(text);
        }
        value = value.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        return value.isEmpty() ? "none" : value;
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
    }
}
