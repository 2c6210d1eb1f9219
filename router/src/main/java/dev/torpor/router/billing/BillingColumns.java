package dev.torpor.router.billing;

import java.util.List;
import java.util.function.Function;

/**
 * The fields a client sees for a billing record, in API.md's order. {@link BillingJson} and {@link BillingCsv} both
 * print exactly this list, so JSON field order and the CSV header cannot drift apart.
 */
public final class BillingColumns {

    /**
     * One field: its name and how to get its value. A value is a {@link String}, {@link Boolean}, {@link Long},
     * {@link Integer}, {@link java.math.BigDecimal} (a JSON number) or null.
     */
    public record Column(String name, Function<BillingRecord, Object> value) {
    }

    /** Every field, in the order of API.md's example record. */
    public static final List<Column> ALL = List.of(
            new Column("id", BillingRecord::id),
            new Column("kind", r -> r.kind().wireName()),
            new Column("startedAt", r -> Units.formatTimestamp(r.startedAt())),
            new Column("tenant", BillingRecord::tenant),
            new Column("owner", BillingRecord::owner),
            new Column("model", BillingRecord::model),
            new Column("version", BillingRecord::version),
            new Column("instanceId", BillingRecord::instanceId),
            new Column("device", BillingRecord::device),
            new Column("coldStart", BillingRecord::coldStart),
            new Column("queueMs", BillingRecord::queueMs),
            new Column("initMs", BillingRecord::initMs),
            new Column("computeMs", BillingRecord::computeMs),
            new Column("billedMs", BillingRecord::billedMs),
            new Column("memoryMb", BillingRecord::memoryMb),
            new Column("gbSeconds", BillingRecord::gbSeconds),
            new Column("gpuSeconds", BillingRecord::gpuSeconds),
            new Column("status", r -> r.status().wireName()),
            new Column("httpStatus", BillingRecord::httpStatus),
            new Column("requestBytes", BillingRecord::requestBytes),
            new Column("responseBytes", BillingRecord::responseBytes),
            new Column("cost", BillingRecord::cost),
            new Column("currency", BillingRecord::currency),
            new Column("priceVersion", BillingRecord::priceVersion));

    private BillingColumns() {
    }

    /** The field names, in order: the CSV header. */
    public static List<String> names() {
        return ALL.stream().map(Column::name).toList();
    }
}
