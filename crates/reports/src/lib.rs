//! danvan's official PDF documents, typeset with [typst] used as a library.
//!
//! Five documents, each a function from a plain input struct to PDF bytes:
//! [`campaign_report`] (the Ban Dân vận's mid-year or year-end report, Party
//! format of Hướng dẫn 36-HD/VPTW), [`commendation_decision`] (a People's
//! Committee decision, Nghị định 30/2020/NĐ-CP), [`certificates`] (one
//! landscape certificate of merit per recipient), [`petition_reply`] (the
//! answering body's letter to a petitioner) and [`council_minutes`] (the
//! scoring council's minutes). The inputs know nothing of the database or
//! the web: callers fill them from their own types.
//!
//! # Design
//!
//! * **Templates are typst files** in `templates/` (one per document plus
//!   `common.typ` for the headers, signature blocks and page setup), compiled
//!   into the binary with `include_str!`. A small in-memory [`typst::World`]
//!   (see `world.rs`) serves them, the embedded fonts and the data; it never
//!   touches the file system or the network.
//! * **Data enters as JSON, never as markup.** Each function turns its input
//!   into a `serde_json::Value` of ready-to-print strings (numbers and dates
//!   already formatted the Vietnamese way) and the World serves it as the
//!   virtual file `data.json`; the template starts with
//!   `#let d = json("data.json")` and places `d.title` etc. as *string
//!   values*. A typst string shown as content is plain text: `#`, `*`, `_`,
//!   `$`, `@`, `<`, `]`, `\`, quotes or a leading `= ` in a petitioner's text
//!   are printed as they are and can neither break the document nor run
//!   code. Formatting user text into typst source (even with escaping) would
//!   make every field a potential injection point and every escaping bug a
//!   broken or forged official document; with JSON there is nothing to
//!   escape by hand and `serde_json` does the encoding.
//! * Charts (SVG text from the charts crate) are served as the virtual files
//!   `chart-N.svg` and placed with `image(..)`; typst converts them with
//!   usvg, resolving `<text>` fonts from the same embedded fonts (Be Vietnam
//!   Pro; generic families fall back to it as well).
//! * Fonts are parsed once per process ([`std::sync::LazyLock`]); typst's
//!   memoisation cache is trimmed after every render.
//! * Every page after the first carries its number centred at the top
//!   (Nghị định 30/2020, Điều 15 of Phụ lục I); text is real, selectable text
//!   with `lang: "vi"`.

mod format;
mod world;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde_json::{Value, json};

use world::DocWorld;
pub use world::font_families;

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Typst reported errors while compiling the template with the data.
    #[error("typst could not typeset the document: {0}")]
    Typst(String),
    /// Typst could not export the laid-out document as PDF.
    #[error("PDF export failed: {0}")]
    Pdf(String),
    /// The input cannot be turned into a document.
    #[error("invalid input: {0}")]
    Input(String),
    /// A bug in this crate (e.g. a bad virtual path).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The issuing body's block at the top left, e.g. parent "ĐẢNG BỘ TỈNH AN
/// GIANG" (regular) and name ["BAN DÂN VẬN TỈNH ỦY"] (bold), or no parent and
/// name ["ỦY BAN NHÂN DÂN", "TỈNH AN GIANG"].
#[derive(Debug, Clone, Default)]
pub struct Issuer {
    /// The managing body, printed in regular capitals above the name; `None`
    /// when the issuer has none (a People's Committee).
    pub parent: Option<String>,
    /// The issuer's name, one entry per printed line, in bold.
    pub name: Vec<String>,
}

/// The signature block at the bottom right.
#[derive(Debug, Clone, Default)]
pub struct Signer {
    /// Signing authority with its prefix as it is printed: "T/M BAN THƯỜNG
    /// VỤ", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"; empty when the signer signs
    /// in their own right.
    pub authority: String,
    /// The signer's position: "TRƯỞNG BAN", "PHÓ CHỦ TỊCH".
    pub title: String,
    /// Full name, printed in bold below the space for the signature.
    pub name: String,
}

