//! Campaigns, initiatives, reports and evidence in the API.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use danvan_domain::movement::State as InitiativeState;
use danvan_storage::movement::campaigns::Campaign;
use danvan_storage::movement::initiatives::{self, Filter, Initiative};
use danvan_storage::movement::reports::{self, Evidence, Report};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, SignedIn};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::export::FormatQuery;
use crate::service::campaigns::CampaignInput;
use crate::service::initiatives::{self as svc, InitiativeInput, ReportInput};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct CampaignOut {
    id: i64,
    year: i64,
    title: String,
    title_groups: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    fields: serde_json::Value,
    registration_opens: NaiveDate,
    registration_closes: NaiveDate,
    midyear_review: NaiveDate,
    yearend_review: NaiveDate,
    #[schema(value_type = Object)]
    rubric: serde_json::Value,
    commendation_quota: i64,
    commune_councils: bool,
}

fn campaign_out(c: Campaign) -> CampaignOut {
    CampaignOut {
        id: c.id,
        year: c.year,
        title: c.title,
        title_groups: c.title_groups,
        fields: serde_json::to_value(&c.fields).unwrap_or_default(),
        registration_opens: c.registration_opens,
        registration_closes: c.registration_closes,
        midyear_review: c.midyear_review,
        yearend_review: c.yearend_review,
        rubric: serde_json::to_value(&c.rubric).unwrap_or_default(),
        commendation_quota: c.commendation_quota,
        commune_councils: c.commune_councils,
    }
}

/// Launch a campaign (province administrator).
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "movement", security(("bearer" = [])), request_body = CampaignInput,
    responses((status = 201, body = CampaignOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Result<(StatusCode, ApiJson<CampaignOut>), AppError> {
    let p = caller.require()?;
    let c = crate::service::campaigns::create(&state, p, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(campaign_out(c))))
}

/// All campaigns, newest first (public).
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "movement", responses((status = 200, body = [CampaignOut])))]
pub async fn list_campaigns(
    State(state): State<AppState>,
) -> Result<ApiJson<Vec<CampaignOut>>, AppError> {
    let all = danvan_storage::movement::campaigns::list(&state.db).await?;
    Ok(ApiJson(all.into_iter().map(campaign_out).collect()))
}

