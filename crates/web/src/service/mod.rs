//! Use cases shared by pages and the API: each validates its input, asks the policy, and
//! writes its change together with the audit entry in one transaction.

pub mod accounts;
pub mod auth;
pub mod calendar;
pub mod campaigns;
pub mod care;
pub mod commendations;
pub mod councils;
pub mod dashboard;
pub mod imports;
pub mod initiatives;
pub mod organisations;
pub mod petitions;
pub mod results;
pub mod search;
pub mod stories;

use danvan_domain::FieldError;
use danvan_domain::policy::Principal;
use danvan_domain::unit::Unit;
use danvan_storage::audit::Actor;

use crate::state::AppState;

pub fn actor(p: &Principal) -> Actor {
    Actor::account(p.account_id, &p.username)
}

/// Resolves a unit code as it stands today, or, for a unit that no longer exists, its last
/// version (records and scopes made before the 2025 reform keep their old units).
pub fn resolve_unit(state: &AppState, field: &'static str, code: &str) -> Result<Unit, FieldError> {
    let tree = state.tree();
    let code = code.trim();
    let today = chrono::Local::now().date_naive();
    tree.by_code_at(code, today)
        .or_else(|| tree.by_code_latest(code))
        .cloned()
        .ok_or_else(|| {
            FieldError::new(
                field,
                "unknown_unit",
                format!("Không có đơn vị hành chính mã “{code}”."),
                format!("There is no administrative unit with code “{code}”."),
            )
        })
}

/// Checks and stores an uploaded file (type by content, size, pixels; photos re-encoded
/// without metadata); a refused file is a field error on `file`.
pub async fn store_file(
    state: &AppState,
    bytes: Vec<u8>,
) -> Result<danvan_files::StoredFile, crate::error::AppError> {
    use crate::error::AppError;
    let files = state.files.clone();
    tokio::task::spawn_blocking(move || files.store(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| match e {
            danvan_files::FileError::Io(io) => AppError::Internal(io.to_string()),
            other => AppError::invalid(FieldError::new(
                "file",
                other.code(),
                other.message_vi(),
                other.message_en(),
            )),
        })
}
