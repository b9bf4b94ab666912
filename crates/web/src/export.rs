//! Lists as spreadsheets: `format=xlsx|csv` on the list endpoints and the matching pages.
//! Every table is built from the same service list functions as the JSON and the pages, so
//! an export holds exactly the rows the caller may see; the columns never carry personal
//! data (no petitioner names, contacts or petition texts) — except the households' register,
//! which only its commune's officers and the province admin can ask for, audited.

use std::collections::HashMap;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use danvan_domain::movement::{Field, IndicatorKind, State as InitiativeState};
use danvan_domain::organisation::OrganisationKind;
use danvan_domain::petition::{Channel, Kind as PetitionKind, State as PetitionState, Topic};
use danvan_domain::policy::Principal;
use danvan_export::{Cell, Column, Kind, Table};
use danvan_storage::audit::AuditFilter;
use danvan_storage::exports::{self, Export};
use danvan_storage::movement::initiatives::Filter as InitiativeFilter;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::AppError;
use crate::service::petitions::ListQuery as PetitionQuery;
use crate::state::AppState;

/// The most rows one download holds; a larger list must be narrowed with filters.
pub const MAX_ROWS: i64 = 100_000;
/// Lists longer than this are built in the background (the default of
/// `Config::export_async_rows`): the request answers 202 at once and the file waits on
/// "Tải về" (`/tai-ve`).
pub const ASYNC_ROWS: i64 = 5_000;
/// Rows a background export reads per query, between progress updates (the default of
/// `Config::export_chunk_rows`).
pub const CHUNK: i64 = 10_000;

/// Where the next window of a list starts: the rows already read. A chunked read of
/// petitions also keeps the ids of the whole list in order, read once, so that each chunk is
/// read by id rather than by sorting a million petitions again to skip what was read.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    offset: i64,
    reading: Reading,
}

#[derive(Debug, Clone, Default)]
enum Reading {
    /// One window is the whole read (a download made at once, a count).
    #[default]
    Whole,
    /// Chunk by chunk; the petitions' ids are filled by the first window.
    Chunked { ids: Option<Vec<i64>> },
}

impl Cursor {
    /// A cursor for reading a list chunk by chunk (a background export).
    fn chunked() -> Cursor {
        Cursor {
            offset: 0,
            reading: Reading::Chunked { ids: None },
        }
    }
}
/// How long a background export's file is kept.
const KEEP_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

/// The `format` parameter of a list endpoint or page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct FormatQuery {
    /// `xlsx` or `csv`: the whole list (every page, at most 100 000 rows) as a spreadsheet
    /// download with Vietnamese column titles instead of JSON; `json` or absent: JSON.
    /// Anything else is refused with 422 `unknown_format`.
    pub format: Option<String>,
    /// With `format`: build the file in the background even if the list is short (longer
    /// lists always are); the answer is then 202 with the export's `id`, `state` and `url`.
    #[serde(rename = "async")]
    pub run_async: bool,
}

impl FormatQuery {
    /// `None` for JSON (or the HTML page).
    pub fn parse(&self) -> Result<Option<Format>, AppError> {
        match self
            .format
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("") | Some("json") | Some("html") => Ok(None),
            Some("xlsx") => Ok(Some(Format::Xlsx)),
            Some("csv") => Ok(Some(Format::Csv)),
            Some(_) => Err(AppError::invalid(danvan_domain::FieldError::new(
                "format",
                "unknown_format",
                "Định dạng tải về không hợp lệ (chỉ xlsx hoặc csv).",
                "Unknown download format (xlsx or csv only).",
            ))),
        }
    }
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV_TYPE: &str = "text/csv; charset=utf-8";

/// The file as a download named `{stem}-{today}.{ext}` (the stem is Vietnamese; the header
/// also carries an ASCII fallback).
pub fn download(
    state: &AppState,
    table: &Table,
    format: Format,
    stem: &str,
) -> Result<Response, AppError> {
    let today = state.clock.today();
    let (bytes, content_type, ext) = match format {
        Format::Xlsx => (
            danvan_export::to_xlsx(table).map_err(|e| AppError::Internal(e.to_string()))?,
            XLSX_TYPE,
            "xlsx",
        ),
        Format::Csv => (danvan_export::to_csv(table), CSV_TYPE, "csv"),
    };
    attachment(bytes, content_type, &format!("{stem}-{today}.{ext}"))
}

/// A file as a download named `file_name` (Vietnamese, with an ASCII fallback). The file
/// may hold data only this caller may see, so a shared cache never keeps it.
pub fn attachment(
    bytes: Vec<u8>,
    content_type: &'static str,
    file_name: &str,
) -> Result<Response, AppError> {
    let disposition = danvan_export::content_disposition(file_name);
    let mut resp = bytes.into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .map_err(|e| AppError::Internal(format!("content-disposition: {e}")))?,
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

/// The current filters of a page as the start of a query string (`a=1&b=2&`), for its
/// download links, which then append `format=xlsx` or `format=csv`. Empty filters are left out.
pub fn filters_query(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    match serde_urlencoded::to_string(kept) {
        Ok(s) if !s.is_empty() => format!("{s}&"),
        _ => String::new(),
    }
}

fn too_large(total: i64) -> AppError {
    AppError::invalid(danvan_domain::FieldError::new(
        "format",
        "export_too_large",
        format!(
            "Danh sách có {total} dòng, vượt quá {MAX_ROWS} dòng của một lần tải; hãy lọc bớt."
        ),
        format!(
            "The list has {total} rows, more than the {MAX_ROWS} of one download; narrow it with filters."
        ),
    ))
}

fn col(title: &str, kind: Kind) -> Column {
    Column::new(title, kind)
}

fn opt_text(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, Cell::text)
}

