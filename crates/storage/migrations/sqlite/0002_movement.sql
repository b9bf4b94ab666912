-- The movement: campaigns, initiatives ("models") with indicators, their events, progress
-- reports with values and evidence, councils and scores, commendation decisions.
-- Replication is an initiative whose source_id names the model it adopted.

CREATE TABLE campaigns (
    id                  INTEGER PRIMARY KEY,
    year                INTEGER NOT NULL,
    title               TEXT NOT NULL,
    title_groups        TEXT NOT NULL,   -- JSON array of strings
    fields              TEXT NOT NULL,   -- JSON array of {field, sub_themes}
    registration_opens  TEXT NOT NULL,
    registration_closes TEXT NOT NULL,
    midyear_review      TEXT NOT NULL,
    yearend_review      TEXT NOT NULL,
    rubric              TEXT NOT NULL,   -- JSON {criteria: [...], thresholds: {...}}
    commendation_quota  INTEGER NOT NULL,
    commune_councils    INTEGER NOT NULL DEFAULT 0,
    created_by          INTEGER REFERENCES accounts (id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (year, title)
);

CREATE TABLE initiatives (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES campaigns (id),
    source_id       INTEGER REFERENCES initiatives (id),
    title           TEXT NOT NULL,
    title_group     TEXT NOT NULL,
    field           TEXT NOT NULL,
    sub_theme       TEXT,
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    organisation_id INTEGER REFERENCES organisations (id),
    registrant_kind TEXT NOT NULL,
    registrant_name TEXT NOT NULL,
    summary         TEXT NOT NULL,
    goals           TEXT NOT NULL,
    partners        TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    state           TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      INTEGER REFERENCES accounts (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX initiatives_campaign ON initiatives (campaign_id);
CREATE INDEX initiatives_unit ON initiatives (unit_id);
CREATE INDEX initiatives_org ON initiatives (organisation_id);
CREATE INDEX initiatives_state ON initiatives (state);
CREATE INDEX initiatives_source ON initiatives (source_id);

CREATE TABLE initiative_indicators (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    custom_name   TEXT,
    custom_unit   TEXT,
    target        REAL NOT NULL
);
CREATE INDEX initiative_indicators_initiative ON initiative_indicators (initiative_id);

CREATE TABLE initiative_events (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    actor_id      INTEGER REFERENCES accounts (id),
    action        TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    comment       TEXT
);
CREATE INDEX initiative_events_initiative ON initiative_events (initiative_id);

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    initiative_id   INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    milestone       TEXT NOT NULL,
    narrative       TEXT NOT NULL,
    correction_note TEXT,
    state           TEXT NOT NULL,
    submitted_by    INTEGER REFERENCES accounts (id),
    submitted_at    TEXT NOT NULL,
    reviewed_by     INTEGER REFERENCES accounts (id),
    reviewed_at     TEXT,
    review_comment  TEXT
);
CREATE INDEX reports_initiative ON reports (initiative_id);

CREATE TABLE report_values (
    report_id    INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL REFERENCES initiative_indicators (id) ON DELETE CASCADE,
    value        REAL NOT NULL,
    PRIMARY KEY (report_id, indicator_id)
);

CREATE TABLE evidence_files (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    report_id     INTEGER REFERENCES reports (id) ON DELETE CASCADE,
    sha256        TEXT NOT NULL,
    mime          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    width         INTEGER,
    height        INTEGER,
    caption       TEXT NOT NULL,
    uploaded_by   INTEGER REFERENCES accounts (id),
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX evidence_files_initiative ON evidence_files (initiative_id);

CREATE TABLE councils (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    state       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    closed_at   TEXT
);

CREATE TABLE council_members (
    council_id INTEGER NOT NULL REFERENCES councils (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (council_id, account_id)
);

CREATE TABLE council_assignments (
    council_id    INTEGER NOT NULL REFERENCES councils (id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id),
    PRIMARY KEY (council_id, initiative_id)
);

CREATE TABLE scores (
    council_id    INTEGER NOT NULL REFERENCES councils (id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id),
    member_id     INTEGER NOT NULL REFERENCES accounts (id),
    criterion     TEXT NOT NULL,
    points        REAL NOT NULL,
    submitted_at  TEXT NOT NULL,
    PRIMARY KEY (council_id, initiative_id, member_id, criterion)
);

CREATE TABLE recusals (
    council_id    INTEGER NOT NULL REFERENCES councils (id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id),
    member_id     INTEGER NOT NULL REFERENCES accounts (id),
    reason        TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (council_id, initiative_id, member_id)
);

CREATE TABLE decisions (
    id               INTEGER PRIMARY KEY,
    campaign_id      INTEGER REFERENCES campaigns (id),
    state            TEXT NOT NULL,
    number           TEXT,
    signed_on        TEXT,
    issuing_body     TEXT NOT NULL,
    signer_name      TEXT,
    signer_title     TEXT,
    signed_as_deputy INTEGER NOT NULL DEFAULT 0,
    form             TEXT NOT NULL,
    created_by       INTEGER REFERENCES accounts (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE decision_recipients (
    id              INTEGER PRIMARY KEY,
    decision_id     INTEGER NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    initiative_id   INTEGER REFERENCES initiatives (id),
    organisation_id INTEGER REFERENCES organisations (id),
    person_name     TEXT,
    classification  TEXT
);
CREATE INDEX decision_recipients_decision ON decision_recipients (decision_id);
CREATE INDEX decision_recipients_initiative ON decision_recipients (initiative_id);
