//! Stories: the public list (`/tin-tuc`), a story's page with its sharing links and preview
//! tags, the Atom feed, the photos, and the staff pages to write, submit and publish them.
//!
//! The public story pages set no cookie (see [`crate::auth::NoCookie`]): a reader is counted
//! without being marked.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use danvan_domain::movement::{Field, State as InitiativeState};
use danvan_domain::policy::{Action, authorize, scope};
use danvan_domain::story::{StoryAction, StoryState};
use danvan_storage::movement::initiatives;
use danvan_storage::stories::{self as store, Story};
use serde::Deserialize;

use super::{Frame, Refusal, local_time, render};
use crate::auth::{Caller, NoCookie};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::stories::{self as svc, Full, ListFilter, StoryInput};
use crate::state::AppState;

pub const PUBLIC_PATH: &str = "/tin-tuc";
pub const STAFF_PATH: &str = "/bang-dieu-khien/tin-tuc";
const PAGE: i64 = 12;

/// Share links open the networks' own pages: no script of theirs runs on ours.
const FACEBOOK_SHARE: &str = "https://www.facebook.com/sharer/sharer.php?u=";
const ZALO_SHARE: &str = "https://sp.zalo.me/share_inline?url=";

fn label<T>(lang: Lang, vi: T, en: T) -> T {
    if lang == Lang::Vi { vi } else { en }
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The address the public reaches this site at: the configured one, or the request's Host
/// when it looks like a host name (anything else falls back to localhost rather than being
/// echoed into links).
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("localhost");
    let scheme = if state.config.behind_tls {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

pub fn story_path(slug: &str) -> String {
    format!("{PUBLIC_PATH}/{slug}")
}

fn photo_url(sha: &str) -> String {
    format!("{}{sha}", crate::markdown::PHOTO_PREFIX)
}

fn thumb_url(sha: &str) -> String {
    format!("{}{sha}/nho", crate::markdown::PHOTO_PREFIX)
}

/// Vietnamese date of a publication (dd/mm/yyyy).
fn published_on(s: &Story) -> String {
    s.published_at
        .map(|t| super::format::date(danvan_domain::clock::vietnam_date(t)))
        .unwrap_or_default()
}

pub struct Card {
    slug: String,
    title: String,
    summary: String,
    date: String,
    cover: Option<(String, String)>,
}

async fn cards(state: &AppState, rows: Vec<Story>) -> Result<Vec<Card>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let covers: HashMap<i64, store::Photo> = store::cover_photos(&state.db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.story_id, p))
        .collect();
    Ok(rows
        .into_iter()
        .map(|s| Card {
            cover: covers
                .get(&s.id)
                .map(|p| (thumb_url(&p.sha256), p.alt.clone())),
            date: published_on(&s),
            slug: s.slug,
            title: s.title,
            summary: s.summary,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "stories.html")]
struct ListPage {
    f: Frame,
    fields: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    models: Vec<(i64, String)>,
    q_field: String,
    q_unit: String,
    q_model: String,
    items: Vec<Card>,
    total: i64,
    most_read: Vec<(String, String, i64)>,
    prev_url: Option<String>,
    next_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    field: String,
    unit: String,
    /// A model's id.
    mo_hinh: String,
    page: Option<u32>,
}

async fn list_page(state: &AppState, caller: &Caller, q: ListQuery) -> Result<ListPage, AppError> {
    let lang = caller.lang;
    let model = q.mo_hinh.trim().parse::<i64>().ok();
    let page = i64::from(q.page.unwrap_or(1).clamp(1, 100_000));
    let lf = ListFilter {
        field: Some(q.field.clone()),
        unit_code: Some(q.unit.clone()),
        initiative_id: model,
        public_only: true,
        ..Default::default()
    };
    let (rows, total) = svc::list(state, None, &lf, PAGE, (page - 1) * PAGE).await?;
    let items = cards(state, rows).await?;
    let most_read = svc::most_read(state, 5)
        .await?
        .into_iter()
        .map(|(s, n)| (s.slug, s.title, n))
        .collect();
    let tree = state.tree();
    let today = chrono::Local::now().date_naive();
    let mut units: Vec<(String, String)> = tree
        .iter()
        .filter(|u| u.level == danvan_domain::UnitLevel::Commune && u.valid_at(today))
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    units.sort_by(|a, b| {
        danvan_domain::text::vi_cmp(
            danvan_domain::text::unit_sort_name(&a.1),
            danvan_domain::text::unit_sort_name(&b.1),
        )
    });
    let models = store::initiatives_told(&state.db, state.clock.now()).await?;
    let url = |p: i64| {
        let query = serde_urlencoded::to_string([
            ("field", q.field.as_str()),
            ("unit", q.unit.as_str()),
            ("mo_hinh", q.mo_hinh.as_str()),
            ("page", &p.to_string()),
        ])
        .unwrap_or_default();
        format!("{PUBLIC_PATH}?{query}")
    };
    Ok(ListPage {
        f: Frame::new(state, caller, PUBLIC_PATH, "nav.stories"),
        fields: Field::ALL
            .iter()
            .map(|f| (f.code(), label(lang, f.label_vi(), f.label_en())))
            .collect(),
        units,
        models,
        items,
        total,
        most_read,
        prev_url: (page > 1).then(|| url(page - 1)),
        next_url: (page * PAGE < total).then(|| url(page + 1)),
        q_field: q.field,
        q_unit: q.unit,
        q_model: q.mo_hinh,
    })
}

/// Marks a public page as needing no cookie.
fn cookieless(mut resp: Response) -> Response {
    resp.extensions_mut().insert(NoCookie);
    resp
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = match q {
        Ok(Query(q)) => list_page(&state, &caller, q).await,
        Err(e) => Err(e.into()),
    };
    cookieless(match result {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, PUBLIC_PATH, e),
    })
}

pub struct PhotoView {
    url: String,
    thumb: String,
    alt: String,
    width: i64,
    height: i64,
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    f: Frame,
    s: Story,
    public: bool,
    body_html: String,
    date: String,
    photos: Vec<PhotoView>,
    models: Vec<(i64, String)>,
    units: Vec<String>,
    related: Vec<Card>,
    /// Absolute address of the story, and of its preview image.
    url: String,
    og_image: Option<String>,
    share_facebook: String,
    share_zalo: String,
    share_mail: String,
    edit_url: Option<String>,
}

async fn story_page(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    full: Full,
) -> Result<StoryPage, AppError> {
    let who = caller.principal.as_ref();
    let tree = state.tree();
    let base = public_base(state, headers);
    let s = &full.story;
    let url = format!("{base}{}", story_path(&s.slug));
    let photos: Vec<PhotoView> = store::photos(&state.db, s.id)
        .await?
        .into_iter()
        .map(|p| PhotoView {
            url: photo_url(&p.sha256),
            thumb: thumb_url(&p.sha256),
            alt: p.alt,
            width: p.width.unwrap_or(0),
            height: p.height.unwrap_or(0),
        })
        .collect();
    let mut models = Vec::new();
    for id in &full.initiative_ids {
        if let Some(i) = initiatives::by_id(&state.db, *id).await?
            && InitiativeState::parse(&i.state).is_some_and(InitiativeState::is_public)
        {
            models.push((i.id, i.title));
        }
    }
    let units = full
        .unit_ids
        .iter()
        .filter_map(|u| tree.get(*u).map(|u| u.name.clone()))
        .collect();
    let related = cards(state, svc::related(state, &full, 4).await?).await?;
    let public = svc::is_public(state, s);
    let edit_url = who
        .filter(|p| authorize(p, Action::WriteStory, None, &tree).is_ok())
        .map(|_| format!("{STAFF_PATH}/{}", s.id));
    let mail_body = format!("{}\n\n{}\n\n{url}", s.title, s.summary);
    let mut f = Frame::new(state, caller, PUBLIC_PATH, "nav.stories");
    f.title = s.title.clone();
    Ok(StoryPage {
        f,
        public,
        body_html: crate::markdown::render(&s.body),
        date: published_on(s),
        og_image: photos.first().map(|p| format!("{base}{}", p.url)),
        photos,
        models,
        units,
        related,
        share_facebook: format!("{FACEBOOK_SHARE}{}", enc(&url)),
        share_zalo: format!("{ZALO_SHARE}{}", enc(&url)),
        share_mail: format!("mailto:?subject={}&body={}", enc(&s.title), enc(&mail_body)),
        url,
        edit_url,
        s: full.story,
    })
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Response {
    let path = story_path(&slug);
    let result = async {
        let full = svc::by_slug(&state, caller.principal.as_ref(), &slug).await?;
        // Counted per request (this page is never cached), for anonymous readers and staff
        // alike; staff previews of unpublished stories are not counted.
        let ua = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        svc::record_view(&state, caller.ip, ua, &full.story).await?;
        story_page(&state, &caller, &headers, full).await
    }
    .await;
    cookieless(match result {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, &path, e),
    })
}

/// Escapes text for XML.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// The Atom feed of the newest public stories.
pub async fn feed(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> Response {
    let result = async {
        let lf = ListFilter {
            public_only: true,
            ..Default::default()
        };
        let (rows, _) = svc::list(&state, None, &lf, 30, 0).await?;
        let base = public_base(&state, &headers);
        let updated = rows
            .iter()
            .filter_map(|s| s.published_at)
            .max()
            .unwrap_or_else(crate::now);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n");
        out.push_str(&format!(
            "  <title>{}</title>\n  <subtitle>{}</subtitle>\n  <id>{}</id>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <updated>{}</updated>\n",
            xml("Tin tức Dân vận khéo"),
            xml("Những câu chuyện về các mô hình “Dân vận khéo” tỉnh An Giang"),
            xml(&format!("{base}{PUBLIC_PATH}")),
            xml(&format!("{base}{PUBLIC_PATH}/feed.xml")),
            xml(&format!("{base}{PUBLIC_PATH}")),
            updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ));
        for s in &rows {
            let link = format!("{base}{}", story_path(&s.slug));
            let published = s
                .published_at
                .unwrap_or(s.updated_at)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            out.push_str(&format!(
                "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <published>{published}</published>\n    <updated>{}</updated>\n    <author><name>{}</name></author>\n    <summary>{}</summary>\n  </entry>\n",
                xml(&s.title),
                xml(&link),
                xml(&link),
                s.updated_at.max(s.published_at.unwrap_or(s.updated_at)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                xml("Ban Tuyên giáo và Dân vận Tỉnh ủy An Giang"),
                xml(&s.summary),
            ));
        }
        out.push_str("</feed>\n");
        Ok::<_, AppError>(out)
    }
    .await;
    cookieless(match result {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            body,
        )
            .into_response(),
        Err(e) => super::error_page(&state, &caller, PUBLIC_PATH, e),
    })
}

/// Serves a story photo (or its thumbnail) to whoever may see a story it belongs to.
async fn serve_photo(
    state: &AppState,
    caller: &Caller,
    sha: &str,
    thumbnail: bool,
) -> Result<Response, AppError> {
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let mut visible = None;
    for id in store::stories_with_photo(&state.db, sha).await? {
        if let Some(s) = store::by_id(&state.db, id).await?
            && svc::can_view(state, caller.principal.as_ref(), &s).await?
        {
            visible = Some(svc::is_public(state, &s));
            if visible == Some(true) {
                break;
            }
        }
    }
    let public = visible.ok_or(AppError::NotFound)?;
    let mime = if thumbnail {
        "image/jpeg".to_string()
    } else {
        store::photo_mime(&state.db, sha)
            .await?
            .unwrap_or_else(|| "image/jpeg".into())
    };
    let files = state.files.clone();
    let sha = sha.to_string();
    let bytes = tokio::task::spawn_blocking(move || {
        if thumbnail {
            files.read_thumbnail(&sha)
        } else {
            files.read(&sha)
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|_| AppError::NotFound)?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("image/jpeg")),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if public {
            "public, max-age=86400"
        } else {
            "private, max-age=300"
        }),
    );
    Ok(resp)
}

pub async fn photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> Response {
    cookieless(match serve_photo(&state, &caller, &sha, false).await {
        Ok(r) => r,
        Err(e) => (e.status(), e.message(caller.vi())).into_response(),
    })
}

pub async fn photo_thumb(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha): Path<String>,
) -> Response {
    cookieless(match serve_photo(&state, &caller, &sha, true).await {
        Ok(r) => r,
        Err(e) => (e.status(), e.message(caller.vi())).into_response(),
    })
}

