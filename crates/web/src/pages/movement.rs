//! The movement's pages: the public showcase and a model's page (with the actions each
//! signed-in role may take there), registration, campaigns, evidence files.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use danvan_domain::movement::{
    self, Field, IndicatorKind, RegistrantKind, State as St, Transition,
};
use danvan_domain::policy::{Action, Target, authorize, authorize_for};
use danvan_storage::movement::{campaigns, initiatives, reports};
use serde::Deserialize;

use super::format::{date, number};
use super::{Frame, local_time, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::service::campaigns::CampaignInput;
use crate::service::initiatives::{
    self as svc, IndicatorInput, InitiativeInput, ReportInput, ValueInput,
};
use crate::state::AppState;

fn label<T>(lang: Lang, vi: T, en: T) -> T {
    if lang == Lang::Vi { vi } else { en }
}

fn field_label(lang: Lang, code: &str) -> String {
    Field::parse(code)
        .map(|f| label(lang, f.label_vi(), f.label_en()))
        .unwrap_or(code)
        .to_string()
}

fn state_label(lang: Lang, code: &str) -> String {
    St::parse(code)
        .map(|s| label(lang, s.label_vi(), s.label_en()))
        .unwrap_or(code)
        .to_string()
}

/// Accepts "1.500.000", "1500000", "2,5" and "2.5": a comma is the decimal sign, and dots
/// in groups of three are thousands separators.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim().replace(' ', "");
    if s.is_empty() {
        return None;
    }
    let normalised = if s.contains(',') {
        s.replace('.', "").replace(',', ".")
    } else if s.matches('.').count() > 1 || s.split('.').nth(1).is_some_and(|frac| frac.len() == 3)
    {
        s.replace('.', "")
    } else {
        s
    };
    normalised.parse::<f64>().ok().filter(|v| v.is_finite())
}

pub struct Card {
    id: i64,
    title: String,
    field: String,
    unit: String,
    year: i64,
    summary: String,
    state: String,
    replications: i64,
}

