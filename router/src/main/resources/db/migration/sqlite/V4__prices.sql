-- The operators' price table, versioned: every change (PUT /admin/prices, or the first start's
-- configured defaults) inserts a new row; rows are never updated, so a record's price_version always
-- names the prices it was computed with. document: the complete prices as JSON (PriceDocument).
CREATE TABLE prices (
    version    INTEGER NOT NULL PRIMARY KEY,
    document   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
