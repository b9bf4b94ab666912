//! Official PDF documents: danvan's records filled into the typst templates of
//! `danvan-reports`. Each function checks the caller like the page that shows the same record
//! (the same service call), then typesets off the async runtime.
//!
//! The campaign report is the commission's (Hướng dẫn 36-HD/VPTW); decisions, certificates
//! and reply letters are the issuing body's (Nghị định 30/2020/NĐ-CP). Reply letters never
//! name the petitioner: they are addressed by tracking code, which only the petitioner holds.

use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use danvan_domain::movement::Field;
use danvan_domain::policy::{Action, Principal, authorize};
use danvan_reports as reports;
use danvan_storage::movement::{campaigns, decisions};

use crate::error::AppError;
use crate::service::{commendations, councils, dashboard, petitions};
use crate::state::AppState;

const PLACE: &str = "An Giang";

/// Blank space for the number the records clerk writes in when the document is registered.
const UNNUMBERED: &str = "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}";

/// Which campaign report: mid-year (sơ kết) or year-end (tổng kết).
pub fn parse_period(s: &str) -> Result<reports::Period, AppError> {
    match s.trim() {
        "mid_year" => Ok(reports::Period::MidYear),
        "" | "year_end" => Ok(reports::Period::YearEnd),
        _ => Err(AppError::invalid(danvan_domain::FieldError::new(
            "period",
            "invalid_period",
            "Kỳ báo cáo không hợp lệ (mid_year hoặc year_end).",
            "Unknown report period (mid_year or year_end).",
        ))),
    }
}

/// The PDF as a download; private, never cached by a shared cache.
pub fn pdf_response(bytes: Vec<u8>, file_name: &str) -> Result<Response, AppError> {
    crate::export::attachment(bytes, "application/pdf", file_name)
}

/// Typesetting takes tens of milliseconds of CPU: keep it off the async workers.
async fn typeset<T: Send + 'static>(
    input: T,
    render: fn(&T) -> Result<Vec<u8>, reports::ReportError>,
) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || render(&input))
        .await
        .map_err(|e| AppError::Internal(format!("typesetting task: {e}")))?
        .map_err(|e| AppError::Internal(format!("typesetting: {e}")))
}

/// "Ủy ban nhân dân phường Long Xuyên" → "ỦY BAN NHÂN DÂN" / "PHƯỜNG LONG XUYÊN": the
/// two-line header of Nghị định 30/2020; other names on one line.
fn issuer_of(name: &str) -> reports::Issuer {
    let upper = name.trim().to_uppercase();
    for head in ["ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN "] {
        if let Some(rest) = upper.strip_prefix(head) {
            return reports::Issuer {
                parent: None,
                name: vec!["ỦY BAN NHÂN DÂN".into(), rest.trim().to_string()],
            };
        }
    }
    reports::Issuer {
        parent: None,
        name: vec![upper],
    }
}

