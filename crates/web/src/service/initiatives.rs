//! Models ("initiatives"): registration, the lifecycle, progress reports and evidence, and
//! who may see what.

use chrono::NaiveDate;
use danvan_domain::movement::{
    self, Field, IndicatorKind, Milestone, RegistrantKind, State, Transition,
};
use danvan_domain::policy::{Action, Principal, Target, authorize_for, scope};
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::audit::{self, Change};
use danvan_storage::movement::campaigns::{self, Campaign};
use danvan_storage::movement::initiatives::{self, Content, Filter, Initiative};
use danvan_storage::movement::reports::{self, EvidenceMeta};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IndicatorInput {
    /// money_vnd, land_m2, labour_days, road_km, bridges, houses, households, people or custom
    pub kind: String,
    pub target: f64,
    /// For `custom`: what is counted, and its unit.
    pub name: Option<String>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InitiativeInput {
    pub campaign_id: i64,
    pub title: String,
    /// One of the campaign's title groups; default its first.
    pub title_group: Option<String>,
    pub field: String,
    pub sub_theme: Option<String>,
    pub unit_code: String,
    /// Default: the reporter's organisation.
    pub organisation_id: Option<i64>,
    /// organisation (default), collective or individual
    pub registrant_kind: Option<String>,
    /// The collective's or person's name; default the organisation's name.
    pub registrant_name: Option<String>,
    pub summary: String,
    pub goals: String,
    pub partners: String,
    /// YYYY-MM-DD; default the campaign's registration close and 31 December.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub indicators: Vec<IndicatorInput>,
    /// For replication: the published model adopted.
    pub source_id: Option<i64>,
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn vn_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The organisation a registrant acts for: the one given, or the reporter's own.
fn organisation_of(by: Option<&Principal>, given: Option<i64>) -> Option<i64> {
    given.or_else(|| by.and_then(|b| b.grants.iter().find_map(|g| g.organisation_id)))
}

/// Parses and checks a registration against its campaign and the unit tree.
async fn content(
    state: &AppState,
    by: Option<&Principal>,
    campaign: &Campaign,
    input: &InitiativeInput,
) -> Result<Content, AppError> {
    let mut errors = Invalid::default();
    let title = validate::text("title", &input.title, 300, false)
        .map_err(|e| errors.push(e))
        .ok();
    let summary = validate::text("summary", &input.summary, 5000, true)
        .map_err(|e| errors.push(e))
        .ok();
    let goals = validate::optional_text("goals", &input.goals, 5000, true)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
        .unwrap_or_default();
    let partners = validate::optional_text("partners", &input.partners, 1000, true)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
        .unwrap_or_default();
    let field = Field::parse(input.field.trim());
    match field {
        None => errors.push(FieldError::new(
            "field",
            "unknown_field",
            "Lĩnh vực không hợp lệ.",
            "Unknown field.",
        )),
        Some(f) if !campaign.fields.iter().any(|cf| cf.field == f.code()) => {
            errors.push(FieldError::new(
                "field",
                "field_not_in_campaign",
                "Đợt thi đua không có lĩnh vực này.",
                "The campaign does not run this field.",
            ))
        }
        _ => {}
    }
    let title_group = match input
        .title_group
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(g) if campaign.title_groups.iter().any(|t| t == g) => g.to_string(),
        Some(_) => {
            errors.push(FieldError::new(
                "title_group",
                "unknown_title_group",
                "Danh hiệu thi đua không thuộc đợt này.",
                "Not a title group of this campaign.",
            ));
            String::new()
        }
        None => campaign.title_groups.first().cloned().unwrap_or_default(),
    };
    let sub_theme = validate::optional_text(
        "sub_theme",
        input.sub_theme.as_deref().unwrap_or(""),
        200,
        false,
    )
    .map_err(|e| errors.push(e))
    .ok()
    .flatten();
    let unit = super::resolve_unit(state, "unit_code", &input.unit_code)
        .map_err(|e| errors.push(e))
        .ok();
    let kind = match input
        .registrant_kind
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(RegistrantKind::Organisation),
        Some(k) => RegistrantKind::parse(k),
    };
    if kind.is_none() {
        errors.push(FieldError::new(
            "registrant_kind",
            "unknown_registrant_kind",
            "Loại chủ thể không hợp lệ.",
            "Unknown registrant kind.",
        ));
    }
    let organisation_id = organisation_of(by, input.organisation_id);
    let organisation = match organisation_id {
        Some(id) => danvan_storage::organisations::by_id(&state.db, id).await?,
        None => None,
    };
    if organisation_id.is_some() && organisation.is_none() {
        errors.push(FieldError::new(
            "organisation_id",
            "unknown_organisation",
            "Không có tổ chức này.",
            "No such organisation.",
        ));
    }
    let registrant_name = match input
        .registrant_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(n) => validate::text("registrant_name", n, 300, false)
            .map_err(|e| errors.push(e))
            .ok(),
        None => match (&organisation, kind) {
            (Some(o), Some(RegistrantKind::Organisation)) => Some(o.name.clone()),
            _ => {
                errors.push(FieldError::new(
                    "registrant_name",
                    "required",
                    "Cần ghi tên tập thể hoặc cá nhân.",
                    "Name the collective or the person.",
                ));
                None
            }
        },
    };
    let starts_on = match input.starts_on.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => validate::date("starts_on", s)
            .map_err(|e| errors.push(e))
            .ok(),
        None => Some(campaign.registration_closes),
    };
    let ends_on = match input.ends_on.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => validate::date("ends_on", s)
            .map_err(|e| errors.push(e))
            .ok(),
        None => NaiveDate::from_ymd_opt(campaign.year as i32, 12, 31),
    };
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && s > e
    {
        errors.push(FieldError::new(
            "ends_on",
            "dates_out_of_order",
            "Ngày kết thúc phải sau ngày bắt đầu.",
            "The end must follow the start.",
        ));
    }
    if input.indicators.is_empty() {
        errors.push(FieldError::new(
            "indicators",
            "required",
            "Cần ít nhất một chỉ tiêu.",
            "At least one indicator is needed.",
        ));
    }
    if input.indicators.len() > 30 {
        errors.push(FieldError::new(
            "indicators",
            "too_many",
            "Tối đa 30 chỉ tiêu.",
            "At most 30 indicators.",
        ));
    }
    let mut indicators = Vec::new();
    for ind in &input.indicators {
        let Some(k) = IndicatorKind::parse(ind.kind.trim()) else {
            errors.push(FieldError::new(
                "indicators",
                "unknown_indicator_kind",
                format!("Loại chỉ tiêu “{}” không hợp lệ.", ind.kind),
                format!("Unknown indicator kind “{}”.", ind.kind),
            ));
            continue;
        };
        if !ind.target.is_finite() || ind.target < 0.0 || ind.target > 1e15 {
            errors.push(FieldError::new(
                "indicators",
                "invalid_target",
                "Chỉ tiêu phải là số không âm.",
                "A target must be a non-negative number.",
            ));
            continue;
        }
        let (name, unit) = if k == IndicatorKind::Custom {
            let name = validate::text("indicators", ind.name.as_deref().unwrap_or(""), 200, false)
                .map_err(|e| errors.push(e))
                .ok();
            let unit = validate::text("indicators", ind.unit.as_deref().unwrap_or(""), 50, false)
                .map_err(|e| errors.push(e))
                .ok();
            (name, unit)
        } else {
            (None, None)
        };
        indicators.push((k.code().to_string(), name, unit, ind.target));
    }
    errors.clone().into_result()?;
    match (
        title,
        summary,
        field,
        unit,
        kind,
        registrant_name,
        starts_on,
        ends_on,
    ) {
        (
            Some(title),
            Some(summary),
            Some(field),
            Some(unit),
            Some(kind),
            Some(registrant_name),
            Some(starts_on),
            Some(ends_on),
        ) => Ok(Content {
            title,
            title_group,
            field: field.code().into(),
            sub_theme,
            unit_id: unit.id,
            organisation_id,
            registrant_kind: kind.code().into(),
            registrant_name,
            summary,
            goals,
            partners,
            starts_on,
            ends_on,
            indicators,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

fn window_closed(c: &Campaign) -> AppError {
    AppError::invalid(FieldError::new(
        "campaign_id",
        "registration_closed",
        format!(
            "Đợt thi đua “{}” chỉ nhận đăng ký từ {} đến {}.",
            c.title,
            vn_date(c.registration_opens),
            vn_date(c.registration_closes)
        ),
        format!(
            "Campaign “{}” takes registrations from {} to {} only.",
            c.title,
            vn_date(c.registration_opens),
            vn_date(c.registration_closes)
        ),
    ))
}

/// A write that found the model changed since it was read: someone else saved first.
fn stale(e: danvan_storage::StoreError) -> AppError {
    match e {
        danvan_storage::StoreError::Conflict(_) => AppError::Conflict("edit_conflict"),
        other => other.into(),
    }
}

fn target(i: &Initiative) -> Target {
    Target {
        unit: Some(i.unit_id),
        organisation: i.organisation_id,
    }
}

fn snapshot(i: &Initiative) -> serde_json::Value {
    json!({"title": i.title, "field": i.field, "unit_id": i.unit_id, "state": i.state, "version": i.version})
}

/// May `by` register (or edit) content for its unit and organisation?
fn may_register(state: &AppState, by: &Principal, c: &Content) -> Result<(), AppError> {
    let target = Target {
        unit: Some(c.unit_id),
        organisation: c.organisation_id,
    };
    Ok(authorize_for(
        by,
        Action::RegisterInitiative,
        target,
        &state.tree(),
    )?)
}

/// A registration that passed every check and the policy, not yet written.
pub struct Registration {
    pub campaign: Campaign,
    pub content: Content,
    pub source_id: Option<i64>,
}

/// Checks a registration as `register` does: the campaign's window, the content, the
/// policy for its unit and organisation (skipped only for the system, `by` = `None`, as the
/// shell's import), and the replicated source. Shared with the spreadsheet import so that a
/// file is held to exactly the rules of one registration.
pub async fn check_registration(
    state: &AppState,
    by: Option<&Principal>,
    input: &InitiativeInput,
) -> Result<Registration, AppError> {
    let campaign = campaigns::by_id(&state.db, input.campaign_id)
        .await?
        .ok_or_else(|| {
            AppError::invalid(FieldError::new(
                "campaign_id",
                "unknown_campaign",
                "Không có đợt thi đua này.",
                "No such campaign.",
            ))
        })?;
    if !campaign.registration_open_on(today()) {
        return Err(window_closed(&campaign));
    }
    let c = content(state, by, &campaign, input).await?;
    if let Some(by) = by {
        may_register(state, by, &c)?;
    }
    if let Some(source) = input.source_id {
        let src = initiatives::by_id(&state.db, source).await?;
        if !src
            .as_ref()
            .is_some_and(|s| State::parse(&s.state).is_some_and(State::is_public))
        {
            return Err(AppError::invalid(FieldError::new(
                "source_id",
                "unknown_source",
                "Chỉ nhân rộng được mô hình đã công bố.",
                "Only a published model can be replicated.",
            )));
        }
    }
    Ok(Registration {
        campaign,
        content: c,
        source_id: input.source_id,
    })
}

/// Writes a checked registration (submitted when `submit`) with its audit entry inside the
/// caller's transaction; returns the new model's id.
pub async fn write_registration(
    tx: &mut danvan_storage::Tx,
    actor: &audit::Actor,
    by: Option<i64>,
    r: &Registration,
    submit: bool,
) -> Result<i64, AppError> {
    let c = &r.content;
    let id =
        initiatives::create(tx, r.campaign.id, r.source_id, c, State::Draft.code(), by).await?;
    if submit {
        initiatives::set_state(
            tx,
            id,
            1,
            initiatives::Move {
                from: State::Draft.code(),
                to: State::Submitted.code(),
                action: Transition::Submit.code(),
                comment: None,
                by,
            },
        )
        .await?;
    }
    let created = Change {
        action: if r.source_id.is_some() {
            "initiative.replicate"
        } else {
            "initiative.create"
        },
        entity_type: "initiative",
        entity_id: id.to_string(),
        before: None,
        after: Some(
            json!({"title": c.title, "field": c.field, "unit_id": c.unit_id, "organisation_id": c.organisation_id, "source_id": r.source_id, "indicators": c.indicators.len(), "submitted": submit}),
        ),
    };
    audit::append(tx, actor, created).await?;
    Ok(id)
}

/// Registers a draft (and submits it when `submit`). Replication names its source.
pub async fn register(
    state: &AppState,
    by: &Principal,
    input: &InitiativeInput,
    submit: bool,
) -> Result<Initiative, AppError> {
    danvan_domain::policy::authorize(by, Action::RegisterInitiative, None, &state.tree())?;
    let r = check_registration(state, Some(by), input).await?;
    let mut tx = state.db.begin().await?;
    let id =
        write_registration(&mut tx, &super::actor(by), Some(by.account_id), &r, submit).await?;
    tx.commit().await?;
    initiatives::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Saves an edited draft or returned registration; a stale `version` is a conflict.
pub async fn update(
    state: &AppState,
    by: &Principal,
    id: i64,
    version: i64,
    input: &InitiativeInput,
) -> Result<Initiative, AppError> {
    let before = initiatives::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize_for(
        by,
        Action::RegisterInitiative,
        target(&before),
        &state.tree(),
    )?;
    if !State::parse(&before.state).is_some_and(movement::is_editable) {
        return Err(AppError::Conflict("not_editable"));
    }
    if before.version != version {
        return Err(AppError::Conflict("edit_conflict"));
    }
    let campaign = campaigns::by_id(&state.db, before.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut c = content(state, Some(by), &campaign, input).await?;
    c.organisation_id = before.organisation_id;
    may_register(state, by, &c)?;
    let mut tx = state.db.begin().await?;
    initiatives::update(&mut tx, id, version, &c)
        .await
        .map_err(stale)?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "initiative.update",
            entity_type: "initiative",
            entity_id: id.to_string(),
            before: Some(snapshot(&before)),
            after: Some(json!({"title": c.title, "field": c.field, "unit_id": c.unit_id})),
        },
    )
    .await?;
    tx.commit().await?;
    initiatives::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Applies a lifecycle transition after checking who may ask for it.
pub async fn transition(
    state: &AppState,
    by: &Principal,
    id: i64,
    action: &str,
    comment: Option<&str>,
) -> Result<Initiative, AppError> {
    let t = Transition::parse(action.trim()).ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "action",
            "unknown_action",
            "Thao tác không hợp lệ.",
            "Unknown action.",
        ))
    })?;
    let i = initiatives::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tree = state.tree();
    match t.side() {
        movement::Side::Registrant => {
            authorize_for(by, Action::RegisterInitiative, target(&i), &tree)?
        }
        movement::Side::Reviewer => authorize_for(
            by,
            Action::ReviewInitiative,
            Target {
                unit: Some(i.unit_id),
                organisation: None,
            },
            &tree,
        )?,
    }
    let from =
        State::parse(&i.state).ok_or(AppError::Internal(format!("unknown state {}", i.state)))?;
    let to = movement::next_state(from, t).ok_or(AppError::Conflict("illegal_transition"))?;
    let comment = validate::optional_text("comment", comment.unwrap_or(""), 2000, true)?;
    if t.needs_comment() && comment.is_none() {
        return Err(AppError::invalid(FieldError::new(
            "comment",
            "comment_required",
            "Cần ghi rõ lý do.",
            "A reason is required.",
        )));
    }
    if t == Transition::Submit {
        let campaign = campaigns::by_id(&state.db, i.campaign_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !campaign.registration_open_on(today()) {
            return Err(window_closed(&campaign));
        }
    }
    let mut tx = state.db.begin().await?;
    initiatives::set_state(
        &mut tx,
        id,
        i.version,
        initiatives::Move {
            from: from.code(),
            to: to.code(),
            action: t.code(),
            comment: comment.as_deref(),
            by: Some(by.account_id),
        },
    )
    .await
    .map_err(stale)?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "initiative.transition",
            entity_type: "initiative",
            entity_id: id.to_string(),
            before: Some(json!({"state": from.code()})),
            after: Some(json!({"state": to.code(), "action": t.code(), "comment": comment})),
        },
    )
    .await?;
    tx.commit().await?;
    initiatives::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether `by` (or the public, when `None`) may see the model.
