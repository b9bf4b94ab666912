//! The demo's care and contributions: households on three communes' 2026 registers (some
//! also on the 2025 lists), two Tết drives whose periods overlap — one household in Long
//! Xuyên received from both — and a contributions ledger tied to the road-widening model.

use chrono::NaiveDate;
use danvan_domain::care::HouseholdCategory;
use danvan_storage::audit::{self, Actor, Change};
use danvan_storage::care as store;
use serde_json::json;

use super::d;
use crate::error::AppError;
use crate::service::care::{CheckedHousehold, register};
use crate::state::AppState;

/// (commune code, head of household, address, 2026 categories, also on the 2025 list as)
type Household = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
);

const HOUSEHOLDS: &[Household] = &[
    (
        "30307",
        "Nguyễn Thị Lệ",
        "Số 12, khóm Bình Khánh 3",
        &["poor"],
        Some("poor"),
    ),
    (
        "30307",
        "Trần Văn Hùng",
        "Số 45/2, khóm Bình Khánh 5",
        &["near_poor"],
        Some("poor"),
    ),
    (
        "30307",
        "Lê Thị Bảy",
        "Số 8, khóm Đông Thịnh 2",
        &["lonely_elderly"],
        None,
    ),
    (
        "30307",
        "Phạm Văn Sáu",
        "Số 101, khóm Mỹ Phước",
        &["policy_family"],
        Some("policy_family"),
    ),
    (
        "30307",
        "Đoàn Thị Hoa",
        "Số 23, khóm Bình Đức 1",
        &["poor", "disability"],
        Some("poor"),
    ),
    (
        "30307",
        "Huỳnh Văn Tư",
        "Số 7, khóm Đông Thịnh 6",
        &["near_poor"],
        None,
    ),
    (
        "30538",
        "Chau Sóc Kha",
        "Ấp Vồ Đầu",
        &["poor"],
        Some("poor"),
    ),
    (
        "30538",
        "Néang Sa Rênh",
        "Ấp Ba Xoài",
        &["poor", "lonely_elderly"],
        Some("poor"),
    ),
    ("30538", "Nguyễn Văn Út", "Ấp Bà Đắc", &["near_poor"], None),
    (
        "30538",
        "Lâm Thị Sương",
        "Ấp Vồ Đầu",
        &["disability"],
        Some("disability"),
    ),
    (
        "30316",
        "Võ Thị Tám",
        "Số 3, khóm Vĩnh Tây 1",
        &["lonely_elderly"],
        Some("lonely_elderly"),
    ),
    (
        "30316",
        "Trương Văn Lợi",
        "Số 56, khóm Châu Long 2",
        &["poor"],
        None,
    ),
];

/// (title, organisation index, starts, ends, communes, items, initiative title prefix)
type Drive = (
    &'static str,
    usize,
    NaiveDate,
    NaiveDate,
    &'static [&'static str],
    &'static str,
    Option<&'static str>,
);

fn drives() -> Vec<Drive> {
    vec![
        (
            "Tết vì người nghèo Xuân Bính Ngọ 2026",
            0,
            d(2026, 1, 20),
            d(2026, 2, 16),
            &["30307", "30538"],
            "Phần quà Tết: 10 kg gạo, dầu ăn, nước mắm, bánh mứt và 500.000 đồng tiền mặt",
            None,
        ),
        (
            "Xuân ấm áp — quà Tết cho hội viên nông dân khó khăn",
            1,
            d(2026, 2, 1),
            d(2026, 2, 28),
            &["30307"],
            "Phần quà 700.000 đồng và 1 bao phân bón",
            Some("Hiến đất mở rộng đường"),
        ),
    ]
}

/// (drive index, household index, value, day)
type Delivery = (usize, usize, i64, (i32, u32, u32));

const DELIVERIES: &[Delivery] = &[
    (0, 0, 800_000, (2026, 2, 5)),
    (0, 1, 800_000, (2026, 2, 5)),
    (0, 3, 800_000, (2026, 2, 6)),
    (0, 4, 800_000, (2026, 2, 6)),
    (0, 6, 800_000, (2026, 2, 9)),
    (0, 7, 800_000, (2026, 2, 9)),
    // The same household from both drives: the overlap the officer is warned about.
    (1, 0, 700_000, (2026, 2, 12)),
    (1, 5, 700_000, (2026, 2, 12)),
];

/// (commune, kind, quantity, contributor type, contributor, anonymous, day, on the road model)
type Contribution = (
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static str,
    bool,
    (i32, u32, u32),
    bool,
);

