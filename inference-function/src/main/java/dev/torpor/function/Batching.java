package dev.torpor.function;

/**
 * A model's dynamic batching settings (the model config's {@code batching}): up to {@code maxBatchSize}
 * rows of concurrent requests stacked into one engine call, a request waiting at most {@code maxDelayMicros}
 * for company. {@code maxBatchSize} 1 is off.
 */
public record Batching(int maxBatchSize, long maxDelayMicros) {
    public static final Batching OFF = new Batching(1, 0);

    public Batching {
        if (maxBatchSize < 1 || maxDelayMicros < 0) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1 and maxDelayMicros not negative");
        }
    }

    public boolean enabled() {
        return maxBatchSize > 1;
    }
}
