-- Citizens' petitions: routing rules and time limits the province edits, the petitions with
-- their sealed petitioners, every event of their history, attachments, the reminders and
-- escalations already raised (one row each, so no server raises one twice), in-app
-- notifications and the keys of Open311 clients.

CREATE TABLE routing_rules (
    id              INTEGER PRIMARY KEY,
    topic           TEXT NOT NULL,   -- a petition topic code, or '*' for any
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    created_by      INTEGER REFERENCES accounts (id),
    created_at      TEXT NOT NULL,
    UNIQUE (unit_id, topic)
);

CREATE TABLE time_limits (
    kind            TEXT PRIMARY KEY NOT NULL,
    accept_days     INTEGER NOT NULL,
    accept_working  INTEGER NOT NULL,
    resolve_days    INTEGER NOT NULL,
    resolve_working INTEGER NOT NULL,
    complex_days    INTEGER NOT NULL,
    extension_days  INTEGER NOT NULL,
    max_extensions  INTEGER NOT NULL,
    updated_by      INTEGER REFERENCES accounts (id),
    updated_at      TEXT NOT NULL
);

CREATE TABLE petitions (
    id               INTEGER PRIMARY KEY,
    tracking_code    TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    topic            TEXT NOT NULL,
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    channel          TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    title            TEXT NOT NULL,
    content          TEXT NOT NULL,
    folded           TEXT NOT NULL,   -- fold(title + content), for duplicates and search
    state            TEXT NOT NULL,
    organisation_id  INTEGER REFERENCES organisations (id),   -- the body responsible
    handler_id       INTEGER REFERENCES accounts (id),
    transfer_to      INTEGER REFERENCES organisations (id),   -- awaiting that body's acknowledgement
    accept_due       TEXT NOT NULL,
    accepted_on      TEXT,
    due_on           TEXT NOT NULL,
    complex          INTEGER NOT NULL DEFAULT 0,
    extensions       INTEGER NOT NULL DEFAULT 0,
    merged_into      INTEGER REFERENCES petitions (id),
    reopened         INTEGER NOT NULL DEFAULT 0,
    answer           TEXT,
    public_answer    TEXT,           -- the published answer, personal data removed
    answered_at      TEXT,
    answered_on      TEXT,
    closed_at        TEXT,
    rating           TEXT CHECK (rating IN ('satisfied', 'dissatisfied')),
    rated_at         TEXT,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    latitude         REAL,
    longitude        REAL,
    address_string   TEXT,
    created_by       INTEGER REFERENCES accounts (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX petitions_unit ON petitions (unit_id);
CREATE INDEX petitions_body ON petitions (organisation_id, state);
CREATE INDEX petitions_transfer ON petitions (transfer_to);
CREATE INDEX petitions_state_due ON petitions (state, due_on);
CREATE INDEX petitions_handler ON petitions (handler_id);
CREATE INDEX petitions_merged ON petitions (merged_into);

CREATE TABLE petitioners (
    id              INTEGER PRIMARY KEY,
    petition_id     INTEGER NOT NULL REFERENCES petitions (id),
    sealed          TEXT NOT NULL,   -- encrypted JSON {name, phone, email, address}
    contact_index   TEXT,            -- keyed hash of the phone or e-mail, for data requests
    consent_at      TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    joined_by_merge INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE INDEX petitioners_petition ON petitioners (petition_id);
CREATE INDEX petitioners_contact ON petitioners (contact_index);

CREATE TABLE petition_events (
    id              INTEGER PRIMARY KEY,
    petition_id     INTEGER NOT NULL REFERENCES petitions (id),
    at              TEXT NOT NULL,
    action          TEXT NOT NULL,
    from_state      TEXT,
    to_state        TEXT,
    actor_id        INTEGER REFERENCES accounts (id),
    organisation_id INTEGER REFERENCES organisations (id),
    note            TEXT,
    internal        INTEGER NOT NULL DEFAULT 0   -- hidden from the public history
);
CREATE INDEX petition_events_petition ON petition_events (petition_id, at);

CREATE TABLE petition_files (
    id          INTEGER PRIMARY KEY,
    petition_id INTEGER NOT NULL REFERENCES petitions (id),
    file_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    answer      INTEGER NOT NULL DEFAULT 0,   -- attached to the answer rather than the petition
    created_by  INTEGER REFERENCES accounts (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX petition_files_petition ON petition_files (petition_id);

CREATE TABLE petition_alerts (
    petition_id INTEGER NOT NULL REFERENCES petitions (id),
    kind        TEXT NOT NULL,   -- reminder | escalation
    due_on      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (petition_id, kind, due_on)
);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    petition_id INTEGER REFERENCES petitions (id),
    kind        TEXT NOT NULL,
    message_vi  TEXT NOT NULL,
    message_en  TEXT NOT NULL,
    url         TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT
);
CREATE INDEX notifications_account ON notifications (account_id, read_at);

CREATE TABLE open311_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Where reminders and escalations are e-mailed, when an SMTP server is configured.
ALTER TABLE accounts ADD COLUMN email TEXT;