const CONTRIBUTIONS: &[Contribution] = &[
    (
        "30307",
        "land_m2",
        120.0,
        "household",
        "Ông Lê Văn Ba",
        false,
        (2026, 3, 14),
        true,
    ),
    (
        "30307",
        "land_m2",
        85.5,
        "household",
        "Bà Nguyễn Thị Mười",
        false,
        (2026, 3, 14),
        true,
    ),
    (
        "30307",
        "fence_m",
        32.0,
        "household",
        "Hộ ông Trần Văn Chín",
        true,
        (2026, 3, 20),
        true,
    ),
    (
        "30307",
        "labour_days",
        240.0,
        "organisation",
        "Hội Nông dân phường Long Xuyên",
        false,
        (2026, 4, 2),
        true,
    ),
    (
        "30307",
        "materials_vnd",
        45_000_000.0,
        "organisation",
        "Hợp tác xã Nông nghiệp Mỹ Hoà Hưng",
        false,
        (2026, 4, 10),
        true,
    ),
    (
        "30538",
        "money_vnd",
        150_000_000.0,
        "enterprise",
        "Công ty TNHH Du lịch Phú Quốc Xanh",
        false,
        (2026, 5, 19),
        false,
    ),
    (
        "30538",
        "labour_days",
        60.0,
        "household",
        "Bà con ấp Vồ Đầu",
        false,
        (2026, 6, 1),
        false,
    ),
    (
        "30316",
        "land_m2",
        40.0,
        "household",
        "Một hộ dân khóm Vĩnh Tây 1",
        true,
        (2026, 7, 8),
        false,
    ),
];

pub async fn load(state: &AppState, org_ids: &[i64]) -> Result<(), AppError> {
    let actor = Actor::system("demo");
    let unit = |code: &str| crate::service::resolve_unit(state, "unit_code", code);
    let mut household_ids = Vec::new();
    let mut tx = state.db.begin().await?;
    for (code, head, address, categories, in_2025) in HOUSEHOLDS {
        let lists = in_2025
            .iter()
            .map(|c| (*c, 2025))
            .chain(categories.iter().map(|c| (*c, 2026)));
        let mut id = None;
        for (category, year) in lists {
            let h = CheckedHousehold {
                unit: unit(code)?,
                head_name: head.to_string(),
                address: address.to_string(),
                category: HouseholdCategory::parse(category)
                    .ok_or_else(|| AppError::Internal(format!("demo category {category}")))?,
                year,
            };
            id = Some(
                register(state, &mut tx, &actor, None, &h, "demo")
                    .await?
                    .id(),
            );
        }
        household_ids.push(id.unwrap_or_default());
    }
    tx.commit().await?;

    let road = danvan_storage::movement::initiatives::list(
        &state.db,
        &danvan_storage::movement::initiatives::Filter::default(),
        1000,
        0,
    )
    .await?
    .0;
    let model = |prefix: &str| {
        road.iter()
            .find(|m| m.title.starts_with(prefix))
            .map(|m| m.id)
    };

    let mut drive_ids = Vec::new();
    for (title, org, starts, ends, codes, items, initiative) in drives() {
        let units = codes
            .iter()
            .map(|c| unit(c).map(|u| u.id))
            .collect::<Result<Vec<_>, _>>()?;
        let mut tx = state.db.begin().await?;
        let drive = store::insert_drive(
            &mut tx,
            &store::NewDrive {
                title,
                organisation_id: org_ids.get(org).copied().unwrap_or_default(),
                initiative_id: initiative.and_then(model),
                starts_on: starts,
                ends_on: ends,
                list_year: 2026,
                items,
                units: &units,
                by: None,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            &actor,
            Change {
                action: "drive.create",
                entity_type: "drive",
                entity_id: drive.id.to_string(),
                before: None,
                after: Some(json!({"title": drive.title, "units": units})),
            },
        )
        .await?;
        tx.commit().await?;
        drive_ids.push((drive.id, items));
    }

    let mut tx = state.db.begin().await?;
    for (drive, household, value, (y, m, day)) in DELIVERIES {
        let (drive_id, items) = drive_ids.get(*drive).copied().unwrap_or_default();
        store::insert_delivery(
            &mut tx,
            &store::NewDelivery {
                drive_id,
                household_id: household_ids.get(*household).copied().unwrap_or_default(),
                items,
                value_vnd: *value,
                delivered_on: d(*y, *m, *day),
                by: None,
            },
        )
        .await?;
    }
    let road_model = model("Hiến đất mở rộng đường");
    for (code, kind, quantity, ctype, who, anonymous, (y, m, day), on_road) in CONTRIBUTIONS {
        let c = store::insert_contribution(
            &mut tx,
            &store::NewContribution {
                unit_id: unit(code)?.id,
                initiative_id: if *on_road { road_model } else { None },
                kind,
                quantity: *quantity,
                contributor_type: ctype,
                contributor_name: (!anonymous).then_some(*who),
                contributor_sealed: anonymous
                    .then(|| state.seal.seal(who.as_bytes()))
                    .as_deref(),
                anonymous: *anonymous,
                contributed_on: d(*y, *m, *day),
                note: "",
                by: None,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            &actor,
            Change {
                action: "contribution.record",
                entity_type: "contribution",
                entity_id: c.id.to_string(),
                before: None,
                after: Some(json!({"unit_id": c.unit_id, "kind": c.kind, "quantity": c.quantity})),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
