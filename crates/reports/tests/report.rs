//! The campaign report (Hướng dẫn 36-HD/VPTW).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use danvan_reports::{
    CampaignReport, Chart, IndicatorRow, Issuer, KeyFigure, ModelRow, Period, Signer,
    campaign_report,
};

fn report(models: usize) -> CampaignReport {
    let fields = [
        "Kinh tế",
        "Văn hóa - xã hội",
        "Quốc phòng - an ninh",
        "Xây dựng Đảng",
    ];
    let units = [
        "Phường Long Xuyên",
        "Xã Mỹ Hòa Hưng",
        "Phường Châu Đốc",
        "Xã Tân Châu",
    ];
    CampaignReport {
        issuer: Issuer {
            parent: Some("ĐẢNG BỘ TỈNH AN GIANG".into()),
            name: vec!["BAN DÂN VẬN TỈNH ỦY".into()],
        },
        number: "125-BC/BDVTU".into(),
        place: "An Giang".into(),
        date: date(2026, 11, 25),
        period: Period::MidYear,
        year: 2026,
        campaign_title: "Dân vận khéo".into(),
        situation: "Ngay từ đầu năm, Ban Dân vận Tỉnh ủy đã ban hành kế hoạch và hướng dẫn các địa phương đăng ký mô hình.\nCác cấp ủy, chính quyền quan tâm lãnh đạo, chỉ đạo.".into(),
        figures: vec![
            KeyFigure { label: "Số mô hình đăng ký".into(), value: 1248, unit: "mô hình".into() },
            KeyFigure { label: "Số mô hình được công nhận".into(), value: 937, unit: "mô hình".into() },
            KeyFigure { label: "Số lượt nhân rộng".into(), value: 215, unit: "lượt".into() },
            KeyFigure { label: "Số tập thể, cá nhân được khen thưởng".into(), value: 86, unit: "".into() },
            KeyFigure { label: "Số kiến nghị tiếp nhận".into(), value: 3572, unit: "kiến nghị".into() },
            KeyFigure { label: "Giải quyết đúng hạn".into(), value: 3401, unit: "kiến nghị".into() },
            KeyFigure { label: "Quá hạn".into(), value: 17, unit: "kiến nghị".into() },
        ],
        indicators: vec![
            IndicatorRow { label: "Mô hình được công nhận".into(), achieved: 937.0, target: 1000.0, unit: "mô hình".into() },
            IndicatorRow { label: "Kiến nghị giải quyết đúng hạn".into(), achieved: 3401.0, target: 3572.0, unit: "kiến nghị".into() },
            IndicatorRow { label: "Kinh phí vận động xã hội hóa".into(), achieved: 12.5, target: 10.0, unit: "tỷ đồng".into() },
        ],
        models: (1..=models)
            .map(|i| ModelRow {
                name: if i == 1 {
                    "Mô hình 'Dân vận khéo' trong xây dựng nông thôn mới".into()
                } else {
                    format!("Mô hình số {i}: vận động nhân dân hiến đất làm đường giao thông nông thôn")
                },
                unit: units[i % units.len()].into(),
                field: fields[i % fields.len()].into(),
            })
            .collect(),
        charts: vec![Chart { title: "Số mô hình theo lĩnh vực, 6 tháng đầu năm 2026".into(), svg: CHART_SVG.into() }],
        directions: String::new(),
        recipients: vec![
            "Ban Dân vận Trung ương (b/c),".into(),
            "Thường trực Tỉnh ủy (b/c),".into(),
            "Các huyện ủy, thị ủy, thành ủy,".into(),
            "Lưu Văn phòng Ban.".into(),
        ],
        signer: Signer {
            authority: "T/M BAN THƯỜNG VỤ".into(),
            title: "TRƯỞNG BAN".into(),
            name: "Nguyễn Thị Thủy".into(),
        },
    }
}

