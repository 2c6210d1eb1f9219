-- The operators' pool limits: one row (id 1) holding the explicitly set fields as a JSON object.
-- An explicit JSON null means "no limit beyond the device"; an absent field takes the default.
CREATE TABLE pool_limits (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    document   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
