package dev.torpor.router.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Checks and conversions for the values the settings records bind, each failing with an
 * {@link IllegalArgumentException} that names the setting (its {@code TORPOR_*} variable), so a bad value stops
 * start-up with a message an operator can act on. Stateless.
 */
public final class SettingChecks {

    private SettingChecks() {
    }

    /** {@code value} if it lies in {@code [min, max]}. */
    public static long between(String setting, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** {@code value} if it is at least {@code min}. */
    public static long atLeast(String setting, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(setting + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** {@code seconds} (at least 1) as a duration. */
    public static Duration positiveSeconds(String setting, long seconds) {
        return Duration.ofSeconds(atLeast(setting, seconds, 1));
    }

    /** A whole number; surrounding blanks are ignored. */
    public static long wholeNumber(String setting, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(setting + " must be a whole number, got '" + text + "'");
        }
    }

    /** A decimal such as {@code 0.0000002}; surrounding blanks are ignored. */
    public static BigDecimal decimal(String setting, String text) {
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException notADecimal) {
            throw new IllegalArgumentException(setting + " must be a decimal such as 0.0000002, got '" + text + "'");
        }
    }

    /** True for {@code on}, false for {@code off}. */
    public static boolean onOff(String setting, String text) {
        if ("on".equals(text) || "off".equals(text)) {
            return "on".equals(text);
        }
        throw new IllegalArgumentException(setting + " must be on or off, got '" + text + "'");
    }
}
