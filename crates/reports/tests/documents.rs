//! The People's Committee documents (Nghị định 30/2020/NĐ-CP), the
//! certificates and the council minutes.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{NaiveTime, Timelike};
use common::*;
use danvan_reports::{
    Awardee, CertificateRecipient, Certificates, CouncilMember, Decision, Issuer, Minutes, Recusal,
    ReplyLetter, ScoreRow, Signer, certificates, commendation_decision, council_minutes,
    fill_averages_and_ranks, petition_reply,
};

const MOTTO: [&str; 2] = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
];

fn decision(awardees: usize) -> Decision {
    let people = [
        (
            "Bà Nguyễn Thị Thủy",
            "Chủ tịch Hội Liên hiệp Phụ nữ phường Long Xuyên",
            "Bằng khen",
        ),
        (
            "Ông Đặng Quốc Đạt",
            "Bí thư Chi bộ ấp Mỹ Thạnh, xã Mỹ Hòa Hưng",
            "Bằng khen",
        ),
        (
            "Mô hình 'Dân vận khéo' trong xây dựng nông thôn mới",
            "Ủy ban nhân dân xã Mỹ Hòa Hưng",
            "Bằng khen",
        ),
        (
            "Ban Dân vận Đảng ủy phường Long Xuyên",
            "Phường Long Xuyên",
            "Bằng khen",
        ),
    ];
    Decision {
        issuer: ubnd_tinh(),
        number: "125/QĐ-UBND".into(),
        place: "An Giang".into(),
        date: date(2026, 1, 5),
        subject: "khen thưởng tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua “Dân vận khéo” năm 2025".into(),
        decision_maker: "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG".into(),
        legal_bases: vec![
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;".into(),
            "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;".into(),
            "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;".into(),
            "Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 45/TTr-SNV ngày 02 tháng 01 năm 2026.".into(),
        ],
        article1: "Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho các tập thể, cá nhân và mô hình có thành tích xuất sắc trong phong trào thi đua “Dân vận khéo” năm 2025 (danh sách kèm theo), gồm:".into(),
        awardees: (0..awardees)
            .map(|i| {
                let (name, unit, award) = people[i % people.len()];
                Awardee { name: name.into(), unit: unit.into(), award: award.into() }
            })
            .collect(),
        further_articles: vec![
            "Kèm theo Bằng khen là tiền thưởng theo quy định tại Nghị định số 98/2023/NĐ-CP, trích từ Quỹ Thi đua, khen thưởng của tỉnh.".into(),
            "Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, Giám đốc Sở Tài chính và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.".into(),
        ],
        recipients: vec!["Như Điều 3;".into(), "Ban Dân vận Tỉnh ủy;".into(), "Lưu: VT, SNV.".into()],
        signer: vice_chair(),
    }
}

#[test]
fn decision_follows_decree_30() {
    let pdf = timed("commendation decision (4 awardees)", || {
        commendation_decision(&decision(4))
    })
    .unwrap();
    if !poppler() {
        return;
    }
    let text = text(&pdf);
    assert_contains_all(&text, &MOTTO);
    assert_contains_all(
        &text,
        &[
            "ỦY BAN NHÂN DÂN",
            "TỈNH AN GIANG",
            "Số: 125/QĐ-UBND",
            "An Giang, ngày 05 tháng 01 năm 2026",
            "QUYẾT ĐỊNH",
            "Về việc khen thưởng tập thể, cá nhân có thành tích xuất sắc",
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
            "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
            "QUYẾT ĐỊNH:",
            "Điều 1.",
            "Điều 2.",
            "Điều 3.",
            "Hình thức khen thưởng",
            "Bà Nguyễn Thị Thủy",
            "Ông Đặng Quốc Đạt",
            "Mô hình 'Dân vận khéo' trong xây dựng nông thôn mới",
            "Nơi nhận:",
            "- Như Điều 3;",
            "KT. CHỦ TỊCH",
            "PHÓ CHỦ TỊCH",
            "Trần Văn Hoà",
        ],
    );
    let info = info(&pdf);
    assert!(
        info.contains("595.") && info.contains("841."),
        "A4 portrait: {info}"
    );
}

#[test]
fn long_decision_numbers_its_pages_at_the_top() {
    let pdf = timed("commendation decision (60 awardees)", || {
        commendation_decision(&decision(60))
    })
    .unwrap();
    if !poppler() {
        return;
    }
    let n = pages(&pdf);
    assert!(n >= 3, "got {n} pages");
    assert_ne!(first_line(&page_text(&pdf, 1)), "1");
    for p in 2..=n {
        let page = page_text(&pdf, p);
        assert_eq!(first_line(&page), p.to_string(), "page {p}:\n{page}");
    }
    // The header row repeats on the continuation pages of the table.
    assert_contains_all(&page_text(&pdf, 2), &["Hình thức khen thưởng"]);
}

