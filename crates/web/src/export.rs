//! Lists as spreadsheets: `format=xlsx|csv` on the list endpoints and the matching pages.
//! Every table is built from the same service list functions as the JSON and the pages, so
//! an export holds exactly the rows the caller may see; the columns never carry personal
//! data (no petitioner names, contacts or petition texts).

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
use danvan_storage::movement::initiatives::Filter as InitiativeFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::service::petitions::ListQuery as PetitionQuery;
use crate::state::AppState;

/// The most rows one download holds; a larger list must be narrowed with filters (large
/// exports as background jobs are not built yet).
pub const MAX_ROWS: i64 = 100_000;

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
    let disposition = danvan_export::content_disposition(&format!("{stem}-{today}.{ext}"));
    let mut resp = bytes.into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .map_err(|e| AppError::Internal(format!("content-disposition: {e}")))?,
    );
    // The file may hold data only this caller may see: never kept by a shared cache.
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
pub async fn petitions(
    state: &AppState,
    who: &Principal,
    q: &PetitionQuery,
) -> Result<Table, AppError> {
    let (rows, total) = crate::service::petitions::list_window(state, who, q, MAX_ROWS, 0).await?;
    if total > MAX_ROWS {
        return Err(too_large(total));
    }
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
    Ok(Table {
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
    })
}

/// Models: public ones for everybody, unpublished ones in the caller's scope (the same
/// rule as `GET /api/v1/initiatives`), every page.
pub async fn initiatives(
    state: &AppState,
    who: Option<&Principal>,
    filter: InitiativeFilter,
) -> Result<Table, AppError> {
    let (rows, total) = crate::service::initiatives::list(state, who, filter, MAX_ROWS, 0).await?;
    if total > MAX_ROWS {
        return Err(too_large(total));
    }
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
    Ok(Table {
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
    })
}

/// Organisations in the caller's scope.
pub async fn organisations(state: &AppState, who: &Principal) -> Result<Table, AppError> {
    let orgs = crate::service::organisations::list(state, who).await?;
    if orgs.len() as i64 > MAX_ROWS {
        return Err(too_large(orgs.len() as i64));
    }
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

/// The audit trail, newest first (the caller's right to see it is checked by the caller of
/// this function, as for the JSON).
pub async fn audit(state: &AppState, filter: &AuditFilter) -> Result<Table, AppError> {
    let (entries, total) = danvan_storage::audit::list(&state.db, filter, MAX_ROWS, 0).await?;
    if total > MAX_ROWS {
        return Err(too_large(total));
    }
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
    Ok(Table {
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
    })
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
