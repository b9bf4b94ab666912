//! Care and contributions in the browser: the public honour of what people gave
//! (`/dong-gop`), and for staff the support drives with their coverage and deliveries
//! (`/cham-lo`), the households' registers (`/cham-lo/so-ho`) and the ledger
//! (`/cham-lo/dong-gop`).

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use danvan_charts::{BarChart, Orientation, Series};
use danvan_domain::care::{ContributionKind, ContributorType, HouseholdCategory};
use danvan_domain::policy::{Action, Principal, authorize, scope};
use danvan_domain::unit::UnitLevel;
use serde::Deserialize;

use super::format::{date, number};
use super::statistics::parse_year;
use super::{Frame, field_errors, find_err, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::service::care::{
    self as svc, CommuneTotals, ContributionView, Coverage, DriveView, HouseholdQuery,
    HouseholdView, NewContribution, NewDelivery, NewDrive, NewHousehold, Warning,
};
use crate::state::AppState;

pub const DRIVES_PATH: &str = "/cham-lo";
const REGISTER_PATH: &str = "/cham-lo/so-ho";
const LEDGER_PATH: &str = "/cham-lo/dong-gop";
pub const PUBLIC_PATH: &str = "/dong-gop";

/// The care pages a caller may open, for the sub-navigation (href, Vietnamese, English).
fn tabs(state: &AppState, who: &Principal) -> Vec<(&'static str, &'static str, &'static str)> {
    let tree = state.tree();
    let mut out = Vec::new();
    if authorize(who, Action::ManageHouseholds, None, &tree).is_ok()
        || authorize(who, Action::RunDrives, None, &tree).is_ok()
    {
        out.push((DRIVES_PATH, "Đợt hỗ trợ", "Support drives"));
    }
    if authorize(who, Action::ManageHouseholds, None, &tree).is_ok() {
        out.push((REGISTER_PATH, "Sổ hộ cần hỗ trợ", "Households in need"));
    }
    if authorize(who, Action::RecordContributions, None, &tree).is_ok() {
        out.push((LEDGER_PATH, "Sổ đóng góp", "Contributions ledger"));
    }
    out
}

/// Current communes in the caller's scope for `action`, by name (code, name).
fn communes(state: &AppState, who: &Principal, action: Action) -> Vec<(String, String)> {
    let tree = state.tree();
    let today = state.clock.today();
    let allowed = scope(who, action, &tree);
    let mut out: Vec<(String, String)> = tree
        .iter()
        .filter(|u| u.level == UnitLevel::Commune && u.valid_at(today) && allowed.contains(&u.id))
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    out.sort_by(|a, b| danvan_domain::text::vi_cmp(&a.1, &b.1));
    out
}

fn vnd(v: i64) -> String {
    format!("{} ₫", number(v as f64))
}

fn quantity(kind: &str, q: f64) -> String {
    let unit = ContributionKind::parse(kind)
        .map(|k| k.unit_vi())
        .unwrap_or("");
    format!("{} {unit}", number(q))
}

fn fail(state: &AppState, caller: &Caller, path: &str, e: AppError) -> Response {
    super::error_page(state, caller, path, e)
}

// ---- public ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
    unit: String,
}

#[derive(Template)]
#[template(path = "contributions_public.html")]
struct PublicPage {
    f: Frame,
    communes: Vec<CommuneTotals>,
    charts: Vec<(String, String)>,
    years: Vec<i64>,
    year: Option<i64>,
}

impl PublicPage {
    fn q(&self, kind: &str, q: &f64) -> String {
        quantity(kind, *q)
    }
}

