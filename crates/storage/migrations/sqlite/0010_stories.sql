-- Stories for the public: articles about the movement's models, written by officers and
-- published (now or at a set time) for /tin-tuc. A story is about some models and units;
-- its photos are content-addressed files like evidence. Views are counted per story and day,
-- nothing about the reader is kept.

CREATE TABLE stories (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,   -- Markdown as written; rendered and sanitised when shown
    folded       TEXT NOT NULL,   -- fold(title, summary, body) for the `q` filter
    state        TEXT NOT NULL,   -- draft, review, published
    published_at TEXT,            -- public from then on (a future time: scheduled)
    author_id    INTEGER REFERENCES accounts (id),
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX stories_public ON stories (state, published_at);

CREATE TABLE story_initiatives (
    story_id      INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id),
    PRIMARY KEY (story_id, initiative_id)
);
CREATE INDEX story_initiatives_initiative ON story_initiatives (initiative_id);

CREATE TABLE story_units (
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    unit_id  INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (story_id, unit_id)
);
CREATE INDEX story_units_unit ON story_units (unit_id);

CREATE TABLE story_photos (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL,
    mime        TEXT NOT NULL,
    width       INTEGER,
    height      INTEGER,
    alt         TEXT NOT NULL,
    uploaded_by INTEGER REFERENCES accounts (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX story_photos_story ON story_photos (story_id);
CREATE INDEX story_photos_sha ON story_photos (sha256);

CREATE TABLE story_views (
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    day      TEXT NOT NULL,
    views    INTEGER NOT NULL,
    PRIMARY KEY (story_id, day)
);
CREATE INDEX story_views_day ON story_views (day);
