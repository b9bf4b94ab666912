-- Spreadsheet exports built in the background (large lists, or on request): who asked, what
-- (kind and the list's filters as JSON), progress, and the file kept under the data dir
-- until it expires. Only the account that asked may see or fetch it.
CREATE TABLE exports (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    kind        TEXT NOT NULL,
    filters     TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('xlsx', 'csv')),
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    rows_done   INTEGER NOT NULL DEFAULT 0,
    rows_total  INTEGER,
    file_path   TEXT,
    file_name   TEXT,
    error       TEXT,
    created_at  TEXT NOT NULL,
    finished_at TEXT,
    expires_at  TEXT NOT NULL
);
CREATE INDEX exports_account ON exports (account_id, created_at);
CREATE INDEX exports_expiry ON exports (expires_at);
