//! Stories for the public: writing, the review and publication workflow (with scheduling),
//! photos, and who may see what. A story is about some public models and some units; it is
//! published by an officer whose scope covers every one of those units (the province
//! administrator for a story about the whole province), and it is public once published and
//! its time has come.

use chrono::{DateTime, NaiveDateTime, Utc};
use danvan_domain::movement::State as InitiativeState;
use danvan_domain::policy::{Action, Principal, authorize, scope};
use danvan_domain::story::{self, StoryAction, StoryState};
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::audit::{self, Change};
use danvan_storage::stories::{self, Content, Filter, Story};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

/// Most models and units one story may be about.
const MAX_LINKS: usize = 20;
/// Longest body, in characters (a long feature with tables fits).
const MAX_BODY: usize = 50_000;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StoryInput {
    pub title: String,
    /// One or two sentences shown in lists and in shared links' previews.
    pub summary: String,
    /// Markdown: headings, lists, quotes, emphasis, links, tables and the story's photos
    /// (`![alt text](/tin-tuc/anh/<sha256>)`). Raw HTML is dropped.
    pub body: String,
    /// The public models the story tells about.
    pub initiative_ids: Vec<i64>,
    /// The units (communes, the province) the story is about.
    pub unit_codes: Vec<String>,
}

/// A story with what it is about.
#[derive(Debug, Clone)]
pub struct Full {
    pub story: Story,
    pub initiative_ids: Vec<i64>,
    pub unit_ids: Vec<i64>,
}

fn now(state: &AppState) -> DateTime<Utc> {
    state.clock.now()
}

/// Is the story public at `at`: published, and its time has come?
pub fn is_public_at(s: &Story, at: DateTime<Utc>) -> bool {
    s.state == StoryState::Published.code() && s.published_at.is_some_and(|p| p <= at)
}

pub fn is_public(state: &AppState, s: &Story) -> bool {
    is_public_at(s, now(state))
}

/// Parses and checks a story's content against the models and the unit tree.
async fn content(state: &AppState, input: &StoryInput) -> Result<Content, AppError> {
    let mut errors = Invalid::default();
    let title = validate::text("title", &input.title, 200, false)
        .map_err(|e| errors.push(e))
        .ok();
    let summary = validate::text("summary", &input.summary, 600, true)
        .map_err(|e| errors.push(e))
        .ok();
    let body = validate::text("body", &input.body, MAX_BODY, true)
        .map_err(|e| errors.push(e))
        .ok();
    let mut initiative_ids: Vec<i64> = input.initiative_ids.clone();
    initiative_ids.sort_unstable();
    initiative_ids.dedup();
    if initiative_ids.len() > MAX_LINKS {
        errors.push(FieldError::new(
            "initiative_ids",
            "too_many",
            format!("Một bài viết nói về tối đa {MAX_LINKS} mô hình."),
            format!("A story tells about at most {MAX_LINKS} models."),
        ));
        initiative_ids.clear();
    }
    for id in &initiative_ids {
        let public = danvan_storage::movement::initiatives::by_id(&state.db, *id)
            .await?
            .is_some_and(|i| {
                InitiativeState::parse(&i.state).is_some_and(InitiativeState::is_public)
            });
        if !public {
            errors.push(FieldError::new(
                "initiative_ids",
                "unknown_initiative",
                format!("Không có mô hình đã công bố số {id}."),
                format!("There is no published model number {id}."),
            ));
        }
    }
    let codes: Vec<&str> = input
        .unit_codes
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.len() > MAX_LINKS {
        errors.push(FieldError::new(
            "unit_codes",
            "too_many",
            format!("Một bài viết nói về tối đa {MAX_LINKS} đơn vị."),
            format!("A story is about at most {MAX_LINKS} units."),
        ));
    }
    let mut unit_ids = Vec::new();
    for code in codes.iter().take(MAX_LINKS) {
        match super::resolve_unit(state, "unit_codes", code) {
            Ok(u) => unit_ids.push(u.id),
            Err(e) => errors.push(e),
        }
    }
    unit_ids.sort_unstable();
    unit_ids.dedup();
    errors.clone().into_result()?;
    let (Some(title), Some(summary), Some(body)) = (title, summary, body) else {
        return Err(AppError::Invalid(errors));
    };
    let folded = danvan_domain::fold::fold(&format!(
        "{title} {summary} {}",
        crate::markdown::plain_text(&body)
    ));
    Ok(Content {
        title,
        summary,
        body,
        folded,
        initiative_ids,
        unit_ids,
    })
}

