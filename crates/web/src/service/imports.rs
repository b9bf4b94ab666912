//! Spreadsheet imports (XLSX or CSV) of organisations, the holiday schedule, accounts and
//! models with their indicators.
//!
//! One loop serves every kind ([`run`]): the file is read, every row is checked with the
//! same rules as the single-record services (`organisations::check`, `calendar::check_day`,
//! `accounts::validate_new`, `initiatives::check_registration`) and the same policy actions,
//! rows that repeat an earlier one (same folded key) are refused; if anything is wrong the
//! whole file is refused with the list of problems and nothing is written. Otherwise every
//! row is written in one transaction with one audit entry per record (the same entries the
//! single-record services write), so the audit trail reads the same whichever way a record
//! came in. Each kind only says how one row is checked and written ([`Rows`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

use danvan_domain::fold::fold;
use danvan_domain::movement::{Field, IndicatorKind};
use danvan_domain::organisation::OrganisationKind;
use danvan_domain::policy::{Action, Principal, authorize};
use danvan_domain::role::Role;
use danvan_domain::{FieldError, Invalid};
use danvan_export::{Cell, Column, Kind as ColumnKind, Table};
use danvan_storage::audit::Actor;
use danvan_storage::organisations::Organisation;
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

/// What can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Organisations,
    Holidays,
    Accounts,
    Initiatives,
    Households,
}

/// One column of a template: its title, the service field it feeds (to place the service's
/// errors), and whether a file must have it.
pub struct Col {
    pub title: &'static str,
    field: &'static str,
    pub required: bool,
}

const fn col(title: &'static str, field: &'static str, required: bool) -> Col {
    Col {
        title,
        field,
        required,
    }
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Organisations,
        ImportKind::Accounts,
        ImportKind::Initiatives,
        ImportKind::Households,
        ImportKind::Holidays,
    ];

    pub fn parse(s: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Organisations => "organisations",
            ImportKind::Holidays => "holidays",
            ImportKind::Accounts => "accounts",
            ImportKind::Initiatives => "initiatives",
            ImportKind::Households => "households",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ImportKind::Organisations => "Tổ chức",
            ImportKind::Holidays => "Lịch nghỉ, làm bù trong năm",
            ImportKind::Accounts => "Tài khoản",
            ImportKind::Initiatives => "Mô hình và chỉ tiêu",
            ImportKind::Households => {
                "Danh sách hộ nghèo, cận nghèo, gia đình chính sách… của xã, phường"
            }
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ImportKind::Organisations => "Organisations",
            ImportKind::Holidays => "Days off and make-up working days",
            ImportKind::Accounts => "Accounts",
            ImportKind::Initiatives => "Models with their indicators",
            ImportKind::Households => "A commune's lists of households in need",
        }
    }

    /// The policy action a caller needs to import this kind at all (each row's unit is
    /// checked on top).
    pub fn action(self) -> Action {
        match self {
            ImportKind::Organisations => Action::ManageOrganisations,
            ImportKind::Holidays => Action::ManageCalendar,
            ImportKind::Accounts => Action::ManageAccounts,
            ImportKind::Initiatives => Action::RegisterInitiative,
            ImportKind::Households => Action::ManageHouseholds,
        }
    }

    /// May `p` import this kind (somewhere)?
    pub fn allowed_for(self, state: &AppState, p: &Principal) -> bool {
        authorize(p, self.action(), None, &state.tree()).is_ok()
    }

    /// Column titles as people see them, each with the service field it feeds.
    pub fn columns(self) -> &'static [Col] {
        match self {
            ImportKind::Organisations => &ORGANISATION_COLUMNS,
            ImportKind::Holidays => &DAY_COLUMNS,
            ImportKind::Accounts => &ACCOUNT_COLUMNS,
            ImportKind::Initiatives => &INITIATIVE_COLUMNS,
            ImportKind::Households => &HOUSEHOLD_COLUMNS,
        }
    }

    /// The column title a service field error belongs to.
    fn title_of(self, field: &str) -> &'static str {
        self.columns()
            .iter()
            .find(|c| c.field == field)
            .map_or("", |c| c.title)
    }
}

