//! A minimal, fully in-memory [`typst::World`]: the embedded fonts, one
//! template as the main source, `common.typ`, the document's data as
//! `data.json` and any number of extra binary files (the charts' SVG).
//! Nothing is read from disk and no package can be downloaded.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use crate::ReportError;

/// The fonts every document may use, embedded in the binary.
/// Liberation Serif stands in for Times New Roman (metric-compatible);
/// Be Vietnam Pro is the charts' sans-serif.
const FONT_DATA: &[&[u8]] = &[
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
    include_bytes!("../fonts/BeVietnamPro-Regular.ttf"),
    include_bytes!("../fonts/BeVietnamPro-Bold.ttf"),
    include_bytes!("../fonts/BeVietnamPro-Italic.ttf"),
    include_bytes!("../fonts/BeVietnamPro-BoldItalic.ttf"),
];

/// The shared template module every document imports.
const COMMON: &str = include_str!("../templates/common.typ");

/// Fonts parsed once per process: the server renders many documents.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_DATA
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    Fonts { book, fonts }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The families of the embedded fonts (for tests and diagnostics).
pub fn font_families() -> Vec<String> {
    let mut families: Vec<String> = FONTS
        .fonts
        .iter()
        .map(|f| f.info().family.clone())
        .collect();
    families.dedup();
    families
}

fn file_id(path: &str) -> Result<FileId, ReportError> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| ReportError::Internal(format!("bad virtual path {path}: {e}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One document to compile.
pub(crate) struct DocWorld {
    main: Source,
    common: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

impl DocWorld {
    /// `name` is the template's virtual file name (e.g. `decision.typ`),
    /// `data` the JSON handed to it as `data.json`, `extra` further files
    /// (name, bytes), `today` what `datetime.today()` returns.
    pub(crate) fn new(
        name: &str,
        template: &str,
        data: &serde_json::Value,
        extra: Vec<(String, Vec<u8>)>,
        today: NaiveDate,
    ) -> Result<Self, ReportError> {
        let main = Source::new(file_id(&format!("/{name}"))?, template.to_owned());
        let common = Source::new(file_id("/common.typ")?, COMMON.to_owned());
        let json = serde_json::to_vec(data)
            .map_err(|e| ReportError::Internal(format!("serialising the data: {e}")))?;
        let mut files = HashMap::new();
        files.insert(file_id("/data.json")?, Bytes::new(json));
        for (path, bytes) in extra {
            files.insert(file_id(&format!("/{path}"))?, Bytes::new(bytes));
        }
        let today = u8::try_from(today.month())
            .ok()
            .zip(u8::try_from(today.day()).ok())
            .and_then(|(m, d)| Datetime::from_ymd(today.year(), m, d));
        Ok(Self {
            main,
            common,
            files,
            today,
        })
    }

    /// Compile to a paged document and export it as PDF.
    pub(crate) fn render(&self) -> Result<Vec<u8>, ReportError> {
        let result = typst::compile::<PagedDocument>(self);
        let document = result
            .output
            .map_err(|errors| ReportError::Typst(self.describe(&errors)))?;
        let pdf = typst_pdf::pdf(&document, &PdfOptions::default())
            .map_err(|errors| ReportError::Pdf(self.describe(&errors)))?;
        // Keep typst's memoisation cache from growing without bound in a
        // long-running server: drop entries unused for a few compilations.
        typst::comemo::evict(30);
        Ok(pdf)
    }

    /// Compile and return only the warnings (used by the tests).
    #[cfg(test)]
    pub(crate) fn warnings(&self) -> Vec<String> {
        let result = typst::compile::<PagedDocument>(self);
        result
            .warnings
            .iter()
            .map(|w| self.describe(std::slice::from_ref(w)))
            .collect()
    }

    /// Turn diagnostics into readable lines: `file:line:col: message (hint: …)`.
    fn describe(&self, diagnostics: &[SourceDiagnostic]) -> String {
        let mut out = String::new();
        for diag in diagnostics {
            if !out.is_empty() {
                out.push('\n');
            }
            let kind = match diag.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            if let Some(id) = diag.span.id() {
                let file = id.vpath().get_without_slash().to_owned();
                let position = self
                    .range(diag.span)
                    .and_then(|range| {
                        self.source(id)
                            .ok()?
                            .lines()
                            .byte_to_line_column(range.start)
                    })
                    .map(|(line, col)| format!(":{}:{}", line + 1, col + 1))
                    .unwrap_or_default();
                let _ = write!(out, "{file}{position}: ");
            }
            let _ = write!(out, "{kind}: {}", diag.message);
            for hint in &diag.hints {
                let _ = write!(out, " (hint: {})", hint.v);
            }
        }
        if out.is_empty() {
            out.push_str("unknown typst error");
        }
        out
    }
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.common.id() {
            Ok(self.common.clone())
        } else if self.files.contains_key(&id) {
            Err(FileError::NotSource)
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.files.get(&id) {
            Ok(bytes.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else if id == self.common.id() {
            Ok(Bytes::from_string(self.common.clone()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}
