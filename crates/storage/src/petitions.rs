//! Petitions and everything that hangs off them. The workflow's rules live in
//! `danvan_domain::petition` and the web service; this module reads and writes rows.
//!
//! A petition is loaded, changed in memory and written back with [`save`], which checks the
//! version it was read at: two officers acting at once cannot overwrite each other.

use chrono::{DateTime, NaiveDate, Utc};
use danvan_domain::petition::{State, TimeLimit};
use serde::Serialize;

use crate::{Backend, Db, Result, StoreError, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Petition {
    pub id: i64,
    pub tracking_code: String,
    pub kind: String,
    pub topic: String,
    pub unit_id: i64,
    pub channel: String,
    pub received_on: NaiveDate,
    pub title: String,
    pub content: String,
    #[serde(skip)]
    pub folded: String,
    pub state: String,
    pub organisation_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub transfer_to: Option<i64>,
    pub accept_due: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub due_on: NaiveDate,
    pub complex: bool,
    pub extensions: i64,
    pub merged_into: Option<i64>,
    pub reopened: bool,
    pub answer: Option<String>,
    pub public_answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_on: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<String>,
    pub rated_at: Option<DateTime<Utc>>,
    pub escalation_level: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub address_string: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl Petition {
    /// Past the deadline that applies now: acceptance while received (what the deadline
    /// sweep escalates), resolution once accepted. Closed cases are never overdue.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        match self.state.as_str() {
            "received" => self.accept_due.min(self.due_on) < today,
            "accepted" | "assigned" => self.due_on < today,
            _ => false,
        }
    }
}

/// [`Petition::is_overdue`] in SQL, with the day as placeholder `$n`.
pub(crate) fn overdue_sql(n: u8) -> String {
    format!(
        "(state IN ('received', 'accepted', 'assigned') AND (due_on < ${n} OR (state = 'received' AND accept_due < ${n})))"
    )
}

const COLUMNS: &str = "id, tracking_code, kind, topic, unit_id, channel, received_on, title, content, folded, state, \
organisation_id, handler_id, transfer_to, accept_due, accepted_on, due_on, complex, extensions, merged_into, reopened, \
answer, public_answer, answered_at, answered_on, closed_at, rating, rated_at, escalation_level, latitude, longitude, \
address_string, created_by, created_at, updated_at, version";

/// [`COLUMNS`] without the long texts (content, folded text, answers), which exports never
/// hold: an export of 100 000 petitions read and checked them all.
const LISTED_COLUMNS: &str = "id, tracking_code, kind, topic, unit_id, channel, received_on, title, '' AS content, \
'' AS folded, state, organisation_id, handler_id, transfer_to, accept_due, accepted_on, due_on, complex, extensions, \
merged_into, reopened, CAST(NULL AS TEXT) AS answer, CAST(NULL AS TEXT) AS public_answer, answered_at, answered_on, closed_at, rating, rated_at, \
escalation_level, latitude, longitude, address_string, created_by, created_at, updated_at, version";

/// The columns a new petition is written with (validated by the caller).
pub struct NewPetition {
    pub tracking_code: String,
    pub kind: String,
    pub topic: String,
    pub unit_id: i64,
    pub channel: String,
    pub received_on: NaiveDate,
    pub title: String,
    pub content: String,
    pub folded: String,
    pub organisation_id: Option<i64>,
    pub accept_due: NaiveDate,
    pub due_on: NaiveDate,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub address_string: Option<String>,
    pub created_by: Option<i64>,
}

/// A tracking code already in use is `Conflict("tracking_code_taken")` and leaves the
/// transaction usable (no statement failed), so the caller can retry with another code even
/// on PostgreSQL, where a failed statement aborts the transaction.
pub async fn create(tx: &mut Tx, p: &NewPetition) -> Result<i64> {
    let at = now();
    let id: Option<i64> = with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO petitions (tracking_code, kind, topic, unit_id, channel, received_on, title, content, folded, state,
             organisation_id, accept_due, due_on, latitude, longitude, address_string, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $18, $10, $11, $12, $13, $14, $15, $16, $17, $17)
         ON CONFLICT (tracking_code) DO NOTHING RETURNING id",
    )
    .bind(&p.tracking_code)
    .bind(&p.kind)
    .bind(&p.topic)
    .bind(p.unit_id)
    .bind(&p.channel)
    .bind(p.received_on)
    .bind(&p.title)
    .bind(&p.content)
    .bind(&p.folded)
    .bind(p.organisation_id)
    .bind(p.accept_due)
    .bind(p.due_on)
    .bind(p.latitude)
    .bind(p.longitude)
    .bind(&p.address_string)
    .bind(p.created_by)
    .bind(at)
    .bind(State::Received.code())
    .fetch_optional(&mut *conn)
    .await)
    .map_err(|e| StoreError::from_write(e, "tracking_code_taken"))?;
    let id = id.ok_or_else(|| StoreError::Conflict("tracking_code_taken"))?;
    crate::search::index_received(tx, id, p, State::Received.code(), at);
    Ok(id)
}