/// The caller's petition queue (the same scope and filters as `GET /api/v1/petitions` and
/// `/xu-ly`), every page. No petitioner data and no petition text: only what identifies and
/// tracks the case.
async fn petitions(
    state: &AppState,
    who: &Principal,
    q: &PetitionQuery,
    limit: i64,
    at: &mut Cursor,
) -> Result<(Table, i64), AppError> {
    let (rows, total) = match &mut at.reading {
        Reading::Whole => {
            crate::service::petitions::list_window(state, who, q, limit, at.offset).await?
        }
        Reading::Chunked { ids } => {
            if ids.is_none() {
                let all = crate::service::petitions::list_ids(state, who, q, MAX_ROWS + 1).await?;
                *ids = Some(all);
            }
            let ids = ids.as_deref().unwrap_or_default();
            // More than the limit: counted for the message only.
            let total = if ids.len() as i64 > MAX_ROWS {
                crate::service::petitions::list_window(state, who, q, 1, 0)
                    .await?
                    .1
            } else {
                ids.len() as i64
            };
            let from = (at.offset.max(0) as usize).min(ids.len());
            let to = from.saturating_add(limit.max(0) as usize).min(ids.len());
            let rows = danvan_storage::petitions::listed_by_ids(&state.db, &ids[from..to]).await?;
            (rows, total)
        }
    };
    let tree = state.tree();
    let today = state.clock.today();
    let bodies = crate::service::petitions::body_names(
        &state.db,
        &rows
            .iter()
            .filter_map(|p| p.organisation_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let label = |code: &str, f: fn(&str) -> Option<&'static str>| -> Cell {
        Cell::text(f(code).unwrap_or(code))
    };
    let table_rows = rows
        .iter()
        .map(|p| {
            let unit = tree.get(p.unit_id);
            vec![
                Cell::text(&p.tracking_code),
                label(&p.kind, |c| PetitionKind::parse(c).map(|k| k.label_vi())),
                label(&p.topic, |c| Topic::parse(c).map(|k| k.label_vi())),
                opt_text(unit.map(|u| u.name.as_str())),
                opt_text(unit.map(|u| u.code.as_str())),
                label(&p.channel, |c| Channel::parse(c).map(|k| k.label_vi())),
                Cell::Date(p.received_on),
                Cell::text(&p.title),
                label(&p.state, |c| PetitionState::parse(c).map(|k| k.label_vi())),
                opt_text(
                    p.organisation_id
                        .and_then(|o| bodies.get(&o))
                        .map(String::as_str),
                ),
                Cell::Date(p.accept_due),
                Cell::from(p.accepted_on),
                Cell::Date(p.due_on),
                Cell::Bool(p.is_overdue(today)),
                Cell::Integer(p.extensions),
                Cell::from(p.answered_on),
                match p.rating.as_deref() {
                    Some("satisfied") => Cell::text("Hài lòng"),
                    Some("dissatisfied") => Cell::text("Không hài lòng"),
                    other => opt_text(other),
                },
                Cell::Integer(p.escalation_level),
            ]
        })
        .collect();
    let table = Table {
        title: "Kiến nghị".into(),
        columns: vec![
            col("Mã theo dõi", Kind::Text),
            col("Loại", Kind::Text),
            col("Lĩnh vực", Kind::Text),
            col("Địa bàn", Kind::Text),
            col("Mã đơn vị hành chính", Kind::Text),
            col("Kênh tiếp nhận", Kind::Text),
            col("Ngày tiếp nhận", Kind::Date),
            col("Tiêu đề", Kind::Text),
            col("Trạng thái", Kind::Text),
            col("Cơ quan giải quyết", Kind::Text),
            col("Hạn thụ lý", Kind::Date),
            col("Ngày thụ lý", Kind::Date),
            col("Hạn giải quyết", Kind::Date),
            col("Quá hạn", Kind::Bool),
            col("Số lần gia hạn", Kind::Integer),
            col("Ngày trả lời", Kind::Date),
            col("Đánh giá của người dân", Kind::Text),
            col("Mức nhắc việc", Kind::Integer),
        ],
        rows: table_rows,
    };
    Ok((table, total))
}

/// Models: public ones for everybody, unpublished ones in the caller's scope (the same
/// rule as `GET /api/v1/initiatives`), every page.
async fn initiatives(
    state: &AppState,
    who: Option<&Principal>,
    filter: InitiativeFilter,
    limit: i64,
    offset: i64,
) -> Result<(Table, i64), AppError> {
    let (rows, total) =
        crate::service::initiatives::list(state, who, filter, limit, offset).await?;
    let years: HashMap<i64, i64> = danvan_storage::movement::campaigns::list(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.year))
        .collect();
    let tree = state.tree();
    let table_rows = rows
        .iter()
        .map(|i| {
            let unit = tree.get(i.unit_id);
            vec![
                Cell::Integer(i.id),
                Cell::text(&i.title),
                Cell::text(
                    Field::parse(&i.field)
                        .map(|f| f.label_vi())
                        .unwrap_or(&i.field),
                ),
                Cell::from(years.get(&i.campaign_id).copied()),
                opt_text(unit.map(|u| u.name.as_str())),
                opt_text(unit.map(|u| u.code.as_str())),
                Cell::text(&i.registrant_name),
                Cell::Date(i.starts_on),
                Cell::Date(i.ends_on),
                Cell::text(
                    InitiativeState::parse(&i.state)
                        .map(|s| s.label_vi())
                        .unwrap_or(&i.state),
                ),
                Cell::from(i.source_id),
                Cell::text(&i.summary),
                Cell::text(format!("/mo-hinh/{}", i.id)),
            ]
        })
        .collect();
    let table = Table {
        title: "Mô hình Dân vận khéo".into(),
        columns: vec![
            col("Mã mô hình", Kind::Integer),
            col("Tên mô hình", Kind::Text),
            col("Lĩnh vực", Kind::Text),
            col("Năm", Kind::Integer),
            col("Địa bàn", Kind::Text),
            col("Mã đơn vị hành chính", Kind::Text),
            col("Đơn vị đăng ký", Kind::Text),
            col("Ngày bắt đầu", Kind::Date),
            col("Ngày kết thúc", Kind::Date),
            col("Trạng thái", Kind::Text),
            col("Nhân rộng từ mô hình", Kind::Integer),
            col("Tóm tắt", Kind::Text),
            col("Đường dẫn", Kind::Text),
        ],
        rows: table_rows,
    };
    Ok((table, total))
}

