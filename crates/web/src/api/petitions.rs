//! Petitions: public intake and tracking, the staff workflow, rules, statistics.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use danvan_domain::petition::{Kind, State as PetitionState};
use danvan_storage::petitions::{self as store, Petition};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::export::FormatQuery;
use crate::service::petitions::{
    self as svc, ActionInput, Contact, FeedbackInput, ListQuery, PublicPetition, RuleInput,
    Similar, Source, StatsRow, SubmitInput, TimeLimitInput,
};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct ReceiptOut {
    pub id: i64,
    /// Keep it: it is the only way to follow the petition.
    pub tracking_code: String,
    pub state: String,
    /// The latest day by which the petition must be answered (before acceptance: assuming
    /// acceptance on the last allowed day).
    pub due_date: NaiveDate,
    /// The day by which it must be accepted or declined.
    pub accept_due: NaiveDate,
    pub tracking_url: String,
    /// Staff only: open petitions about the same commune that read alike.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similar: Option<Vec<Similar>>,
}

/// Submit a petition. Anyone may, without an account (rate-limited per address; `consent`
/// is required). Signed-in officers record petitions from other channels (`channel`,
/// `received_on`) and see likely duplicates.
#[utoipa::path(post, path = "/api/v1/petitions", tag = "petitions", request_body = SubmitInput,
    responses((status = 201, body = ReceiptOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<SubmitInput>,
) -> Result<(StatusCode, ApiJson<ReceiptOut>), AppError> {
    let source = match &caller.principal {
        Some(p) => Source::Staff(p),
        None => {
            svc::check_submission_rate(&state, caller.ip).await?;
            Source::Public
        }
    };
    let staff = caller.principal.is_some();
    let done = svc::submit(&state, source, &input, Vec::new()).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(ReceiptOut {
            id: done.id,
            tracking_url: format!("/kien-nghi/{}", done.tracking_code),
            tracking_code: done.tracking_code,
            state: PetitionState::Received.code().to_string(),
            due_date: done.due_on,
            accept_due: done.accept_due,
            similar: staff.then_some(done.similar),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PetitionOut {
    pub id: i64,
    pub tracking_code: String,
    pub kind: String,
    pub field: String,
    pub unit_code: String,
    pub unit_name: String,
    pub channel: String,
    pub received_on: NaiveDate,
    pub title: String,
    pub content: String,
    pub state: String,
    pub organisation_id: Option<i64>,
    pub body_name: Option<String>,
    pub handler_id: Option<i64>,
    /// A transfer awaiting that body's acknowledgement.
    pub transfer_to: Option<i64>,
    pub accept_due: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub due_date: NaiveDate,
    pub overdue: bool,
    pub complex: bool,
    pub extensions: i64,
    pub merged_into: Option<i64>,
    pub reopened: bool,
    pub answer: Option<String>,
    pub public_answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub rating: Option<String>,
    pub escalation_level: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub address_string: Option<String>,
    /// Pass it back in `actions` to refuse the step if someone changed the petition meanwhile.
    pub version: i64,
}

pub async fn petition_out(state: &AppState, p: Petition) -> Result<PetitionOut, AppError> {
    let names = svc::body_names(&state.db, p.organisation_id.as_slice()).await?;
    Ok(petition_out_named(state, p, &names))
}

/// The JSON of a petition, with its body's name taken from `names` (see `svc::body_names`).
fn petition_out_named(
    state: &AppState,
    p: Petition,
    names: &std::collections::HashMap<i64, String>,
) -> PetitionOut {
    let tree = state.tree();
    let unit = tree.get(p.unit_id);
    let body_name = p.organisation_id.and_then(|o| names.get(&o).cloned());
    PetitionOut {
        overdue: p.is_overdue(state.clock.today()),
        id: p.id,
        tracking_code: p.tracking_code,
        kind: p.kind,
        field: p.topic,
        unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        channel: p.channel,
        received_on: p.received_on,
        title: p.title,
        content: p.content,
        state: p.state,
        organisation_id: p.organisation_id,
        body_name,
        handler_id: p.handler_id,
        transfer_to: p.transfer_to,
        accept_due: p.accept_due,
        accepted_on: p.accepted_on,
        due_date: p.due_on,
        complex: p.complex,
        extensions: p.extensions,
        merged_into: p.merged_into,
        reopened: p.reopened,
        answer: p.answer,
        public_answer: p.public_answer,
        answered_on: p.answered_on,
        rating: p.rating,
        escalation_level: p.escalation_level,
        latitude: p.latitude,
        longitude: p.longitude,
        address_string: p.address_string,
        version: p.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PetitionPage {
    pub total: i64,
    pub page: i64,
    pub items: Vec<PetitionOut>,
}

/// The caller's queue, the most urgent first (staff). With `format=xlsx|csv`: the whole
/// queue (every page) as a spreadsheet, without petitioners' data or petition texts.
#[utoipa::path(get, path = "/api/v1/petitions", tag = "petitions", security(("bearer" = [])), params(ListQuery, FormatQuery),
    responses((status = 200, body = PetitionPage, description = "JSON, or the spreadsheet file with `format`"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
    ApiQuery(format): ApiQuery<FormatQuery>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let who = caller.require()?;
    if format.parse()?.is_some() {
        let f = crate::export::filters(raw.as_deref());
        let kind = crate::export::ExportKind::Petitions;
        return crate::export::respond(&state, Some(who), kind, f, &format, false).await;
    }
    let (rows, total) = svc::list(&state, who, &q).await?;
    // One lookup per body on the page, not one per petition.
    let names = svc::body_names(
        &state.db,
        &rows
            .iter()
            .filter_map(|p| p.organisation_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|p| petition_out_named(&state, p, &names))
        .collect();
    Ok(ApiJson(PetitionPage {
        total,
        page: q.page.unwrap_or(1).max(1),
        items,
    })
    .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub actor_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub note: Option<String>,
    pub internal: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PetitionDetail {
    #[serde(flatten)]
    pub petition: PetitionOut,
    pub events: Vec<EventOut>,
    pub files: Vec<FileOut>,
    pub similar: Vec<Similar>,
}

#[derive(Serialize, ToSchema)]
pub struct FileOut {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    /// Attached to the answer by the body (else sent with the petition).
    pub answer: bool,
    pub url: String,
}

/// One petition. With a tracking code (`KN-…`): what the public sees — state, history, due
/// date and answer, never personal data. With a numeric id: the full case, for staff in scope.
#[utoipa::path(get, path = "/api/v1/petitions/{key}", tag = "petitions", params(("key" = String, Path, description = "tracking code, or id (staff)")),
    responses((status = 200, body = PublicPetition), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    if let Ok(id) = key.parse::<i64>() {
        let who = caller.require()?;
        let p = svc::get(&state, who, id).await?;
        return Ok(ApiJson(detail(&state, p).await?).into_response());
    }
    svc::check_lookup_rate(&state, caller.ip).await?;
    Ok(ApiJson(svc::public_view(&state, &key, caller.vi()).await?).into_response())
}

pub async fn detail(state: &AppState, p: Petition) -> Result<PetitionDetail, AppError> {
    let events = store::events(&state.db, p.id)
        .await?
        .into_iter()
        .map(|e| EventOut {
            at: e.at,
            action: e.action,
            from_state: e.from_state,
            to_state: e.to_state,
            actor_id: e.actor_id,
            organisation_id: e.organisation_id,
            note: e.note,
            internal: e.internal,
        })
        .collect();
    let files = store::files(&state.db, p.id)
        .await?
        .into_iter()
        .map(|f| FileOut {
            url: format!("/xu-ly/{}/tep/{}", p.id, f.id),
            id: f.id,
            name: f.name,
            media_type: f.media_type,
            size: f.size,
            answer: f.answer,
        })
        .collect();
    let similar = if PetitionState::parse(&p.state).is_some_and(PetitionState::is_open) {
        svc::similar_open(
            state,
            p.unit_id,
            &danvan_domain::fold::Likeness::of(&p.folded),
            Some(p.id),
        )
        .await?
    } else {
        Vec::new()
    };
    Ok(PetitionDetail {
        petition: petition_out(state, p).await?,
        events,
        files,
        similar,
    })
}

/// One step of the workflow: accept, decline (reason), assign (handler_id), answer (answer,
/// publish, public_answer), close, transfer (organisation_id, reason), acknowledge (by the
/// receiving body), extend (denunciations, reason), mark_complex (reason), merge (into).
#[utoipa::path(post, path = "/api/v1/petitions/{key}/actions", tag = "petitions", security(("bearer" = [])), params(("key" = i64, Path, description = "petition id")),
    request_body = ActionInput,
    responses((status = 200, body = PetitionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ActionInput>,
) -> Result<ApiJson<PetitionOut>, AppError> {
    let who = caller.require()?;
    let p = svc::act(&state, who, id, &input).await?;
    Ok(ApiJson(petition_out(&state, p).await?))
}

#[derive(Serialize, ToSchema)]
pub struct PetitionerOut {
    #[serde(flatten)]
    pub contact: Contact,
    pub consent_at: chrono::DateTime<chrono::Utc>,
    pub consent_version: String,
    pub joined_by_merge: bool,
}

/// The petitioners' contact details. Every call is written to the audit trail; for a
/// denunciation only the assigned handler and the province admin may call it.
#[utoipa::path(get, path = "/api/v1/petitions/{key}/petitioners", tag = "petitions", security(("bearer" = [])), params(("key" = i64, Path, description = "petition id")),
    responses((status = 200, body = [PetitionerOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn petitioners(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Vec<PetitionerOut>>, AppError> {
    let who = caller.require()?;
    let rows = svc::reveal_petitioners(&state, who, id).await?;
    Ok(ApiJson(
        rows.into_iter()
            .map(|(contact, pe)| PetitionerOut {
                contact,
                consent_at: pe.consent_at,
                consent_version: pe.consent_version,
                joined_by_merge: pe.joined_by_merge,
            })
            .collect(),
    ))
}

/// The citizen rates the answer (`rate`, `satisfied`) or reopens the case once (`reopen`,
/// `reason`), by the tracking code.
#[utoipa::path(post, path = "/api/v1/petitions/{key}/feedback", tag = "petitions", params(("key" = String, Path, description = "tracking code")),
    request_body = FeedbackInput,
    responses((status = 200, body = PublicPetition), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<FeedbackInput>,
) -> Result<ApiJson<PublicPetition>, AppError> {
    svc::check_lookup_rate(&state, caller.ip).await?;
    let p = svc::citizen_feedback(&state, &code, &input).await?;
    Ok(ApiJson(
        svc::public_view(&state, &p.tracking_code, caller.vi()).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct StatsOut {
    pub by_body: Vec<StatsRow>,
    pub by_unit: Vec<StatsRow>,
}

/// Received, answered on time, overdue and satisfaction per body and per unit (public).
#[utoipa::path(get, path = "/api/v1/petition-stats", tag = "petitions",
    responses((status = 200, body = StatsOut)))]
pub async fn stats(State(state): State<AppState>) -> Result<ApiJson<StatsOut>, AppError> {
    let (by_body, by_unit) = svc::stats(&state).await?;
    Ok(ApiJson(StatsOut { by_body, by_unit }))
}

#[derive(Deserialize, IntoParams)]
pub struct AnswersQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

/// A published answer. The tracking code is left out on purpose: it is the citizen's key to
/// the private answer, the rating and reopening.
#[derive(Serialize, ToSchema)]
pub struct PublicAnswer {
    pub kind: String,
    pub field: String,
    pub unit_name: String,
    pub title: String,
    pub answer: String,
    pub answered_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswersOut {
    pub total: i64,
    pub items: Vec<PublicAnswer>,
}

/// The public record: answers the bodies published, personal data removed. `q` is matched
/// without regard to diacritics, case or tone placement.
#[utoipa::path(get, path = "/api/v1/petition-answers", tag = "petitions", params(AnswersQuery),
    responses((status = 200, body = AnswersOut)))]
pub async fn answers(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AnswersQuery>,
) -> Result<ApiJson<AnswersOut>, AppError> {
    let (rows, total) = svc::public_answers(&state, &q.q, q.page.unwrap_or(1)).await?;
    Ok(ApiJson(AnswersOut {
        total,
        items: rows.into_iter().map(|p| public_answer(&state, p)).collect(),
    }))
}

pub fn public_answer(state: &AppState, p: Petition) -> PublicAnswer {
    let tree = state.tree();
    PublicAnswer {
        unit_name: tree
            .get(p.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        kind: p.kind,
        field: p.topic,
        title: p.title,
        answer: p.public_answer.unwrap_or_default(),
        answered_on: p.answered_on,
    }
}

#[derive(Serialize, ToSchema)]
pub struct RuleOut {
    pub id: i64,
    pub field: String,
    pub unit_code: String,
    pub organisation_id: i64,
}

/// Routing rules: (unit, field) → the body responsible ("*": any field). Province admin.
#[utoipa::path(get, path = "/api/v1/routing-rules", tag = "petitions", security(("bearer" = [])),
    responses((status = 200, body = [RuleOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_rules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<RuleOut>>, AppError> {
    let who = caller.require()?;
    danvan_domain::policy::authorize(
        who,
        danvan_domain::policy::Action::ViewPetition,
        None,
        &state.tree(),
    )?;
    let tree = state.tree();
    Ok(ApiJson(
        store::routing_rules(&state.db)
            .await?
            .into_iter()
            .map(|r| RuleOut {
                id: r.id,
                field: r.topic,
                unit_code: tree
                    .get(r.unit_id)
                    .map(|u| u.code.clone())
                    .unwrap_or_default(),
                organisation_id: r.organisation_id,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct IdOut {
    pub id: i64,
}

/// Set the body for a (unit, field); replaces an earlier rule for the same pair.
#[utoipa::path(post, path = "/api/v1/routing-rules", tag = "petitions", security(("bearer" = [])), request_body = RuleInput,
    responses((status = 201, body = IdOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RuleInput>,
) -> Result<(StatusCode, ApiJson<IdOut>), AppError> {
    let who = caller.require()?;
    let id = svc::set_rule(&state, who, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(IdOut { id })))
}

#[utoipa::path(delete, path = "/api/v1/routing-rules/{id}", tag = "petitions", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    let who = caller.require()?;
    svc::delete_rule(&state, who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TimeLimitOut {
    pub kind: String,
    pub accept_days: i64,
    pub accept_working: bool,
    pub resolve_days: i64,
    pub resolve_working: bool,
    pub complex_days: i64,
    pub extension_days: i64,
    pub max_extensions: i64,
}

/// The time limits per kind in force (the province's, else the legal defaults). Public.
#[utoipa::path(get, path = "/api/v1/time-limits", tag = "petitions",
    responses((status = 200, body = [TimeLimitOut])))]
pub async fn time_limits(
    State(state): State<AppState>,
) -> Result<ApiJson<Vec<TimeLimitOut>>, AppError> {
    let mut out = Vec::new();
    for k in Kind::ALL {
        let t = svc::time_limit(&state.db, *k).await?;
        out.push(TimeLimitOut {
            kind: k.code().into(),
            accept_days: t.accept_days,
            accept_working: t.accept_working,
            resolve_days: t.resolve_days,
            resolve_working: t.resolve_working,
            complex_days: t.complex_days,
            extension_days: t.extension_days,
            max_extensions: t.max_extensions,
        });
    }
    Ok(ApiJson(out))
}

/// Change the time limits of one kind (province admin; audited). Applies to petitions
/// received from now on.
#[utoipa::path(put, path = "/api/v1/time-limits", tag = "petitions", security(("bearer" = [])), request_body = TimeLimitInput,
    responses((status = 200, body = TimeLimitOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_time_limit(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<TimeLimitInput>,
) -> Result<ApiJson<TimeLimitOut>, AppError> {
    let who = caller.require()?;
    let t = svc::set_time_limit(&state, who, &input).await?;
    Ok(ApiJson(TimeLimitOut {
        kind: input.kind.trim().into(),
        accept_days: t.accept_days,
        accept_working: t.accept_working,
        resolve_days: t.resolve_days,
        resolve_working: t.resolve_working,
        complex_days: t.complex_days,
        extension_days: t.extension_days,
        max_extensions: t.max_extensions,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    pub kind: String,
    pub message: String,
    pub url: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read: bool,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "petitions", security(("bearer" = [])),
    responses((status = 200, body = [NotificationOut]), (status = 401, body = ErrorBody)))]
pub async fn notifications(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<NotificationOut>>, AppError> {
    let who = caller.require()?;
    let vi = caller.vi();
    Ok(ApiJson(
        store::notifications(&state.db, who.account_id, 100)
            .await?
            .into_iter()
            .map(|n| NotificationOut {
                id: n.id,
                kind: n.kind,
                message: if vi { n.message_vi } else { n.message_en },
                url: n.url,
                created_at: n.created_at,
                read: n.read_at.is_some(),
            })
            .collect(),
    ))
}

/// Mark all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "petitions", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn read_notifications(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, AppError> {
    let who = caller.require()?;
    store::mark_read(&state.db, who.account_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct KeyInput {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct KeyOut {
    pub id: i64,
    /// Shown once; only its hash is kept.
    pub api_key: String,
}

/// Issue an Open311 API key for a client app (province admin).
#[utoipa::path(post, path = "/api/v1/open311-keys", tag = "petitions", security(("bearer" = [])), request_body = KeyInput,
    responses((status = 201, body = KeyOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<KeyInput>,
) -> Result<(StatusCode, ApiJson<KeyOut>), AppError> {
    let who = caller.require()?;
    danvan_domain::policy::authorize(
        who,
        danvan_domain::policy::Action::ManagePetitionRules,
        None,
        &state.tree(),
    )?;
    let (id, api_key) =
        svc::add_open311_key(&state.db, &crate::service::actor(who), &input.name).await?;
    Ok((StatusCode::CREATED, ApiJson(KeyOut { id, api_key })))
}

#[derive(Deserialize, ToSchema)]
pub struct DataRequestInput {
    /// The phone number or e-mail address given with the petition.
    pub contact: String,
}

#[derive(Serialize, ToSchema)]
pub struct HeldRecord {
    pub tracking_code: String,
    #[serde(flatten)]
    pub contact: Contact,
    pub consent_at: chrono::DateTime<chrono::Utc>,
    pub consent_version: String,
}

/// What danvan holds about the caller (Personal Data Protection Law 2025): every petition
/// filed with the same phone or e-mail and the contact details kept for it. Needs a tracking
/// code and the phone or e-mail given with it; the request is logged. Rate-limited.
#[utoipa::path(post, path = "/api/v1/petitions/{key}/my-data", tag = "petitions", params(("key" = String, Path, description = "tracking code")),
    request_body = DataRequestInput,
    responses((status = 200, body = [HeldRecord]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn my_data(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<DataRequestInput>,
) -> Result<ApiJson<Vec<HeldRecord>>, AppError> {
    svc::check_lookup_rate(&state, caller.ip).await?;
    let rows = svc::data_request(&state, &code, &input.contact).await?;
    Ok(ApiJson(
        rows.into_iter()
            .map(
                |(tracking_code, contact, consent_at, consent_version)| HeldRecord {
                    tracking_code,
                    contact,
                    consent_at,
                    consent_version,
                },
            )
            .collect(),
    ))
}
