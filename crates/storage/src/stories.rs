//! Stories for the public: their text, the models and units they are about, their photos,
//! and how often they are read (per story and day, nothing about the reader).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{Db, Result, StoreError, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Story {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub state: String,
    pub published_at: Option<DateTime<Utc>>,
    pub author_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, slug, title, summary, body, state, published_at, author_id, version, created_at, updated_at";

fn columns_of(alias: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text of a story and what it is about (validated by the caller).
#[derive(Debug, Clone)]
pub struct Content {
    pub title: String,
    pub summary: String,
    pub body: String,
    /// fold() of the text, for the `q` filter.
    pub folded: String,
    pub initiative_ids: Vec<i64>,
    pub unit_ids: Vec<i64>,
}

async fn write_links(tx: &mut Tx, id: i64, c: &Content) -> Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM story_initiatives WHERE story_id = $1").bind(id).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM story_units WHERE story_id = $1").bind(id).execute(&mut *conn).await?;
        for i in &c.initiative_ids {
            sqlx::query("INSERT INTO story_initiatives (story_id, initiative_id) VALUES ($1, $2)")
                .bind(id).bind(*i).execute(&mut *conn).await?;
        }
        for u in &c.unit_ids {
            sqlx::query("INSERT INTO story_units (story_id, unit_id) VALUES ($1, $2)")
                .bind(id).bind(*u).execute(&mut *conn).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// Is the slug taken (by a story other than `except`)?
pub async fn slug_taken(tx: &mut Tx, slug: &str, except: Option<i64>) -> Result<bool> {
    let n: i64 = with_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM stories WHERE slug = $1 AND id <> $2",
    )
    .bind(slug)
    .bind(except.unwrap_or(0))
    .fetch_one(&mut *conn)
    .await)?;
    Ok(n > 0)
}

/// Writes a new draft under `slug` (unique: the caller found it free in this transaction).
pub async fn create(tx: &mut Tx, slug: &str, c: &Content, by: Option<i64>) -> Result<i64> {
    let at = now();
    let id: i64 = with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO stories (slug, title, summary, body, folded, state, published_at, author_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'draft', NULL, $6, 1, $7, $7) RETURNING id",
    )
    .bind(slug)
    .bind(&c.title)
    .bind(&c.summary)
    .bind(&c.body)
    .bind(&c.folded)
    .bind(by)
    .bind(at)
    .fetch_one(&mut *conn)
    .await)
    .map_err(|e| StoreError::from_write(e, "slug_taken"))?;
    write_links(tx, id, c).await?;
    Ok(id)
}

/// Replaces the text (the slug stays: shared links keep working) if nobody saved since
/// `version`; `Conflict("stale_version")` otherwise.
pub async fn update(tx: &mut Tx, id: i64, version: i64, c: &Content) -> Result<()> {
    let n = with_tx!(tx, conn => sqlx::query(
        "UPDATE stories SET title = $1, summary = $2, body = $3, folded = $4, version = version + 1, updated_at = $5
         WHERE id = $6 AND version = $7",
    )
    .bind(&c.title)
    .bind(&c.summary)
    .bind(&c.body)
    .bind(&c.folded)
    .bind(now())
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict("stale_version"));
    }
    write_links(tx, id, c).await
}

/// Moves the state (and sets or clears the publication time) if nobody changed the story
/// since `version`.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    version: i64,
    from: &str,
    to: &str,
    published_at: Option<DateTime<Utc>>,
) -> Result<()> {
    let n = with_tx!(tx, conn => sqlx::query(
        "UPDATE stories SET state = $1, published_at = $2, version = version + 1, updated_at = $3
         WHERE id = $4 AND version = $5 AND state = $6",
    )
    .bind(to)
    .bind(published_at)
    .bind(now())
    .bind(id)
    .bind(version)
    .bind(from)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict("stale_version"));
    }
    Ok(())
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Story>> {
    let sql = format!("SELECT {COLUMNS} FROM stories WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Story>> {
    let sql = format!("SELECT {COLUMNS} FROM stories WHERE slug = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(p).await)?,
    )
}

pub async fn initiative_ids(db: &Db, story_id: i64) -> Result<Vec<i64>> {
    Ok(with_db!(db, p => sqlx::query_scalar(
        "SELECT initiative_id FROM story_initiatives WHERE story_id = $1 ORDER BY initiative_id"
    )
    .bind(story_id)
    .fetch_all(p)
    .await)?)
}

pub async fn unit_ids(db: &Db, story_id: i64) -> Result<Vec<i64>> {
    Ok(with_db!(db, p => sqlx::query_scalar(
        "SELECT unit_id FROM story_units WHERE story_id = $1 ORDER BY unit_id"
    )
    .bind(story_id)
    .fetch_all(p)
    .await)?)
}

/// Filters of story lists. Empty lists mean any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub states: Vec<String>,
    /// Only what the public sees: published, and its time has come (`now`).
    pub public_at: Option<DateTime<Utc>>,
    /// About one of these units (directly or through a model there).
    pub units: Vec<i64>,
    pub initiative_id: Option<i64>,
    /// About a model of this field.
    pub field: Option<String>,
    /// A folded query: every syllable found in the folded text.
    pub folded_query: Option<String>,
    pub slug: Option<String>,
    /// For staff whose scope is limited: also (beside the public ones, with `public_at`)
    /// the stories about these units, and those written by this author.
    pub staff: Option<(Vec<i64>, i64)>,
    pub exclude: Option<i64>,
}