/// The units a story's content is about: its own and its models'.
async fn units_of(state: &AppState, c: &Content) -> Result<Vec<i64>, AppError> {
    let mut units = c.unit_ids.clone();
    for id in &c.initiative_ids {
        if let Some(i) = danvan_storage::movement::initiatives::by_id(&state.db, *id).await? {
            units.push(i.unit_id);
        }
    }
    units.sort_unstable();
    units.dedup();
    Ok(units)
}

/// The province: what a story about no unit in particular is about.
fn province(state: &AppState) -> Option<i64> {
    state
        .tree()
        .root_at(chrono::Local::now().date_naive())
        .map(|u| u.id)
}

/// May `by` publish a story about `units`? Every unit must be in its scope; a story about
/// no unit is about the province.
pub fn may_publish(state: &AppState, by: &Principal, units: &[i64]) -> Result<(), AppError> {
    let tree = state.tree();
    if units.is_empty() {
        return Ok(authorize(
            by,
            Action::PublishStory,
            Some(province(state).unwrap_or(0)),
            &tree,
        )?);
    }
    for u in units {
        authorize(by, Action::PublishStory, Some(*u), &tree)?;
    }
    Ok(())
}

fn may_publish_story(state: &AppState, by: &Principal, units: &[i64]) -> bool {
    may_publish(state, by, units).is_ok()
}

fn is_author(by: &Principal, s: &Story) -> bool {
    s.author_id == Some(by.account_id)
}

/// Staff who may see a story that is not public: its author, and the publishers of any of
/// its units (of the province, for a story about no unit).
fn staff_may_view(state: &AppState, by: &Principal, s: &Story, units: &[i64]) -> bool {
    if is_author(by, s) && authorize(by, Action::WriteStory, None, &state.tree()).is_ok() {
        return true;
    }
    let in_scope = scope(by, Action::PublishStory, &state.tree());
    if units.is_empty() {
        province(state).is_some_and(|p| in_scope.contains(&p))
    } else {
        units.iter().any(|u| in_scope.contains(u))
    }
}

/// Whether `by` (or the public, when `None`) may see the story.
pub async fn can_view(
    state: &AppState,
    by: Option<&Principal>,
    s: &Story,
) -> Result<bool, AppError> {
    if is_public(state, s) {
        return Ok(true);
    }
    let Some(by) = by else { return Ok(false) };
    let units = stories::about_units(&state.db, s.id).await?;
    Ok(staff_may_view(state, by, s, &units))
}

async fn full(state: &AppState, story: Story) -> Result<Full, AppError> {
    Ok(Full {
        initiative_ids: stories::initiative_ids(&state.db, story.id).await?,
        unit_ids: stories::unit_ids(&state.db, story.id).await?,
        story,
    })
}

pub async fn get(state: &AppState, by: Option<&Principal>, id: i64) -> Result<Full, AppError> {
    let s = stories::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if can_view(state, by, &s).await? {
        full(state, s).await
    } else if by.is_none() {
        // The public learns nothing about unpublished stories, not even that they exist.
        Err(AppError::NotFound)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A story by its address, for the public page: only when public (staff also see their own
/// and their units' unpublished ones, as a preview).
pub async fn by_slug(
    state: &AppState,
    by: Option<&Principal>,
    slug: &str,
) -> Result<Full, AppError> {
    if !story::is_slug(slug) {
        return Err(AppError::NotFound);
    }
    let s = stories::by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if can_view(state, by, &s).await? {
        full(state, s).await
    } else {
        Err(AppError::NotFound)
    }
}

fn snapshot(s: &Story) -> serde_json::Value {
    json!({"title": s.title, "slug": s.slug, "state": s.state, "published_at": s.published_at, "version": s.version})
}

/// A write that found the story changed since it was read.
fn stale(e: danvan_storage::StoreError) -> AppError {
    match e {
        danvan_storage::StoreError::Conflict("stale_version") => {
            AppError::Conflict("edit_conflict")
        }
        other => other.into(),
    }
}

/// Writes a new draft with a free slug made from its title.
pub async fn create(
    state: &AppState,
    by: &Principal,
    input: &StoryInput,
) -> Result<Full, AppError> {
    authorize(by, Action::WriteStory, None, &state.tree())?;
    let c = content(state, input).await?;
    let base = story::slug_base(&c.title);
    let mut tx = state.db.begin().await?;
    let mut slug = None;
    for n in 1..=1000 {
        let candidate = story::slug_candidate(&base, n);
        if !stories::slug_taken(&mut tx, &candidate, None).await? {
            slug = Some(candidate);
            break;
        }
    }
    let slug = slug.ok_or(AppError::Conflict("slug_taken"))?;
    let id = stories::create(&mut tx, &slug, &c, Some(by.account_id)).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "story.create",
            entity_type: "story",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"title": c.title, "slug": slug, "initiative_ids": c.initiative_ids, "unit_ids": c.unit_ids})),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, Some(by), id).await
}

