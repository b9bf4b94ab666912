//! The province's petition settings: routing rules, time limits per kind, Open311 keys.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use danvan_domain::petition::{Kind, Topic};
use danvan_domain::policy::{Action, authorize};
use danvan_domain::text::vi_cmp;
use danvan_storage::audit::{self, Change};
use danvan_storage::petitions as store;
use serde::Deserialize;

use super::{Frame, Refusal, error_page, local_time};
use crate::auth::Caller;
use crate::error::AppError;
use crate::service::petitions::{self as svc, RuleInput, TimeLimitInput};
use crate::state::AppState;

const PATH: &str = "/quan-tri/kien-nghi";

#[derive(Template)]
#[template(path = "petition_rules.html")]
struct RulesPage {
    f: Frame,
    /// (id, unit, field label, body)
    rules: Vec<(i64, String, String, String)>,
    /// (code, label)
    fields: Vec<(String, String)>,
    /// (id, name)
    bodies: Vec<(i64, String)>,
    /// (kind code, label, limit)
    limits: Vec<(String, String, danvan_domain::petition::TimeLimit)>,
    /// (id, name, created, revoked)
    keys: Vec<(i64, String, String, bool)>,
    new_key: Option<String>,
    errors: Vec<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    new_key: Option<String>,
    notice: Option<String>,
    err: Option<AppError>,
) -> Response {
    let result = async {
        let who = caller.require()?;
        authorize(who, Action::ManagePetitionRules, None, &state.tree())?;
        let vi = caller.vi();
        let tree = state.tree();
        let all_units: Vec<i64> = tree.iter().map(|u| u.id).collect();
        let mut bodies: Vec<(i64, String)> =
            danvan_storage::organisations::in_units(&state.db, &all_units)
                .await?
                .into_iter()
                .filter(|o| {
                    matches!(
                        o.kind.as_str(),
                        "agency" | "armed_forces" | "fatherland_front"
                    )
                })
                .map(|o| (o.id, o.name))
                .collect();
        bodies.sort_by(|a, b| vi_cmp(&a.1, &b.1));
        let field_label = |code: &str| match Topic::parse(code) {
            Some(t) => if vi { t.label_vi() } else { t.label_en() }.to_string(),
            None => if vi { "Mọi lĩnh vực" } else { "Any field" }.to_string(),
        };
        let rules = store::routing_rules(&state.db)
            .await?
            .into_iter()
            .map(|r| {
                let unit = tree
                    .get(r.unit_id)
                    .map(|u| format!("{} ({})", u.name, u.code))
                    .unwrap_or_default();
                let body = bodies
                    .iter()
                    .find(|(id, _)| *id == r.organisation_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| r.organisation_id.to_string());
                (r.id, unit, field_label(&r.topic), body)
            })
            .collect();
        let mut fields = vec![("*".to_string(), field_label("*"))];
        fields.extend(
            Topic::ALL
                .iter()
                .map(|t| (t.code().to_string(), field_label(t.code()))),
        );
        let mut limits = Vec::new();
        for k in Kind::ALL {
            limits.push((
                k.code().to_string(),
                if vi { k.label_vi() } else { k.label_en() }.to_string(),
                svc::time_limit(&state.db, *k).await?,
            ));
        }
        let keys = store::open311_keys(&state.db)
            .await?
            .into_iter()
            .map(|k| {
                (
                    k.id,
                    k.name,
                    local_time(k.created_at),
                    k.revoked_at.is_some(),
                )
            })
            .collect();
        Ok::<_, AppError>((rules, fields, bodies, limits, keys))
    }
    .await;
    let (rules, fields, bodies, limits, keys) = match result {
        Ok(v) => v,
        Err(e) => return error_page(state, caller, PATH, e),
    };
    let vi = caller.vi();
    let Refusal {
        errors,
        error,
        status,
    } = Refusal::of(err.as_ref(), vi);
    let p = RulesPage {
        f: Frame::new(state, caller, PATH, "nav.petition_rules"),
        rules,
        fields,
        bodies,
        limits,
        keys,
        new_key,
        errors,
        error,
        notice,
    };
    Refusal::respond(status, p)
}

pub async fn show(State(state): State<AppState>, caller: Caller) -> Response {
    page(&state, &caller, None, None, None).await
}

fn saved(caller: &Caller) -> Option<String> {
    Some(if caller.vi() { "Đã lưu." } else { "Saved." }.to_string())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RuleForm {
    unit_code: String,
    field: String,
    organisation_id: String,
}

pub async fn add_rule(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<RuleForm>,
) -> Response {
    let result = async {
        let who = caller.require()?;
        let input = RuleInput {
            unit_code: form.unit_code,
            field: form.field,
            organisation_id: form.organisation_id.trim().parse().unwrap_or(0),
        };
        svc::set_rule(&state, who, &input).await
    }
    .await;
    match result {
        Ok(_) => page(&state, &caller, None, saved(&caller), None).await,
        Err(e) => page(&state, &caller, None, None, Some(e)).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IdForm {
    id: i64,
}

pub async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<IdForm>,
) -> Response {
    let result = async {
        let who = caller.require()?;
        svc::delete_rule(&state, who, form.id).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to(PATH).into_response(),
        Err(e) => page(&state, &caller, None, None, Some(e)).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LimitForm {
    kind: String,
    accept_days: String,
    accept_working: String,
    resolve_days: String,
    resolve_working: String,
    complex_days: String,
    extension_days: String,
    max_extensions: String,
}

pub async fn set_limit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<LimitForm>,
) -> Response {
    let num = |s: &str| s.trim().parse::<i64>().unwrap_or(-1);
    let result = async {
        let who = caller.require()?;
        let input = TimeLimitInput {
            kind: form.kind.clone(),
            accept_days: num(&form.accept_days),
            accept_working: !form.accept_working.is_empty(),
            resolve_days: num(&form.resolve_days),
            resolve_working: !form.resolve_working.is_empty(),
            complex_days: num(&form.complex_days),
            extension_days: num(&form.extension_days),
            max_extensions: num(&form.max_extensions),
        };
        svc::set_time_limit(&state, who, &input).await
    }
    .await;
    match result {
        Ok(_) => page(&state, &caller, None, saved(&caller), None).await,
        Err(e) => page(&state, &caller, None, None, Some(e)).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeyForm {
    name: String,
}

pub async fn add_key(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<KeyForm>,
) -> Response {
    let result = async {
        let who = caller.require()?;
        authorize(who, Action::ManagePetitionRules, None, &state.tree())?;
        svc::add_open311_key(&state.db, &crate::service::actor(who), &form.name).await
    }
    .await;
    match result {
        Ok((_, key)) => page(&state, &caller, Some(key), None, None).await,
        Err(e) => page(&state, &caller, None, None, Some(e)).await,
    }
}

pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<IdForm>,
) -> Response {
    let result = async {
        let who = caller.require()?;
        authorize(who, Action::ManagePetitionRules, None, &state.tree())?;
        let mut tx = state.db.begin().await?;
        if !store::revoke_open311_key(&mut tx, form.id).await? {
            return Err(AppError::NotFound);
        }
        audit::append(
            &mut tx,
            &crate::service::actor(who),
            Change {
                action: "open311_key.revoke",
                entity_type: "open311_key",
                entity_id: form.id.to_string(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(PATH).into_response(),
        Err(e) => page(&state, &caller, None, None, Some(e)).await,
    }
}
