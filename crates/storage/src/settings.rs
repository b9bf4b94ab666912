//! Small key/value settings (e.g. whether the demo was loaded).

use crate::{Db, Result, Tx, with_db, with_tx};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    Ok(
        with_db!(db, p => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(p).await)?,
    )
}

pub async fn set(tx: &mut Tx, key: &str, value: &str) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    .bind(key)
    .bind(value)
    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores `value` under `key` unless a value is there already (another server may have put
/// one there a moment ago); returns the value that the database keeps.
pub async fn get_or_insert(db: &Db, key: &str, value: &str) -> Result<String> {
    with_db!(db, p => sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"
    )
    .bind(key)
    .bind(value)
    .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(get(db, key).await?.unwrap_or_else(|| value.to_string()))
}
