-- Each function instance's own account of its engine time (busy_us) and runs, kept after it stops, so billing's
-- reconciliation can compare it with the compute time the ledger billed to that instance. Times in epoch micros.
CREATE TABLE instance_usage (
    instance_id TEXT     NOT NULL PRIMARY KEY,
    model       TEXT     NOT NULL,
    version     TEXT     NOT NULL,
    device      TEXT     NOT NULL,
    started_at  BIGINT   NOT NULL,
    last_seen   BIGINT   NOT NULL,
    busy_us     BIGINT   NOT NULL,
    runs        BIGINT   NOT NULL,
    stopped     SMALLINT NOT NULL
);
CREATE INDEX instance_usage_last_seen ON instance_usage (last_seen);
-- Reconciliation sums each instance's billed compute time.
CREATE INDEX billing_records_instance ON billing_records (instance_id);
