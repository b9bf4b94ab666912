//! The demo campaign: models in every field across many communes, in every state, with
//! reports, evidence images and a replication.

use danvan_domain::movement::Rubric;
use danvan_storage::audit::{self, Actor, Change};
use danvan_storage::movement::campaigns::{self, CampaignField, NewCampaign};
use danvan_storage::movement::initiatives::{self, Content};
use danvan_storage::movement::reports::{self, EvidenceMeta};
use serde_json::json;

use super::d;
use crate::error::AppError;
use crate::state::AppState;

/// (title, field, unit code, organisation index, final state, summary, [(kind, target, achieved)])
type Model = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static [(&'static str, f64, f64)],
);

const MODELS: &[Model] = &[
    (
        "Hiến đất mở rộng đường giao thông nông thôn khóm Bình Khánh",
        "culture_society",
        "30307",
        1,
        "reporting",
        "Hội Nông dân vận động 46 hộ hiến đất, tháo dỡ hàng rào để mở rộng tuyến đường từ 3 m lên 6 m, cùng góp ngày công bê tông hoá mặt đường.",
        &[
            ("land_m2", 2000.0, 1450.0),
            ("road_km", 3.5, 2.1),
            ("money_vnd", 850_000_000.0, 620_000_000.0),
            ("labour_days", 900.0, 640.0),
        ],
    ),
    (
        "Mái ấm tình thương cho hộ nghèo, hộ cận nghèo",
        "culture_society",
        "30688",
        2,
        "completed",
        "Hội Liên hiệp Phụ nữ xã phối hợp nhà hảo tâm xây tặng nhà Đại đoàn kết cho phụ nữ nghèo đơn thân và hộ cận nghèo.",
        &[
            ("houses", 12.0, 12.0),
            ("money_vnd", 600_000_000.0, 640_000_000.0),
            ("households", 12.0, 12.0),
        ],
    ),
    (
        "Dân vận khéo trong chuyển đổi số: hướng dẫn người dân dùng dịch vụ công trực tuyến",
        "political_system",
        "30742",
        3,
        "reporting",
        "Đoàn viên thanh niên trực tại bộ phận một cửa và đến từng khu phố hướng dẫn người dân cài đặt định danh điện tử, nộp hồ sơ trực tuyến.",
        &[("people", 5000.0, 3100.0), ("custom", 2000.0, 1250.0)],
    ),
    (
        "Tổ nhân dân tự quản giữ gìn an ninh trật tự",
        "defense_security",
        "30544",
        4,
        "registered",
        "Công an xã cùng Ban Nhân dân ấp xây dựng tổ tự quản, tuần tra ban đêm, hoà giải mâu thuẫn từ cơ sở.",
        &[("people", 120.0, 0.0), ("households", 300.0, 0.0)],
    ),
    (
        "Dân quân giúp dân thu hoạch lúa và gia cố bờ bao mùa lũ",
        "defense_security",
        "30316",
        5,
        "registered",
        "Ban Chỉ huy Quân sự phường huy động dân quân giúp các gia đình chính sách thu hoạch lúa, gia cố bờ bao trước mùa lũ.",
        &[("labour_days", 400.0, 0.0), ("households", 80.0, 0.0)],
    ),
    (
        "Hợp tác xã liên kết tiêu thụ lúa chất lượng cao",
        "economy",
        "30307",
        7,
        "submitted",
        "Hợp tác xã ký hợp đồng bao tiêu với doanh nghiệp, hướng dẫn xã viên sản xuất lúa theo tiêu chuẩn an toàn.",
        &[
            ("households", 150.0, 0.0),
            ("money_vnd", 2_000_000_000.0, 0.0),
        ],
    ),
    (
        "Cầu nông thôn cho học sinh vùng sông nước",
        "culture_society",
        "30538",
        6,
        "returned",
        "Vận động xã hội hoá xây cầu bê tông thay cầu khỉ cho học sinh đi học an toàn.",
        &[("bridges", 3.0, 0.0), ("money_vnd", 900_000_000.0, 0.0)],
    ),
    (
        "Du lịch cộng đồng gắn với giữ gìn môi trường biển",
        "economy",
        "31078",
        8,
        "registered",
        "Doanh nghiệp cùng người dân xây dựng tuyến du lịch cộng đồng, thu gom rác thải nhựa ven biển.",
        &[("people", 300.0, 0.0)],
    ),
    (
        "Sân chơi cho thiếu nhi khóm Đông Thịnh",
        "culture_society",
        "30307",
        1,
        "draft",
        "Vận động các hộ góp vật liệu, ngày công làm sân chơi an toàn cho thiếu nhi.",
        &[
            ("money_vnd", 120_000_000.0, 0.0),
            ("labour_days", 200.0, 0.0),
        ],
    ),
    (
        "Nhóm tình nguyện “Bữa cơm nghĩa tình” tại bệnh viện",
        "culture_society",
        "30307",
        1,
        "rejected",
        "Nấu cơm miễn phí cho bệnh nhân nghèo.",
        &[("people", 10000.0, 0.0)],
    ),
];

/// A generated illustration (no photo could be shipped): a field-coloured landscape.
fn illustration(seed: u32) -> Vec<u8> {
    let (w, h) = (960u32, 640u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let sky = y < h / 2;
        let band = ((x / 40 + y / 40 + seed) % 7) as u8;
        if sky {
            image::Rgb([120 + (y / 8) as u8, 170 + (y / 10) as u8, 230 - band * 3])
        } else if (y as i64 - (h as i64 * 3 / 4)).abs() < 14 && x > w / 8 {
            image::Rgb([200, 190, 170]) // the road
        } else {
            image::Rgb([
                40 + band * 12,
                140 + (seed % 5) as u8 * 15,
                60 + (x / 30) as u8,
            ])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

pub async fn load(
    state: &AppState,
    org_ids: &[i64],
    reporter_id: Option<i64>,
) -> Result<(), AppError> {
    let actor = Actor::system("demo");
    let year = chrono::Local::now()
        .date_naive()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(2026);
    let all_fields = || {
        danvan_domain::movement::Field::ALL
            .iter()
            .map(|f| CampaignField {
                field: f.code().into(),
                sub_themes: vec![],
            })
            .collect::<Vec<_>>()
    };
    let groups = vec![
        "Dân vận khéo".to_string(),
        "Dân vận khéo trong xây dựng nông thôn mới".to_string(),
    ];
    let mut tx = state.db.begin().await?;
    let current = campaigns::create(
        &mut tx,
        &NewCampaign {
            year: i64::from(year),
            title: format!("Phong trào thi đua “Dân vận khéo” năm {year}"),
            title_groups: groups.clone(),
            fields: all_fields(),
            registration_opens: d(year, 1, 15),
            registration_closes: d(year, 12, 15),
            midyear_review: d(year, 6, 30),
            yearend_review: d(year, 12, 20),
            rubric: Rubric::standard(),
            commendation_quota: 20,
            commune_councils: false,
        },
        None,
    )
    .await?;
    let past = campaigns::create(
        &mut tx,
        &NewCampaign {
            year: i64::from(year - 2),
            title: format!("Phong trào thi đua “Dân vận khéo” năm {}", year - 2),
            title_groups: groups,
            fields: all_fields(),
            registration_opens: d(year - 2, 1, 15),
            registration_closes: d(year - 2, 4, 30),
            midyear_review: d(year - 2, 6, 30),
            yearend_review: d(year - 2, 12, 20),
            rubric: Rubric::standard(),
            commendation_quota: 15,
            commune_councils: false,
        },
        None,
    )
    .await?;
    for (id, y) in [(current, year), (past, year - 2)] {
        audit::append(
            &mut tx,
            &actor,
            Change {
                action: "campaign.create",
                entity_type: "campaign",
                entity_id: id.to_string(),
                before: None,
                after: Some(json!({"year": y})),
            },
        )
        .await?;
    }
    tx.commit().await?;

    let tree = state.tree();
    let mut first_id = None;
    for (n, (title, field, code, org, final_state, summary, indicators)) in
        MODELS.iter().enumerate()
    {
        let unit = crate::service::resolve_unit(state, "unit_code", code)?;
        let org_id = org_ids.get(*org).copied();
        let org_name = match org_id {
            Some(id) => danvan_storage::organisations::by_id(&state.db, id)
                .await?
                .map(|o| o.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let content = Content {
            title: title.to_string(),
            title_group: if *field == "culture_society" {
                "Dân vận khéo trong xây dựng nông thôn mới".into()
            } else {
                "Dân vận khéo".into()
            },
            field: field.to_string(),
            sub_theme: None,
            unit_id: unit.id,
            organisation_id: org_id,
            registrant_kind: "organisation".into(),
            registrant_name: org_name,
            summary: summary.to_string(),
            goals: "Hoàn thành chỉ tiêu đăng ký trong năm, được nhân dân đồng tình hưởng ứng."
                .into(),
            partners: "Ủy ban MTTQ Việt Nam, Ban Nhân dân khóm, ấp".into(),
            starts_on: d(year, 2, 1),
            ends_on: d(year, 12, 15),
            indicators: indicators
                .iter()
                .map(|(k, t, _)| {
                    let custom = (*k == "custom").then(|| {
                        (
                            "Hồ sơ dịch vụ công trực tuyến".to_string(),
                            "hồ sơ".to_string(),
                        )
                    });
                    (
                        k.to_string(),
                        custom.as_ref().map(|c| c.0.clone()),
                        custom.map(|c| c.1),
                        *t,
                    )
                })
                .collect(),
        };
        let by = if *org == 1 { reporter_id } else { None };
        let mut tx = state.db.begin().await?;
        let id = initiatives::create(&mut tx, current, None, &content, "draft", by).await?;
        let path: &[(&str, &str, &str)] = match *final_state {
            "submitted" => &[("submit", "draft", "submitted")],
            "returned" => &[
                ("submit", "draft", "submitted"),
                ("return", "submitted", "returned"),
            ],
            "rejected" => &[
                ("submit", "draft", "submitted"),
                ("reject", "submitted", "rejected"),
            ],
            "registered" | "reporting" | "completed" => &[
                ("submit", "draft", "submitted"),
                ("approve", "submitted", "registered"),
            ],
            _ => &[],
        };
        let mut version = 1;
        for (action, from, to) in path {
            let comment = match *action {
                "return" => Some("Đề nghị bổ sung dự toán kinh phí và danh sách hộ hưởng lợi."),
                "reject" => Some("Trùng với mô hình đã đăng ký của Hội Chữ thập đỏ phường."),
                _ => None,
            };
            initiatives::set_state(
                &mut tx,
                id,
                version,
                initiatives::Move {
                    from,
                    to,
                    action,
                    comment,
                    by: None,
                },
            )
            .await?;
            version += 1;
        }
        audit::append(
            &mut tx,
            &actor,
            Change {
                action: "initiative.create",
                entity_type: "initiative",
                entity_id: id.to_string(),
                before: None,
                after: Some(json!({"title": title, "state": final_state})),
            },
        )
        .await?;
        tx.commit().await?;
        if matches!(*final_state, "reporting" | "completed") {
            let inds = initiatives::indicators(&state.db, id).await?;
            let half: Vec<(i64, f64)> = inds
                .iter()
                .zip(indicators.iter())
                .map(|(i, (_, _, a))| (i.id, (a * 0.5).round()))
                .collect();
            let full: Vec<(i64, f64)> = inds
                .iter()
                .zip(indicators.iter())
                .map(|(i, (_, _, a))| (i.id, *a))
                .collect();
            let mut tx = state.db.begin().await?;
            let r1 = reports::create(
                &mut tx,
                id,
                "midyear",
                "Sơ kết 6 tháng: đã triển khai đến các tổ dân cư, nhân dân đồng tình hưởng ứng.",
                None,
                &half,
                by,
            )
            .await?;
            reports::review(
                &mut tx,
                r1,
                "verified",
                Some("Số liệu khớp biên bản của Ban Nhân dân khóm."),
                None,
            )
            .await?;
            let r2 = reports::create(
                &mut tx,
                id,
                "yearend",
                "Tổng kết năm: hoàn thành phần lớn chỉ tiêu, có biên bản và hình ảnh kèm theo.",
                None,
                &full,
                by,
            )
            .await?;
            initiatives::set_state(
                &mut tx,
                id,
                version,
                initiatives::Move {
                    from: "registered",
                    to: "reporting",
                    action: "report",
                    comment: None,
                    by,
                },
            )
            .await?;
            version += 1;
            if *final_state == "completed" {
                reports::review(&mut tx, r2, "verified", None, None).await?;
                initiatives::set_state(
                    &mut tx,
                    id,
                    version,
                    initiatives::Move {
                        from: "reporting",
                        to: "completed",
                        action: "complete",
                        comment: None,
                        by: None,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            for (k, caption) in [
                (0u32, "Người dân cùng góp ngày công"),
                (1, "Công trình sau khi hoàn thành"),
            ] {
                let files = state.files.clone();
                let bytes = illustration(n as u32 * 3 + k);
                let stored = tokio::task::spawn_blocking(move || files.store(&bytes))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .map_err(|e| AppError::Internal(e.code().to_string()))?;
                let meta = EvidenceMeta {
                    sha256: stored.sha256,
                    mime: stored.mime.to_string(),
                    size: stored.size as i64,
                    width: stored.width.map(i64::from),
                    height: stored.height.map(i64::from),
                };
                let mut tx = state.db.begin().await?;
                reports::add_evidence(
                    &mut tx,
                    id,
                    Some(r1),
                    &meta,
                    &format!("{caption} (ảnh minh hoạ)"),
                    by,
                )
                .await?;
                tx.commit().await?;
            }
        }
        first_id.get_or_insert(id);
    }
    // A replication chain: Óc Eo's Women's Union took up the Long Xuyên road model.
    if let (Some(source), Some(org)) = (first_id, org_ids.get(2).copied()) {
        let unit = crate::service::resolve_unit(state, "unit_code", "30688")?;
        let content = Content {
            title: "Hiến đất làm đường liên ấp (nhân rộng từ phường Long Xuyên)".into(),
            title_group: "Dân vận khéo trong xây dựng nông thôn mới".into(),
            field: "culture_society".into(),
            sub_theme: None,
            unit_id: unit.id,
            organisation_id: Some(org),
            registrant_kind: "organisation".into(),
            registrant_name: "Hội Liên hiệp Phụ nữ xã Óc Eo".into(),
            summary: "Học cách làm của phường Long Xuyên: họp dân từng tổ, công khai thiết kế, vận động hiến đất không đền bù.".into(),
            goals: String::new(),
            partners: String::new(),
            starts_on: d(year, 5, 1),
            ends_on: d(year, 12, 15),
            indicators: vec![("land_m2".into(), None, None, 800.0), ("road_km".into(), None, None, 1.2)],
        };
        let mut tx = state.db.begin().await?;
        let id =
            initiatives::create(&mut tx, current, Some(source), &content, "draft", None).await?;
        initiatives::set_state(
            &mut tx,
            id,
            1,
            initiatives::Move {
                from: "draft",
                to: "submitted",
                action: "submit",
                comment: None,
                by: None,
            },
        )
        .await?;
        initiatives::set_state(
            &mut tx,
            id,
            2,
            initiatives::Move {
                from: "submitted",
                to: "registered",
                action: "approve",
                comment: None,
                by: None,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            &actor,
            Change {
                action: "initiative.replicate",
                entity_type: "initiative",
                entity_id: id.to_string(),
                before: None,
                after: Some(json!({"source_id": source})),
            },
        )
        .await?;
        tx.commit().await?;
    }
    // A model of the earlier campaign, recorded under a pre-2025 commune.
    if let Some(old) = tree.by_code_latest("30280") {
        let content = Content {
            title: "Khu dân cư văn minh, sạch đẹp Mỹ Bình".into(),
            title_group: "Dân vận khéo".into(),
            field: "culture_society".into(),
            sub_theme: None,
            unit_id: old.id,
            organisation_id: org_ids.get(1).copied(),
            registrant_kind: "collective".into(),
            registrant_name: "Ban Nhân dân khóm Mỹ Bình".into(),
            summary: "Trồng cây xanh, lắp đèn đường, thu gom rác đúng giờ; các hộ ký cam kết giữ vệ sinh chung.".into(),
            goals: String::new(),
            partners: String::new(),
            starts_on: d(year - 2, 2, 1),
            ends_on: d(year - 2, 12, 1),
            indicators: vec![("households".into(), None, None, 420.0), ("money_vnd".into(), None, None, 150_000_000.0)],
        };
        let mut tx = state.db.begin().await?;
        let id = initiatives::create(&mut tx, past, None, &content, "draft", None).await?;
        initiatives::set_state(
            &mut tx,
            id,
            1,
            initiatives::Move {
                from: "draft",
                to: "submitted",
                action: "submit",
                comment: None,
                by: None,
            },
        )
        .await?;
        initiatives::set_state(
            &mut tx,
            id,
            2,
            initiatives::Move {
                from: "submitted",
                to: "registered",
                action: "approve",
                comment: None,
                by: None,
            },
        )
        .await?;
        initiatives::set_state(
            &mut tx,
            id,
            3,
            initiatives::Move {
                from: "registered",
                to: "completed",
                action: "complete",
                comment: None,
                by: None,
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