/// `ids` as a comma-separated list of binds (NULL for none, which matches nothing).
fn push_ids<DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<DB>, ids: &[i64])
where
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut sep = q.separated(", ");
    if ids.is_empty() {
        sep.push("NULL");
    }
    for id in ids {
        sep.push_bind(*id);
    }
}

/// "The story is about one of these units": its own units, or its models' (SQL for the
/// list of ids and a closing parenthesis to follow; pushed twice, once per way).
const ABOUT_OWN_UNIT: &str =
    "EXISTS (SELECT 1 FROM story_units su WHERE su.story_id = s.id AND su.unit_id IN (";
const ABOUT_MODEL_UNIT: &str =
    "EXISTS (SELECT 1 FROM story_initiatives si JOIN initiatives i ON i.id = si.initiative_id
     WHERE si.story_id = s.id AND i.unit_id IN (";

/// A page of stories, newest first (by publication, then by last change), and the total.
pub async fn list(db: &Db, f: &Filter, limit: i64, offset: i64) -> Result<(Vec<Story>, i64)> {
    with_db!(db, p => {
        let mut out = (Vec::new(), 0);
        for count in [true, false] {
            let mut q = sqlx::QueryBuilder::new(if count {
                "SELECT COUNT(*) FROM stories s WHERE 1 = 1".to_string()
            } else {
                format!("SELECT {} FROM stories s WHERE 1 = 1", columns_of("s"))
            });
            if !f.states.is_empty() {
                q.push(" AND s.state IN (");
                let mut sep = q.separated(", ");
                for st in &f.states {
                    sep.push_bind(st.clone());
                }
                q.push(")");
            }
            match (f.public_at, &f.staff) {
                (Some(at), None) => {
                    q.push(" AND s.state = 'published' AND s.published_at <= ").push_bind(at);
                }
                (at, Some((units, author))) => {
                    q.push(" AND (");
                    if let Some(at) = at {
                        q.push("(s.state = 'published' AND s.published_at <= ").push_bind(at).push(") OR ");
                    }
                    q.push("s.author_id = ").push_bind(*author).push(" OR ").push(ABOUT_OWN_UNIT);
                    push_ids(&mut q, units);
                    q.push(")) OR ").push(ABOUT_MODEL_UNIT);
                    push_ids(&mut q, units);
                    q.push(")))");
                }
                (None, None) => {}
            }
            if !f.units.is_empty() {
                q.push(" AND (").push(ABOUT_OWN_UNIT);
                push_ids(&mut q, &f.units);
                q.push(")) OR ").push(ABOUT_MODEL_UNIT);
                push_ids(&mut q, &f.units);
                q.push(")))");
            }
            if let Some(i) = f.initiative_id {
                q.push(" AND EXISTS (SELECT 1 FROM story_initiatives x WHERE x.story_id = s.id AND x.initiative_id = ").push_bind(i).push(")");
            }
            if let Some(field) = &f.field {
                q.push(" AND EXISTS (SELECT 1 FROM story_initiatives x JOIN initiatives xi ON xi.id = x.initiative_id WHERE x.story_id = s.id AND xi.field = ")
                    .push_bind(field.clone()).push(")");
            }
            if let Some(query) = &f.folded_query {
                // Whole syllables, as the search matches them: "bi" does not find "binh".
                for word in query.split(' ').filter(|w| !w.is_empty()) {
                    q.push(" AND (' ' || s.folded || ' ') LIKE ")
                        .push_bind(format!("% {} %", word.replace(['%', '_'], "")));
                }
            }
            if let Some(slug) = &f.slug {
                q.push(" AND s.slug = ").push_bind(slug.clone());
            }
            if let Some(id) = f.exclude {
                q.push(" AND s.id <> ").push_bind(id);
            }
            if count {
                out.1 = q.build_query_scalar::<i64>().fetch_one(p).await?;
            } else {
                q.push(" ORDER BY s.published_at IS NULL, s.published_at DESC, s.updated_at DESC, s.id DESC LIMIT ")
                    .push_bind(limit).push(" OFFSET ").push_bind(offset);
                out.0 = q.build_query_as::<Story>().fetch_all(p).await?;
            }
        }
        Ok(out)
    })
}

/// Every unit a story is about: its own, and its models'.
pub async fn about_units(db: &Db, story_id: i64) -> Result<Vec<i64>> {
    Ok(with_db!(db, p => sqlx::query_scalar(
        "SELECT unit_id FROM story_units WHERE story_id = $1
         UNION SELECT i.unit_id FROM story_initiatives si JOIN initiatives i ON i.id = si.initiative_id WHERE si.story_id = $1"
    )
    .bind(story_id)
    .fetch_all(p)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Photo {
    pub id: i64,
    pub story_id: i64,
    pub sha256: String,
    pub mime: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: String,
}

/// A stored, checked photo to attach.
pub struct NewPhoto<'a> {
    pub sha256: &'a str,
    pub mime: &'a str,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt: &'a str,
}

pub async fn add_photo(
    tx: &mut Tx,
    story_id: i64,
    ph: &NewPhoto<'_>,
    by: Option<i64>,
) -> Result<i64> {
    Ok(with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO story_photos (story_id, sha256, mime, width, height, alt, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(story_id)
    .bind(ph.sha256)
    .bind(ph.mime)
    .bind(ph.width)
    .bind(ph.height)
    .bind(ph.alt)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await)?)
}

pub async fn photos(db: &Db, story_id: i64) -> Result<Vec<Photo>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, story_id, sha256, mime, width, height, alt FROM story_photos WHERE story_id = $1 ORDER BY id"
    )
    .bind(story_id)
    .fetch_all(p)
    .await)?)
}

