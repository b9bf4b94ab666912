use axum::extract::State;
use danvan_domain::policy::{Action, authorize};
use danvan_storage::audit::{AuditEntry, Verification};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, AppError, ErrorBody};
use crate::export::FormatQuery;
use crate::state::AppState;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct AuditQuery {
    actor: String,
    action: String,
    entity_type: String,
    /// YYYY-MM-DD
    from: String,
    /// YYYY-MM-DD, inclusive
    to: String,
    page: Option<u32>,
    /// Entries per page, at most 500.
    per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    total: i64,
    #[schema(value_type = Vec<Object>)]
    entries: Vec<AuditEntry>,
}

/// Browse the audit trail, newest first (province administrator). With `format=xlsx|csv`:
/// every matching entry (not one page) as a spreadsheet.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery, FormatQuery),
    responses((status = 200, body = AuditPage, description = "JSON, or the spreadsheet file with `format`"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
    ApiQuery(format): ApiQuery<FormatQuery>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let p = caller.require()?;
    authorize(p, Action::ViewAudit, None, &state.tree())?;
    let filter = crate::pages::audit_filter(&q.actor, &q.action, &q.entity_type, &q.from, &q.to)?;
    if format.parse()?.is_some() {
        let f = crate::export::filters(raw.as_deref());
        let kind = crate::export::ExportKind::Audit;
        return crate::export::respond(&state, Some(p), kind, f, &format, false).await;
    }
    let per_page = i64::from(q.per_page.unwrap_or(50).clamp(1, 500));
    let page = i64::from(q.page.unwrap_or(1).clamp(1, 1_000_000));
    let (entries, total) =
        danvan_storage::audit::list(&state.db, &filter, per_page, (page - 1) * per_page).await?;
    Ok(ApiJson(AuditPage { total, entries }).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct VerifyOut {
    intact: bool,
    entries: i64,
    broken_at: Option<i64>,
    reason: Option<String>,
}

/// Walk the hash chain and report whether it is intact.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = VerifyOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<VerifyOut>, AppError> {
    let p = caller.require()?;
    authorize(p, Action::ViewAudit, None, &state.tree())?;
    let Verification { entries, broken_at } = danvan_storage::audit::verify(&state.db).await?;
    Ok(ApiJson(VerifyOut {
        intact: broken_at.is_none(),
        entries,
        broken_at: broken_at.as_ref().map(|b| b.0),
        reason: broken_at.map(|b| b.1),
    }))
}
