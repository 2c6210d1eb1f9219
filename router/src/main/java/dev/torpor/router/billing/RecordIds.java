package dev.torpor.router.billing;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Billing record ids in the ULID layout: 26 characters of Crockford base32 (upper case), a 48-bit millisecond
 * timestamp followed by 80 random bits. Ids from one generator are strictly increasing as strings: within a
 * millisecond (or when the clock steps back) the previous random part is incremented instead of drawn again, so
 * ordering and uniqueness never depend on the clock. When the 80-bit part would overflow, the timestamp is advanced
 * by one millisecond. Ids from different generators (other routers) are unique with overwhelming probability.
 *
 * <p>Thread-safe ({@link #next()} is synchronized; it is a few dozen nanoseconds).
 */
public final class RecordIds {
    /** Length of every id. */
    public static final int LENGTH = 26;

    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final long MAX_TIME = (1L << 48) - 1;
    private static final long MASK_16 = 0xFFFFL;
    private static final long MASK_40 = (1L << 40) - 1;

    private final Clock clock;
    private final RandomGenerator random;
    private long lastMillis = -1;
    private long randHi; // top 16 of the 80 random bits
    private long randLo; // low 64 of the 80 random bits

    /** Ids timed by {@code clock}, with randomness from a {@link SecureRandom}. */
    public RecordIds(Clock clock) {
        this(clock, new SecureRandom());
    }

    /** For tests: a chosen source of randomness. */
    public RecordIds(Clock clock, RandomGenerator random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A new id, greater than every id this generator returned before. */
    public synchronized String next() {
        long now = clock.millis();
        if (now > lastMillis) {
            lastMillis = now;
            randHi = random.nextLong() & MASK_16;
            randLo = random.nextLong();
        } else if (++randLo == 0 && (randHi = (randHi + 1) & MASK_16) == 0) {
            // All 2^80 values of this millisecond used: borrow the next millisecond (stays ordered and unique).
            lastMillis++;
        }
        if (lastMillis < 0 || lastMillis > MAX_TIME) {
            throw new IllegalStateException("clock outside the ULID range: " + lastMillis);
        }
        char[] out = new char[LENGTH];
        encode(lastMillis, 10, out, 0);
        encode((randHi << 24) | (randLo >>> 40), 8, out, 10); // upper 40 random bits
        encode(randLo & MASK_40, 8, out, 18);                 // lower 40 random bits
        return new String(out);
    }

    /** Writes the low {@code 5 × chars} bits of {@code value}, most significant first. */
    private static void encode(long value, int chars, char[] out, int offset) {
        for (int i = chars - 1; i >= 0; i--) {
            out[offset + i] = CROCKFORD[(int) (value & 31)];
            value >>>= 5;
        }
    }
}
