//! `danvan generate`: fills a database with realistic, deterministic data at province scale
//! — models over five campaign years, petitions with sealed petitioners and their history,
//! households on the communes' yearly lists with Tết drives and deliveries, a contributions
//! ledger — spread over the real unit tree, with records before 1 July 2025 in the communes
//! of the time. The same seed gives the same data (only the sealing's random nonces differ).
//!
//! Rows are written with explicit ids in multi-row statements, a few thousand per
//! transaction, and one audit entry per batch says what was generated; the search index is
//! rebuilt at the end.

mod words;

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use danvan_domain::care::{ContributionKind, HouseholdCategory};
use danvan_domain::fold::fold;
use danvan_domain::movement::{Field, Rubric};
use danvan_domain::petition::{Channel, Kind as PetitionKind};
use danvan_domain::unit::{Unit, UnitLevel};
use danvan_storage::audit::{self, Actor, Change};
use danvan_storage::bulk::{self, Val};
use danvan_storage::movement::campaigns::{self, CampaignField, NewCampaign};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;
use words::*;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub initiatives: usize,
    pub petitions: usize,
    pub households: usize,
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub organisations: usize,
    pub initiatives: usize,
    pub petitions: usize,
    pub households: usize,
    pub deliveries: usize,
    pub contributions: usize,
    pub search_documents: usize,
}

/// Reports progress: `(stage, done, total)`.
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Sync);

/// Rows per transaction.
const BATCH: usize = 5_000;
/// The day the 2025 reform took effect: records before it are made in the communes of the time.
fn reform_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or(NaiveDate::MIN)
}

fn pick<'a, T>(rng: &mut StdRng, list: &'a [T]) -> &'a T {
    &list[rng.gen_range(0..list.len())]
}

fn person(rng: &mut StdRng) -> String {
    format!(
        "{} {} {}",
        pick(rng, FAMILY),
        pick(rng, MIDDLE),
        pick(rng, GIVEN)
    )
}

/// A day of `year` up to `until`.
fn day_in(rng: &mut StdRng, year: i32, until: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 1, 2).unwrap_or(until);
    let last = NaiveDate::from_ymd_opt(year, 12, 28)
        .unwrap_or(until)
        .min(until);
    let span = (last - first).num_days().max(0);
    first + Duration::days(rng.gen_range(0..=span))
}

/// Eight in the morning, Vietnam time, of `day`.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(day.and_hms_opt(1, 0, 0).unwrap_or_default(), Utc)
}

/// The communes of the province as they stood on `at`.
fn communes_at(state: &AppState, at: NaiveDate) -> Vec<Unit> {
    let mut v: Vec<Unit> = state
        .tree()
        .iter()
        .filter(|u| u.level == UnitLevel::Commune && u.valid_at(at))
        .cloned()
        .collect();
    // The tree is a hash map: a fixed order keeps the same seed giving the same data.
    v.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
    v
}

struct Ctx<'a> {
    state: &'a AppState,
    rng: StdRng,
    today: NaiveDate,
    years: Vec<i32>,
    /// Communes before the reform and today.
    old: Vec<Unit>,
    new: Vec<Unit>,
    /// Per current commune id: (farmers' union, women's union, people's committee).
    orgs: std::collections::HashMap<i64, (i64, i64, i64)>,
    actor: Actor,
    progress: Progress<'a>,
}

pub async fn run(
    state: &AppState,
    plan: &Plan,
    progress: Progress<'_>,
) -> Result<Summary, AppError> {
    let today = state.clock.today();
    let this = today.year();
    let new = communes_at(state, today);
    let old = communes_at(state, NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or(today));
    if new.is_empty() {
        return Err(AppError::Internal(
            "the unit tree has no communes; run migrate".into(),
        ));
    }
    let old = if old.is_empty() { new.clone() } else { old };
    let mut ctx = Ctx {
        state,
        rng: StdRng::seed_from_u64(plan.seed),
        today,
        years: (this - 4..=this).collect(),
        old,
        new,
        orgs: Default::default(),
        actor: Actor::system("generate"),
        progress,
    };
    let mut summary = Summary {
        organisations: organisations(&mut ctx).await?,
        ..Default::default()
    };
    let campaigns = campaigns(&mut ctx).await?;
    summary.initiatives = initiatives(&mut ctx, &campaigns, plan.initiatives).await?;
    summary.petitions = petitions(&mut ctx, plan.petitions).await?;
    let (households, deliveries, contributions) = care(&mut ctx, plan.households).await?;
    summary.households = households;
    summary.deliveries = deliveries;
    summary.contributions = contributions;
    (ctx.progress)("search index", 0, 1);
    summary.search_documents = danvan_storage::search::rebuild(&state.db).await?;
    (ctx.progress)("search index", 1, 1);
    state.db.refresh_statistics().await?;
    Ok(summary)
}