/// Writes back the workflow columns of `p` if nobody changed the petition since it was read;
/// `Conflict("stale_version")` otherwise.
pub async fn save(tx: &mut Tx, p: &Petition) -> Result<()> {
    let n = with_tx!(tx, conn => sqlx::query(
        "UPDATE petitions SET state = $1, organisation_id = $2, handler_id = $3, transfer_to = $4, accepted_on = $5,
             due_on = $6, complex = $7, extensions = $8, merged_into = $9, reopened = $10, answer = $11,
             public_answer = $12, answered_at = $13, answered_on = $14, closed_at = $15, rating = $16, rated_at = $17,
             escalation_level = $18, accept_due = $19, updated_at = $20, folded = $23, version = version + 1
         WHERE id = $21 AND version = $22",
    )
    .bind(&p.state)
    .bind(p.organisation_id)
    .bind(p.handler_id)
    .bind(p.transfer_to)
    .bind(p.accepted_on)
    .bind(p.due_on)
    .bind(p.complex)
    .bind(p.extensions)
    .bind(p.merged_into)
    .bind(p.reopened)
    .bind(&p.answer)
    .bind(&p.public_answer)
    .bind(p.answered_at)
    .bind(p.answered_on)
    .bind(p.closed_at)
    .bind(&p.rating)
    .bind(p.rated_at)
    .bind(p.escalation_level)
    .bind(p.accept_due)
    .bind(now())
    .bind(p.id)
    .bind(p.version)
    .bind(&p.folded)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 1 {
        // State, body, answer and merges all change who finds the petition and how.
        crate::search::index_petition(tx, p.id).await
    } else {
        Err(StoreError::Conflict("stale_version"))
    }
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Petition>> {
    let sql = format!("SELECT {COLUMNS} FROM petitions WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Petition>> {
    let sql = format!("SELECT {COLUMNS} FROM petitions WHERE tracking_code = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(p).await)?,
    )
}

/// Which petitions a list shows. Scopes are lists of ids from the policy.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only petitions in these units (`None`: no unit restriction).
    pub units: Option<Vec<i64>>,
    /// Only petitions of these bodies, or transferred to them.
    pub bodies: Option<Vec<i64>>,
    pub state: Option<String>,
    pub kind: Option<String>,
    pub topic: Option<String>,
    pub open_only: bool,
    /// Only open petitions due before this day.
    pub overdue_on: Option<NaiveDate>,
    pub handler_id: Option<i64>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub limit: i64,
    pub offset: i64,
}

fn ids(v: &[i64]) -> String {
    if v.is_empty() {
        "NULL".into()
    } else {
        v.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }
}

/// The most urgent first: open cases by due date, then the rest, newest first.
const URGENT_FIRST: &str = "CASE WHEN state IN ('received', 'accepted', 'assigned') THEN 0 ELSE 1 END,
    CASE WHEN state IN ('received', 'accepted', 'assigned') THEN due_on END, received_on DESC, id DESC";

/// Every placeholder of [`list_where`] is bound on every query; unused ones are harmless,
/// but must still be dates PostgreSQL accepts (it refuses `NaiveDate::MIN`).
macro_rules! bind_filter {
    ($q:expr, $f:expr) => {{
        let epoch = NaiveDate::default();
        $q.bind($f.state.clone().unwrap_or_default())
            .bind($f.kind.clone().unwrap_or_default())
            .bind($f.topic.clone().unwrap_or_default())
            .bind($f.overdue_on.unwrap_or(epoch))
            .bind($f.received_from.unwrap_or(epoch))
            .bind($f.received_to.unwrap_or(epoch))
    }};
}

/// Petitions matching `f`, the most urgent first: open cases by due date, then the rest,
/// newest first. Returns the page and the total.
///
/// The order is found on the ids alone and only the page's rows are then read whole:
/// sorting whole rows (their texts ride along in the sorter) of a body with 20 000 cases
/// took half a second on SQLite and two on PostgreSQL.
pub async fn list(db: &Db, f: &Filter) -> Result<(Vec<Petition>, i64)> {
    let ids = list_ids(db, f).await?;
    let rows = by_ids(db, &ids).await?;
    let count_sql = format!(
        "SELECT COUNT(*) FROM ({}) AS p",
        matching(db.backend(), f, "id")
    );
    let total: i64 = with_db!(db, p => bind_filter!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone())), f).fetch_one(p).await)?;
    Ok((rows, total))
}