/// `GET /dong-gop`: what each commune's people gave, and who agreed to be named.
pub async fn public(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> Response {
    let result = async {
        let year = parse_year(&q.year)?;
        let communes =
            svc::public_totals(&state, Some(&q.unit), year, svc::Honoured::Named).await?;
        let vi = caller.vi();
        let mut charts = Vec::new();
        for kind in ContributionKind::ALL {
            let rows: Vec<(&str, f64)> = communes
                .iter()
                .filter_map(|c| {
                    c.totals
                        .iter()
                        .find(|t| t.kind == kind.code())
                        .map(|t| (c.unit_name.as_str(), t.quantity))
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let title = if vi { kind.label_vi() } else { kind.label_en() };
            let svg = danvan_charts::bars(&BarChart {
                id: format!("chart-{}", kind.code()),
                title: title.to_string(),
                categories: rows.iter().map(|r| r.0.to_string()).collect(),
                series: vec![Series {
                    name: title.to_string(),
                    values: rows.iter().map(|r| r.1).collect(),
                }],
                orientation: Orientation::Horizontal,
                percent: false,
            })
            .map_err(|e| AppError::Internal(e.to_string()))?;
            charts.push((title.to_string(), svg));
        }
        let this_year = i64::from(chrono::Datelike::year(&state.clock.today()));
        Ok::<_, AppError>(PublicPage {
            f: Frame::new(&state, &caller, PUBLIC_PATH, "nav.contributions"),
            communes,
            charts,
            years: (2020..=this_year).rev().collect(),
            year,
        })
    }
    .await;
    match result {
        Ok(p) => render(p),
        Err(e) => fail(&state, &caller, PUBLIC_PATH, e),
    }
}

// ---- drives ----

#[derive(Template)]
#[template(path = "care_drives.html")]
struct DrivesPage {
    f: Frame,
    tabs: Vec<(&'static str, &'static str, &'static str)>,
    drives: Vec<DriveView>,
    organisations: Vec<(i64, String)>,
    communes: Vec<(String, String)>,
    form: NewDrive,
    errors: Vec<(String, String)>,
}

impl DrivesPage {
    fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
    fn d(&self, day: &chrono::NaiveDate) -> String {
        date(*day)
    }
    fn unit_names(&self, d: &DriveView) -> String {
        d.units
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn checked(&self, code: &str) -> bool {
        self.form.unit_codes.iter().any(|c| c == code)
    }
}

async fn drives_page(
    state: &AppState,
    caller: &Caller,
    form: NewDrive,
    errors: Vec<(String, String)>,
) -> Result<DrivesPage, AppError> {
    let who = caller.require()?;
    let drives = svc::drives(state, who).await?;
    let tree = state.tree();
    let organisations = crate::service::organisations::list(state, who)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| {
            who.grants.iter().any(|g| {
                Action::RunDrives.roles().contains(&g.role)
                    && (!g.role.needs_organisation() || g.organisation_id == Some(o.id))
                    && tree.contains(g.unit_id, o.unit_id)
            }) || authorize(who, Action::ManageHouseholds, Some(o.unit_id), &tree).is_ok()
        })
        .map(|o| (o.id, o.name))
        .collect();
    Ok(DrivesPage {
        f: Frame::new(state, caller, DRIVES_PATH, "nav.care"),
        tabs: tabs(state, who),
        drives,
        organisations,
        communes: communes(state, who, Action::RunDrives),
        form,
        errors,
    })
}

/// `GET /cham-lo`: the drives in the caller's scope and the form to announce one.
pub async fn drives(State(state): State<AppState>, caller: Caller) -> Response {
    match drives_page(&state, &caller, NewDrive::default(), vec![]).await {
        Ok(p) => render(p),
        Err(e) => fail(&state, &caller, DRIVES_PATH, e),
    }
}

/// The drive form as posted: the communes are repeated checkboxes, which a plain form
/// struct cannot hold.
fn drive_form(body: &[u8]) -> NewDrive {
    let mut d = NewDrive::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "title" => d.title = v,
            "organisation_id" => d.organisation_id = v.trim().parse().unwrap_or(0),
            "initiative_id" => d.initiative_id = v.trim().parse().ok(),
            "starts_on" => d.starts_on = v,
            "ends_on" => d.ends_on = v,
            "items" => d.items = v,
            "unit_codes" => d.unit_codes.push(v),
            "list_year" => d.list_year = v.trim().parse().ok(),
            _ => {}
        }
    }
    d
}

/// `POST /cham-lo`: announce a drive; on success, its page.
pub async fn create_drive(State(state): State<AppState>, caller: Caller, body: Bytes) -> Response {
    let form = drive_form(&body);
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return fail(&state, &caller, DRIVES_PATH, e),
    };
    match svc::create_drive(&state, &who, &form).await {
        Ok(d) => {
            axum::response::Redirect::to(&format!("{DRIVES_PATH}/dot/{}", d.id)).into_response()
        }
        Err(e @ AppError::Invalid(_)) => {
            let errors = field_errors(&e, caller.vi());
            match drives_page(&state, &caller, form, errors).await {
                Ok(p) => (StatusCode::UNPROCESSABLE_ENTITY, render(p)).into_response(),
                Err(e) => fail(&state, &caller, DRIVES_PATH, e),
            }
        }
        Err(e) => fail(&state, &caller, DRIVES_PATH, e),
    }
}

#[derive(Template)]
#[template(path = "care_drive.html")]
struct DrivePage {
    f: Frame,
    tabs: Vec<(&'static str, &'static str, &'static str)>,
    d: DriveView,
    cov: Coverage,
    unit: String,
    chart: Option<String>,
    default_day: String,
    can_deliver: bool,
    notice: Option<String>,
    warnings: Vec<Warning>,
    errors: Vec<(String, String)>,
}

impl DrivePage {
    fn day(&self, day: &chrono::NaiveDate) -> String {
        date(*day)
    }
    fn vnd(&self, v: &i64) -> String {
        vnd(*v)
    }
    fn pct(&self, covered: &i64, households: &i64) -> String {
        if *households == 0 {
            "—".into()
        } else {
            format!("{} %", number(*covered as f64 * 100.0 / *households as f64))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DriveQuery {
    unit: String,
}

async fn drive_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    unit: &str,
    notice: Option<String>,
    warnings: Vec<Warning>,
    errors: Vec<(String, String)>,
) -> Result<DrivePage, AppError> {
    let who = caller.require()?;
    let d = svc::drive(state, who, id).await?;
    let cov = svc::coverage(state, who, id, Some(unit).filter(|u| !u.trim().is_empty())).await?;
    let vi = caller.vi();
    let chart = if cov.by_unit.is_empty() {
        None
    } else {
        let t = |v: &str, e: &str| if vi { v.to_string() } else { e.to_string() };
        Some(
            danvan_charts::bars(&BarChart {
                id: "chart-coverage".into(),
                title: t("Hộ đã nhận và chưa nhận", "Households reached and not yet"),
                categories: cov.by_unit.iter().map(|u| u.unit_name.clone()).collect(),
                series: vec![
                    Series {
                        name: t("Đã nhận", "Reached"),
                        values: cov.by_unit.iter().map(|u| u.covered as f64).collect(),
                    },
                    Series {
                        name: t("Chưa nhận", "Not yet"),
                        values: cov
                            .by_unit
                            .iter()
                            .map(|u| (u.households - u.covered) as f64)
                            .collect(),
                    },
                ],
                orientation: Orientation::Horizontal,
                percent: false,
            })
            .map_err(|e| AppError::Internal(e.to_string()))?,
        )
    };
    let today = state.clock.today();
    let default_day = today
        .clamp(d.starts_on, d.ends_on)
        .format("%Y-%m-%d")
        .to_string();
    Ok(DrivePage {
        f: Frame::new(
            state,
            caller,
            &format!("{DRIVES_PATH}/dot/{id}"),
            "nav.care",
        ),
        tabs: tabs(state, who),
        can_deliver: authorize(who, Action::ManageHouseholds, None, &state.tree()).is_ok(),
        d,
        cov,
        unit: unit.trim().to_string(),
        chart,
        default_day,
        notice,
        warnings,
        errors,
    })
}

/// `GET /cham-lo/dot/{id}`: coverage per commune and the households not reached yet.
pub async fn drive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<DriveQuery>,
) -> Response {
    let path = format!("{DRIVES_PATH}/dot/{id}");
    match drive_page(&state, &caller, id, &q.unit, None, vec![], vec![]).await {
        Ok(p) => render(p),
        Err(e) => fail(&state, &caller, &path, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeliveryForm {
    household_id: i64,
    items: String,
    value_vnd: String,
    delivered_on: String,
    unit: String,
}

/// `POST /cham-lo/dot/{id}/trao`: record a delivery; the page comes back with the overlap
/// warnings, if any.
pub async fn deliver(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<DeliveryForm>,
) -> Response {
    let path = format!("{DRIVES_PATH}/dot/{id}");
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return fail(&state, &caller, &path, e),
    };
    let digits: String = form
        .value_vnd
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | ',' | '₫'))
        .collect();
    let value = match digits.parse::<i64>() {
        Ok(v) => v,
        Err(_) if digits.is_empty() => 0,
        Err(_) => -1,
    };
    let input = NewDelivery {
        household_id: form.household_id,
        items: form.items.clone(),
        value_vnd: value,
        delivered_on: form.delivered_on.clone(),
    };
    let (status, notice, warnings, errors) =
        match svc::record_delivery(&state, &who, id, &input).await {
            Ok(out) => (
                StatusCode::OK,
                Some(
                    if caller.vi() {
                        "Đã ghi nhận việc trao hỗ trợ."
                    } else {
                        "The delivery is recorded."
                    }
                    .to_string(),
                ),
                out.warnings,
                vec![],
            ),
            Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
                let status = e.status();
                let errors = match &e {
                    AppError::Invalid(_) => field_errors(&e, caller.vi()),
                    _ => vec![("household_id".to_string(), e.message(caller.vi()))],
                };
                (status, None, vec![], errors)
            }
            Err(e) => return fail(&state, &caller, &path, e),
        };
    match drive_page(&state, &caller, id, &form.unit, notice, warnings, errors).await {
        Ok(p) => (status, render(p)).into_response(),
        Err(e) => fail(&state, &caller, &path, e),
    }
}

// ---- households' register ----

#[derive(Template)]
#[template(path = "care_register.html")]
struct RegisterPage {
    f: Frame,
    tabs: Vec<(&'static str, &'static str, &'static str)>,
    rows: Vec<HouseholdView>,
    communes: Vec<(String, String)>,
    categories: Vec<(&'static str, &'static str)>,
    q: RegisterQuery,
    form: NewHousehold,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    export_query: String,
}

impl RegisterPage {
    fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
    fn lists(&self, h: &HouseholdView) -> String {
        h.listings
            .iter()
            .map(|l| format!("{} ({})", l.category_label, l.year))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RegisterQuery {
    unit: String,
    year: String,
    category: String,
}

async fn register_page(
    state: &AppState,
    caller: &Caller,
    q: RegisterQuery,
    form: NewHousehold,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<RegisterPage, AppError> {
    let who = caller.require()?;
    let query = HouseholdQuery {
        unit: Some(q.unit.clone()).filter(|u| !u.trim().is_empty()),
        year: parse_year(&q.year)?,
        category: Some(q.category.clone()).filter(|c| !c.trim().is_empty()),
    };
    let rows = svc::households(state, who, &query).await?;
    let vi = caller.vi();
    let export_query = serde_urlencoded::to_string([
        ("unit", q.unit.as_str()),
        ("year", q.year.as_str()),
        ("category", q.category.as_str()),
    ])
    .unwrap_or_default();
    Ok(RegisterPage {
        f: Frame::new(state, caller, REGISTER_PATH, "nav.care"),
        tabs: tabs(state, who),
        rows,
        communes: communes(state, who, Action::ManageHouseholds),
        categories: HouseholdCategory::ALL
            .iter()
            .map(|c| (c.code(), if vi { c.label_vi() } else { c.label_en() }))
            .collect(),
        q,
        form,
        errors,
        notice,
        export_query,
    })
}

/// `GET /cham-lo/so-ho`: the registers in scope (the viewing is audited).
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegisterQuery>,
) -> Response {
    let form = NewHousehold {
        year: i64::from(chrono::Datelike::year(&state.clock.today())),
        ..Default::default()
    };
    match register_page(&state, &caller, q, form, vec![], None).await {
        Ok(p) => render(p),
        Err(e) => fail(&state, &caller, REGISTER_PATH, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HouseholdForm {
    unit_code: String,
    head_name: String,
    address: String,
    category: String,
    year: String,
}

/// `POST /cham-lo/so-ho`: put a household on the register.
pub async fn add_household(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<HouseholdForm>,
) -> Response {
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return fail(&state, &caller, REGISTER_PATH, e),
    };
    let input = NewHousehold {
        unit_code: form.unit_code,
        head_name: form.head_name,
        address: form.address,
        category: form.category,
        year: form.year.trim().parse().unwrap_or(0),
    };
    let vi = caller.vi();
    let (status, form, errors, notice) = match svc::create_household(&state, &who, &input, "form")
        .await
    {
        Ok((h, outcome)) => {
            let msg = match (outcome, vi) {
                (svc::Registered::New(_), true) => format!("Đã thêm hộ {} vào sổ.", h.head_name),
                (svc::Registered::New(_), false) => format!("{} is on the register.", h.head_name),
                (svc::Registered::Listed(_), true) => format!(
                    "Hộ {} đã có trong sổ; đã ghi thêm diện của năm {}.",
                    h.head_name, input.year
                ),
                (svc::Registered::Listed(_), false) => format!(
                    "{} was on the register; the {} listing is added.",
                    h.head_name, input.year
                ),
            };
            let next = NewHousehold {
                unit_code: input.unit_code.clone(),
                year: input.year,
                category: input.category.clone(),
                ..Default::default()
            };
            (StatusCode::OK, next, vec![], Some(msg))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = e.status();
            let errors = match &e {
                AppError::Invalid(_) => field_errors(&e, vi),
                _ => vec![("head_name".to_string(), e.message(vi))],
            };
            (status, input, errors, None)
        }
        Err(e) => return fail(&state, &caller, REGISTER_PATH, e),
    };
    match register_page(
        &state,
        &caller,
        RegisterQuery::default(),
        form,
        errors,
        notice,
    )
    .await
    {
        Ok(p) => (status, render(p)).into_response(),
        Err(e) => fail(&state, &caller, REGISTER_PATH, e),
    }
}

// ---- the ledger ----

#[derive(Template)]
#[template(path = "care_ledger.html")]
struct LedgerPage {
    f: Frame,
    tabs: Vec<(&'static str, &'static str, &'static str)>,
    rows: Vec<ContributionView>,
    communes: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    form: LedgerForm,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl LedgerPage {
    fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
    fn q(&self, c: &ContributionView) -> String {
        quantity(&c.kind, c.quantity)
    }
    fn d(&self, day: &chrono::NaiveDate) -> String {
        date(*day)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LedgerForm {
    kind: String,
    quantity: String,
    unit_code: String,
    initiative_id: String,
    contributor: String,
    contributor_type: String,
    anonymous: Option<String>,
    contributed_on: String,
    note: String,
}

async fn ledger_page(
    state: &AppState,
    caller: &Caller,
    form: LedgerForm,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<LedgerPage, AppError> {
    let who = caller.require()?;
    let rows = svc::contributions(state, who, None, None).await?;
    let vi = caller.vi();
    Ok(LedgerPage {
        f: Frame::new(state, caller, LEDGER_PATH, "nav.care"),
        tabs: tabs(state, who),
        rows,
        communes: communes(state, who, Action::RecordContributions),
        kinds: ContributionKind::ALL
            .iter()
            .map(|k| (k.code(), if vi { k.label_vi() } else { k.label_en() }))
            .collect(),
        types: ContributorType::ALL
            .iter()
            .map(|t| (t.code(), if vi { t.label_vi() } else { t.label_en() }))
            .collect(),
        form,
        errors,
        notice,
    })
}

/// `GET /cham-lo/dong-gop`: the ledger in scope and the form to add to it.
pub async fn ledger(State(state): State<AppState>, caller: Caller) -> Response {
    match ledger_page(&state, &caller, LedgerForm::default(), vec![], None).await {
        Ok(p) => render(p),
        Err(e) => fail(&state, &caller, LEDGER_PATH, e),
    }
}

/// `POST /cham-lo/dong-gop`: write an entry.
pub async fn add_contribution(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<LedgerForm>,
) -> Response {
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return fail(&state, &caller, LEDGER_PATH, e),
    };
    // "1.234,5" as Vietnamese write it, or "1234.5".
    let raw = form.quantity.trim().replace(' ', "");
    let normalised = if raw.contains(',') {
        raw.replace('.', "").replace(',', ".")
    } else if raw.matches('.').count() > 1 {
        raw.replace('.', "")
    } else {
        raw.clone()
    };
    let input = NewContribution {
        kind: form.kind.clone(),
        quantity: normalised.parse().unwrap_or(f64::NAN),
        unit_code: form.unit_code.clone(),
        initiative_id: form.initiative_id.trim().parse().ok(),
        contributor: form.contributor.clone(),
        contributor_type: form.contributor_type.clone(),
        anonymous: form.anonymous.is_some(),
        contributed_on: form.contributed_on.clone(),
        note: form.note.clone(),
    };
    let vi = caller.vi();
    let (status, form, errors, notice) = match svc::record_contribution(&state, &who, &input).await
    {
        Ok(_) => (
            StatusCode::OK,
            LedgerForm {
                unit_code: form.unit_code,
                ..Default::default()
            },
            vec![],
            Some(
                if vi {
                    "Đã ghi vào sổ đóng góp."
                } else {
                    "Recorded in the ledger."
                }
                .to_string(),
            ),
        ),
        Err(e @ AppError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            field_errors(&e, vi),
            None,
        ),
        Err(e) => return fail(&state, &caller, LEDGER_PATH, e),
    };
    match ledger_page(&state, &caller, form, errors, notice).await {
        Ok(p) => (status, render(p)).into_response(),
        Err(e) => fail(&state, &caller, LEDGER_PATH, e),
    }
}