/// Organisations in the caller's scope.
async fn organisations(state: &AppState, who: &Principal) -> Result<Table, AppError> {
    let orgs = crate::service::organisations::list(state, who).await?;
    let tree = state.tree();
    let rows = orgs
        .iter()
        .map(|o| {
            let unit = tree.get(o.unit_id);
            vec![
                Cell::Integer(o.id),
                Cell::text(&o.name),
                Cell::text(
                    OrganisationKind::parse(&o.kind)
                        .map(|k| k.label_vi())
                        .unwrap_or(&o.kind),
                ),
                opt_text(unit.map(|u| u.name.as_str())),
                opt_text(unit.map(|u| u.code.as_str())),
                Cell::DateTime(o.created_at),
            ]
        })
        .collect();
    Ok(Table {
        title: "Tổ chức".into(),
        columns: vec![
            col("Mã tổ chức", Kind::Integer),
            col("Tên tổ chức", Kind::Text),
            col("Loại hình", Kind::Text),
            col("Địa bàn", Kind::Text),
            col("Mã đơn vị hành chính", Kind::Text),
            col("Ngày tạo (giờ Việt Nam)", Kind::DateTime),
        ],
        rows,
    })
}

/// The audit trail, newest first (the caller's right to see it is checked by [`window`]).
async fn audit(
    state: &AppState,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Table, i64), AppError> {
    let (entries, total) = danvan_storage::audit::list(&state.db, filter, limit, offset).await?;
    let rows = entries
        .into_iter()
        .map(|e| {
            vec![
                Cell::Integer(e.seq),
                Cell::DateTime(e.at),
                Cell::text(e.actor),
                Cell::text(e.action),
                Cell::text(e.entity_type),
                Cell::text(e.entity_id),
                Cell::from(e.before_json),
                Cell::from(e.after_json),
                Cell::text(e.hash),
            ]
        })
        .collect();
    let table = Table {
        title: "Nhật ký thao tác".into(),
        columns: vec![
            col("Số thứ tự", Kind::Integer),
            col("Thời điểm (giờ Việt Nam)", Kind::DateTime),
            col("Người thực hiện", Kind::Text),
            col("Thao tác", Kind::Text),
            col("Loại đối tượng", Kind::Text),
            col("Mã đối tượng", Kind::Text),
            col("Trước", Kind::Text),
            col("Sau", Kind::Text),
            col("Mã băm", Kind::Text),
        ],
        rows,
    };
    Ok((table, total))
}

/// The results roll-up by field: one row per field and indicator kind.
pub fn results(r: &crate::service::results::Rollup, at: NaiveDate) -> Table {
    let mut rows = Vec::new();
    for f in &r.by_field {
        let field = Field::parse(&f.field)
            .map(|x| x.label_vi())
            .unwrap_or(&f.field);
        let base = [
            Cell::text(&r.unit_name),
            Cell::Date(at),
            Cell::text(field),
            Cell::Integer(f.models),
            Cell::Integer(f.replications),
        ];
        if f.indicators.is_empty() {
            rows.push(base.to_vec());
        }
        for k in &f.indicators {
            let kind = IndicatorKind::parse(&k.kind);
            let mut row = base.to_vec();
            row.extend([
                Cell::text(kind.map(|k| k.label_vi()).unwrap_or(&k.kind)),
                Cell::text(kind.map(|k| k.unit_vi()).unwrap_or("")),
                Cell::Number(k.target),
                Cell::Number(k.achieved),
                if k.target > 0.0 {
                    Cell::Number((k.achieved / k.target * 1000.0).round() / 10.0)
                } else {
                    Cell::Empty
                },
            ]);
            rows.push(row);
        }
    }
    Table {
        title: "Kết quả".into(),
        columns: vec![
            col("Địa bàn", Kind::Text),
            col("Theo địa giới ngày", Kind::Date),
            col("Lĩnh vực", Kind::Text),
            col("Số mô hình", Kind::Integer),
            col("Số lần nhân rộng", Kind::Integer),
            col("Chỉ tiêu", Kind::Text),
            col("Đơn vị tính", Kind::Text),
            col("Mục tiêu", Kind::Number),
            col("Đạt (đã xác minh)", Kind::Number),
            col("Tỷ lệ đạt (%)", Kind::Number),
        ],
        rows,
    }
}

