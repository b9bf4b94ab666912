//! The signed-in start page: each role sees its scope and what waits for it.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use danvan_domain::policy::{Action, authorize};

use super::{Frame, local_time, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::service;
use crate::state::AppState;

pub struct GrantRow {
    role: String,
    scope: String,
    organisation: String,
}

pub struct RecentRow {
    at: String,
    actor: String,
    action: String,
    entity: String,
}

pub struct AdminStats {
    accounts: i64,
    disabled: i64,
    locked: i64,
    organisations: i64,
    communes: usize,
    recent: Vec<RecentRow>,
}

/// One thing waiting for the signed-in person, linking to where it is done.
pub struct WorkItem {
    href: String,
    title: String,
    detail: String,
}

/// A group of waiting work, under its heading.
pub struct WorkGroup {
    heading_key: &'static str,
    items: Vec<WorkItem>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    f: Frame,
    work: Vec<WorkGroup>,
    grants: Vec<GrantRow>,
    admin: Option<AdminStats>,
    orgs: Vec<String>,
}

async fn build(state: &AppState, caller: &Caller) -> Result<DashboardPage, AppError> {
    let who = caller.require()?;
    let tree = state.tree();
    authorize(who, Action::UseOwnAccount, None, &tree)?;
    let f = Frame::new(state, caller, "/bang-dieu-khien", "dashboard.title");
    let mut grants = Vec::new();
    for g in &who.grants {
        let organisation = match g.organisation_id {
            Some(id) => danvan_storage::organisations::by_id(&state.db, id)
                .await?
                .map(|o| o.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        grants.push(GrantRow {
            role: f.role_label(g.role).to_string(),
            scope: tree.path_name(g.unit_id),
            organisation,
        });
    }
    let admin = if authorize(who, Action::ViewAudit, None, &tree).is_ok() {
        let (accounts, disabled, locked) = danvan_storage::accounts::counts(&state.db).await?;
        let organisations = danvan_storage::organisations::count(&state.db).await?;
        let today = chrono::Local::now().date_naive();
        let communes = tree
            .iter()
            .filter(|u| u.level == danvan_domain::UnitLevel::Commune && u.valid_at(today))
            .count();
        let (entries, _) = danvan_storage::audit::list(
            &state.db,
            &danvan_storage::audit::AuditFilter::default(),
            8,
            0,
        )
        .await?;
        let recent = entries
            .into_iter()
            .map(|e| RecentRow {
                at: local_time(e.at),
                actor: e.actor,
                action: e.action,
                entity: format!("{} {}", e.entity_type, e.entity_id),
            })
            .collect();
        Some(AdminStats {
            accounts,
            disabled,
            locked,
            organisations,
            communes,
            recent,
        })
    } else {
        None
    };
    let orgs = if admin.is_none() {
        service::organisations::list(state, who)
            .await
            .unwrap_or_default()
            .into_iter()
            .take(20)
            .map(|o| {
                format!(
                    "{} — {}",
                    o.name,
                    tree.get(o.unit_id).map(|u| u.name.as_str()).unwrap_or("")
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let work = work_for(state, caller).await?;
    Ok(DashboardPage {
        work,
        f,
        grants,
        admin,
        orgs,
    })
}

pub async fn show(State(state): State<AppState>, caller: Caller) -> Response {
    match build(&state, &caller).await {
        Ok(page) => render(page),
        Err(e) => super::error_page(&state, &caller, "/bang-dieu-khien", e),
    }
}

/// Registrations and reports waiting for an officer; a reporter's own models.
async fn work_for(state: &AppState, caller: &Caller) -> Result<Vec<WorkGroup>, AppError> {
    use danvan_domain::movement::State as St;
    use danvan_domain::policy::scope;
    let Some(who) = caller.principal.as_ref() else {
        return Ok(Vec::new());
    };
    let tree = state.tree();
    let vi = caller.vi();
    let state_label = |code: &str| {
        St::parse(code)
            .map(|s| if vi { s.label_vi() } else { s.label_en() })
            .unwrap_or("")
            .to_string()
    };
    let mut groups = Vec::new();
    let review_units: Vec<i64> = scope(who, Action::ReviewInitiative, &tree)
        .into_iter()
        .collect();
    if !review_units.is_empty() {
        let filter = danvan_storage::movement::initiatives::Filter {
            states: vec![St::Submitted.code().to_string()],
            scope_units: Some(review_units.clone()),
            ..Default::default()
        };
        let (rows, _) =
            danvan_storage::movement::initiatives::list(&state.db, &filter, 50, 0).await?;
        groups.push(WorkGroup {
            heading_key: "dashboard.pending_registrations",
            items: rows
                .into_iter()
                .map(|i| WorkItem {
                    href: format!("/mo-hinh/{}", i.id),
                    detail: tree
                        .get(i.unit_id)
                        .map(|u| u.name.clone())
                        .unwrap_or_default(),
                    title: i.title,
                })
                .collect(),
        });
        let pending =
            danvan_storage::movement::reports::pending_by_initiative(&state.db, &review_units)
                .await?;
        groups.push(WorkGroup {
            heading_key: "dashboard.pending_reports",
            items: pending
                .into_iter()
                .map(|(id, title, n)| WorkItem {
                    href: format!("/mo-hinh/{id}"),
                    title,
                    detail: n.to_string(),
                })
                .collect(),
        });
    }
    if who
        .grants
        .iter()
        .any(|g| g.role == danvan_domain::Role::Reporter)
    {
        let (rows, _) =
            service::initiatives::list(state, Some(who), Default::default(), 50, 0).await?;
        groups.push(WorkGroup {
            heading_key: "dashboard.my_models",
            items: rows
                .into_iter()
                .map(|i| WorkItem {
                    href: format!("/mo-hinh/{}", i.id),
                    detail: state_label(&i.state),
                    title: i.title,
                })
                .collect(),
        });
    }
    Ok(groups)
}