/// The first photo of each story in `ids` (for cards and og:image).
pub async fn cover_photos(db: &Db, ids: &[i64]) -> Result<Vec<Photo>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, p => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT id, story_id, sha256, mime, width, height, alt FROM story_photos
             WHERE id IN (SELECT MIN(id) FROM story_photos GROUP BY story_id) AND story_id IN (",
        );
        push_ids(&mut q, ids);
        q.push(")");
        Ok(q.build_query_as::<Photo>().fetch_all(p).await?)
    })
}

/// The stories a stored file is a photo of.
pub async fn stories_with_photo(db: &Db, sha256: &str) -> Result<Vec<i64>> {
    Ok(with_db!(db, p => sqlx::query_scalar(
        "SELECT DISTINCT story_id FROM story_photos WHERE sha256 = $1 ORDER BY story_id"
    )
    .bind(sha256)
    .fetch_all(p)
    .await)?)
}

/// Counts one view of a story on `day`.
pub async fn record_view(db: &Db, story_id: i64, day: NaiveDate) -> Result<()> {
    with_db!(db, p => sqlx::query(
        "INSERT INTO story_views (story_id, day, views) VALUES ($1, $2, 1)
         ON CONFLICT (story_id, day) DO UPDATE SET views = story_views.views + 1",
    )
    .bind(story_id)
    .bind(day)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes a day's count as it is (the demo's readers, and tests).
pub async fn set_views(tx: &mut Tx, story_id: i64, day: NaiveDate, views: i64) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO story_views (story_id, day, views) VALUES ($1, $2, $3)
         ON CONFLICT (story_id, day) DO UPDATE SET views = excluded.views",
    )
    .bind(story_id)
    .bind(day)
    .bind(views)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The most read stories since `since` that are public at `at`: (story, views), most first.
pub async fn most_read(
    db: &Db,
    since: NaiveDate,
    at: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(Story, i64)>> {
    let sql = format!(
        "SELECT {}, v.n FROM stories s
         JOIN (SELECT story_id, CAST(SUM(views) AS BIGINT) AS n FROM story_views WHERE day >= $1 GROUP BY story_id) v ON v.story_id = s.id
         WHERE s.state = 'published' AND s.published_at <= $2
         ORDER BY v.n DESC, s.published_at DESC, s.id DESC LIMIT $3",
        columns_of("s")
    );
    let rows: Vec<ViewedStory> = with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(since)
        .bind(at)
        .bind(limit)
        .fetch_all(p)
        .await)?;
    Ok(rows.into_iter().map(|r| (r.story, r.n)).collect())
}

#[derive(sqlx::FromRow)]
struct ViewedStory {
    #[sqlx(flatten)]
    story: Story,
    n: i64,
}

/// A story's views since `since`.
pub async fn views_since(db: &Db, story_id: i64, since: NaiveDate) -> Result<i64> {
    let n: Option<i64> = with_db!(db, p => sqlx::query_scalar(
        "SELECT CAST(SUM(views) AS BIGINT) FROM story_views WHERE story_id = $1 AND day >= $2"
    )
    .bind(story_id)
    .bind(since)
    .fetch_one(p)
    .await)?;
    Ok(n.unwrap_or(0))
}

/// The models that public stories tell about: (id, title), by title.
pub async fn initiatives_told(db: &Db, at: DateTime<Utc>) -> Result<Vec<(i64, String)>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT DISTINCT i.id, i.title FROM initiatives i
         JOIN story_initiatives si ON si.initiative_id = i.id
         JOIN stories s ON s.id = si.story_id
         WHERE s.state = 'published' AND s.published_at <= $1
         ORDER BY i.title, i.id"
    )
    .bind(at)
    .fetch_all(p)
    .await)?)
}

/// The type a story photo was stored as.
pub async fn photo_mime(db: &Db, sha256: &str) -> Result<Option<String>> {
    Ok(with_db!(db, p => sqlx::query_scalar(
        "SELECT mime FROM story_photos WHERE sha256 = $1 ORDER BY id LIMIT 1"
    )
    .bind(sha256)
    .fetch_optional(p)
    .await)?)
}