/// A table, its columns and the rows to insert.
type TableRows = (&'static str, &'static [&'static str], Vec<Vec<Val>>);

/// Writes one batch with its audit entry in one transaction.
async fn write_batch(
    ctx: &Ctx<'_>,
    what: &'static str,
    tables: Vec<TableRows>,
) -> Result<(), AppError> {
    let mut tx = ctx.state.db.begin().await?;
    let mut counts = serde_json::Map::new();
    for (table, columns, rows) in &tables {
        bulk::insert(&mut tx, table, columns, rows).await?;
        counts.insert((*table).to_string(), json!(rows.len()));
    }
    for (table, columns, _) in &tables {
        if columns.first() == Some(&"id") {
            bulk::sync_sequence(&mut tx, ctx.state.db.backend(), table).await?;
        }
    }
    audit::append(
        &mut tx,
        &ctx.actor,
        Change {
            action: what,
            entity_type: "generated",
            entity_id: what.to_string(),
            before: None,
            after: Some(serde_json::Value::Object(counts)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const ORG_COLUMNS: &[&str] = &["id", "name", "kind", "unit_id", "created_at", "updated_at"];

/// Three organisations per commune of today: the farmers' and women's unions that run
/// models and drives, and the people's committee that answers petitions.
async fn organisations(ctx: &mut Ctx<'_>) -> Result<usize, AppError> {
    let mut id = bulk::max_id(&ctx.state.db, "organisations").await?;
    let now = danvan_storage::now();
    let mut rows = Vec::new();
    for u in &ctx.new {
        let mut ids = [0i64; 3];
        for (slot, (prefix, kind)) in [
            ("Hội Nông dân", "mass_organisation"),
            ("Hội Liên hiệp Phụ nữ", "mass_organisation"),
            ("Ủy ban nhân dân", "agency"),
        ]
        .into_iter()
        .enumerate()
        {
            id += 1;
            ids[slot] = id;
            let place = u
                .name
                .strip_prefix("Xã ")
                .map(|n| format!("xã {n}"))
                .or_else(|| {
                    u.name
                        .strip_prefix("Phường ")
                        .map(|n| format!("phường {n}"))
                })
                .or_else(|| {
                    u.name
                        .strip_prefix("Đặc khu ")
                        .map(|n| format!("đặc khu {n}"))
                })
                .unwrap_or_else(|| u.name.clone());
            rows.push(vec![
                Val::Int(id),
                Val::Text(format!("{prefix} {place}")),
                Val::Text(kind.into()),
                Val::Int(u.id),
                Val::At(now),
                Val::At(now),
            ]);
        }
        ctx.orgs.insert(u.id, (ids[0], ids[1], ids[2]));
    }
    let n = rows.len();
    write_batch(
        ctx,
        "generate.organisations",
        vec![("organisations", ORG_COLUMNS, rows)],
    )
    .await?;
    Ok(n)
}

/// The campaign of each of the five years, made where the database has none.
async fn campaigns(ctx: &mut Ctx<'_>) -> Result<Vec<(i32, i64)>, AppError> {
    let existing = campaigns::list(&ctx.state.db).await?;
    let mut out = Vec::new();
    for &year in &ctx.years {
        if let Some(c) = existing.iter().find(|c| c.year == i64::from(year)) {
            out.push((year, c.id));
            continue;
        }
        let d = |m, day| NaiveDate::from_ymd_opt(year, m, day).unwrap_or_default();
        let mut tx = ctx.state.db.begin().await?;
        let id = campaigns::create(
            &mut tx,
            &NewCampaign {
                year: i64::from(year),
                title: format!("Phong trào thi đua “Dân vận khéo” năm {year}"),
                title_groups: vec!["Dân vận khéo".into()],
                fields: Field::ALL
                    .iter()
                    .map(|f| CampaignField {
                        field: f.code().into(),
                        sub_themes: vec![],
                    })
                    .collect(),
                registration_opens: d(1, 15),
                registration_closes: d(12, 15),
                midyear_review: d(6, 30),
                yearend_review: d(12, 20),
                rubric: Rubric::standard(),
                commendation_quota: 30,
                commune_councils: false,
            },
            None,
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.actor,
            Change {
                action: "campaign.create",
                entity_type: "campaign",
                entity_id: id.to_string(),
                before: None,
                after: Some(json!({"year": year, "generated": true})),
            },
        )
        .await?;
        tx.commit().await?;
        out.push((year, id));
    }
    Ok(out)
}

const INITIATIVE_COLUMNS: &[&str] = &[
    "id",
    "campaign_id",
    "source_id",
    "title",
    "title_group",
    "field",
    "sub_theme",
    "unit_id",
    "organisation_id",
    "registrant_kind",
    "registrant_name",
    "summary",
    "goals",
    "partners",
    "starts_on",
    "ends_on",
    "state",
    "version",
    "created_by",
    "created_at",
    "updated_at",
];
const INDICATOR_COLUMNS: &[&str] = &[
    "id",
    "initiative_id",
    "position",
    "kind",
    "custom_name",
    "custom_unit",
    "target",
];

/// The state of a model of `year`: older campaigns are mostly finished, this year's mostly
/// under way; every state occurs.
fn initiative_state(rng: &mut StdRng, year: i32, this: i32) -> &'static str {
    let r: u32 = rng.gen_range(0..100);
    if year < this {
        match r {
            0..=44 => "completed",
            45..=69 => "evaluated",
            70..=79 => "reporting",
            80..=87 => "rejected",
            88..=93 => "withdrawn",
            94..=96 => "returned",
            _ => "registered",
        }
    } else {
        match r {
            0..=39 => "reporting",
            40..=59 => "registered",
            60..=74 => "submitted",
            75..=82 => "draft",
            83..=88 => "returned",
            89..=93 => "rejected",
            94..=96 => "completed",
            _ => "withdrawn",
        }
    }
}

async fn initiatives(
    ctx: &mut Ctx<'_>,
    campaigns: &[(i32, i64)],
    n: usize,
) -> Result<usize, AppError> {
    let mut id = bulk::max_id(&ctx.state.db, "initiatives").await?;
    let mut ind_id = bulk::max_id(&ctx.state.db, "initiative_indicators").await?;
    let mut ids = ReportIds {
        report: bulk::max_id(&ctx.state.db, "reports").await?,
        file: bulk::max_id(&ctx.state.db, "evidence_files").await?,
    };
    let this = ctx.today.year();
    let tree = ctx.state.tree();
    let mut done = 0;
    while done < n {
        let count = BATCH.min(n - done);
        let mut rows = Vec::with_capacity(count);
        let mut indicators = Vec::with_capacity(count * 2);
        let mut filed = Filed::default();
        for _ in 0..count {
            id += 1;
            let &(year, campaign_id) = pick(&mut ctx.rng, campaigns);
            let starts = day_in(&mut ctx.rng, year, ctx.today);
            let unit = if starts < reform_day() {
                pick(&mut ctx.rng, &ctx.old).clone()
            } else {
                pick(&mut ctx.rng, &ctx.new).clone()
            };
            // Organisations are today's; a model made before the reform belongs to the
            // successor commune's union.
            let today_unit = tree
                .as_of(unit.id, ctx.today)
                .map(|u| u.id)
                .unwrap_or(unit.id);
            let orgs = ctx.orgs.get(&today_unit).copied();
            let (activity, kind) = *pick(&mut ctx.rng, MODEL_ACTIVITIES);
            let hamlet = pick(&mut ctx.rng, HAMLET);
            let place = unit.name.clone();
            let field = pick(&mut ctx.rng, Field::ALL).code();
            let state = initiative_state(&mut ctx.rng, year, this);
            let (org, registrant_kind, registrant) = match (orgs, ctx.rng.gen_range(0..10)) {
                (Some((farmers, _, _)), 0..=5) => (
                    Some(farmers),
                    "organisation",
                    format!("Hội Nông dân {place}"),
                ),
                (Some((_, women, _)), 6..=7) => (
                    Some(women),
                    "organisation",
                    format!("Hội Liên hiệp Phụ nữ {place}"),
                ),
                _ => (None, "individual", person(&mut ctx.rng)),
            };
            let created = morning(starts);
            rows.push(vec![
                Val::Int(id),
                Val::Int(campaign_id),
                Val::OptInt(None),
                Val::Text(format!("{activity} {hamlet}, {place}")),
                Val::Text("Dân vận khéo".into()),
                Val::Text(field.into()),
                Val::OptText(None),
                Val::Int(unit.id),
                Val::OptInt(org),
                Val::Text(registrant_kind.into()),
                Val::Text(registrant),
                Val::Text(pick(&mut ctx.rng, MODEL_SUMMARIES).to_string()),
                Val::Text(format!("{activity} cho bà con {hamlet}.")),
                Val::Text("Mặt trận Tổ quốc, các đoàn thể và nhân dân".into()),
                Val::Date(starts),
                Val::Date(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(starts)),
                Val::Text(state.into()),
                Val::Int(1),
                Val::OptInt(None),
                Val::At(created),
                Val::At(created),
            ]);
            let mut targets = Vec::new();
            for position in 0..ctx.rng.gen_range(1..=2) {
                ind_id += 1;
                let k = if position == 0 { kind } else { "people" };
                let target: f64 = match k {
                    "money_vnd" => f64::from(ctx.rng.gen_range(5..500)) * 1_000_000.0,
                    "land_m2" => f64::from(ctx.rng.gen_range(100..5000)),
                    _ => f64::from(ctx.rng.gen_range(5..400)),
                };
                indicators.push(vec![
                    Val::Int(ind_id),
                    Val::Int(id),
                    Val::Int(position),
                    Val::Text(k.into()),
                    Val::OptText(None),
                    Val::OptText(None),
                    Val::Real(target),
                ]);
                targets.push((ind_id, target));
            }
            if matches!(state, "reporting" | "completed" | "evaluated") {
                let model = Reported {
                    id,
                    year,
                    starts,
                    done: state != "reporting",
                    targets: &targets,
                };
                file_reports(&mut ctx.rng, &model, &mut ids, &mut filed);
            }
        }
        write_batch(
            ctx,
            "generate.initiatives",
            vec![
                ("initiatives", INITIATIVE_COLUMNS, rows),
                ("initiative_indicators", INDICATOR_COLUMNS, indicators),
                ("reports", REPORT_COLUMNS, filed.reports),
                ("report_values", REPORT_VALUE_COLUMNS, filed.values),
                ("evidence_files", EVIDENCE_COLUMNS, filed.files),
            ],
        )
        .await?;
        done += count;
        (ctx.progress)("models", done, n);
    }
    Ok(n)
}

const REPORT_COLUMNS: &[&str] = &[
    "id",
    "initiative_id",
    "milestone",
    "narrative",
    "correction_note",
    "state",
    "submitted_at",
    "reviewed_at",
    "review_comment",
];
const REPORT_VALUE_COLUMNS: &[&str] = &["report_id", "indicator_id", "value"];
const EVIDENCE_COLUMNS: &[&str] = &[
    "id",
    "initiative_id",
    "report_id",
    "sha256",
    "mime",
    "size",
    "width",
    "height",
    "caption",
    "uploaded_at",
];

/// The last ids used, carried from batch to batch.
struct ReportIds {
    report: i64,
    file: i64,
}

/// One batch's progress reports, their figures and their photos' metadata.
#[derive(Default)]
struct Filed {
    reports: Vec<Vec<Val>>,
    values: Vec<Vec<Val>>,
    files: Vec<Vec<Val>>,
}

/// A model that reports: its campaign year, start, whether its year-end report was verified
/// (completed or evaluated) and its indicators `(id, target)`.
struct Reported<'a> {
    id: i64,
    year: i32,
    starts: NaiveDate,
    done: bool,
    targets: &'a [(i64, f64)],
}

/// The mid-year and year-end reports of one model, as they go: some returned for correction
/// once or twice before one is verified, the last of a model still reporting awaiting
/// verification; each with figures for every indicator and one to three photos (metadata
/// only: the generated files themselves are not written).
fn file_reports(rng: &mut StdRng, m: &Reported<'_>, ids: &mut ReportIds, out: &mut Filed) {
    let milestones = [
        ("midyear", NaiveDate::from_ymd_opt(m.year, 6, 20), 0.5),
        ("yearend", NaiveDate::from_ymd_opt(m.year, 12, 10), 1.0),
    ];
    for (n, (milestone, due, share)) in milestones.into_iter().enumerate() {
        let Some(due) = due else { continue };
        let last = n == 1;
        if due <= m.starts || (last && !m.done && rng.gen_bool(0.5)) {
            continue;
        }
        let returns = match rng.gen_range(0..10) {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        let reached = rng.gen_range(0.6..1.25) * share;
        for attempt in 0..=returns {
            ids.report += 1;
            let submitted = morning(due + Duration::days(attempt * 12));
            let reviewed = submitted + Duration::days(rng.gen_range(2..10));
            let pending = last && !m.done && attempt == returns;
            let (state, comment) = if attempt < returns {
                ("returned", Some(pick(rng, REVIEW_RETURNS).to_string()))
            } else if pending {
                ("submitted", None)
            } else {
                ("verified", Some(pick(rng, REVIEW_VERIFIED).to_string()))
            };
            out.reports.push(vec![
                Val::Int(ids.report),
                Val::Int(m.id),
                Val::Text(milestone.into()),
                Val::Text(pick(rng, REPORT_NARRATIVES).to_string()),
                Val::OptText(
                    (attempt > 0).then(|| "Bổ sung số liệu và biên bản theo yêu cầu.".into()),
                ),
                Val::Text(state.into()),
                Val::At(submitted),
                Val::OptAt((!pending).then_some(reviewed)),
                Val::OptText(comment),
            ]);
            for &(indicator, target) in m.targets {
                // Money and areas in whole units, as people enter them.
                let value = (target * reached).round();
                out.values.push(vec![
                    Val::Int(ids.report),
                    Val::Int(indicator),
                    Val::Real(value),
                ]);
            }
            for _ in 0..rng.gen_range(1..=3) {
                ids.file += 1;
                let sha: String = (0..32)
                    .map(|_| format!("{:02x}", rng.r#gen::<u8>()))
                    .collect();
                out.files.push(vec![
                    Val::Int(ids.file),
                    Val::Int(m.id),
                    Val::OptInt(Some(ids.report)),
                    Val::Text(sha),
                    Val::Text("image/jpeg".into()),
                    Val::Int(rng.gen_range(120_000..2_400_000)),
                    Val::OptInt(Some(1600)),
                    Val::OptInt(Some(1200)),
                    Val::Text(pick(rng, PHOTO_CAPTIONS).to_string()),
                    Val::At(submitted),
                ]);
            }
        }
    }
}

const PETITION_COLUMNS: &[&str] = &[
    "id",
    "tracking_code",
    "kind",
    "topic",
    "unit_id",
    "channel",
    "received_on",
    "title",
    "content",
    "folded",
    "state",
    "organisation_id",
    "handler_id",
    "transfer_to",
    "accept_due",
    "accepted_on",
    "due_on",
    "complex",
    "extensions",
    "merged_into",
    "reopened",
    "answer",
    "public_answer",
    "answered_at",
    "answered_on",
    "closed_at",
    "rating",
    "rated_at",
    "escalation_level",
    "latitude",
    "longitude",
    "address_string",
    "created_by",
    "created_at",
    "updated_at",
    "version",
];
const PETITIONER_COLUMNS: &[&str] = &[
    "id",
    "petition_id",
    "sealed",
    "contact_index",
    "consent_at",
    "consent_version",
    "joined_by_merge",
    "created_at",
];
const EVENT_COLUMNS: &[&str] = &[
    "id",
    "petition_id",
    "at",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "organisation_id",
    "note",
    "internal",
];

async fn petitions(ctx: &mut Ctx<'_>, n: usize) -> Result<usize, AppError> {
    let mut id = bulk::max_id(&ctx.state.db, "petitions").await?;
    let mut petitioner_id = bulk::max_id(&ctx.state.db, "petitioners").await?;
    let mut event_id = bulk::max_id(&ctx.state.db, "petition_events").await?;
    let tree = ctx.state.tree();
    let mut codes = HashSet::with_capacity(n);
    let first_day = NaiveDate::from_ymd_opt(ctx.years[0], 1, 2).unwrap_or(ctx.today);
    let span = (ctx.today - first_day).num_days().max(1);
    let mut done = 0;
    while done < n {
        let count = BATCH.min(n - done);
        let mut rows = Vec::with_capacity(count);
        let mut people = Vec::with_capacity(count);
        let mut events = Vec::with_capacity(count * 2);
        for _ in 0..count {
            id += 1;
            // More petitions in recent years, as online channels grow.
            let back = (ctx.rng.gen_range(0.0f64..1.0).powf(1.6) * span as f64) as i64;
            let received = ctx.today - Duration::days(back);
            let unit = if received < reform_day() {
                pick(&mut ctx.rng, &ctx.old).clone()
            } else {
                pick(&mut ctx.rng, &ctx.new).clone()
            };
            let body = tree
                .as_of(unit.id, ctx.today)
                .and_then(|u| ctx.orgs.get(&u.id))
                .map(|o| o.2);
            let kind = match ctx.rng.gen_range(0..100) {
                0..=59 => PetitionKind::Feedback,
                60..=84 => PetitionKind::Petition,
                85..=96 => PetitionKind::Complaint,
                _ => PetitionKind::Denunciation,
            };
            let (topic, title, content) = *pick(&mut ctx.rng, PETITION_TEXTS);
            let hamlet = pick(&mut ctx.rng, HAMLET);
            let title = format!("{title} ({hamlet})");
            let content = format!("{content} Địa điểm: {hamlet}, {}.", unit.name);
            let channel = pick(&mut ctx.rng, Channel::ALL).code();
            let limit = match kind {
                PetitionKind::Feedback | PetitionKind::Petition => 15,
                PetitionKind::Complaint => 30,
                PetitionKind::Denunciation => 60,
            };
            let accept_due = received + Duration::days(10);
            let due_on = received + Duration::days(limit);
            let age = (ctx.today - received).num_days();
            // Old cases are finished; recent ones at every step; a few are late.
            let state = match (age > limit + 20, ctx.rng.gen_range(0..100)) {
                (true, 0..=69) => "closed",
                (true, 70..=89) => "answered",
                (true, 90..=95) => "declined",
                (true, 96..=97) => "merged",
                (true, _) => "assigned",
                (false, 0..=24) => "received",
                (false, 25..=44) => "accepted",
                (false, 45..=69) => "assigned",
                (false, 70..=89) => "answered",
                (false, _) => "closed",
            };
            let answered = matches!(state, "answered" | "closed");
            let answered_on = answered.then(|| {
                (received + Duration::days(ctx.rng.gen_range(3..=limit + 5))).min(ctx.today)
            });
            let accepted_on =
                (state != "received" && state != "declined").then(|| received + Duration::days(2));
            let answer = answered.then(|| pick(&mut ctx.rng, ANSWERS).to_string());
            let public = answer
                .clone()
                .filter(|_| kind != PetitionKind::Denunciation);
            let rating = (state == "closed" && ctx.rng.gen_bool(0.6)).then(|| {
                if ctx.rng.gen_bool(0.85) {
                    "satisfied"
                } else {
                    "dissatisfied"
                }
            });
            let mut code = danvan_domain::petition::tracking_code_from(&mut ctx.rng);
            while !codes.insert(code.clone()) {
                code = danvan_domain::petition::tracking_code_from(&mut ctx.rng);
            }
            let created = morning(received);
            let answered_at = answered_on.map(morning);
            rows.push(vec![
                Val::Int(id),
                Val::Text(code),
                Val::Text(kind.code().into()),
                Val::Text(topic.into()),
                Val::Int(unit.id),
                Val::Text(channel.into()),
                Val::Date(received),
                Val::Text(title.clone()),
                Val::Text(content.clone()),
                Val::Text(fold(&format!("{title} {content}"))),
                Val::Text(state.into()),
                Val::OptInt(body),
                Val::OptInt(None),
                Val::OptInt(None),
                Val::Date(accept_due),
                Val::OptDate(accepted_on),
                Val::Date(due_on),
                Val::Bool(false),
                Val::Int(0),
                // A merged case points to the one before it.
                Val::OptInt((state == "merged" && id > 1).then_some(id - 1)),
                Val::Bool(false),
                Val::OptText(answer),
                Val::OptText(public),
                Val::OptAt(answered_at),
                Val::OptDate(answered_on),
                Val::OptAt((state == "closed").then(|| answered_at.unwrap_or(created))),
                Val::OptText(rating.map(str::to_string)),
                Val::OptAt(rating.and(answered_at)),
                Val::Int(i64::from(state == "assigned" && age > limit)),
                Val::Real(10.0 + ctx.rng.gen_range(0.0..0.8)),
                Val::Real(104.8 + ctx.rng.gen_range(0.0..0.8)),
                Val::OptText(None),
                Val::OptInt(None),
                Val::At(created),
                Val::At(answered_at.unwrap_or(created)),
                Val::Int(1),
            ]);
            // The sealed petitioner, as the submission form writes it.
            petitioner_id += 1;
            let phone = format!("09{:08}", ctx.rng.gen_range(0..100_000_000u32));
            let contact = json!({"name": person(&mut ctx.rng), "phone": phone, "email": "",
                "address": format!("{hamlet}, {}", unit.name)});
            let sealed = ctx.state.seal.seal(contact.to_string().as_bytes());
            people.push(vec![
                Val::Int(petitioner_id),
                Val::Int(id),
                Val::Text(sealed),
                Val::OptText(Some(ctx.state.seal.blind_index(&format!("phone:{phone}")))),
                Val::At(created),
                Val::Text("generated".into()),
                Val::Bool(false),
                Val::At(created),
            ]);
            event_id += 1;
            events.push(vec![
                Val::Int(event_id),
                Val::Int(id),
                Val::At(created),
                Val::Text("received".into()),
                Val::OptText(None),
                Val::OptText(Some("received".into())),
                Val::OptInt(None),
                Val::OptInt(body),
                Val::OptText(None),
                Val::Bool(false),
            ]);
            if let Some(at) = answered_at {
                event_id += 1;
                events.push(vec![
                    Val::Int(event_id),
                    Val::Int(id),
                    Val::At(at),
                    Val::Text("answered".into()),
                    Val::OptText(Some("assigned".into())),
                    Val::OptText(Some("answered".into())),
                    Val::OptInt(None),
                    Val::OptInt(body),
                    Val::OptText(None),
                    Val::Bool(false),
                ]);
            }
        }
        write_batch(
            ctx,
            "generate.petitions",
            vec![
                ("petitions", PETITION_COLUMNS, rows),
                ("petitioners", PETITIONER_COLUMNS, people),
                ("petition_events", EVENT_COLUMNS, events),
            ],
        )
        .await?;
        done += count;
        (ctx.progress)("petitions", done, n);
    }
    Ok(n)
}

const HOUSEHOLD_COLUMNS: &[&str] = &[
    "id",
    "unit_id",
    "sealed",
    "dedupe_key",
    "created_by",
    "created_at",
];
const LISTING_COLUMNS: &[&str] = &[
    "id",
    "household_id",
    "category",
    "year",
    "source",
    "listed_by",
    "listed_at",
];
const DRIVE_COLUMNS: &[&str] = &[
    "id",
    "title",
    "organisation_id",
    "initiative_id",
    "starts_on",
    "ends_on",
    "list_year",
    "items",
    "created_by",
    "created_at",
];
const DRIVE_UNIT_COLUMNS: &[&str] = &["drive_id", "unit_id"];
const DELIVERY_COLUMNS: &[&str] = &[
    "id",
    "drive_id",
    "household_id",
    "items",
    "value_vnd",
    "delivered_on",
    "recorded_by",
    "recorded_at",
];
const CONTRIBUTION_COLUMNS: &[&str] = &[
    "id",
    "unit_id",
    "initiative_id",
    "kind",
    "quantity",
    "contributor_type",
    "contributor_name",
    "contributor_sealed",
    "anonymous",
    "contributed_on",
    "note",
    "recorded_by",
    "recorded_at",
];

/// Households on this year's and last year's lists of today's communes, a Tết drive per
/// commune and year reaching most of them, and the ledger (a quarter as many entries).
async fn care(ctx: &mut Ctx<'_>, n: usize) -> Result<(usize, usize, usize), AppError> {
    let this = ctx.today.year();
    let mut id = bulk::max_id(&ctx.state.db, "households").await?;
    let mut listing_id = bulk::max_id(&ctx.state.db, "household_listings").await?;
    let mut drive_id = bulk::max_id(&ctx.state.db, "drives").await?;
    let mut delivery_id = bulk::max_id(&ctx.state.db, "deliveries").await?;
    let mut contribution_id = bulk::max_id(&ctx.state.db, "contributions").await?;
    // One Tết drive per commune and year, by the commune's women's union.
    let mut drives = std::collections::HashMap::new();
    let mut drive_rows = Vec::new();
    let mut drive_units = Vec::new();
    for u in &ctx.new {
        let Some(&(_, women, _)) = ctx.orgs.get(&u.id) else {
            continue;
        };
        for year in [this - 1, this] {
            drive_id += 1;
            let starts = NaiveDate::from_ymd_opt(year, 1, 15).unwrap_or(ctx.today);
            let ends = NaiveDate::from_ymd_opt(year, 2, 20).unwrap_or(ctx.today);
            drive_rows.push(vec![
                Val::Int(drive_id),
                Val::Text(format!("Tết vì người nghèo năm {year} — {}", u.name)),
                Val::Int(women),
                Val::OptInt(None),
                Val::Date(starts),
                Val::Date(ends),
                Val::Int(i64::from(year)),
                Val::Text("Phần quà Tết: gạo, dầu ăn và 500.000 đồng".into()),
                Val::OptInt(None),
                Val::At(morning(starts)),
            ]);
            drive_units.push(vec![Val::Int(drive_id), Val::Int(u.id)]);
            drives.insert((u.id, year), (drive_id, starts));
        }
    }
    write_batch(
        ctx,
        "generate.drives",
        vec![
            ("drives", DRIVE_COLUMNS, drive_rows),
            ("drive_units", DRIVE_UNIT_COLUMNS, drive_units),
        ],
    )
    .await?;

    let mut deliveries_total = 0;
    let mut done = 0;
    while done < n {
        let count = BATCH.min(n - done);
        let mut rows = Vec::with_capacity(count);
        let mut listings = Vec::with_capacity(count * 2);
        let mut deliveries = Vec::with_capacity(count * 2);
        for _ in 0..count {
            id += 1;
            let unit = pick(&mut ctx.rng, &ctx.new).clone();
            let head = person(&mut ctx.rng);
            // The house number keeps every generated household distinct.
            let address = format!("Số {id}, {}", pick(&mut ctx.rng, HAMLET));
            let sealed = ctx.state.seal.seal(
                json!({"head_name": head, "address": address})
                    .to_string()
                    .as_bytes(),
            );
            let key = crate::service::care::dedupe_key(ctx.state, &head, &address);
            let created = morning(NaiveDate::from_ymd_opt(this - 1, 1, 5).unwrap_or(ctx.today));
            rows.push(vec![
                Val::Int(id),
                Val::Int(unit.id),
                Val::Text(sealed),
                Val::Text(key),
                Val::OptInt(None),
                Val::At(created),
            ]);
            let category = match ctx.rng.gen_range(0..100) {
                0..=39 => HouseholdCategory::Poor,
                40..=69 => HouseholdCategory::NearPoor,
                70..=84 => HouseholdCategory::PolicyFamily,
                85..=93 => HouseholdCategory::LonelyElderly,
                _ => HouseholdCategory::Disability,
            };
            for year in [this - 1, this] {
                // Some leave the list after a year; some join it.
                if (year == this && ctx.rng.gen_bool(0.15))
                    || (year < this && ctx.rng.gen_bool(0.1))
                {
                    continue;
                }
                listing_id += 1;
                listings.push(vec![
                    Val::Int(listing_id),
                    Val::Int(id),
                    Val::Text(category.code().into()),
                    Val::Int(i64::from(year)),
                    Val::Text("import".into()),
                    Val::OptInt(None),
                    Val::At(created),
                ]);
                if let Some(&(drive, starts)) = drives.get(&(unit.id, year))
                    && ctx.rng.gen_bool(0.7)
                    && starts <= ctx.today
                {
                    delivery_id += 1;
                    let day = starts + Duration::days(ctx.rng.gen_range(0..30));
                    deliveries.push(vec![
                        Val::Int(delivery_id),
                        Val::Int(drive),
                        Val::Int(id),
                        Val::Text("Phần quà Tết".into()),
                        Val::Int(500_000 + 100_000 * ctx.rng.gen_range(0..6)),
                        Val::Date(day.min(ctx.today)),
                        Val::OptInt(None),
                        Val::At(morning(day.min(ctx.today))),
                    ]);
                }
            }
        }
        deliveries_total += deliveries.len();
        write_batch(
            ctx,
            "generate.households",
            vec![
                ("households", HOUSEHOLD_COLUMNS, rows),
                ("household_listings", LISTING_COLUMNS, listings),
                ("deliveries", DELIVERY_COLUMNS, deliveries),
            ],
        )
        .await?;
        if done == 0 {
            // The support tallies' triggers look deliveries and listings up per row: with
            // the statistics of empty tables, PostgreSQL planned those lookups as scans
            // (the generator took 18 minutes instead of 8).
            bulk::analyze(
                &ctx.state.db,
                &["households", "household_listings", "deliveries"],
            )
            .await?;
        }
        done += count;
        (ctx.progress)("households", done, n);
    }

    let entries = n / 4;
    let mut done = 0;
    while done < entries {
        let count = BATCH.min(entries - done);
        let mut rows = Vec::with_capacity(count);
        for _ in 0..count {
            contribution_id += 1;
            let unit = pick(&mut ctx.rng, &ctx.new).clone();
            let kind = *pick(&mut ctx.rng, ContributionKind::ALL);
            let quantity = match kind {
                ContributionKind::LandM2 => f64::from(ctx.rng.gen_range(10..400)),
                ContributionKind::FenceM => f64::from(ctx.rng.gen_range(5..80)),
                ContributionKind::LabourDays => f64::from(ctx.rng.gen_range(1..60)),
                ContributionKind::MoneyVnd | ContributionKind::MaterialsVnd => {
                    f64::from(ctx.rng.gen_range(1..200)) * 100_000.0
                }
            };
            let anonymous = ctx.rng.gen_bool(0.2);
            let name = format!(
                "Hộ {} {}",
                pick(&mut ctx.rng, ["ông", "bà"].as_slice()),
                person(&mut ctx.rng)
            );
            // Today's communes only existed from the reform on.
            let year = *pick(&mut ctx.rng, &[this - 1, this]);
            let day = day_in(&mut ctx.rng, year, ctx.today)
                .max(reform_day())
                .min(ctx.today);
            rows.push(vec![
                Val::Int(contribution_id),
                Val::Int(unit.id),
                Val::OptInt(None),
                Val::Text(kind.code().into()),
                Val::Real(quantity),
                Val::Text("household".into()),
                Val::OptText((!anonymous).then(|| name.clone())),
                Val::OptText(anonymous.then(|| ctx.state.seal.seal(name.as_bytes()))),
                Val::Bool(anonymous),
                Val::Date(day),
                Val::Text(String::new()),
                Val::OptInt(None),
                Val::At(morning(day)),
            ]);
        }
        write_batch(
            ctx,
            "generate.contributions",
            vec![("contributions", CONTRIBUTION_COLUMNS, rows)],
        )
        .await?;
        done += count;
        (ctx.progress)("contributions", done, entries);
    }
    Ok((n, deliveries_total, entries))
}