/// Mid-year (sơ kết 6 tháng) or year-end (tổng kết năm) report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    MidYear,
    YearEnd,
}

/// A key figure, printed as a sentence: "- {label}: {value} {unit}."
#[derive(Debug, Clone)]
pub struct KeyFigure {
    /// E.g. "Số mô hình đăng ký".
    pub label: String,
    pub value: i64,
    /// E.g. "mô hình"; may be empty.
    pub unit: String,
}

/// A row of the indicators table (achieved against target).
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub label: String,
    pub achieved: f64,
    pub target: f64,
    pub unit: String,
}

/// A "Dân vận khéo" model in the list of exemplary models.
#[derive(Debug, Clone)]
pub struct ModelRow {
    /// The model's name.
    pub name: String,
    /// The unit that runs it.
    pub unit: String,
    /// Its field (lĩnh vực): "Kinh tế", "Văn hóa - xã hội", …
    pub field: String,
}

/// A chart drawn elsewhere (plotters), as SVG text.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Printed as the caption under the chart.
    pub title: String,
    /// The complete SVG document.
    pub svg: String,
}

/// The Ban Dân vận's campaign report (báo cáo sơ kết / tổng kết).
#[derive(Debug, Clone)]
pub struct CampaignReport {
    pub issuer: Issuer,
    /// The number without "Số", e.g. "125-BC/BDVTU".
    pub number: String,
    /// Place in the date line, e.g. "An Giang".
    pub place: String,
    pub date: NaiveDate,
    pub period: Period,
    pub year: i32,
    /// The campaign's name without quotes, e.g. "Dân vận khéo".
    pub campaign_title: String,
    /// Section I (situation); one paragraph per line; empty → a default sentence.
    pub situation: String,
    /// Key figures of section II, printed as sentences.
    pub figures: Vec<KeyFigure>,
    /// Indicator totals, printed as a table.
    pub indicators: Vec<IndicatorRow>,
    /// Exemplary models, printed as a table.
    pub models: Vec<ModelRow>,
    pub charts: Vec<Chart>,
    /// Section III (directions); one paragraph per line; empty → a default sentence.
    pub directions: String,
    /// "Nơi nhận" entries as printed after "- ", e.g. "Thường trực Tỉnh ủy (b/c),".
    pub recipients: Vec<String>,
    pub signer: Signer,
}

/// A collective, individual or model commended by a decision.
#[derive(Debug, Clone)]
pub struct Awardee {
    /// Name of the collective, person or model.
    pub name: String,
    /// Their unit / address.
    pub unit: String,
    /// The form of commendation, e.g. "Bằng khen".
    pub award: String,
}

/// A People's Committee commendation decision (quyết định khen thưởng).
#[derive(Debug, Clone)]
pub struct Decision {
    pub issuer: Issuer,
    /// The number without "Số:", e.g. "125/QĐ-UBND".
    pub number: String,
    pub place: String,
    pub date: NaiveDate,
    /// What follows "Về việc", e.g. "khen thưởng tập thể, cá nhân có thành
    /// tích xuất sắc trong phong trào thi đua “Dân vận khéo” năm 2026".
    pub subject: String,
    /// The deciding authority, e.g. "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG".
    pub decision_maker: String,
    /// The italic "Căn cứ …;" / "Theo đề nghị của …." paragraphs.
    pub legal_bases: Vec<String>,
    /// Article 1's text before the table of awardees.
    pub article1: String,
    pub awardees: Vec<Awardee>,
    /// Articles 2, 3, … (text after "Điều n. ").
    pub further_articles: Vec<String>,
    /// "Nơi nhận" entries as printed after "- ".
    pub recipients: Vec<String>,
    pub signer: Signer,
}

