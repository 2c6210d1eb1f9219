-- PostgreSQL twin of sqlite/V2__model_configs.sql.
CREATE TABLE model_configs (
    model      TEXT   NOT NULL PRIMARY KEY,
    document   TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
