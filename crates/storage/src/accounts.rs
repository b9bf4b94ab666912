//! Accounts, their role grants, sessions and API tokens.

use chrono::{DateTime, Duration, Utc};
use danvan_domain::role::{Grant, Role};
use danvan_domain::secret::{random_token, token_hash};
use serde::Serialize;

use crate::{Db, Result, StoreError, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub is_disabled: bool,
    pub is_demo: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

impl Account {
    pub fn is_locked(&self, at: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|u| u > at)
    }
}

const ACCOUNT_COLUMNS: &str = "id, username, display_name, password_hash, is_disabled, is_demo, failed_logins, locked_until, created_at, password_changed_at";

#[derive(sqlx::FromRow)]
struct GrantRow {
    role: String,
    unit_id: i64,
    organisation_id: Option<i64>,
}

pub async fn create(
    tx: &mut Tx,
    username: &str,
    display_name: &str,
    password_hash: &str,
    is_demo: bool,
) -> Result<i64> {
    let at = now();
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO accounts (username, display_name, password_hash, is_demo, created_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(password_hash)
    .bind(is_demo)
    .bind(at)
    .fetch_one(&mut *c)
    .await)
    .map_err(|e| StoreError::from_write(e, "username_taken"))
}

pub async fn add_grant(tx: &mut Tx, account_id: i64, g: &Grant) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO role_grants (account_id, role, unit_id, organisation_id, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(account_id)
    .bind(g.role.code())
    .bind(g.unit_id)
    .bind(g.organisation_id)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(p).await)?,
    )
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

/// All accounts, ordered by user name.
pub async fn list(db: &Db) -> Result<Vec<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY username");
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

pub async fn grants(db: &Db, account_id: i64) -> Result<Vec<Grant>> {
    let rows: Vec<GrantRow> = with_db!(db, p => sqlx::query_as(
        "SELECT role, unit_id, organisation_id FROM role_grants WHERE account_id = $1 ORDER BY id"
    )
    .bind(account_id)
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Role::parse(&r.role).map(|role| Grant {
                role,
                unit_id: r.unit_id,
                organisation_id: r.organisation_id,
            })
        })
        .collect())
}

/// Every grant of every account, for the accounts page.
pub async fn all_grants(db: &Db) -> Result<Vec<(i64, Grant)>> {
    let rows: Vec<(i64, String, i64, Option<i64>)> = with_db!(db, p => sqlx::query_as(
        "SELECT account_id, role, unit_id, organisation_id FROM role_grants ORDER BY account_id, id"
    )
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, role, unit_id, organisation_id)| {
            Role::parse(&role).map(|role| {
                (
                    a,
                    Grant {
                        role,
                        unit_id,
                        organisation_id,
                    },
                )
            })
        })
        .collect())
}

