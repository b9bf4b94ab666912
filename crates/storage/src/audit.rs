//! The audit trail: appended in the same transaction as the change it records, hash-chained.

use chrono::{DateTime, NaiveDate, Utc};
use danvan_domain::audit::{EntryContent, GENESIS, entry_hash};
use serde::Serialize;
use serde_json::Value;

use crate::bulk::Val;
use crate::{Db, Result, Tx, now, with_db, with_tx};

/// Who made a change: an account, or the system itself (CLI, demo loader, jobs).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub label: String,
}

impl Actor {
    pub fn account(id: i64, username: &str) -> Self {
        Self {
            id: Some(id),
            label: username.to_string(),
        }
    }
    pub fn system(label: &str) -> Self {
        Self {
            id: None,
            label: label.to_string(),
        }
    }
}

/// One change of state.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The audit log's columns, in the order [`write_pending`] writes an entry's values.
const COLUMNS: &[&str] = &[
    "seq",
    "at",
    "actor_id",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "before_json",
    "after_json",
    "prev_hash",
    "hash",
];

impl AuditEntry {
    /// What the entry's hash covers.
    fn content(&self) -> EntryContent<'_> {
        EntryContent {
            seq: self.seq,
            at: self.at,
            actor_id: self.actor_id,
            actor: &self.actor,
            action: &self.action,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            before: self.before_json.as_deref(),
            after: self.after_json.as_deref(),
        }
    }
}

/// Appends one entry to the transaction's changes. It is numbered and chained when the
/// transaction commits ([`write_pending`]): only then is the chain's head locked, so a long
/// transaction (an import of 20 000 rows) holds up other audited writes for the length of
/// its commit, not of its work. A transaction dropped without commit leaves no entry.
pub async fn append(tx: &mut Tx, actor: &Actor, change: Change<'_>) -> Result<()> {
    // Numbered and chained at commit.
    tx.audit_pending.push(AuditEntry {
        seq: 0,
        at: now(),
        actor_id: actor.id,
        actor: actor.label.clone(),
        action: change.action.to_string(),
        entity_type: change.entity_type.to_string(),
        entity_id: change.entity_id,
        before_json: change.before.map(|v| v.to_string()),
        after_json: change.after.map(|v| v.to_string()),
        prev_hash: String::new(),
        hash: String::new(),
    });
    Ok(())
}

/// Numbers and chains the entries a transaction appended, inserts them in multi-row
/// statements and moves the head (called by [`Tx::commit`]). Bumping the head row takes its
/// lock (a row lock on PostgreSQL; SQLite's write lock is held already) until the commit,
/// so concurrent transactions, from any server, form one chain.
pub(crate) async fn write_pending(tx: &mut Tx) -> Result<()> {
    let pending = std::mem::take(&mut tx.audit_pending);
    if pending.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(pending.len()).unwrap_or(i64::MAX);
    // RETURNING gives the new seq and the hash not yet moved: the chain's previous end.
    let (last, mut prev): (i64, String) = with_tx!(tx, c => sqlx::query_as(
        "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash"
    )
    .bind(n)
    .fetch_one(&mut *c)
    .await)?;
    let mut rows = Vec::with_capacity(pending.len());
    for (seq, mut e) in (last - n + 1..).zip(pending) {
        e.seq = seq;
        e.hash = entry_hash(&prev, &e.content());
        e.prev_hash = std::mem::replace(&mut prev, e.hash.clone());
        rows.push(vec![
            Val::Int(e.seq),
            Val::At(e.at),
            Val::OptInt(e.actor_id),
            Val::Text(e.actor),
            Val::Text(e.action),
            Val::Text(e.entity_type),
            Val::Text(e.entity_id),
            Val::OptText(e.before_json),
            Val::OptText(e.after_json),
            Val::Text(e.prev_hash),
            Val::Text(e.hash),
        ]);
    }
    crate::bulk::insert(tx, "audit_log", COLUMNS, &rows).await?;
    with_tx!(tx, c => sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Filters of the audit browser.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// A page of entries, newest first, and the total that matches.
pub async fn list(
    db: &Db,
    f: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditEntry>, i64)> {
    with_db!(db, p => {
        let mut out = (Vec::new(), 0);
        for count in [true, false] {
            let mut q = sqlx::QueryBuilder::new(if count {
                "SELECT COUNT(*) FROM audit_log WHERE 1 = 1"
            } else {
                "SELECT seq, at, actor_id, actor, action, entity_type, entity_id, before_json, after_json, prev_hash, hash
                 FROM audit_log WHERE 1 = 1"
            });
            if let Some(a) = &f.actor {
                q.push(" AND actor = ").push_bind(a.clone());
            }
            if let Some(a) = &f.action {
                q.push(" AND action = ").push_bind(a.clone());
            }
            if let Some(t) = &f.entity_type {
                q.push(" AND entity_type = ").push_bind(t.clone());
            }
            if let Some(t) = &f.entity_id {
                q.push(" AND entity_id = ").push_bind(t.clone());
            }
            if let Some(d) = f.from {
                q.push(" AND at >= ").push_bind(day_start(d));
            }
            if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
                q.push(" AND at < ").push_bind(day_start(d));
            }
            if count {
                out.1 = q.build_query_scalar::<i64>().fetch_one(p).await?;
            } else {
                q.push(" ORDER BY seq DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
                out.0 = q.build_query_as::<AuditEntry>().fetch_all(p).await?;
            }
        }
        Ok(out)
    })
}

/// The distinct actions recorded so far, for the filter's choices.
pub async fn actions(db: &Db) -> Result<Vec<String>> {
    Ok(
        with_db!(db, p => sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action").fetch_all(p).await)?,
    )
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub entries: i64,
    /// The first sequence number at which the chain breaks, and why.
    pub broken_at: Option<(i64, String)>,
}

/// Walks the chain from the first entry, recomputing every hash, in pages so that memory
/// stays flat on a long trail.
pub async fn verify(db: &Db) -> Result<Verification> {
    const PAGE: i64 = 5000;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut entries = 0;
    loop {
        let page: Vec<AuditEntry> = with_db!(db, p => sqlx::query_as(
            "SELECT seq, at, actor_id, actor, action, entity_type, entity_id, before_json, after_json, prev_hash, hash
             FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(expected_seq)
        .bind(PAGE)
        .fetch_all(p)
        .await)?;
        let n = page.len() as i64;
        for e in page {
            let broken = |why: &str| {
                Ok(Verification {
                    entries,
                    broken_at: Some((e.seq, why.to_string())),
                })
            };
            if e.seq != expected_seq {
                let why = format!("entry {expected_seq} is missing");
                return Ok(Verification {
                    entries,
                    broken_at: Some((expected_seq, why)),
                });
            }
            if e.prev_hash != prev {
                return broken("previous hash does not match");
            }
            if entry_hash(&prev, &e.content()) != e.hash {
                return broken("content does not match its hash");
            }
            prev = e.hash;
            expected_seq += 1;
            entries += 1;
        }
        if n < PAGE {
            break;
        }
    }
    let (head_seq, head_hash): (i64, String) = with_db!(db, p => sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(p).await)?;
    if head_seq != entries || head_hash != prev {
        return Ok(Verification {
            entries,
            broken_at: Some((
                entries + 1,
                format!("the head records {head_seq} entries: the latest entries were removed"),
            )),
        });
    }
    Ok(Verification {
        entries,
        broken_at: None,
    })
}
