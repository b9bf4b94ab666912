-- Care and contributions (issue 6): the communes' registers of households in need, the
-- support drives organisations announce and the deliveries officers record, and the ledger
-- of what people give.
--
-- A household's head and address are personal data: they are sealed (XChaCha20-Poly1305,
-- key outside the database) and found again only by a keyed hash of the folded name and
-- address, unique per commune, so the same household written twice is caught without the
-- database ever holding the name in clear. The yearly lists are rows of their own, so a
-- household that moves from the poor to the near-poor list keeps both years.

CREATE TABLE households (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    sealed      TEXT NOT NULL,
    dedupe_key  TEXT NOT NULL,
    created_by  INTEGER REFERENCES accounts (id),
    created_at  TEXT NOT NULL,
    UNIQUE (unit_id, dedupe_key)
);

CREATE TABLE household_listings (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    category     TEXT NOT NULL,
    year         INTEGER NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('form', 'api', 'import', 'demo')),
    listed_by    INTEGER REFERENCES accounts (id),
    listed_at    TEXT NOT NULL,
    UNIQUE (household_id, category, year)
);
CREATE INDEX household_listings_year ON household_listings (year, category);

CREATE TABLE drives (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    initiative_id   INTEGER REFERENCES initiatives (id),
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    list_year       INTEGER NOT NULL,
    items           TEXT NOT NULL,
    created_by      INTEGER REFERENCES accounts (id),
    created_at      TEXT NOT NULL
);
CREATE INDEX drives_period ON drives (starts_on, ends_on);

CREATE TABLE drive_units (
    drive_id INTEGER NOT NULL REFERENCES drives (id),
    unit_id  INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (drive_id, unit_id)
);
CREATE INDEX drive_units_unit ON drive_units (unit_id);

CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    drive_id     INTEGER NOT NULL REFERENCES drives (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    items        TEXT NOT NULL,
    value_vnd    INTEGER NOT NULL CHECK (value_vnd >= 0),
    delivered_on TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES accounts (id),
    recorded_at  TEXT NOT NULL,
    UNIQUE (drive_id, household_id)
);
CREATE INDEX deliveries_household ON deliveries (household_id);

CREATE TABLE contributions (
    id                 INTEGER PRIMARY KEY,
    unit_id            INTEGER NOT NULL REFERENCES units (id),
    initiative_id      INTEGER REFERENCES initiatives (id),
    kind               TEXT NOT NULL,
    quantity           REAL NOT NULL CHECK (quantity > 0),
    contributor_type   TEXT NOT NULL CHECK (contributor_type IN ('household', 'organisation', 'enterprise')),
    contributor_name   TEXT,           -- public: only when the contributor agreed to be named
    contributor_sealed TEXT,           -- an anonymous household's name, sealed
    anonymous          INTEGER NOT NULL,
    contributed_on     TEXT NOT NULL,
    note               TEXT NOT NULL,
    recorded_by        INTEGER REFERENCES accounts (id),
    recorded_at        TEXT NOT NULL
);
CREATE INDEX contributions_unit ON contributions (unit_id, kind);
CREATE INDEX contributions_initiative ON contributions (initiative_id);
