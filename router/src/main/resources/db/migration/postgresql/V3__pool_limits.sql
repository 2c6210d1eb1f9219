-- PostgreSQL twin of sqlite/V3__pool_limits.sql.
CREATE TABLE pool_limits (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    document   TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);
