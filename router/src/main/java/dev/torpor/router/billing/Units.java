package dev.torpor.router.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The unit conversions of the ledger, in one place. Stored values are integers (micros, ms, MB, nano-units of
 * currency) so that sums are exact; the decimals shown to clients are derived here, exactly, never through a
 * {@code double}.
 */
public final class Units {
    /** MB·ms per GB·s: 1024 MB per GB times 1000 ms per s. A power of 2 times a power of 5, so every quotient is a finite decimal. */
    private static final BigDecimal MB_MS_PER_GB_SECOND = BigDecimal.valueOf(1024L * 1000L);

    /** API.md's timestamp form: ISO-8601 UTC with milliseconds. */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Units() {
    }

    /** Microseconds as milliseconds with up to three decimals, without trailing zeros ({@code 48000 → 48}). */
    public static BigDecimal microsToMillis(long micros) {
        return plain(BigDecimal.valueOf(micros, 3));
    }

    /** Microseconds as seconds with up to six decimals. */
    public static BigDecimal microsToSeconds(long micros) {
        return plain(BigDecimal.valueOf(micros, 6));
    }

    /** Memory × time, given as MB·ms, in GB·s (exact: {@code 64 MB × 1 ms → 0.0000625}). */
    public static BigDecimal gbSeconds(long mbMillis) {
        return plain(BigDecimal.valueOf(mbMillis).divide(MB_MS_PER_GB_SECOND));
    }

    /** Nano-units of currency as a plain decimal string: {@code 1040 → "0.00000104"}, {@code 0 → "0"}. */
    public static String nanosToDecimal(long nanos) {
        return plain(BigDecimal.valueOf(nanos, 9)).toPlainString();
    }

    /** Microseconds since the epoch; sub-microsecond digits are dropped (the ledger keeps micros). */
    public static long toEpochMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    /**
     * The smallest epoch-micro value not before {@code t}: the right bound for both an inclusive {@code from}
     * ({@code ≥}) and an exclusive {@code to} ({@code <}) when {@code t} has digits below a microsecond. Saturates
     * at the ends of {@code long} for instants too far out to convert, so a client's range never overflows.
     */
    public static long ceilEpochMicros(Instant t) {
        try {
            long micros = toEpochMicros(t);
            return t.getNano() % 1000 == 0 ? micros : Math.addExact(micros, 1);
        } catch (ArithmeticException e) {
            // Beyond ±292,000 years: no record can be there, so the far end of the range bounds it the same.
            return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    public static Instant fromEpochMicros(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    /** {@code 2026-11-30T14:59:06.123Z}: the convention of API.md (millisecond precision). */
    public static String formatTimestamp(Instant t) {
        return TIMESTAMP.format(t);
    }

    /** Trailing zeros stripped but never an exponent: callers print it with {@code toPlainString()}. */
    private static BigDecimal plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