#[derive(Template)]
#[template(path = "showcase.html")]
struct ShowcasePage {
    f: Frame,
    fields: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    years: Vec<i64>,
    q_field: String,
    q_unit: String,
    q_year: String,
    items: Vec<Card>,
    total: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
    /// The filters, for the download links.
    dl_query: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowcaseQuery {
    field: String,
    unit: String,
    year: String,
    page: Option<u32>,
}

const PAGE: i64 = 24;

async fn showcase_page(
    state: &AppState,
    caller: &Caller,
    q: ShowcaseQuery,
) -> Result<ShowcasePage, AppError> {
    let lang = caller.lang;
    let year = q.year.trim().parse::<i64>().ok();
    let filter =
        crate::api::movement::filter_from(state, None, year, Some(&q.field), Some(&q.unit), None)?;
    let page = i64::from(q.page.unwrap_or(1).clamp(1, 100_000));
    // The showcase is public: signed-in staff see the same list as everybody.
    let (rows, total) = svc::list(state, None, filter, PAGE, (page - 1) * PAGE).await?;
    let camps: HashMap<i64, i64> = campaigns::list(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.year))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let reps: HashMap<i64, i64> = initiatives::replication_counts(&state.db, &ids)
        .await?
        .into_iter()
        .collect();
    let tree = state.tree();
    let items = rows
        .into_iter()
        .map(|i| Card {
            id: i.id,
            field: field_label(lang, &i.field),
            unit: tree
                .get(i.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            year: camps.get(&i.campaign_id).copied().unwrap_or_default(),
            summary: i.summary.chars().take(220).collect::<String>()
                + if i.summary.chars().count() > 220 {
                    "…"
                } else {
                    ""
                },
            state: state_label(lang, &i.state),
            replications: reps.get(&i.id).copied().unwrap_or(0),
            title: i.title,
        })
        .collect();
    let today = chrono::Local::now().date_naive();
    let mut units: Vec<(String, String)> = tree
        .iter()
        .filter(|u| u.level == danvan_domain::UnitLevel::Commune && u.valid_at(today))
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    // Vietnamese dictionary order of the names without "Xã", "Phường"…: Đ after D, not after Z.
    units.sort_by(|a, b| {
        danvan_domain::text::vi_cmp(
            danvan_domain::text::unit_sort_name(&a.1),
            danvan_domain::text::unit_sort_name(&b.1),
        )
    });
    let mut years: Vec<i64> = camps.values().copied().collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let url = |p: i64| {
        let query = serde_urlencoded::to_string([
            ("field", q.field.as_str()),
            ("unit", q.unit.as_str()),
            ("year", q.year.as_str()),
            ("page", &p.to_string()),
        ])
        .unwrap_or_default();
        format!("/mo-hinh?{query}")
    };
    Ok(ShowcasePage {
        f: Frame::new(state, caller, "/mo-hinh", "showcase.title"),
        fields: Field::ALL
            .iter()
            .map(|f| (f.code(), label(lang, f.label_vi(), f.label_en())))
            .collect(),
        units,
        years,
        items,
        total,
        prev_url: (page > 1).then(|| url(page - 1)),
        next_url: (page * PAGE < total).then(|| url(page + 1)),
        dl_query: crate::export::filters_query(&[
            ("field", q.field.as_str()),
            ("unit", q.unit.as_str()),
            ("year", q.year.as_str()),
        ]),
        q_field: q.field,
        q_unit: q.unit,
        q_year: q.year,
    })
}

pub async fn showcase(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ShowcaseQuery>, axum::extract::rejection::QueryRejection>,
    Query(dl): Query<crate::export::FormatQuery>,
) -> Response {
    // "Tải Excel / CSV": every public model under the same filters (the showcase is public,
    // so signed-in staff download the public list too).
    if dl.format.is_some() {
        let file = async {
            let Query(q) = q?;
            // The showcase is public: the public list, built at once (no owner to keep a
            // background file for), under the API's parameter names.
            let mut f = crate::export::Filters::new();
            f.insert("field".into(), q.field.clone());
            f.insert("unit".into(), q.unit.clone());
            if let Ok(year) = q.year.trim().parse::<i64>() {
                f.insert("year".into(), year.to_string());
            }
            let kind = crate::export::ExportKind::Initiatives;
            crate::export::respond(&state, None, kind, f, &dl, true).await
        }
        .await;
        return file.unwrap_or_else(|e| super::error_page(&state, &caller, "/mo-hinh", e));
    }
    let result = match q {
        Ok(Query(q)) => showcase_page(&state, &caller, q).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/mo-hinh", e),
    }
}

pub struct ResultRow {
    id: i64,
    name: String,
    unit: String,
    target: String,
    achieved: String,
    achieved_raw: String,
    percent: i64,
}

pub struct Photo {
    url: String,
    thumb: Option<String>,
    caption: String,
}

pub struct ReportRow {
    id: i64,
    milestone: String,
    submitted: String,
    state: String,
    narrative: String,
    correction: Option<String>,
    review_comment: Option<String>,
    can_review: bool,
}

#[derive(Template)]
#[template(path = "initiative.html")]
struct InitiativePage {
    f: Frame,
    i: initiatives::Initiative,
    state_label: String,
    field_label: String,
    unit_name: String,
    period: String,
    source: Option<(i64, String)>,
    results: Vec<ResultRow>,
    photos: Vec<Photo>,
    replications: Vec<(i64, String, String)>,
    reports: Vec<ReportRow>,
    actions: Vec<(&'static str, &'static str, &'static str)>,
    can_report: bool,
    can_replicate: bool,
    can_edit: bool,
    events: Vec<String>,
    /// Issued commendations: (decision id, number, date, form).
    commendations: Vec<(i64, String, String, String)>,
    /// What the contributions ledger records for the model: (kind, amount with unit).
    ledger: Vec<(String, String)>,
    /// Households its drives reached, and their value.
    reached: Option<(i64, String)>,
    /// Published stories that tell about the model: (slug, title, date).
    stories: Vec<(String, String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn initiative_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<InitiativePage, AppError> {
    let lang = caller.lang;
    let who = caller.principal.as_ref();
    let i = svc::get(state, who, id).await?;
    let tree = state.tree();
    let current = St::parse(&i.state).unwrap_or(St::Draft);
    let target = Target {
        unit: Some(i.unit_id),
        organisation: i.organisation_id,
    };
    let registrant =
        who.is_some_and(|p| authorize_for(p, Action::RegisterInitiative, target, &tree).is_ok());
    let reviewer = who.is_some_and(|p| {
        authorize_for(
            p,
            Action::ReviewInitiative,
            Target {
                unit: Some(i.unit_id),
                organisation: None,
            },
            &tree,
        )
        .is_ok()
    });
    let staff =
        who.is_some_and(|p| authorize_for(p, Action::ViewInitiative, target, &tree).is_ok());

    let achieved = svc::latest_verified(state, i.id).await?;
    let results = initiatives::indicators(&state.db, i.id)
        .await?
        .into_iter()
        .map(|ind| {
            let kind = IndicatorKind::parse(&ind.kind);
            let done = achieved
                .iter()
                .find(|(k, _)| *k == ind.id)
                .map(|(_, v)| *v)
                .unwrap_or(0.0);
            let percent = if ind.target > 0.0 {
                ((done / ind.target) * 100.0).round().clamp(0.0, 999.0) as i64
            } else {
                100
            };
            ResultRow {
                id: ind.id,
                name: ind.custom_name.clone().unwrap_or_else(|| {
                    kind.map(|k| label(lang, k.label_vi(), k.label_en()))
                        .unwrap_or("")
                        .to_string()
                }),
                unit: ind
                    .custom_unit
                    .clone()
                    .unwrap_or_else(|| kind.map(|k| k.unit_vi()).unwrap_or("").to_string()),
                target: number(ind.target),
                achieved: number(done),
                achieved_raw: if done == 0.0 {
                    String::new()
                } else {
                    done.to_string()
                },
                percent,
            }
        })
        .collect();
    let all_reports = reports::for_initiative(&state.db, i.id).await?;
    let photos = reports::evidence(&state.db, i.id)
        .await?
        .into_iter()
        .filter(|e| {
            staff
                || e.report_id.is_none_or(|r| {
                    all_reports
                        .iter()
                        .any(|rep| rep.id == r && rep.state == "verified")
                })
        })
        .map(|e| Photo {
            thumb: e
                .mime
                .starts_with("image/")
                .then(|| format!("/tep/{}/anh-nho", e.sha256)),
            url: format!("/tep/{}", e.sha256),
            caption: e.caption,
        })
        .collect();
    let reports = all_reports
        .into_iter()
        .filter(|r| staff || r.state == "verified")
        .map(|r| ReportRow {
            id: r.id,
            milestone: movement::Milestone::parse(&r.milestone)
                .map(|m| label(lang, m.label_vi(), m.label_en()))
                .unwrap_or("")
                .to_string(),
            submitted: local_time(r.submitted_at),
            state: movement::ReportState::parse(&r.state)
                .map(|s| label(lang, s.label_vi(), s.label_en()))
                .unwrap_or("")
                .to_string(),
            can_review: reviewer && r.state == "submitted",
            narrative: r.narrative,
            correction: r.correction_note,
            review_comment: r.review_comment.filter(|_| staff),
        })
        .collect();
    let source = match i.source_id {
        Some(s) => initiatives::by_id(&state.db, s)
            .await?
            .filter(|s| St::parse(&s.state).is_some_and(St::is_public))
            .map(|s| (s.id, s.title)),
        None => None,
    };
    let public_states: Vec<String> = St::PUBLIC.iter().map(|s| s.code().to_string()).collect();
    let (children, _) = initiatives::list(
        &state.db,
        &initiatives::Filter {
            source_id: Some(i.id),
            states: public_states,
            ..Default::default()
        },
        100,
        0,
    )
    .await?;
    let mut replications = Vec::new();
    for c in children {
        // "With what results": each indicator's verified value against its target.
        let done = svc::latest_verified(state, c.id).await?;
        let summary = initiatives::indicators(&state.db, c.id)
            .await?
            .iter()
            .map(|ind| {
                let kind = IndicatorKind::parse(&ind.kind);
                let unit = ind
                    .custom_unit
                    .clone()
                    .unwrap_or_else(|| kind.map(|k| k.unit_vi()).unwrap_or("").to_string());
                let v = done
                    .iter()
                    .find(|(k, _)| *k == ind.id)
                    .map(|(_, v)| *v)
                    .unwrap_or(0.0);
                format!("{}/{} {unit}", number(v), number(ind.target))
            })
            .collect::<Vec<_>>()
            .join("; ");
        let place = tree
            .get(c.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        replications.push((c.id, c.title, format!("{place} — {summary}")));
    }
    let mut actions = Vec::new();
    for t in Transition::ALL {
        let allowed = match t.side() {
            movement::Side::Registrant => registrant,
            movement::Side::Reviewer => reviewer,
        };
        if allowed && movement::next_state(current, *t).is_some() {
            let style = match t {
                Transition::Approve | Transition::Submit => "btn-primary",
                Transition::Reject | Transition::Withdraw => "btn-danger",
                _ => "btn-secondary",
            };
            actions.push((t.code(), label(lang, t.label_vi(), t.label_en()), style));
        }
    }
    let events = if staff {
        initiatives::events(&state.db, i.id)
            .await?
            .into_iter()
            .map(|e| {
                let comment = e.comment.map(|c| format!(" — {c}")).unwrap_or_default();
                format!(
                    "{}: {} → {}{comment}",
                    local_time(e.at),
                    state_label(lang, &e.from_state),
                    state_label(lang, &e.to_state)
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let can_replicate = current.is_public()
        && who.is_some_and(|p| {
            p.grants.iter().any(|g| {
                g.role == danvan_domain::Role::Reporter
                    && g.organisation_id.is_some()
                    && g.organisation_id != i.organisation_id
            })
        });
    let mut f = Frame::new(state, caller, "/mo-hinh", "showcase.title");
    f.title = i.title.clone();
    let care = crate::service::care::for_initiative(state, i.id).await?;
    Ok(InitiativePage {
        f,
        state_label: state_label(lang, &i.state),
        field_label: field_label(lang, &i.field),
        unit_name: tree.path_name(i.unit_id),
        period: format!("{} – {}", date(i.starts_on), date(i.ends_on)),
        source,
        results,
        photos,
        replications,
        reports,
        actions,
        can_report: registrant && movement::accepts_reports(current),
        can_edit: registrant && movement::is_editable(current),
        can_replicate,
        events,
        commendations: super::councils::commendations_of(state, i.id).await?,
        ledger: care
            .contributions
            .iter()
            .map(|k| {
                let label = danvan_domain::care::ContributionKind::parse(&k.kind)
                    .map(|c| {
                        if lang == Lang::Vi {
                            c.label_vi()
                        } else {
                            c.label_en()
                        }
                    })
                    .unwrap_or(&k.label)
                    .to_string();
                (
                    label,
                    format!("{} {}", super::format::number(k.quantity), k.unit),
                )
            })
            .collect(),
        reached: (care.households_reached > 0).then(|| {
            (
                care.households_reached,
                format!("{} ₫", super::format::number(care.support_value_vnd as f64)),
            )
        }),
        stories: crate::service::stories::for_initiative(state, i.id)
            .await?
            .into_iter()
            .map(|s| {
                let day = s
                    .published_at
                    .map(|t| date(danvan_domain::clock::vietnam_date(t)))
                    .unwrap_or_default();
                (s.slug, s.title, day)
            })
            .collect(),
        notice,
        error,
        i,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    ok: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Response {
    let path = format!("/mo-hinh/{id}");
    let Ok(id) = id.parse::<i64>() else {
        return super::error_page(&state, &caller, &path, AppError::NotFound);
    };
    let notice =
        q.ok.map(|_| i18n::t(caller.lang, "initiative.done").to_string());
    match initiative_page(&state, &caller, id, notice, None).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, &path, e),
    }
}

/// Re-shows the model's page with the error of a refused action.
async fn refused(state: &AppState, caller: &Caller, id: i64, e: AppError) -> Response {
    let path = format!("/mo-hinh/{id}");
    if !matches!(e, AppError::Invalid(_) | AppError::Conflict(_)) {
        return super::error_page(state, caller, &path, e);
    }
    let status = e.status();
    match initiative_page(state, caller, id, None, Some(e.message(caller.vi()))).await {
        Ok(p) => (status, render(p)).into_response(),
        Err(e) => super::error_page(state, caller, &path, e),
    }
}

fn done(id: i64) -> Response {
    Redirect::to(&format!("/mo-hinh/{id}?ok=1")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TransitionForm {
    action: String,
    comment: String,
}

pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<TransitionForm>,
) -> Response {
    let result = match caller.require() {
        Ok(p) => svc::transition(&state, p, id, &form.action, Some(&form.comment)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => done(id),
        Err(e) => refused(&state, &caller, id, e).await,
    }
}

pub async fn file_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut values = Vec::new();
    let mut bad_number = false;
    for (k, v) in &form {
        if let Some(ind) = k.strip_prefix("value_").and_then(|s| s.parse::<i64>().ok()) {
            match parse_number(v) {
                Some(value) => values.push(ValueInput {
                    indicator_id: ind,
                    value,
                }),
                None => bad_number = true,
            }
        }
    }
    let result = match caller.require() {
        Ok(_) if bad_number => Err(AppError::invalid(danvan_domain::FieldError::new(
            "values",
            "invalid_value",
            "Kết quả phải là số (ví dụ 1.500.000 hoặc 2,5).",
            "Values must be numbers (e.g. 1,500,000 or 2.5).",
        ))),
        Ok(p) => {
            let input = ReportInput {
                milestone: get("milestone"),
                narrative: get("narrative"),
                values,
                correction_note: Some(get("correction_note")),
            };
            svc::file_report(&state, p, id, &input).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(id),
        Err(e) => refused(&state, &caller, id, e).await,
    }
}

pub async fn review_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(report_id): Path<i64>,
    Form(form): Form<TransitionForm>,
) -> Response {
    let initiative = match reports::by_id(&state.db, report_id).await {
        Ok(Some(r)) => r.initiative_id,
        Ok(None) => return super::error_page(&state, &caller, "/bao-cao", AppError::NotFound),
        Err(e) => return super::error_page(&state, &caller, "/bao-cao", e.into()),
    };
    let result = match caller.require() {
        Ok(p) => svc::review_report(&state, p, report_id, &form.action, Some(&form.comment))
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(initiative),
        Err(e) => refused(&state, &caller, initiative, e).await,
    }
}

pub async fn upload_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let result = match caller.require() {
        Ok(p) => match crate::api::movement::read_upload(form).await {
            Ok((bytes, caption, report_id)) => {
                svc::add_evidence(&state, p, id, report_id, bytes, &caption)
                    .await
                    .map(|_| ())
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(id),
        Err(e) => refused(&state, &caller, id, e).await,
    }
}

/// Serves an evidence file, or its thumbnail, to whoever may see a model it belongs to.
async fn serve_file(
    state: &AppState,
    caller: &Caller,
    sha: &str,
    thumbnail: bool,
) -> Result<Response, AppError> {
    let uses = reports::evidence_by_sha(&state.db, sha).await?;
    let mut visible = None;
    for e in &uses {
        if let Some(i) = initiatives::by_id(&state.db, e.initiative_id).await?
            && svc::can_view(state, caller.principal.as_ref(), &i)
        {
            visible = Some((
                e.mime.clone(),
                St::parse(&i.state).is_some_and(St::is_public),
            ));
            break;
        }
    }
    let (mime, public) = visible.ok_or(AppError::NotFound)?;
    let files = state.files.clone();
    let sha = sha.to_string();
    let bytes = tokio::task::spawn_blocking(move || {
        if thumbnail {
            files.read_thumbnail(&sha)
        } else {
            files.read(&sha)
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|_| AppError::NotFound)?;
    let mime = if thumbnail {
        "image/jpeg".to_string()
    } else {
        mime
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if public {
            "public, max-age=86400"
        } else {
            "private, max-age=300"
        }),
    );
    if mime == "application/pdf" {
        // A PDF may carry script: download it, never render it in our origin.
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"minh-chung.pdf\""),
        );
    }
    Ok(resp)
}

pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> Response {
    match serve_file(&state, &caller, &sha, false).await {
        Ok(r) => r,
        Err(e) => (e.status(), e.message(caller.vi())).into_response(),
    }
}

pub async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> Response {
    match serve_file(&state, &caller, &sha, true).await {
        Ok(r) => r,
        Err(e) => (e.status(), e.message(caller.vi())).into_response(),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RegisterForm {
    campaign_id: String,
    version: String,
    source_id: String,
    title: String,
    field: String,
    unit_code: String,
    registrant_kind: String,
    registrant_name: String,
    summary: String,
    goals: String,
    partners: String,
    starts_on: String,
    ends_on: String,
    kind1: String,
    target1: String,
    name1: String,
    unit1: String,
    kind2: String,
    target2: String,
    name2: String,
    unit2: String,
    kind3: String,
    target3: String,
    name3: String,
    unit3: String,
    submit: String,
}

impl RegisterForm {
    fn slot(&self, n: usize) -> (&str, &str, &str, &str) {
        match n {
            1 => (&self.kind1, &self.target1, &self.name1, &self.unit1),
            2 => (&self.kind2, &self.target2, &self.name2, &self.unit2),
            _ => (&self.kind3, &self.target3, &self.name3, &self.unit3),
        }
    }
    fn kind(&self, n: &usize) -> &str {
        self.slot(*n).0
    }
    fn target(&self, n: &usize) -> &str {
        self.slot(*n).1
    }
    fn custom_name(&self, n: &usize) -> &str {
        self.slot(*n).2
    }
    fn custom_unit(&self, n: &usize) -> &str {
        self.slot(*n).3
    }
}

#[derive(Template)]
#[template(path = "initiative_new.html")]
struct RegisterPage {
    f: Frame,
    action: String,
    edit_id: Option<i64>,
    form: RegisterForm,
    campaigns: Vec<(i64, String)>,
    fields: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    indicator_kinds: Vec<(&'static str, &'static str)>,
    slots: Vec<usize>,
    source_title: Option<String>,
    errors: Vec<(String, String)>,
}

async fn register_page(
    state: &AppState,
    caller: &Caller,
    mut form: RegisterForm,
    errors: Vec<(String, String)>,
    edit_id: Option<i64>,
) -> Result<RegisterPage, AppError> {
    let who = caller.require()?;
    let tree = state.tree();
    authorize(who, Action::RegisterInitiative, None, &tree)?;
    let lang = caller.lang;
    let today = chrono::Local::now().date_naive();
    let campaigns: Vec<(i64, String)> = campaigns::list(&state.db)
        .await?
        .into_iter()
        .filter(|c| c.registration_open_on(today))
        .map(|c| (c.id, format!("{} ({})", c.title, c.year)))
        .collect();
    if form.unit_code.is_empty()
        && let Some(g) = who
            .grants
            .iter()
            .find(|g| g.role == danvan_domain::Role::Reporter)
    {
        form.unit_code = tree
            .get(g.unit_id)
            .map(|u| u.code.clone())
            .unwrap_or_default();
    }
    let source_title = match form.source_id.parse::<i64>() {
        Ok(s) => initiatives::by_id(&state.db, s)
            .await?
            .filter(|i| St::parse(&i.state).is_some_and(St::is_public))
            .map(|i| i.title),
        Err(_) => None,
    };
    Ok(RegisterPage {
        f: Frame::new(
            state,
            caller,
            "/mo-hinh/dang-ky",
            if edit_id.is_some() {
                "register.edit_title"
            } else {
                "register.title"
            },
        ),
        action: edit_id
            .map(|id| format!("/mo-hinh/{id}/sua"))
            .unwrap_or_else(|| "/mo-hinh/dang-ky".into()),
        edit_id,
        form,
        campaigns,
        fields: Field::ALL
            .iter()
            .map(|f| (f.code(), label(lang, f.label_vi(), f.label_en())))
            .collect(),
        kinds: RegistrantKind::ALL
            .iter()
            .map(|k| (k.code(), label(lang, k.label_vi(), k.label_en())))
            .collect(),
        indicator_kinds: IndicatorKind::ALL
            .iter()
            .map(|k| (k.code(), label(lang, k.label_vi(), k.label_en())))
            .collect(),
        slots: vec![1, 2, 3],
        source_title,
        errors,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterQuery {
    source: String,
}

pub async fn register_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegisterQuery>,
) -> Response {
    let form = RegisterForm {
        source_id: q.source,
        ..Default::default()
    };
    match register_page(&state, &caller, form, vec![], None).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/mo-hinh/dang-ky", e),
    }
}

/// The form's registration, or the messages of the targets that are not numbers.
fn input_of(form: &RegisterForm, lang: Lang) -> (InitiativeInput, Vec<(String, String)>) {
    let mut indicators = Vec::new();
    let mut errors = Vec::new();
    for n in 1..=3 {
        let (kind, target, name, unit) = form.slot(n);
        if kind.is_empty() {
            continue;
        }
        match parse_number(target) {
            Some(t) => indicators.push(IndicatorInput {
                kind: kind.to_string(),
                target: t,
                name: Some(name.to_string()),
                unit: Some(unit.to_string()),
            }),
            None => errors.push((
                "indicators".to_string(),
                label(lang, "Chỉ tiêu phải là số.", "A target must be a number.").to_string(),
            )),
        }
    }
    let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let input = InitiativeInput {
        campaign_id: form.campaign_id.parse().unwrap_or(0),
        title: form.title.clone(),
        title_group: None,
        field: form.field.clone(),
        sub_theme: None,
        unit_code: form.unit_code.clone(),
        organisation_id: None,
        registrant_kind: opt(&form.registrant_kind),
        registrant_name: opt(&form.registrant_name),
        summary: form.summary.clone(),
        goals: form.goals.clone(),
        partners: form.partners.clone(),
        starts_on: opt(&form.starts_on),
        ends_on: opt(&form.ends_on),
        indicators,
        source_id: form.source_id.parse().ok(),
    };
    (input, errors)
}

pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<RegisterForm>,
) -> Response {
    let path = "/mo-hinh/dang-ky";
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return super::error_page(&state, &caller, path, e),
    };
    let (input, mut errors) = input_of(&form, caller.lang);
    let result = if errors.is_empty() {
        svc::register(&state, &who, &input, form.submit == "1").await
    } else {
        Err(AppError::BadRequest("invalid_form", String::new()))
    };
    match result {
        Ok(i) => done(i.id),
        Err(e @ (AppError::Invalid(_) | AppError::BadRequest(..))) => {
            errors.extend(super::field_errors(&e, caller.vi()));
            match register_page(&state, &caller, form, errors, None).await {
                Ok(p) => (StatusCode::UNPROCESSABLE_ENTITY, render(p)).into_response(),
                Err(e) => super::error_page(&state, &caller, path, e),
            }
        }
        Err(e) => super::error_page(&state, &caller, path, e),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CampaignForm {
    year: String,
    title: String,
    title_groups: String,
    registration_opens: String,
    registration_closes: String,
    midyear_review: String,
    yearend_review: String,
    commendation_quota: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    f: Frame,
    rows: Vec<(i64, String, String, i64)>,
    form: CampaignForm,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

async fn campaigns_page(
    state: &AppState,
    caller: &Caller,
    form: CampaignForm,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<CampaignsPage, AppError> {
    let who = caller.require()?;
    authorize(who, Action::ManageCampaigns, None, &state.tree())?;
    let mut rows = Vec::new();
    for c in campaigns::list(&state.db).await? {
        let (_, n) = initiatives::list(
            &state.db,
            &initiatives::Filter {
                campaign_id: Some(c.id),
                ..Default::default()
            },
            1,
            0,
        )
        .await?;
        rows.push((
            c.year,
            c.title,
            format!(
                "{} – {}",
                date(c.registration_opens),
                date(c.registration_closes)
            ),
            n,
        ));
    }
    Ok(CampaignsPage {
        f: Frame::new(state, caller, "/quan-tri/dot-thi-dua", "campaigns.title"),
        rows,
        form,
        errors,
        notice,
    })
}

pub async fn campaigns_list(State(state): State<AppState>, caller: Caller) -> Response {
    let year = chrono::Local::now().format("%Y").to_string();
    let form = CampaignForm {
        year,
        title_groups: "Dân vận khéo\nDân vận khéo trong xây dựng nông thôn mới".into(),
        commendation_quota: "20".into(),
        ..Default::default()
    };
    match campaigns_page(&state, &caller, form, vec![], None).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/quan-tri/dot-thi-dua", e),
    }
}

pub async fn campaign_create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<CampaignForm>,
) -> Response {
    let path = "/quan-tri/dot-thi-dua";
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return super::error_page(&state, &caller, path, e),
    };
    let input = CampaignInput {
        year: form.year.trim().parse().unwrap_or(0),
        title: form.title.clone(),
        title_groups: form
            .title_groups
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        fields: vec![],
        registration_opens: form.registration_opens.clone(),
        registration_closes: form.registration_closes.clone(),
        midyear_review: form.midyear_review.clone(),
        yearend_review: form.yearend_review.clone(),
        rubric: None,
        commendation_quota: form.commendation_quota.trim().parse().unwrap_or(-1),
        commune_councils: false,
    };
    match crate::service::campaigns::create(&state, &who, &input).await {
        Ok(_) => match campaigns_page(
            &state,
            &caller,
            CampaignForm::default(),
            vec![],
            Some(i18n::t(caller.lang, "campaigns.created").to_string()),
        )
        .await
        {
            Ok(p) => (StatusCode::CREATED, render(p)).into_response(),
            Err(e) => super::error_page(&state, &caller, path, e),
        },
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let errors = match &e {
                AppError::Conflict(_) => vec![("title".to_string(), e.message(caller.vi()))],
                _ => super::field_errors(&e, caller.vi()),
            };
            match campaigns_page(&state, &caller, form, errors, None).await {
                Ok(p) => (StatusCode::UNPROCESSABLE_ENTITY, render(p)).into_response(),
                Err(e) => super::error_page(&state, &caller, path, e),
            }
        }
        Err(e) => super::error_page(&state, &caller, path, e),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn numbers_as_vietnamese_officers_type_them() {
        assert_eq!(parse_number("1.500.000"), Some(1_500_000.0));
        assert_eq!(parse_number("1500000"), Some(1_500_000.0));
        assert_eq!(parse_number("2,5"), Some(2.5));
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("2.5"), Some(2.5));
        assert_eq!(parse_number("1.500"), Some(1500.0));
        assert_eq!(parse_number("mười"), None);
        assert_eq!(parse_number(""), None);
    }
}

pub struct FieldRow {
    field: String,
    models: i64,
    kind: String,
    achieved: String,
    target: String,
    percent: Option<i64>,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    f: Frame,
    r: crate::service::results::Rollup,
    fields: Vec<FieldRow>,
    years: Vec<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResultsQuery {
    unit: String,
    at: String,
    year: String,
}

async fn results_page(
    state: &AppState,
    caller: &Caller,
    q: ResultsQuery,
) -> Result<ResultsPage, AppError> {
    let lang = caller.lang;
    let (unit, at) = crate::api::movement::results_scope(state, Some(&q.unit), Some(&q.at))?;
    let year = q.year.trim().parse::<i64>().ok();
    let r = crate::service::results::rollup(state, &unit, at, year).await?;
    let mut fields = Vec::new();
    for ft in &r.by_field {
        let name = field_label(lang, &ft.field);
        if ft.indicators.is_empty() {
            fields.push(FieldRow {
                field: name,
                models: ft.models,
                kind: String::new(),
                achieved: String::new(),
                target: String::new(),
                percent: None,
            });
            continue;
        }
        for (n, k) in ft.indicators.iter().enumerate() {
            let kind = IndicatorKind::parse(&k.kind)
                .map(|k| label(lang, k.label_vi(), k.label_en()))
                .unwrap_or("")
                .to_string();
            fields.push(FieldRow {
                field: if n == 0 { name.clone() } else { String::new() },
                models: if n == 0 { ft.models } else { 0 },
                kind,
                achieved: number(k.achieved),
                target: number(k.target),
                percent: (k.target > 0.0)
                    .then(|| ((k.achieved / k.target) * 100.0).round().clamp(0.0, 999.0) as i64),
            });
        }
    }
    let mut years: Vec<i64> = campaigns::list(&state.db)
        .await?
        .into_iter()
        .map(|c| c.year)
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok(ResultsPage {
        f: Frame::new(state, caller, "/ket-qua", "results.title"),
        r,
        fields,
        years,
    })
}

pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ResultsQuery>,
) -> Response {
    match results_page(&state, &caller, q).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/ket-qua", e),
    }
}

/// The registration form filled with a model's current content, for editing.
async fn form_of(state: &AppState, i: &initiatives::Initiative) -> Result<RegisterForm, AppError> {
    let inds = initiatives::indicators(&state.db, i.id).await?;
    let slot = |n: usize| {
        inds.get(n)
            .map(|x| {
                (
                    x.kind.clone(),
                    x.target.to_string(),
                    x.custom_name.clone().unwrap_or_default(),
                    x.custom_unit.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default()
    };
    let (s1, s2, s3) = (slot(0), slot(1), slot(2));
    Ok(RegisterForm {
        campaign_id: i.campaign_id.to_string(),
        version: i.version.to_string(),
        source_id: i.source_id.map(|s| s.to_string()).unwrap_or_default(),
        title: i.title.clone(),
        field: i.field.clone(),
        unit_code: state
            .tree()
            .get(i.unit_id)
            .map(|u| u.code.clone())
            .unwrap_or_default(),
        registrant_kind: i.registrant_kind.clone(),
        registrant_name: i.registrant_name.clone(),
        summary: i.summary.clone(),
        goals: i.goals.clone(),
        partners: i.partners.clone(),
        starts_on: i.starts_on.to_string(),
        ends_on: i.ends_on.to_string(),
        kind1: s1.0,
        target1: s1.1,
        name1: s1.2,
        unit1: s1.3,
        kind2: s2.0,
        target2: s2.1,
        name2: s2.2,
        unit2: s2.3,
        kind3: s3.0,
        target3: s3.1,
        name3: s3.2,
        unit3: s3.3,
        submit: String::new(),
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Response {
    let path = format!("/mo-hinh/{id}/sua");
    let page = async {
        let who = caller.require()?;
        let i = svc::get(&state, Some(who), id).await?;
        authorize_for(
            who,
            Action::RegisterInitiative,
            Target {
                unit: Some(i.unit_id),
                organisation: i.organisation_id,
            },
            &state.tree(),
        )?;
        if !St::parse(&i.state).is_some_and(movement::is_editable) {
            return Err(AppError::Conflict("not_editable"));
        }
        let form = form_of(&state, &i).await?;
        register_page(&state, &caller, form, vec![], Some(id)).await
    };
    match page.await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, &path, e),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<RegisterForm>,
) -> Response {
    let path = format!("/mo-hinh/{id}/sua");
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return super::error_page(&state, &caller, &path, e),
    };
    let (input, mut errors) = input_of(&form, caller.lang);
    let version = form.version.trim().parse::<i64>().unwrap_or(0);
    let result = if errors.is_empty() {
        svc::update(&state, &who, id, version, &input).await
    } else {
        Err(AppError::BadRequest("invalid_form", String::new()))
    };
    match result {
        Ok(_) => done(id),
        Err(
            e @ (AppError::Invalid(_)
            | AppError::BadRequest(..)
            | AppError::Conflict("edit_conflict")),
        ) => {
            let status = e.status();
            match &e {
                AppError::Conflict(_) => errors.push(("version".into(), e.message(caller.vi()))),
                _ => errors.extend(super::field_errors(&e, caller.vi())),
            }
            match register_page(&state, &caller, form, errors, Some(id)).await {
                Ok(p) => (status, render(p)).into_response(),
                Err(e) => super::error_page(&state, &caller, &path, e),
            }
        }
        Err(e) => super::error_page(&state, &caller, &path, e),
    }
}
