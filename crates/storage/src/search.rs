//! The search index (DESIGN.md §7): `search_documents` holds one row per searchable thing,
//! its text as shown and folded by [`danvan_domain::fold::fold`] — the one fold used for
//! indexing and querying. Rows are written in the same transaction as the thing they
//! describe (the writers of initiatives, organisations and petitions call this module), and
//! [`ensure`] rebuilds everything at start-up when the index is empty or its version changed.
//!
//! Matching is per backend, everything else is portable SQL: SQLite asks its FTS5 table
//! (`search_fts`, tokens = folded syllables), PostgreSQL a GIN-indexed `tsvector` of the
//! 'simple' configuration over the same folded text. Both match whole syllables, all of them.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use danvan_domain::fold::fold;
use danvan_domain::movement::State;
use unicode_normalization::UnicodeNormalization;

use crate::{Backend, Db, Result, Tx, settings, with_db, with_tx};

/// Bump when what is indexed changes, so that existing databases are re-indexed on start.
pub const INDEX_VERSION: &str = "1";
const VERSION_KEY: &str = "search.index_version";

/// The kinds of documents, as stored and as the API names them.
pub const KINDS: [&str; 5] = ["initiative", "organisation", "unit", "answer", "petition"];

/// The lower-case, composed (NFC) form used for exact-diacritic ranking: a query typed with
/// its diacritics, in either Unicode form or case, meets the text written the same way.
pub fn exact_form(s: &str) -> String {
    s.nfc().collect::<String>().to_lowercase()
}

/// One row of the index, before folding.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    kind: &'static str,
    ref_id: i64,
    title: String,
    body: String,
    url: String,
    unit_id: Option<i64>,
    organisation_id: Option<i64>,
    field: Option<String>,
    state: Option<String>,
    year: Option<i64>,
    public: bool,
    updated_at: DateTime<Utc>,
}

/// Percent-encodes a query-string value (folded text is mostly ASCII letters and spaces).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Units have no timestamps; they sort after everything dated.
fn undated() -> DateTime<Utc> {
    Utc.timestamp_opt(946_684_800, 0)
        .single()
        .unwrap_or_default()
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    code: String,
    name: String,
    valid_to: Option<NaiveDate>,
}

const UNIT_SQL: &str = "SELECT id, code, name, valid_to FROM units";

fn unit_doc(u: UnitRow) -> Doc {
    // A historic unit links to the tree as it stood on its last day.
    let url = match u.valid_to {
        Some(to) => {
            let last = to.pred_opt().unwrap_or(to);
            format!(
                "/don-vi?parent={}&at={}",
                encode(&u.code),
                last.format("%Y-%m-%d")
            )
        }
        None => format!("/don-vi?parent={}", encode(&u.code)),
    };
    Doc {
        kind: "unit",
        ref_id: u.id,
        title: u.name,
        body: u.code,
        url,
        unit_id: Some(u.id),
        organisation_id: None,
        field: None,
        state: Some(
            if u.valid_to.is_some() {
                "historic"
            } else {
                "current"
            }
            .into(),
        ),
        year: None,
        public: true,
        updated_at: undated(),
    }
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: i64,
    name: String,
    kind: String,
    unit_id: i64,
    unit_code: String,
    updated_at: DateTime<Utc>,
}

const ORG_SQL: &str = "SELECT o.id, o.name, o.kind, o.unit_id, u.code AS unit_code, o.updated_at
    FROM organisations o JOIN units u ON u.id = o.unit_id";

fn org_doc(o: OrgRow) -> Doc {
    Doc {
        kind: "organisation",
        ref_id: o.id,
        title: o.name,
        body: String::new(),
        // Organisations have no public page; their commune's models are what the public can see.
        url: format!("/mo-hinh?unit={}", encode(&o.unit_code)),
        unit_id: Some(o.unit_id),
        organisation_id: Some(o.id),
        field: Some(o.kind),
        state: None,
        year: None,
        public: true,
        updated_at: o.updated_at,
    }
}

