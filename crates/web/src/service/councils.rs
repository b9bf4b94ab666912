//! Evaluation councils: forming them, their members and assigned models, blind scoring with
//! automatic recusal, the tally and ranking, and closing the round.

use std::collections::{BTreeMap, HashMap, HashSet};

use danvan_domain::UnitLevel;
use danvan_domain::movement::{self, Rubric, State};
use danvan_domain::policy::{Action, Principal, authorize};
use danvan_domain::role::{Grant, Role};
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::audit::{self, Change};
use danvan_storage::movement::campaigns::{self, Campaign};
use danvan_storage::movement::councils::{self, Council};
use danvan_storage::movement::initiatives::{self, Initiative};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

/// Models a council may take: approved and not yet evaluated.
pub const ASSIGNABLE: [State; 3] = [State::Registered, State::Reporting, State::Completed];

fn assignable(code: &str) -> Option<State> {
    State::parse(code).filter(|s| ASSIGNABLE.contains(s))
}

fn invalid(field: &'static str, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::invalid(FieldError::new(field, code, vi.to_string(), en.to_string()))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CouncilInput {
    pub campaign_id: i64,
    pub name: String,
    /// province or commune
    pub level: String,
    /// The unit the council sits for: the province (91) or a commune.
    pub unit_code: String,
}

async fn council_of(state: &AppState, id: i64) -> Result<Council, AppError> {
    councils::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn campaign_of(state: &AppState, id: i64) -> Result<Campaign, AppError> {
    campaigns::by_id(&state.db, id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("campaign {id} missing")))
}

