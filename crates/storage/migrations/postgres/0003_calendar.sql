-- Days the province enters each year: official days off (Tết swaps, local decisions) and
-- make-up working days. The statutory holidays themselves are computed, not stored.
CREATE TABLE calendar_days (
    day        DATE PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('day_off', 'workday')),
    reason     TEXT NOT NULL,
    created_by BIGINT REFERENCES accounts (id),
    created_at TIMESTAMPTZ NOT NULL
);