/// Counts a failed sign-in; after `lock_after` consecutive failures the account is locked
/// for `lock_for`. Returns whether the account is now locked.
pub async fn record_failed_login(
    tx: &mut Tx,
    id: i64,
    lock_after: i64,
    lock_for: Duration,
) -> Result<bool> {
    let at = now();
    let failed: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?;
    if failed >= lock_after {
        with_tx!(tx, c => sqlx::query("UPDATE accounts SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(at + lock_for)
            .bind(id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        return Ok(true);
    }
    Ok(false)
}

pub async fn record_successful_login(tx: &mut Tx, id: i64) -> Result<()> {
    with_tx!(tx, c => sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, id: i64, password_hash: &str) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE accounts SET password_hash = $1, password_changed_at = $2, failed_logins = 0, locked_until = NULL WHERE id = $3"
    )
    .bind(password_hash)
    .bind(now())
    .bind(id)
    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Disabling an account also ends its sessions and revokes its tokens.
pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> Result<()> {
    with_tx!(tx, c => {
        sqlx::query("UPDATE accounts SET is_disabled = $1 WHERE id = $2").bind(disabled).bind(id).execute(&mut *c).await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(id).execute(&mut *c).await?;
            sqlx::query("DELETE FROM api_tokens WHERE account_id = $1").bind(id).execute(&mut *c).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

pub async fn demo_accounts(db: &Db) -> Result<Vec<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE is_demo = $1 ORDER BY id");
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(true).fetch_all(p).await)?)
}

/// A session as seen by the request that presents its cookie.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub account: Account,
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
}

/// Starts a session; returns the secret for the cookie (only its hash is stored).
pub async fn create_session(tx: &mut Tx, account_id: i64, ttl: Duration) -> Result<String> {
    let token = random_token();
    let at = now();
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO sessions (id, account_id, csrf_token, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)"
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(random_token())
    .bind(at)
    .bind(at + ttl)
    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    csrf_token: String,
    last_seen_at: DateTime<Utc>,
    account_id: i64,
}

/// The live session for a cookie secret, if any (not expired, account enabled).
pub async fn session(db: &Db, token: &str) -> Result<Option<SessionInfo>> {
    let row: Option<SessionRow> = with_db!(db, p => sqlx::query_as(
        "SELECT csrf_token, last_seen_at, account_id FROM sessions WHERE id = $1 AND expires_at > $2"
    )
    .bind(token_hash(token))
    .bind(now())
    .fetch_optional(p)
    .await)?;
    let Some(row) = row else { return Ok(None) };
    let Some(account) = by_id(db, row.account_id).await? else {
        return Ok(None);
    };
    if account.is_disabled {
        return Ok(None);
    }
    Ok(Some(SessionInfo {
        account,
        csrf_token: row.csrf_token,
        last_seen_at: row.last_seen_at,
    }))
}

/// Slides the session's expiry forward (called at most every few minutes per session).
pub async fn touch_session(db: &Db, token: &str, ttl: Duration) -> Result<()> {
    let at = now();
    with_db!(db, p => sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
        .bind(at)
        .bind(at + ttl)
        .bind(token_hash(token))
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_session(db: &Db, token: &str) -> Result<()> {
    with_db!(db, p => sqlx::query("DELETE FROM sessions WHERE id = $1").bind(token_hash(token)).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of an account except the one presenting `keep` (after a password change).
pub async fn delete_other_sessions(tx: &mut Tx, account_id: i64, keep: Option<&str>) -> Result<()> {
    let keep = keep.map(token_hash).unwrap_or_default();
    with_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
        .bind(account_id)
        .bind(keep)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Issues an API bearer token; returns the secret (only its hash is stored).
pub async fn create_api_token(
    tx: &mut Tx,
    account_id: i64,
    ttl: Duration,
) -> Result<(String, DateTime<Utc>)> {
    let token = random_token();
    let at = now();
    let expires = at + ttl;
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO api_tokens (id, account_id, created_at, expires_at, last_used_at) VALUES ($1, $2, $3, $4, $3)"
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(at)
    .bind(expires)
    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok((token, expires))
}

/// The enabled account behind a live bearer token.
pub async fn api_token_account(db: &Db, token: &str) -> Result<Option<Account>> {
    let account_id: Option<i64> = with_db!(db, p => sqlx::query_scalar(
        "SELECT account_id FROM api_tokens WHERE id = $1 AND expires_at > $2"
    )
    .bind(token_hash(token))
    .bind(now())
    .fetch_optional(p)
    .await)?;
    let Some(id) = account_id else {
        return Ok(None);
    };
    Ok(by_id(db, id).await?.filter(|a| !a.is_disabled))
}

pub async fn delete_api_token(db: &Db, token: &str) -> Result<bool> {
    let n = with_db!(db, p => sqlx::query("DELETE FROM api_tokens WHERE id = $1").bind(token_hash(token)).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Removes expired sessions and tokens; returns how many rows went.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let at = now();
    let a = with_db!(db, p => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(at).execute(p).await.map(|r| r.rows_affected()))?;
    let b = with_db!(db, p => sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1").bind(at).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(a + b)
}

/// Counts for the administrator's dashboard: accounts, disabled, locked now.
pub async fn counts(db: &Db) -> Result<(i64, i64, i64)> {
    let at = now();
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*),
                COALESCE(SUM(CASE WHEN is_disabled THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN locked_until > $1 THEN 1 ELSE 0 END), 0)
         FROM accounts"
    )
    .bind(at)
    .fetch_one(p)
    .await)?)
}