/// One certificate's recipient.
#[derive(Debug, Clone)]
pub struct CertificateRecipient {
    /// Printed large and bold, e.g. "Bà Nguyễn Thị Thủy" or a collective's name.
    pub name: String,
    /// Unit line under the name; may be empty.
    pub unit: String,
    /// "Đã có thành tích …" — the reason, printed as given.
    pub reason: String,
}

/// A set of certificates of merit (Giấy khen / Bằng khen), one page each.
#[derive(Debug, Clone)]
pub struct Certificates {
    /// E.g. "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG".
    pub issuer_title: String,
    /// E.g. "BẰNG KHEN" or "GIẤY KHEN".
    pub award_title: String,
    pub recipients: Vec<CertificateRecipient>,
    /// The decision's number, e.g. "125/QĐ-UBND".
    pub decision_number: String,
    pub decision_date: NaiveDate,
    /// Optional register number (số sổ vàng); empty → not printed.
    pub register_number: String,
    pub place: String,
    pub date: NaiveDate,
    pub signer: Signer,
}

/// The answering body's letter to a petitioner (công văn trả lời kiến nghị).
#[derive(Debug, Clone)]
pub struct ReplyLetter {
    pub issuer: Issuer,
    /// The number without "Số:", e.g. "412/UBND-TCD".
    pub number: String,
    /// The summary line under the number; empty → "V/v trả lời kiến nghị của công dân".
    pub subject_line: String,
    pub place: String,
    pub date: NaiveDate,
    /// "Ông Trần Văn Hoà"; `None` → "Công dân có mã theo dõi {tracking_code}".
    pub addressee: Option<String>,
    /// The petition's tracking code, e.g. "KN-2026-000123".
    pub tracking_code: String,
    /// The body's name as used in sentences, e.g. "Ủy ban nhân dân phường Long Xuyên".
    pub body_name: String,
    pub received_on: NaiveDate,
    /// The petition's content in short (plain text, one paragraph per line).
    pub summary: String,
    /// The answer (plain text, one paragraph per line).
    pub answer: String,
    /// Closing paragraph(s); empty → a default sentence.
    pub closing: String,
    pub recipients: Vec<String>,
    pub signer: Signer,
}

/// A council member present at the meeting.
#[derive(Debug, Clone)]
pub struct CouncilMember {
    /// With the form of address, e.g. "Ông Đặng Quốc Đạt".
    pub name: String,
    /// Role in the council, e.g. "Chủ tịch Hội đồng".
    pub role: String,
}

/// A member who did not score a model (conflict of interest).
#[derive(Debug, Clone)]
pub struct Recusal {
    pub member: String,
    pub model: String,
    pub reason: String,
}

/// A scored model: one score per member, in the order of
/// [`Minutes::members`]; `None` where the member recused.
#[derive(Debug, Clone)]
pub struct ScoreRow {
    pub model: String,
    pub unit: String,
    pub scores: Vec<Option<f64>>,
    /// Printed as given; see [`fill_averages_and_ranks`] to compute it.
    pub average: Option<f64>,
    pub rank: Option<u32>,
}

/// Minutes of a scoring council meeting (biên bản họp Hội đồng chấm điểm).
#[derive(Debug, Clone)]
pub struct Minutes {
    pub issuer: Issuer,
    /// The number without "Số:"; empty → no number line.
    pub number: String,
    pub place: String,
    pub date: NaiveDate,
    /// Completes "Họp …", e.g. "Hội đồng chấm điểm mô hình “Dân vận khéo” tỉnh An Giang năm 2026".
    pub council_name: String,
    pub held_at: NaiveDateTime,
    pub venue: String,
    pub members: Vec<CouncilMember>,
    pub recusals: Vec<Recusal>,
    pub scores: Vec<ScoreRow>,
    /// Conclusion (plain text, one paragraph per line).
    pub conclusion: String,
    /// When the meeting ended, if recorded.
    pub ended_at: Option<NaiveTime>,
    /// Signs at the right, e.g. title "CHỦ TỊCH HỘI ĐỒNG".
    pub chair: Signer,
    /// Signs at the left, e.g. title "THƯ KÝ".
    pub secretary: Signer,
}