/// Saves an edited story. Its author edits it until it is published; the publishers of its
/// units (before and after the edit) edit it in any state. A stale `version` is a conflict.
pub async fn update(
    state: &AppState,
    by: &Principal,
    id: i64,
    version: Option<i64>,
    input: &StoryInput,
) -> Result<Full, AppError> {
    let before = stories::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let old_units = stories::about_units(&state.db, id).await?;
    if !staff_may_view(state, by, &before, &old_units) {
        return Err(AppError::Forbidden);
    }
    let c = content(state, input).await?;
    let mut units = units_of(state, &c).await?;
    units.extend(&old_units);
    units.sort_unstable();
    units.dedup();
    let publisher = may_publish_story(state, by, &units);
    let author_may = is_author(by, &before) && before.state != StoryState::Published.code();
    if !publisher && !author_may {
        return Err(AppError::Forbidden);
    }
    if version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict("edit_conflict"));
    }
    let mut tx = state.db.begin().await?;
    stories::update(&mut tx, id, before.version, &c)
        .await
        .map_err(stale)?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "story.update",
            entity_type: "story",
            entity_id: id.to_string(),
            before: Some(snapshot(&before)),
            after: Some(json!({"title": c.title, "initiative_ids": c.initiative_ids, "unit_ids": c.unit_ids})),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, Some(by), id).await
}

/// A publication time as forms (`YYYY-MM-DDTHH:MM`, Vietnam's time) or the API (RFC 3339)
/// send it.
pub fn parse_publish_at(value: &str) -> Result<Option<DateTime<Utc>>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let local = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%d/%m/%Y %H:%M"));
    match local {
        Ok(t) => Ok(Some(
            (t - chrono::Duration::hours(7)).and_utc(), // UTC+7, no daylight saving
        )),
        Err(_) => Err(FieldError::new(
            "publish_at",
            "invalid_datetime",
            "Thời điểm đăng không hợp lệ (ví dụ 2026-09-02T07:00).",
            "Invalid publication time (e.g. 2026-09-02T07:00).",
        )),
    }
}

