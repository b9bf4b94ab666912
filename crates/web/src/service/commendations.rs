//! Commendation decisions: a draft proposed from a closed council's ranking (or with explicit
//! recipients), recorded once signed, then frozen; the public honour roll read from them.

use chrono::{Datelike, NaiveDate};
use danvan_domain::movement::State;
use danvan_domain::policy::{Action, Principal, authorize};
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::audit::{self, Change};
use danvan_storage::movement::campaigns;
use danvan_storage::movement::councils;
use danvan_storage::movement::decisions::{self, Decision, Issue, NewRecipient};
use danvan_storage::movement::initiatives;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

/// Where the province's decisions are signed (the place line of certificates).
pub const PLACE: &str = "An Giang";

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RecipientInput {
    /// A model.
    pub initiative_id: Option<i64>,
    /// An organisation.
    pub organisation_id: Option<i64>,
    /// An individual, by name.
    pub person_name: Option<String>,
    /// e.g. exemplary, good (a classification of the campaign's rubric).
    pub classification: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DraftInput {
    /// Propose the top models of this closed council, up to the campaign's quota.
    pub council_id: Option<i64>,
    pub campaign_id: Option<i64>,
    /// Explicit recipients (replace the council's proposal when both are given).
    pub recipients: Option<Vec<RecipientInput>>,
    /// Default: "Ủy ban nhân dân tỉnh An Giang".
    pub issuing_body: Option<String>,
    /// Giấy khen, Bằng khen, …; default by the council's level.
    pub form: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IssueInput {
    /// e.g. "125/QĐ-UBND"
    pub number: String,
    /// YYYY-MM-DD
    pub signed_on: String,
    pub issuing_body: String,
    pub signer_name: String,
    /// e.g. "Chủ tịch", or "Phó Chủ tịch" when signing on the chair's behalf.
    pub signer_title: String,
    /// Signed by a deputy on the chair's behalf: certificates print "KT. CHỦ TỊCH".
    pub signed_as_deputy: bool,
    pub form: String,
    /// Edited recipients; omitted: the draft's.
    pub recipients: Option<Vec<RecipientInput>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecipientOut {
    pub id: i64,
    pub initiative_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub person_name: Option<String>,
    pub classification: Option<String>,
    pub classification_label: Option<String>,
    /// Whom the certificate names.
    pub name: String,
    /// The commended model's title, for models.
    pub model_title: Option<String>,
    pub unit_name: Option<String>,
    /// The printable certificate (issued decisions only).
    pub certificate_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionOut {
    pub id: i64,
    pub campaign_id: Option<i64>,
    /// The emulation year the decision commends.
    pub year: i64,
    /// draft or issued
    pub state: String,
    pub number: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub issuing_body: String,
    pub signer_name: Option<String>,
    pub signer_title: Option<String>,
    pub signed_as_deputy: bool,
    pub form: String,
    pub url: String,
    pub recipients: Vec<RecipientOut>,
}

fn invalid(field: &'static str, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::invalid(FieldError::new(field, code, vi.to_string(), en.to_string()))
}

/// Checks explicit recipients: each names a published model, an organisation or a person.
async fn recipients_of(
    state: &AppState,
    list: &[RecipientInput],
    errors: &mut Invalid,
) -> Result<Vec<NewRecipient>, AppError> {
    let mut out = Vec::new();
    if list.len() > 500 {
        errors.push(FieldError::new(
            "recipients",
            "too_many",
            "Tối đa 500 người, tập thể được khen.",
            "At most 500 recipients.",
        ));
        return Ok(out);
    }
    for r in list {
        let person = match validate::optional_text(
            "recipients",
            r.person_name.as_deref().unwrap_or(""),
            200,
            false,
        ) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let classification = match validate::optional_text(
            "recipients",
            r.classification.as_deref().unwrap_or(""),
            100,
            false,
        ) {
            Ok(c) => c,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if r.initiative_id.is_none() && r.organisation_id.is_none() && person.is_none() {
            errors.push(FieldError::new(
                "recipients",
                "empty_recipient",
                "Mỗi người được khen phải là một mô hình, một tổ chức hoặc một cá nhân có tên.",
                "Each recipient must be a model, an organisation or a named person.",
            ));
            continue;
        }
        if let Some(id) = r.initiative_id {
            let ok = initiatives::by_id(&state.db, id)
                .await?
                .is_some_and(|i| State::parse(&i.state).is_some_and(State::is_public));
            if !ok {
                errors.push(FieldError::new(
                    "recipients",
                    "unknown_initiative",
                    "Chỉ khen thưởng mô hình đã công bố.",
                    "Only a published model can be commended.",
                ));
                continue;
            }
        }
        if let Some(id) = r.organisation_id
            && danvan_storage::organisations::by_id(&state.db, id)
                .await?
                .is_none()
        {
            errors.push(FieldError::new(
                "recipients",
                "unknown_organisation",
                "Không có tổ chức này.",
                "No such organisation.",
            ));
            continue;
        }
        out.push(NewRecipient {
            initiative_id: r.initiative_id,
            organisation_id: r.organisation_id,
            person_name: person,
            classification,
        });
    }
    Ok(out)
}

/// Drafts a commendation proposal (province administrator).
pub async fn draft(
    state: &AppState,
    by: &Principal,
    input: &DraftInput,
) -> Result<DecisionOut, AppError> {
    authorize(by, Action::Commend, None, &state.tree())?;
    let mut errors = Invalid::default();
    let mut campaign_id = input.campaign_id;
    let mut proposed = Vec::new();
    let mut default_form = "Bằng khen";
    if let Some(cid) = input.council_id {
        let council = councils::by_id(&state.db, cid).await?.ok_or_else(|| {
            invalid(
                "council_id",
                "unknown_council",
                "Không có hội đồng này.",
                "No such council.",
            )
        })?;
        if council.is_open() {
            return Err(AppError::Conflict("council_not_closed"));
        }
        if council.level == "commune" {
            default_form = "Giấy khen";
        }
        let view = super::councils::view(state, by, council.id).await?;
        campaign_id = Some(view.campaign_id);
        let quota = usize::try_from(view.commendation_quota).unwrap_or(0);
        proposed = view
            .models
            .iter()
            .filter(|m| m.rank.is_some() && m.classification.is_some())
            .take(quota)
            .map(|m| NewRecipient {
                initiative_id: Some(m.initiative_id),
                organisation_id: None,
                person_name: None,
                classification: m.classification.clone(),
            })
            .collect();
    }
    if let Some(id) = campaign_id
        && campaigns::by_id(&state.db, id).await?.is_none()
    {
        errors.push(FieldError::new(
            "campaign_id",
            "unknown_campaign",
            "Không có đợt thi đua này.",
            "No such campaign.",
        ));
    }
    if let Some(list) = &input.recipients {
        proposed = recipients_of(state, list, &mut errors).await?;
    } else if input.council_id.is_none() {
        errors.push(FieldError::new(
            "recipients",
            "recipients_required",
            "Cần chọn hội đồng hoặc nêu người, tập thể được khen.",
            "Name a council or the recipients.",
        ));
    }
    let issuing_body = validate::text(
        "issuing_body",
        input
            .issuing_body
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or("Ủy ban nhân dân tỉnh An Giang"),
        300,
        false,
    )
    .map_err(|e| errors.push(e))
    .ok();
    let form = validate::text(
        "form",
        input
            .form
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(default_form),
        100,
        false,
    )
    .map_err(|e| errors.push(e))
    .ok();
    errors.clone().into_result()?;
    let (Some(issuing_body), Some(form)) = (issuing_body, form) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = state.db.begin().await?;
    let id = decisions::create_draft(
        &mut tx,
        campaign_id,
        &issuing_body,
        &form,
        Some(by.account_id),
    )
    .await?;
    decisions::set_recipients(&mut tx, id, &proposed).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "decision.draft",
            entity_type: "decision",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({
                "council_id": input.council_id,
                "campaign_id": campaign_id,
                "form": form,
                "recipients": proposed.iter().map(|r| json!({"initiative_id": r.initiative_id, "organisation_id": r.organisation_id, "person_name": r.person_name, "classification": r.classification})).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, Some(by), id).await
}

/// A decision number as the Decree 30/2020 writes it: "125/QĐ-UBND".
fn decision_number(s: &str) -> Result<String, FieldError> {
    let v = validate::text("number", s, 50, false)?;
    let ok = v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && v.contains('/')
        && !v.ends_with('/');
    if ok {
        Ok(v)
    } else {
        Err(FieldError::new(
            "number",
            "invalid_decision_number",
            "Số quyết định phải có dạng “125/QĐ-UBND”.",
            "A decision number looks like “125/QĐ-UBND”.",
        ))
    }
}

/// Records the signed decision; it is frozen afterwards.
pub async fn issue(
    state: &AppState,
    by: &Principal,
    id: i64,
    input: &IssueInput,
) -> Result<DecisionOut, AppError> {
    authorize(by, Action::Commend, None, &state.tree())?;
    let d = decisions::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if d.state != decisions::DRAFT {
        return Err(AppError::Conflict("decision_issued"));
    }
    let mut errors = Invalid::default();
    let number = decision_number(&input.number)
        .map_err(|e| errors.push(e))
        .ok();
    let signed_on = validate::date("signed_on", &input.signed_on)
        .map_err(|e| errors.push(e))
        .ok();
    let mut text = |field: &'static str, v: &str, max: usize| {
        validate::text(field, v, max, false)
            .map_err(|e| errors.push(e))
            .ok()
    };
    let issuing_body = text("issuing_body", &input.issuing_body, 300);
    let signer_name = text("signer_name", &input.signer_name, 200);
    let signer_title = text("signer_title", &input.signer_title, 200);
    let form = text("form", &input.form, 100);
    let recipients = match &input.recipients {
        Some(list) => Some(recipients_of(state, list, &mut errors).await?),
        None => None,
    };
    let count = match &recipients {
        Some(r) => r.len(),
        None => decisions::recipients(&state.db, id).await?.len(),
    };
    if count == 0 {
        errors.push(FieldError::new(
            "recipients",
            "recipients_required",
            "Quyết định cần ít nhất một người, tập thể được khen.",
            "A decision needs at least one recipient.",
        ));
    }
    errors.clone().into_result()?;
    let (
        Some(number),
        Some(signed_on),
        Some(issuing_body),
        Some(signer_name),
        Some(signer_title),
        Some(form),
    ) = (
        number,
        signed_on,
        issuing_body,
        signer_name,
        signer_title,
        form,
    )
    else {
        return Err(AppError::Invalid(errors));
    };
    if decisions::number_taken(&state.db, &number).await? {
        return Err(AppError::Conflict("decision_number_taken"));
    }
    let issue = Issue {
        number,
        signed_on,
        issuing_body,
        signer_name,
        signer_title,
        signed_as_deputy: input.signed_as_deputy,
        form,
    };
    let mut tx = state.db.begin().await?;
    if !decisions::lock_draft(&mut tx, id).await? {
        return Err(AppError::Conflict("decision_issued"));
    }
    if let Some(r) = &recipients {
        decisions::set_recipients(&mut tx, id, r).await?;
    }
    decisions::issue(&mut tx, id, &issue).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "decision.issue",
            entity_type: "decision",
            entity_id: id.to_string(),
            before: Some(json!({"state": decisions::DRAFT})),
            after: Some(json!({
                "state": decisions::ISSUED, "number": issue.number, "signed_on": issue.signed_on,
                "issuing_body": issue.issuing_body, "signer_name": issue.signer_name, "signer_title": issue.signer_title,
                "signed_as_deputy": issue.signed_as_deputy, "form": issue.form, "recipients": count,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, Some(by), id).await
}

/// The label of a classification code in a campaign's rubric.
async fn labels(
    state: &AppState,
    campaign_id: Option<i64>,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(match campaign_id {
        Some(id) => campaigns::by_id(&state.db, id)
            .await?
            .map(|c| {
                c.rubric
                    .thresholds
                    .into_iter()
                    .map(|t| (t.classification, t.label))
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    })
}

async fn year_of(state: &AppState, d: &Decision) -> Result<i64, AppError> {
    if let Some(id) = d.campaign_id
        && let Some(c) = campaigns::by_id(&state.db, id).await?
    {
        return Ok(c.year);
    }
    Ok(i64::from(
        d.signed_on
            .unwrap_or_else(|| d.created_at.date_naive())
            .year(),
    ))
}

/// One decision: issued ones are public; drafts only for those who commend.
pub async fn get(
    state: &AppState,
    by: Option<&Principal>,
    id: i64,
) -> Result<DecisionOut, AppError> {
    let d = decisions::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let issued = d.state == decisions::ISSUED;
    if !issued {
        match by {
            None => return Err(AppError::NotFound),
            Some(p) => authorize(p, Action::Commend, None, &state.tree())?,
        }
    }
    let tree = state.tree();
    let labels = labels(state, d.campaign_id).await?;
    let mut recipients = Vec::new();
    for r in decisions::recipients(&state.db, id).await? {
        let model = match r.initiative_id {
            Some(i) => initiatives::by_id(&state.db, i).await?,
            None => None,
        };
        let org = match r.organisation_id {
            Some(o) => danvan_storage::organisations::by_id(&state.db, o).await?,
            None => None,
        };
        let name = r
            .person_name
            .clone()
            .or_else(|| org.as_ref().map(|o| o.name.clone()))
            .or_else(|| model.as_ref().map(|m| m.registrant_name.clone()))
            .unwrap_or_default();
        let unit_id = model
            .as_ref()
            .map(|m| m.unit_id)
            .or(org.as_ref().map(|o| o.unit_id));
        recipients.push(RecipientOut {
            id: r.id,
            initiative_id: r.initiative_id,
            organisation_id: r.organisation_id,
            person_name: r.person_name,
            classification_label: r.classification.as_ref().map(|c| {
                labels
                    .iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| c.clone())
            }),
            classification: r.classification,
            name,
            model_title: model.map(|m| m.title),
            unit_name: unit_id.and_then(|u| tree.get(u)).map(|u| u.name.clone()),
            certificate_url: issued.then(|| format!("/khen-thuong/{}/giay-khen/{}", d.id, r.id)),
        });
    }
    Ok(DecisionOut {
        year: year_of(state, &d).await?,
        url: format!("/khen-thuong/{}", d.id),
        id: d.id,
        campaign_id: d.campaign_id,
        state: d.state,
        number: d.number,
        signed_on: d.signed_on,
        issuing_body: d.issuing_body,
        signer_name: d.signer_name,
        signer_title: d.signer_title,
        signed_as_deputy: d.signed_as_deputy,
        form: d.form,
        recipients,
    })
}

/// Decisions the caller may list: issued ones, and drafts for those who commend.
pub async fn list(state: &AppState, by: Option<&Principal>) -> Result<Vec<Decision>, AppError> {
    let commends = by.is_some_and(|p| authorize(p, Action::Commend, None, &state.tree()).is_ok());
    Ok(decisions::list(&state.db)
        .await?
        .into_iter()
        .filter(|d| commends || d.state == decisions::ISSUED)
        .collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HonourEntry {
    pub initiative_id: i64,
    pub title: String,
    pub registrant_name: String,
    pub unit_name: String,
    pub field: String,
    pub year: i64,
    pub classification: Option<String>,
    pub classification_label: Option<String>,
    pub decision_id: i64,
    pub decision_number: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub form: String,
    /// The model's public page.
    pub url: String,
    pub certificate_url: String,
}

/// The honour roll: models commended by issued decisions, newest year first.
pub async fn honour_roll(
    state: &AppState,
    year: Option<i64>,
) -> Result<Vec<HonourEntry>, AppError> {
    let tree = state.tree();
    let rows = decisions::honour_roll(&state.db, year).await?;
    let mut cache: Vec<(i64, Vec<(String, String)>)> = Vec::new();
    let mut out = Vec::new();
    for r in rows {
        if !State::parse(&r.state).is_some_and(State::is_public) {
            continue;
        }
        if !cache.iter().any(|(c, _)| *c == r.campaign_id) {
            let l = labels(state, Some(r.campaign_id)).await?;
            cache.push((r.campaign_id, l));
        }
        let label = r.classification.as_ref().map(|c| {
            cache
                .iter()
                .find(|(id, _)| *id == r.campaign_id)
                .and_then(|(_, l)| l.iter().find(|(k, _)| k == c))
                .map(|(_, l)| l.clone())
                .unwrap_or_else(|| c.clone())
        });
        out.push(HonourEntry {
            unit_name: tree
                .get(r.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            url: format!("/mo-hinh/{}", r.initiative_id),
            certificate_url: format!(
                "/khen-thuong/{}/giay-khen/{}",
                r.decision_id, r.recipient_id
            ),
            initiative_id: r.initiative_id,
            title: r.title,
            registrant_name: r.registrant_name,
            field: r.field,
            year: r.year,
            classification: r.classification,
            classification_label: label,
            decision_id: r.decision_id,
            decision_number: r.number,
            signed_on: r.signed_on,
            form: r.form,
        });
    }
    Ok(out)
}