/// Forms a council for a campaign (province administrator).
pub async fn create(
    state: &AppState,
    by: &Principal,
    input: &CouncilInput,
) -> Result<Council, AppError> {
    let tree = state.tree();
    authorize(by, Action::ManageCampaigns, None, &tree)?;
    let mut errors = Invalid::default();
    let campaign = campaigns::by_id(&state.db, input.campaign_id).await?;
    if campaign.is_none() {
        errors.push(FieldError::new(
            "campaign_id",
            "unknown_campaign",
            "Không có đợt thi đua này.",
            "No such campaign.",
        ));
    }
    let name = validate::text("name", &input.name, 300, false)
        .map_err(|e| errors.push(e))
        .ok();
    let level = match input.level.trim() {
        "province" => Some(UnitLevel::Province),
        "commune" => Some(UnitLevel::Commune),
        _ => {
            errors.push(FieldError::new(
                "level",
                "unknown_level",
                "Cấp hội đồng phải là cấp tỉnh hoặc cấp xã.",
                "The level must be province or commune.",
            ));
            None
        }
    };
    let unit = super::resolve_unit(state, "unit_code", &input.unit_code)
        .map_err(|e| errors.push(e))
        .ok();
    if let (Some(l), Some(u)) = (level, &unit)
        && u.level != l
    {
        errors.push(FieldError::new(
            "unit_code",
            "level_mismatch",
            "Đơn vị không đúng cấp của hội đồng.",
            "The unit is not of the council's level.",
        ));
    }
    errors.clone().into_result()?;
    let (Some(campaign), Some(name), Some(level), Some(unit)) = (campaign, name, level, unit)
    else {
        return Err(AppError::Invalid(errors));
    };
    authorize(by, Action::ManageCampaigns, Some(unit.id), &tree)?;
    if level == UnitLevel::Commune && !campaign.commune_councils {
        return Err(AppError::invalid(danvan_domain::FieldError::new(
            "level",
            "commune_councils_not_allowed",
            "Đợt thi đua này không tổ chức hội đồng cấp xã.",
            "This campaign has no commune-level councils.",
        )));
    }
    let mut tx = state.db.begin().await?;
    let id = councils::create(&mut tx, campaign.id, &name, level.code(), unit.id).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "council.create",
            entity_type: "council",
            entity_id: id.to_string(),
            before: None,
            after: Some(
                json!({"campaign_id": campaign.id, "name": name, "level": level.code(), "unit_id": unit.id}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    council_of(state, id).await
}

/// Why `member` must not score `i`, if they must not: they registered it, or one of their
/// grants is bound to the model's organisation.
async fn conflict(
    state: &AppState,
    member_id: i64,
    grants: &[Grant],
    i: &Initiative,
) -> Result<Option<String>, AppError> {
    if i.created_by == Some(member_id) {
        return Ok(Some("Thành viên là người đăng ký mô hình.".to_string()));
    }
    if let Some(org) = i.organisation_id
        && grants.iter().any(|g| g.organisation_id == Some(org))
    {
        let name = danvan_storage::organisations::by_id(&state.db, org)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        return Ok(Some(format!(
            "Thành viên thuộc tổ chức chủ thể của mô hình ({name})."
        )));
    }
    Ok(None)
}

/// Records every recusal between the given members and models (inside `tx`); returns the
/// pairs newly recorded.
async fn record_recusals(
    state: &AppState,
    tx: &mut danvan_storage::Tx,
    council_id: i64,
    members: &[i64],
    models: &[Initiative],
) -> Result<Vec<serde_json::Value>, AppError> {
    let mut out = Vec::new();
    for m in members {
        let grants = danvan_storage::accounts::grants(&state.db, *m).await?;
        for i in models {
            if let Some(reason) = conflict(state, *m, &grants, i).await?
                && councils::record_recusal(tx, council_id, i.id, *m, &reason).await?
            {
                out.push(json!({"initiative_id": i.id, "member_id": m, "reason": reason}));
            }
        }
    }
    Ok(out)
}

/// The council, if `by` manages councils of its unit and its round is still open.
async fn open_council_managed_by(
    state: &AppState,
    by: &Principal,
    council_id: i64,
) -> Result<Council, AppError> {
    let tree = state.tree();
    authorize(by, Action::ManageCampaigns, None, &tree)?;
    let council = council_of(state, council_id).await?;
    authorize(by, Action::ManageCampaigns, Some(council.unit_id), &tree)?;
    if !council.is_open() {
        return Err(AppError::Conflict("council_closed"));
    }
    Ok(council)
}

/// Seats an account holding the council-member role on the council.
pub async fn add_member(
    state: &AppState,
    by: &Principal,
    council_id: i64,
    account_id: i64,
) -> Result<Council, AppError> {
    let council = open_council_managed_by(state, by, council_id).await?;
    let tree = state.tree();
    let account = danvan_storage::accounts::by_id(&state.db, account_id)
        .await?
        .filter(|a| !a.is_disabled)
        .ok_or_else(|| {
            invalid(
                "account_id",
                "unknown_account",
                "Không có tài khoản này (hoặc tài khoản đã bị vô hiệu hoá).",
                "No such account (or it is disabled).",
            )
        })?;
    let grants = danvan_storage::accounts::grants(&state.db, account.id).await?;
    if !grants
        .iter()
        .any(|g| g.role == Role::CouncilMember && tree.contains(g.unit_id, council.unit_id))
    {
        return Err(invalid(
            "account_id",
            "not_council_member",
            "Tài khoản này không có vai trò thành viên hội đồng ở cấp của hội đồng.",
            "This account does not hold the council-member role for the council's unit.",
        ));
    }
    let mut models = Vec::new();
    for id in councils::assignments(&state.db, council.id).await? {
        if let Some(i) = initiatives::by_id(&state.db, id).await? {
            models.push(i);
        }
    }
    let mut tx = state.db.begin().await?;
    if !councils::lock_open(&mut tx, council.id).await? {
        return Err(AppError::Conflict("council_closed"));
    }
    councils::add_member(&mut tx, council.id, account.id).await?;
    let recused = record_recusals(state, &mut tx, council.id, &[account.id], &models).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "council.add_member",
            entity_type: "council",
            entity_id: council.id.to_string(),
            before: None,
            after: Some(
                json!({"account_id": account.id, "username": account.username, "recusals": recused}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(council)
}

/// Assigns a model of the council's campaign (and unit) to it.
pub async fn assign(
    state: &AppState,
    by: &Principal,
    council_id: i64,
    initiative_id: i64,
) -> Result<Council, AppError> {
    let council = open_council_managed_by(state, by, council_id).await?;
    let tree = state.tree();
    let i = initiatives::by_id(&state.db, initiative_id)
        .await?
        .ok_or_else(|| {
            invalid(
                "initiative_id",
                "unknown_initiative",
                "Không có mô hình này.",
                "No such model.",
            )
        })?;
    if i.campaign_id != council.campaign_id {
        return Err(invalid(
            "initiative_id",
            "other_campaign",
            "Mô hình thuộc đợt thi đua khác.",
            "The model belongs to another campaign.",
        ));
    }
    if !tree.contains(council.unit_id, i.unit_id) {
        return Err(invalid(
            "initiative_id",
            "outside_council_unit",
            "Mô hình không thuộc địa bàn của hội đồng.",
            "The model lies outside the council's unit.",
        ));
    }
    if assignable(&i.state).is_none() {
        return Err(AppError::Conflict("not_assignable"));
    }
    let members: Vec<i64> = councils::members(&state.db, council.id)
        .await?
        .into_iter()
        .map(|m| m.account_id)
        .collect();
    let mut tx = state.db.begin().await?;
    if !councils::lock_open(&mut tx, council.id).await? {
        return Err(AppError::Conflict("council_closed"));
    }
    councils::assign(&mut tx, council.id, i.id).await?;
    let recused = record_recusals(
        state,
        &mut tx,
        council.id,
        &members,
        std::slice::from_ref(&i),
    )
    .await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "council.assign",
            entity_type: "council",
            entity_id: council.id.to_string(),
            before: None,
            after: Some(json!({"initiative_id": i.id, "title": i.title, "recusals": recused})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(council)
}

/// A member scores one assigned model: points per criterion of the campaign's rubric.
/// Returns the member's total out of 100.
pub async fn score(
    state: &AppState,
    by: &Principal,
    council_id: i64,
    initiative_id: i64,
    points: &BTreeMap<String, f64>,
) -> Result<f64, AppError> {
    let tree = state.tree();
    authorize(by, Action::ScoreInitiatives, None, &tree)?;
    let council = council_of(state, council_id).await?;
    authorize(by, Action::ScoreInitiatives, Some(council.unit_id), &tree)?;
    let members = councils::members(&state.db, council.id).await?;
    if !members.iter().any(|m| m.account_id == by.account_id) {
        return Err(AppError::Forbidden);
    }
    if !councils::assignments(&state.db, council.id)
        .await?
        .contains(&initiative_id)
    {
        return Err(invalid(
            "initiative_id",
            "not_assigned",
            "Mô hình này không được giao cho hội đồng.",
            "This model is not assigned to the council.",
        ));
    }
    if !council.is_open() {
        return Err(AppError::Conflict("council_closed"));
    }
    let i = initiatives::by_id(&state.db, initiative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let recorded = councils::recusals(&state.db, council.id)
        .await?
        .into_iter()
        .any(|r| r.initiative_id == i.id && r.member_id == by.account_id);
    if !recorded && let Some(reason) = conflict(state, by.account_id, &by.grants, &i).await? {
        // Found only now (a grant changed since the assignment): record it, then refuse.
        let mut tx = state.db.begin().await?;
        if councils::lock_open(&mut tx, council.id).await?
            && councils::record_recusal(&mut tx, council.id, i.id, by.account_id, &reason).await?
        {
            audit::append(
                &mut tx,
                &super::actor(by),
                Change {
                    action: "council.recusal",
                    entity_type: "council",
                    entity_id: council.id.to_string(),
                    before: None,
                    after: Some(
                        json!({"initiative_id": i.id, "member_id": by.account_id, "reason": reason}),
                    ),
                },
            )
            .await?;
            tx.commit().await?;
        }
        return Err(AppError::Refused("recused"));
    }
    if recorded {
        return Err(AppError::Refused("recused"));
    }
    let campaign = campaign_of(state, council.campaign_id).await?;
    let pts: Vec<(String, f64)> = points.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let total = campaign.rubric.total(&pts)?;
    let mut tx = state.db.begin().await?;
    if !councils::lock_open(&mut tx, council.id).await? {
        return Err(AppError::Conflict("council_closed"));
    }
    councils::replace_scores(&mut tx, council.id, i.id, by.account_id, &pts).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "council.score",
            entity_type: "council",
            entity_id: council.id.to_string(),
            before: None,
            after: Some(json!({"initiative_id": i.id, "points": points, "total": total})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(total)
}

/// Closes the round: scores freeze and the scored models become `evaluated`.
pub async fn close(state: &AppState, by: &Principal, council_id: i64) -> Result<Council, AppError> {
    let council = open_council_managed_by(state, by, council_id).await?;
    let scored: HashSet<i64> = councils::scores(&state.db, council.id)
        .await?
        .into_iter()
        .map(|s| s.initiative_id)
        .collect();
    let mut models = Vec::new();
    for id in councils::assignments(&state.db, council.id).await? {
        if scored.contains(&id)
            && let Some(i) = initiatives::by_id(&state.db, id).await?
            && assignable(&i.state).is_some()
        {
            models.push(i);
        }
    }
    let mut tx = state.db.begin().await?;
    if !councils::lock_open(&mut tx, council.id).await? {
        return Err(AppError::Conflict("council_closed"));
    }
    councils::close(&mut tx, council.id).await?;
    let comment = format!("Hội đồng “{}” đã chấm điểm.", council.name);
    for i in &models {
        initiatives::set_state(
            &mut tx,
            i.id,
            i.version,
            initiatives::Move {
                from: &i.state,
                to: State::Evaluated.code(),
                action: "evaluate",
                comment: Some(&comment),
                by: Some(by.account_id),
            },
        )
        .await
        .map_err(|e| match e {
            danvan_storage::StoreError::Conflict(_) => AppError::Conflict("edit_conflict"),
            other => other.into(),
        })?;
        audit::append(
            &mut tx,
            &super::actor(by),
            Change {
                action: "initiative.transition",
                entity_type: "initiative",
                entity_id: i.id.to_string(),
                before: Some(json!({"state": i.state})),
                after: Some(
                    json!({"state": State::Evaluated.code(), "action": "evaluate", "council_id": council.id}),
                ),
            },
        )
        .await?;
    }
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "council.close",
            entity_type: "council",
            entity_id: council.id.to_string(),
            before: Some(json!({"state": councils::OPEN})),
            after: Some(
                json!({"state": councils::CLOSED, "evaluated": models.iter().map(|i| i.id).collect::<Vec<_>>()}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    council_of(state, council.id).await
}

/// The councils the caller may open: all of them for overseers, one's own for members.
pub async fn list_for(state: &AppState, by: &Principal) -> Result<Vec<Council>, AppError> {
    let tree = state.tree();
    if authorize(by, Action::OverseeCouncils, None, &tree).is_ok() {
        let scope = danvan_domain::policy::scope(by, Action::OverseeCouncils, &tree);
        return Ok(councils::list(&state.db)
            .await?
            .into_iter()
            .filter(|c| scope.contains(&c.unit_id))
            .collect());
    }
    authorize(by, Action::ScoreInitiatives, None, &tree)?;
    Ok(councils::list_for_member(&state.db, by.account_id).await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberOut {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecusalOut {
    pub initiative_id: i64,
    pub initiative_title: String,
    pub member_id: i64,
    pub member_name: String,
    pub reason: String,
}

/// One member's points for one model.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberScore {
    pub member_id: i64,
    pub member_name: String,
    pub points: BTreeMap<String, f64>,
    /// Out of 100.
    pub total: f64,
}

/// One assigned model as the caller may see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelResult {
    pub initiative_id: i64,
    pub title: String,
    pub registrant_name: String,
    pub unit_name: String,
    pub state: String,
    /// Whether the tally below is shown to the caller (a member sees it only after scoring
    /// the model; everybody once the round is closed).
    pub visible: bool,
    /// How many members scored it (hidden: null).
    pub count: Option<usize>,
    pub mean: Option<f64>,
    /// Highest minus lowest total.
    pub spread: Option<f64>,
    /// The spread exceeds 15 points: discuss before closing.
    pub disagreement: Option<bool>,
    pub classification: Option<String>,
    pub classification_label: Option<String>,
    /// 1 = best mean; models nobody scored have none.
    pub rank: Option<usize>,
    /// The caller's own points, when the caller is a member who scored it.
    pub my_points: Option<BTreeMap<String, f64>>,
    pub my_total: Option<f64>,
    /// The caller is recused from this model.
    pub recused: bool,
    /// Every member's points (empty when hidden).
    pub scores: Vec<MemberScore>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CouncilView {
    pub id: i64,
    pub campaign_id: i64,
    pub campaign_title: String,
    pub year: i64,
    pub name: String,
    pub level: String,
    pub unit_code: String,
    pub unit_name: String,
    /// open or closed
    pub state: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    #[schema(value_type = Object)]
    pub rubric: Rubric,
    pub commendation_quota: i64,
    /// The caller may manage the council (add members, assign, close, commend).
    pub can_manage: bool,
    /// The caller sits on the council.
    pub is_member: bool,
    pub members: Vec<MemberOut>,
    pub recusals: Vec<RecusalOut>,
    /// Ranked: best mean first, then models without scores.
    pub models: Vec<ModelResult>,
}

/// The council as the caller may see it: overseers see everything; a member sees a model's
/// tally and the other members' points only after scoring it (or once the round is closed).
pub async fn view(state: &AppState, by: &Principal, id: i64) -> Result<CouncilView, AppError> {
    let tree = state.tree();
    let council = council_of(state, id).await?;
    let members = councils::members(&state.db, council.id).await?;
    let overseer = authorize(by, Action::OverseeCouncils, Some(council.unit_id), &tree).is_ok();
    let is_member = members.iter().any(|m| m.account_id == by.account_id)
        && authorize(by, Action::ScoreInitiatives, Some(council.unit_id), &tree).is_ok();
    if !overseer && !is_member {
        return Err(AppError::Forbidden);
    }
    let can_manage = authorize(by, Action::ManageCampaigns, Some(council.unit_id), &tree).is_ok();
    let campaign = campaign_of(state, council.campaign_id).await?;
    let rubric = campaign.rubric.clone();
    let names: HashMap<i64, String> = members
        .iter()
        .map(|m| (m.account_id, m.display_name.clone()))
        .collect();
    let all_scores = councils::scores(&state.db, council.id).await?;
    let recusals = councils::recusals(&state.db, council.id).await?;
    let closed = !council.is_open();
    let mut models = Vec::new();
    let mut titles = HashMap::new();
    for iid in councils::assignments(&state.db, council.id).await? {
        let Some(i) = initiatives::by_id(&state.db, iid).await? else {
            continue;
        };
        titles.insert(i.id, i.title.clone());
        // member → points
        let mut by_member: BTreeMap<i64, BTreeMap<String, f64>> = BTreeMap::new();
        for s in all_scores.iter().filter(|s| s.initiative_id == i.id) {
            by_member
                .entry(s.member_id)
                .or_default()
                .insert(s.criterion.clone(), s.points);
        }
        let scores: Vec<MemberScore> = by_member
            .into_iter()
            .filter_map(|(member_id, points)| {
                let pts: Vec<(String, f64)> = points.iter().map(|(k, v)| (k.clone(), *v)).collect();
                let total = rubric.total(&pts).ok()?;
                Some(MemberScore {
                    member_id,
                    member_name: names.get(&member_id).cloned().unwrap_or_default(),
                    points,
                    total,
                })
            })
            .collect();
        let mine = scores
            .iter()
            .find(|s| s.member_id == by.account_id)
            .cloned();
        let visible = overseer || closed || mine.is_some();
        let tally = movement::tally(&scores.iter().map(|s| s.total).collect::<Vec<_>>())
            .filter(|_| visible);
        let class = tally
            .as_ref()
            .and_then(|t| rubric.classify(t.mean))
            .cloned();
        models.push(ModelResult {
            initiative_id: i.id,
            unit_name: tree
                .get(i.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            title: i.title,
            registrant_name: i.registrant_name,
            state: i.state,
            visible,
            count: tally.as_ref().map(|t| t.count),
            mean: tally.as_ref().map(|t| t.mean),
            spread: tally.as_ref().map(|t| t.spread),
            disagreement: tally.as_ref().map(|t| t.disagreement),
            classification: class.as_ref().map(|c| c.classification.clone()),
            classification_label: class.map(|c| c.label),
            rank: None,
            my_points: mine.as_ref().map(|m| m.points.clone()),
            my_total: mine.map(|m| m.total),
            recused: recusals
                .iter()
                .any(|r| r.initiative_id == i.id && r.member_id == by.account_id),
            scores: if visible { scores } else { Vec::new() },
        });
    }
    rank(&mut models);
    Ok(CouncilView {
        id: council.id,
        campaign_id: campaign.id,
        campaign_title: campaign.title,
        year: campaign.year,
        name: council.name,
        level: council.level,
        unit_code: tree
            .get(council.unit_id)
            .map(|u| u.code.clone())
            .unwrap_or_default(),
        unit_name: tree
            .get(council.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        state: council.state,
        created_at: council.created_at,
        closed_at: council.closed_at,
        rubric,
        commendation_quota: campaign.commendation_quota,
        can_manage,
        is_member,
        recusals: recusals
            .into_iter()
            .map(|r| RecusalOut {
                initiative_title: titles.get(&r.initiative_id).cloned().unwrap_or_default(),
                member_name: names.get(&r.member_id).cloned().unwrap_or_default(),
                initiative_id: r.initiative_id,
                member_id: r.member_id,
                reason: r.reason,
            })
            .collect(),
        members: members
            .into_iter()
            .map(|m| MemberOut {
                account_id: m.account_id,
                username: m.username,
                display_name: m.display_name,
            })
            .collect(),
        models,
    })
}

/// Orders by mean (best first; unscored or hidden last) and numbers the ranks, equal means
/// sharing a rank.
fn rank(models: &mut [ModelResult]) {
    models.sort_by(|a, b| match (a.mean, b.mean) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.initiative_id.cmp(&b.initiative_id),
    });
    let mut last: Option<(f64, usize)> = None;
    for (n, m) in models.iter_mut().enumerate() {
        if let Some(mean) = m.mean {
            let r = match last {
                Some((prev, r)) if (prev - mean).abs() < 1e-9 => r,
                _ => n + 1,
            };
            m.rank = Some(r);
            last = Some((mean, r));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: i64, mean: Option<f64>) -> ModelResult {
        ModelResult {
            initiative_id: id,
            title: String::new(),
            registrant_name: String::new(),
            unit_name: String::new(),
            state: String::new(),
            visible: true,
            count: None,
            mean,
            spread: None,
            disagreement: None,
            classification: None,
            classification_label: None,
            rank: None,
            my_points: None,
            my_total: None,
            recused: false,
            scores: vec![],
        }
    }

    #[test]
    fn ranking_by_mean_with_ties_and_unscored_last() {
        let mut v = vec![
            m(1, Some(80.0)),
            m(2, None),
            m(3, Some(92.5)),
            m(4, Some(80.0)),
        ];
        rank(&mut v);
        let got: Vec<(i64, Option<usize>)> = v.iter().map(|m| (m.initiative_id, m.rank)).collect();
        assert_eq!(
            got,
            vec![(3, Some(1)), (1, Some(2)), (4, Some(2)), (2, None)]
        );
    }
}