#[test]
fn certificates_one_landscape_page_each() {
    let c = Certificates {
        issuer_title: "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG".into(),
        award_title: "BẰNG KHEN".into(),
        recipients: vec![
            CertificateRecipient {
                name: "Bà Nguyễn Thị Thủy".into(),
                unit: "Chủ tịch Hội Liên hiệp Phụ nữ phường Long Xuyên".into(),
                reason:
                    "Đã có thành tích xuất sắc trong phong trào thi đua “Dân vận khéo” năm 2025."
                        .into(),
            },
            CertificateRecipient {
                name: "Ông Đặng Quốc Đạt".into(),
                unit: String::new(),
                reason: "Đã có thành tích xuất sắc trong vận động nhân dân hiến đất làm đường."
                    .into(),
            },
            CertificateRecipient {
                name: "Mô hình 'Dân vận khéo' trong xây dựng nông thôn mới".into(),
                unit: "Xã Mỹ Hòa Hưng".into(),
                reason: "Đã có thành tích tiêu biểu, được nhân rộng trong toàn tỉnh.".into(),
            },
        ],
        decision_number: "125/QĐ-UBND".into(),
        decision_date: date(2026, 1, 5),
        register_number: "2026/0042".into(),
        place: "An Giang".into(),
        date: date(2026, 1, 5),
        signer: vice_chair(),
    };
    let pdf = timed("certificates (3)", || certificates(&c)).unwrap();
    if !poppler() {
        return;
    }
    assert_eq!(pages(&pdf), 3);
    let info = info(&pdf);
    assert!(info.contains("841.89 x 595.276"), "A4 landscape: {info}");
    for (p, name) in [
        (1, "Bà Nguyễn Thị Thủy"),
        (2, "Ông Đặng Quốc Đạt"),
        (3, "Xã Mỹ Hòa Hưng"),
    ] {
        let page = page_text(&pdf, p);
        assert_contains_all(&page, &MOTTO);
        assert_contains_all(
            &page,
            &[
                "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG",
                "TẶNG",
                "BẰNG KHEN",
                name,
                "Quyết định số 125/QĐ-UBND ngày 05/01/2026",
                "Số sổ vàng: 2026/0042",
                "An Giang, ngày 05 tháng 01 năm 2026",
                "Trần Văn Hoà",
            ],
        );
        assert!(page.contains(&p.to_string()));
    }
    let empty = Certificates {
        recipients: vec![],
        ..c
    };
    assert!(certificates(&empty).is_err());
}

fn reply(addressee: Option<&str>, answer: &str) -> ReplyLetter {
    ReplyLetter {
        issuer: Issuer {
            parent: None,
            name: vec!["ỦY BAN NHÂN DÂN".into(), "PHƯỜNG LONG XUYÊN".into()],
        },
        number: "412/UBND-TCD".into(),
        subject_line: String::new(),
        place: "Long Xuyên".into(),
        date: date(2026, 11, 20),
        addressee: addressee.map(str::to_owned),
        tracking_code: "KN-2026-000123".into(),
        body_name: "Ủy ban nhân dân phường Long Xuyên".into(),
        received_on: date(2026, 11, 3),
        summary: "Đề nghị sửa chữa đoạn đường hẻm 12 đường Trần Hưng Đạo bị ngập khi mưa lớn."
            .into(),
        answer: answer.into(),
        closing: String::new(),
        recipients: vec![
            "Như trên;".into(),
            "Thường trực Đảng ủy phường;".into(),
            "Lưu: VT.".into(),
        ],
        signer: Signer {
            authority: "TM. ỦY BAN NHÂN DÂN".into(),
            title: "CHỦ TỊCH".into(),
            name: "Đặng Quốc Đạt".into(),
        },
    }
}

#[test]
fn petition_reply_letter() {
    let answer = "Ủy ban nhân dân phường đã chỉ đạo kiểm tra thực tế ngày 10/11/2026.\n\nKết quả: đoạn hẻm dài 120 m, mặt đường xuống cấp.\nPhường sẽ sửa chữa trong quý I năm 2027 bằng nguồn vốn sự nghiệp giao thông.";
    let pdf = timed("petition reply", || {
        petition_reply(&reply(Some("Ông Trần Văn Hoà"), answer))
    })
    .unwrap();
    if !poppler() {
        return;
    }
    let text = text(&pdf);
    assert_contains_all(&text, &MOTTO);
    assert_contains_all(
        &text,
        &[
            "ỦY BAN NHÂN DÂN",
            "PHƯỜNG LONG XUYÊN",
            "Số: 412/UBND-TCD",
            "V/v trả lời kiến nghị của công dân",
            "Long Xuyên, ngày 20 tháng 11 năm 2026",
            "Kính gửi: Ông Trần Văn Hoà",
            "Ngày 03/11/2026, Ủy ban nhân dân phường Long Xuyên nhận được kiến nghị của ông Trần Văn Hoà (mã theo dõi KN-2026-000123)",
            "bị ngập khi mưa lớn.",
            "Kết quả: đoạn hẻm dài 120 m, mặt đường xuống cấp.",
            "quý I năm 2027",
            "Nơi nhận:",
            "TM. ỦY BAN NHÂN DÂN",
            "Đặng Quốc Đạt",
        ],
    );
}