/// One campaign (public).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "movement", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignOut), (status = 404, body = ErrorBody)))]
pub async fn show_campaign(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<CampaignOut>, AppError> {
    let c = danvan_storage::movement::campaigns::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ApiJson(campaign_out(c)))
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorOut {
    id: i64,
    kind: String,
    name: String,
    unit: String,
    target: f64,
    /// Latest verified cumulative value.
    achieved: f64,
}

#[derive(Serialize, ToSchema)]
pub struct InitiativeOut {
    id: i64,
    campaign_id: i64,
    source_id: Option<i64>,
    title: String,
    title_group: String,
    field: String,
    sub_theme: Option<String>,
    unit_code: String,
    unit_name: String,
    organisation_id: Option<i64>,
    registrant_kind: String,
    registrant_name: String,
    summary: String,
    goals: String,
    partners: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    state: String,
    /// Send it back with edits; a stale version is refused with 409 `edit_conflict`.
    version: i64,
    /// The model's page.
    url: String,
    indicators: Vec<IndicatorOut>,
}

/// The JSON of one model, with indicators and their verified results.
pub async fn initiative_out(state: &AppState, i: Initiative) -> Result<InitiativeOut, AppError> {
    let tree = state.tree();
    let unit = tree.get(i.unit_id);
    let achieved = svc::latest_verified(state, i.id).await?;
    let indicators = initiatives::indicators(&state.db, i.id)
        .await?
        .into_iter()
        .map(|ind| {
            let kind = danvan_domain::movement::IndicatorKind::parse(&ind.kind);
            IndicatorOut {
                id: ind.id,
                name: ind
                    .custom_name
                    .clone()
                    .unwrap_or_else(|| kind.map(|k| k.label_vi()).unwrap_or("").to_string()),
                unit: ind
                    .custom_unit
                    .clone()
                    .unwrap_or_else(|| kind.map(|k| k.unit_vi()).unwrap_or("").to_string()),
                achieved: achieved
                    .iter()
                    .find(|(id, _)| *id == ind.id)
                    .map(|(_, v)| *v)
                    .unwrap_or(0.0),
                kind: ind.kind,
                target: ind.target,
            }
        })
        .collect();
    Ok(InitiativeOut {
        url: format!("/mo-hinh/{}", i.id),
        unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        id: i.id,
        campaign_id: i.campaign_id,
        source_id: i.source_id,
        title: i.title,
        title_group: i.title_group,
        field: i.field,
        sub_theme: i.sub_theme,
        organisation_id: i.organisation_id,
        registrant_kind: i.registrant_kind,
        registrant_name: i.registrant_name,
        summary: i.summary,
        goals: i.goals,
        partners: i.partners,
        starts_on: i.starts_on,
        ends_on: i.ends_on,
        state: i.state,
        version: i.version,
        indicators,
    })
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct RegisterInput {
    #[serde(flatten)]
    #[schema(inline)]
    initiative: InitiativeInput,
    /// Submit for approval at once (default: keep as draft).
    submit: bool,
}

/// Register a model for the caller's organisation (a draft, or submitted with `submit`).
/// With `source_id` it is a replication of that published model.
#[utoipa::path(post, path = "/api/v1/initiatives", tag = "movement", security(("bearer" = [])), request_body = InitiativeInput,
    responses((status = 201, body = InitiativeOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_initiative(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<(StatusCode, ApiJson<InitiativeOut>), AppError> {
    let p = caller.require()?;
    let i = svc::register(&state, p, &input.initiative, input.submit).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(initiative_out(&state, i).await?),
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ListQuery {
    campaign_id: Option<i64>,
    year: Option<i64>,
    field: Option<String>,
    /// A unit code: its whole subtree, old units included.
    unit: Option<String>,
    state: Option<String>,
    organisation_id: Option<i64>,
    /// Replications of this model.
    source_id: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl ListQuery {
    /// The storage filter of these parameters (shared with the spreadsheet export).
    pub fn filter(
        &self,
        state: &AppState,
    ) -> Result<danvan_storage::movement::initiatives::Filter, AppError> {
        let mut f = filter_from(
            state,
            self.campaign_id,
            self.year,
            self.field.as_deref(),
            self.unit.as_deref(),
            self.state.as_deref(),
        )?;
        f.organisation_id = self.organisation_id;
        f.source_id = self.source_id;
        Ok(f)
    }
}

#[derive(Serialize, ToSchema)]
pub struct InitiativePage {
    total: i64,
    items: Vec<InitiativeOut>,
}

/// Build a storage filter from list parameters (shared with the showcase page).
pub fn filter_from(
    state: &AppState,
    campaign_id: Option<i64>,
    year: Option<i64>,
    field: Option<&str>,
    unit: Option<&str>,
    st: Option<&str>,
) -> Result<Filter, AppError> {
    let mut f = Filter {
        campaign_id,
        year,
        ..Default::default()
    };
    if let Some(field) = field.map(str::trim).filter(|s| !s.is_empty()) {
        danvan_domain::movement::Field::parse(field).ok_or_else(|| {
            AppError::invalid(danvan_domain::FieldError::new(
                "field",
                "unknown_field",
                "Lĩnh vực không hợp lệ.",
                "Unknown field.",
            ))
        })?;
        f.field = Some(field.to_string());
    }
    if let Some(code) = unit.map(str::trim).filter(|s| !s.is_empty()) {
        let u = crate::service::resolve_unit(state, "unit", code)?;
        let mut ids: Vec<i64> = state.tree().subtree(u.id).into_iter().collect();
        ids.sort_unstable();
        f.units = ids;
    }
    if let Some(s) = st.map(str::trim).filter(|s| !s.is_empty()) {
        InitiativeState::parse(s).ok_or_else(|| {
            AppError::invalid(danvan_domain::FieldError::new(
                "state",
                "unknown_state",
                "Trạng thái không hợp lệ.",
                "Unknown state.",
            ))
        })?;
        f.states = vec![s.to_string()];
    }
    Ok(f)
}

/// Models: published ones for everybody, and unpublished ones in the caller's scope. With
/// `format=xlsx|csv`: every matching model (not one page) as a spreadsheet.
#[utoipa::path(get, path = "/api/v1/initiatives", tag = "movement", params(ListQuery, FormatQuery),
    responses((status = 200, body = InitiativePage, description = "JSON, or the spreadsheet file with `format`"), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_initiatives(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
    ApiQuery(format): ApiQuery<FormatQuery>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    if format.parse()?.is_some() {
        let f = crate::export::filters(raw.as_deref());
        return crate::export::respond(
            &state,
            caller.principal.as_ref(),
            crate::export::ExportKind::Initiatives,
            f,
            &format,
            false,
        )
        .await;
    }
    let f = q.filter(&state)?;
    let per_page = i64::from(q.per_page.unwrap_or(20).clamp(1, 200));
    let page = i64::from(q.page.unwrap_or(1).clamp(1, 100_000));
    let (rows, total) = svc::list(
        &state,
        caller.principal.as_ref(),
        f,
        per_page,
        (page - 1) * per_page,
    )
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for i in rows {
        items.push(initiative_out(&state, i).await?);
    }
    Ok(ApiJson(InitiativePage { total, items }).into_response())
}

/// One model (published, or in the caller's scope).
#[utoipa::path(get, path = "/api/v1/initiatives/{id}", tag = "movement", params(("id" = i64, Path)),
    responses((status = 200, body = InitiativeOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show_initiative(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<InitiativeOut>, AppError> {
    let i = svc::get(&state, caller.principal.as_ref(), id).await?;
    Ok(ApiJson(initiative_out(&state, i).await?))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct UpdateInput {
    /// The version read before editing.
    version: i64,
    #[serde(flatten)]
    #[schema(inline)]
    initiative: InitiativeInput,
}

/// Edit a draft or returned registration. A save based on an old version answers 409 `edit_conflict`.
#[utoipa::path(put, path = "/api/v1/initiatives/{id}", tag = "movement", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UpdateInput,
    responses((status = 200, body = InitiativeOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_initiative(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<UpdateInput>,
) -> Result<ApiJson<InitiativeOut>, AppError> {
    let p = caller.require()?;
    let i = svc::update(&state, p, id, input.version, &input.initiative).await?;
    Ok(ApiJson(initiative_out(&state, i).await?))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct TransitionInput {
    /// submit, approve, return, reject, withdraw, complete
    action: String,
    /// Required for return and reject.
    comment: Option<String>,
}

/// Move a model through its lifecycle. An illegal move answers 409 `illegal_transition` and changes nothing.
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/transitions", tag = "movement", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TransitionInput,
    responses((status = 200, body = InitiativeOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> Result<ApiJson<InitiativeOut>, AppError> {
    let p = caller.require()?;
    let i = svc::transition(&state, p, id, &input.action, input.comment.as_deref()).await?;
    Ok(ApiJson(initiative_out(&state, i).await?))
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    report: Report,
    #[schema(value_type = Vec<Object>)]
    values: Vec<reports::Value>,
}

async fn report_out(state: &AppState, r: Report) -> Result<ReportOut, AppError> {
    let values = reports::values(&state.db, r.initiative_id)
        .await?
        .into_iter()
        .filter(|v| v.report_id == r.id)
        .collect();
    Ok(ReportOut { report: r, values })
}

/// File a progress report with cumulative values (the model's reporter).
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/reports", tag = "movement", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReportInput,
    responses((status = 201, body = ReportOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn file_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<(StatusCode, ApiJson<ReportOut>), AppError> {
    let p = caller.require()?;
    let r = svc::file_report(&state, p, id, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(report_out(&state, r).await?)))
}

/// A model's reports (visible with the model).
#[utoipa::path(get, path = "/api/v1/initiatives/{id}/reports", tag = "movement", params(("id" = i64, Path)),
    responses((status = 200, body = [ReportOut]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Vec<ReportOut>>, AppError> {
    let i = svc::get(&state, caller.principal.as_ref(), id).await?;
    let mut out = Vec::new();
    for r in reports::for_initiative(&state.db, i.id).await? {
        out.push(report_out(&state, r).await?);
    }
    Ok(ApiJson(out))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ReviewInput {
    /// verify or return
    action: String,
    comment: Option<String>,
}

/// Verify a report, or return it with a comment (the unit officer).
#[utoipa::path(post, path = "/api/v1/reports/{id}/review", tag = "movement", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200, body = ReportOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<ApiJson<ReportOut>, AppError> {
    let p = caller.require()?;
    let r = svc::review_report(&state, p, id, &input.action, input.comment.as_deref()).await?;
    Ok(ApiJson(report_out(&state, r).await?))
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceOut {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    evidence: Evidence,
    url: String,
    thumbnail_url: Option<String>,
}

pub fn evidence_out(e: Evidence) -> EvidenceOut {
    let url = format!("/tep/{}", e.sha256);
    let thumbnail_url = e
        .mime
        .starts_with("image/")
        .then(|| format!("/tep/{}/anh-nho", e.sha256));
    EvidenceOut {
        evidence: e,
        url,
        thumbnail_url,
    }
}

/// Read an upload's fields: `file` (bytes), `caption`, `report_id`.
pub async fn read_upload(mut form: Multipart) -> Result<(Vec<u8>, String, Option<i64>), AppError> {
    let bad = |m: String| AppError::BadRequest("invalid_multipart", m);
    let (mut bytes, mut caption, mut report_id) = (None, String::new(), None);
    while let Some(field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        match field.name().unwrap_or("") {
            "file" => {
                bytes = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| bad(e.body_text()))?
                        .to_vec(),
                )
            }
            "caption" => caption = field.text().await.map_err(|e| bad(e.body_text()))?,
            "report_id" => {
                let t = field.text().await.map_err(|e| bad(e.body_text()))?;
                if !t.trim().is_empty() {
                    report_id = Some(
                        t.trim()
                            .parse()
                            .map_err(|_| bad("report_id must be a number".into()))?,
                    );
                }
            }
            _ => {}
        }
    }
    let bytes = bytes.ok_or_else(|| {
        AppError::invalid(danvan_domain::FieldError::new(
            "file",
            "file_required",
            "Cần chọn tệp minh chứng.",
            "Choose an evidence file.",
        ))
    })?;
    Ok((bytes, caption, report_id))
}

/// Upload an evidence photo (JPEG, PNG, WebP) or PDF, at most 10 MiB, as multipart fields
/// `file`, `caption` and optionally `report_id`. Photos are re-encoded without metadata.
#[utoipa::path(post, path = "/api/v1/initiatives/{id}/evidence", tag = "movement", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = Object),
    responses((status = 201, body = EvidenceOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_evidence(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    form: Multipart,
) -> Result<(StatusCode, ApiJson<EvidenceOut>), AppError> {
    let (bytes, caption, report_id) = read_upload(form).await?;
    let e = svc::add_evidence(&state, &p, id, report_id, bytes, &caption).await?;
    Ok((StatusCode::CREATED, ApiJson(evidence_out(e))))
}

/// A model's evidence files (visible with the model).
#[utoipa::path(get, path = "/api/v1/initiatives/{id}/evidence", tag = "movement", params(("id" = i64, Path)),
    responses((status = 200, body = [EvidenceOut]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_evidence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Vec<EvidenceOut>>, AppError> {
    let i = svc::get(&state, caller.principal.as_ref(), id).await?;
    Ok(ApiJson(
        reports::evidence(&state.db, i.id)
            .await?
            .into_iter()
            .map(evidence_out)
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ResultsQuery {
    /// Unit code (default: the province as it stands on `at`).
    unit: Option<String>,
    /// YYYY-MM-DD (default today): the unit tree of that day.
    at: Option<String>,
    year: Option<i64>,
}

/// Public models and their verified results, rolled up by field and by subunit. With
/// `format=xlsx|csv`: the totals by field and indicator as a spreadsheet.
#[utoipa::path(get, path = "/api/v1/results", tag = "movement", params(ResultsQuery, FormatQuery),
    responses((status = 200, body = crate::service::results::Rollup, description = "JSON, or the spreadsheet file with `format`"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn results(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ResultsQuery>,
    ApiQuery(format): ApiQuery<FormatQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let format = format.parse()?;
    let (unit, at) = results_scope(&state, q.unit.as_deref(), q.at.as_deref())?;
    let rollup = crate::service::results::rollup(&state, &unit, at, q.year).await?;
    if let Some(format) = format {
        let table = crate::export::results(&rollup, at);
        return crate::export::download(&state, &table, format, "kết-quả");
    }
    Ok(ApiJson(rollup).into_response())
}

/// The unit code and date of a results view: defaults to the province today.
pub fn results_scope(
    state: &AppState,
    unit: Option<&str>,
    at: Option<&str>,
) -> Result<(String, NaiveDate), AppError> {
    let at = match at.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => danvan_domain::validate::date("at", s)?,
        None => chrono::Local::now().date_naive(),
    };
    let unit = match unit.map(str::trim).filter(|s| !s.is_empty()) {
        Some(u) => u.to_string(),
        None => state
            .tree()
            .root_at(at)
            .map(|u| u.code.clone())
            .ok_or(AppError::NotFound)?,
    };
    Ok((unit, at))
}
