use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::export::FormatQuery;
use crate::service::{self, organisations::NewOrganisation};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct OrganisationOut {
    id: i64,
    name: String,
    kind: String,
    unit_code: String,
    unit_name: String,
}

fn out(state: &AppState, o: danvan_storage::organisations::Organisation) -> OrganisationOut {
    let tree = state.tree();
    let unit = tree.get(o.unit_id);
    OrganisationOut {
        id: o.id,
        name: o.name,
        kind: o.kind,
        unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
    }
}

/// Organisations in the caller's scope (`format=xlsx|csv`: as a spreadsheet).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", security(("bearer" = [])), params(FormatQuery),
    responses((status = 200, body = [OrganisationOut], description = "JSON, or the spreadsheet file with `format`"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(format): ApiQuery<FormatQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let p = caller.require()?;
    if format.parse()?.is_some() {
        let kind = crate::export::ExportKind::Organisations;
        return crate::export::respond(&state, Some(p), kind, Default::default(), &format, false)
            .await;
    }
    let orgs = service::organisations::list(&state, p).await?;
    Ok(ApiJson(orgs.into_iter().map(|o| out(&state, o)).collect::<Vec<_>>()).into_response())
}

/// Add an organisation to a unit in the caller's scope.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", security(("bearer" = [])), request_body = NewOrganisation,
    responses((status = 201, body = OrganisationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewOrganisation>,
) -> Result<(StatusCode, ApiJson<OrganisationOut>), AppError> {
    let p = caller.require()?;
    let org = service::organisations::create(&state, p, &req).await?;
    Ok((StatusCode::CREATED, ApiJson(out(&state, org))))
}

/// One organisation, if it is in the caller's scope.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrganisationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<OrganisationOut>, AppError> {
    let p = caller.require()?;
    let org = service::organisations::get(&state, p, id).await?;
    Ok(ApiJson(out(&state, org)))
}
