//! Councils, scoring, commendation decisions and the honour roll in the API.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use axum::response::{IntoResponse, Response};

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::export::{ExportKind, ExportOut, FormatQuery};
use crate::service::commendations::{
    self as commend, DecisionOut, DraftInput, HonourEntry, IssueInput,
};
use crate::service::councils::{self as svc, CouncilInput, CouncilView};
use crate::state::AppState;

/// Form a council for a campaign (province administrator).
#[utoipa::path(post, path = "/api/v1/councils", tag = "councils", security(("bearer" = [])), request_body = CouncilInput,
    responses((status = 201, body = CouncilView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CouncilInput>,
) -> Result<(StatusCode, ApiJson<CouncilView>), AppError> {
    let p = caller.require()?;
    let c = svc::create(&state, p, &input).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(svc::view(&state, p, c.id).await?),
    ))
}

/// A council with the tally of each model (count, mean, spread, disagreement, classification,
/// rank). A member sees a model's tally and the others' points only after scoring it. With
/// `format=xlsx|csv`: the scores as the caller sees them (a row per model and member).
#[utoipa::path(get, path = "/api/v1/councils/{id}", tag = "councils", security(("bearer" = [])), params(("id" = i64, Path), FormatQuery),
    responses((status = 200, body = CouncilView, description = "JSON, or the spreadsheet file with `format`"), (status = 202, body = ExportOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(format): ApiQuery<FormatQuery>,
) -> Result<Response, AppError> {
    let p = caller.require()?;
    if format.parse()?.is_some() {
        let f = [("council".to_string(), id.to_string())].into();
        return crate::export::respond(&state, Some(p), ExportKind::Scores, f, &format, false)
            .await;
    }
    Ok(ApiJson(svc::view(&state, p, id).await?).into_response())
}

/// A council in the list.
#[derive(Serialize, ToSchema)]
pub struct CouncilSummary {
    id: i64,
    campaign_id: i64,
    name: String,
    level: String,
    unit_code: String,
    unit_name: String,
    /// open or closed
    state: String,
    created_at: chrono::DateTime<chrono::Utc>,
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The council's page.
    url: String,
}

/// The councils the caller may open: every council in scope for overseers (province
/// administrator, supervisors), one's own for members. With `format=xlsx|csv`: the scores of
/// all of them, as each council shows them to the caller.
#[utoipa::path(get, path = "/api/v1/councils", tag = "councils", security(("bearer" = [])), params(FormatQuery),
    responses((status = 200, body = [CouncilSummary], description = "JSON, or the spreadsheet file with `format`"), (status = 202, body = ExportOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(format): ApiQuery<FormatQuery>,
) -> Result<Response, AppError> {
    let p = caller.require()?;
    if format.parse()?.is_some() {
        let kind = ExportKind::Scores;
        return crate::export::respond(&state, Some(p), kind, Default::default(), &format, false)
            .await;
    }
    let tree = state.tree();
    let out: Vec<CouncilSummary> = svc::list_for(&state, p)
        .await?
        .into_iter()
        .map(|c| {
            let unit = tree.get(c.unit_id);
            CouncilSummary {
                url: format!("/hoi-dong/{}", c.id),
                id: c.id,
                campaign_id: c.campaign_id,
                name: c.name,
                level: c.level,
                unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
                unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
                state: c.state,
                created_at: c.created_at,
                closed_at: c.closed_at,
            }
        })
        .collect();
    Ok(ApiJson(out).into_response())
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct MemberInput {
    /// An account holding the council_member role.
    account_id: i64,
}

/// Seat a council member (province administrator). Recusals are recorded at once.
#[utoipa::path(post, path = "/api/v1/councils/{id}/members", tag = "councils", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MemberInput,
    responses((status = 200, body = CouncilView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MemberInput>,
) -> Result<ApiJson<CouncilView>, AppError> {
    let p = caller.require()?;
    svc::add_member(&state, p, id, input.account_id).await?;
    Ok(ApiJson(svc::view(&state, p, id).await?))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct AssignmentInput {
    /// A registered, reporting or completed model of the council's campaign and unit.
    initiative_id: i64,
}

/// Assign a model to the council (province administrator).
#[utoipa::path(post, path = "/api/v1/councils/{id}/assignments", tag = "councils", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AssignmentInput,
    responses((status = 200, body = CouncilView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AssignmentInput>,
) -> Result<ApiJson<CouncilView>, AppError> {
    let p = caller.require()?;
    svc::assign(&state, p, id, input.initiative_id).await?;
    Ok(ApiJson(svc::view(&state, p, id).await?))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ScoreInput {
    initiative_id: i64,
    /// Points per criterion key of the campaign's rubric, each within 0..=max_points.
    points: BTreeMap<String, f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ScoreOut {
    initiative_id: i64,
    /// The member's total out of 100.
    total: f64,
}

/// Score an assigned model (a member of the council). A member of the model's organisation,
/// or who registered it, is refused with 403 `recused` (recorded); out-of-range points 422
/// `score_out_of_range`; a closed round 409 `council_closed`.
#[utoipa::path(post, path = "/api/v1/councils/{id}/scores", tag = "councils", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ScoreInput,
    responses((status = 200, body = ScoreOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn score(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ScoreInput>,
) -> Result<ApiJson<ScoreOut>, AppError> {
    let p = caller.require()?;
    let total = svc::score(&state, p, id, input.initiative_id, &input.points).await?;
    Ok(ApiJson(ScoreOut {
        initiative_id: input.initiative_id,
        total,
    }))
}

/// Close the round (province administrator): scores freeze, scored models become `evaluated`.
#[utoipa::path(post, path = "/api/v1/councils/{id}/close", tag = "councils", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CouncilView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<CouncilView>, AppError> {
    let p = caller.require()?;
    svc::close(&state, p, id).await?;
    Ok(ApiJson(svc::view(&state, p, id).await?))
}

/// Draft a commendation decision: from a closed council's ranking (top models up to the
/// campaign's quota), or with explicit recipients.
#[utoipa::path(post, path = "/api/v1/decisions", tag = "councils", security(("bearer" = [])), request_body = DraftInput,
    responses((status = 201, body = DecisionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draft_decision(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<DraftInput>,
) -> Result<(StatusCode, ApiJson<DecisionOut>), AppError> {
    let p = caller.require()?;
    let d = commend::draft(&state, p, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(d)))
}

/// Record the signed decision (number, date, signer, form, recipients); it is frozen after.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/issue", tag = "councils", security(("bearer" = [])), params(("id" = i64, Path)), request_body = IssueInput,
    responses((status = 200, body = DecisionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue_decision(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<IssueInput>,
) -> Result<ApiJson<DecisionOut>, AppError> {
    let p = caller.require()?;
    Ok(ApiJson(commend::issue(&state, p, id, &input).await?))
}

/// One decision: issued decisions are public, drafts only for the province administrator.
/// With `format=xlsx|csv`: the decision with a row per recipient.
#[utoipa::path(get, path = "/api/v1/decisions/{id}", tag = "councils", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, body = DecisionOut, description = "JSON, or the spreadsheet file with `format`"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show_decision(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(format): ApiQuery<FormatQuery>,
) -> Result<Response, AppError> {
    let who = caller.principal.as_ref();
    if format.parse()?.is_some() {
        let f = [("decision".to_string(), id.to_string())].into();
        return crate::export::respond(&state, who, ExportKind::Decisions, f, &format, false).await;
    }
    Ok(ApiJson(commend::get(&state, who, id).await?).into_response())
}

/// Commendation decisions with their recipients: issued ones for everybody, drafts too for
/// the province administrator. With `format=xlsx|csv`: a row per recipient (number, date,
/// signer, form, recipient, model, classification).
#[utoipa::path(get, path = "/api/v1/decisions", tag = "councils", params(FormatQuery),
    responses((status = 200, body = [DecisionOut], description = "JSON, or the spreadsheet file with `format`"), (status = 202, body = ExportOut), (status = 422, body = ErrorBody)))]
pub async fn list_decisions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(format): ApiQuery<FormatQuery>,
) -> Result<Response, AppError> {
    let who = caller.principal.as_ref();
    if format.parse()?.is_some() {
        let kind = ExportKind::Decisions;
        return crate::export::respond(&state, who, kind, Default::default(), &format, false).await;
    }
    let mut out = Vec::new();
    for d in commend::list(&state, who).await? {
        out.push(commend::get(&state, who, d.id).await?);
    }
    Ok(ApiJson(out).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct HonourQuery {
    /// The campaign year.
    year: Option<i64>,
}

/// The honour roll (public): models commended by issued decisions, newest year first.
#[utoipa::path(get, path = "/api/v1/honour-roll", tag = "councils", params(HonourQuery),
    responses((status = 200, body = [HonourEntry]), (status = 400, body = ErrorBody)))]
pub async fn honour_roll(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<HonourQuery>,
) -> Result<ApiJson<Vec<HonourEntry>>, AppError> {
    Ok(ApiJson(commend::honour_roll(&state, q.year).await?))
}
