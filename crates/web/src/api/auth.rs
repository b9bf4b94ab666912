use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiJson, AppError, ErrorBody};
use crate::service;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// Exchange a user name and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn issue_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<ApiJson<TokenResponse>, AppError> {
    let account = service::auth::sign_in(&state, &req.username, &req.password, caller.ip).await?;
    let (token, expires_at) = service::auth::issue_token(&state, &account).await?;
    Ok(ApiJson(TokenResponse { token, expires_at }))
}

/// Revoke the bearer token that authenticates this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    caller.require()?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthenticated)?;
    danvan_storage::accounts::delete_api_token(&state.db, token.trim()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    pub role: String,
    pub unit_code: String,
    pub unit_name: String,
    pub organisation_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    id: i64,
    username: String,
    display_name: String,
    grants: Vec<GrantOut>,
}

pub fn grant_out(tree: &danvan_domain::UnitTree, g: &danvan_domain::role::Grant) -> GrantOut {
    let unit = tree.get(g.unit_id);
    GrantOut {
        role: g.role.code().to_string(),
        unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        organisation_id: g.organisation_id,
    }
}

/// The caller's account and role grants.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<ApiJson<Me>, AppError> {
    let p = caller.require()?;
    let tree = state.tree();
    Ok(ApiJson(Me {
        id: p.account_id,
        username: p.username.clone(),
        display_name: p.display_name.clone(),
        grants: p.grants.iter().map(|g| grant_out(&tree, g)).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Change the caller's password; their page sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, AppError> {
    let p = caller.require()?;
    service::auth::change_password(&state, p, &req.current_password, &req.new_password, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
