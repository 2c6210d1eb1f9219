package dev.torpor.samples.bench;

/**
 * One row of the suite's table: a model variant under one launcher at one load ({@code concurrency} workers in a
 * closed loop, or an open loop at {@code openRate} req/s), with its ratio to the model's floor.
 */
record SuiteCell(SuiteModel model, SuiteModel.Variant variant, String launcher, int concurrency, double openRate,
                 LoadResult result) {
    boolean open() {
        return openRate > 0;
    }

    String load() {
        return open() ? String.format(java.util.Locale.ROOT, "open %.0f/s", openRate) : "c=" + concurrency;
    }
}
