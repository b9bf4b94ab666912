//! Councils and commendation pages: the councils list, one council (members, assignments,
//! tally with ranking, a scoring form per model for members), the printable minutes, the
//! commendation decision, its certificates, and the public honour roll.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use danvan_domain::movement::Field;
use danvan_domain::policy::{Action, authorize};
use danvan_domain::role::Role;
use danvan_storage::movement::{campaigns, councils, initiatives};
use serde::Deserialize;

use super::format::{date, number};
use super::movement::parse_number;
use super::{Frame, error_page, local_time, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::service::commendations::{
    self as commend, DecisionOut, DraftInput, IssueInput, PLACE, RecipientInput, RecipientOut,
};
use crate::service::councils::{self as svc, CouncilInput, CouncilView};
use crate::state::AppState;

fn label<T>(lang: Lang, vi: T, en: T) -> T {
    if lang == Lang::Vi { vi } else { en }
}

fn level_label(lang: Lang, level: &str) -> &'static str {
    match level {
        "commune" => label(lang, "Cấp xã", "Commune"),
        _ => label(lang, "Cấp tỉnh", "Province"),
    }
}

fn council_state_label(lang: Lang, s: &str) -> &'static str {
    match s {
        "closed" => label(lang, "Đã kết thúc", "Closed"),
        _ => label(lang, "Đang chấm điểm", "Scoring"),
    }
}

