//! Care and contributions on every backend: the households' registers (sealed, deduplicated
//! by folded name and address, history kept, visible only in scope and audited), drives with
//! overlap warnings and coverage, the contributions ledger with its public totals, the
//! support totals, and the exports — with bad input refused and nothing half-written.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::{TestApp, get, post};
use serde_json::{Value, json};

fn codes(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|e| {
                    format!(
                        "{}:{}",
                        e["field"].as_str().unwrap(),
                        e["code"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The id of the organisation whose name starts with `name`, in a list from the API.
fn organisation_id(orgs: &Value, name: &str) -> i64 {
    orgs.as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"].as_str().unwrap().starts_with(name))
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// The household of the demo register with this head's name, as the officer sees it.
async fn household_id(app: &TestApp, token: &str, unit: &str, head: &str) -> i64 {
    let (status, list) = get(app, &format!("/api/v1/households?unit={unit}"), Some(token)).await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|h| h["head_name"] == head)
        .unwrap_or_else(|| panic!("{head} is on the register of {unit}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn registers_are_deduplicated_keep_history_and_stay_in_scope() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let before = app.count("households").await;

        let new = json!({"unit_code": "30307", "head_name": "Nguyễn Văn Hoà",
            "address": "Số 9, khóm Bình Khánh 2", "category": "poor", "year": 2026});
        let (status, h) = post(&app, "/api/v1/households", &officer, new.clone()).await;
        assert_eq!(status, 201, "{h}");
        assert_eq!(h["head_name"], "Nguyễn Văn Hoà");
        assert_eq!(h["unit_code"], "30307");
        assert_eq!(h["listings"][0]["category"], "poor");

        // The same household written differently (case, tone placement, spacing, punctuation).
        let again = json!({"unit_code": "30307", "head_name": "  NGUYỄN VĂN HÒA ",
            "address": "so 9 - khom Binh Khanh 2", "category": "poor", "year": 2026});
        let (status, body) = post(&app, "/api/v1/households", &officer, again.clone()).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"]["code"], "duplicate_household");

        // Next year's list adds a listing: the 2026 one stays.
        let mut next = again.clone();
        next["category"] = json!("near_poor");
        next["year"] = json!(2027);
        let (status, body) = post(&app, "/api/v1/households", &officer, next).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["id"], h["id"], "the same household");
        let years: Vec<(i64, String)> = body["listings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["year"].as_i64().unwrap(),
                    l["category"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            years,
            vec![(2027, "near_poor".into()), (2026, "poor".into())]
        );
        assert_eq!(app.count("households").await, before + 1);

        // Bad input: every field named, nothing written.
        let (status, body) = post(
            &app,
            "/api/v1/households",
            &officer,
            json!({"unit_code": "91", "head_name": " ", "address": "x", "category": "rich", "year": 1990}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let c = codes(&body);
        for want in [
            "unit_code:not_a_commune",
            "head_name:required",
            "category:unknown_category",
            "year:invalid_year",
        ] {
            assert!(c.contains(&want.to_string()), "{want} in {c:?}");
        }
        // Old (pre-2025) communes no longer keep registers.
        let mut old = new.clone();
        old["unit_code"] = json!("30280");
        let (status, body) = post(&app, "/api/v1/households", &officer, old).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(codes(&body), vec!["unit_code:not_a_commune"]);

        // Outside the officer's ward; other roles; no token.
        let mut elsewhere = new.clone();
        elsewhere["unit_code"] = json!("30538");
        let (status, _) = post(&app, "/api/v1/households", &officer, elsewhere).await;
        assert_eq!(status, 403);
        for who in ["demo.hoinongdan", "demo.mttq", "demo.nuicam"] {
            let t = app.token(who).await;
            let (status, _) = post(&app, "/api/v1/households", &t, new.clone()).await;
            assert_eq!(status, 403, "{who} keeps no register");
            let (status, _) = get(&app, "/api/v1/households", Some(&t)).await;
            assert_eq!(status, 403, "{who} sees no names");
        }
        let (status, _) = get(&app, "/api/v1/households", None).await;
        assert_eq!(status, 401);
        assert_eq!(app.count("households").await, before + 1);

        // The officer's list holds only the ward; the admin's holds every commune.
        let (_, mine) = get(&app, "/api/v1/households", Some(&officer)).await;
        let mine = mine.as_array().unwrap();
        assert!(mine.iter().all(|h| h["unit_code"] == "30307"));
        assert_eq!(mine.len(), 7, "six demo households and the new one");
        let (status, _) = get(&app, "/api/v1/households?unit=30538", Some(&officer)).await;
        assert_eq!(status, 403);
        let admin = app.token("demo.tinh").await;
        let (_, all) = get(&app, "/api/v1/households", Some(&admin)).await;
        assert_eq!(all.as_array().unwrap().len() as i64, before + 1);
        let (_, poor) = get(
            &app,
            "/api/v1/households?year=2026&category=poor",
            Some(&admin),
        )
        .await;
        assert!(poor.as_array().unwrap().iter().all(|h| {
            h["listings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["year"] == 2026 && l["category"] == "poor")
        }));
        assert_eq!(
            poor.as_array().unwrap().len(),
            6,
            "five demo poor households and the new one"
        );

        // Every view of names is in the audit trail; names never are.
        let (_, audit) = get(&app, "/api/v1/audit?action=household.view", Some(&admin)).await;
        let entries = audit["entries"].as_array().unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e["actor"].as_str().unwrap().contains("demo.longxuyen")),
            "{audit}"
        );
        let (_, trail) = get(&app, "/api/v1/audit?per_page=200", Some(&admin)).await;
        let trail = trail.to_string();
        assert!(
            !trail.contains("Nguyễn Văn Hoà") && !trail.contains("Bình Khánh 2"),
            "no names in the trail"
        );

        // At rest, the name is sealed.
        let sealed: Vec<String> = match app.db() {
            danvan_storage::Db::Sqlite(p) => sqlx::query_scalar("SELECT sealed FROM households")
                .fetch_all(p)
                .await
                .unwrap(),
            danvan_storage::Db::Postgres(p) => sqlx::query_scalar("SELECT sealed FROM households")
                .fetch_all(p)
                .await
                .unwrap(),
        };
        assert!(
            sealed
                .iter()
                .all(|s| s.starts_with("v1:") && !s.contains("Nguy"))
        );
    });
}

#[tokio::test]
async fn deliveries_warn_of_overlap_and_coverage_shows_who_is_left() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let (_, orgs) = get(&app, "/api/v1/organisations", Some(&admin)).await;
        let org = |name: &str| organisation_id(&orgs, name);
        let women = org("Hội Liên hiệp Phụ nữ xã Óc Eo");
        let drives_before = app.count("drives").await;

        // Bad drives: nothing written.
        let (status, body) = post(&app, "/api/v1/drives", &admin, json!({
            "title": "Tết", "organisation_id": women, "starts_on": "2026-02-20", "ends_on": "2026-01-25",
            "items": "Quà", "unit_codes": ["30307", "91", "99999"]})).await;
        assert_eq!(status, 422, "{body}");
        let c = codes(&body);
        for want in [
            "ends_on:ends_before_start",
            "unit_codes:not_a_commune",
            "unit_codes:unknown_unit",
        ] {
            assert!(c.contains(&want.to_string()), "{want} in {c:?}");
        }
        let (status, body) = post(&app, "/api/v1/drives", &admin, json!({
            "title": "Tết", "organisation_id": 999999, "starts_on": "2026-01-25", "ends_on": "2026-02-20",
            "items": "Quà", "unit_codes": []})).await;
        assert_eq!(status, 422);
        assert_eq!(
            codes(&body),
            vec![
                "organisation_id:unknown_organisation",
                "unit_codes:required"
            ]
        );
        let (status, _) = post(&app, "/api/v1/drives", &officer, json!({
            "title": "Tết", "organisation_id": women, "starts_on": "2026-01-25", "ends_on": "2026-02-20",
            "items": "Quà", "unit_codes": ["30307", "30538"]})).await;
        assert_eq!(
            status, 403,
            "a ward officer cannot announce in another commune"
        );
        // A reporter announces for its own organisation, in its own ward only.
        let reporter = app.token("demo.hoinongdan").await;
        let farmers = org("Hội Nông dân phường Long Xuyên");
        let (status, _) = post(&app, "/api/v1/drives", &reporter, json!({
            "title": "Quà cho hội viên", "organisation_id": women, "starts_on": "2026-03-01", "ends_on": "2026-03-05",
            "items": "Quà", "unit_codes": ["30307"]})).await;
        assert_eq!(status, 403, "not its organisation");
        assert_eq!(app.count("drives").await, drives_before);
        let (status, own) = post(&app, "/api/v1/drives", &reporter, json!({
            "title": "Quà cho hội viên", "organisation_id": farmers, "starts_on": "2026-03-01", "ends_on": "2026-03-05",
            "items": "Quà", "unit_codes": ["30307"]})).await;
        assert_eq!(status, 201, "{own}");

        // The admin's Tết drive in two communes overlaps the demo's "Tết vì người nghèo".
        let (status, drive) = post(&app, "/api/v1/drives", &admin, json!({
            "title": "Xuân yêu thương 2026", "organisation_id": women, "starts_on": "2026-01-25",
            "ends_on": "2026-02-20", "items": "Gạo, dầu ăn, 300.000 đồng", "unit_codes": ["30307", "30538"]})).await;
        assert_eq!(status, 201, "{drive}");
        assert_eq!(drive["list_year"], 2026);
        assert_eq!(drive["units"].as_array().unwrap().len(), 2);
        let id = drive["id"].as_i64().unwrap();
        let deliveries = format!("/api/v1/drives/{id}/deliveries");

        // Coverage before any delivery: all of the ward's 2026 list is uncovered.
        let (status, cov) = get(
            &app,
            &format!("/api/v1/drives/{id}/coverage?unit=30307"),
            Some(&officer),
        )
        .await;
        assert_eq!(status, 200, "{cov}");
        assert_eq!(cov["households"], 6);
        assert_eq!(cov["covered"], 0);
        assert_eq!(cov["uncovered"].as_array().unwrap().len(), 6);

        let le = household_id(&app, &officer, "30307", "Nguyễn Thị Lệ").await;
        let bay = household_id(&app, &officer, "30307", "Lê Thị Bảy").await;
        let (status, out) = post(
            &app,
            &deliveries,
            &officer,
            json!({
            "household_id": le, "value_vnd": 500000, "delivered_on": "2026-02-03"}),
        )
        .await;
        assert_eq!(status, 201, "{out}");
        assert_eq!(
            out["delivery"]["items"], "Gạo, dầu ăn, 300.000 đồng",
            "the drive's items by default"
        );
        let warnings = out["warnings"].as_array().unwrap();
        assert_eq!(
            warnings.len(),
            2,
            "both demo drives reached her in the same weeks: {out}"
        );
        assert!(warnings.iter().all(|w| w["code"] == "already_supported"));
        assert!(
            warnings
                .iter()
                .any(|w| w["drive_title"] == "Tết vì người nghèo Xuân Bính Ngọ 2026")
        );

        let (status, out) = post(&app, &deliveries, &officer, json!({
            "household_id": bay, "items": "Gạo 10 kg", "value_vnd": 300000, "delivered_on": "2026-02-03"})).await;
        assert_eq!(status, 201);
        assert!(out["warnings"].as_array().unwrap().is_empty(), "{out}");

        // Refused, and nothing written.
        let count = app.count("deliveries").await;
        let (status, body) = post(
            &app,
            &deliveries,
            &officer,
            json!({
            "household_id": le, "value_vnd": 1, "delivered_on": "2026-02-04"}),
        )
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (409, Some("already_delivered"))
        );
        let hung = household_id(&app, &officer, "30307", "Trần Văn Hùng").await;
        let (status, body) = post(
            &app,
            &deliveries,
            &officer,
            json!({
            "household_id": hung, "value_vnd": -5, "delivered_on": "2026-03-01"}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            codes(&body),
            vec!["value_vnd:not_positive", "delivered_on:outside_period"]
        );
        let (status, body) = post(
            &app,
            &deliveries,
            &officer,
            json!({
            "household_id": hung, "value_vnd": 5_000_000_000i64, "delivered_on": "hôm qua"}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            codes(&body),
            vec!["value_vnd:implausible", "delivered_on:invalid_date"]
        );
        let kha = household_id(&app, &admin, "30538", "Chau Sóc Kha").await;
        let (status, _) = post(
            &app,
            &deliveries,
            &officer,
            json!({
            "household_id": kha, "value_vnd": 1, "delivered_on": "2026-02-03"}),
        )
        .await;
        assert_eq!(status, 403, "a household outside the officer's ward");
        let tam = household_id(&app, &admin, "30316", "Võ Thị Tám").await;
        let (status, body) = post(
            &app,
            &deliveries,
            &admin,
            json!({
            "household_id": tam, "value_vnd": 1, "delivered_on": "2026-02-03"}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(codes(&body), vec!["household_id:outside_drive_units"]);
        let (status, _) = post(
            &app,
            &deliveries,
            &reporter,
            json!({
            "household_id": hung, "value_vnd": 1, "delivered_on": "2026-02-03"}),
        )
        .await;
        assert_eq!(status, 403, "reporters see no households");
        assert_eq!(app.count("deliveries").await, count);

        // Coverage now: two of six in the ward, the rest listed by name for the officer.
        let (_, cov) = get(
            &app,
            &format!("/api/v1/drives/{id}/coverage?unit=30307"),
            Some(&officer),
        )
        .await;
        assert_eq!(
            (cov["households"].as_i64(), cov["covered"].as_i64()),
            (Some(6), Some(2))
        );
        assert_eq!(cov["value_vnd"], 800000);
        let names: Vec<&str> = cov["uncovered"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["head_name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 4);
        assert!(!names.contains(&"Nguyễn Thị Lệ") && names.contains(&"Trần Văn Hùng"));
        // The whole drive for the admin: both communes.
        let (_, all) = get(&app, &format!("/api/v1/drives/{id}/coverage"), Some(&admin)).await;
        assert_eq!(all["households"], 10);
        assert_eq!(all["covered"], 2);
        assert_eq!(all["by_unit"].as_array().unwrap().len(), 2);
        // Scope and bad units.
        let (status, _) = get(
            &app,
            &format!("/api/v1/drives/{id}/coverage?unit=30538"),
            Some(&officer),
        )
        .await;
        assert_eq!(status, 403);
        let (status, body) = get(
            &app,
            &format!("/api/v1/drives/{id}/coverage?unit=30316"),
            Some(&admin),
        )
        .await;
        assert_eq!(
            (status, codes(&body)),
            (422, vec!["unit:not_in_drive".to_string()])
        );
        let (status, _) = get(&app, "/api/v1/drives/999999/coverage", Some(&admin)).await;
        assert_eq!(status, 404);
        // The reporter sees its own drive's counts, never names.
        let own_id = own["id"].as_i64().unwrap();
        let (status, cov) = get(
            &app,
            &format!("/api/v1/drives/{own_id}/coverage"),
            Some(&reporter),
        )
        .await;
        assert_eq!(status, 200, "{cov}");
        assert_eq!(cov["households"], 6);
        assert!(cov["uncovered"].as_array().unwrap().is_empty());
        let (status, _) = get(&app, &format!("/api/v1/drives/{id}"), Some(&reporter)).await;
        assert_eq!(status, 403, "another organisation's drive");

        // Each delivery carries its household's commune and its drive's body and list year
        // (kept by a trigger for the totals), whichever way it was written.
        assert_eq!(
            app.count(
                "deliveries d JOIN households h ON h.id = d.household_id JOIN drives dr ON dr.id = d.drive_id
                 WHERE d.unit_id IS NULL OR d.unit_id <> h.unit_id OR d.organisation_id <> dr.organisation_id
                    OR d.list_year <> dr.list_year"
            )
            .await,
            0
        );
        // Totals by commune, category and organisation agree with the deliveries.
        let (status, totals) = get(&app, "/api/v1/support/totals?year=2026", Some(&admin)).await;
        assert_eq!(status, 200, "{totals}");
        let find = |list: &str, key: &str| {
            totals[list]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["key"] == key)
                .cloned()
                .unwrap_or(Value::Null)
        };
        let lx = find("by_unit", "30307");
        assert_eq!(
            lx["deliveries"], 8,
            "six from the demo drives, two from this one: {totals}"
        );
        assert_eq!(lx["households"], 6);
        assert_eq!(lx["value_vnd"], 3200000 + 1400000 + 800000);
        let w = find("by_organisation", &women.to_string());
        assert_eq!(
            (w["deliveries"].as_i64(), w["value_vnd"].as_i64()),
            (Some(2), Some(800000))
        );
        assert_eq!(w["label"], "Hội Liên hiệp Phụ nữ xã Óc Eo");
        let elderly = find("by_category", "lonely_elderly");
        assert_eq!(
            elderly["households"], 2,
            "Lê Thị Bảy here, Néang Sa Rênh in Núi Cấm"
        );
        // Every year at once (the dashboard's default): each delivery is counted once by
        // commune and once by body.
        let (status, all) = get(&app, "/api/v1/support/totals", Some(&admin)).await;
        assert_eq!(status, 200, "{all}");
        let sum = |list: &str| -> i64 {
            all[list]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["deliveries"].as_i64().unwrap())
                .sum()
        };
        let deliveries = app.count("deliveries").await;
        assert_eq!(sum("by_unit"), deliveries, "{all}");
        assert_eq!(sum("by_organisation"), deliveries, "{all}");
        let (status, _) = get(&app, "/api/v1/support/totals", Some(&reporter)).await;
        assert_eq!(status, 403);
        let (_, mine) = get(&app, "/api/v1/support/totals?year=2026", Some(&officer)).await;
        assert_eq!(
            mine["by_unit"].as_array().unwrap().len(),
            1,
            "the officer's ward only"
        );
        // The dashboards carry the same figures: staff see the support, the public only
        // what people gave.
        let (_, staff) = get(&app, "/api/v1/dashboard?year=2026", Some(&admin)).await;
        assert_eq!(staff["support"]["by_unit"], totals["by_unit"]);
        let (_, public) = get(&app, "/api/v1/dashboard?year=2026", None).await;
        assert!(public["support"].is_null(), "no support figures in public");
        let land = public["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "land_m2")
            .unwrap();
        assert_eq!(
            land["quantity"], 245.5,
            "120 + 85,5 in Long Xuyên, 40 in Châu Đốc"
        );
        let page = app
            .client()
            .get(app.url("/thong-ke?year=2026"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Sức dân và chăm lo an sinh") && page.contains("245,5 m²"));
    });
}

#[tokio::test]
async fn the_ledger_feeds_models_and_honours_contributors_in_public() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let (_, models) = get(&app, "/api/v1/initiatives?per_page=100", None).await;
        let road = models["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| {
                m["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("Hiến đất mở rộng đường")
            })
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let elsewhere = models["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["unit_code"] == "30688")
            .unwrap()["id"]
            .as_i64()
            .unwrap();

        let (_, before) = get(&app, "/api/v1/contributions/totals?unit=30307", None).await;
        let land = |t: &Value| {
            t[0]["totals"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["kind"] == "land_m2")
                .unwrap()["quantity"]
                .as_f64()
                .unwrap()
        };
        assert_eq!(land(&before), 205.5, "the demo's two donations");

        let (status, c) = post(
            &app,
            "/api/v1/contributions",
            &officer,
            json!({
            "kind": "land_m2", "quantity": 64.5, "unit_code": "30307", "initiative_id": road,
            "contributor": "Ông Võ Văn Năm", "anonymous": false, "contributed_on": "2026-09-02"}),
        )
        .await;
        assert_eq!(status, 201, "{c}");
        let (status, c) = post(
            &app,
            "/api/v1/contributions",
            &officer,
            json!({
            "kind": "fence_m", "quantity": 18, "unit_code": "30307", "initiative_id": road,
            "contributor": "Bà Đỗ Thị Kín Đáo", "anonymous": true}),
        )
        .await;
        assert_eq!(status, 201, "{c}");
        assert_eq!(c["contributor"], "Ẩn danh");

        let count = app.count("contributions").await;
        for (body, want) in [
            (
                json!({"kind": "land_m2", "quantity": -3, "unit_code": "30307", "contributor": "A"}),
                "quantity:not_positive",
            ),
            (
                json!({"kind": "land_m2", "quantity": 5e8, "unit_code": "30307", "contributor": "A"}),
                "quantity:implausible",
            ),
            (
                json!({"kind": "money_vnd", "quantity": 1500.5, "unit_code": "30307", "contributor": "A"}),
                "quantity:not_whole",
            ),
            (
                json!({"kind": "gold", "quantity": 1, "unit_code": "30307", "contributor": "A"}),
                "kind:unknown_kind",
            ),
            (
                json!({"kind": "land_m2", "quantity": 1, "unit_code": "30307", "contributor": ""}),
                "contributor:required",
            ),
            (
                json!({"kind": "land_m2", "quantity": 1, "unit_code": "30307", "contributor": "A", "contributed_on": "2099-01-01"}),
                "contributed_on:in_future",
            ),
            (
                json!({"kind": "land_m2", "quantity": 1, "unit_code": "30307", "contributor": "A", "initiative_id": elsewhere}),
                "initiative_id:initiative_elsewhere",
            ),
            (
                json!({"kind": "land_m2", "quantity": 1, "unit_code": "30307", "contributor": "A", "contributor_type": "alien"}),
                "contributor_type:unknown_contributor_type",
            ),
        ] {
            let (status, body) = post(&app, "/api/v1/contributions", &officer, body).await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(codes(&body), vec![want.to_string()]);
        }
        let (status, _) = post(
            &app,
            "/api/v1/contributions",
            &officer,
            json!({
            "kind": "land_m2", "quantity": 1, "unit_code": "30538", "contributor": "A"}),
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = call_raw(
            &app,
            "/api/v1/contributions",
            &officer,
            "{\"kind\": \"land_m2\", \"quantity\": \"many\"",
        )
        .await;
        assert!(status == 400 || status == 422, "malformed JSON: {status}");
        assert_eq!(app.count("contributions").await, count);

        // Public totals: sums per kind, named givers honoured, the anonymous one never named.
        let (status, after) = get(&app, "/api/v1/contributions/totals?unit=30307", None).await;
        assert_eq!(status, 200);
        assert_eq!(land(&after), 270.0);
        let honoured = after[0]["honoured"].to_string();
        assert!(honoured.contains("Ông Võ Văn Năm") && honoured.contains("Ông Lê Văn Ba"));
        assert_eq!(after[0]["anonymous"], 2);
        let (_, everywhere) = get(&app, "/api/v1/contributions/totals", None).await;
        let text = everywhere.to_string();
        assert!(
            !text.contains("Kín Đáo") && !text.contains("Trần Văn Chín"),
            "anonymous givers stay anonymous"
        );
        assert_eq!(
            everywhere.as_array().unwrap().len(),
            3,
            "three demo communes"
        );
        let page = app
            .client()
            .get(app.url("/dong-gop"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Ông Võ Văn Năm") && !page.contains("Kín Đáo"));
        assert!(
            !page.contains("Nguyễn Thị Lệ"),
            "no household in need is named in public"
        );

        // The model's page shows what the ledger recorded for it.
        let model = app
            .client()
            .get(app.url(&format!("/mo-hinh/{road}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            model.contains("Sổ đóng góp"),
            "the model page shows the ledger"
        );
        let ledger = &model[model.find("Sổ đóng góp").unwrap()..];
        assert!(ledger.contains("270 m²"), "120 + 85,5 + 64,5 m² of land");

        // The ledger export: typed quantities, anonymous stays anonymous.
        let r = app
            .client()
            .get(app.url("/api/v1/contributions?format=xlsx"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let rows = sheet(&r.bytes().await.unwrap());
        assert_eq!(rows[0][4], Data::String("Loại đóng góp".into()));
        assert!(rows.iter().any(|r| r[5] == Data::Float(64.5)));
        let all = rows
            .iter()
            .flatten()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join("|");
        assert!(all.contains("Ẩn danh") && !all.contains("Kín Đáo"));
        assert!(
            rows.iter()
                .skip(1)
                .all(|r| r[3] == Data::String("30307".into())),
            "the officer's ward only"
        );
    });
}

#[tokio::test]
async fn the_register_export_is_for_the_commune_only() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let r = app
            .client()
            .get(app.url("/api/v1/households?format=xlsx&year=2026"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let rows = sheet(&r.bytes().await.unwrap());
        assert_eq!(rows.len(), 7, "header and six households");
        let all = rows
            .iter()
            .flatten()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join("|");
        assert!(all.contains("Nguyễn Thị Lệ") && all.contains("Hộ nghèo"));
        assert!(!all.contains("Chau Sóc Kha"), "another commune's household");
        for who in ["demo.mttq", "demo.hoinongdan"] {
            let t = app.token(who).await;
            let r = app
                .client()
                .get(app.url("/api/v1/households?format=csv"))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{who}");
        }
        let admin = app.token("demo.tinh").await;
        let (_, audit) = get(&app, "/api/v1/audit?action=household.view", Some(&admin)).await;
        assert!(
            !audit["entries"].as_array().unwrap().is_empty(),
            "the export was audited"
        );
    });
}

async fn call_raw(app: &TestApp, path: &str, token: &str, body: &str) -> (u16, String) {
    let r = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn sheet(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

/// Every delivery with its household's commune, its drive's body and list year, and the
/// listings: what the kept support tallies are checked against.
type Recount =
    std::collections::BTreeMap<(i64, String), (i64, std::collections::BTreeSet<i64>, i64)>;

async fn recount(
    app: &TestApp,
    group: &str,
    year: Option<i32>,
) -> Vec<(i64, String, i64, i64, i64)> {
    use chrono::Datelike;
    let deliveries_sql = "SELECT d.household_id, h.unit_id, dr.organisation_id,
        CAST(dr.list_year AS BIGINT), d.delivered_on, d.value_vnd
        FROM deliveries d JOIN households h ON h.id = d.household_id JOIN drives dr ON dr.id = d.drive_id";
    let listings_sql =
        "SELECT household_id, CAST(year AS BIGINT), category FROM household_listings";
    type Row = (i64, i64, i64, i64, chrono::NaiveDate, i64);
    let (deliveries, listings): (Vec<Row>, Vec<(i64, i64, String)>) = match app.db() {
        danvan_storage::Db::Sqlite(p) => (
            sqlx::query_as(deliveries_sql).fetch_all(p).await.unwrap(),
            sqlx::query_as(listings_sql).fetch_all(p).await.unwrap(),
        ),
        danvan_storage::Db::Postgres(p) => (
            sqlx::query_as(deliveries_sql).fetch_all(p).await.unwrap(),
            sqlx::query_as(listings_sql).fetch_all(p).await.unwrap(),
        ),
    };
    let mut cells = Recount::new();
    for (household, unit, body, list_year, on, value) in deliveries {
        if year.is_some_and(|y| on.year() != y) {
            continue;
        }
        let keys: Vec<String> = match group {
            "unit" => vec![unit.to_string()],
            "organisation" => vec![body.to_string()],
            _ => listings
                .iter()
                .filter(|(h, y, _)| *h == household && *y == list_year)
                .map(|(_, _, c)| c.clone())
                .collect(),
        };
        for key in keys {
            let cell = cells.entry((unit, key)).or_default();
            cell.0 += 1;
            cell.1.insert(household);
            cell.2 += value;
        }
    }
    cells
        .into_iter()
        .map(|((unit, key), (n, households, value))| (unit, key, n, households.len() as i64, value))
        .collect()
}

#[tokio::test]
async fn support_tallies_add_up_whatever_order_deliveries_and_listings_come_in() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let (_, orgs) = get(&app, "/api/v1/organisations", Some(&admin)).await;
        let org = |name: &str| organisation_id(&orgs, name);
        let women = org("Hội Liên hiệp Phụ nữ xã Óc Eo");
        let farmers = org("Hội Nông dân phường Long Xuyên");
        let drive = |title: &str, body: i64, starts: &str, ends: &str, list_year: i64| {
            json!({"title": title, "organisation_id": body, "starts_on": starts, "ends_on": ends,
                   "list_year": list_year, "items": "Quà", "unit_codes": ["30307"]})
        };
        let mut drives = Vec::new();
        for d in [
            drive("Tết 2025", women, "2025-01-10", "2025-02-10", 2025),
            drive("Giáp Tết", farmers, "2025-12-01", "2026-01-20", 2026),
            drive("Tết 2026", women, "2026-01-25", "2026-02-20", 2026),
        ] {
            let (status, body) = post(&app, "/api/v1/drives", &admin, d).await;
            assert_eq!(status, 201, "{body}");
            drives.push(body["id"].as_i64().unwrap());
        }
        let register = |head: &str, category: &str, year: i64| {
            json!({"unit_code": "30307", "head_name": head, "address": "Khóm Bình Khánh 5",
                   "category": category, "year": year})
        };
        let mut registered = Vec::new();
        for (head, category) in [("Trần Văn Tâm", "poor"), ("Lý Thị Hai", "disability")] {
            let (status, h) = post(
                &app,
                "/api/v1/households",
                &officer,
                register(head, category, 2026),
            )
            .await;
            assert_eq!(status, 201, "{h}");
            registered.push(h["id"].as_i64().unwrap());
        }
        let (tam, hai) = (registered[0], registered[1]);
        let deliver = |drive: i64, household: i64, on: &str, value: i64| {
            let app = &app;
            let officer = officer.clone();
            let on = on.to_string();
            async move {
                let (status, body) = post(
                    app,
                    &format!("/api/v1/drives/{drive}/deliveries"),
                    &officer,
                    json!({"household_id": household, "value_vnd": value, "delivered_on": on}),
                )
                .await;
                assert_eq!(status, 201, "{body}");
            }
        };
        // Tâm: twice in 2026 (two bodies), once in 2025 on a list he was not yet on, once
        // in December 2025 from a 2026 drive; Hai once.
        deliver(drives[0], tam, "2025-01-20", 300_000).await;
        deliver(drives[1], tam, "2025-12-15", 200_000).await;
        deliver(drives[2], tam, "2026-02-01", 500_000).await;
        deliver(drives[2], hai, "2026-02-02", 400_000).await;
        // Listings after the deliveries: Tâm on the 2025 list and on a second 2026 category,
        // Hai on the 2026 poor list too.
        for (head, category, year) in [
            ("Trần Văn Tâm", "poor", 2025),
            ("Trần Văn Tâm", "lonely_elderly", 2026),
            ("Lý Thị Hai", "poor", 2026),
        ] {
            let (status, body) = post(
                &app,
                "/api/v1/households",
                &officer,
                register(head, category, year),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
        // One file lists Tâm in a third category for 2025 and 2026 at once (one statement):
        // he counts in that category's every-year cell and its 2025 cell once, by the first
        // of the two rows.
        let csv = "\u{feff}Họ tên chủ hộ,Địa chỉ,\"Xã, phường\",Diện,Năm\n\
                   Trần Văn Tâm,Khóm Bình Khánh 5,30307,Người khuyết tật,2025\n\
                   Trần Văn Tâm,Khóm Bình Khánh 5,30307,Người khuyết tật,2026\n";
        let (status, body) = common::upload(
            &app,
            "households",
            &officer,
            csv.as_bytes().to_vec(),
            "khuyet-tat.csv",
        )
        .await;
        assert_eq!(status, 201, "{body}");
        // Listed again: nothing changes.
        let (status, _) = post(
            &app,
            "/api/v1/households",
            &officer,
            register("Trần Văn Tâm", "poor", 2026),
        )
        .await;
        assert_eq!(status, 409);

        for group in [
            danvan_storage::care::DeliveryGroup::Unit,
            danvan_storage::care::DeliveryGroup::Organisation,
            danvan_storage::care::DeliveryGroup::Category,
        ] {
            let name = match group {
                danvan_storage::care::DeliveryGroup::Unit => "unit",
                danvan_storage::care::DeliveryGroup::Organisation => "organisation",
                danvan_storage::care::DeliveryGroup::Category => "category",
            };
            for year in [None, Some(2025), Some(2026)] {
                let kept: Vec<(i64, String, i64, i64, i64)> =
                    danvan_storage::care::delivery_totals(app.db(), group, year.map(i64::from))
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|t| (t.unit_id, t.key, t.deliveries, t.households, t.value_vnd))
                        .collect();
                assert_eq!(kept, recount(&app, name, year).await, "{name} in {year:?}");
            }
        }
        // The scenario reached the listings written after their deliveries: Tâm's 2025
        // delivery counts among the poor of 2025, Hai's among the poor of 2026.
        let poor = |cells: Vec<(i64, String, i64, i64, i64)>| -> i64 {
            cells
                .into_iter()
                .filter(|c| c.1 == "poor")
                .map(|c| c.3)
                .sum()
        };
        assert!(poor(recount(&app, "category", Some(2025)).await) >= 1);
        assert!(poor(recount(&app, "category", Some(2026)).await) >= 2);
    });
}