/// The ids of [`list`]'s page (`f.limit` from `f.offset`), in its order. A long export
/// asks for all its ids at once, then reads the rows by id chunk by chunk ([`by_ids`]).
pub async fn list_ids(db: &Db, f: &Filter) -> Result<Vec<i64>> {
    let matching = matching(db.backend(), f, "id, state, due_on, received_on");
    // Pages ask for a page; exports for up to their 100 000 rows (and one more, to tell
    // that the list is longer).
    let limit = f.limit.clamp(1, 100_001);
    let offset = f.offset.max(0);
    let sql = format!(
        "SELECT id FROM ({matching}) AS p ORDER BY {URGENT_FIRST} LIMIT {limit} OFFSET {offset}"
    );
    Ok(
        with_db!(db, p => bind_filter!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())), f).fetch_all(p).await)?,
    )
}

/// The petitions with these ids, in the order of `ids` (missing ones left out).
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Petition>> {
    by_ids_reading(db, ids, COLUMNS).await
}

/// [`by_ids`] without the petitions' texts ([`LISTED_COLUMNS`]): for exports.
pub async fn listed_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Petition>> {
    by_ids_reading(db, ids, LISTED_COLUMNS).await
}

async fn by_ids_reading(db: &Db, ids: &[i64], columns: &str) -> Result<Vec<Petition>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {columns} FROM petitions WHERE id IN ({})",
        self::ids(ids)
    );
    let rows: Vec<Petition> =
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(p).await)?;
    let mut by_id: std::collections::HashMap<i64, Petition> =
        rows.into_iter().map(|p| (p.id, p)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The petitions [`list`] shows, as a `SELECT` of `columns`. A body's cases are those it
/// holds or was asked to take over. On PostgreSQL the two sides of that `OR` are read as a
/// `UNION ALL`, each from its own index alone: the `OR` became bitmap scans that read the
/// table (19 151 blocks for a body's 20 830 cases at province scale: 3.4 s cold), and the
/// body's queue went from 25 to 54 requests a second under load. The second side leaves out
/// the cases the first already has, so no de-duplicating `UNION` is needed: its hash of
/// 20 830 rows was half of each query (page ids 45–63 → 16–27 ms, count 21–49 → 12–16 ms,
/// `EXPLAIN ANALYZE` at province scale). SQLite reads the `OR` through both indexes by itself,
/// and a `UNION`'s extra sort made it slower (90 → 49 a second).
fn matching(backend: Backend, f: &Filter, columns: &str) -> String {
    let filter = list_where(f);
    match (&f.bodies, backend) {
        (None, _) => format!("SELECT {columns} FROM petitions WHERE {filter}"),
        (Some(b), Backend::Sqlite) => {
            let b = ids(b);
            format!(
                "SELECT {columns} FROM petitions
                 WHERE (organisation_id IN ({b}) OR transfer_to IN ({b})) AND {filter}"
            )
        }
        (Some(b), Backend::Postgres) => {
            let b = ids(b);
            format!(
                "SELECT {columns} FROM petitions WHERE organisation_id IN ({b}) AND {filter}
                 UNION ALL SELECT {columns} FROM petitions WHERE transfer_to IN ({b})
                   AND (organisation_id IS NULL OR organisation_id NOT IN ({b})) AND {filter}"
            )
        }
    }
}

/// The `WHERE` of [`list`] but for the body (see [`matching`]), with placeholders `$1`…`$6`
/// bound by [`bind_filter!`].
fn list_where(f: &Filter) -> String {
    // Ids come from the database and the policy (integers), so inlining them is safe and
    // keeps the statement one text for both backends.
    let mut clauses: Vec<String> = vec!["1 = 1".into()];
    if let Some(u) = &f.units {
        clauses.push(format!("unit_id IN ({})", ids(u)));
    }
    if f.open_only || f.overdue_on.is_some() {
        clauses.push("state IN ('received', 'accepted', 'assigned')".into());
    }
    if f.overdue_on.is_some() {
        clauses.push(overdue_sql(4));
    }
    if f.state.is_some() {
        clauses.push("state = $1".into());
    }
    if f.kind.is_some() {
        clauses.push("kind = $2".into());
    }
    if f.topic.is_some() {
        clauses.push("topic = $3".into());
    }
    if let Some(h) = f.handler_id {
        clauses.push(format!("handler_id = {h}"));
    }
    if f.received_from.is_some() {
        clauses.push("received_on >= $5".into());
    }
    if f.received_to.is_some() {
        clauses.push("received_on <= $6".into());
    }
    clauses.join(" AND ")
}

/// Which petitions `GET /open311/v2/requests.json` returns. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct Open311Filter {
    /// Tracking codes; when given, the other filters are ignored (the spec says they override).
    pub codes: Vec<String>,
    pub topics: Vec<String>,
    pub kinds: Vec<String>,
    pub channels: Vec<String>,
    /// `Some(true)`: only open states; `Some(false)`: only the others.
    pub open: Option<bool>,
    /// On `created_at` (the request's `requested_datetime`), both ends included.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Leave out duplicates merged into another case (their case is listed itself).
    pub without_merged: bool,
    pub limit: i64,
}