#[derive(sqlx::FromRow)]
struct InitiativeRow {
    id: i64,
    title: String,
    summary: String,
    goals: String,
    registrant_name: String,
    field: String,
    state: String,
    unit_id: i64,
    organisation_id: Option<i64>,
    year: i64,
    updated_at: DateTime<Utc>,
}

const INITIATIVE_SQL: &str =
    "SELECT i.id, i.title, i.summary, i.goals, i.registrant_name, i.field, i.state,
        i.unit_id, i.organisation_id, c.year, i.updated_at
    FROM initiatives i JOIN campaigns c ON c.id = i.campaign_id";

fn initiative_doc(i: InitiativeRow) -> Doc {
    let public = State::parse(&i.state).is_some_and(State::is_public);
    let body = [i.summary, i.goals, i.registrant_name]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Doc {
        kind: "initiative",
        ref_id: i.id,
        title: i.title,
        body,
        url: format!("/mo-hinh/{}", i.id),
        unit_id: Some(i.unit_id),
        organisation_id: i.organisation_id,
        field: Some(i.field),
        state: Some(i.state),
        year: Some(i.year),
        public,
        updated_at: i.updated_at,
    }
}

#[derive(sqlx::FromRow)]
struct PetitionRow {
    id: i64,
    title: String,
    content: String,
    public_answer: Option<String>,
    topic: String,
    state: String,
    unit_id: i64,
    organisation_id: Option<i64>,
    received_on: NaiveDate,
    answered_on: Option<NaiveDate>,
    updated_at: DateTime<Utc>,
}

const PETITION_SQL: &str =
    "SELECT id, title, content, public_answer, topic, state, unit_id, organisation_id,
        received_on, answered_on, updated_at
    FROM petitions";

/// A petition gives a staff-only document (title and content) and, once its answer is
/// published, a public one (title and the published answer only: never the content, which
/// may hold personal data, and never the tracking code).
fn petition_docs(p: PetitionRow) -> (Doc, Option<Doc>) {
    let answer = p
        .public_answer
        .as_ref()
        .filter(|a| !a.trim().is_empty())
        .map(|a| Doc {
            kind: "answer",
            ref_id: p.id,
            title: p.title.clone(),
            body: a.clone(),
            url: format!("/kien-nghi/tra-loi?q={}", encode(&fold(&p.title))),
            unit_id: Some(p.unit_id),
            organisation_id: p.organisation_id,
            field: Some(p.topic.clone()),
            state: Some(p.state.clone()),
            year: Some(i64::from(p.answered_on.unwrap_or(p.received_on).year())),
            public: true,
            updated_at: p.updated_at,
        });
    let staff = Doc {
        kind: "petition",
        ref_id: p.id,
        title: p.title,
        body: p.content,
        url: format!("/xu-ly/{}", p.id),
        unit_id: Some(p.unit_id),
        organisation_id: p.organisation_id,
        field: Some(p.topic),
        state: Some(p.state),
        year: Some(i64::from(p.received_on.year())),
        public: false,
        updated_at: p.updated_at,
    };
    (staff, answer)
}

const DOC_COLUMNS: &str = "kind, ref_id, title, body, folded_title, folded_body, exact_text, url, unit_id, \
organisation_id, field, state, year, public, updated_at";

/// Writes the documents deferred by [`index_new_petition`] (called by [`Tx::commit`]). A
/// document written since for the same petition, by a later change of the transaction, is
/// newer and stays: deferred documents never replace a row updated after them.
pub(crate) async fn write_pending(tx: &mut Tx) -> Result<()> {
    if tx.search_pending.is_empty() {
        return Ok(());
    }
    let pending = std::mem::take(&mut tx.search_pending);
    write_rows(tx, &pending, true).await
}

/// Writes `docs` (new rows, or replacing the rows of the same kind and id).
async fn write(tx: &mut Tx, docs: &[Doc]) -> Result<()> {
    write_rows(tx, docs, false).await
}