/// "ngày 05 tháng 02 năm 2026": day below 10 and months 1–2 with a leading zero (Nghị định
/// 30/2020/NĐ-CP, Phụ lục I).
pub fn vn_long_date(d: NaiveDate) -> String {
    let month = if d.month() < 3 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

fn ok_param(lang: Lang, ok: Option<&str>) -> Option<String> {
    ok.map(|_| i18n::t(lang, "initiative.done").to_string())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OkQuery {
    ok: Option<String>,
}

// ---------- The councils list ----------

pub struct CouncilRow {
    id: i64,
    name: String,
    level: &'static str,
    unit: String,
    campaign: String,
    state: &'static str,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CouncilForm {
    campaign_id: String,
    name: String,
    level: String,
    unit_code: String,
}

#[derive(Template)]
#[template(path = "councils.html")]
struct CouncilsPage {
    f: Frame,
    rows: Vec<CouncilRow>,
    can_create: bool,
    campaigns: Vec<(i64, String)>,
    form: CouncilForm,
    errors: Vec<(String, String)>,
}

async fn councils_page(
    state: &AppState,
    caller: &Caller,
    form: CouncilForm,
    errors: Vec<(String, String)>,
) -> Result<CouncilsPage, AppError> {
    let who = caller.require()?;
    let lang = caller.lang;
    let list = svc::list_for(state, who).await?;
    let all_campaigns = campaigns::list(&state.db).await?;
    let tree = state.tree();
    let rows = list
        .into_iter()
        .map(|c| CouncilRow {
            id: c.id,
            level: level_label(lang, &c.level),
            unit: tree
                .get(c.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            campaign: all_campaigns
                .iter()
                .find(|k| k.id == c.campaign_id)
                .map(|k| k.title.clone())
                .unwrap_or_default(),
            state: council_state_label(lang, &c.state),
            name: c.name,
        })
        .collect();
    Ok(CouncilsPage {
        f: Frame::new(state, caller, "/hoi-dong", "councils.title"),
        rows,
        can_create: authorize(who, Action::ManageCampaigns, None, &tree).is_ok(),
        campaigns: all_campaigns
            .into_iter()
            .map(|c| (c.id, format!("{} ({})", c.title, c.year)))
            .collect(),
        form,
        errors,
    })
}

pub async fn list(State(state): State<AppState>, caller: Caller) -> Response {
    let form = CouncilForm {
        level: "province".into(),
        unit_code: "91".into(),
        ..Default::default()
    };
    match councils_page(&state, &caller, form, vec![]).await {
        Ok(p) => render(p),
        Err(e) => error_page(&state, &caller, "/hoi-dong", e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<CouncilForm>,
) -> Response {
    let path = "/hoi-dong";
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return error_page(&state, &caller, path, e),
    };
    let input = CouncilInput {
        campaign_id: form.campaign_id.trim().parse().unwrap_or(0),
        name: form.name.clone(),
        level: form.level.clone(),
        unit_code: form.unit_code.clone(),
    };
    match svc::create(&state, &who, &input).await {
        Ok(c) => Redirect::to(&format!("/hoi-dong/{}?ok=1", c.id)).into_response(),
        Err(e @ AppError::Invalid(_)) => {
            let errors = super::field_errors(&e, caller.vi());
            match councils_page(&state, &caller, form, errors).await {
                Ok(p) => (StatusCode::UNPROCESSABLE_ENTITY, render(p)).into_response(),
                Err(e) => error_page(&state, &caller, path, e),
            }
        }
        Err(e) => error_page(&state, &caller, path, e),
    }
}

// ---------- One council ----------

pub struct CriterionField {
    key: String,
    name: String,
    max: String,
    value: String,
}

pub struct ModelRow {
    id: i64,
    title: String,
    registrant: String,
    unit: String,
    rank: String,
    count: String,
    mean: String,
    spread: String,
    disagreement: bool,
    classification: String,
    visible: bool,
    recused: bool,
    my_total: Option<String>,
    can_score: bool,
    fields: Vec<CriterionField>,
    scores: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "council.html")]
struct CouncilPage {
    f: Frame,
    v: CouncilView,
    state_label: &'static str,
    level_label: &'static str,
    rows: Vec<ModelRow>,
    member_options: Vec<(i64, String)>,
    model_options: Vec<(i64, String)>,
    open: bool,
    notice: Option<String>,
    error: Option<String>,
}

fn model_rows(v: &CouncilView, lang: Lang) -> Vec<ModelRow> {
    let dash = "—".to_string();
    v.models
        .iter()
        .map(|m| {
            let fields = v
                .rubric
                .criteria
                .iter()
                .map(|c| CriterionField {
                    key: c.key.clone(),
                    name: c.name.clone(),
                    max: number(c.max_points),
                    value: m
                        .my_points
                        .as_ref()
                        .and_then(|p| p.get(&c.key))
                        .map(|p| number(*p))
                        .unwrap_or_default(),
                })
                .collect();
            ModelRow {
                id: m.initiative_id,
                title: m.title.clone(),
                registrant: m.registrant_name.clone(),
                unit: m.unit_name.clone(),
                rank: m
                    .rank
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| dash.clone()),
                count: m
                    .count
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| dash.clone()),
                mean: m.mean.map(number).unwrap_or_else(|| dash.clone()),
                spread: m.spread.map(number).unwrap_or_else(|| dash.clone()),
                disagreement: m.disagreement.unwrap_or(false),
                classification: m.classification_label.clone().unwrap_or_else(|| {
                    if m.mean.is_some() {
                        label(lang, "Không xếp loại", "Unclassified").to_string()
                    } else {
                        dash.clone()
                    }
                }),
                visible: m.visible,
                recused: m.recused,
                my_total: m.my_total.map(number),
                can_score: v.is_member && v.state == councils::OPEN && !m.recused,
                fields,
                scores: m
                    .scores
                    .iter()
                    .map(|s| (s.member_name.clone(), number(s.total)))
                    .collect(),
            }
        })
        .collect()
}

async fn council_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<CouncilPage, AppError> {
    let who = caller.require()?;
    let v = svc::view(state, who, id).await?;
    let lang = caller.lang;
    let open = v.state == councils::OPEN;
    let mut member_options = Vec::new();
    let mut model_options = Vec::new();
    if v.can_manage && open {
        let grants = danvan_storage::accounts::all_grants(&state.db).await?;
        for a in danvan_storage::accounts::list(&state.db).await? {
            let eligible = !a.is_disabled
                && grants
                    .iter()
                    .any(|(id, g)| *id == a.id && g.role == Role::CouncilMember)
                && !v.members.iter().any(|m| m.account_id == a.id);
            if eligible {
                member_options.push((a.id, format!("{} ({})", a.display_name, a.username)));
            }
        }
        let states: Vec<String> = svc::ASSIGNABLE
            .iter()
            .map(|s| s.code().to_string())
            .collect();
        let (list, _) = initiatives::list(
            &state.db,
            &initiatives::Filter {
                campaign_id: Some(v.campaign_id),
                states,
                ..Default::default()
            },
            500,
            0,
        )
        .await?;
        let tree = state.tree();
        let unit = tree.by_code_latest(&v.unit_code).map(|u| u.id);
        for i in list {
            let inside = unit.is_some_and(|u| tree.contains(u, i.unit_id));
            if inside && !v.models.iter().any(|m| m.initiative_id == i.id) {
                model_options.push((i.id, i.title));
            }
        }
    }
    let mut f = Frame::new(state, caller, "/hoi-dong", "councils.title");
    f.title = v.name.clone();
    Ok(CouncilPage {
        f,
        state_label: council_state_label(lang, &v.state),
        level_label: level_label(lang, &v.level),
        rows: model_rows(&v, lang),
        member_options,
        model_options,
        open,
        notice,
        error,
        v,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
    Query(dl): Query<crate::export::FormatQuery>,
) -> Response {
    let path = format!("/hoi-dong/{id}");
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&state, &caller, &path, AppError::NotFound);
    };
    // "Tải Excel / CSV": the scores as this page shows them to the caller.
    if dl.format.is_some() {
        let file = async {
            let who = caller.require()?;
            let f = [("council".to_string(), id.to_string())].into();
            let kind = crate::export::ExportKind::Scores;
            crate::export::respond(&state, Some(who), kind, f, &dl, true).await
        }
        .await;
        return file.unwrap_or_else(|e| error_page(&state, &caller, &path, e));
    }
    match council_page(
        &state,
        &caller,
        id,
        ok_param(caller.lang, q.ok.as_deref()),
        None,
    )
    .await
    {
        Ok(p) => render(p),
        Err(e) => error_page(&state, &caller, &path, e),
    }
}

/// Re-shows the council page with the error of a refused action.
async fn refused(state: &AppState, caller: &Caller, id: i64, e: AppError) -> Response {
    let path = format!("/hoi-dong/{id}");
    if !matches!(
        e,
        AppError::Invalid(_) | AppError::Conflict(_) | AppError::Refused(_)
    ) {
        return error_page(state, caller, &path, e);
    }
    let status = e.status();
    match council_page(state, caller, id, None, Some(e.message(caller.vi()))).await {
        Ok(p) => (status, render(p)).into_response(),
        Err(e) => error_page(state, caller, &path, e),
    }
}

fn done(id: i64) -> Response {
    Redirect::to(&format!("/hoi-dong/{id}?ok=1")).into_response()
}

fn form_value(form: &[(String, String)], key: &str) -> String {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let result = match caller.require() {
        Ok(p) => {
            let account = form_value(&form, "account_id").trim().parse().unwrap_or(0);
            svc::add_member(&state, p, id, account).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(id),
        Err(e) => refused(&state, &caller, id, e).await,
    }
}

pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let result = match caller.require() {
        Ok(p) => {
            let initiative = form_value(&form, "initiative_id")
                .trim()
                .parse()
                .unwrap_or(0);
            svc::assign(&state, p, id, initiative).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(id),
        Err(e) => refused(&state, &caller, id, e).await,
    }
}

pub async fn score(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let mut points = BTreeMap::new();
    let mut bad_number = false;
    for (k, v) in &form {
        if let Some(key) = k.strip_prefix("p_") {
            match parse_number(v) {
                Some(p) => {
                    points.insert(key.to_string(), p);
                }
                None => bad_number = true,
            }
        }
    }
    let result = match caller.require() {
        Ok(_) if bad_number => Err(AppError::invalid(danvan_domain::FieldError::new(
            "points",
            "invalid_points",
            "Điểm phải là số (ví dụ 35 hoặc 17,5).",
            "Points must be numbers (e.g. 35 or 17.5).",
        ))),
        Ok(p) => {
            let initiative = form_value(&form, "initiative_id")
                .trim()
                .parse()
                .unwrap_or(0);
            svc::score(&state, p, id, initiative, &points)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(id),
        Err(e) => refused(&state, &caller, id, e).await,
    }
}

pub async fn close(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let result = match caller.require() {
        Ok(p) => svc::close(&state, p, id).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(id),
        Err(e) => refused(&state, &caller, id, e).await,
    }
}

/// Drafts a commendation proposal from the council's ranking and opens it.
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Response {
    let result = match caller.require() {
        Ok(p) => {
            commend::draft(
                &state,
                p,
                &DraftInput {
                    council_id: Some(id),
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Redirect::to(&format!("/khen-thuong/{}", d.id)).into_response(),
        Err(e) => refused(&state, &caller, id, e).await,
    }
}

// ---------- Minutes ----------

#[derive(Template)]
#[template(path = "council_minutes.html")]
struct MinutesPage {
    f: Frame,
    v: CouncilView,
    level_label: &'static str,
    session_date: String,
    draft: bool,
    rows: Vec<ModelRow>,
}

async fn minutes_page(state: &AppState, caller: &Caller, id: i64) -> Result<MinutesPage, AppError> {
    let who = caller.require()?;
    let v = svc::view(state, who, id).await?;
    let lang = caller.lang;
    let session = v
        .closed_at
        .map(|at| local_time(at).chars().take(10).collect::<String>())
        .unwrap_or_else(|| date(chrono::Local::now().date_naive()));
    let mut f = Frame::new(state, caller, "/hoi-dong", "minutes.title");
    f.title = format!("{} — {}", i18n::t(lang, "minutes.title"), v.name);
    Ok(MinutesPage {
        f,
        level_label: level_label(lang, &v.level),
        session_date: session,
        draft: v.state == councils::OPEN,
        rows: model_rows(&v, lang),
        v,
    })
}

pub async fn minutes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/hoi-dong/{id}/bien-ban");
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&state, &caller, &path, AppError::NotFound);
    };
    match minutes_page(&state, &caller, id).await {
        Ok(p) => render(p),
        Err(e) => error_page(&state, &caller, &path, e),
    }
}

// ---------- Decisions ----------

#[derive(Default, Clone)]
pub struct IssueForm {
    number: String,
    signed_on: String,
    issuing_body: String,
    signer_name: String,
    signer_title: String,
    signed_as_deputy: bool,
    form: String,
    people: String,
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    f: Frame,
    d: DecisionOut,
    signed_on: String,
    can_issue: bool,
    form: IssueForm,
    forms: Vec<&'static str>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

const FORMS: [&str; 4] = ["Giấy khen", "Bằng khen", "Cờ thi đua", "Giấy chứng nhận"];

async fn decision_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    form: Option<IssueForm>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<DecisionPage, AppError> {
    let who = caller.principal.as_ref();
    let d = commend::get(state, who, id).await?;
    let can_issue = d.state == "draft"
        && who.is_some_and(|p| authorize(p, Action::Commend, None, &state.tree()).is_ok());
    let form = form.unwrap_or_else(|| IssueForm {
        signed_on: chrono::Local::now().date_naive().to_string(),
        issuing_body: d.issuing_body.clone(),
        signer_title: "Chủ tịch".into(),
        form: d.form.clone(),
        ..Default::default()
    });
    let mut f = Frame::new(
        state,
        caller,
        &format!("/khen-thuong/{id}"),
        "decision.title",
    );
    if let Some(n) = &d.number {
        f.title = format!("{} {n}", i18n::t(caller.lang, "decision.title"));
    }
    Ok(DecisionPage {
        f,
        signed_on: d.signed_on.map(date).unwrap_or_default(),
        can_issue,
        form,
        forms: FORMS.to_vec(),
        errors,
        notice,
        d,
    })
}

pub async fn decision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
    Query(dl): Query<crate::export::FormatQuery>,
) -> Response {
    let path = format!("/khen-thuong/{id}");
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&state, &caller, &path, AppError::NotFound);
    };
    // "Tải Excel / CSV": the decision with a row per recipient.
    if dl.format.is_some() {
        let f = [("decision".to_string(), id.to_string())].into();
        let kind = crate::export::ExportKind::Decisions;
        return crate::export::respond(&state, caller.principal.as_ref(), kind, f, &dl, true)
            .await
            .unwrap_or_else(|e| error_page(&state, &caller, &path, e));
    }
    match decision_page(
        &state,
        &caller,
        id,
        None,
        vec![],
        ok_param(caller.lang, q.ok.as_deref()),
    )
    .await
    {
        Ok(p) => render(p),
        Err(e) => error_page(&state, &caller, &path, e),
    }
}

pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let path = format!("/khen-thuong/{id}");
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return error_page(&state, &caller, &path, e),
    };
    let form = IssueForm {
        number: form_value(&raw, "number"),
        signed_on: form_value(&raw, "signed_on"),
        issuing_body: form_value(&raw, "issuing_body"),
        signer_name: form_value(&raw, "signer_name"),
        signer_title: form_value(&raw, "signer_title"),
        signed_as_deputy: form_value(&raw, "signed_as_deputy") == "1",
        form: form_value(&raw, "form"),
        people: form_value(&raw, "people"),
    };
    let keep: Vec<i64> = raw
        .iter()
        .filter(|(k, _)| k == "keep")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let result = async {
        let current = commend::get(&state, Some(&who), id).await?;
        let mut recipients: Vec<RecipientInput> = current
            .recipients
            .iter()
            .filter(|r| keep.contains(&r.id))
            .map(|r| RecipientInput {
                initiative_id: r.initiative_id,
                organisation_id: r.organisation_id,
                person_name: r.person_name.clone(),
                classification: r.classification.clone(),
            })
            .collect();
        for line in form.people.lines().map(str::trim).filter(|l| !l.is_empty()) {
            recipients.push(RecipientInput {
                person_name: Some(line.to_string()),
                ..Default::default()
            });
        }
        let input = IssueInput {
            number: form.number.clone(),
            signed_on: form.signed_on.clone(),
            issuing_body: form.issuing_body.clone(),
            signer_name: form.signer_name.clone(),
            signer_title: form.signer_title.clone(),
            signed_as_deputy: form.signed_as_deputy,
            form: form.form.clone(),
            recipients: Some(recipients),
        };
        commend::issue(&state, &who, id, &input).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/khen-thuong/{id}?ok=1")).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let errors = match &e {
                AppError::Conflict(_) => vec![("number".to_string(), e.message(caller.vi()))],
                _ => super::field_errors(&e, caller.vi()),
            };
            let status = e.status();
            match decision_page(&state, &caller, id, Some(form), errors, None).await {
                Ok(p) => (status, render(p)).into_response(),
                Err(e) => error_page(&state, &caller, &path, e),
            }
        }
        Err(e) => error_page(&state, &caller, &path, e),
    }
}