const ORG_NAME: &str = "Tên tổ chức";
const ORG_KIND: &str = "Loại";
const ORG_UNIT: &str = "Đơn vị";
const DAY_DATE: &str = "Ngày";
const DAY_KIND: &str = "Loại";
const DAY_REASON: &str = "Lý do";
const ACC_USER: &str = "Tên đăng nhập";
const ACC_NAME: &str = "Họ và tên";
const ACC_ROLE: &str = "Vai trò";
const ACC_UNIT: &str = "Đơn vị";
const ACC_ORG: &str = "Tổ chức";
const ACC_EMAIL: &str = "Thư điện tử";
const ORGANISATION_COLUMNS: [Col; 3] = [
    col(ORG_NAME, "name", true),
    col(ORG_KIND, "kind", true),
    col(ORG_UNIT, "unit_code", true),
];
const DAY_COLUMNS: [Col; 3] = [
    col(DAY_DATE, "date", true),
    col(DAY_KIND, "kind", true),
    col(DAY_REASON, "reason", true),
];
const ACCOUNT_COLUMNS: [Col; 6] = [
    col(ACC_USER, "username", true),
    col(ACC_NAME, "display_name", true),
    col(ACC_ROLE, "role", true),
    col(ACC_UNIT, "unit_code", true),
    col(ACC_ORG, "organisation_id", false),
    col(ACC_EMAIL, "email", false),
];
const HH_HEAD: &str = "Họ tên chủ hộ";
const HH_ADDRESS: &str = "Địa chỉ";
const HH_UNIT: &str = "Xã, phường";
const HH_CATEGORY: &str = "Diện";
const HH_YEAR: &str = "Năm";
const HOUSEHOLD_COLUMNS: [Col; 5] = [
    col(HH_HEAD, "head_name", true),
    col(HH_ADDRESS, "address", true),
    col(HH_UNIT, "unit_code", true),
    col(HH_CATEGORY, "category", true),
    col(HH_YEAR, "year", true),
];
const INI_TITLE: &str = "Tên mô hình";
const INI_FIELD: &str = "Lĩnh vực";
const INI_CAMPAIGN: &str = "Đợt thi đua";
const INI_UNIT: &str = "Đơn vị";
const INI_ORG: &str = "Tổ chức";
const INI_START: &str = "Ngày bắt đầu";
const INI_END: &str = "Ngày kết thúc";
const INI_SUMMARY: &str = "Mô tả";

/// How many indicator column groups a model's row may carry. An officer filling Excel
/// keeps one model per row and reads its indicators across (Chỉ tiêu 1, Đơn vị tính 1,
/// Mục tiêu 1, Chỉ tiêu 2, …) rather than matching row numbers on a second sheet; five
/// covers what the registration form shows, and only the first group is required.
pub const INDICATOR_GROUPS: usize = 5;
/// The titles of each indicator group: what is counted, its unit, the target.
const INDICATOR_TITLES: [[&str; 3]; INDICATOR_GROUPS] = [
    ["Chỉ tiêu 1", "Đơn vị tính 1", "Mục tiêu 1"],
    ["Chỉ tiêu 2", "Đơn vị tính 2", "Mục tiêu 2"],
    ["Chỉ tiêu 3", "Đơn vị tính 3", "Mục tiêu 3"],
    ["Chỉ tiêu 4", "Đơn vị tính 4", "Mục tiêu 4"],
    ["Chỉ tiêu 5", "Đơn vị tính 5", "Mục tiêu 5"],
];

const fn indicator_group(g: usize) -> [Col; 3] {
    let t = INDICATOR_TITLES[g];
    [
        col(t[0], "indicators", g == 0),
        col(t[1], "", false),
        col(t[2], "", g == 0),
    ]
}

const INITIATIVE_COLUMNS: [Col; 8 + 3 * INDICATOR_GROUPS] = {
    let [a1, a2, a3] = indicator_group(0);
    let [b1, b2, b3] = indicator_group(1);
    let [c1, c2, c3] = indicator_group(2);
    let [d1, d2, d3] = indicator_group(3);
    let [e1, e2, e3] = indicator_group(4);
    [
        col(INI_TITLE, "title", true),
        col(INI_FIELD, "field", true),
        col(INI_CAMPAIGN, "campaign_id", true),
        col(INI_UNIT, "unit_code", true),
        col(INI_ORG, "organisation_id", false),
        col(INI_START, "starts_on", true),
        col(INI_END, "ends_on", false),
        col(INI_SUMMARY, "summary", true),
        a1,
        a2,
        a3,
        b1,
        b2,
        b3,
        c1,
        c2,
        c3,
        d1,
        d2,
        d3,
        e1,
        e2,
        e3,
    ]
};

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

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

