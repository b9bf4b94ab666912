//! The province administrator's pages: accounts and the audit trail.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use danvan_domain::policy::{Action, authorize};
use danvan_domain::role::Role;
use danvan_storage::audit::{AuditFilter, Verification};
use serde::Deserialize;

use super::{Frame, field_errors, find_err, local_time, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::service::{self, accounts::NewAccount};
use crate::state::AppState;

pub struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    grants: Vec<String>,
    disabled: bool,
    locked: bool,
    is_demo: bool,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    f: Frame,
    rows: Vec<AccountRow>,
    notice: Option<String>,
    new_password: Option<String>,
}

async fn accounts_page(
    state: &AppState,
    caller: &Caller,
    notice: Option<String>,
    new_password: Option<String>,
) -> Result<AccountsPage, AppError> {
    let who = caller.require()?;
    let list = service::accounts::list(state, who).await?;
    let tree = state.tree();
    let f = Frame::new(state, caller, "/quan-tri/tai-khoan", "accounts.title");
    let now = crate::now();
    let rows = list
        .into_iter()
        .map(|(a, grants)| AccountRow {
            id: a.id,
            grants: grants
                .iter()
                .map(|g| format!("{} — {}", f.role_label(g.role), tree.path_name(g.unit_id)))
                .collect(),
            disabled: a.is_disabled,
            locked: a.is_locked(now),
            is_demo: a.is_demo,
            is_self: a.id == who.account_id,
            username: a.username,
            display_name: a.display_name,
        })
        .collect();
    Ok(AccountsPage {
        f,
        rows,
        notice,
        new_password,
    })
}

pub async fn accounts(State(state): State<AppState>, caller: Caller) -> Response {
    match accounts_page(&state, &caller, None, None).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/quan-tri/tai-khoan", e),
    }
}

#[derive(Template)]
#[template(path = "account_new.html")]
struct NewAccountPage {
    f: Frame,
    form: AccountForm,
    roles: Vec<(&'static str, &'static str)>,
    orgs: Vec<(i64, String)>,
    errors: Vec<(String, String)>,
}

impl NewAccountPage {
    fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AccountForm {
    username: String,
    display_name: String,
    role: String,
    unit_code: String,
    organisation_id: String,
    email: String,
}

async fn new_account_page(
    state: &AppState,
    caller: &Caller,
    form: AccountForm,
    errors: Vec<(String, String)>,
) -> Result<NewAccountPage, AppError> {
    let who = caller.require()?;
    authorize(who, Action::ManageAccounts, None, &state.tree())?;
    let tree = state.tree();
    let orgs = service::organisations::list(state, who)
        .await?
        .into_iter()
        .map(|o| {
            (
                o.id,
                format!(
                    "{} — {}",
                    o.name,
                    tree.get(o.unit_id).map(|u| u.name.as_str()).unwrap_or("")
                ),
            )
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .map(|r| {
            (
                r.code(),
                if caller.lang == Lang::Vi {
                    r.label_vi()
                } else {
                    r.label_en()
                },
            )
        })
        .collect();
    Ok(NewAccountPage {
        f: Frame::new(state, caller, "/quan-tri/tai-khoan", "accounts.new"),
        form,
        roles,
        orgs,
        errors,
    })
}

pub async fn new_account_form(State(state): State<AppState>, caller: Caller) -> Response {
    match new_account_page(&state, &caller, AccountForm::default(), vec![]).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/quan-tri/tai-khoan/moi", e),
    }
}

pub async fn create_account(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<AccountForm>,
) -> Response {
    let path = "/quan-tri/tai-khoan/moi";
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return super::error_page(&state, &caller, path, e),
    };
    let organisation_id = match form.organisation_id.trim() {
        "" => None,
        s => match s.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                return super::error_page(
                    &state,
                    &caller,
                    path,
                    AppError::BadRequest("invalid_form", "organisation_id".into()),
                );
            }
        },
    };
    let input = NewAccount {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        unit_code: form.unit_code.clone(),
        organisation_id,
        password: None,
        email: Some(form.email.clone()),
    };
    match service::accounts::create(&state, &who, &input).await {
        Ok((account, password)) => {
            let notice = format!(
                "{} {}",
                i18n::t(caller.lang, "accounts.created"),
                account.username
            );
            match accounts_page(&state, &caller, Some(notice), password).await {
                Ok(p) => (StatusCode::CREATED, render(p)).into_response(),
                Err(e) => super::error_page(&state, &caller, path, e),
            }
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let errors = match &e {
                AppError::Conflict(_) => vec![("username".to_string(), e.message(caller.vi()))],
                _ => field_errors(&e, caller.vi()),
            };
            match new_account_page(&state, &caller, form, errors).await {
                Ok(p) => (StatusCode::UNPROCESSABLE_ENTITY, render(p)).into_response(),
                Err(e) => super::error_page(&state, &caller, path, e),
            }
        }
        Err(e) => super::error_page(&state, &caller, path, e),
    }
}