// ---------- Certificates ----------

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    f: Frame,
    d: DecisionOut,
    r: RecipientOut,
    form_title: String,
    issuer_line: String,
    signer_title: String,
    signed_on: String,
    place_date: String,
}

async fn certificate_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    recipient: i64,
) -> Result<CertificatePage, AppError> {
    let d = commend::get(state, caller.principal.as_ref(), id).await?;
    if d.state != "issued" {
        return Err(AppError::NotFound);
    }
    let r = d
        .recipients
        .iter()
        .find(|r| r.id == recipient)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let signed = d
        .signed_on
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let title = d.signer_title.clone().unwrap_or_default();
    // The issuing body's chair awards: "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG".
    let issuer_line = format!("CHỦ TỊCH {}", d.issuing_body.to_uppercase());
    let mut f = Frame::new(
        state,
        caller,
        &format!("/khen-thuong/{id}"),
        "certificate.title",
    );
    f.title = format!("{} — {}", d.form, r.name);
    Ok(CertificatePage {
        f,
        form_title: d.form.to_uppercase(),
        issuer_line,
        signer_title: title.to_uppercase(),
        signed_on: date(signed),
        place_date: format!("{PLACE}, {}", vn_long_date(signed)),
        d,
        r,
    })
}

pub async fn certificate(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, recipient)): Path<(String, String)>,
) -> Response {
    let path = format!("/khen-thuong/{id}/giay-khen/{recipient}");
    let (Ok(id), Ok(recipient)) = (id.parse::<i64>(), recipient.parse::<i64>()) else {
        return error_page(&state, &caller, &path, AppError::NotFound);
    };
    match certificate_page(&state, &caller, id, recipient).await {
        Ok(p) => render(p),
        Err(e) => error_page(&state, &caller, &path, e),
    }
}