// ---------------------------------------------------------------- staff pages

pub struct StaffRow {
    id: i64,
    title: String,
    state: String,
    when: String,
    scheduled: bool,
}

#[derive(Template)]
#[template(path = "stories_staff.html")]
struct StaffList {
    f: Frame,
    rows: Vec<StaffRow>,
}

fn state_label(lang: Lang, s: &Story, now: chrono::DateTime<chrono::Utc>) -> (String, bool) {
    let st = StoryState::parse(&s.state).unwrap_or(StoryState::Draft);
    let scheduled = st == StoryState::Published && s.published_at.is_some_and(|p| p > now);
    let text = if scheduled {
        label(lang, "Hẹn giờ đăng", "Scheduled").to_string()
    } else {
        label(lang, st.label_vi(), st.label_en()).to_string()
    };
    (text, scheduled)
}

pub async fn staff_list(State(state): State<AppState>, caller: Caller) -> Response {
    let result = async {
        let p = caller.require()?;
        authorize(p, Action::WriteStory, None, &state.tree())?;
        let (rows, _) = svc::list(&state, Some(p), &ListFilter::default(), 200, 0).await?;
        let now = state.clock.now();
        Ok::<_, AppError>(StaffList {
            f: Frame::new(&state, &caller, STAFF_PATH, "nav.write_stories"),
            rows: rows
                .into_iter()
                .map(|s| {
                    let (label, scheduled) = state_label(caller.lang, &s, now);
                    StaffRow {
                        id: s.id,
                        when: s
                            .published_at
                            .map(local_time)
                            .unwrap_or_else(|| local_time(s.updated_at)),
                        title: s.title,
                        state: label,
                        scheduled,
                    }
                })
                .collect(),
        })
    }
    .await;
    match result {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, STAFF_PATH, e),
    }
}

