//! Launching a campaign.

use chrono::NaiveDate;
use danvan_domain::movement::{Field, Rubric};
use danvan_domain::policy::{Action, Principal, authorize};
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::audit::{self, Change};
use danvan_storage::movement::campaigns::{self, Campaign, CampaignField, NewCampaign};
use serde::Deserialize;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignInput {
    pub year: i64,
    pub title: String,
    /// e.g. ["Dân vận khéo", "Dân vận khéo trong xây dựng nông thôn mới"]
    pub title_groups: Vec<String>,
    /// Fields with their sub-themes; empty: all four fields.
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<CampaignField>,
    /// YYYY-MM-DD
    pub registration_opens: String,
    pub registration_closes: String,
    pub midyear_review: String,
    pub yearend_review: String,
    /// Empty: the standard rubric (results 40, creativity 20, spread 20, participation 20).
    #[schema(value_type = Option<Object>)]
    pub rubric: Option<Rubric>,
    pub commendation_quota: i64,
    pub commune_councils: bool,
}

fn date(errors: &mut Invalid, field: &'static str, s: &str) -> Option<NaiveDate> {
    validate::date(field, s).map_err(|e| errors.push(e)).ok()
}

pub async fn create(
    state: &AppState,
    by: &Principal,
    input: &CampaignInput,
) -> Result<Campaign, AppError> {
    authorize(by, Action::ManageCampaigns, None, &state.tree())?;
    let mut errors = Invalid::default();
    if !(2000..=2100).contains(&input.year) {
        errors.push(FieldError::new(
            "year",
            "invalid_year",
            "Năm không hợp lệ.",
            "Invalid year.",
        ));
    }
    let title = validate::text("title", &input.title, 300, false)
        .map_err(|e| errors.push(e))
        .ok();
    let mut groups = Vec::new();
    for g in &input.title_groups {
        match validate::text("title_groups", g, 200, false) {
            Ok(g) => groups.push(g),
            Err(e) => errors.push(e),
        }
    }
    if groups.is_empty() {
        groups.push("Dân vận khéo".to_string());
    }
    let fields = if input.fields.is_empty() {
        Field::ALL
            .iter()
            .map(|f| CampaignField {
                field: f.code().into(),
                sub_themes: vec![],
            })
            .collect()
    } else {
        for f in &input.fields {
            if Field::parse(&f.field).is_none() {
                errors.push(FieldError::new(
                    "fields",
                    "unknown_field",
                    format!("Lĩnh vực “{}” không hợp lệ.", f.field),
                    format!("Unknown field “{}”.", f.field),
                ));
            }
            if f.sub_themes
                .iter()
                .any(|t| t.trim().is_empty() || t.chars().count() > 200)
            {
                errors.push(FieldError::new(
                    "fields",
                    "invalid_sub_theme",
                    "Chủ đề con không hợp lệ.",
                    "Invalid sub-theme.",
                ));
            }
        }
        input.fields.clone()
    };
    let opens = date(&mut errors, "registration_opens", &input.registration_opens);
    let closes = date(
        &mut errors,
        "registration_closes",
        &input.registration_closes,
    );
    let midyear = date(&mut errors, "midyear_review", &input.midyear_review);
    let yearend = date(&mut errors, "yearend_review", &input.yearend_review);
    if let (Some(o), Some(c)) = (opens, closes)
        && o > c
    {
        errors.push(FieldError::new(
            "registration_closes",
            "dates_out_of_order",
            "Ngày kết thúc đăng ký phải sau ngày bắt đầu.",
            "Registration must close after it opens.",
        ));
    }
    if let (Some(m), Some(y)) = (midyear, yearend)
        && m >= y
    {
        errors.push(FieldError::new(
            "yearend_review",
            "dates_out_of_order",
            "Tổng kết cuối năm phải sau sơ kết giữa năm.",
            "The year-end review must follow the mid-year review.",
        ));
    }
    let rubric = input.rubric.clone().unwrap_or_else(Rubric::standard);
    if let Err(e) = rubric.check() {
        errors.push(e);
    }
    if !(0..=100_000).contains(&input.commendation_quota) {
        errors.push(FieldError::new(
            "commendation_quota",
            "invalid_quota",
            "Chỉ tiêu khen thưởng không hợp lệ.",
            "Invalid commendation quota.",
        ));
    }
    errors.clone().into_result()?;
    let (Some(title), Some(opens), Some(closes), Some(midyear), Some(yearend)) =
        (title, opens, closes, midyear, yearend)
    else {
        return Err(AppError::Invalid(errors));
    };
    let new = NewCampaign {
        year: input.year,
        title,
        title_groups: groups,
        fields,
        registration_opens: opens,
        registration_closes: closes,
        midyear_review: midyear,
        yearend_review: yearend,
        rubric,
        commendation_quota: input.commendation_quota,
        commune_councils: input.commune_councils,
    };
    let mut tx = state.db.begin().await?;
    let id = campaigns::create(&mut tx, &new, Some(by.account_id)).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "campaign.create",
            entity_type: "campaign",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({"year": new.year, "title": new.title, "opens": opens, "closes": closes})),
        },
    )
    .await?;
    tx.commit().await?;
    campaigns::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}