enum Bind {
    Text(String),
    Time(DateTime<Utc>),
}

/// Petitions for an Open311 list, newest first.
pub async fn open311_list(db: &Db, f: &Open311Filter) -> Result<Vec<Petition>> {
    // Every value is bound; placeholders are numbered as they are added, so the one
    // statement text serves both backends.
    fn placeholders(values: &[String], binds: &mut Vec<Bind>) -> String {
        values
            .iter()
            .map(|v| {
                binds.push(Bind::Text(v.clone()));
                format!("${}", binds.len())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
    let mut binds: Vec<Bind> = Vec::new();
    let mut clauses: Vec<String> = vec!["1 = 1".into()];
    if !f.codes.is_empty() {
        clauses.push(format!(
            "tracking_code IN ({})",
            placeholders(&f.codes, &mut binds)
        ));
    } else {
        if !f.topics.is_empty() {
            clauses.push(format!(
                "topic IN ({})",
                placeholders(&f.topics, &mut binds)
            ));
        }
        if !f.kinds.is_empty() {
            clauses.push(format!("kind IN ({})", placeholders(&f.kinds, &mut binds)));
        }
        if !f.channels.is_empty() {
            clauses.push(format!(
                "channel IN ({})",
                placeholders(&f.channels, &mut binds)
            ));
        }
        match f.open {
            Some(true) => clauses.push("state IN ('received', 'accepted', 'assigned')".into()),
            Some(false) => clauses.push("state NOT IN ('received', 'accepted', 'assigned')".into()),
            None => {}
        }
        if f.without_merged {
            clauses.push("merged_into IS NULL".into());
        }
        if let Some(from) = f.from {
            binds.push(Bind::Time(from));
            clauses.push(format!("created_at >= ${}", binds.len()));
        }
        if let Some(to) = f.to {
            binds.push(Bind::Time(to));
            clauses.push(format!("created_at <= ${}", binds.len()));
        }
    }
    let limit = f.limit.clamp(1, 1000);
    let sql = format!(
        "SELECT {COLUMNS} FROM petitions WHERE {} ORDER BY created_at DESC, id DESC LIMIT {limit}",
        clauses.join(" AND ")
    );
    Ok(with_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for b in &binds {
            q = match b {
                Bind::Text(s) => q.bind(s.clone()),
                Bind::Time(t) => q.bind(*t),
            };
        }
        q.fetch_all(p).await
    })?)
}

/// Open petitions of a unit, for the duplicate check: (id, tracking code, title, folded).
pub async fn open_in_unit(db: &Db, unit_id: i64) -> Result<Vec<(i64, String, String, String)>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, tracking_code, title, folded FROM petitions
         WHERE unit_id = $1 AND state IN ('received', 'accepted', 'assigned') ORDER BY id DESC LIMIT 500",
    )
    .bind(unit_id)
    .fetch_all(p)
    .await)?)
}

/// Which of these petitions are still open.
pub async fn still_open(db: &Db, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The state is filtered here, not in SQL: given `state IN (…)` too, SQLite's planner
    // chose to scan the open petitions' state index instead of looking the ids up (25 ms
    // instead of microseconds at province scale, with a list of twenty ids).
    let sql = format!(
        "SELECT id, state FROM petitions WHERE id IN ({})",
        self::ids(ids)
    );
    let rows: Vec<(i64, String)> =
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .filter(|(_, state)| State::parse(state).is_some_and(State::is_open))
        .map(|(id, _)| id)
        .collect())
}