/// A story's form as typed (re-shown with the errors when refused).
#[derive(Default, Clone)]
pub struct StoryForm {
    title: String,
    summary: String,
    body: String,
    initiative_ids: Vec<i64>,
    unit_codes: String,
    version: String,
}

impl StoryForm {
    fn from_pairs(pairs: &[(String, String)]) -> StoryForm {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        StoryForm {
            title: get("title"),
            summary: get("summary"),
            body: get("body"),
            initiative_ids: pairs
                .iter()
                .filter(|(k, _)| k == "initiative_ids")
                .filter_map(|(_, v)| v.trim().parse().ok())
                .collect(),
            unit_codes: get("unit_codes"),
            version: get("version"),
        }
    }

    fn input(&self) -> StoryInput {
        StoryInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            initiative_ids: self.initiative_ids.clone(),
            unit_codes: self
                .unit_codes
                .split([',', ';', ' '])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    fn has_model(&self, id: &i64) -> bool {
        self.initiative_ids.contains(id)
    }
}

#[derive(Template)]
#[template(path = "story_form.html")]
struct FormPage {
    f: Frame,
    form: StoryForm,
    /// The public models in the writer's units: (id, title, unit).
    models: Vec<(i64, String, String)>,
    errors: Vec<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
    /// For an existing story: its id, slug, state and the actions the caller may take.
    story: Option<(i64, String)>,
    state_text: String,
    public: bool,
    actions: Vec<(&'static str, &'static str, &'static str)>,
    can_schedule: bool,
    photos: Vec<(String, String, String)>,
    action: String,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::find_err(&self.errors, field)
    }
}

/// The public models a writer can tell about: those of its units (the whole province for the
/// province administrator), newest first.
async fn models_for(
    state: &AppState,
    p: &danvan_domain::policy::Principal,
) -> Result<Vec<(i64, String, String)>, AppError> {
    let tree = state.tree();
    let mut units: Vec<i64> = scope(p, Action::PublishStory, &tree).into_iter().collect();
    units.sort_unstable();
    let f = initiatives::Filter {
        states: InitiativeState::PUBLIC
            .iter()
            .map(|s| s.code().to_string())
            .collect(),
        scope_units: Some(units),
        ..Default::default()
    };
    let (rows, _) = initiatives::list(&state.db, &f, 300, 0).await?;
    Ok(rows
        .into_iter()
        .map(|i| {
            let unit = tree
                .get(i.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            (i.id, i.title, unit)
        })
        .collect())
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    story: Option<&Full>,
    form: StoryForm,
    err: Option<&AppError>,
    notice: Option<String>,
) -> Result<FormPage, AppError> {
    let p = caller.require()?;
    let tree = state.tree();
    authorize(p, Action::WriteStory, None, &tree)?;
    let refusal = Refusal::of(err, caller.vi());
    let lang = caller.lang;
    let mut models = models_for(state, p).await?;
    // A story's own models stay listed even when they are outside the writer's units.
    for id in &form.initiative_ids {
        if !models.iter().any(|m| m.0 == *id)
            && let Some(i) = initiatives::by_id(&state.db, *id).await?
        {
            let unit = tree
                .get(i.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            models.push((i.id, i.title, unit));
        }
    }
    let mut actions = Vec::new();
    let mut state_text = String::new();
    let mut photos = Vec::new();
    let mut public = false;
    let mut can_schedule = false;
    if let Some(full) = story {
        let s = &full.story;
        (state_text, _) = state_label(lang, s, state.clock.now());
        public = svc::is_public(state, s);
        let units = store::about_units(&state.db, s.id).await?;
        let publisher = svc::may_publish(state, p, &units).is_ok();
        let current = StoryState::parse(&s.state).unwrap_or(StoryState::Draft);
        for a in StoryAction::ALL {
            let allowed = if a.needs_publisher() {
                publisher
            } else {
                publisher || s.author_id == Some(p.account_id)
            };
            if allowed && danvan_domain::story::next_state(current, a).is_some() {
                let style = match a {
                    StoryAction::Publish | StoryAction::Submit => "btn-primary",
                    StoryAction::Unpublish => "btn-danger",
                    StoryAction::Return => "btn-secondary",
                };
                can_schedule |= a == StoryAction::Publish;
                actions.push((a.code(), label(lang, a.label_vi(), a.label_en()), style));
            }
        }
        photos = store::photos(&state.db, s.id)
            .await?
            .into_iter()
            .map(|ph| {
                let markdown = format!(
                    "![{}]({})",
                    ph.alt.replace([']', '['], ""),
                    photo_url(&ph.sha256)
                );
                (thumb_url(&ph.sha256), ph.alt, markdown)
            })
            .collect();
    }
    let (title_key, action) = match story {
        Some(full) => ("stories.edit", format!("{STAFF_PATH}/{}", full.story.id)),
        None => ("stories.new", format!("{STAFF_PATH}/moi")),
    };
    let mut f = Frame::new(state, caller, STAFF_PATH, title_key);
    if let Some(full) = story {
        f.title = full.story.title.clone();
    }
    Ok(FormPage {
        f,
        form,
        models,
        errors: refusal.errors,
        error: refusal.error,
        notice,
        story: story.map(|full| (full.story.id, full.story.slug.clone())),
        state_text,
        public,
        actions,
        can_schedule,
        photos,
        action,
    })
}

fn respond(
    state: &AppState,
    caller: &Caller,
    page: Result<FormPage, AppError>,
    status: Option<StatusCode>,
) -> Response {
    match page {
        Ok(p) => Refusal::respond(status, p),
        Err(e) => super::error_page(state, caller, STAFF_PATH, e),
    }
}

fn form_of(state: &AppState, full: &Full) -> StoryForm {
    let tree = state.tree();
    StoryForm {
        title: full.story.title.clone(),
        summary: full.story.summary.clone(),
        body: full.story.body.clone(),
        initiative_ids: full.initiative_ids.clone(),
        unit_codes: full
            .unit_ids
            .iter()
            .filter_map(|u| tree.get(*u).map(|u| u.code.clone()))
            .collect::<Vec<_>>()
            .join(", "),
        version: full.story.version.to_string(),
    }
}

pub async fn new_form(State(state): State<AppState>, caller: Caller) -> Response {
    // A new story is about the writer's own unit unless they say otherwise.
    let tree = state.tree();
    let unit_codes = caller
        .principal
        .as_ref()
        .and_then(|p| {
            p.grants
                .iter()
                .find(|g| Action::WriteStory.roles().contains(&g.role))
                .and_then(|g| tree.get(g.unit_id))
                .map(|u| u.code.clone())
        })
        .unwrap_or_default();
    let form = StoryForm {
        unit_codes,
        ..Default::default()
    };
    let page = form_page(&state, &caller, None, form, None, None).await;
    respond(&state, &caller, page, None)
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = StoryForm::from_pairs(&pairs);
    let result = match caller.require() {
        Ok(p) => svc::create(&state, p, &form.input()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(full) => Redirect::to(&format!("{STAFF_PATH}/{}?ok=1", full.story.id)).into_response(),
        Err(e) => {
            let page = form_page(&state, &caller, None, form, Some(&e), None).await;
            respond(&state, &caller, page, Some(e.status()))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    ok: Option<String>,
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Response {
    let page = async {
        let p = caller.require()?;
        let full = svc::get(&state, Some(p), id).await?;
        let notice =
            q.ok.map(|_| label(caller.lang, "Đã lưu.", "Saved.").to_string());
        form_page(
            &state,
            &caller,
            Some(&full),
            form_of(&state, &full),
            None,
            notice,
        )
        .await
    }
    .await;
    respond(&state, &caller, page, None)
}

/// Re-shows a story's form with the error of a refused request.
async fn refused(
    state: &AppState,
    caller: &Caller,
    id: i64,
    form: Option<StoryForm>,
    e: AppError,
) -> Response {
    let path = format!("{STAFF_PATH}/{id}");
    if !matches!(e, AppError::Invalid(_) | AppError::Conflict(_)) {
        return super::error_page(state, caller, &path, e);
    }
    let page = async {
        let full = svc::get(state, caller.principal.as_ref(), id).await?;
        let form = form.unwrap_or_else(|| form_of(state, &full));
        form_page(state, caller, Some(&full), form, Some(&e), None).await
    }
    .await;
    respond(state, caller, page, Some(e.status()))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = StoryForm::from_pairs(&pairs);
    let result = match caller.require() {
        Ok(p) => {
            let version = form.version.trim().parse::<i64>().ok();
            svc::update(&state, p, id, version, &form.input()).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("{STAFF_PATH}/{id}?ok=1")).into_response(),
        Err(e) => refused(&state, &caller, id, Some(form), e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TransitionForm {
    action: String,
    publish_at: String,
}

pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<TransitionForm>,
) -> Response {
    let result = match caller.require() {
        Ok(p) => svc::transition(&state, p, id, &form.action, Some(&form.publish_at)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("{STAFF_PATH}/{id}?ok=1")).into_response(),
        Err(e) => refused(&state, &caller, id, None, e).await,
    }
}

/// Reads a photo upload: the `file` and its `alt` text.
pub async fn read_photo(mut form: Multipart) -> Result<(Vec<u8>, String), AppError> {
    let bad = |m: String| AppError::BadRequest("invalid_multipart", m);
    let (mut bytes, mut alt) = (None, String::new());
    while let Some(field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        match field.name().unwrap_or("") {
            "file" => {
                bytes = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| bad(e.body_text()))?
                        .to_vec(),
                )
            }
            "alt" => alt = field.text().await.map_err(|e| bad(e.body_text()))?,
            _ => {}
        }
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or_else(|| {
        AppError::invalid(danvan_domain::FieldError::new(
            "file",
            "file_required",
            "Cần chọn ảnh.",
            "Choose a photo.",
        ))
    })?;
    Ok((bytes, alt))
}

pub async fn upload_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let result = match caller.require() {
        Ok(p) => match read_photo(form).await {
            Ok((bytes, alt)) => svc::add_photo(&state, p, id, bytes, &alt).await.map(|_| ()),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("{STAFF_PATH}/{id}?ok=1")).into_response(),
        Err(e) => refused(&state, &caller, id, None, e).await,
    }
}
