//! Spreadsheet imports (XLSX or CSV) of organisations and of the holiday schedule.
//!
//! Every row is checked first with the same rules as the single-record services
//! (`organisations::check`, `calendar::check_day`) and the same policy actions; if any row
//! is wrong the whole file is refused with the list of problems and nothing is written.
//! Otherwise every row is written in one transaction with one audit entry per record (the
//! same entries the single-record services write), so the audit trail reads the same
//! whichever way a record came in.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use danvan_domain::fold::fold;
use danvan_domain::organisation::OrganisationKind;
use danvan_domain::policy::{Action, Principal, authorize};
use danvan_domain::{FieldError, Invalid};
use danvan_export::{Cell, Column, Kind as ColumnKind, Table};
use danvan_storage::audit::Actor;
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

/// What can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Organisations,
    Holidays,
}

impl ImportKind {
    pub fn parse(s: &str) -> Option<ImportKind> {
        match s.trim() {
            "organisations" => Some(ImportKind::Organisations),
            "holidays" => Some(ImportKind::Holidays),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Organisations => "organisations",
            ImportKind::Holidays => "holidays",
        }
    }

    /// Column titles as people see them, each with the service field it feeds.
    fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ImportKind::Organisations => &[
                (ORG_NAME, "name"),
                (ORG_KIND, "kind"),
                (ORG_UNIT, "unit_code"),
            ],
            ImportKind::Holidays => &[
                (DAY_DATE, "date"),
                (DAY_KIND, "kind"),
                (DAY_REASON, "reason"),
            ],
        }
    }

    /// The column title a service field error belongs to.
    fn title_of(self, field: &str) -> &'static str {
        self.columns()
            .iter()
            .find(|(_, f)| *f == field)
            .map_or("", |(t, _)| t)
    }
}

const ORG_NAME: &str = "Tên tổ chức";
const ORG_KIND: &str = "Loại";
const ORG_UNIT: &str = "Đơn vị";
const DAY_DATE: &str = "Ngày";
const DAY_KIND: &str = "Loại";
const DAY_REASON: &str = "Lý do";

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 10_000;

/// One problem of a refused file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowProblem {
    /// The row number as the spreadsheet shows it (the header is row 1); 0 for the file.
    pub row: usize,
    /// The column title, empty for the whole row or file.
    pub column: String,
    pub code: String,
    /// English message.
    pub message: String,
    pub message_vi: String,
}

impl RowProblem {
    fn new(row: usize, column: &str, e: &FieldError) -> RowProblem {
        RowProblem {
            row,
            column: column.to_string(),
            code: e.code.to_string(),
            message: e.message_en.clone(),
            message_vi: e.message_vi.clone(),
        }
    }

    fn file(code: &'static str, vi: &str, en: &str) -> RowProblem {
        RowProblem::new(0, "", &FieldError::new("file", code, vi, en))
    }
}

/// Why an import did not happen.
#[derive(Debug)]
pub enum ImportError {
    /// The file or some rows are wrong; nothing was written.
    Rejected(Vec<RowProblem>),
    /// Not allowed, or the database failed.
    App(AppError),
}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        ImportError::App(e)
    }
}

impl From<danvan_storage::StoreError> for ImportError {
    fn from(e: danvan_storage::StoreError) -> Self {
        ImportError::App(e.into())
    }
}

/// Who imports: a signed-in person (policy applies) or the system from the shell.
pub enum Importer<'a> {
    Person(&'a Principal),
    System(Actor),
}

impl Importer<'_> {
    fn actor(&self) -> Actor {
        match self {
            Importer::Person(p) => super::actor(p),
            Importer::System(a) => a.clone(),
        }
    }

    fn allowed(&self, state: &AppState, action: Action, unit: Option<i64>) -> bool {
        match self {
            Importer::Person(p) => authorize(p, action, unit, &state.tree()).is_ok(),
            Importer::System(_) => true,
        }
    }

    fn account_id(&self) -> Option<i64> {
        match self {
            Importer::Person(p) => Some(p.account_id),
            Importer::System(_) => None,
        }
    }
}

/// Reports progress: `(stage, done, total)`; the CLI draws it, the API ignores it.
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Sync);