/// Fill each row's average (mean of the scores given, two decimals) and rank
/// (1 for the highest average; equal averages share a rank, the next rank
/// skips accordingly). Rows without any score get neither.
pub fn fill_averages_and_ranks(rows: &mut [ScoreRow]) {
    for row in rows.iter_mut() {
        let given: Vec<f64> = row.scores.iter().flatten().copied().collect();
        row.average = if given.is_empty() {
            None
        } else {
            let mean = given.iter().sum::<f64>() / given.len() as f64;
            Some((mean * 100.0).round() / 100.0)
        };
    }
    let averages: Vec<Option<f64>> = rows.iter().map(|r| r.average).collect();
    for row in rows.iter_mut() {
        row.rank = row.average.map(|mine| {
            let better = averages.iter().flatten().filter(|a| **a > mine).count();
            u32::try_from(better + 1).unwrap_or(u32::MAX)
        });
    }
}

// ---------------------------------------------------------------------------
// JSON builders

fn issuer_json(issuer: &Issuer) -> Value {
    json!({ "parent": issuer.parent, "name": issuer.name })
}

fn signer_json(signer: &Signer) -> Value {
    json!({ "authority": signer.authority, "title": signer.title, "name": signer.name })
}

const REPORT_TEMPLATE: &str = include_str!("../templates/report.typ");
const DECISION_TEMPLATE: &str = include_str!("../templates/decision.typ");
const CERTIFICATE_TEMPLATE: &str = include_str!("../templates/certificate.typ");
const REPLY_TEMPLATE: &str = include_str!("../templates/reply.typ");
const MINUTES_TEMPLATE: &str = include_str!("../templates/minutes.typ");

fn report_data(r: &CampaignReport) -> (Value, Vec<(String, Vec<u8>)>) {
    let subject = match r.period {
        Period::MidYear => format!(
            "Sơ kết 6 tháng đầu năm {} phong trào thi đua “{}”",
            r.year, r.campaign_title
        ),
        Period::YearEnd => format!(
            "Tổng kết năm {} phong trào thi đua “{}”",
            r.year, r.campaign_title
        ),
    };
    let figures: Vec<Value> = r
        .figures
        .iter()
        .map(|f| {
            let value = format::int(f.value);
            let text = if f.unit.trim().is_empty() {
                format!("{}: {value}.", f.label)
            } else {
                format!("{}: {value} {}.", f.label, f.unit)
            };
            Value::String(text)
        })
        .collect();
    let indicators: Vec<Value> = r
        .indicators
        .iter()
        .map(|i| {
            json!({
                "label": i.label,
                "achieved": format::number(i.achieved),
                "target": format::number(i.target),
                "percent": format::percent(i.achieved, i.target),
                "unit": i.unit,
            })
        })
        .collect();
    let models: Vec<Value> = r
        .models
        .iter()
        .map(|m| json!({ "name": m.name, "unit": m.unit, "field": m.field }))
        .collect();
    let mut files = Vec::with_capacity(r.charts.len());
    let charts: Vec<Value> = r
        .charts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let file = format!("chart-{i}.svg");
            files.push((file.clone(), c.svg.clone().into_bytes()));
            json!({ "title": c.title, "file": file })
        })
        .collect();
    let data = json!({
        "issuer": issuer_json(&r.issuer),
        "number": r.number,
        "date_line": format::place_date(&r.place, r.date),
        "title": "BÁO CÁO",
        "subject": subject,
        "situation": format::paragraphs(&r.situation),
        "year": r.year.to_string(),
        "campaign": r.campaign_title,
        "midyear": r.period == Period::MidYear,
        "figures": figures,
        "indicators": indicators,
        "models": models,
        "charts": charts,
        "directions": format::paragraphs(&r.directions),
        "recipients": r.recipients,
        "signer": signer_json(&r.signer),
    });
    (data, files)
}

