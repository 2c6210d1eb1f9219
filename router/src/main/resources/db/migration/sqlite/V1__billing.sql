-- The billing ledger: one row per request or per span of reserved (instance_time) capacity.
-- Durations are integer microseconds, money integer nano-units, times epoch microseconds:
-- integers so that SUM() over the rows equals the sum of the records exactly.
CREATE TABLE billing_records (
    -- AUTOINCREMENT (not a bare rowid) so a seq is never reused, even after rows are deleted:
    -- the paging cursor is a seq, and a reused one could slip a record behind a client's cursor.
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    started_at     INTEGER NOT NULL,
    tenant         TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    version        TEXT    NOT NULL,
    instance_id    TEXT    NULL,
    device         TEXT    NULL,
    cold_start     INTEGER NOT NULL CHECK (cold_start IN (0, 1)),
    queue_us       INTEGER NOT NULL,
    init_us        INTEGER NOT NULL,
    compute_us     INTEGER NOT NULL,
    billed_ms      INTEGER NOT NULL,
    memory_mb      INTEGER NOT NULL,
    gpu_us         INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    http_status    INTEGER NOT NULL,
    request_bytes  INTEGER NOT NULL,
    response_bytes INTEGER NOT NULL,
    cost_nanos     INTEGER NOT NULL,
    currency       TEXT    NOT NULL,
    price_version  INTEGER NOT NULL
);

-- Summaries and from/to filters range over started_at.
CREATE INDEX billing_records_started_at ON billing_records (started_at);
-- Filtered listings are ordered by seq, so the filter column leads and seq follows.
CREATE INDEX billing_records_tenant_seq ON billing_records (tenant, seq);
CREATE INDEX billing_records_model_seq ON billing_records (model, seq);
