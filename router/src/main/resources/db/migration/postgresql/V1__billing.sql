-- PostgreSQL twin of sqlite/V1__billing.sql (same table, same columns, same meaning); see that file.
-- BIGINT where SQLite's INTEGER holds 64 bits. seq comes from an identity sequence; commit order is kept
-- by the ledger's transaction-level advisory lock (see BillingQuery), not by the sequence itself.
CREATE TABLE billing_records (
    seq            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    started_at     BIGINT  NOT NULL,
    tenant         TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    version        TEXT    NOT NULL,
    instance_id    TEXT    NULL,
    device         TEXT    NULL,
    cold_start     INTEGER NOT NULL CHECK (cold_start IN (0, 1)),
    queue_us       BIGINT  NOT NULL,
    init_us        BIGINT  NOT NULL,
    compute_us     BIGINT  NOT NULL,
    billed_ms      BIGINT  NOT NULL,
    memory_mb      INTEGER NOT NULL,
    gpu_us         BIGINT  NOT NULL,
    status         TEXT    NOT NULL,
    http_status    INTEGER NOT NULL,
    request_bytes  BIGINT  NOT NULL,
    response_bytes BIGINT  NOT NULL,
    cost_nanos     BIGINT  NOT NULL,
    currency       TEXT    NOT NULL,
    price_version  INTEGER NOT NULL
);

CREATE INDEX billing_records_started_at ON billing_records (started_at);
CREATE INDEX billing_records_tenant_seq ON billing_records (tenant, seq);
CREATE INDEX billing_records_model_seq ON billing_records (model, seq);