/// One council's scores as the caller may see them on the council page: a row per model and
/// member (or one row for a model whose tally is still hidden from the caller — blind
/// scoring), with the recusals, the mean, the classification and the rank.
fn scores(views: &[crate::service::councils::CouncilView]) -> Table {
    let mut rows = Vec::new();
    for v in views {
        for m in &v.models {
            let base = vec![
                Cell::text(&v.name),
                Cell::Integer(v.year),
                Cell::from(m.rank.map(|r| r as i64)),
                Cell::Integer(m.initiative_id),
                Cell::text(&m.title),
                Cell::text(&m.registrant_name),
                Cell::text(&m.unit_name),
                Cell::from(m.count.map(|c| c as i64)),
                Cell::from(m.mean),
                Cell::from(m.spread),
                Cell::from(m.classification_label.clone()),
            ];
            if !m.visible {
                let mut row = base.clone();
                row.extend([
                    Cell::Empty,
                    Cell::Empty,
                    Cell::text(if m.recused {
                        "Bạn không chấm mô hình này (tự rút)"
                    } else {
                        "Điểm của hội đồng chỉ hiện sau khi bạn chấm mô hình này"
                    }),
                ]);
                rows.push(row);
                continue;
            }
            for member in &v.members {
                let score = m.scores.iter().find(|s| s.member_id == member.account_id);
                let recusal = v.recusals.iter().find(|r| {
                    r.initiative_id == m.initiative_id && r.member_id == member.account_id
                });
                let mut row = base.clone();
                row.extend([
                    Cell::text(&member.display_name),
                    Cell::from(score.map(|s| s.total)),
                    match (recusal, score) {
                        (Some(r), _) => Cell::text(format!("Không chấm (tự rút): {}", r.reason)),
                        (None, None) => Cell::text("Chưa chấm"),
                        (None, Some(_)) => Cell::Empty,
                    },
                ]);
                rows.push(row);
            }
        }
    }
    Table {
        title: "Điểm hội đồng".into(),
        columns: vec![
            col("Hội đồng", Kind::Text),
            col("Năm", Kind::Integer),
            col("Xếp hạng", Kind::Integer),
            col("Mã mô hình", Kind::Integer),
            col("Tên mô hình", Kind::Text),
            col("Đơn vị đăng ký", Kind::Text),
            col("Địa bàn", Kind::Text),
            col("Số thành viên đã chấm", Kind::Integer),
            col("Điểm trung bình", Kind::Number),
            col("Chênh lệch cao – thấp", Kind::Number),
            col("Xếp loại", Kind::Text),
            col("Thành viên", Kind::Text),
            col("Điểm của thành viên", Kind::Number),
            col("Ghi chú", Kind::Text),
        ],
        rows,
    }
}

/// Decisions with a row per recipient (number, date, signer, recipient, form). The schema
/// holds no prize money, so no amount column is made up.
fn decisions(list: &[crate::service::commendations::DecisionOut]) -> Table {
    let mut rows = Vec::new();
    for d in list {
        let base = vec![
            opt_text(d.number.as_deref()),
            Cell::from(d.signed_on),
            Cell::text(&d.issuing_body),
            opt_text(d.signer_name.as_deref()),
            opt_text(d.signer_title.as_deref()),
            Cell::Bool(d.signed_as_deputy),
            Cell::text(&d.form),
            Cell::text(if d.state == danvan_storage::movement::decisions::ISSUED {
                "Đã ban hành"
            } else {
                "Dự thảo"
            }),
            Cell::Integer(d.year),
        ];
        if d.recipients.is_empty() {
            let mut row = base.clone();
            row.extend(std::iter::repeat_n(Cell::Empty, 5));
            row.push(Cell::text(&d.url));
            rows.push(row);
        }
        for r in &d.recipients {
            let mut row = base.clone();
            row.extend([
                Cell::text(&r.name),
                Cell::from(r.initiative_id),
                Cell::from(r.model_title.clone()),
                Cell::from(r.unit_name.clone()),
                Cell::from(r.classification_label.clone()),
                Cell::text(&d.url),
            ]);
            rows.push(row);
        }
    }
    Table {
        title: "Quyết định khen thưởng".into(),
        columns: vec![
            col("Số quyết định", Kind::Text),
            col("Ngày ký", Kind::Date),
            col("Cơ quan ban hành", Kind::Text),
            col("Người ký", Kind::Text),
            col("Chức vụ người ký", Kind::Text),
            col("Ký thay (KT.)", Kind::Bool),
            col("Hình thức khen thưởng", Kind::Text),
            col("Trạng thái", Kind::Text),
            col("Năm", Kind::Integer),
            col("Tập thể, cá nhân được khen", Kind::Text),
            col("Mã mô hình", Kind::Integer),
            col("Tên mô hình", Kind::Text),
            col("Địa bàn", Kind::Text),
            col("Xếp loại", Kind::Text),
            col("Đường dẫn", Kind::Text),
        ],
        rows,
    }
}