/// Applies a workflow action: submit (author or publisher), publish now or at `publish_at`,
/// unpublish, return (publishers of every unit the story is about).
pub async fn transition(
    state: &AppState,
    by: &Principal,
    id: i64,
    action: &str,
    publish_at: Option<&str>,
) -> Result<Full, AppError> {
    let a = StoryAction::parse(action.trim()).ok_or_else(|| {
        AppError::invalid(FieldError::new(
            "action",
            "unknown_action",
            "Thao tác không hợp lệ (submit, publish, unpublish, return).",
            "Unknown action (submit, publish, unpublish, return).",
        ))
    })?;
    let at = parse_publish_at(publish_at.unwrap_or(""))?;
    if at.is_some() && a != StoryAction::Publish {
        return Err(AppError::invalid(FieldError::new(
            "publish_at",
            "publish_at_only_when_publishing",
            "Chỉ hẹn giờ khi đăng bài.",
            "A publication time goes with publishing only.",
        )));
    }
    let s = stories::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = stories::about_units(&state.db, id).await?;
    if !staff_may_view(state, by, &s, &units) {
        return Err(AppError::Forbidden);
    }
    if a.needs_publisher() || !is_author(by, &s) {
        may_publish(state, by, &units)?;
    } else {
        authorize(by, Action::WriteStory, None, &state.tree())?;
    }
    let from = StoryState::parse(&s.state)
        .ok_or_else(|| AppError::Internal(format!("unknown story state {}", s.state)))?;
    let to = story::next_state(from, a).ok_or(AppError::Conflict("illegal_story_transition"))?;
    let published_at = match to {
        StoryState::Published => Some(at.unwrap_or_else(|| now(state))),
        _ => None,
    };
    let mut tx = state.db.begin().await?;
    stories::set_state(&mut tx, id, s.version, from.code(), to.code(), published_at)
        .await
        .map_err(stale)?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "story.transition",
            entity_type: "story",
            entity_id: id.to_string(),
            before: Some(json!({"state": from.code(), "published_at": s.published_at})),
            after: Some(
                json!({"state": to.code(), "action": a.code(), "published_at": published_at}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, Some(by), id).await
}

/// Attaches a photo (JPEG, PNG or WebP; re-encoded without metadata, downscaled, with a
/// thumbnail) with its required alt text. Whoever may edit the story may add photos.
pub async fn add_photo(
    state: &AppState,
    by: &Principal,
    id: i64,
    bytes: Vec<u8>,
    alt: &str,
) -> Result<stories::Photo, AppError> {
    let s = stories::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = stories::about_units(&state.db, id).await?;
    if !staff_may_view(state, by, &s, &units) {
        return Err(AppError::Forbidden);
    }
    let author_may = is_author(by, &s) && s.state != StoryState::Published.code();
    if !author_may && !may_publish_story(state, by, &units) {
        return Err(AppError::Forbidden);
    }
    let alt = validate::text("alt", alt, 300, false).map_err(|mut e| {
        if e.code == "required" {
            e.message_vi = "Cần mô tả ảnh (văn bản thay thế) cho người không xem được ảnh.".into();
            e.message_en = "Describe the photo (alt text) for readers who cannot see it.".into();
        }
        e
    })?;
    // Only photos: a PDF is fine as evidence but is no picture for a story.
    if !danvan_files::sniff_mime(&bytes).is_some_and(|m| m.starts_with("image/")) {
        return Err(AppError::invalid(FieldError::new(
            "file",
            "not_an_image",
            "Chỉ nhận ảnh JPEG, PNG hoặc WebP.",
            "Only JPEG, PNG or WebP photos are accepted.",
        )));
    }
    let stored = super::store_file(state, bytes).await?;
    let photo = stories::NewPhoto {
        sha256: &stored.sha256,
        mime: stored.mime,
        width: stored.width.map(i64::from),
        height: stored.height.map(i64::from),
        alt: &alt,
    };
    let mut tx = state.db.begin().await?;
    let photo_id = stories::add_photo(&mut tx, id, &photo, Some(by.account_id)).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "story.photo_add",
            entity_type: "story",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"photo_id": photo_id, "sha256": stored.sha256, "mime": stored.mime, "size": stored.size, "alt": alt})),
        },
    )
    .await?;
    tx.commit().await?;
    stories::photos(&state.db, id)
        .await?
        .into_iter()
        .find(|p| p.id == photo_id)
        .ok_or(AppError::NotFound)
}

/// What a list asks for, before the caller's visibility is applied.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<String>,
    pub unit_code: Option<String>,
    pub initiative_id: Option<i64>,
    pub field: Option<String>,
    pub q: Option<String>,
    pub slug: Option<String>,
    /// Only what the public sees, whoever asks (the public pages).
    pub public_only: bool,
    pub exclude: Option<i64>,
}