/// `only_newer`: an existing row is replaced only by a document updated after it.
async fn write_rows(tx: &mut Tx, docs: &[Doc], only_newer: bool) -> Result<()> {
    // 15 values a row: 400 rows stay well under both backends' limits on bound parameters.
    for chunk in docs.chunks(400) {
        with_tx!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO search_documents ({DOC_COLUMNS}) "));
            q.push_values(chunk, |mut b, d| {
                b.push_bind(d.kind)
                    .push_bind(d.ref_id)
                    .push_bind(d.title.clone())
                    .push_bind(d.body.clone())
                    .push_bind(fold(&d.title))
                    .push_bind(fold(&d.body))
                    .push_bind(exact_form(&format!("{}\n{}", d.title, d.body)))
                    .push_bind(d.url.clone())
                    .push_bind(d.unit_id)
                    .push_bind(d.organisation_id)
                    .push_bind(d.field.clone())
                    .push_bind(d.state.clone())
                    .push_bind(d.year)
                    .push_bind(d.public)
                    .push_bind(d.updated_at);
            });
            q.push(
                " ON CONFLICT (kind, ref_id) DO UPDATE SET title = excluded.title, body = excluded.body,
                  folded_title = excluded.folded_title, folded_body = excluded.folded_body,
                  exact_text = excluded.exact_text, url = excluded.url, unit_id = excluded.unit_id,
                  organisation_id = excluded.organisation_id, field = excluded.field, state = excluded.state,
                  year = excluded.year, public = excluded.public, updated_at = excluded.updated_at",
            );
            if only_newer {
                q.push(" WHERE search_documents.updated_at < excluded.updated_at");
            }
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

async fn remove(tx: &mut Tx, kind: &str, ref_id: i64) -> Result<()> {
    with_tx!(tx, c => sqlx::query("DELETE FROM search_documents WHERE kind = $1 AND ref_id = $2")
        .bind(kind)
        .bind(ref_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Re-indexes one model from its row (call in the transaction that wrote it).
pub async fn index_initiative(tx: &mut Tx, id: i64) -> Result<()> {
    let sql = format!("{INITIATIVE_SQL} WHERE i.id = $1");
    let row: Option<InitiativeRow> = with_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(&mut *c).await)?;
    match row {
        Some(r) => write(tx, &[initiative_doc(r)]).await,
        None => remove(tx, "initiative", id).await,
    }
}

/// Re-indexes one organisation from its row.
pub async fn index_organisation(tx: &mut Tx, id: i64) -> Result<()> {
    let sql = format!("{ORG_SQL} WHERE o.id = $1");
    let row: Option<OrgRow> = with_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(&mut *c).await)?;
    match row {
        Some(r) => write(tx, &[org_doc(r)]).await,
        None => remove(tx, "organisation", id).await,
    }
}

/// Re-indexes one petition (and its published answer, or removes an answer withdrawn).
pub async fn index_petition(tx: &mut Tx, id: i64) -> Result<()> {
    let Some(row) = petition_row(tx, id).await? else {
        remove(tx, "petition", id).await?;
        return remove(tx, "answer", id).await;
    };
    let (staff, answer) = petition_docs(row);
    match answer {
        Some(a) => write(tx, &[staff, a]).await,
        None => {
            write(tx, &[staff]).await?;
            remove(tx, "answer", id).await
        }
    }
}

/// Indexes a petition just written, at commit ([`Tx::search_pending`]): it has no answer
/// yet, so there is none to take out.
pub async fn index_new_petition(tx: &mut Tx, id: i64) -> Result<()> {
    if let Some(row) = petition_row(tx, id).await? {
        let (staff, _) = petition_docs(row);
        tx.search_pending.push(staff);
    }
    Ok(())
}

/// Indexes a petition just received, at commit ([`Tx::search_pending`]), from the values it
/// was written with ([`crate::petitions::create`]): reading it back cost every submission a
/// round trip to the database. It has no answer yet, so there is none to take out.
pub(crate) fn index_received(
    tx: &mut Tx,
    id: i64,
    p: &crate::petitions::NewPetition,
    state: &str,
    at: DateTime<Utc>,
) {
    let (staff, _) = petition_docs(PetitionRow {
        id,
        title: p.title.clone(),
        content: p.content.clone(),
        public_answer: None,
        topic: p.topic.clone(),
        state: state.to_string(),
        unit_id: p.unit_id,
        organisation_id: p.organisation_id,
        received_on: p.received_on,
        answered_on: None,
        updated_at: at,
    });
    tx.search_pending.push(staff);
}

/// The columns of one petition that its documents are made of.
async fn petition_row(tx: &mut Tx, id: i64) -> Result<Option<PetitionRow>> {
    let sql = format!("{PETITION_SQL} WHERE id = $1");
    Ok(with_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(&mut *c).await)?)
}

/// Rows of a large table read at once by [`rebuild`].
const REBUILD_CHUNK: i64 = 20_000;

/// Empties the index and indexes every unit, organisation, model and petition again, in one
/// transaction (searches meanwhile see the old index). Returns the number of documents.
pub async fn rebuild(db: &Db) -> Result<usize> {
    rebuild_chunked(db, REBUILD_CHUNK).await
}

/// [`rebuild`], reading models and petitions `chunk` rows at a time.
pub async fn rebuild_chunked(db: &Db, chunk: i64) -> Result<usize> {
    let mut tx = db.begin().await?;
    if db.backend() == Backend::Postgres {
        // Two servers starting at once must not rebuild over each other.
        with_tx!(&mut tx, c => sqlx::query("LOCK TABLE search_documents IN EXCLUSIVE MODE")
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    with_tx!(&mut tx, c => sqlx::query("DELETE FROM search_documents")
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let mut docs: Vec<Doc> = Vec::new();
    let units: Vec<UnitRow> =
        with_tx!(&mut tx, c => sqlx::query_as(UNIT_SQL).fetch_all(&mut *c).await)?;
    docs.extend(units.into_iter().map(unit_doc));
    let orgs: Vec<OrgRow> =
        with_tx!(&mut tx, c => sqlx::query_as(ORG_SQL).fetch_all(&mut *c).await)?;
    docs.extend(orgs.into_iter().map(org_doc));
    write(&mut tx, &docs).await?;
    let mut count = docs.len();
    // Models and petitions are read a chunk at a time, so that a province's million
    // petitions are not all held in memory at once.
    let mut last = 0;
    loop {
        let sql = format!("{INITIATIVE_SQL} WHERE i.id > $1 ORDER BY i.id LIMIT $2");
        let rows: Vec<InitiativeRow> = with_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(last).bind(chunk.max(1)).fetch_all(&mut *c).await)?;
        let Some(end) = rows.last().map(|r| r.id) else {
            break;
        };
        last = end;
        let docs: Vec<Doc> = rows.into_iter().map(initiative_doc).collect();
        write(&mut tx, &docs).await?;
        count += docs.len();
    }
    let mut last = 0;
    loop {
        let sql = format!("{PETITION_SQL} WHERE id > $1 ORDER BY id LIMIT $2");
        let rows: Vec<PetitionRow> = with_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(last).bind(chunk.max(1)).fetch_all(&mut *c).await)?;
        let Some(end) = rows.last().map(|r| r.id) else {
            break;
        };
        last = end;
        let mut docs = Vec::with_capacity(rows.len() * 2);
        for p in rows {
            let (staff, answer) = petition_docs(p);
            docs.push(staff);
            docs.extend(answer);
        }
        write(&mut tx, &docs).await?;
        count += docs.len();
    }
    settings::set(&mut tx, VERSION_KEY, INDEX_VERSION).await?;
    tx.commit().await?;
    Ok(count)
}

/// Rebuilds the index when it is empty or was built by another version of the indexer, so
/// that databases created before the index (or before a change to it) become searchable.
/// Returns the number of documents indexed, `None` when the index was current.
pub async fn ensure(db: &Db) -> Result<Option<usize>> {
    let version = settings::get(db, VERSION_KEY).await?;
    // Whether there is any document, not how many: counting 1.8 million took a third of a
    // second of every start-up on PostgreSQL.
    let any: bool = with_db!(db, p => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM search_documents)").fetch_one(p).await)?;
    if version.as_deref() == Some(INDEX_VERSION) && any {
        return Ok(None);
    }
    rebuild(db).await.map(Some)
}

/// The part of the staff-only documents one grant opens: a set of units (`None`: all) and,
/// for grants bound to an organisation (reporters, handlers), only that organisation's.
#[derive(Debug, Clone, Default)]
pub struct GrantScope {
    pub units: Option<Vec<i64>>,
    pub organisation: Option<i64>,
}

/// A search, its query folded by the caller with the same `fold()` as the index.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// `fold(q)`: the syllables that must all occur.
    pub folded: String,
    /// `exact_form(q)`: hits containing it rank first.
    pub exact: String,
    /// Kinds to search (empty: all).
    pub kinds: Vec<String>,
    pub field: Option<String>,
    /// Only documents of these units (a unit's subtree).
    pub units: Option<Vec<i64>>,
    pub year: Option<i64>,
    pub state: Option<String>,
    /// Unpublished models the caller may see, grant by grant.
    pub initiative_scopes: Vec<GrantScope>,
    /// Petitions the caller may see, grant by grant (a body's grant also covers petitions
    /// being transferred to it).
    pub petition_scopes: Vec<GrantScope>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Hit {
    pub kind: String,
    pub ref_id: i64,
    pub title: String,
    pub body: String,
    pub url: String,
    /// 0: the text contains the query with its diacritics; 1: the title contains it folded;
    /// 2: the rest.
    pub tier: i32,
}

/// A hit with the number of all hits beside it.
#[derive(sqlx::FromRow)]
struct CountedHit {
    #[sqlx(flatten)]
    hit: Hit,
    total: i64,
}

fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".into()
    } else {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }
}

/// `(a) OR (b) …` over the grants; ids are integers from the policy, so inlining them is
/// safe and keeps one statement text for both backends.
fn scope_sql(scopes: &[GrantScope], unit_col: &str, org_cols: &[&str]) -> String {
    let parts: Vec<String> = scopes
        .iter()
        .map(|s| {
            let mut c = match &s.units {
                Some(u) => format!("{unit_col} IN ({})", id_list(u)),
                None => "1 = 1".into(),
            };
            if let Some(o) = s.organisation {
                let any = org_cols
                    .iter()
                    .map(|col| format!("{col} = {o}"))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                c.push_str(&format!(" AND ({any})"));
            }
            format!("({c})")
        })
        .collect();
    if parts.is_empty() {
        "1 = 0".into()
    } else {
        parts.join(" OR ")
    }
}

/// Escapes LIKE's wildcards (with `\` as the escape character).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Runs a search: a page of hits, best first, and the total number of hits.
pub async fn search(db: &Db, q: &Query) -> Result<(Vec<Hit>, i64)> {
    let syllables: Vec<&str> = q.folded.split(' ').filter(|s| !s.is_empty()).collect();
    if syllables.is_empty() {
        return Ok((Vec::new(), 0));
    }
    // The one place where the backends differ: how the folded syllables are matched.
    let (match_open, match_arg) = match db.backend() {
        Backend::Sqlite => (
            "d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ",
            // Each syllable quoted: a string, never FTS5 syntax (no operators, no columns).
            syllables
                .iter()
                .map(|s| format!("\"{}\"", s.replace('"', "")))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Backend::Postgres => (
            "to_tsvector('simple'::regconfig, d.folded_title || ' ' || d.folded_body) @@ plainto_tsquery('simple'::regconfig, ",
            syllables.join(" "),
        ),
    };
    let initiative_scope = scope_sql(&q.initiative_scopes, "d.unit_id", &["d.organisation_id"]);
    let petition_scope = scope_sql(
        &q.petition_scopes,
        "p.unit_id",
        &["p.organisation_id", "p.transfer_to"],
    );
    let visibility = format!(
        " AND (d.public = TRUE
              OR (d.kind = 'initiative' AND ({initiative_scope}))
              OR (d.kind = 'petition' AND EXISTS (SELECT 1 FROM petitions p WHERE p.id = d.ref_id AND ({petition_scope}))))"
    );
    let exact_pattern = format!("%{}%", like_escape(q.exact.trim()));
    let title_pattern = format!("% {} %", syllables.join(" "));
    let limit = q.limit.clamp(1, 50);
    let offset = q.offset.max(0);
    with_db!(db, p => {
        let mut out = (Vec::new(), 0);
        // The page carries the total (a window over every hit), so the index is searched once;
        // only a page past the end asks for the count on its own.
        for count in [false, true] {
            let mut b = sqlx::QueryBuilder::new(if count {
                "SELECT COUNT(*) FROM search_documents d WHERE "
            } else {
                "SELECT d.kind, d.ref_id, d.title, d.body, d.url, COUNT(*) OVER () AS total, CASE WHEN d.exact_text LIKE "
            });
            if !count {
                b.push_bind(exact_pattern.clone())
                    .push(" ESCAPE '\\' THEN 0 WHEN (' ' || d.folded_title || ' ') LIKE ")
                    .push_bind(title_pattern.clone())
                    .push(" THEN 1 ELSE 2 END AS tier FROM search_documents d WHERE ");
            }
            b.push(match_open).push_bind(match_arg.clone()).push(")");
            b.push(visibility.as_str());
            if !q.kinds.is_empty() {
                b.push(" AND d.kind IN (");
                let mut sep = b.separated(", ");
                for k in &q.kinds {
                    sep.push_bind(k.clone());
                }
                b.push(")");
            }
            if let Some(f) = &q.field {
                b.push(" AND d.field = ").push_bind(f.clone());
            }
            if let Some(units) = &q.units {
                b.push(format!(" AND d.unit_id IN ({})", id_list(units)));
            }
            if let Some(y) = q.year {
                b.push(" AND d.year = ").push_bind(y);
            }
            if let Some(s) = &q.state {
                b.push(" AND d.state = ").push_bind(s.clone());
            }
            if count {
                out.1 = b.build_query_scalar::<i64>().fetch_one(p).await?;
            } else {
                b.push(" ORDER BY tier, d.updated_at DESC, d.id DESC LIMIT ")
                    .push_bind(limit)
                    .push(" OFFSET ")
                    .push_bind(offset);
                let rows: Vec<CountedHit> = b.build_query_as().fetch_all(p).await?;
                out.1 = rows.first().map_or(0, |r| r.total);
                out.0 = rows.into_iter().map(|r| r.hit).collect();
                if !out.0.is_empty() || offset == 0 {
                    break;
                }
            }
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_become_sql() {
        let s = scope_sql(
            &[
                GrantScope {
                    units: Some(vec![1, 2]),
                    organisation: None,
                },
                GrantScope {
                    units: None,
                    organisation: Some(7),
                },
            ],
            "p.unit_id",
            &["p.organisation_id", "p.transfer_to"],
        );
        assert_eq!(
            s,
            "(p.unit_id IN (1,2)) OR (1 = 1 AND (p.organisation_id = 7 OR p.transfer_to = 7))"
        );
        assert_eq!(scope_sql(&[], "u", &[]), "1 = 0");
        assert_eq!(like_escape("50%_\\"), "50\\%\\_\\\\");
        assert_eq!(encode("long xuyen"), "long+xuyen");
    }
}
