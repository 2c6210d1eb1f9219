package dev.torpor.router.billing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * One version of the operators' price table. Money is integer nano-units of {@code currency} (10⁻⁹; at most nine
 * decimals in a price), never a floating-point number.
 *
 * <h2>What a record costs</h2>
 * <ul>
 *   <li><b>Billed time</b> ({@link #billedMs}): the engine's compute time, plus the cold start's init time when
 *       {@code billColdStart} is on and the request was a cold start, rounded <em>up</em> to a whole multiple of
 *       {@code granularityMs} (1 ms by default). A request that never ran is billed 0 ms.</li>
 *   <li><b>Cost</b> ({@link #costNanos}): {@code perRequest} (requests only) + on the CPU, GB-seconds
 *       ({@code memoryMb / 1024 × billedMs / 1000}) × {@code perGbSecond} + on a GPU, GPU-seconds
 *       ({@code billedMs / 1000}) × {@code perGpuSecond}. GPU memory is part of the GPU-second price, so a GPU
 *       record pays no GB-second price. The sum is computed exactly and rounded <b>half up</b> to a whole nano-unit
 *       once, at the end, per record; summaries add the records' integer costs, so they equal the sum of the records.
 *       </li>
 * </ul>
 *
 * @param version        the version row this was read from (1, 2, …); every record keeps it as {@code priceVersion}
 * @param currency       ISO-4217-style code, three upper-case letters
 * @param perRequestNanos price of one request
 * @param perGbSecondNanos price of one GB-second of instance memory on the CPU
 * @param perGpuSecondNanos price of one second of a GPU
 * @param granularityMs  billed time is rounded up to a multiple of this (1 … 3,600,000)
 * @param billColdStart  whether a cold request also pays for the load it waited for (its {@code initMs})
 */
public record Prices(int version, String currency, long perRequestNanos, long perGbSecondNanos,
                     long perGpuSecondNanos, int granularityMs, boolean billColdStart) {
    /** 1 GB-second in MB·ms. */
    private static final BigInteger MB_MS_PER_GB_SECOND = BigInteger.valueOf(1024L * 1000L);
    private static final BigInteger MS_PER_SECOND = BigInteger.valueOf(1000L);
    public static final int MAX_GRANULARITY_MS = 3_600_000;

    public Prices {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        Objects.requireNonNull(currency, "currency");
        if (!currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("currency must be three upper-case letters such as USD, was " + currency);
        }
        if (perRequestNanos < 0 || perGbSecondNanos < 0 || perGpuSecondNanos < 0) {
            throw new IllegalArgumentException("prices must be >= 0");
        }
        if (granularityMs < 1 || granularityMs > MAX_GRANULARITY_MS) {
            throw new IllegalArgumentException("granularityMs must be from 1 to " + MAX_GRANULARITY_MS);
        }
    }

    /** Everything free, 1 ms granularity, cold starts not billed: the defaults when nothing is configured. */
    public static Prices free(int version) {
        return new Prices(version, "USD", 0, 0, 0, 1, false);
    }

    /** The same prices under another version number. */
    public Prices withVersion(int newVersion) {
        return new Prices(newVersion, currency, perRequestNanos, perGbSecondNanos, perGpuSecondNanos, granularityMs,
                billColdStart);
    }

    /** Whether two versions charge the same (everything but the version number). */
    public boolean samePricesAs(Prices other) {
        return withVersion(1).equals(other.withVersion(1));
    }

    /**
     * The billed milliseconds of a request: compute (+ init when {@code billColdStart} and {@code coldStart}),
     * rounded up to the granularity; 0 when nothing was billable.
     */
    public long billedMs(long computeMicros, long initMicros, boolean coldStart) {
        long micros = Math.addExact(computeMicros, billColdStart && coldStart ? initMicros : 0);
        return roundUpMicros(micros);
    }

    /** A span of time (an {@code instance_time} record) rounded up to the granularity, in ms. */
    public long roundUpMicros(long micros) {
        if (micros <= 0) {
            return 0;
        }
        long unitMicros = granularityMs * 1000L;
        long units = (micros + unitMicros - 1) / unitMicros;
        return Math.multiplyExact(units, (long) granularityMs);
    }

    /**
     * The cost of a record in nano-units, rounded half up once.
     *
     * @param request  whether the per-request price applies ({@code kind=request})
     * @param device   {@code gpu:N} for GPU pricing; anything else (cpu, null) is CPU pricing
     */
    public long costNanos(boolean request, String device, int memoryMb, long billedMs) {
        boolean gpu = device != null && device.startsWith("gpu:");
        BigDecimal total = BigDecimal.valueOf(request ? perRequestNanos : 0);
        if (gpu) {
            total = total.add(new BigDecimal(BigInteger.valueOf(perGpuSecondNanos).multiply(BigInteger.valueOf(billedMs)))
                    .divide(new BigDecimal(MS_PER_SECOND)));
        } else {
            BigInteger mbMs = BigInteger.valueOf(memoryMb).multiply(BigInteger.valueOf(billedMs));
            total = total.add(new BigDecimal(BigInteger.valueOf(perGbSecondNanos).multiply(mbMs))
                    .divide(new BigDecimal(MB_MS_PER_GB_SECOND))); // exact: 1024000 = 2^13 × 5^3
        }
        return total.setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
