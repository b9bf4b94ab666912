//! Organisations in the caller's scope, and adding one.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use danvan_domain::organisation::OrganisationKind;
use danvan_domain::policy::{Action, authorize};

use super::{Frame, field_errors, find_err, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::{self, organisations::NewOrganisation};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsPage {
    f: Frame,
    rows: Vec<(String, String, String)>,
    can_create: bool,
    kinds: Vec<(&'static str, &'static str)>,
    form: NewOrganisation,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl OrganisationsPage {
    fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    form: NewOrganisation,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<OrganisationsPage, AppError> {
    let who = caller.require()?;
    let tree = state.tree();
    let orgs = service::organisations::list(state, who).await?;
    let label = |k: &str| {
        OrganisationKind::parse(k)
            .map(|k| {
                if caller.lang == Lang::Vi {
                    k.label_vi()
                } else {
                    k.label_en()
                }
            })
            .unwrap_or("")
            .to_string()
    };
    let rows = orgs
        .iter()
        .map(|o| (o.name.clone(), label(&o.kind), tree.path_name(o.unit_id)))
        .collect();
    let kinds = OrganisationKind::ALL
        .into_iter()
        .map(|k| {
            (
                k.code(),
                if caller.lang == Lang::Vi {
                    k.label_vi()
                } else {
                    k.label_en()
                },
            )
        })
        .collect();
    Ok(OrganisationsPage {
        f: Frame::new(state, caller, "/to-chuc", "orgs.title"),
        rows,
        can_create: authorize(who, Action::ManageOrganisations, None, &tree).is_ok(),
        kinds,
        form,
        errors,
        notice,
    })
}

pub async fn list(State(state): State<AppState>, caller: Caller) -> Response {
    match page(&state, &caller, NewOrganisation::default(), vec![], None).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/to-chuc", e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<NewOrganisation>,
) -> Response {
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return super::error_page(&state, &caller, "/to-chuc", e),
    };
    let (form, errors, notice, status) =
        match service::organisations::create(&state, &who, &form).await {
            Ok(_) => (
                NewOrganisation::default(),
                vec![],
                Some(crate::i18n::t(caller.lang, "orgs.created").to_string()),
                StatusCode::OK,
            ),
            Err(e @ AppError::Invalid(_)) => (
                form,
                field_errors(&e, caller.vi()),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(e) => return super::error_page(&state, &caller, "/to-chuc", e),
        };
    match page(&state, &caller, form, errors, notice).await {
        Ok(p) => (status, render(p)).into_response(),
        Err(e) => super::error_page(&state, &caller, "/to-chuc", e),
    }
}
