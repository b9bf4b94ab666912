//! Helpers shared by the PDF tests: sample data and text extraction with
//! poppler's `pdftotext` / `pdfinfo`.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::NaiveDate;
use danvan_reports::{Issuer, Signer};

/// Whether poppler-utils are installed. Without them the tests skip, unless
/// `CI` is set, where they must be there.
pub fn poppler() -> bool {
    let found = Command::new("pdftotext")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("pdftotext (poppler-utils) is required when CI is set");
        }
        eprintln!("SKIPPED: pdftotext not found (install poppler-utils)");
    }
    found
}

fn run_with_pdf(program: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(pdf).unwrap();
    let path = file.path().to_str().unwrap().to_owned();
    let mut all: Vec<&str> = args.to_vec();
    all.push(&path);
    if program == "pdftotext" {
        all.push("-");
    }
    let out = Command::new(program).args(&all).output().unwrap();
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The whole text as `pdftotext -layout` gives it, followed by the
/// `pdftotext -raw` text (content-stream order): layout mode interleaves the
/// lines of table cells that wrap, raw mode keeps each cell together, so a
/// needle is found if either extraction has it.
pub fn text(pdf: &[u8]) -> String {
    save(pdf);
    let layout = run_with_pdf("pdftotext", &["-layout"], pdf);
    let raw = run_with_pdf("pdftotext", &["-raw"], pdf);
    format!("{layout}\n==== raw ====\n{raw}")
}

/// With `DANVAN_REPORTS_OUT=dir`, keep the PDFs for a look.
fn save(pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("DANVAN_REPORTS_OUT") {
        let name = std::thread::current()
            .name()
            .unwrap_or("doc")
            .replace("::", "-");
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pdf")), pdf).unwrap();
    }
}

/// The text of page `n` (1-based), layout then raw as in [`text`].
pub fn page_text(pdf: &[u8], n: usize) -> String {
    let n = n.to_string();
    let layout = run_with_pdf("pdftotext", &["-layout", "-f", &n, "-l", &n], pdf);
    let raw = run_with_pdf("pdftotext", &["-raw", "-f", &n, "-l", &n], pdf);
    format!("{layout}\n==== raw ====\n{raw}")
}

/// `pdfinfo` output.
pub fn info(pdf: &[u8]) -> String {
    save(pdf);
    run_with_pdf("pdfinfo", &[], pdf)
}

pub fn pages(pdf: &[u8]) -> usize {
    info(pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap()
}

/// Whitespace runs collapsed to one space (layout mode pads columns).
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Assert that every needle occurs in the text (whitespace-insensitive).
#[track_caller]
pub fn assert_contains_all(text: &str, needles: &[&str]) {
    let hay = squash(text);
    for needle in needles {
        assert!(
            hay.contains(&squash(needle)),
            "missing {needle:?} in extracted text:\n{text}"
        );
    }
}

/// The number printed at the top of page `n`: the first non-empty line.
pub fn first_line(page_text: &str) -> String {
    page_text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_owned()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn ubnd_tinh() -> Issuer {
    Issuer {
        parent: None,
        name: vec!["ỦY BAN NHÂN DÂN".into(), "TỈNH AN GIANG".into()],
    }
}

pub fn vice_chair() -> Signer {
    Signer {
        authority: "KT. CHỦ TỊCH".into(),
        title: "PHÓ CHỦ TỊCH".into(),
        name: "Trần Văn Hoà".into(),
    }
}

pub const CHART_SVG: &str = include_str!("../fixtures/models_by_field.svg");

/// Time a render and print it (the report's timings come from here).
pub fn timed<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let start = std::time::Instant::now();
    let out = f();
    eprintln!("render {label}: {:?}", start.elapsed());
    out
}
