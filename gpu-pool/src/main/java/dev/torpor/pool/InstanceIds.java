package dev.torpor.pool;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Makes instance ids like {@code vad-1-7f3a}: readable in logs, unique enough among one model's instances. */
public final class InstanceIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private InstanceIds() {
    }

    public static String next(String model, String version) {
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        return model + "-" + version + "-" + HexFormat.of().formatHex(suffix);
    }
}