/// The campaign's mid-year or year-end report of the provincial Ban Dân vận
/// (Hướng dẫn 36-HD/VPTW layout), as PDF bytes.
pub fn campaign_report(r: &CampaignReport) -> Result<Vec<u8>, ReportError> {
    report_world(r)?.render()
}

fn report_world(r: &CampaignReport) -> Result<DocWorld, ReportError> {
    let (data, files) = report_data(r);
    DocWorld::new("report.typ", REPORT_TEMPLATE, &data, files, r.date)
}

/// A People's Committee commendation decision (Nghị định 30/2020/NĐ-CP
/// layout), as PDF bytes.
pub fn commendation_decision(d: &Decision) -> Result<Vec<u8>, ReportError> {
    decision_world(d)?.render()
}

fn decision_world(d: &Decision) -> Result<DocWorld, ReportError> {
    let awardees: Vec<Value> = d
        .awardees
        .iter()
        .map(|a| json!({ "name": a.name, "unit": a.unit, "award": a.award }))
        .collect();
    let data = json!({
        "issuer": issuer_json(&d.issuer),
        "number": d.number,
        "date_line": format::place_date(&d.place, d.date),
        "subject": d.subject,
        "decision_maker": d.decision_maker,
        "legal_bases": d.legal_bases,
        "article1": format::paragraphs(&d.article1),
        "awardees": awardees,
        "further_articles": d.further_articles.iter().map(|a| format::paragraphs(a)).collect::<Vec<_>>(),
        "recipients": d.recipients,
        "signer": signer_json(&d.signer),
    });
    DocWorld::new("decision.typ", DECISION_TEMPLATE, &data, Vec::new(), d.date)
}

/// Certificates of merit, one landscape A4 page per recipient, as PDF bytes.
pub fn certificates(c: &Certificates) -> Result<Vec<u8>, ReportError> {
    certificates_world(c)?.render()
}

fn certificates_world(c: &Certificates) -> Result<DocWorld, ReportError> {
    if c.recipients.is_empty() {
        return Err(ReportError::Input(
            "a certificate needs at least one recipient".to_owned(),
        ));
    }
    let recipients: Vec<Value> = c
        .recipients
        .iter()
        .map(|r| json!({ "name": r.name, "unit": r.unit, "reason": format::paragraphs(&r.reason) }))
        .collect();
    let data = json!({
        "issuer_title": c.issuer_title,
        "award_title": c.award_title,
        "recipients": recipients,
        "decision": format!(
            "Quyết định số {} ngày {}",
            c.decision_number,
            format::date_short(c.decision_date)
        ),
        "register": if c.register_number.trim().is_empty() {
            Value::Null
        } else {
            Value::String(format!("Số sổ vàng: {}", c.register_number))
        },
        "date_line": format::place_date(&c.place, c.date),
        "signer": signer_json(&c.signer),
    });
    DocWorld::new(
        "certificate.typ",
        CERTIFICATE_TEMPLATE,
        &data,
        Vec::new(),
        c.date,
    )
}

/// The answering body's letter to a citizen about their petition, as PDF bytes.
pub fn petition_reply(l: &ReplyLetter) -> Result<Vec<u8>, ReportError> {
    reply_world(l)?.render()
}