/// The file's data rows, each with its spreadsheet row number, by column title.
#[derive(Debug)]
struct Sheet {
    rows: Vec<(usize, HashMap<&'static str, String>)>,
}

/// The empty template: the titles and one example row.
pub fn template(kind: ImportKind) -> Table {
    let text = |s: &str| Cell::text(s);
    let (title, rows) = match kind {
        ImportKind::Organisations => (
            "Tổ chức",
            vec![vec![
                text("Hội Nông dân xã Núi Cấm"),
                text(OrganisationKind::MassOrganisation.label_vi()),
                text("Xã Núi Cấm"),
            ]],
        ),
        ImportKind::Holidays => (
            "Lịch nghỉ",
            vec![vec![
                text("2026-01-02"),
                text("nghỉ"),
                text("Nghỉ bù Tết Dương lịch"),
            ]],
        ),
    };
    Table {
        title: title.to_string(),
        columns: kind
            .columns()
            .iter()
            .map(|(t, _)| Column::new(*t, ColumnKind::Text))
            .collect(),
        rows,
    }
}

/// Reads an XLSX (by its zip signature) or a UTF-8 CSV (a byte order mark is tolerated).
fn read(kind: ImportKind, bytes: &[u8]) -> Result<Sheet, Vec<RowProblem>> {
    let grid = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else {
        read_csv(bytes)?
    };
    // The header is the first non-empty row; rows keep their spreadsheet numbers (1-based).
    let mut grid = grid
        .into_iter()
        .enumerate()
        .skip_while(|(_, r)| r.iter().all(|c| c.trim().is_empty()));
    let Some((_, header)) = grid.next() else {
        return Err(vec![RowProblem::file(
            "empty_file",
            "Tệp không có dữ liệu.",
            "The file is empty.",
        )]);
    };
    let mut problems = Vec::new();
    let mut index: Vec<Option<&'static str>> = Vec::new();
    let mut seen = HashSet::new();
    for title in &header {
        let title = title.trim();
        // Titles compare folded, so "Ten to chuc" or another tone placement still match.
        let known = kind
            .columns()
            .iter()
            .find(|(t, _)| fold(t) == fold(title))
            .map(|(t, _)| *t);
        match known {
            Some(t) if !seen.insert(t) => problems.push(RowProblem::new(
                1,
                title,
                &FieldError::new(
                    "file",
                    "duplicate_column",
                    "Cột bị lặp.",
                    "The column appears twice.",
                ),
            )),
            None if !title.is_empty() => problems.push(RowProblem::new(
                1,
                title,
                &FieldError::new(
                    "file",
                    "unknown_column",
                    "Cột không có trong mẫu.",
                    "This column is not in the template.",
                ),
            )),
            _ => {}
        }
        index.push(known);
    }
    for (t, _) in kind.columns() {
        if !seen.contains(t) {
            problems.push(RowProblem::new(
                1,
                t,
                &FieldError::new(
                    "file",
                    "missing_column",
                    "Thiếu cột bắt buộc.",
                    "A required column is missing.",
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for (i, cells) in grid {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row = HashMap::new();
        for (c, v) in cells.into_iter().enumerate() {
            if let Some(Some(t)) = index.get(c) {
                row.insert(*t, v.trim().to_string());
            }
        }
        rows.push((i + 1, row));
    }
    if rows.is_empty() {
        return Err(vec![RowProblem::file(
            "empty_file",
            "Tệp không có dòng dữ liệu nào.",
            "The file has no data rows.",
        )]);
    }
    if rows.len() > MAX_ROWS {
        return Err(vec![RowProblem::file(
            "too_many_rows",
            "Tệp có quá nhiều dòng (tối đa 10 000).",
            "Too many rows (at most 10 000).",
        )]);
    }
    Ok(Sheet { rows })
}

fn not_spreadsheet() -> Vec<RowProblem> {
    vec![RowProblem::file(
        "not_a_spreadsheet",
        "Tệp không phải bảng tính XLSX hoặc CSV (UTF-8).",
        "The file is not an XLSX or UTF-8 CSV spreadsheet.",
    )]
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, Vec<RowProblem>> {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| not_spreadsheet())?;
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Err(not_spreadsheet());
    };
    // A formula's cached value may not be what the author sees; refuse rather than guess.
    if let Ok(formulas) = wb.worksheet_formula(&name) {
        let found: Vec<RowProblem> = formulas
            .cells()
            .filter(|(_, _, f)| !f.is_empty())
            .map(|(r, _, _)| {
                RowProblem::new(
                    r + formulas.start().map_or(0, |s| s.0 as usize) + 1,
                    "",
                    &FieldError::new(
                        "file",
                        "formula_cell",
                        "Ô có công thức; hãy dán giá trị thay cho công thức.",
                        "A cell holds a formula; paste values instead.",
                    ),
                )
            })
            .collect();
        if !found.is_empty() {
            return Err(found);
        }
    }
    let range = wb.worksheet_range(&name).map_err(|_| not_spreadsheet())?;
    // Data rows must keep their spreadsheet numbers even if the sheet starts lower down.
    let first_row = range.start().map_or(0, |s| s.0 as usize);
    let mut out: Vec<Vec<String>> = vec![Vec::new(); first_row];
    for row in range.rows() {
        out.push(
            row.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Int(i) => i.to_string(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|d| d.date().to_string())
                        .unwrap_or_default(),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Error(e) => format!("#{e:?}"),
                })
                .collect(),
        );
    }
    Ok(out)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, Vec<RowProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| not_spreadsheet())?;
    // Binary content that happens to be UTF-8 is still not a table.
    if text.chars().any(|c| c == '\0') || text.trim().is_empty() {
        return Err(not_spreadsheet());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|_| not_spreadsheet())?;
        out.push(rec.iter().map(str::to_string).collect());
    }
    Ok(out)
}

/// A unit given by code or by name (folded: without diacritics or with either tone
/// placement); a name shared by several current units is refused as ambiguous.
fn unit_code(state: &AppState, given: &str) -> Result<String, FieldError> {
    let given = given.trim();
    if given.is_empty() || super::resolve_unit(state, "unit_code", given).is_ok() {
        return Ok(given.to_string());
    }
    let tree = state.tree();
    let today = chrono::Local::now().date_naive();
    // "Núi Cấm" names "Xã Núi Cấm" too: the kind of unit may be left out.
    let bare = |s: &str| {
        let f = fold(s);
        [
            "xa ",
            "phuong ",
            "thi tran ",
            "dac khu ",
            "tinh ",
            "thanh pho ",
        ]
        .iter()
        .find_map(|p| f.strip_prefix(p).map(str::to_string))
        .unwrap_or(f)
    };
    let current: Vec<_> = tree.iter().filter(|u| u.valid_at(today)).collect();
    let whole = fold(given);
    let mut found: Vec<_> = current.iter().filter(|u| fold(&u.name) == whole).collect();
    if found.is_empty() {
        let wanted = bare(given);
        found = current.iter().filter(|u| bare(&u.name) == wanted).collect();
    }
    match found.as_slice() {
        [one] => Ok(one.code.clone()),
        [] => Err(FieldError::new(
            "unit_code",
            "unknown_unit",
            format!("Không có đơn vị hành chính mã hoặc tên “{given}”."),
            format!("There is no administrative unit with code or name “{given}”."),
        )),
        many => Err(FieldError::new(
            "unit_code",
            "ambiguous_unit",
            format!("Có {} đơn vị tên “{given}”; hãy ghi mã đơn vị.", many.len()),
            format!(
                "{} units are named “{given}”; give the unit code.",
                many.len()
            ),
        )),
    }
}

/// An organisation kind by code or by its Vietnamese or English label, folded.
fn organisation_kind(given: &str) -> String {
    let wanted = fold(given);
    OrganisationKind::ALL
        .iter()
        .find(|k| {
            fold(k.code()) == wanted || fold(k.label_vi()) == wanted || fold(k.label_en()) == wanted
        })
        .map_or_else(|| given.to_string(), |k| k.code().to_string())
}

/// A calendar day kind: `nghỉ` / `làm bù` or the codes.
fn day_kind(given: &str) -> String {
    match fold(given).as_str() {
        "nghi" | "ngay nghi" | "day off" => "day_off".to_string(),
        "lam bu" | "ngay lam bu" | "workday" => "workday".to_string(),
        _ => given.to_string(),
    }
}

fn push_invalid(kind: ImportKind, row: usize, problems: &mut Vec<RowProblem>, inv: Invalid) {
    for e in &inv.0 {
        problems.push(RowProblem::new(row, kind.title_of(e.field), e));
    }
}

fn duplicate(row: usize, first: usize) -> RowProblem {
    RowProblem::new(
        row,
        "",
        &FieldError::new(
            "row",
            "duplicate_row",
            format!("Trùng với dòng {first}."),
            format!("Duplicates row {first}."),
        ),
    )
}

/// Checks the whole file, then writes it in one transaction; returns how many records
/// were created.
pub async fn import(
    state: &AppState,
    who: &Importer<'_>,
    kind: ImportKind,
    bytes: &[u8],
    progress: Progress<'_>,
) -> Result<usize, ImportError> {
    let sheet = read(kind, bytes).map_err(ImportError::Rejected)?;
    let total = sheet.rows.len();
    let mut problems = Vec::new();
    let cell =
        |row: &HashMap<&'static str, String>, t: &str| row.get(t).cloned().unwrap_or_default();
    match kind {
        ImportKind::Organisations => {
            let mut checked = Vec::new();
            let mut seen: HashMap<(String, i64), usize> = HashMap::new();
            for (i, (n, row)) in sheet.rows.iter().enumerate() {
                progress("validate", i + 1, total);
                let unit_code = match unit_code(state, &cell(row, ORG_UNIT)) {
                    Ok(c) => c,
                    Err(e) => {
                        problems.push(RowProblem::new(*n, ORG_UNIT, &e));
                        // Still check the other columns so every problem is listed at once.
                        "\u{0}".to_string()
                    }
                };
                let input = super::organisations::NewOrganisation {
                    name: cell(row, ORG_NAME),
                    kind: organisation_kind(&cell(row, ORG_KIND)),
                    unit_code: unit_code.clone(),
                };
                match super::organisations::check(state, &input) {
                    Ok(o) => {
                        if !who.allowed(state, Action::ManageOrganisations, Some(o.unit.id)) {
                            problems.push(RowProblem::new(
                                *n,
                                ORG_UNIT,
                                &FieldError::new(
                                    "unit_code",
                                    "forbidden",
                                    "Bạn không có quyền quản lý tổ chức của đơn vị này.",
                                    "You may not manage organisations of this unit.",
                                ),
                            ));
                            continue;
                        }
                        let key = (fold(&o.name), o.unit.id);
                        if let Some(first) = seen.get(&key) {
                            problems.push(duplicate(*n, *first));
                            continue;
                        }
                        seen.insert(key, *n);
                        checked.push(o);
                    }
                    Err(mut inv) => {
                        if unit_code == "\u{0}" {
                            // The unit problem is already listed in the file's own words.
                            inv.0.retain(|e| e.field != "unit_code");
                        }
                        push_invalid(kind, *n, &mut problems, inv);
                    }
                }
            }
            if !problems.is_empty() {
                return Err(ImportError::Rejected(problems));
            }
            let actor = who.actor();
            let mut tx = state.db.begin().await?;
            for (i, o) in checked.iter().enumerate() {
                progress("write", i + 1, total);
                super::organisations::insert(&mut tx, &actor, o).await?;
            }
            tx.commit().await?;
            Ok(checked.len())
        }
        ImportKind::Holidays => {
            if !who.allowed(state, Action::ManageCalendar, None) {
                return Err(ImportError::App(AppError::Forbidden));
            }
            let mut checked = Vec::new();
            let mut seen: HashMap<chrono::NaiveDate, usize> = HashMap::new();
            for (i, (n, row)) in sheet.rows.iter().enumerate() {
                progress("validate", i + 1, total);
                let input = super::calendar::DayInput {
                    date: cell(row, DAY_DATE),
                    kind: day_kind(&cell(row, DAY_KIND)),
                    reason: cell(row, DAY_REASON),
                };
                match super::calendar::check_day(&input) {
                    Ok(d) => {
                        if let Some(first) = seen.get(&d.day) {
                            problems.push(duplicate(*n, *first));
                            continue;
                        }
                        seen.insert(d.day, *n);
                        checked.push(d);
                    }
                    Err(inv) => push_invalid(kind, *n, &mut problems, inv),
                }
            }
            if !problems.is_empty() {
                return Err(ImportError::Rejected(problems));
            }
            let actor = who.actor();
            let mut tx = state.db.begin().await?;
            for (i, d) in checked.iter().enumerate() {
                progress("write", i + 1, total);
                super::calendar::write_day(&mut tx, &actor, who.account_id(), d).await?;
            }
            tx.commit().await?;
            Ok(checked.len())
        }
    }
}