/// Petitions merged into `id`.
pub async fn merged_into(db: &Db, id: i64) -> Result<Vec<Petition>> {
    let sql = format!("SELECT {COLUMNS} FROM petitions WHERE merged_into = $1 ORDER BY id");
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(p).await)?)
}

// ---- petitioners ----

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Petitioner {
    pub id: i64,
    pub petition_id: i64,
    pub sealed: String,
    pub contact_index: Option<String>,
    pub consent_at: DateTime<Utc>,
    pub consent_version: String,
    pub joined_by_merge: bool,
}

pub async fn add_petitioner(
    tx: &mut Tx,
    petition_id: i64,
    sealed: &str,
    contact_index: Option<&str>,
    consent_version: &str,
    consent_at: DateTime<Utc>,
    joined_by_merge: bool,
) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO petitioners (petition_id, sealed, contact_index, consent_at, consent_version, joined_by_merge, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(petition_id)
    .bind(sealed)
    .bind(contact_index)
    .bind(consent_at)
    .bind(consent_version)
    .bind(joined_by_merge)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

const PETITIONER_COLUMNS: &str =
    "id, petition_id, sealed, contact_index, consent_at, consent_version, joined_by_merge";

pub async fn petitioners(db: &Db, petition_id: i64) -> Result<Vec<Petitioner>> {
    let sql =
        format!("SELECT {PETITIONER_COLUMNS} FROM petitioners WHERE petition_id = $1 ORDER BY id");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(petition_id).fetch_all(p).await)?,
    )
}

/// Moves the petitioners of a merged petition over to the case it joins, so that they all
/// follow it and get its answer.
pub async fn move_petitioners(tx: &mut Tx, from: i64, to: i64) -> Result<u64> {
    Ok(with_tx!(tx, conn => sqlx::query(
        "UPDATE petitioners SET petition_id = $1, joined_by_merge = TRUE WHERE petition_id = $2",
    )
    .bind(to)
    .bind(from)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Petitioners whose phone or e-mail hashes to `index` (a citizen's data request).
pub async fn petitioners_by_contact(db: &Db, index: &str) -> Result<Vec<Petitioner>> {
    let sql = format!(
        "SELECT {PETITIONER_COLUMNS} FROM petitioners WHERE contact_index = $1 ORDER BY id LIMIT 200"
    );
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(index).fetch_all(p).await)?)
}

// ---- events ----

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub petition_id: i64,
    pub at: DateTime<Utc>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub actor_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub note: Option<String>,
    pub internal: bool,
}

pub struct NewEvent<'a> {
    pub petition_id: i64,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub actor_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub note: Option<&'a str>,
    pub internal: bool,
}

pub async fn add_event(tx: &mut Tx, e: NewEvent<'_>, at: DateTime<Utc>) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO petition_events (petition_id, at, action, from_state, to_state, actor_id, organisation_id, note, internal)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.petition_id)
    .bind(at)
    .bind(e.action)
    .bind(e.from_state)
    .bind(e.to_state)
    .bind(e.actor_id)
    .bind(e.organisation_id)
    .bind(e.note)
    .bind(e.internal)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn events(db: &Db, petition_id: i64) -> Result<Vec<Event>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, petition_id, at, action, from_state, to_state, actor_id, organisation_id, note, internal
         FROM petition_events WHERE petition_id = $1 ORDER BY at, id",
    )
    .bind(petition_id)
    .fetch_all(p)
    .await)?)
}

// ---- files ----

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PetitionFile {
    pub id: i64,
    pub petition_id: i64,
    pub file_key: String,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub answer: bool,
    pub created_at: DateTime<Utc>,
}

#[allow(clippy::too_many_arguments)]
pub async fn add_file(
    tx: &mut Tx,
    petition_id: i64,
    file_key: &str,
    name: &str,
    media_type: &str,
    size: i64,
    answer: bool,
    by: Option<i64>,
) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO petition_files (petition_id, file_key, name, media_type, size, answer, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(petition_id)
    .bind(file_key)
    .bind(name)
    .bind(media_type)
    .bind(size)
    .bind(answer)
    .bind(by)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn files(db: &Db, petition_id: i64) -> Result<Vec<PetitionFile>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, petition_id, file_key, name, media_type, size, answer, created_at FROM petition_files
         WHERE petition_id = $1 ORDER BY id",
    )
    .bind(petition_id)
    .fetch_all(p)
    .await)?)
}

// ---- routing rules ----

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct RoutingRule {
    pub id: i64,
    pub topic: String,
    pub unit_id: i64,
    pub organisation_id: i64,
}