pub fn can_view(state: &AppState, by: Option<&Principal>, i: &Initiative) -> bool {
    if State::parse(&i.state).is_some_and(State::is_public) {
        return true;
    }
    by.is_some_and(|p| authorize_for(p, Action::ViewInitiative, target(i), &state.tree()).is_ok())
}

pub async fn get(
    state: &AppState,
    by: Option<&Principal>,
    id: i64,
) -> Result<Initiative, AppError> {
    let i = initiatives::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if can_view(state, by, &i) {
        Ok(i)
    } else if by.is_none() {
        // The public learns nothing about unpublished models, not even that they exist.
        Err(AppError::NotFound)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A list for the caller: the public sees published models; staff also see the unpublished
/// ones in their scope (reporters: their organisation's).
pub async fn list(
    state: &AppState,
    by: Option<&Principal>,
    mut f: Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Initiative>, i64), AppError> {
    let public: Vec<String> = State::PUBLIC.iter().map(|s| s.code().to_string()).collect();
    let staff = by.filter(|p| !scope(p, Action::ViewInitiative, &state.tree()).is_empty());
    match staff {
        None => {
            if f.states.is_empty() {
                f.states = public;
            } else {
                f.states.retain(|s| public.contains(s));
                if f.states.is_empty() {
                    return Ok((Vec::new(), 0));
                }
            }
        }
        Some(p) => {
            let units: Vec<i64> = scope(p, Action::ViewInitiative, &state.tree())
                .into_iter()
                .collect();
            f.scope_units = Some(units);
            let orgs: Vec<i64> = p
                .grants
                .iter()
                .filter(|g| g.role == danvan_domain::Role::Reporter)
                .filter_map(|g| g.organisation_id)
                .collect();
            let only_reporter = p
                .grants
                .iter()
                .all(|g| g.role == danvan_domain::Role::Reporter);
            if only_reporter {
                match orgs.first() {
                    Some(o) => f.organisation_id = Some(*o),
                    None => return Ok((Vec::new(), 0)),
                }
            }
        }
    }
    Ok(initiatives::list(&state.db, &f, limit, offset).await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReportInput {
    /// midyear or yearend
    pub milestone: String,
    pub narrative: String,
    /// Cumulative values per indicator.
    pub values: Vec<ValueInput>,
    /// Required when a value is lower than the last verified one.
    pub correction_note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ValueInput {
    pub indicator_id: i64,
    pub value: f64,
}

/// Files a progress report; the first one moves a registered model to "reporting".
pub async fn file_report(
    state: &AppState,
    by: &Principal,
    initiative_id: i64,
    input: &ReportInput,
) -> Result<reports::Report, AppError> {
    let i = initiatives::by_id(&state.db, initiative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize_for(by, Action::RegisterInitiative, target(&i), &state.tree())?;
    let st = State::parse(&i.state).ok_or(AppError::Internal("state".into()))?;
    if !movement::accepts_reports(st) {
        return Err(AppError::Conflict("not_accepting_reports"));
    }
    let mut errors = Invalid::default();
    let milestone = Milestone::parse(input.milestone.trim());
    if milestone.is_none() {
        errors.push(FieldError::new(
            "milestone",
            "unknown_milestone",
            "Kỳ báo cáo không hợp lệ.",
            "Unknown milestone.",
        ));
    }
    let narrative = validate::text("narrative", &input.narrative, 10_000, true)
        .map_err(|e| errors.push(e))
        .ok();
    let correction = validate::optional_text(
        "correction_note",
        input.correction_note.as_deref().unwrap_or(""),
        2000,
        true,
    )
    .map_err(|e| errors.push(e))
    .ok()
    .flatten();
    let indicators = initiatives::indicators(&state.db, initiative_id).await?;
    let last = latest_verified(state, initiative_id).await?;
    let mut values = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for v in &input.values {
        if !indicators.iter().any(|ind| ind.id == v.indicator_id) || !seen.insert(v.indicator_id) {
            errors.push(FieldError::new(
                "values",
                "unknown_indicator",
                "Chỉ tiêu không thuộc mô hình này hoặc bị lặp.",
                "The indicator is not this model's, or is repeated.",
            ));
            continue;
        }
        if !v.value.is_finite() || v.value < 0.0 || v.value > 1e15 {
            errors.push(FieldError::new(
                "values",
                "invalid_value",
                "Kết quả phải là số không âm.",
                "A value must be a non-negative number.",
            ));
            continue;
        }
        if let Some((_, prev)) = last.iter().find(|(id, _)| *id == v.indicator_id)
            && v.value < *prev
            && correction.is_none()
        {
            errors.push(FieldError::new(
                "correction_note",
                "value_decreased",
                format!("Kết quả cộng dồn thấp hơn lần báo cáo đã xác minh ({prev}); cần ghi rõ lý do điều chỉnh."),
                format!("A cumulative value is lower than the last verified one ({prev}); state the correction."),
            ));
        }
        values.push((v.indicator_id, v.value));
    }
    errors.clone().into_result()?;
    let (Some(milestone), Some(narrative)) = (milestone, narrative) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = state.db.begin().await?;
    let id = reports::create(
        &mut tx,
        initiative_id,
        milestone.code(),
        &narrative,
        correction.as_deref(),
        &values,
        Some(by.account_id),
    )
    .await?;
    if st == State::Registered {
        initiatives::set_state(
            &mut tx,
            initiative_id,
            i.version,
            initiatives::Move {
                from: st.code(),
                to: State::Reporting.code(),
                action: "report",
                comment: None,
                by: Some(by.account_id),
            },
        )
        .await
        .map_err(stale)?;
    }
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "report.file",
            entity_type: "report",
            entity_id: id.to_string(),
            before: Some(if last.is_empty() { json!(null) } else { json!(last) }),
            after: Some(json!({"initiative_id": initiative_id, "milestone": milestone.code(), "values": values, "correction_note": correction})),
        },
    )
    .await?;
    tx.commit().await?;
    reports::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The latest verified cumulative value of each indicator.
pub async fn latest_verified(
    state: &AppState,
    initiative_id: i64,
) -> Result<Vec<(i64, f64)>, AppError> {
    let reps = reports::for_initiative(&state.db, initiative_id).await?;
    let values = reports::values(&state.db, initiative_id).await?;
    let mut out: Vec<(i64, f64)> = Vec::new();
    for r in reps.iter().filter(|r| r.state == "verified") {
        for v in values.iter().filter(|v| v.report_id == r.id) {
            match out.iter_mut().find(|(id, _)| *id == v.indicator_id) {
                Some(slot) => slot.1 = v.value,
                None => out.push((v.indicator_id, v.value)),
            }
        }
    }
    Ok(out)
}

/// The officer verifies a report or sends it back with a comment.
pub async fn review_report(
    state: &AppState,
    by: &Principal,
    report_id: i64,
    action: &str,
    comment: Option<&str>,
) -> Result<reports::Report, AppError> {
    let r = reports::by_id(&state.db, report_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let i = initiatives::by_id(&state.db, r.initiative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize_for(
        by,
        Action::ReviewInitiative,
        Target {
            unit: Some(i.unit_id),
            organisation: None,
        },
        &state.tree(),
    )?;
    let new_state = match action.trim() {
        "verify" => "verified",
        "return" => "returned",
        _ => {
            return Err(AppError::invalid(FieldError::new(
                "action",
                "unknown_action",
                "Thao tác không hợp lệ.",
                "Unknown action.",
            )));
        }
    };
    let comment = validate::optional_text("comment", comment.unwrap_or(""), 2000, true)?;
    if new_state == "returned" && comment.is_none() {
        return Err(AppError::invalid(FieldError::new(
            "comment",
            "comment_required",
            "Cần ghi rõ lý do trả lại.",
            "A reason is required.",
        )));
    }
    let mut tx = state.db.begin().await?;
    reports::review(
        &mut tx,
        report_id,
        new_state,
        comment.as_deref(),
        Some(by.account_id),
    )
    .await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "report.review",
            entity_type: "report",
            entity_id: report_id.to_string(),
            before: Some(json!({"state": r.state})),
            after: Some(json!({"state": new_state, "comment": comment})),
        },
    )
    .await?;
    tx.commit().await?;
    reports::by_id(&state.db, report_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Stores an evidence file (photo or PDF) for a model, optionally tied to one of its reports.
pub async fn add_evidence(
    state: &AppState,
    by: &Principal,
    initiative_id: i64,
    report_id: Option<i64>,
    bytes: Vec<u8>,
    caption: &str,
) -> Result<reports::Evidence, AppError> {
    let i = initiatives::by_id(&state.db, initiative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize_for(by, Action::RegisterInitiative, target(&i), &state.tree())?;
    if let Some(r) = report_id
        && reports::by_id(&state.db, r)
            .await?
            .is_none_or(|r| r.initiative_id != initiative_id)
    {
        return Err(AppError::invalid(FieldError::new(
            "report_id",
            "unknown_report",
            "Báo cáo không thuộc mô hình này.",
            "The report is not this model's.",
        )));
    }
    let caption = validate::text("caption", caption, 300, false)?;
    let stored = super::store_file(state, bytes).await?;
    let meta = EvidenceMeta {
        sha256: stored.sha256.clone(),
        mime: stored.mime.to_string(),
        size: stored.size as i64,
        width: stored.width.map(i64::from),
        height: stored.height.map(i64::from),
    };
    let mut tx = state.db.begin().await?;
    let id = reports::add_evidence(
        &mut tx,
        initiative_id,
        report_id,
        &meta,
        &caption,
        Some(by.account_id),
    )
    .await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change { action: "evidence.add", entity_type: "initiative", entity_id: initiative_id.to_string(), before: None, after: Some(json!({"evidence_id": id, "sha256": meta.sha256, "mime": meta.mime, "size": meta.size, "caption": caption})) },
    )
    .await?;
    tx.commit().await?;
    let all = reports::evidence(&state.db, initiative_id).await?;
    all.into_iter()
        .find(|e| e.id == id)
        .ok_or(AppError::NotFound)
}
