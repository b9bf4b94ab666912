use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::{GrantOut, grant_out};
use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, AppError, ErrorBody};
use crate::service::{self, accounts::NewAccount};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    id: i64,
    username: String,
    display_name: String,
    is_disabled: bool,
    is_locked: bool,
    grants: Vec<GrantOut>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedAccount {
    #[serde(flatten)]
    account: AccountOut,
    /// The generated initial password, when none was given (shown only here).
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

async fn out(
    state: &AppState,
    a: danvan_storage::accounts::Account,
) -> Result<AccountOut, AppError> {
    let tree = state.tree();
    let grants = danvan_storage::accounts::grants(&state.db, a.id).await?;
    Ok(AccountOut {
        id: a.id,
        is_locked: a.is_locked(crate::now()),
        username: a.username,
        display_name: a.display_name,
        is_disabled: a.is_disabled,
        grants: grants.iter().map(|g| grant_out(&tree, g)).collect(),
    })
}

/// All accounts (province administrator).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = [AccountOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<AccountOut>>, AppError> {
    let p = caller.require()?;
    let tree = state.tree();
    let rows = service::accounts::list(&state, p).await?;
    Ok(ApiJson(
        rows.into_iter()
            .map(|(a, grants)| AccountOut {
                id: a.id,
                is_locked: a.is_locked(crate::now()),
                username: a.username,
                display_name: a.display_name,
                is_disabled: a.is_disabled,
                grants: grants.iter().map(|g| grant_out(&tree, g)).collect(),
            })
            .collect(),
    ))
}

/// Create an account with one role grant (province administrator, inside their scope).
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", security(("bearer" = [])), request_body = NewAccount,
    responses((status = 201, body = CreatedAccount), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewAccount>,
) -> Result<(StatusCode, ApiJson<CreatedAccount>), AppError> {
    let p = caller.require()?;
    let (account, password) = service::accounts::create(&state, p, &req).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(CreatedAccount {
            account: out(&state, account).await?,
            password,
        }),
    ))
}

/// Disable an account: its sessions end and its tokens are revoked.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AccountOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<AccountOut>, AppError> {
    let p = caller.require()?;
    let a = service::accounts::set_disabled(&state, p, id, true).await?;
    Ok(ApiJson(out(&state, a).await?))
}

/// Enable a disabled account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AccountOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<AccountOut>, AppError> {
    let p = caller.require()?;
    let a = service::accounts::set_disabled(&state, p, id, false).await?;
    Ok(ApiJson(out(&state, a).await?))
}
