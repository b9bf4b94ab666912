//! Spreadsheets in and out for staff: the import page (pick a kind, fetch its template,
//! upload, see what was created or every row's problem) and "Tải về", the caller's
//! background exports with their progress.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::FixedOffset;
use serde::Deserialize;

use super::{Frame, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::export::ExportKind;
use crate::service::imports::{self, Credential, ImportError, ImportKind, Importer, RowProblem};
use crate::state::AppState;

pub const IMPORT_PATH: &str = "/quan-tri/nhap-du-lieu";
pub const DOWNLOADS_PATH: &str = "/tai-ve";

/// One importable kind as the page offers it.
pub struct KindOption {
    pub code: &'static str,
    pub label: &'static str,
    /// The column titles, required ones first marked.
    pub columns: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportPage {
    f: Frame,
    kinds: Vec<KindOption>,
    /// (kind label, created) after an accepted file.
    created: Option<(String, usize)>,
    credentials: Vec<Credential>,
    problems: Vec<RowProblem>,
    error: Option<String>,
    indicator_groups: usize,
}

impl ImportPage {
    fn message<'a>(&self, p: &'a RowProblem) -> &'a str {
        self.f.tr(&p.message_vi, &p.message)
    }
}

fn import_page(
    state: &AppState,
    caller: &Caller,
    selected: Option<ImportKind>,
) -> Result<ImportPage, AppError> {
    let who = caller.require()?;
    let kinds: Vec<KindOption> = ImportKind::ALL
        .into_iter()
        .filter(|k| k.allowed_for(state, who))
        .map(|k| KindOption {
            code: k.code(),
            label: if caller.vi() {
                k.label_vi()
            } else {
                k.label_en()
            },
            columns: k
                .columns()
                .iter()
                .map(|c| {
                    if c.required {
                        format!("{} *", c.title)
                    } else {
                        c.title.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" · "),
            selected: Some(k) == selected,
        })
        .collect();
    if kinds.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(ImportPage {
        f: Frame::new(state, caller, IMPORT_PATH, "imports.title"),
        kinds,
        created: None,
        credentials: Vec::new(),
        problems: Vec::new(),
        error: None,
        indicator_groups: imports::INDICATOR_GROUPS,
    })
}

pub async fn import_form(State(state): State<AppState>, caller: Caller) -> Response {
    match import_page(&state, &caller, None) {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, IMPORT_PATH, e),
    }
}

/// The form's two fields: the kind and the file.
async fn read_form(mut form: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let bad = |m: String| AppError::BadRequest("invalid_multipart", m);
    let (mut kind, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        match field.name().unwrap_or("") {
            "kind" => kind = field.text().await.map_err(|e| bad(e.body_text()))?,
            "file" => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| bad(e.body_text()))?
                    .to_vec()
            }
            _ => {}
        }
    }
    Ok((kind, bytes))
}

pub async fn import_upload(
    State(state): State<AppState>,
    caller: Caller,
    form: Multipart,
) -> Response {
    let result = async {
        let who = caller.require()?;
        let (kind, bytes) = read_form(form).await?;
        let kind = ImportKind::parse(&kind);
        let mut page = import_page(&state, &caller, kind)?;
        let Some(kind) = kind else {
            page.error = Some(
                page.f
                    .tr("Hãy chọn loại dữ liệu cần nhập.", "Choose what to import.")
                    .to_string(),
            );
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(page)).into_response());
        };
        if bytes.is_empty() {
            page.error = Some(
                page.f
                    .tr("Hãy chọn tệp XLSX hoặc CSV.", "Choose an XLSX or CSV file.")
                    .to_string(),
            );
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(page)).into_response());
        }
        match imports::import(&state, &Importer::Person(who), kind, &bytes, &|_, _, _| {}).await {
            Ok(out) => {
                let label = if caller.vi() {
                    kind.label_vi()
                } else {
                    kind.label_en()
                };
                page.created = Some((label.to_string(), out.created));
                page.credentials = out.credentials;
                // The initial passwords are on this page only: never kept by a cache.
                Ok((
                    [(axum::http::header::CACHE_CONTROL, "no-store")],
                    render(page),
                )
                    .into_response())
            }
            Err(ImportError::Rejected(rows)) => {
                page.problems = rows;
                Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(page)).into_response())
            }
            Err(ImportError::App(e)) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e: AppError| super::error_page(&state, &caller, IMPORT_PATH, e))
}

/// One export on "Tải về".
pub struct DownloadRow {
    pub id: i64,
    pub label: String,
    pub format: String,
    pub state: String,
    pub state_label: String,
    pub done: i64,
    pub total: i64,
    pub created: String,
    pub expires: String,
    pub file_name: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "downloads.html")]
struct DownloadsPage {
    f: Frame,
    rows: Vec<DownloadRow>,
    /// Something is still being built: the page reloads itself.
    pending: bool,
    fresh: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DownloadsQuery {
    moi: Option<i64>,
}

fn vn_time(t: chrono::DateTime<chrono::Utc>) -> String {
    match FixedOffset::east_opt(7 * 3600) {
        Some(tz) => t.with_timezone(&tz).format("%H:%M %d/%m/%Y").to_string(),
        None => t.format("%H:%M %d/%m/%Y UTC").to_string(),
    }
}

pub async fn downloads(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DownloadsQuery>,
) -> Response {
    let result = async {
        let who = caller.require()?;
        let vi = caller.vi();
        let list = danvan_storage::exports::list_for(&state.db, who.account_id).await?;
        let rows: Vec<DownloadRow> = list
            .into_iter()
            .map(|e| {
                let kind = ExportKind::parse(&e.kind);
                let pick = |v: &'static str, en: &'static str| if vi { v } else { en };
                DownloadRow {
                    id: e.id,
                    label: kind
                        .map(|k| if vi { k.label_vi() } else { k.label_en() })
                        .unwrap_or(&e.kind)
                        .to_string(),
                    format: e.format.to_uppercase(),
                    state_label: match e.state.as_str() {
                        "queued" => pick("Đang chờ", "Queued"),
                        "running" => pick("Đang tạo", "Building"),
                        "done" => pick("Xong", "Done"),
                        _ => pick("Không tạo được", "Failed"),
                    }
                    .to_string(),
                    done: e.rows_done,
                    total: e.rows_total.unwrap_or(0).max(e.rows_done),
                    created: vn_time(e.created_at),
                    expires: vn_time(e.expires_at),
                    file_name: e
                        .file_name
                        .filter(|_| e.state == danvan_storage::exports::DONE),
                    error: e.error,
                    state: e.state,
                }
            })
            .collect();
        let pending = rows
            .iter()
            .any(|r| r.state == "queued" || r.state == "running");
        Ok::<_, AppError>(DownloadsPage {
            f: Frame::new(&state, &caller, DOWNLOADS_PATH, "downloads.title"),
            rows,
            pending,
            fresh: q.moi,
        })
    }
    .await;
    match result {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, DOWNLOADS_PATH, e),
    }
}

/// The file of one of the caller's exports (anybody else's: not found).
pub async fn download_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    let path = format!("{DOWNLOADS_PATH}/{id}");
    let result = async {
        let who = caller.require()?;
        let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
        crate::export::file(&state, who, id).await
    }
    .await;
    result.unwrap_or_else(|e| super::error_page(&state, &caller, &path, e))
}
