//! Spreadsheet exports: one typed [`Table`] written either as XLSX (typed cells, real dates,
//! VND amounts as numbers with a format, a frozen and filterable header) or as CSV (UTF-8
//! with a byte order mark, so that Excel opens Vietnamese text correctly).
//!
//! The table is built by the web layer from rows the caller may already see; this crate
//! knows nothing of policy or personal data, it only writes what it is given safely: text
//! that looks like a formula is never run as one.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

/// What a column holds; it chooses the column's width and number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Number,
    Date,
    /// An instant, shown in Vietnam time (UTC+7).
    DateTime,
    /// An amount in Vietnamese đồng.
    Vnd,
    Bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The heading people read (Vietnamese).
    pub title: String,
    pub kind: Kind,
}

impl Column {
    pub fn new(title: impl Into<String>, kind: Kind) -> Column {
        Column {
            title: title.into(),
            kind,
        }
    }
}

/// One value. A cell is written by its own type, whatever its column's kind says.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Integer(i64),
    Number(f64),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    /// VND; whole amounts are exact as f64 far beyond any budget (2^53 đồng).
    Vnd(f64),
    Bool(bool),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// An amount in đồng given as an integer.
    pub fn vnd(amount: i64) -> Cell {
        Cell::Vnd(amount as f64)
    }
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Cell {
        v.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Integer)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Number)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(v: Option<NaiveDate>) -> Cell {
        v.map_or(Cell::Empty, Cell::Date)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Names the sheet (sanitised to Excel's rules).
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("too many rows for one sheet: {0}")]
    TooManyRows(usize),
    #[error("csv: {0}")]
    Csv(String),
}

/// Excel's limit of rows on a sheet, header included.
const MAX_SHEET_ROWS: usize = 1_048_576;
/// Excel refuses longer strings in a cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Vietnam keeps UTC+7 all year, without daylight saving.
const VIETNAM_OFFSET_SECS: i32 = 7 * 3600;

fn vietnam(at: &DateTime<Utc>) -> DateTime<FixedOffset> {
    match FixedOffset::east_opt(VIETNAM_OFFSET_SECS) {
        Some(tz) => at.with_timezone(&tz),
        // Unreachable: the offset is a constant within range.
        None => at.fixed_offset(),
    }
}