/// A page of stories for the caller, newest first: the public sees published ones whose time
/// has come; staff also see their own and their units' unpublished ones.
pub async fn list(
    state: &AppState,
    by: Option<&Principal>,
    lf: &ListFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Story>, i64), AppError> {
    let tree = state.tree();
    let mut f = Filter {
        initiative_id: lf.initiative_id,
        exclude: lf.exclude,
        ..Default::default()
    };
    if let Some(s) = lf.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let st = StoryState::parse(s).ok_or_else(|| {
            AppError::invalid(FieldError::new(
                "state",
                "unknown_state",
                "Trạng thái không hợp lệ (draft, review, published).",
                "Unknown state (draft, review, published).",
            ))
        })?;
        f.states = vec![st.code().to_string()];
    }
    if let Some(code) = lf
        .unit_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let u = super::resolve_unit(state, "unit", code)?;
        let mut ids: Vec<i64> = tree.subtree(u.id).into_iter().collect();
        ids.sort_unstable();
        f.units = ids;
    }
    if let Some(field) = lf.field.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        danvan_domain::movement::Field::parse(field).ok_or_else(|| {
            AppError::invalid(FieldError::new(
                "field",
                "unknown_field",
                "Lĩnh vực không hợp lệ.",
                "Unknown field.",
            ))
        })?;
        f.field = Some(field.to_string());
    }
    if let Some(q) =
        lf.q.as_deref()
            .map(danvan_domain::fold::fold)
            .filter(|q| !q.is_empty())
    {
        f.folded_query = Some(q.chars().take(200).collect());
    }
    f.slug = lf
        .slug
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let at = now(state);
    let staff =
        by.filter(|p| !lf.public_only && authorize(p, Action::WriteStory, None, &tree).is_ok());
    match staff {
        None => f.public_at = Some(at),
        Some(p) => {
            let in_scope = scope(p, Action::PublishStory, &tree);
            let whole_province = province(state).is_some_and(|root| in_scope.contains(&root));
            if !whole_province {
                let mut units: Vec<i64> = in_scope.into_iter().collect();
                units.sort_unstable();
                f.public_at = Some(at);
                f.staff = Some((units, p.account_id));
            }
        }
    }
    Ok(stories::list(&state.db, &f, limit, offset).await?)
}

/// The published stories that tell about a model, newest first.
pub async fn for_initiative(state: &AppState, initiative_id: i64) -> Result<Vec<Story>, AppError> {
    let lf = ListFilter {
        initiative_id: Some(initiative_id),
        public_only: true,
        ..Default::default()
    };
    Ok(list(state, None, &lf, 20, 0).await?.0)
}

/// Most read public stories of the last 30 days: (story, views).
pub async fn most_read(state: &AppState, limit: i64) -> Result<Vec<(Story, i64)>, AppError> {
    let at = now(state);
    let since = danvan_domain::clock::vietnam_date(at) - chrono::Duration::days(29);
    Ok(stories::most_read(&state.db, since, at, limit).await?)
}

/// Counts a reader's view of a public story (robots and repeat views excepted).
pub async fn record_view(
    state: &AppState,
    ip: std::net::IpAddr,
    user_agent: Option<&str>,
    s: &Story,
) -> Result<(), AppError> {
    if !is_public(state, s) || !state.views.first_view(ip, user_agent, s.id) {
        return Ok(());
    }
    let day = danvan_domain::clock::vietnam_date(now(state));
    Ok(stories::record_view(&state.db, s.id, day).await?)
}

/// The stories related to one: about the same models or units, newest first.
pub async fn related(state: &AppState, f: &Full, limit: i64) -> Result<Vec<Story>, AppError> {
    let mut out: Vec<Story> = Vec::new();
    for initiative_id in &f.initiative_ids {
        let lf = ListFilter {
            initiative_id: Some(*initiative_id),
            public_only: true,
            exclude: Some(f.story.id),
            ..Default::default()
        };
        for s in list(state, None, &lf, limit, 0).await?.0 {
            if !out.iter().any(|o| o.id == s.id) {
                out.push(s);
            }
        }
    }
    if (out.len() as i64) < limit {
        let units = stories::about_units(&state.db, f.story.id).await?;
        if !units.is_empty() {
            let filter = Filter {
                public_at: Some(now(state)),
                units,
                exclude: Some(f.story.id),
                ..Default::default()
            };
            for s in stories::list(&state.db, &filter, limit, 0).await?.0 {
                if !out.iter().any(|o| o.id == s.id) {
                    out.push(s);
                }
            }
        }
    }
    out.truncate(limit.max(0) as usize);
    Ok(out)
}
