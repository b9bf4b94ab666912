//! Stories in the API: write, move through the workflow, list and read. Anonymous callers
//! see only public stories (published, and their time has come).

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, SignedIn};
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::service::stories::{self as svc, Full, ListFilter, StoryInput};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct StoryOut {
    id: i64,
    /// draft, review or published (a published story with a future `published_at` is
    /// scheduled: not public yet).
    state: String,
    /// Readable address part, from the title (unique; "-2", "-3"… on collision).
    slug: String,
    /// The public page.
    url: String,
    title: String,
    summary: String,
    /// The Markdown as written.
    body: String,
    published_at: Option<DateTime<Utc>>,
    /// Public now?
    public: bool,
    initiative_ids: Vec<i64>,
    unit_codes: Vec<String>,
    /// Send it back with edits (`PUT`); a stale version is refused with 409 `edit_conflict`.
    version: i64,
    photos: Vec<PhotoOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PhotoOut {
    id: i64,
    alt: String,
    url: String,
    thumbnail_url: String,
    width: Option<i64>,
    height: Option<i64>,
}

fn photo_out(p: danvan_storage::stories::Photo) -> PhotoOut {
    PhotoOut {
        url: format!("{}{}", crate::markdown::PHOTO_PREFIX, p.sha256),
        thumbnail_url: format!("{}{}/nho", crate::markdown::PHOTO_PREFIX, p.sha256),
        id: p.id,
        alt: p.alt,
        width: p.width,
        height: p.height,
    }
}

async fn story_out(state: &AppState, f: Full) -> Result<StoryOut, AppError> {
    let tree = state.tree();
    let photos = danvan_storage::stories::photos(&state.db, f.story.id)
        .await?
        .into_iter()
        .map(photo_out)
        .collect();
    let s = f.story;
    Ok(StoryOut {
        public: svc::is_public(state, &s),
        url: crate::pages::stories::story_path(&s.slug),
        unit_codes: f
            .unit_ids
            .iter()
            .filter_map(|u| tree.get(*u).map(|u| u.code.clone()))
            .collect(),
        initiative_ids: f.initiative_ids,
        id: s.id,
        state: s.state,
        slug: s.slug,
        title: s.title,
        summary: s.summary,
        body: s.body,
        published_at: s.published_at,
        version: s.version,
        photos,
    })
}

/// Write a story (a draft) about some public models and units (officers, the province
/// administrator). The slug is made from the title.
#[utoipa::path(post, path = "/api/v1/stories", tag = "stories", security(("bearer" = [])), request_body = StoryInput,
    responses((status = 201, body = StoryOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<StoryInput>,
) -> Result<(StatusCode, ApiJson<StoryOut>), AppError> {
    let p = caller.require()?;
    let f = svc::create(&state, p, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(story_out(&state, f).await?)))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct UpdateInput {
    #[serde(flatten)]
    #[schema(inline)]
    story: StoryInput,
    /// The version read; omitted: overwrite whatever is there.
    version: Option<i64>,
}

/// Edit a story (its author until it is published; the publishers of its units always).
#[utoipa::path(put, path = "/api/v1/stories/{id}", tag = "stories", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UpdateInput,
    responses((status = 200, body = StoryOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<UpdateInput>,
) -> Result<ApiJson<StoryOut>, AppError> {
    let p = caller.require()?;
    let f = svc::update(&state, p, id, input.version, &input.story).await?;
    Ok(ApiJson(story_out(&state, f).await?))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct TransitionInput {
    /// submit, publish, unpublish or return
    action: String,
    /// With `publish`: when the story becomes public (RFC 3339, or YYYY-MM-DDTHH:MM in
    /// Vietnam's time); default now.
    publish_at: Option<String>,
}

/// Move a story through its workflow: `submit` (author), `publish` now or at `publish_at`,
/// `unpublish` (back to draft) or `return` (from review to draft): the publishers of every
/// unit the story is about.
#[utoipa::path(post, path = "/api/v1/stories/{id}/transitions", tag = "stories", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TransitionInput,
    responses((status = 200, body = StoryOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> Result<ApiJson<StoryOut>, AppError> {
    let p = caller.require()?;
    let f = svc::transition(&state, p, id, &input.action, input.publish_at.as_deref()).await?;
    Ok(ApiJson(story_out(&state, f).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ListQuery {
    /// draft, review or published (staff; the public sees published ones only).
    state: Option<String>,
    /// A unit code: stories about it or a unit below it (directly or through a model).
    unit: Option<String>,
    /// A model's id.
    initiative: Option<i64>,
    /// economy, culture_society, defense_security or political_system.
    field: Option<String>,
    /// Words to find in the title, summary or body (diacritics optional).
    q: Option<String>,
    slug: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct StoryPage {
    total: i64,
    items: Vec<StoryOut>,
}

/// Stories, newest first: public ones for everybody, and for staff also their own and their
/// units' unpublished ones.
#[utoipa::path(get, path = "/api/v1/stories", tag = "stories", params(ListQuery),
    responses((status = 200, body = StoryPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<ApiJson<StoryPage>, AppError> {
    let per_page = i64::from(q.per_page.unwrap_or(20).clamp(1, 100));
    let page = i64::from(q.page.unwrap_or(1).clamp(1, 100_000));
    let lf = ListFilter {
        state: q.state,
        unit_code: q.unit,
        initiative_id: q.initiative,
        field: q.field,
        q: q.q,
        slug: q.slug,
        ..Default::default()
    };
    let (rows, total) = svc::list(
        &state,
        caller.principal.as_ref(),
        &lf,
        per_page,
        (page - 1) * per_page,
    )
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for s in rows {
        let f = svc::get(&state, caller.principal.as_ref(), s.id).await?;
        items.push(story_out(&state, f).await?);
    }
    Ok(ApiJson(StoryPage { total, items }))
}

/// One story (anonymous callers: only a public one; anything else is 404).
#[utoipa::path(get, path = "/api/v1/stories/{id}", tag = "stories", params(("id" = i64, Path)),
    responses((status = 200, body = StoryOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<StoryOut>, AppError> {
    let f = svc::get(&state, caller.principal.as_ref(), id).await?;
    Ok(ApiJson(story_out(&state, f).await?))
}

/// Add a photo to a story: multipart fields `file` (JPEG, PNG or WebP, at most 10 MiB;
/// re-encoded without metadata, downscaled, with a thumbnail) and `alt` (required).
#[utoipa::path(post, path = "/api/v1/stories/{id}/photos", tag = "stories", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = Object),
    responses((status = 201, body = PhotoOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_photo(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    form: Multipart,
) -> Result<(StatusCode, ApiJson<PhotoOut>), AppError> {
    let (bytes, alt) = crate::pages::stories::read_photo(form).await?;
    let photo = svc::add_photo(&state, &p, id, bytes, &alt).await?;
    Ok((StatusCode::CREATED, ApiJson(photo_out(photo))))
}