pub async fn routing_rules(db: &Db) -> Result<Vec<RoutingRule>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, topic, unit_id, organisation_id FROM routing_rules ORDER BY unit_id, topic",
    )
    .fetch_all(p)
    .await)?)
}

/// Sets the body for (unit, topic), replacing an earlier rule for the same pair.
pub async fn set_routing_rule(
    tx: &mut Tx,
    unit_id: i64,
    topic: &str,
    organisation_id: i64,
    by: Option<i64>,
) -> Result<i64> {
    Ok(with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO routing_rules (topic, unit_id, organisation_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (unit_id, topic) DO UPDATE SET organisation_id = excluded.organisation_id,
             created_by = excluded.created_by, created_at = excluded.created_at
         RETURNING id",
    )
    .bind(topic)
    .bind(unit_id)
    .bind(organisation_id)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await)?)
}

pub async fn delete_routing_rule(tx: &mut Tx, id: i64) -> Result<bool> {
    let n = with_tx!(tx, conn => sqlx::query("DELETE FROM routing_rules WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

// ---- time limits ----

#[derive(sqlx::FromRow)]
struct LimitRow {
    accept_days: i64,
    accept_working: bool,
    resolve_days: i64,
    resolve_working: bool,
    complex_days: i64,
    extension_days: i64,
    max_extensions: i64,
}

/// The province's rule for `kind`, if it set one (callers fall back on the legal default).
pub async fn time_limit(db: &Db, kind: &str) -> Result<Option<TimeLimit>> {
    let row: Option<LimitRow> = with_db!(db, p => sqlx::query_as(
        "SELECT accept_days, accept_working, resolve_days, resolve_working, complex_days, extension_days, max_extensions
         FROM time_limits WHERE kind = $1",
    )
    .bind(kind)
    .fetch_optional(p)
    .await)?;
    Ok(row.map(|r| TimeLimit {
        accept_days: r.accept_days,
        accept_working: r.accept_working,
        resolve_days: r.resolve_days,
        resolve_working: r.resolve_working,
        complex_days: r.complex_days,
        extension_days: r.extension_days,
        max_extensions: r.max_extensions,
    }))
}

pub async fn set_time_limit(tx: &mut Tx, kind: &str, t: &TimeLimit, by: Option<i64>) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO time_limits (kind, accept_days, accept_working, resolve_days, resolve_working, complex_days,
             extension_days, max_extensions, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (kind) DO UPDATE SET accept_days = excluded.accept_days, accept_working = excluded.accept_working,
             resolve_days = excluded.resolve_days, resolve_working = excluded.resolve_working,
             complex_days = excluded.complex_days, extension_days = excluded.extension_days,
             max_extensions = excluded.max_extensions, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(kind)
    .bind(t.accept_days)
    .bind(t.accept_working)
    .bind(t.resolve_days)
    .bind(t.resolve_working)
    .bind(t.complex_days)
    .bind(t.extension_days)
    .bind(t.max_extensions)
    .bind(by)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- reminders, escalations, notifications ----

/// Records that an alert of `kind` was raised for the petition's deadline `due_on`.
/// Returns false when it already was (by this server or another): the caller then sends
/// nothing, which is what makes reminders fire exactly once.
pub async fn raise_alert(
    tx: &mut Tx,
    petition_id: i64,
    kind: &str,
    due_on: NaiveDate,
) -> Result<bool> {
    let n = with_tx!(tx, conn => sqlx::query(
        "INSERT INTO petition_alerts (petition_id, kind, due_on, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (petition_id, kind, due_on) DO NOTHING",
    )
    .bind(petition_id)
    .bind(kind)
    .bind(due_on)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Open petitions whose acceptance or resolution deadline is on or before `until` and that
/// do not yet have the alert they call for on `today` (a reminder before the deadline, an
/// escalation after it), oldest deadline first, at most 5 000 per sweep. Those already
/// alerted are left out here, not after reading them: at province scale thousands of
/// petitions can be overdue, and each sweep would otherwise read the same oldest ones and
/// never reach the newer.
pub async fn due_by(db: &Db, until: NaiveDate, today: NaiveDate) -> Result<Vec<Petition>> {
    // The deadline that matters now (see `jobs::deadlines::current_deadline`).
    let (deadline, stage) = (
        "CASE WHEN p.state = 'received' AND p.accept_due < p.due_on THEN p.accept_due ELSE p.due_on END",
        "CASE WHEN p.state = 'received' THEN 'accept' ELSE 'resolve' END",
    );
    let sql = format!(
        "SELECT {COLUMNS} FROM petitions p
         WHERE ((state = 'received' AND accept_due <= $1) OR (state IN ('received', 'accepted', 'assigned') AND due_on <= $1))
           AND NOT EXISTS (SELECT 1 FROM petition_alerts a
                           WHERE a.petition_id = p.id AND a.due_on = {deadline}
                             AND a.kind = (CASE WHEN {deadline} < $2 THEN 'escalation' ELSE 'reminder' END) || ':' || {stage})
         ORDER BY due_on, id LIMIT 5000"
    );
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(until).bind(today).fetch_all(p).await)?,
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub account_id: i64,
    pub petition_id: Option<i64>,
    pub kind: String,
    pub message_vi: String,
    pub message_en: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub struct NewNotification<'a> {
    pub account_id: i64,
    pub petition_id: Option<i64>,
    pub kind: &'a str,
    pub message_vi: &'a str,
    pub message_en: &'a str,
    pub url: &'a str,
}

pub async fn notify(tx: &mut Tx, n: &NewNotification<'_>) -> Result<()> {
    notify_all(tx, std::slice::from_ref(n)).await
}

/// Several notifications in one statement (everyone told of a new case): one round trip to
/// the database instead of one each, in every submission.
pub async fn notify_all(tx: &mut Tx, all: &[NewNotification<'_>]) -> Result<()> {
    let at = now();
    // 7 values a row: 1 000 rows stay well under both backends' limits on bound parameters.
    for chunk in all.chunks(1000) {
        with_tx!(tx, conn => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO notifications (account_id, petition_id, kind, message_vi, message_en, url, created_at) ",
            );
            q.push_values(chunk, |mut b, n| {
                b.push_bind(n.account_id)
                    .push_bind(n.petition_id)
                    .push_bind(n.kind.to_string())
                    .push_bind(n.message_vi.to_string())
                    .push_bind(n.message_en.to_string())
                    .push_bind(n.url.to_string())
                    .push_bind(at);
            });
            q.build().execute(&mut *conn).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn notifications(db: &Db, account_id: i64, limit: i64) -> Result<Vec<Notification>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, account_id, petition_id, kind, message_vi, message_en, url, created_at, read_at FROM notifications
         WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(p)
    .await)?)
}

pub async fn unread_count(db: &Db, account_id: i64) -> Result<i64> {
    Ok(with_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(p)
    .await)?)
}

pub async fn mark_read(db: &Db, account_id: i64) -> Result<u64> {
    Ok(with_db!(db, p => sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
    )
    .bind(now())
    .bind(account_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Drops notifications read more than `keep` ago: they are shown once and then only fill
/// the table (a million petitions leave several million notices). Unread ones stay.
pub async fn purge_read_notifications(db: &Db, keep: chrono::Duration) -> Result<u64> {
    Ok(with_db!(db, p => sqlx::query(
        "DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < $1",
    )
    .bind(now() - keep)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Accounts holding `role` with a grant on one of `units` (and, when given, for `organisation`),
/// not disabled: (id, e-mail-less user name). Used to find whom to remind or escalate to.
pub async fn holders(
    db: &Db,
    role: &str,
    units: &[i64],
    organisation: Option<i64>,
) -> Result<Vec<i64>> {
    let org = organisation
        .map(|o| format!(" AND g.organisation_id = {o}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT DISTINCT g.account_id FROM role_grants g JOIN accounts a ON a.id = g.account_id
         WHERE g.role = $1 AND a.is_disabled = FALSE AND g.unit_id IN ({}){org} ORDER BY g.account_id",
        ids(units)
    );
    Ok(
        with_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(role).fetch_all(p).await)?,
    )
}

// ---- statistics and the public record ----

/// Per body: received, answered, answered on time, open and overdue on `today`, rated,
/// satisfied. Merged petitions count with the case they joined, so they are left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyStats {
    pub organisation_id: Option<i64>,
    pub received: i64,
    pub answered: i64,
    pub on_time: i64,
    pub overdue: i64,
    pub rated: i64,
    pub satisfied: i64,
}

/// The figures per body and per unit (as recorded: a pre-2025 commune is its own row), summed
/// from the per (unit, body, year) figures that the dashboards read too.
pub async fn stats(db: &Db, today: NaiveDate) -> Result<(Vec<BodyStats>, Vec<BodyStats>)> {
    let rows = crate::statistics::petitions(db, today, None).await?;
    let by_body = sum_by(&rows, |c| c.organisation_id);
    let by_unit = sum_by(&rows, |c| Some(c.unit_id));
    Ok((by_body, by_unit))
}

/// Sums the figures of the rows with the same key (`BodyStats::organisation_id` holds it),
/// in key order. The dashboards sum their own selection of rows with it.
pub fn sum_by<'a>(
    rows: impl IntoIterator<Item = &'a crate::statistics::PetitionCount>,
    key: impl Fn(&crate::statistics::PetitionCount) -> Option<i64>,
) -> Vec<BodyStats> {
    let mut sums: std::collections::BTreeMap<Option<i64>, BodyStats> = Default::default();
    for c in rows {
        let k = key(c);
        let s = sums.entry(k).or_insert(BodyStats {
            organisation_id: k,
            received: 0,
            answered: 0,
            on_time: 0,
            overdue: 0,
            rated: 0,
            satisfied: 0,
        });
        s.received += c.received;
        s.answered += c.answered;
        s.on_time += c.on_time;
        s.overdue += c.overdue;
        s.rated += c.rated;
        s.satisfied += c.satisfied;
    }
    sums.into_values().collect()
}

/// Published answers whose folded title, content or answer contains the folded query as whole
/// syllables, newest first.
pub async fn public_answers(
    db: &Db,
    folded_query: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Petition>, i64)> {
    let cleaned = folded_query.replace(['%', '_', '\\'], "");
    let pattern = if cleaned.trim().is_empty() {
        "%".to_string()
    } else {
        format!("% {} %", cleaned.trim())
    };
    let filter = "public_answer IS NOT NULL AND (' ' || folded || ' ') LIKE $1";
    let sql = format!(
        "SELECT {COLUMNS} FROM petitions WHERE {filter} ORDER BY answered_at DESC, id DESC LIMIT $2 OFFSET $3"
    );
    let count_sql = format!("SELECT COUNT(*) FROM petitions WHERE {filter}");
    let rows: Vec<Petition> = with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&pattern).bind(limit).bind(offset).fetch_all(p).await)?;
    let total: i64 = with_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
        .bind(&pattern).fetch_one(p).await)?;
    Ok((rows, total))
}

// ---- Open311 keys ----

pub async fn add_open311_key(
    tx: &mut Tx,
    name: &str,
    key_hash: &str,
    by: Option<i64>,
) -> Result<i64> {
    Ok(with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO open311_keys (name, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(key_hash)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await)?)
}

/// The id and name of the live key with this hash.
pub async fn open311_key(db: &Db, key_hash: &str) -> Result<Option<(i64, String)>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, name FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(key_hash)
    .fetch_optional(p)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Open311Key {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn open311_keys(db: &Db) -> Result<Vec<Open311Key>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, name, created_at, revoked_at FROM open311_keys ORDER BY id",
    )
    .fetch_all(p)
    .await)?)
}

pub async fn revoke_open311_key(tx: &mut Tx, id: i64) -> Result<bool> {
    let n = with_tx!(tx, conn => sqlx::query(
        "UPDATE open311_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Handlers of a body: (account id, display name), for the assignment list.
pub async fn handlers_of(db: &Db, organisation_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT DISTINCT a.id, a.display_name FROM role_grants g JOIN accounts a ON a.id = g.account_id
         WHERE g.role = 'handler' AND g.organisation_id = $1 AND a.is_disabled = FALSE ORDER BY a.display_name, a.id",
    )
    .bind(organisation_id)
    .fetch_all(p)
    .await)?)
}

/// Who must act on a petition now: its assigned handler, else every handler of its body
/// (nobody while it has no body).
pub async fn responsible(db: &Db, p: &Petition) -> Result<Vec<i64>> {
    Ok(match (p.handler_id, p.organisation_id) {
        (Some(h), _) => vec![h],
        (None, Some(org)) => handlers_of(db, org)
            .await?
            .into_iter()
            .map(|(a, _)| a)
            .collect(),
        (None, None) => Vec::new(),
    })
}

/// E-mail addresses of accounts that have one: (account id, address).
pub async fn account_emails(db: &Db, accounts: &[i64]) -> Result<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT id, email FROM accounts WHERE email IS NOT NULL AND email <> '' AND id IN ({}) ORDER BY id",
        ids(accounts)
    );
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

pub async fn set_account_email(tx: &mut Tx, account_id: i64, email: Option<&str>) -> Result<()> {
    with_tx!(tx, conn => sqlx::query("UPDATE accounts SET email = $1 WHERE id = $2")
        .bind(email)
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Raises the escalation level by one (the sweep, after it recorded the escalation alert).
pub async fn bump_escalation(tx: &mut Tx, id: i64) -> Result<()> {
    with_tx!(tx, conn => sqlx::query(
        "UPDATE petitions SET escalation_level = escalation_level + 1, updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