async fn set_disabled(state: AppState, caller: Caller, id: i64, disabled: bool) -> Response {
    let path = "/quan-tri/tai-khoan";
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return super::error_page(&state, &caller, path, e),
    };
    match service::accounts::set_disabled(&state, &who, id, disabled).await {
        Ok(_) => Redirect::to(path).into_response(),
        Err(e) => super::error_page(&state, &caller, path, e),
    }
}

pub async fn disable_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Response {
    set_disabled(state, caller, id, true).await
}

pub async fn enable_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Response {
    set_disabled(state, caller, id, false).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    actor: String,
    action: String,
    entity_type: String,
    from: String,
    to: String,
    page: Option<u32>,
    verify: Option<String>,
}

pub struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    f: Frame,
    q: AuditQuery,
    actions: Vec<String>,
    rows: Vec<AuditRow>,
    total: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
    verification: Option<Verification>,
    /// The filters, for the download links.
    dl_query: String,
}

const AUDIT_PAGE: i64 = 50;

/// Turns the page's query into a storage filter; a bad date is a 422 with its field named.
pub fn audit_filter(
    actor: &str,
    action: &str,
    entity_type: &str,
    from: &str,
    to: &str,
) -> Result<AuditFilter, AppError> {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let date = |field, s: &str| -> Result<_, AppError> {
        match opt(s) {
            Some(v) => Ok(Some(danvan_domain::validate::date(field, &v)?)),
            None => Ok(None),
        }
    };
    Ok(AuditFilter {
        actor: opt(actor),
        action: opt(action),
        entity_type: opt(entity_type),
        entity_id: None,
        from: date("from", from)?,
        to: date("to", to)?,
    })
}

async fn audit_page(
    state: &AppState,
    caller: &Caller,
    q: AuditQuery,
) -> Result<AuditPage, AppError> {
    let who = caller.require()?;
    authorize(who, Action::ViewAudit, None, &state.tree())?;
    let filter = audit_filter(&q.actor, &q.action, &q.entity_type, &q.from, &q.to)?;
    let page = i64::from(q.page.unwrap_or(1).clamp(1, 100_000));
    let (entries, total) =
        danvan_storage::audit::list(&state.db, &filter, AUDIT_PAGE, (page - 1) * AUDIT_PAGE)
            .await?;
    let verification = if q.verify.is_some() {
        Some(danvan_storage::audit::verify(&state.db).await?)
    } else {
        None
    };
    let url = |p: i64| {
        let query = serde_urlencoded::to_string([
            ("actor", q.actor.as_str()),
            ("action", q.action.as_str()),
            ("entity_type", q.entity_type.as_str()),
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
            ("page", p.to_string().as_str()),
        ])
        .unwrap_or_default();
        format!("/quan-tri/nhat-ky?{query}")
    };
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: local_time(e.at),
            actor: e.actor,
            action: e.action,
            entity: format!("{} {}", e.entity_type, e.entity_id),
            before: e.before_json,
            after: e.after_json,
        })
        .collect();
    Ok(AuditPage {
        f: Frame::new(state, caller, "/quan-tri/nhat-ky", "audit.title"),
        actions: danvan_storage::audit::actions(&state.db).await?,
        rows,
        total,
        prev_url: (page > 1).then(|| url(page - 1)),
        next_url: (page * AUDIT_PAGE < total).then(|| url(page + 1)),
        verification,
        dl_query: crate::export::filters_query(&[
            ("actor", q.actor.as_str()),
            ("action", q.action.as_str()),
            ("entity_type", q.entity_type.as_str()),
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
        ]),
        q,
    })
}

pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
    Query(dl): Query<crate::export::FormatQuery>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    // "Tải Excel / CSV": every entry under the same filters, not only the page shown.
    if dl.format.is_some() {
        let file = async {
            let who = caller.require()?;
            authorize(who, Action::ViewAudit, None, &state.tree())?;
            let f = crate::export::filters(raw.as_deref());
            let kind = crate::export::ExportKind::Audit;
            crate::export::respond(&state, Some(who), kind, f, &dl, true).await
        }
        .await;
        return file.unwrap_or_else(|e| super::error_page(&state, &caller, "/quan-tri/nhat-ky", e));
    }
    let result = match q {
        Ok(Query(q)) => audit_page(&state, &caller, q).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/quan-tri/nhat-ky", e),
    }
}