/// A sheet name Excel accepts: no `[]:*?/\`, not blank, no apostrophe at either end, not
/// the reserved "History", at most 31 UTF-16 units.
pub fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let mut out = String::new();
    let mut units = 0;
    for c in cleaned.chars() {
        units += c.len_utf16();
        if units > 31 {
            break;
        }
        out.push(c);
    }
    // Truncation may leave a trailing space or apostrophe.
    let out = out.trim_end().trim_end_matches('\'').trim_end().to_string();
    if out.is_empty() || out.eq_ignore_ascii_case("history") {
        "Sheet1".to_string()
    } else {
        out
    }
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The width (in characters) a value takes on screen, for sizing columns.
fn shown_len(cell: &Cell) -> usize {
    match cell {
        Cell::Empty => 0,
        Cell::Text(s) => s.lines().map(|l| l.chars().count()).max().unwrap_or(0),
        Cell::Integer(n) => n.to_string().len(),
        Cell::Number(n) => format!("{n}").len(),
        Cell::Date(_) => 10,
        Cell::DateTime(_) => 16,
        // Thousands separators and the currency sign.
        Cell::Vnd(v) => {
            let digits = format!("{:.0}", v.abs()).len();
            digits + digits / 3 + 3
        }
        Cell::Bool(_) => 5,
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    // Excel's dates run from 1900 to 9999; the years here always fit in u16.
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

/// Writes the table as an XLSX workbook of one sheet.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, ExportError> {
    write_whole(table, FileFormat::Xlsx)
}

fn write_whole(table: &Table, format: FileFormat) -> Result<Vec<u8>, ExportError> {
    let mut sheet = SheetWriter::new(format, &table.title, &table.columns)?;
    for row in &table.rows {
        sheet.push(row)?;
    }
    sheet.finish()
}

/// The two file formats a sheet is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

/// A sheet written row by row, for lists too long to hold whole: an XLSX worksheet in
/// `rust_xlsxwriter`'s constant-memory mode (each row goes to a temporary file as the next
/// begins) or CSV records. Column widths follow the longest value seen and are set at the end.
pub struct SheetWriter {
    columns: Vec<Column>,
    widths: Vec<usize>,
    rows: usize,
    out: Out,
}

enum Out {
    Xlsx {
        workbook: Box<Workbook>,
        formats: Box<Formats>,
    },
    Csv(Box<csv::Writer<Vec<u8>>>),
}

struct Formats {
    date: Format,
    datetime: Format,
    vnd: Format,
}

impl SheetWriter {
    /// Starts the sheet and writes its header.
    pub fn new(format: FileFormat, title: &str, columns: &[Column]) -> Result<Self, ExportError> {
        let widths = columns
            .iter()
            .map(|c| c.title.chars().count().min(30))
            .collect();
        let out = match format {
            FileFormat::Xlsx => {
                let mut workbook = Box::new(Workbook::new());
                let header = Format::new()
                    .set_bold()
                    .set_text_wrap()
                    .set_align(FormatAlign::Top)
                    .set_background_color("#DDEBF7");
                let sheet = workbook.add_worksheet_with_constant_memory()?;
                sheet.set_name(sheet_name(title))?;
                let formats = Formats {
                    date: Format::new().set_num_format("dd/mm/yyyy"),
                    datetime: Format::new().set_num_format("dd/mm/yyyy hh:mm"),
                    vnd: Format::new().set_num_format("#,##0 \"₫\""),
                };
                for (col, c) in columns.iter().enumerate() {
                    sheet.write_string_with_format(0, col as u16, clip(&c.title), &header)?;
                    // Cells written without a format take their column's: a format given
                    // with every cell was looked up in a hash table each time (a quarter of
                    // the time spent writing 100 000 rows).
                    let format = match c.kind {
                        Kind::Date => Some(&formats.date),
                        Kind::DateTime => Some(&formats.datetime),
                        Kind::Vnd => Some(&formats.vnd),
                        _ => None,
                    };
                    if let Some(format) = format {
                        sheet.set_column_format(col as u16, format)?;
                    }
                }
                Out::Xlsx {
                    workbook,
                    formats: Box::new(formats),
                }
            }
            FileFormat::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(Vec::from(*b"\xEF\xBB\xBF"));
                let header: Vec<String> = columns
                    .iter()
                    .map(|c| neutralise(&c.title).into_owned())
                    .collect();
                w.write_record(&header).map_err(csv_error)?;
                Out::Csv(Box::new(w))
            }
        };
        Ok(SheetWriter {
            columns: columns.to_vec(),
            widths,
            rows: 0,
            out,
        })
    }

    /// Writes the next row; cells past the header's length are left out, short rows padded.
    pub fn push(&mut self, row: &[Cell]) -> Result<(), ExportError> {
        // Excel's sheet limit; CSV has none, as before the sheet was written row by row.
        if matches!(self.out, Out::Xlsx { .. }) && self.rows + 1 >= MAX_SHEET_ROWS {
            return Err(ExportError::TooManyRows(self.rows + 1));
        }
        self.rows += 1;
        let ncols = self.columns.len();
        match &mut self.out {
            Out::Xlsx { workbook, formats } => {
                let sheet = workbook.worksheet_from_index(0)?;
                let r = self.rows as u32;
                for (col, (cell, column)) in row.iter().zip(&self.columns).enumerate() {
                    self.widths[col] = self.widths[col].max(shown_len(cell));
                    write_cell(sheet, r, col as u16, cell, column.kind, formats)?;
                }
            }
            Out::Csv(w) => {
                let mut fields: Vec<String> = row.iter().take(ncols).map(csv_field).collect();
                fields.resize(ncols, String::new());
                w.write_record(&fields).map_err(csv_error)?;
            }
        }
        Ok(())
    }

    /// Rows written so far (the header not counted).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Sizes the columns, freezes and filters the header, and gives the file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        match self.out {
            Out::Xlsx { mut workbook, .. } => {
                let sheet = workbook.worksheet_from_index(0)?;
                for (col, c) in self.columns.iter().enumerate() {
                    let floor = match c.kind {
                        Kind::Date => 11,
                        Kind::DateTime => 16,
                        Kind::Vnd => 14,
                        _ => 6,
                    };
                    // Long texts wrap in a column of at most 60 characters rather than
                    // spreading wide.
                    let w = self.widths[col].clamp(floor, 60) as f64 + 2.0;
                    sheet.set_column_width(col as u16, w)?;
                }
                sheet.set_freeze_panes(1, 0)?;
                if let Some(last) = self.columns.len().checked_sub(1) {
                    sheet.autofilter(0, 0, self.rows as u32, last as u16)?;
                }
                Ok(workbook.save_to_buffer()?)
            }
            Out::Csv(w) => (*w)
                .into_inner()
                .map_err(|e| csv_error(e.into_error().into())),
        }
    }
}