fn field_label(code: &str) -> String {
    Field::parse(code)
        .map(|f| f.label_vi().to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The campaign's mid-year or year-end report of the provincial commission, with the
/// province's figures as they stood at the cut-off (30 June, or the end of the year; today
/// when earlier), the dashboard's charts and the models commended that year.
pub async fn campaign_report(
    state: &AppState,
    who: &Principal,
    campaign_id: i64,
    period: reports::Period,
) -> Result<Vec<u8>, AppError> {
    let campaign = campaigns::by_id(&state.db, campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tree = state.tree();
    let today = state.clock.today();
    let province = tree.root_at(today).ok_or(AppError::NotFound)?;
    // The report speaks for the whole province: only those who see its internal figures.
    authorize(who, Action::ViewStatistics, Some(province.id), &tree)?;
    let year = i32::try_from(campaign.year).map_err(|_| AppError::NotFound)?;
    let (month, day) = match period {
        reports::Period::MidYear => (6, 30),
        reports::Period::YearEnd => (12, 31),
    };
    let cut_off = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or(AppError::NotFound)?
        .min(today);
    let req = dashboard::Request {
        unit_code: Some(province.code.clone()),
        at: None,
        year: Some(campaign.year),
        public: false,
        until: Some(cut_off),
    };
    let d = dashboard::build(state, Some(who), &req, true).await?;
    let charts = dashboard::charts(&d, true)
        .into_iter()
        .filter(|c| c.id != "chart-states")
        .map(|c| reports::Chart {
            title: c.title,
            svg: c.svg,
        })
        .collect();
    let t = &d.totals;
    let figure = |label: &str, value: i64, unit: &str| reports::KeyFigure {
        label: label.into(),
        value,
        unit: unit.into(),
    };
    let figures = vec![
        figure("Mô hình đăng ký", t.models, "mô hình"),
        figure("Mô hình nhân rộng", t.replications, "mô hình"),
        figure("Mô hình được khen thưởng", t.commendations, "mô hình"),
        figure(
            "Kiến nghị của người dân đã tiếp nhận",
            t.petitions_received,
            "đơn",
        ),
        figure("Kiến nghị trả lời đúng hạn", t.petitions_on_time, "đơn"),
        figure("Kiến nghị đang quá hạn", t.petitions_overdue, "đơn"),
    ];
    // Care and contributions of the campaign's year (dated deliveries and entries).
    let mut figures = figures;
    if let Some(s) = &d.support {
        let households: i64 = s.by_unit.iter().map(|g| g.households).sum();
        let value: i64 = s.by_unit.iter().map(|g| g.value_vnd).sum();
        if households > 0 {
            figures.push(figure(
                "Hộ khó khăn được hỗ trợ qua các đợt",
                households,
                "hộ",
            ));
            figures.push(figure("Giá trị hỗ trợ đã trao", value, "đồng"));
        }
    }
    for c in &d.contributions {
        figures.push(figure(
            &format!("Nhân dân đóng góp — {}", c.label),
            c.quantity.round() as i64,
            &c.unit,
        ));
    }
    let indicators = d
        .indicators
        .iter()
        .map(|i| reports::IndicatorRow {
            label: i.label.clone(),
            achieved: i.achieved,
            target: i.target,
            unit: i.unit.clone(),
        })
        .collect();
    let models = decisions::honour_roll(&state.db, Some(campaign.year))
        .await?
        .into_iter()
        .filter(|h| h.signed_on.is_none_or(|s| s <= cut_off))
        .map(|h| reports::ModelRow {
            name: h.title,
            unit: tree
                .get(h.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            field: field_label(&h.field),
        })
        .collect();
    let situation = format!(
        "Thực hiện Kế hoạch phát động phong trào thi đua “{title}” năm {year}, tính đến ngày \
         {cut}, toàn tỉnh có {models} mô hình đăng ký, trong đó {replications} mô hình được nhân \
         rộng từ mô hình đã có; {commended} mô hình được khen thưởng. Các cơ quan đã tiếp nhận \
         {received} kiến nghị của người dân, trả lời đúng hạn {on_time} kiến nghị.",
        title = campaign.title,
        cut = cut_off.format("%d/%m/%Y"),
        models = t.models,
        replications = t.replications,
        commended = t.commendations,
        received = t.petitions_received,
        on_time = t.petitions_on_time,
    );
    let report = reports::CampaignReport {
        issuer: reports::Issuer {
            parent: Some("TỈNH ỦY AN GIANG".into()),
            name: vec!["BAN TUYÊN GIÁO VÀ DÂN VẬN".into()],
        },
        number: format!("{UNNUMBERED}-BC/BTGDVTU"),
        place: PLACE.into(),
        date: today,
        period,
        year,
        campaign_title: campaign.title.clone(),
        situation,
        figures,
        indicators,
        models,
        charts,
        directions: String::new(),
        recipients: vec![
            "Ban Tuyên giáo và Dân vận Trung ương (báo cáo)".into(),
            "Thường trực Tỉnh ủy (báo cáo)".into(),
            "Các đảng bộ trực thuộc Tỉnh ủy".into(),
            "Lưu Văn phòng Ban".into(),
        ],
        signer: reports::Signer {
            authority: "K/T TRƯỞNG BAN".into(),
            title: "PHÓ TRƯỞNG BAN".into(),
            name: String::new(),
        },
    };
    typeset(report, reports::campaign_report).await
}

fn decision_signer(d: &commendations::DecisionOut) -> reports::Signer {
    reports::Signer {
        authority: if d.signed_as_deputy {
            "KT. CHỦ TỊCH".into()
        } else {
            String::new()
        },
        title: d.signer_title.clone().unwrap_or_default().to_uppercase(),
        name: d.signer_name.clone().unwrap_or_default(),
    }
}

/// The commendation decision (a draft only for those who commend, like its page).
pub async fn decision(
    state: &AppState,
    who: Option<&Principal>,
    id: i64,
) -> Result<Vec<u8>, AppError> {
    let d = commendations::get(state, who, id).await?;
    let issuing = d.issuing_body.trim().to_string();
    let date = d.signed_on.unwrap_or_else(|| state.clock.today());
    let awardees = d
        .recipients
        .iter()
        .map(|r| reports::Awardee {
            name: match &r.model_title {
                Some(t) => format!("{} (mô hình “{t}”)", r.name),
                None => r.name.clone(),
            },
            unit: r.unit_name.clone().unwrap_or_default(),
            award: r
                .classification_label
                .clone()
                .unwrap_or_else(|| d.form.clone()),
        })
        .collect();
    let doc = reports::Decision {
        issuer: issuer_of(&issuing),
        number: d
            .number
            .clone()
            .unwrap_or_else(|| format!("{UNNUMBERED}/QĐ-UBND")),
        place: PLACE.into(),
        date,
        subject: format!(
            "khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua “Dân vận khéo” năm {}",
            d.year
        ),
        decision_maker: format!("CHỦ TỊCH {}", issuing.to_uppercase()),
        legal_bases: vec![
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;".into(),
            "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;".into(),
            "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;".into(),
            "Xét đề nghị của Hội đồng Thi đua - Khen thưởng.".into(),
        ],
        article1: format!(
            "Tặng {} cho các tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua “Dân vận khéo” năm {}, gồm:",
            d.form, d.year
        ),
        awardees,
        further_articles: vec![
            "Quyết định này có hiệu lực kể từ ngày ký.".into(),
            format!(
                "Chánh Văn phòng {issuing}, Thủ trưởng các cơ quan, đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./."
            ),
        ],
        recipients: vec![
            "Như Điều 3".into(),
            "Ban Tuyên giáo và Dân vận Tỉnh ủy".into(),
            "Lưu: VT".into(),
        ],
        signer: decision_signer(&d),
    };
    typeset(doc, reports::commendation_decision).await
}

/// One certificate per recipient of an issued decision.
pub async fn certificates(
    state: &AppState,
    who: Option<&Principal>,
    id: i64,
) -> Result<Vec<u8>, AppError> {
    let d = commendations::get(state, who, id).await?;
    if d.state != decisions::ISSUED || d.recipients.is_empty() {
        return Err(AppError::NotFound);
    }
    let signed = d.signed_on.unwrap_or_else(|| state.clock.today());
    let doc = reports::Certificates {
        issuer_title: format!("CHỦ TỊCH {}", d.issuing_body.trim().to_uppercase()),
        award_title: d.form.to_uppercase(),
        recipients: d
            .recipients
            .iter()
            .map(|r| reports::CertificateRecipient {
                name: r.name.clone(),
                unit: match (&r.model_title, &r.unit_name) {
                    (Some(t), Some(u)) => format!("Mô hình “{t}” — {u}"),
                    (Some(t), None) => format!("Mô hình “{t}”"),
                    (None, Some(u)) => u.clone(),
                    (None, None) => String::new(),
                },
                reason: format!(
                    "Đã có thành tích xuất sắc trong phong trào thi đua “Dân vận khéo” năm {}{}.",
                    d.year,
                    r.classification_label
                        .as_ref()
                        .map(|c| format!(" (xếp loại: {c})"))
                        .unwrap_or_default()
                ),
            })
            .collect(),
        decision_number: d.number.clone().unwrap_or_default(),
        decision_date: signed,
        register_number: String::new(),
        place: PLACE.into(),
        date: signed,
        signer: decision_signer(&d),
    };
    typeset(doc, reports::certificates).await
}

/// The answering body's letter about an answered petition, for whoever holds its code.
pub async fn reply_letter(state: &AppState, code: &str) -> Result<Vec<u8>, AppError> {
    let p = petitions::public_view(state, code, true).await?;
    let (Some(answer), Some(body)) = (p.answer.clone(), p.body.clone()) else {
        return Err(AppError::NotFound);
    };
    let issuer = issuer_of(&body);
    let committee = issuer.name.first().is_some_and(|n| n == "ỦY BAN NHÂN DÂN");
    let letter = reports::ReplyLetter {
        issuer,
        number: format!("{UNNUMBERED}/CV"),
        subject_line: String::new(),
        place: PLACE.into(),
        date: p.answered_on.unwrap_or_else(|| state.clock.today()),
        addressee: None,
        tracking_code: p.tracking_code.clone(),
        body_name: body,
        received_on: p.received_on,
        summary: p.title.clone(),
        answer,
        closing: String::new(),
        recipients: vec![
            "Như trên".into(),
            format!("Ủy ban Mặt trận Tổ quốc Việt Nam {}", p.unit_name),
            "Lưu: VT".into(),
        ],
        signer: if committee {
            reports::Signer {
                authority: "TM. ỦY BAN NHÂN DÂN".into(),
                title: "CHỦ TỊCH".into(),
                name: String::new(),
            }
        } else {
            reports::Signer {
                authority: String::new(),
                title: "THỦ TRƯỞNG CƠ QUAN".into(),
                name: String::new(),
            }
        },
    };
    typeset(letter, reports::petition_reply).await
}

/// The council's minutes, as the council page shows it to the caller (scores hidden from a
/// member who has not scored stay hidden).
pub async fn council_minutes(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> Result<Vec<u8>, AppError> {
    let v = councils::view(state, who, id).await?;
    let held = v.closed_at.unwrap_or(v.created_at) + chrono::Duration::hours(7);
    let members: Vec<reports::CouncilMember> = v
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| reports::CouncilMember {
            name: m.display_name.clone(),
            role: if i == 0 {
                "Chủ tịch Hội đồng".into()
            } else {
                "Thành viên".into()
            },
        })
        .collect();
    let scores = v
        .models
        .iter()
        .map(|m| reports::ScoreRow {
            model: m.title.clone(),
            unit: m.unit_name.clone(),
            scores: v
                .members
                .iter()
                .map(|member| {
                    m.scores
                        .iter()
                        .find(|s| s.member_id == member.account_id)
                        .map(|s| s.total)
                })
                .collect(),
            average: m.mean,
            rank: m.rank.and_then(|r| u32::try_from(r).ok()),
        })
        .collect();
    let conclusion = if v.state == danvan_storage::movement::councils::OPEN {
        "Hội đồng chưa kết thúc phiên chấm điểm; biên bản này là bản dự thảo.".to_string()
    } else {
        format!(
            "Hội đồng thống nhất kết quả chấm điểm và xếp hạng như trên; đề nghị khen thưởng không quá {} mô hình.",
            v.commendation_quota
        )
    };
    let doc = reports::Minutes {
        issuer: issuer_of(&format!("Hội đồng Thi đua - Khen thưởng {}", v.unit_name)),
        number: format!("{UNNUMBERED}/BB-HĐTĐKT"),
        place: PLACE.into(),
        date: held.date_naive(),
        council_name: v.name.clone(),
        held_at: held.naive_utc(),
        venue: format!("Trụ sở cơ quan thường trực Hội đồng, {}", v.unit_name),
        members,
        recusals: v
            .recusals
            .iter()
            .map(|r| reports::Recusal {
                member: r.member_name.clone(),
                model: r.initiative_title.clone(),
                reason: r.reason.clone(),
            })
            .collect(),
        scores,
        conclusion,
        ended_at: None,
        chair: reports::Signer {
            authority: String::new(),
            title: "CHỦ TỊCH HỘI ĐỒNG".into(),
            name: v
                .members
                .first()
                .map(|m| m.display_name.clone())
                .unwrap_or_default(),
        },
        secretary: reports::Signer {
            authority: String::new(),
            title: "THƯ KÝ".into(),
            name: String::new(),
        },
    };
    typeset(doc, reports::council_minutes).await
}

/// A file name like `bao-cao-tong-ket-2026.pdf`.
pub fn report_file_name(period: reports::Period, year: i64, today: NaiveDate) -> String {
    let kind = match period {
        reports::Period::MidYear => "so-ket",
        reports::Period::YearEnd => "tong-ket",
    };
    format!(
        "bao-cao-{kind}-{year}-{:04}{:02}{:02}.pdf",
        today.year(),
        today.month(),
        today.day()
    )
}