// ---------- The honour roll ----------

pub struct HonourRow {
    id: i64,
    title: String,
    registrant: String,
    unit: String,
    field: String,
    classification: String,
    decision: String,
    certificate_url: String,
}

#[derive(Template)]
#[template(path = "honour_roll.html")]
struct HonourPage {
    f: Frame,
    years: Vec<i64>,
    q_year: String,
    groups: Vec<(i64, Vec<HonourRow>)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HonourQuery {
    year: String,
}

async fn honour_page(
    state: &AppState,
    caller: &Caller,
    q: HonourQuery,
) -> Result<HonourPage, AppError> {
    let lang = caller.lang;
    let year = q.year.trim().parse::<i64>().ok();
    let all = commend::honour_roll(state, None).await?;
    let mut years: Vec<i64> = all.iter().map(|e| e.year).collect();
    years.dedup();
    let mut groups: Vec<(i64, Vec<HonourRow>)> = Vec::new();
    for e in all.into_iter().filter(|e| year.is_none_or(|y| y == e.year)) {
        let row = HonourRow {
            id: e.initiative_id,
            field: Field::parse(&e.field)
                .map(|f| label(lang, f.label_vi(), f.label_en()))
                .unwrap_or("")
                .to_string(),
            classification: e.classification_label.unwrap_or_default(),
            decision: format!(
                "{} {} {}",
                e.form,
                e.decision_number.unwrap_or_default(),
                e.signed_on.map(date).unwrap_or_default()
            ),
            certificate_url: e.certificate_url,
            title: e.title,
            registrant: e.registrant_name,
            unit: e.unit_name,
        };
        match groups.last_mut() {
            Some((y, rows)) if *y == e.year => rows.push(row),
            _ => groups.push((e.year, vec![row])),
        }
    }
    Ok(HonourPage {
        f: Frame::new(state, caller, "/dien-hinh", "honour.title"),
        years,
        q_year: q.year,
        groups,
    })
}

pub async fn honour_roll(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<HonourQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = match q {
        Ok(Query(q)) => honour_page(&state, &caller, q).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(p) => render(p),
        Err(e) => error_page(&state, &caller, "/dien-hinh", e),
    }
}

/// The issued commendations of one model, for its page: (decision id, number, date, form).
pub async fn commendations_of(
    state: &AppState,
    initiative_id: i64,
) -> Result<Vec<(i64, String, String, String)>, AppError> {
    Ok(
        danvan_storage::movement::decisions::commendations_of(&state.db, initiative_id)
            .await?
            .into_iter()
            .map(|(d, _)| {
                (
                    d.id,
                    d.number.unwrap_or_default(),
                    d.signed_on.map(date).unwrap_or_default(),
                    d.form,
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::vn_long_date;

    #[test]
    fn official_dates() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(vn_long_date(d(2026, 2, 5)), "ngày 05 tháng 02 năm 2026");
        assert_eq!(vn_long_date(d(2026, 12, 20)), "ngày 20 tháng 12 năm 2026");
        assert_eq!(vn_long_date(d(2026, 3, 1)), "ngày 01 tháng 3 năm 2026");
    }
}