fn reply_world(l: &ReplyLetter) -> Result<DocWorld, ReportError> {
    let (addressee, in_sentence) = match &l.addressee {
        Some(name) if !name.trim().is_empty() => (name.clone(), lowercase_address(name)),
        _ => (
            format!("Công dân có mã theo dõi {}", l.tracking_code),
            "công dân".to_owned(),
        ),
    };
    let subject_line = if l.subject_line.trim().is_empty() {
        "V/v trả lời kiến nghị của công dân".to_owned()
    } else {
        l.subject_line.clone()
    };
    let intro = format!(
        "Ngày {}, {} nhận được kiến nghị của {} (mã theo dõi {}) với nội dung như sau:",
        format::date_short(l.received_on),
        l.body_name,
        in_sentence,
        l.tracking_code
    );
    let answer_intro = format!(
        "Sau khi xem xét nội dung kiến nghị, {} trả lời như sau:",
        l.body_name
    );
    let mut closing = format::paragraphs(&l.closing);
    if closing.is_empty() {
        closing.push(format!(
            "Trên đây là nội dung trả lời của {} đối với kiến nghị nêu trên. Trường hợp chưa thống nhất với nội dung trả lời, công dân có quyền tiếp tục kiến nghị theo quy định của pháp luật./.",
            l.body_name
        ));
    }
    let data = json!({
        "issuer": issuer_json(&l.issuer),
        "number": l.number,
        "subject_line": subject_line,
        "date_line": format::place_date(&l.place, l.date),
        "addressee": addressee,
        "intro": intro,
        "summary": format::paragraphs(&l.summary),
        "answer_intro": answer_intro,
        "answer": format::paragraphs(&l.answer),
        "closing": closing,
        "recipients": l.recipients,
        "signer": signer_json(&l.signer),
    });
    DocWorld::new("reply.typ", REPLY_TEMPLATE, &data, Vec::new(), l.date)
}

/// "Ông …" / "Bà …" / "Công dân …" as used inside a sentence: the form of
/// address in lower case ("của ông Trần Văn Hoà").
fn lowercase_address(addressee: &str) -> String {
    for prefix in ["Ông ", "Bà "] {
        if let Some(rest) = addressee.strip_prefix(prefix) {
            return format!("{}{rest}", prefix.to_lowercase());
        }
    }
    addressee.to_owned()
}

/// Minutes of a scoring council meeting, as PDF bytes.
pub fn council_minutes(m: &Minutes) -> Result<Vec<u8>, ReportError> {
    minutes_world(m)?.render()
}

