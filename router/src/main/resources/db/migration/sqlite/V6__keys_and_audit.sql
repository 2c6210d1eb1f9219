-- API keys: only the SHA-256 of each key is stored (keys are 256 random bits, so a slow password hash would
-- add cost to every request and no safety). id is public (shown in listings and the audit log); the key is
-- shown once, when it is created.
CREATE TABLE api_keys (
    id         TEXT   NOT NULL PRIMARY KEY,
    key_hash   TEXT   NOT NULL UNIQUE,
    role       TEXT   NOT NULL,
    tenant     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);

-- Who changed what, when: publishes, deletes, configs, pool limits, prices, keys and billing deletions.
-- id is a ULID (time-ordered), so paging by id never skips or repeats an entry. detail is JSON.
CREATE TABLE audit_log (
    id           TEXT   NOT NULL PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor_key_id TEXT,
    actor_role   TEXT   NOT NULL,
    actor_tenant TEXT   NOT NULL,
    action       TEXT   NOT NULL,
    target       TEXT   NOT NULL,
    detail       TEXT
);