/// What can be exported, also in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Petitions,
    Initiatives,
    Organisations,
    Audit,
    Scores,
    Decisions,
    Households,
    Contributions,
}

impl ExportKind {
    pub const ALL: [ExportKind; 8] = [
        ExportKind::Petitions,
        ExportKind::Initiatives,
        ExportKind::Organisations,
        ExportKind::Audit,
        ExportKind::Scores,
        ExportKind::Decisions,
        ExportKind::Households,
        ExportKind::Contributions,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ExportKind::Petitions => "petitions",
            ExportKind::Initiatives => "initiatives",
            ExportKind::Organisations => "organisations",
            ExportKind::Audit => "audit",
            ExportKind::Scores => "scores",
            ExportKind::Decisions => "decisions",
            ExportKind::Households => "households",
            ExportKind::Contributions => "contributions",
        }
    }

    pub fn parse(s: &str) -> Option<ExportKind> {
        ExportKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The file name's stem (Vietnamese).
    pub fn stem(self) -> &'static str {
        match self {
            ExportKind::Petitions => "kiến-nghị",
            ExportKind::Initiatives => "mô-hình",
            ExportKind::Organisations => "tổ-chức",
            ExportKind::Audit => "nhật-ký",
            ExportKind::Scores => "điểm-hội-đồng",
            ExportKind::Decisions => "quyết-định-khen-thưởng",
            ExportKind::Households => "sổ-hộ-cần-hỗ-trợ",
            ExportKind::Contributions => "sổ-đóng-góp",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ExportKind::Petitions => "Kiến nghị",
            ExportKind::Initiatives => "Mô hình",
            ExportKind::Organisations => "Tổ chức",
            ExportKind::Audit => "Nhật ký thao tác",
            ExportKind::Scores => "Điểm hội đồng",
            ExportKind::Decisions => "Quyết định khen thưởng",
            ExportKind::Households => "Sổ hộ cần hỗ trợ",
            ExportKind::Contributions => "Sổ đóng góp",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ExportKind::Petitions => "Petitions",
            ExportKind::Initiatives => "Models",
            ExportKind::Organisations => "Organisations",
            ExportKind::Audit => "Audit trail",
            ExportKind::Scores => "Council scores",
            ExportKind::Decisions => "Commendation decisions",
            ExportKind::Households => "Households in need",
            ExportKind::Contributions => "Contributions ledger",
        }
    }
}

/// A list's query parameters, kept as they came (minus `format` and `async`) so that a
/// background export reads the list exactly as the request would have.
pub type Filters = std::collections::BTreeMap<String, String>;

/// The query parameters of a request, for [`respond`].
pub fn filters(raw: Option<&str>) -> Filters {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k != "format" && k != "async" && k != "page" && k != "per_page")
        .collect()
}

fn parse_filters<T: serde::de::DeserializeOwned>(f: &Filters) -> Result<T, AppError> {
    let q = serde_urlencoded::to_string(f).map_err(|e| AppError::Internal(e.to_string()))?;
    serde_urlencoded::from_str(&q).map_err(|e| {
        AppError::BadRequest("invalid_query", format!("Invalid query parameters: {e}"))
    })
}

/// The audit browser's filters (the names of `GET /api/v1/audit` and `/quan-tri/nhat-ky`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct AuditParams {
    actor: String,
    action: String,
    entity_type: String,
    from: String,
    to: String,
}

fn id_filter(f: &Filters, key: &str) -> Result<Option<i64>, AppError> {
    f.get(key)
        .map(|v| v.trim().parse::<i64>().map_err(|_| AppError::NotFound))
        .transpose()
}

/// Rows `[offset, offset + limit)` of a list that is built whole (short lists).
fn slice(mut t: Table, limit: i64, offset: i64) -> (Table, i64) {
    let total = t.rows.len() as i64;
    let start = offset.clamp(0, total) as usize;
    let end = offset.saturating_add(limit).clamp(0, total) as usize;
    t.rows = t.rows.drain(start..end).collect();
    (t, total)
}

/// One window of an export, with the list's total: every kind asks the same service and
/// policy as its JSON list, so a file holds exactly what the caller may see *now* (a
/// background export runs this again for its owner when the job runs).
pub async fn window(
    state: &AppState,
    who: Option<&Principal>,
    kind: ExportKind,
    f: &Filters,
    limit: i64,
    at: &mut Cursor,
) -> Result<(Table, i64), AppError> {
    let (table, total) = window_at(state, who, kind, f, limit, at).await?;
    at.offset += table.rows.len() as i64;
    Ok((table, total))
}