/// The empty template: the titles and one example row (which imports as it is on the demo
/// data).
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
        ImportKind::Accounts => (
            "Tài khoản",
            vec![vec![
                text("canbo.nuicam"),
                text("Nguyễn Thị Mai"),
                text(Role::UnitOfficer.label_vi()),
                text("Xã Núi Cấm"),
                Cell::Empty,
                text("mai.nt@example.vn"),
            ]],
        ),
        ImportKind::Households => (
            "Hộ cần hỗ trợ",
            vec![vec![
                text("Nguyễn Văn Mười"),
                text("Số 14, khóm Bình Khánh 4"),
                text("Phường Long Xuyên"),
                text(danvan_domain::care::HouseholdCategory::Poor.label_vi()),
                text(&chrono::Local::now().date_naive().format("%Y").to_string()),
            ]],
        ),
        ImportKind::Initiatives => {
            let mut row = vec![
                text("Tuyến đường nông thôn sáng – xanh – sạch"),
                text(Field::CultureSociety.label_vi()),
                text(&chrono::Local::now().date_naive().format("%Y").to_string()),
                text("Phường Long Xuyên"),
                text("Hội Nông dân phường Long Xuyên"),
                Cell::Date(chrono::Local::now().date_naive()),
                Cell::Empty,
                text("Vận động nhân dân hiến đất, góp ngày công làm đường."),
                text(IndicatorKind::LandM2.label_vi()),
                text(IndicatorKind::LandM2.unit_vi()),
                Cell::Number(1200.0),
                text("Cây xanh trồng mới"),
                text("cây"),
                Cell::Integer(300),
            ];
            row.resize(INITIATIVE_COLUMNS.len(), Cell::Empty);
            ("Mô hình", vec![row])
        }
    };
    Table {
        title: title.to_string(),
        columns: kind
            .columns()
            .iter()
            .map(|c| {
                let k = if kind == ImportKind::Initiatives && c.title.starts_with("Mục tiêu") {
                    ColumnKind::Number
                } else if c.title == INI_START || c.title == INI_END {
                    ColumnKind::Date
                } else {
                    ColumnKind::Text
                };
                Column::new(c.title, k)
            })
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
            .find(|c| fold(c.title) == fold(title))
            .map(|c| c.title);
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
    for c in kind.columns() {
        if c.required && !seen.contains(c.title) {
            problems.push(RowProblem::new(
                1,
                c.title,
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

/// A value of a coded vocabulary given by its code or its Vietnamese or English label,
/// folded (so "Doan the", "đoàn thể" and "mass_organisation" are one); a Vietnamese label
/// may leave out its parenthesised unit ("Đất hiến" for "Đất hiến (m²)").
fn coded<T: Copy>(all: &[T], given: &str, names: impl Fn(T) -> [&'static str; 3]) -> Option<T> {
    let wanted = fold(given);
    let bare = |s: &str| fold(s.split(" (").next().unwrap_or(s));
    all.iter().copied().find(|v| {
        names(*v)
            .iter()
            .any(|n| fold(n) == wanted || bare(n) == wanted)
    })
}

/// An organisation kind's code, or what was given (the service then refuses it).
fn organisation_kind(given: &str) -> String {
    coded(&OrganisationKind::ALL, given, |k: OrganisationKind| {
        [k.code(), k.label_vi(), k.label_en()]
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

/// Places a service's field errors under the file's column titles.
fn push_invalid(kind: ImportKind, problems: &mut Vec<RowProblem>, inv: Invalid) {
    for e in &inv.0 {
        problems.push(RowProblem::new(0, kind.title_of(e.field), e));
    }
}

/// Like [`push_invalid`], leaving out the service's complaint about the unit when the
/// row's unit was already listed in the file's own words.
fn push_invalid_except_unit(
    kind: ImportKind,
    problems: &mut Vec<RowProblem>,
    mut inv: Invalid,
    unit_listed: bool,
) {
    if unit_listed {
        inv.0.retain(|e| e.field != "unit_code");
    }
    push_invalid(kind, problems, inv);
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

fn forbidden(column: &str, vi: &str, en: &str) -> RowProblem {
    RowProblem::new(0, column, &FieldError::new("row", "forbidden", vi, en))
}

/// A login and the initial password generated for it, answered once by the import and
/// never stored in clear nor written to the audit trail.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Credential {
    pub username: String,
    pub password: String,
}

/// What an accepted file created.
#[derive(Debug, Default)]
pub struct Outcome {
    pub created: usize,
    /// For accounts: every new login with its one-time initial password.
    pub credentials: Vec<Credential>,
}

/// A data row by column title.
type Row = HashMap<&'static str, String>;

fn cell(row: &Row, title: &str) -> String {
    row.get(title).cloned().unwrap_or_default()
}

/// What one kind contributes to [`run`]: how a row is checked and how it is written.
trait Rows {
    type Checked: Send + Sync;
    /// Checks one row with the kind's service rules and the policy. `Ok` carries the
    /// folded key that makes two rows the same record; `Err` the problems (their row number
    /// is filled in by the caller).
    async fn check(
        &mut self,
        state: &AppState,
        who: &Importer<'_>,
        row: &Row,
    ) -> Result<(String, Self::Checked), Vec<RowProblem>>;
    /// Checks that read the database for the whole file at once, after every row passed its
    /// own: `checked` pairs each checked record with its row number. Their problems join the
    /// rows' own.
    async fn check_together(
        &mut self,
        _checked: &[(usize, &Self::Checked)],
    ) -> Result<Vec<RowProblem>, AppError> {
        Ok(Vec::new())
    }
    /// Slow work done once the whole file passed and before the transaction opens, so that
    /// the database is not held meanwhile (hashing passwords).
    async fn prepare(&mut self, _checked: &[Self::Checked]) -> Result<(), AppError> {
        Ok(())
    }
    /// Writes the `i`-th checked record with its audit entry inside the transaction.
    async fn write(
        &mut self,
        tx: &mut danvan_storage::Tx,
        actor: &Actor,
        who: &Importer<'_>,
        i: usize,
        checked: &Self::Checked,
    ) -> Result<Option<Credential>, AppError>;
    /// Writes every checked record, row by row unless the kind writes in bulk.
    async fn write_all(
        &mut self,
        tx: &mut danvan_storage::Tx,
        actor: &Actor,
        who: &Importer<'_>,
        checked: &[Self::Checked],
        progress: Progress<'_>,
    ) -> Result<Vec<Credential>, AppError> {
        let mut credentials = Vec::new();
        for (i, c) in checked.iter().enumerate() {
            progress("write", i + 1, checked.len());
            if let Some(cred) = self.write(tx, actor, who, i, c).await? {
                credentials.push(cred);
            }
        }
        Ok(credentials)
    }
}

/// The one import loop: check every row (listing every problem at once), refuse the file
/// if anything is wrong, else write all rows in one transaction.
async fn run<R: Rows>(
    state: &AppState,
    who: &Importer<'_>,
    kind: ImportKind,
    mut rows: R,
    sheet: Sheet,
    progress: Progress<'_>,
) -> Result<Outcome, ImportError> {
    if !who.allowed(state, kind.action(), None) {
        return Err(ImportError::App(AppError::Forbidden));
    }
    let total = sheet.rows.len();
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    let mut checked_rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, (n, row)) in sheet.rows.iter().enumerate() {
        progress("validate", i + 1, total);
        match rows.check(state, who, row).await {
            Ok((key, c)) => {
                if let Some(first) = seen.get(&key) {
                    problems.push(duplicate(*n, *first));
                    continue;
                }
                seen.insert(key, *n);
                checked.push(c);
                checked_rows.push(*n);
            }
            Err(found) => problems.extend(found.into_iter().map(|p| RowProblem { row: *n, ..p })),
        }
    }
    let together: Vec<(usize, &R::Checked)> = checked_rows.into_iter().zip(&checked).collect();
    problems.extend(rows.check_together(&together).await?);
    // In the file's order, each row's own problems first (a stable sort).
    problems.sort_by_key(|p| p.row);
    if !problems.is_empty() {
        return Err(ImportError::Rejected(problems));
    }
    rows.prepare(&checked).await?;
    let actor = who.actor();
    let mut out = Outcome::default();
    let mut tx = state.db.begin().await?;
    out.credentials = rows
        .write_all(&mut tx, &actor, who, &checked, progress)
        .await?;
    tx.commit().await?;
    // A file of holidays changes the calendar that received petitions apply.
    state.rules.forget();
    out.created = checked.len();
    Ok(out)
}

/// Checks the whole file, then writes it in one transaction.
pub async fn import(
    state: &AppState,
    who: &Importer<'_>,
    kind: ImportKind,
    bytes: &[u8],
    progress: Progress<'_>,
) -> Result<Outcome, ImportError> {
    let sheet = read(kind, bytes).map_err(ImportError::Rejected)?;
    match kind {
        ImportKind::Organisations => run(state, who, kind, OrganisationRows, sheet, progress).await,
        ImportKind::Holidays => run(state, who, kind, DayRows, sheet, progress).await,
        ImportKind::Accounts => {
            let rows = AccountRows::new(state).await?;
            run(state, who, kind, rows, sheet, progress).await
        }
        ImportKind::Initiatives => {
            let rows = InitiativeRows::new(state).await?;
            run(state, who, kind, rows, sheet, progress).await
        }
        ImportKind::Households => {
            let rows = HouseholdRows {
                state: state.clone(),
            };
            run(state, who, kind, rows, sheet, progress).await
        }
    }
}

/// The records of a file by (commune, list year): their row number, dedupe hash and category.
type ByListYear<'a> = BTreeMap<(i64, i64), Vec<(usize, String, &'a str)>>;

/// A commune's yearly list: a household already registered gains the year's listing (the
/// earlier years stay); one already on that year's list is refused as a duplicate.
struct HouseholdRows {
    state: AppState,
}

impl Rows for HouseholdRows {
    type Checked = super::care::CheckedHousehold;

    async fn check(
        &mut self,
        state: &AppState,
        who: &Importer<'_>,
        row: &Row,
    ) -> Result<(String, Self::Checked), Vec<RowProblem>> {
        use danvan_domain::care::HouseholdCategory;
        let mut problems = Vec::new();
        let unit = unit_code(state, &cell(row, HH_UNIT))
            .map_err(|e| problems.push(RowProblem::new(0, HH_UNIT, &e)));
        let given = cell(row, HH_CATEGORY);
        // "cận nghèo" names "Hộ cận nghèo" too.
        let names = |c: HouseholdCategory| [c.code(), c.label_vi(), c.label_en()];
        let category = coded(HouseholdCategory::ALL, &given, names)
            .or_else(|| coded(HouseholdCategory::ALL, &format!("Hộ {given}"), names))
            .map_or(given, |c| c.code().to_string());
        let year = cell(row, HH_YEAR);
        let input = super::care::NewHousehold {
            unit_code: unit.clone().unwrap_or_else(|()| "\u{0}".into()),
            head_name: cell(row, HH_HEAD),
            address: cell(row, HH_ADDRESS),
            category,
            // An unreadable year becomes 0, which the service refuses with its own words.
            year: year.trim().parse().unwrap_or(0),
        };
        match super::care::check_household(state, &input) {
            Ok(h) => {
                if !who.allowed(state, Action::ManageHouseholds, Some(h.unit.id)) {
                    problems.push(forbidden(
                        HH_UNIT,
                        "Bạn không giữ sổ hộ của xã, phường này.",
                        "You do not keep this commune's register.",
                    ));
                }
                let key = super::care::dedupe_key(state, &h.head_name, &h.address);
                if problems.is_empty() {
                    let id = format!(
                        "{key}\u{1}{}\u{1}{}\u{1}{}",
                        h.unit.id,
                        h.category.code(),
                        h.year
                    );
                    return Ok((id, h));
                }
            }
            Err(inv) => {
                push_invalid_except_unit(ImportKind::Households, &mut problems, inv, unit.is_err())
            }
        }
        Err(problems)
    }

    // A household already on that year's list, read for the whole file with one look-up of
    // its own keys per commune and year (reading each commune's whole list, as each row's
    // check did, was 5 s of a 20 000-row import on PostgreSQL at province scale).
    async fn check_together(
        &mut self,
        checked: &[(usize, &Self::Checked)],
    ) -> Result<Vec<RowProblem>, AppError> {
        let mut named: ByListYear = BTreeMap::new();
        for &(row, h) in checked {
            let key = super::care::dedupe_key(&self.state, &h.head_name, &h.address);
            named
                .entry((h.unit.id, h.year))
                .or_default()
                .push((row, key, h.category.code()));
        }
        let mut problems = Vec::new();
        for ((unit_id, year), rows) in named {
            let keys: Vec<&str> = rows.iter().map(|(_, key, _)| key.as_str()).collect();
            let listed: HashSet<(String, String)> =
                danvan_storage::care::listed_in(&self.state.db, unit_id, year, &keys)
                    .await?
                    .into_iter()
                    .collect();
            for (row, key, category) in rows {
                if listed.contains(&(key, category.to_string())) {
                    problems.push(RowProblem::new(
                        row,
                        HH_HEAD,
                        &FieldError::new(
                            "head_name",
                            "duplicate_household",
                            "Hộ này đã có trong danh sách của năm đó.",
                            "This household is already on that year's list.",
                        ),
                    ));
                }
            }
        }
        Ok(problems)
    }

    async fn write(
        &mut self,
        tx: &mut danvan_storage::Tx,
        actor: &Actor,
        who: &Importer<'_>,
        _i: usize,
        h: &Self::Checked,
    ) -> Result<Option<Credential>, AppError> {
        super::care::register(&self.state, tx, actor, who.account_id(), h, "import").await?;
        Ok(None)
    }

    // 20 000 rows one by one were three statements each (17.7 s on PostgreSQL at province
    // scale); in bulk they are one read per commune and a few multi-row statements.
    async fn write_all(
        &mut self,
        tx: &mut danvan_storage::Tx,
        actor: &Actor,
        who: &Importer<'_>,
        checked: &[Self::Checked],
        progress: Progress<'_>,
    ) -> Result<Vec<Credential>, AppError> {
        super::care::register_many(&self.state, tx, actor, who.account_id(), checked, "import")
            .await?;
        progress("write", checked.len(), checked.len());
        Ok(Vec::new())
    }
}

struct OrganisationRows;

impl Rows for OrganisationRows {
    type Checked = super::organisations::CheckedOrganisation;

    async fn check(
        &mut self,
        state: &AppState,
        who: &Importer<'_>,
        row: &Row,
    ) -> Result<(String, Self::Checked), Vec<RowProblem>> {
        let mut problems = Vec::new();
        let unit = unit_code(state, &cell(row, ORG_UNIT)).map_err(|e| {
            problems.push(RowProblem::new(0, ORG_UNIT, &e));
        });
        let input = super::organisations::NewOrganisation {
            name: cell(row, ORG_NAME),
            kind: organisation_kind(&cell(row, ORG_KIND)),
            // An unknown unit is already listed in the file's own words; the sentinel only
            // lets the other columns be checked too.
            unit_code: unit.clone().unwrap_or_else(|()| "\u{0}".into()),
        };
        match super::organisations::check(state, &input) {
            Ok(o) => {
                if !who.allowed(state, Action::ManageOrganisations, Some(o.unit.id)) {
                    problems.push(forbidden(
                        ORG_UNIT,
                        "Bạn không có quyền quản lý tổ chức của đơn vị này.",
                        "You may not manage organisations of this unit.",
                    ));
                }
                if problems.is_empty() {
                    return Ok((format!("{}\u{1}{}", fold(&o.name), o.unit.id), o));
                }
            }
            Err(inv) => push_invalid_except_unit(
                ImportKind::Organisations,
                &mut problems,
                inv,
                unit.is_err(),
            ),
        }
        Err(problems)
    }

    async fn write(
        &mut self,
        tx: &mut danvan_storage::Tx,
        actor: &Actor,
        _who: &Importer<'_>,
        _i: usize,
        o: &Self::Checked,
    ) -> Result<Option<Credential>, AppError> {
        super::organisations::insert(tx, actor, o).await?;
        Ok(None)
    }
}

struct DayRows;

impl Rows for DayRows {
    type Checked = super::calendar::CheckedDay;

    async fn check(
        &mut self,
        _state: &AppState,
        _who: &Importer<'_>,
        row: &Row,
    ) -> Result<(String, Self::Checked), Vec<RowProblem>> {
        let input = super::calendar::DayInput {
            date: cell(row, DAY_DATE),
            kind: day_kind(&cell(row, DAY_KIND)),
            reason: cell(row, DAY_REASON),
        };
        super::calendar::check_day(&input)
            .map(|d| (d.day.to_string(), d))
            .map_err(|inv| {
                let mut problems = Vec::new();
                push_invalid(ImportKind::Holidays, &mut problems, inv);
                problems
            })
    }

    async fn write(
        &mut self,
        tx: &mut danvan_storage::Tx,
        actor: &Actor,
        who: &Importer<'_>,
        _i: usize,
        d: &Self::Checked,
    ) -> Result<Option<Credential>, AppError> {
        super::calendar::write_day(tx, actor, who.account_id(), d).await?;
        Ok(None)
    }
}

/// Organisations looked up by id or by exact (folded) name; a name shared by several is
/// narrowed to those related to the row's unit, else refused as ambiguous.
struct Organisations(Vec<Organisation>);

impl Organisations {
    async fn load(state: &AppState) -> Result<Organisations, AppError> {
        Ok(Organisations(
            danvan_storage::organisations::all(&state.db).await?,
        ))
    }

    fn find(
        &self,
        state: &AppState,
        field: &'static str,
        given: &str,
        unit: Option<i64>,
    ) -> Result<Option<i64>, FieldError> {
        let given = given.trim();
        if given.is_empty() {
            return Ok(None);
        }
        if let Ok(id) = given.parse::<i64>() {
            // An unknown id is left to the service, which refuses it with its own words.
            return Ok(Some(id));
        }
        let wanted = fold(given);
        let named: Vec<&Organisation> = self.0.iter().filter(|o| fold(&o.name) == wanted).collect();
        let tree = state.tree();
        let near: Vec<&Organisation> = named
            .iter()
            .copied()
            .filter(|o| {
                unit.is_some_and(|u| tree.contains(u, o.unit_id) || tree.contains(o.unit_id, u))
            })
            .collect();
        let one = match (named.as_slice(), near.as_slice()) {
            ([one], _) | (_, [one]) => Some(one.id),
            _ => None,
        };
        match (one, named.as_slice()) {
            (Some(id), _) => Ok(Some(id)),
            (None, []) => Err(FieldError::new(
                field,
                "unknown_organisation",
                format!("Không có tổ chức “{given}”."),
                format!("There is no organisation “{given}”."),
            )),
            (None, many) => Err(FieldError::new(
                field,
                "ambiguous_organisation",
                format!(
                    "Có {} tổ chức tên “{given}”; hãy ghi mã tổ chức.",
                    many.len()
                ),
                format!(
                    "{} organisations are named “{given}”; give its id.",
                    many.len()
                ),
            )),
        }
    }
}

impl Organisations {
    /// A row's unit (code or name) and organisation (id or name, near that unit); each
    /// problem is listed under its column and leaves an `Err(())` so the service's own
    /// complaint about the same field can be dropped.
    fn place(
        &self,
        state: &AppState,
        row: &Row,
        (unit_title, org_title): (&'static str, &'static str),
        problems: &mut Vec<RowProblem>,
    ) -> (Result<String, ()>, Result<Option<i64>, ()>) {
        let given_unit = cell(row, unit_title);
        let unit = unit_code(state, &given_unit)
            .map_err(|e| problems.push(RowProblem::new(0, unit_title, &e)));
        let near = unit_id(state, &given_unit);
        let organisation = self
            .find(state, "organisation_id", &cell(row, org_title), near)
            .map_err(|e| problems.push(RowProblem::new(0, org_title, &e)));
        (unit, organisation)
    }
}

/// The unit a row names, resolved the import's way (code or folded name), for lookups that
/// need it before the service runs; problems are left to the service.
fn unit_id(state: &AppState, given: &str) -> Option<i64> {
    let code = unit_code(state, given).ok()?;
    super::resolve_unit(state, "unit_code", &code)
        .ok()
        .map(|u| u.id)
}

struct AccountRows {
    organisations: Organisations,
    /// Argon2 hashes of the generated passwords, made in `prepare`.
    hashes: Vec<String>,
}

impl AccountRows {
    async fn new(state: &AppState) -> Result<AccountRows, AppError> {
        Ok(AccountRows {
            organisations: Organisations::load(state).await?,
            hashes: Vec::new(),
        })
    }
}

impl Rows for AccountRows {
    type Checked = super::accounts::ValidAccount;

    async fn check(
        &mut self,
        state: &AppState,
        who: &Importer<'_>,
        row: &Row,
    ) -> Result<(String, Self::Checked), Vec<RowProblem>> {
        let kind = ImportKind::Accounts;
        let mut problems = Vec::new();
        let (unit, organisation_id) =
            self.organisations
                .place(state, row, (ACC_UNIT, ACC_ORG), &mut problems);
        let given_role = cell(row, ACC_ROLE);
        let input = super::accounts::NewAccount {
            username: cell(row, ACC_USER),
            display_name: cell(row, ACC_NAME),
            role: coded(&Role::ALL, &given_role, |r: Role| {
                [r.code(), r.label_vi(), r.label_en()]
            })
            .map_or(given_role, |r| r.code().to_string()),
            unit_code: unit.clone().unwrap_or_else(|()| "\u{0}".into()),
            organisation_id: organisation_id.ok().flatten(),
            // Always generated, never read from a file: a file of passwords would sit in
            // mailboxes and shared folders.
            password: None,
            email: Some(cell(row, ACC_EMAIL)),
        };
        match super::accounts::validate_new(state, &input).await {
            Ok(v) => {
                if !who.allowed(state, Action::ManageAccounts, Some(v.grant.unit_id)) {
                    problems.push(forbidden(
                        ACC_UNIT,
                        "Bạn không có quyền tạo tài khoản ở đơn vị này.",
                        "You may not create accounts in this unit.",
                    ));
                }
                match danvan_storage::accounts::by_username(&state.db, &v.username).await {
                    Ok(None) => {}
                    Ok(Some(_)) => problems.push(RowProblem::new(
                        0,
                        ACC_USER,
                        &FieldError::new(
                            "username",
                            "username_taken",
                            "Tên đăng nhập đã có người dùng.",
                            "The user name is taken.",
                        ),
                    )),
                    Err(e) => return Err(vec![internal(e.into())]),
                }
                if problems.is_empty() {
                    return Ok((fold(&v.username), v));
                }
            }
            Err(AppError::Invalid(mut inv)) => {
                if unit.is_err() {
                    inv.0.retain(|e| e.field != "unit_code");
                }
                if organisation_id.is_err() {
                    inv.0.retain(|e| e.field != "organisation_id");
                }
                push_invalid(kind, &mut problems, inv);
            }
            Err(e) => problems.push(internal(e)),
        }
        Err(problems)
    }

    async fn prepare(&mut self, checked: &[Self::Checked]) -> Result<(), AppError> {
        for v in checked {
            self.hashes
                .push(crate::hashing::hash(v.password.clone()).await?);
        }
        Ok(())
    }

    async fn write(
        &mut self,
        tx: &mut danvan_storage::Tx,
        actor: &Actor,
        _who: &Importer<'_>,
        i: usize,
        v: &Self::Checked,
    ) -> Result<Option<Credential>, AppError> {
        let hash = self
            .hashes
            .get(i)
            .ok_or_else(|| AppError::Internal("password hash missing".into()))?;
        super::accounts::write(tx, actor, v, hash, false).await?;
        Ok(Some(Credential {
            username: v.username.clone(),
            password: v.password.clone(),
        }))
    }
}

/// A database failure met while checking a row: reported as such rather than blamed on
/// the row.
fn internal(e: AppError) -> RowProblem {
    tracing::warn!(error = %e.message(false), "import check failed");
    RowProblem::file(
        "internal",
        "Không kiểm tra được dòng này do lỗi hệ thống; hãy thử lại.",
        "This row could not be checked (system error); try again.",
    )
}

struct InitiativeRows {
    organisations: Organisations,
    campaigns: Vec<danvan_storage::movement::campaigns::Campaign>,
}

impl InitiativeRows {
    async fn new(state: &AppState) -> Result<InitiativeRows, AppError> {
        Ok(InitiativeRows {
            organisations: Organisations::load(state).await?,
            campaigns: danvan_storage::movement::campaigns::list(&state.db).await?,
        })
    }

    /// A campaign by id, by year (when one campaign runs that year) or by its folded title.
    fn campaign(&self, given: &str) -> Result<i64, FieldError> {
        let given = given.trim();
        let wanted = fold(given);
        let number = given.parse::<i64>().ok();
        let by_id = self.campaigns.iter().find(|c| Some(c.id) == number);
        let of_year: Vec<_> = self
            .campaigns
            .iter()
            .filter(|c| Some(c.year) == number)
            .collect();
        let titled: Vec<_> = self
            .campaigns
            .iter()
            .filter(|c| fold(&c.title) == wanted)
            .collect();
        let found = match (of_year.as_slice(), titled.as_slice()) {
            ([one], _) | (_, [one]) => Some(one.id),
            _ => by_id.map(|c| c.id),
        };
        match found {
            Some(id) => Ok(id),
            _ => Err(FieldError::new(
                "campaign_id",
                "unknown_campaign",
                format!(
                    "Không xác định được đợt thi đua “{given}” (ghi năm, mã hoặc đúng tên đợt)."
                ),
                format!(
                    "Cannot tell which campaign “{given}” is (give its year, id or exact title)."
                ),
            )),
        }
    }
}

/// A number as people type it in Vietnam: `1.234.567`, `1 234,5`, or plain `1234.5`.
fn number(given: &str) -> Option<f64> {
    let t: String = given.chars().filter(|c| !c.is_whitespace()).collect();
    if let Ok(v) = t.parse::<f64>() {
        return Some(v);
    }
    let dots = t.matches('.').count();
    let commas = t.matches(',').count();
    let normal = match (dots, commas) {
        // 1.234,5 or 1.234.567: dots group thousands, a comma marks decimals.
        (_, 0 | 1) if dots >= 1 && (commas == 1 || dots > 1) => {
            t.replace('.', "").replace(',', ".")
        }
        (0, 1) => t.replace(',', "."),
        // 1,234,567.5
        (0 | 1, _) => t.replace(',', ""),
        _ => return None,
    };
    normal.parse::<f64>().ok()
}

impl Rows for InitiativeRows {
    type Checked = super::initiatives::Registration;

    async fn check(
        &mut self,
        state: &AppState,
        who: &Importer<'_>,
        row: &Row,
    ) -> Result<(String, Self::Checked), Vec<RowProblem>> {
        let kind = ImportKind::Initiatives;
        let mut problems = Vec::new();
        let campaign_id = self
            .campaign(&cell(row, INI_CAMPAIGN))
            .map_err(|e| problems.push(RowProblem::new(0, INI_CAMPAIGN, &e)));
        let (unit, organisation_id) =
            self.organisations
                .place(state, row, (INI_UNIT, INI_ORG), &mut problems);
        let given_field = cell(row, INI_FIELD);
        let mut indicators = Vec::new();
        for [what, unit_title, target_title] in INDICATOR_TITLES {
            let what = cell(row, what);
            let measure = cell(row, unit_title);
            let target = cell(row, target_title);
            if what.is_empty() && target.is_empty() {
                continue;
            }
            let Some(target) = number(&target) else {
                problems.push(RowProblem::new(
                    0,
                    target_title,
                    &FieldError::new(
                        "indicators",
                        "invalid_target",
                        "Mục tiêu phải là một số.",
                        "A target must be a number.",
                    ),
                ));
                continue;
            };
            // A known kind by code or label; anything else is counted as the person wrote it.
            let known = coded(IndicatorKind::ALL, &what, |k: IndicatorKind| {
                [k.code(), k.label_vi(), k.label_en()]
            })
            .filter(|k| *k != IndicatorKind::Custom);
            indicators.push(super::initiatives::IndicatorInput {
                kind: known.unwrap_or(IndicatorKind::Custom).code().to_string(),
                target,
                name: known.is_none().then(|| what.clone()),
                unit: known.is_none().then(|| measure.clone()),
            });
        }
        let input = super::initiatives::InitiativeInput {
            campaign_id: campaign_id.unwrap_or(0),
            title: cell(row, INI_TITLE),
            field: coded(Field::ALL, &given_field, |f: Field| {
                [f.code(), f.label_vi(), f.label_en()]
            })
            .map_or(given_field, |f| f.code().to_string()),
            unit_code: unit.clone().unwrap_or_else(|()| "\u{0}".into()),
            organisation_id: organisation_id.ok().flatten(),
            summary: cell(row, INI_SUMMARY),
            starts_on: Some(cell(row, INI_START)),
            ends_on: Some(cell(row, INI_END)),
            indicators,
            ..Default::default()
        };
        if !problems.is_empty() {
            // The service stops at the campaign; what the file got wrong is listed already.
            return Err(problems);
        }
        let by = match who {
            Importer::Person(p) => Some(*p),
            Importer::System(_) => None,
        };
        match super::initiatives::check_registration(state, by, &input).await {
            Ok(r) => Ok((
                format!(
                    "{}\u{1}{}\u{1}{}",
                    fold(&r.content.title),
                    r.campaign.id,
                    r.content.unit_id
                ),
                r,
            )),
            Err(AppError::Invalid(mut inv)) => {
                for e in &mut inv.0 {
                    // The file has no column for these; the organisation names the registrant.
                    if e.field == "registrant_name" {
                        e.field = "organisation_id";
                    }
                }
                push_invalid(kind, &mut problems, inv);
                Err(problems)
            }
            Err(AppError::Forbidden) => Err(vec![forbidden(
                INI_UNIT,
                "Bạn không có quyền đăng ký mô hình cho đơn vị, tổ chức này.",
                "You may not register models for this unit or organisation.",
            )]),
            Err(e) => Err(vec![internal(e)]),
        }
    }

    async fn write(
        &mut self,
        tx: &mut danvan_storage::Tx,
        actor: &Actor,
        who: &Importer<'_>,
        _i: usize,
        r: &Self::Checked,
    ) -> Result<Option<Credential>, AppError> {
        // Imported registrations arrive submitted: the file stands for registration forms
        // already filled in, and the commune officer reviews them as any other.
        super::initiatives::write_registration(tx, actor, who.account_id(), r, true).await?;
        Ok(None)
    }
}