fn csv_error(e: csv::Error) -> ExportError {
    ExportError::Csv(e.to_string())
}

/// Writes one cell; a date or amount in a column of its kind takes the column's format.
fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    cell: &Cell,
    column: Kind,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        // Numbers that are not finite (NaN, infinities) are left empty rather than written.
        Cell::Empty => {}
        Cell::Number(n) | Cell::Vnd(n) if !n.is_finite() => {}
        // Written as a string cell: Excel never evaluates it, even if it starts with `=`, so
        // no neutralising prefix is needed here.
        Cell::Text(s) => {
            sheet.write_string(r, c, clip(s))?;
        }
        Cell::Integer(n) => {
            sheet.write_number(r, c, *n as f64)?;
        }
        Cell::Number(n) => {
            sheet.write_number(r, c, *n)?;
        }
        Cell::Date(d) => {
            let day = excel_date(*d)?;
            match column {
                Kind::Date => sheet.write_datetime(r, c, day)?,
                _ => sheet.write_datetime_with_format(r, c, day, &f.date)?,
            };
        }
        Cell::DateTime(at) => {
            let local = vietnam(at);
            let when = excel_date(local.date_naive())?.and_hms(
                local.hour() as u16,
                local.minute() as u8,
                local.second(),
            )?;
            match column {
                Kind::DateTime => sheet.write_datetime(r, c, when)?,
                _ => sheet.write_datetime_with_format(r, c, when, &f.datetime)?,
            };
        }
        Cell::Vnd(v) => {
            match column {
                Kind::Vnd => sheet.write_number(r, c, *v)?,
                _ => sheet.write_number_with_format(r, c, *v, &f.vnd)?,
            };
        }
        Cell::Bool(b) => {
            sheet.write_boolean(r, c, *b)?;
        }
    }
    Ok(())
}

/// Text that a spreadsheet would take for a formula gets an apostrophe in front (OWASP's
/// advice against CSV injection); the apostrophe shows that the value was altered.
fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{s}").into(),
        _ => s.into(),
    }
}

fn csv_field(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => neutralise(s).into_owned(),
        Cell::Integer(n) => n.to_string(),
        Cell::Number(n) | Cell::Vnd(n) if n.is_finite() => format!("{n}"),
        Cell::Number(_) | Cell::Vnd(_) => String::new(),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::DateTime(at) => vietnam(at).format("%Y-%m-%d %H:%M:%S").to_string(),
        Cell::Bool(true) => "Có".to_string(),
        Cell::Bool(false) => "Không".to_string(),
    }
}

/// Writes the table as CSV: UTF-8 with a BOM, a header of the column titles, dates as
/// YYYY-MM-DD, times in Vietnam time, numbers plain (no grouping), booleans Có/Không.
pub fn to_csv(table: &Table) -> Vec<u8> {
    // Writing CSV into memory does not fail; should it ever, the download is empty rather
    // than half a file.
    write_whole(table, FileFormat::Csv).unwrap_or_default()
}

/// `Content-Disposition` for a download: an ASCII fallback name and the UTF-8 name
/// (RFC 6266 / RFC 5987), e.g. `attachment; filename="kien-nghi.xlsx"; filename*=UTF-8''ki%E1…`.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                ascii_fold(c).unwrap_or('_')
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The base Latin letter of a Vietnamese letter, for the ASCII file name.
fn ascii_fold(c: char) -> Option<char> {
    const GROUPS: [(&str, char); 12] = [
        ("àáạảãâầấậẩẫăằắặẳẵ", 'a'),
        ("ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴ", 'A'),
        ("èéẹẻẽêềếệểễ", 'e'),
        ("ÈÉẸẺẼÊỀẾỆỂỄ", 'E'),
        ("ìíịỉĩ", 'i'),
        ("ÌÍỊỈĨ", 'I'),
        ("òóọỏõôồốộổỗơờớợởỡ", 'o'),
        ("ÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠ", 'O'),
        ("ùúụủũưừứựửữ", 'u'),
        ("ÙÚỤỦŨƯỪỨỰỬỮ", 'U'),
        ("ỳýỵỷỹ", 'y'),
        ("ỲÝỴỶỸ", 'Y'),
    ];
    match c {
        'đ' => Some('d'),
        'Đ' => Some('D'),
        _ => GROUPS
            .iter()
            .find(|(set, _)| set.contains(c))
            .map(|(_, base)| *base),
    }
}

#[cfg(test)]
mod tests;
