package dev.torpor.router.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The shape of API keys: {@code tpk_} followed by 256 random bits in URL-safe base64 (43 characters). Only the
 * SHA-256 of a key is ever stored: with 256 bits of entropy no dictionary or brute force applies, so a slow
 * password hash would only add cost to every request. The prefix lets secret scanners recognise leaked keys.
 */
public final class ApiKeyFormat {
    static final String PREFIX = "tpk_";
    private static final Pattern SHAPE = Pattern.compile("tpk_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFormat() {
    }

    /** A fresh key. */
    public static String newKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** A fresh public key id (shown in listings and the audit log; not a secret). */
    public static String newId() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return "key_" + HexFormat.of().formatHex(id);
    }

    /** Whether a presented token could be a key at all (cheap: nothing is hashed or looked up otherwise). */
    public static boolean wellFormed(String token) {
        return token != null && token.length() == PREFIX.length() + 43 && SHAPE.matcher(token).matches();
    }

    /** The stored form of a key: lower-case hex SHA-256. */
    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
    }
}
