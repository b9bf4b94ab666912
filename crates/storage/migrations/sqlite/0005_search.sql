-- The search index (DESIGN.md §7): one row per searchable thing (model, organisation, unit,
-- published petition answer, petition), with its text as shown and as folded by
-- `danvan_domain::fold::fold`. The application writes the rows (the fold is Rust, so SQL
-- cannot compute it); the FTS5 table below indexes the folded columns.

CREATE TABLE search_documents (
    id              INTEGER PRIMARY KEY,   -- a stable rowid for the external-content FTS table
    kind            TEXT NOT NULL CHECK (kind IN ('initiative', 'organisation', 'unit', 'answer', 'petition')),
    ref_id          INTEGER NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    folded_title    TEXT NOT NULL,
    folded_body     TEXT NOT NULL,
    exact_text      TEXT NOT NULL,   -- lower-case NFC title and body, for exact-diacritic ranking
    url             TEXT NOT NULL,
    unit_id         INTEGER,
    organisation_id INTEGER,
    field           TEXT,
    state           TEXT,
    year            INTEGER,
    public          INTEGER NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_documents_unit ON search_documents (unit_id);
CREATE INDEX search_documents_updated ON search_documents (updated_at);

-- SQLite only: FTS5 over the folded text, reading its content from search_documents
-- (external content, so the text is stored once). The tokenizer splits on spaces, which is
-- where fold() puts syllable boundaries, so a token is a whole syllable: "hoa" never matches
-- "hoang". Diacritic removal is off because the text is folded already.
CREATE VIRTUAL TABLE search_fts USING fts5(
    folded_title, folded_body,
    content = 'search_documents', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
    INSERT INTO search_fts (rowid, folded_title, folded_body) VALUES (new.id, new.folded_title, new.folded_body);
END;
CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
    INSERT INTO search_fts (search_fts, rowid, folded_title, folded_body)
    VALUES ('delete', old.id, old.folded_title, old.folded_body);
END;
CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
    INSERT INTO search_fts (search_fts, rowid, folded_title, folded_body)
    VALUES ('delete', old.id, old.folded_title, old.folded_body);
    INSERT INTO search_fts (rowid, folded_title, folded_body) VALUES (new.id, new.folded_title, new.folded_body);
END;