#[test]
fn report_has_party_header_figures_and_signature() {
    let pdf = timed("campaign report (8 models, 1 chart)", || {
        campaign_report(&report(8))
    })
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if !poppler() {
        return;
    }
    let text = text(&pdf);
    assert_contains_all(
        &text,
        &[
            "ĐẢNG BỘ TỈNH AN GIANG",
            "BAN DÂN VẬN TỈNH ỦY",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Số 125-BC/BDVTU",
            "An Giang, ngày 25 tháng 11 năm 2026",
            "BÁO CÁO",
            "Sơ kết 6 tháng đầu năm 2026 phong trào thi đua “Dân vận khéo”",
            "I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN",
            "Số mô hình đăng ký: 1.248 mô hình.",
            "Số kiến nghị tiếp nhận: 3.572 kiến nghị.",
            "Quá hạn: 17 kiến nghị.",
            "Kinh phí vận động xã hội hóa",
            "12,5",
            "125",
            "93,7",
            "Biểu đồ 1",
            // The SVG's own <text> labels (font-family "Be Vietnam Pro" and
            // the generic "sans-serif") come out as real text.
            "Nông nghiệp",
            "Quốc phòng - an ninh",
            "Xây dựng Đảng",
            "Số mô hình theo lĩnh vực, 6 tháng đầu năm 2026",
            "Mô hình 'Dân vận khéo' trong xây dựng nông thôn mới",
            "Tên mô hình",
            "Lĩnh vực",
            "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2026",
            "Tiếp tục đẩy mạnh phong trào thi đua “Dân vận khéo”",
            "Nơi nhận:",
            "- Thường trực Tỉnh ủy (b/c),",
            "T/M BAN THƯỜNG VỤ",
            "TRƯỞNG BAN",
            "Nguyễn Thị Thủy",
        ],
    );
    // Multi-page: every page after the first starts with its number.
    let n = pages(&pdf);
    assert!(n >= 2, "expected at least two pages, got {n}");
    for p in 1..=n {
        let page = page_text(&pdf, p);
        if p == 1 {
            assert!(page.contains("ĐẢNG CỘNG SẢN VIỆT NAM"));
            assert_ne!(first_line(&page), "1", "no number on the first page");
        } else {
            assert_eq!(first_line(&page), p.to_string(), "page {p}:\n{page}");
        }
    }
}

#[test]
fn year_end_report_with_sixty_models_repeats_the_table_header() {
    let mut r = report(60);
    r.period = Period::YearEnd;
    r.directions =
        "Tiếp tục nhân rộng các mô hình hiệu quả.\nTổ chức tổng kết 5 năm phong trào.".into();
    r.charts.clear();
    let pdf = timed("campaign report (60 models)", || campaign_report(&r)).unwrap();
    if !poppler() {
        return;
    }
    let all = text(&pdf);
    assert_contains_all(
        &all,
        &[
            "Tổng kết năm 2026 phong trào thi đua “Dân vận khéo”",
            "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2027",
            "Tổ chức tổng kết 5 năm phong trào.",
            "Mô hình số 60:",
        ],
    );
    let n = pages(&pdf);
    assert!(n >= 3, "60 models should take several pages, got {n}");
    // Every page that carries rows of the models' table carries its header.
    let mut pages_with_rows = 0;
    for p in 1..=n {
        let page = page_text(&pdf, p);
        if page.contains("Mô hình số") {
            pages_with_rows += 1;
            assert!(
                page.contains("Tên mô hình") && page.contains("Lĩnh vực"),
                "page {p} has model rows but no table header:\n{page}"
            );
        }
        if p > 1 {
            assert_eq!(first_line(&page), p.to_string());
        }
    }
    assert!(pages_with_rows >= 2, "the table should span pages");
}

#[test]
fn markup_in_titles_is_printed_literally() {
    let evil =
        r#"#set text(red) *đậm* _nghiêng_ $x^2$ @nhan <nhan> ] \ "trích" = heading #panic("x")"#;
    let mut r = report(2);
    r.campaign_title = evil.into();
    r.models[0].name = evil.into();
    r.figures[0].label = "= Tiêu đề #strong[giả]".into();
    r.directions = format!("{evil}\n= heading\n- not a list\n+ not an enum");
    r.recipients.push("#pagebreak()".into());
    r.charts.clear();
    let pdf = campaign_report(&r).unwrap();
    if !poppler() {
        return;
    }
    let text = text(&pdf);
    assert_contains_all(
        &text,
        &[
            evil,
            "= Tiêu đề #strong[giả]: 1.248 mô hình.",
            "= heading",
            "- not a list",
            "+ not an enum",
            "- #pagebreak()",
        ],
    );
}
