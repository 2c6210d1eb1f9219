-- Each model's explicitly set config fields, as a JSON object (defaults are not stored, so a changed
-- default reaches every model that never overrode it).
CREATE TABLE model_configs (
    model      TEXT    NOT NULL PRIMARY KEY,
    document   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