fn minutes_world(m: &Minutes) -> Result<DocWorld, ReportError> {
    let members: Vec<Value> = m
        .members
        .iter()
        .map(|p| json!({ "name": p.name, "role": p.role }))
        .collect();
    let recusals: Vec<Value> = m
        .recusals
        .iter()
        .map(|r| json!({ "member": r.member, "model": r.model, "reason": r.reason }))
        .collect();
    let scores: Vec<Value> = m
        .scores
        .iter()
        .map(|row| {
            let cells: Vec<String> = (0..m.members.len())
                .map(|i| match row.scores.get(i) {
                    Some(Some(score)) => format::number(*score),
                    _ => "—".to_owned(),
                })
                .collect();
            json!({
                "model": row.model,
                "unit": row.unit,
                "scores": cells,
                "average": row.average.map_or_else(|| "—".to_owned(), format::number),
                "rank": row.rank.map_or_else(|| "—".to_owned(), |r| r.to_string()),
            })
        })
        .collect();
    let data = json!({
        "issuer": issuer_json(&m.issuer),
        "number": m.number,
        "date_line": format::place_date(&m.place, m.date),
        "council_name": m.council_name,
        "held_at": format::datetime_words(m.held_at),
        "venue": m.venue,
        "members": members,
        "recusals": recusals,
        "scores": scores,
        "conclusion": format::paragraphs(&m.conclusion),
        "ended_at": m.ended_at.map(|t| format::time_words(t.hour(), t.minute())),
        "chair": signer_json(&m.chair),
        "secretary": signer_json(&m.secretary),
    });
    DocWorld::new("minutes.typ", MINUTES_TEMPLATE, &data, Vec::new(), m.date)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 2, 3).unwrap()
    }

    fn signer() -> Signer {
        Signer {
            authority: String::new(),
            title: "TRƯỞNG BAN".into(),
            name: "Nguyễn Thị Thủy".into(),
        }
    }

    /// Bare inputs: every optional part empty.
    fn bare_report() -> CampaignReport {
        CampaignReport {
            issuer: Issuer::default(),
            number: String::new(),
            place: "An Giang".into(),
            date: day(),
            period: Period::YearEnd,
            year: 2026,
            campaign_title: "Dân vận khéo".into(),
            situation: String::new(),
            figures: vec![],
            indicators: vec![],
            models: vec![],
            charts: vec![],
            directions: String::new(),
            recipients: vec![],
            signer: Signer::default(),
        }
    }

    fn assert_clean(world: DocWorld) {
        let warnings = world.warnings();
        assert!(warnings.is_empty(), "{warnings:#?}");
        let pdf = world.render().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn bare_inputs_typeset_without_warnings() {
        assert_clean(report_world(&bare_report()).unwrap());
        assert_clean(
            decision_world(&Decision {
                issuer: Issuer::default(),
                number: String::new(),
                place: "An Giang".into(),
                date: day(),
                subject: String::new(),
                decision_maker: String::new(),
                legal_bases: vec![],
                article1: String::new(),
                awardees: vec![],
                further_articles: vec![],
                recipients: vec![],
                signer: signer(),
            })
            .unwrap(),
        );
        assert_clean(
            certificates_world(&Certificates {
                issuer_title: String::new(),
                award_title: "GIẤY KHEN".into(),
                recipients: vec![CertificateRecipient {
                    name: "Trần Văn Hoà".into(),
                    unit: String::new(),
                    reason: String::new(),
                }],
                decision_number: "1/QĐ-UBND".into(),
                decision_date: day(),
                register_number: String::new(),
                place: "An Giang".into(),
                date: day(),
                signer: signer(),
            })
            .unwrap(),
        );
        assert_clean(
            reply_world(&ReplyLetter {
                issuer: Issuer::default(),
                number: "1/UBND".into(),
                subject_line: String::new(),
                place: "Long Xuyên".into(),
                date: day(),
                addressee: None,
                tracking_code: "KN-1".into(),
                body_name: "Ủy ban nhân dân phường Long Xuyên".into(),
                received_on: day(),
                summary: String::new(),
                answer: String::new(),
                closing: String::new(),
                recipients: vec![],
                signer: signer(),
            })
            .unwrap(),
        );
        assert_clean(
            minutes_world(&Minutes {
                issuer: Issuer::default(),
                number: String::new(),
                place: "An Giang".into(),
                date: day(),
                council_name: "Hội đồng".into(),
                held_at: day().and_hms_opt(8, 0, 0).unwrap(),
                venue: "Hội trường".into(),
                members: vec![],
                recusals: vec![],
                scores: vec![ScoreRow {
                    model: "Mô hình".into(),
                    unit: "Xã".into(),
                    scores: vec![Some(1.0)],
                    average: None,
                    rank: None,
                }],
                conclusion: String::new(),
                ended_at: None,
                chair: signer(),
                secretary: signer(),
            })
            .unwrap(),
        );
    }

    #[test]
    fn a_broken_chart_is_an_error_not_a_panic() {
        let mut r = bare_report();
        r.charts.push(Chart {
            title: "Biểu đồ hỏng".into(),
            svg: "<svg this is not".into(),
        });
        let err = campaign_report(&r).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, ReportError::Typst(_)), "{message}");
        assert!(message.contains("chart-0.svg"), "{message}");
        assert!(message.contains("failed to parse SVG"), "{message}");
    }

    #[test]
    fn typst_errors_name_file_line_and_column() {
        let world = DocWorld::new(
            "broken.typ",
            "#let d = json(\"data.json\")\n#d.missing",
            &json!({}),
            vec![],
            day(),
        )
        .unwrap();
        let err = world.render().unwrap_err().to_string();
        assert!(err.contains("broken.typ:2:"), "{err}");
        assert!(err.contains("missing"), "{err}");
    }

    #[test]
    fn embedded_fonts() {
        let families = font_families();
        assert!(
            families.contains(&"Liberation Serif".to_owned()),
            "{families:?}"
        );
        assert!(
            families.contains(&"Be Vietnam Pro".to_owned()),
            "{families:?}"
        );
    }
}