async fn window_at(
    state: &AppState,
    who: Option<&Principal>,
    kind: ExportKind,
    f: &Filters,
    limit: i64,
    at: &mut Cursor,
) -> Result<(Table, i64), AppError> {
    let signed_in = || who.ok_or(AppError::Unauthenticated);
    let offset = at.offset;
    match kind {
        ExportKind::Petitions => {
            let q: PetitionQuery = parse_filters(f)?;
            petitions(state, signed_in()?, &q, limit, at).await
        }
        ExportKind::Initiatives => {
            let q: crate::api::movement::ListQuery = parse_filters(f)?;
            initiatives(state, who, q.filter(state)?, limit, offset).await
        }
        ExportKind::Organisations => Ok(slice(
            organisations(state, signed_in()?).await?,
            limit,
            offset,
        )),
        ExportKind::Audit => {
            let p = signed_in()?;
            danvan_domain::policy::authorize(
                p,
                danvan_domain::policy::Action::ViewAudit,
                None,
                &state.tree(),
            )?;
            let q: AuditParams = parse_filters(f)?;
            let filter =
                crate::pages::audit_filter(&q.actor, &q.action, &q.entity_type, &q.from, &q.to)?;
            audit(state, &filter, limit, offset).await
        }
        ExportKind::Scores => {
            let p = signed_in()?;
            let ids = match id_filter(f, "council")? {
                Some(id) => vec![id],
                None => crate::service::councils::list_for(state, p)
                    .await?
                    .into_iter()
                    .map(|c| c.id)
                    .collect(),
            };
            let mut views = Vec::new();
            for id in ids {
                views.push(crate::service::councils::view(state, p, id).await?);
            }
            Ok(slice(scores(&views), limit, offset))
        }
        ExportKind::Decisions => {
            let ids = match id_filter(f, "decision")? {
                Some(id) => vec![id],
                None => crate::service::commendations::list(state, who)
                    .await?
                    .into_iter()
                    .map(|d| d.id)
                    .collect(),
            };
            let mut list = Vec::new();
            for id in ids {
                list.push(crate::service::commendations::get(state, who, id).await?);
            }
            Ok(slice(decisions(&list), limit, offset))
        }
        ExportKind::Households => {
            let q: crate::service::care::HouseholdQuery = parse_filters(f)?;
            let list = crate::service::care::households(state, signed_in()?, &q).await?;
            Ok(slice(households(&list, q.year), limit, offset))
        }
        ExportKind::Contributions => {
            let q: LedgerParams = parse_filters(f)?;
            let list =
                crate::service::care::contributions(state, signed_in()?, q.unit.as_deref(), q.year)
                    .await?;
            Ok(slice(contributions(&list), limit, offset))
        }
    }
}

/// The ledger's filters (the names of `GET /api/v1/contributions`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct LedgerParams {
    unit: Option<String>,
    year: Option<i64>,
}

/// A commune's register, as its officers keep it on paper: the one export with names and
/// addresses, for callers with `ManageHouseholds` on the commune (the listing is audited by
/// the service that built it).
fn households(list: &[crate::service::care::HouseholdView], year: Option<i64>) -> Table {
    let rows = list
        .iter()
        .map(|h| {
            let lists = match year {
                Some(y) => h.categories_in(y),
                None => h
                    .listings
                    .iter()
                    .map(|l| format!("{} {}", l.category_label, l.year))
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            vec![
                Cell::Integer(h.id),
                Cell::text(&h.head_name),
                Cell::text(&h.address),
                Cell::text(&h.unit_name),
                Cell::text(&h.unit_code),
                Cell::text(lists),
            ]
        })
        .collect();
    Table {
        title: "Sổ hộ cần hỗ trợ".into(),
        columns: vec![
            col("Mã hộ", Kind::Integer),
            col("Chủ hộ", Kind::Text),
            col("Địa chỉ", Kind::Text),
            col("Xã, phường", Kind::Text),
            col("Mã đơn vị hành chính", Kind::Text),
            col(
                if year.is_some() {
                    "Diện (năm đã chọn)"
                } else {
                    "Diện theo năm"
                },
                Kind::Text,
            ),
        ],
        rows,
    }
}

/// The contributions ledger; givers who asked not to be named stay "Ẩn danh".
fn contributions(list: &[crate::service::care::ContributionView]) -> Table {
    let rows = list
        .iter()
        .map(|c| {
            let kind = danvan_domain::care::ContributionKind::parse(&c.kind);
            let money = matches!(
                kind,
                Some(
                    danvan_domain::care::ContributionKind::MoneyVnd
                        | danvan_domain::care::ContributionKind::MaterialsVnd
                )
            );
            vec![
                Cell::Integer(c.id),
                Cell::Date(c.contributed_on),
                Cell::text(&c.unit_name),
                Cell::text(&c.unit_code),
                Cell::text(&c.kind_label),
                if money {
                    Cell::Vnd(c.quantity)
                } else {
                    Cell::Number(c.quantity)
                },
                Cell::text(kind.map(|k| k.unit_vi()).unwrap_or("")),
                Cell::text(&c.contributor),
                Cell::text(
                    danvan_domain::care::ContributorType::parse(&c.contributor_type)
                        .map(|t| t.label_vi())
                        .unwrap_or(&c.contributor_type),
                ),
                Cell::from(c.initiative_id),
                Cell::text(&c.note),
            ]
        })
        .collect();
    Table {
        title: "Sổ đóng góp".into(),
        columns: vec![
            col("Số", Kind::Integer),
            col("Ngày", Kind::Date),
            col("Xã, phường", Kind::Text),
            col("Mã đơn vị hành chính", Kind::Text),
            col("Loại đóng góp", Kind::Text),
            col("Số lượng", Kind::Number),
            col("Đơn vị", Kind::Text),
            col("Người đóng góp", Kind::Text),
            col("Loại người đóng góp", Kind::Text),
            col("Mã mô hình", Kind::Integer),
            col("Ghi chú", Kind::Text),
        ],
        rows,
    }
}

/// A background export as the API shows it to its owner.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportOut {
    pub id: i64,
    pub kind: String,
    pub format: String,
    /// queued, running, done or failed
    pub state: String,
    pub rows_done: i64,
    pub rows_total: Option<i64>,
    /// Where to ask for the state.
    pub url: String,
    /// The file, once done.
    pub file_url: Option<String>,
    pub file_name: Option<String>,
    pub error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl From<Export> for ExportOut {
    fn from(e: Export) -> Self {
        ExportOut {
            url: format!("/api/v1/exports/{}", e.id),
            file_url: (e.state == exports::DONE).then(|| format!("/api/v1/exports/{}/file", e.id)),
            id: e.id,
            kind: e.kind,
            format: e.format,
            state: e.state,
            rows_done: e.rows_done,
            rows_total: e.rows_total,
            file_name: e.file_name,
            error: e.error,
            created_at: e.created_at,
            finished_at: e.finished_at,
            expires_at: e.expires_at,
        }
    }
}

/// Answers a list's `format=`: the file at once, or — for a signed-in caller whose list is
/// longer than the threshold, or who asked `async=true` — a queued background export: 202
/// with `{"id", "state", "url"}` from the API, a redirect to "Tải về" from a page.
pub async fn respond(
    state: &AppState,
    who: Option<&Principal>,
    kind: ExportKind,
    f: Filters,
    q: &FormatQuery,
    from_page: bool,
) -> Result<Response, AppError> {
    let format = q.parse()?.ok_or(AppError::NotFound)?;
    let (_, total) = window(state, who, kind, &f, 1, &mut Cursor::default()).await?;
    if let Some(p) = who
        && (q.run_async || total > state.config.export_async_rows)
    {
        if total > MAX_ROWS {
            return Err(too_large(total));
        }
        let e = queue(state, p, kind, &f, format, total).await?;
        if from_page {
            return Ok(
                axum::response::Redirect::to(&format!("/tai-ve?moi={}", e.id)).into_response(),
            );
        }
        return Ok((
            axum::http::StatusCode::ACCEPTED,
            [(header::LOCATION, format!("/api/v1/exports/{}", e.id))],
            axum::Json(ExportOut::from(e)),
        )
            .into_response());
    }
    if total > MAX_ROWS {
        return Err(too_large(total));
    }
    let (table, _) = window(state, who, kind, &f, MAX_ROWS, &mut Cursor::default()).await?;
    download(state, &table, format, kind.stem())
}

/// Job kind of a background export: payload `{"export": id}`.
pub const EXPORT_JOB: &str = "export";

#[derive(Serialize, Deserialize)]
struct ExportJob {
    export: i64,
}

fn format_code(f: Format) -> &'static str {
    match f {
        Format::Xlsx => "xlsx",
        Format::Csv => "csv",
    }
}