#[test]
fn petition_reply_without_a_name_and_with_markup() {
    let evil = r#"Tôi hỏi: #let x = 1; *a* _b_ $c$ @d <e> ] \ "f" = heading"#;
    let pdf = petition_reply(&reply(None, &format!("{evil}\n#panic(\"boom\")"))).unwrap();
    if !poppler() {
        return;
    }
    let text = text(&pdf);
    assert_contains_all(
        &text,
        &[
            "Kính gửi: Công dân có mã theo dõi KN-2026-000123",
            evil,
            "#panic(\"boom\")",
        ],
    );
}

#[test]
fn council_minutes_with_recusal() {
    let members = vec![
        CouncilMember {
            name: "Ông Đặng Quốc Đạt".into(),
            role: "Chủ tịch Hội đồng".into(),
        },
        CouncilMember {
            name: "Bà Nguyễn Thị Thủy".into(),
            role: "Phó Chủ tịch Hội đồng".into(),
        },
        CouncilMember {
            name: "Ông Trần Văn Hoà".into(),
            role: "Ủy viên".into(),
        },
        CouncilMember {
            name: "Bà Lê Thị Mỹ Hạnh".into(),
            role: "Ủy viên, Thư ký".into(),
        },
    ];
    let mut scores = vec![
        ScoreRow {
            model: "Mô hình 'Dân vận khéo' trong xây dựng nông thôn mới".into(),
            unit: "Xã Mỹ Hòa Hưng".into(),
            scores: vec![Some(92.0), Some(88.5), None, Some(90.0)],
            average: None,
            rank: None,
        },
        ScoreRow {
            model: "Tổ tự quản đường hoa".into(),
            unit: "Phường Long Xuyên".into(),
            scores: vec![Some(85.0), Some(87.0), Some(86.0), Some(84.0)],
            average: None,
            rank: None,
        },
        ScoreRow {
            model: "Chợ an toàn thực phẩm".into(),
            unit: "Phường Châu Đốc".into(),
            scores: vec![Some(95.0), Some(91.0), Some(93.0), Some(94.0)],
            average: None,
            rank: None,
        },
    ];
    fill_averages_and_ranks(&mut scores);
    assert_eq!(scores[0].average, Some(90.17));
    assert_eq!(
        scores.iter().map(|s| s.rank.unwrap()).collect::<Vec<_>>(),
        vec![2, 3, 1]
    );
    let held_at = date(2026, 11, 18).and_hms_opt(8, 0, 0).unwrap();
    let m = Minutes {
        issuer: Issuer {
            parent: Some("UBND TỈNH AN GIANG".into()),
            name: vec!["HỘI ĐỒNG CHẤM ĐIỂM".into(), "MÔ HÌNH “DÂN VẬN KHÉO”".into()],
        },
        number: "03/BB-HĐ".into(),
        place: "An Giang".into(),
        date: held_at.date(),
        council_name: "Hội đồng chấm điểm mô hình “Dân vận khéo” tỉnh An Giang năm 2026".into(),
        held_at,
        venue: "Hội trường Ban Dân vận Tỉnh ủy, số 12 đường Lê Lợi, phường Long Xuyên".into(),
        members,
        recusals: vec![Recusal {
            member: "Ông Trần Văn Hoà".into(),
            model: "Mô hình 'Dân vận khéo' trong xây dựng nông thôn mới".into(),
            reason: "là thành viên Ban chỉ đạo mô hình".into(),
        }],
        scores,
        conclusion: "Hội đồng thống nhất đề nghị công nhận 03 mô hình đạt điểm từ 80 trở lên.\nĐề nghị Chủ tịch Ủy ban nhân dân tỉnh xem xét, khen thưởng.".into(),
        ended_at: NaiveTime::from_hms_opt(11, 30, 0),
        chair: Signer { authority: String::new(), title: "CHỦ TỊCH HỘI ĐỒNG".into(), name: "Đặng Quốc Đạt".into() },
        secretary: Signer { authority: String::new(), title: "THƯ KÝ".into(), name: "Lê Thị Mỹ Hạnh".into() },
    };
    assert_eq!(m.held_at.hour(), 8);
    let pdf = timed("council minutes", || council_minutes(&m)).unwrap();
    if !poppler() {
        return;
    }
    let text = text(&pdf);
    assert_contains_all(&text, &MOTTO);
    assert_contains_all(
        &text,
        &[
            "Số: 03/BB-HĐ",
            "BIÊN BẢN",
            "Họp Hội đồng chấm điểm mô hình “Dân vận khéo” tỉnh An Giang năm 2026",
            "Thời gian: 08 giờ 00 phút, ngày 18 tháng 11 năm 2026.",
            "Địa điểm: Hội trường Ban Dân vận Tỉnh ủy",
            "1. Ông Đặng Quốc Đạt - Chủ tịch Hội đồng.",
            "Ông Trần Văn Hoà không chấm điểm mô hình",
            "Điểm trung bình",
            "90,17",
            "93,25",
            "88,5",
            "—",
            "Cuộc họp kết thúc lúc 11 giờ 30 phút",
            "THƯ KÝ",
            "CHỦ TỊCH HỘI ĐỒNG",
            "Lê Thị Mỹ Hạnh",
        ],
    );
}