async fn queue(
    state: &AppState,
    who: &Principal,
    kind: ExportKind,
    f: &Filters,
    format: Format,
    total: i64,
) -> Result<Export, AppError> {
    let filters = serde_json::to_string(f).map_err(|e| AppError::Internal(e.to_string()))?;
    // The request and its job in one transaction: never a queued export without a job.
    let mut tx = state.db.begin().await?;
    let id = exports::create(
        &mut tx,
        who.account_id,
        kind.code(),
        &filters,
        format_code(format),
        Some(total),
        crate::now() + chrono::Duration::days(KEEP_DAYS),
    )
    .await?;
    let payload = serde_json::to_string(&ExportJob { export: id })
        .map_err(|e| AppError::Internal(e.to_string()))?;
    danvan_storage::jobs::enqueue_tx(&mut tx, EXPORT_JOB, &payload, crate::now()).await?;
    tx.commit().await?;
    state.jobs_wake.notify_one();
    exports::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// One of the caller's exports; anybody else's is "not found", not "forbidden", so that
/// ids reveal nothing.
pub async fn mine(state: &AppState, who: &Principal, id: i64) -> Result<Export, AppError> {
    match exports::by_id(&state.db, id).await? {
        Some(e) if e.account_id == who.account_id => Ok(e),
        _ => Err(AppError::NotFound),
    }
}

/// The finished file of one of the caller's exports, as a download.
pub async fn file(state: &AppState, who: &Principal, id: i64) -> Result<Response, AppError> {
    let e = mine(state, who, id).await?;
    let (Some(path), Some(name)) = (e.file_path.as_deref(), e.file_name.as_deref()) else {
        return Err(AppError::Conflict("export_not_ready"));
    };
    if e.state != exports::DONE || e.expires_at < crate::now() {
        return Err(AppError::Conflict("export_not_ready"));
    }
    let bytes = tokio::fs::read(state.config.data_dir.join(path))
        .await
        .map_err(|_| AppError::NotFound)?;
    let content_type = if e.format == "csv" {
        CSV_TYPE
    } else {
        XLSX_TYPE
    };
    attachment(bytes, content_type, name)
}

/// Builds one export for its owner, chunk by chunk, and keeps the file.
async fn build(state: &AppState, e: &Export) -> Result<i64, AppError> {
    let account = danvan_storage::accounts::by_id(&state.db, e.account_id)
        .await?
        .filter(|a| !a.is_disabled)
        .ok_or(AppError::Forbidden)?;
    // The owner's rights as they are now, not as they were when the export was asked for.
    let who = crate::auth::principal_of(state, account).await?;
    let kind = ExportKind::parse(&e.kind).ok_or(AppError::NotFound)?;
    let f: Filters =
        serde_json::from_str(&e.filters).map_err(|err| AppError::Internal(err.to_string()))?;
    let format = if e.format == "csv" {
        Format::Csv
    } else {
        Format::Xlsx
    };
    let chunk_rows = state.config.export_chunk_rows.max(1);
    let mut at = Cursor::chunked();
    let (first, total) = window(state, Some(&who), kind, &f, chunk_rows, &mut at).await?;
    if total > MAX_ROWS {
        return Err(too_large(total));
    }
    exports::start(&state.db, e.id, total).await?;
    let file_format = match format {
        Format::Xlsx => danvan_export::FileFormat::Xlsx,
        Format::Csv => danvan_export::FileFormat::Csv,
    };
    let failed = |e: danvan_export::ExportError| AppError::Internal(e.to_string());
    // Rows go to the file chunk by chunk as they are read: memory holds two chunks, not the
    // list. The next chunk is read while the last one is written (the two took about as long).
    let mut sheet = danvan_export::SheetWriter::new(file_format, &first.title, &first.columns)
        .map_err(failed)?;
    let mut chunk = first;
    loop {
        let read = chunk.rows.len();
        // A list that grows while it is read stops within a chunk of the export's limit.
        let last = read < chunk_rows as usize || sheet.rows() as i64 + read as i64 >= MAX_ROWS;
        let writing = tokio::task::spawn_blocking(move || {
            let written = chunk.rows.iter().try_for_each(|r| sheet.push(r));
            (sheet, written)
        });
        let reading = async {
            match last {
                true => Ok(None),
                false => window(state, Some(&who), kind, &f, chunk_rows, &mut at)
                    .await
                    .map(|(next, _)| Some(next)),
            }
        };
        let (wrote, next) = tokio::join!(writing, reading);
        let written;
        (sheet, written) = wrote.map_err(|e| AppError::Internal(e.to_string()))?;
        written.map_err(failed)?;
        let done = sheet.rows() as i64;
        exports::progress(&state.db, e.id, done, total.max(done)).await?;
        match next? {
            Some(next) => chunk = next,
            None => break,
        }
    }
    let rows = sheet.rows() as i64;
    let bytes = tokio::task::spawn_blocking(move || sheet.finish())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(failed)?;
    let ext = format_code(format);
    let stored = format!("{}-{}.{ext}", e.id, danvan_domain::secret::random_token());
    let dir = state.config.data_dir.join(EXPORT_DIR);
    let name = stored.clone();
    tokio::task::spawn_blocking(move || danvan_files::write_durably(&dir, &name, &bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("cannot write the export: {e}")))?;
    let file_name = format!("{}-{}.{ext}", kind.stem(), state.clock.today());
    exports::finish(
        &state.db,
        e.id,
        rows,
        &format!("{EXPORT_DIR}/{stored}"),
        &file_name,
    )
    .await?;
    Ok(rows)
}

/// Where background exports are kept, under the data dir.
const EXPORT_DIR: &str = "exports";

/// Runs export jobs and removes expired export files; handed to the job runner by
/// whoever starts it (`danvan serve`), since the jobs crate cannot know the web layer.
pub struct ExportJobs {
    pub state: AppState,
}

impl ExportJobs {
    async fn run_export(&self, job: &danvan_storage::jobs::Job) -> danvan_jobs::Outcome {
        let req: ExportJob = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
        let Some(e) = exports::by_id(&self.state.db, req.export)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(format!("export {} is gone", req.export));
        };
        if e.state == exports::DONE {
            return Ok(format!("export {} was done already", e.id));
        }
        match build(&self.state, &e).await {
            Ok(rows) => Ok(format!("export {}: {rows} rows", e.id)),
            Err(err) => {
                // Refused or broken exports are not retried: the owner sees why on "Tải về"
                // and asks again.
                exports::fail(&self.state.db, e.id, &err.message(true))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("export {} failed: {}", e.id, err.message(false)))
            }
        }
    }

    async fn purge(&self) -> danvan_jobs::Outcome {
        let expired = exports::expired(&self.state.db, crate::now())
            .await
            .map_err(|e| e.to_string())?;
        let mut removed = 0;
        for e in expired {
            if let Some(path) = &e.file_path {
                match tokio::fs::remove_file(self.state.config.data_dir.join(path)).await {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    // Keep the row so the next housekeeping tries the file again.
                    Err(err) => {
                        tracing::warn!(export = e.id, error = %err, "cannot remove an expired export");
                        continue;
                    }
                }
            }
            exports::delete(&self.state.db, e.id)
                .await
                .map_err(|e| e.to_string())?;
            removed += 1;
        }
        Ok(format!("{removed} expired exports"))
    }
}

impl danvan_jobs::Handler for ExportJobs {
    fn run<'a>(
        &'a self,
        job: &'a danvan_storage::jobs::Job,
    ) -> danvan_jobs::BoxFuture<'a, Option<danvan_jobs::Outcome>> {
        Box::pin(async move {
            if job.kind == EXPORT_JOB {
                Some(self.run_export(job).await)
            } else {
                None
            }
        })
    }

    fn housekeeping(&self) -> danvan_jobs::BoxFuture<'_, danvan_jobs::Outcome> {
        Box::pin(self.purge())
    }
}

/// The handler a server's job runner is given (`Runner::handler`), for export jobs.
pub fn job_handler(state: &AppState) -> std::sync::Arc<dyn danvan_jobs::Handler> {
    std::sync::Arc::new(ExportJobs {
        state: state.clone(),
    })
}
