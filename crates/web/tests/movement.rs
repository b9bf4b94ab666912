//! The movement through the API, on every backend: launch, register, approve, report with
//! evidence, verify, see it in public, replicate; and the bad input and conflicts around it.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call, get, post};

use serde_json::{Value, json};

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// A campaign whose registration window holds today.
fn campaign(title: &str) -> Value {
    let t = today();
    json!({
        "year": t.format("%Y").to_string().parse::<i64>().unwrap(),
        "title": title,
        "title_groups": ["Dân vận khéo"],
        "registration_opens": (t - chrono::Duration::days(10)).to_string(),
        "registration_closes": (t + chrono::Duration::days(10)).to_string(),
        "midyear_review": (t + chrono::Duration::days(20)).to_string(),
        "yearend_review": (t + chrono::Duration::days(40)).to_string(),
        "commendation_quota": 5
    })
}

fn model(campaign_id: i64, title: &str) -> Value {
    json!({
        "campaign_id": campaign_id,
        "title": title,
        "field": "culture_society",
        "unit_code": "30307",
        "summary": "Vận động hiến đất <b>mở đường</b>",
        "indicators": [{"kind": "land_m2", "target": 1000}, {"kind": "custom", "target": 50, "name": "Bóng đèn năng lượng mặt trời", "unit": "bóng"}],
        "submit": true
    })
}

/// A tiny valid PNG, made without any image library.
fn png() -> Vec<u8> {
    // 1x1 white pixel, a well-known minimal PNG.
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8,
        0xFF, 0xFF, 0x3F, 0x00, 0x05, 0xFE, 0x02, 0xFE, 0xDC, 0xCC, 0x59, 0xE7, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

async fn upload(
    app: &common::TestApp,
    token: &str,
    id: i64,
    bytes: Vec<u8>,
    caption: &str,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("anh.png"),
        )
        .text("caption", caption.to_string());
    common::post_form(
        app,
        &format!("/api/v1/initiatives/{id}/evidence"),
        token,
        form,
    )
    .await
}

#[tokio::test]
async fn the_whole_journey_through_the_api() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let reporter = app.token("demo.hoinongdan").await;

        // Launch, with bad input refused first.
        let mut bad = campaign("Đợt lỗi");
        bad["yearend_review"] = bad["midyear_review"].clone();
        let before = app.count("campaigns").await;
        let (s, body) = post(&app, "/api/v1/campaigns", &admin, bad).await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (422, Some("dates_out_of_order"))
        );
        let mut bad = campaign("Đợt lỗi");
        bad["rubric"] = json!({"criteria": [{"key": "a", "name": "A", "weight": 60, "max_points": 10}], "thresholds": []});
        assert_eq!(post(&app, "/api/v1/campaigns", &admin, bad).await.0, 422);
        assert_eq!(
            post(
                &app,
                "/api/v1/campaigns",
                &officer,
                campaign("Đợt của cán bộ")
            )
            .await
            .0,
            403
        );
        assert_eq!(app.count("campaigns").await, before);
        let (s, c) = post(
            &app,
            "/api/v1/campaigns",
            &admin,
            campaign("Dân vận khéo thử nghiệm"),
        )
        .await;
        assert_eq!(s, 201, "{c}");
        let cid = c["id"].as_i64().unwrap();
        assert_eq!(
            c["rubric"]["criteria"].as_array().unwrap().len(),
            4,
            "the standard rubric by default"
        );

        // Register: bad input, then a good one submitted at once.
        let mut m = model(cid, "Thắp sáng đường quê");
        m["indicators"][0]["target"] = json!(-5);
        assert_eq!(
            post(&app, "/api/v1/initiatives", &reporter, m).await.1["error"]["code"],
            "invalid_target"
        );
        let mut m = model(cid, "Thắp sáng đường quê");
        m["starts_on"] = json!("2026-12-01");
        m["ends_on"] = json!("2026-01-01");
        assert_eq!(
            post(&app, "/api/v1/initiatives", &reporter, m).await.1["error"]["code"],
            "dates_out_of_order"
        );
        let mut m = model(cid, "Thắp sáng đường quê");
        m["unit_code"] = json!("30742");
        assert_eq!(
            post(&app, "/api/v1/initiatives", &reporter, m).await.0,
            403,
            "a reporter's organisation is in Long Xuyên only"
        );
        let (s, e) = post(&app, "/api/v1/initiatives", &officer, model(cid, "X")).await;
        assert_eq!(s, 403, "officers review, they do not register: {e}");
        let (s, i) = post(
            &app,
            "/api/v1/initiatives",
            &reporter,
            model(cid, "Thắp sáng <script>alert(1)</script> đường quê"),
        )
        .await;
        assert_eq!(s, 201, "{i}");
        let id = i["id"].as_i64().unwrap();
        assert_eq!(i["state"], "submitted");
        assert_eq!(i["url"], format!("/mo-hinh/{id}"));
        assert_eq!(
            i["title"], "Thắp sáng <script>alert(1)</script> đường quê",
            "kept as typed"
        );
        assert_eq!(i["registrant_name"], "Hội Nông dân phường Long Xuyên");

        // Not public yet.
        assert_eq!(
            get(&app, &format!("/api/v1/initiatives/{id}"), None)
                .await
                .0,
            404
        );
        let html = app
            .client()
            .get(app.url(&format!("/mo-hinh/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(html.status(), 404);

        // An officer of another commune may not approve; the Long Xuyên officer may.
        let (s, other) = post(&app, "/api/v1/accounts", &admin, json!({"username": "canbo.rachgia", "display_name": "Cán bộ Rạch Giá", "role": "unit_officer", "unit_code": "30742"})).await;
        assert_eq!(s, 201);
        let other_token = {
            let (_, t) = call(
                &app,
                reqwest::Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "canbo.rachgia", "password": other["password"]})),
            )
            .await;
            t["token"].as_str().unwrap().to_string()
        };
        let approve = json!({"action": "approve"});
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/initiatives/{id}/transitions"),
                &other_token,
                approve.clone()
            )
            .await
            .0,
            403
        );
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/initiatives/{id}/transitions"),
                &reporter,
                approve.clone()
            )
            .await
            .0,
            403,
            "no self-approval"
        );
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/initiatives/{id}/transitions"),
                &officer,
                json!({"action": "return"})
            )
            .await
            .1["error"]["code"],
            "comment_required"
        );
        let (s, i) = post(
            &app,
            &format!("/api/v1/initiatives/{id}/transitions"),
            &officer,
            approve.clone(),
        )
        .await;
        assert_eq!((s, i["state"].as_str()), (200, Some("registered")));
        let (s, e) = post(
            &app,
            &format!("/api/v1/initiatives/{id}/transitions"),
            &officer,
            approve,
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("illegal_transition"))
        );
        assert_eq!(
            get(&app, &format!("/api/v1/initiatives/{id}"), None)
                .await
                .1["state"],
            "registered",
            "unchanged"
        );

        // Report with evidence; values are checked.
        let inds = i["indicators"].as_array().unwrap().clone();
        let (land, lamps) = (
            inds[0]["id"].as_i64().unwrap(),
            inds[1]["id"].as_i64().unwrap(),
        );
        let report = |v: f64, note: Option<&str>| json!({"milestone": "midyear", "narrative": "Đã lắp 30 bóng đèn", "values": [{"indicator_id": land, "value": v}, {"indicator_id": lamps, "value": 30}], "correction_note": note});
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/initiatives/{id}/reports"),
                &reporter,
                report(-1.0, None)
            )
            .await
            .1["error"]["code"],
            "invalid_value"
        );
        let bad_values = json!({"milestone": "midyear", "narrative": "x", "values": [{"indicator_id": land, "value": "nhiều"}]});
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/initiatives/{id}/reports"),
                &reporter,
                bad_values
            )
            .await
            .0,
            400
        );
        let (s, r) = post(
            &app,
            &format!("/api/v1/initiatives/{id}/reports"),
            &reporter,
            report(600.0, None),
        )
        .await;
        assert_eq!(s, 201, "{r}");
        let report_id = r["id"].as_i64().unwrap();
        let (s, ev) = upload(&app, &reporter, id, png(), "Đèn đường trước nhà văn hoá").await;
        assert_eq!(s, 201, "{ev}");
        assert_eq!(ev["mime"], "image/png");
        let (s, ev_bad) = upload(
            &app,
            &reporter,
            id,
            b"<html><script>alert(1)</script></html>".to_vec(),
            "Không phải ảnh",
        )
        .await;
        assert_eq!(
            (s, ev_bad["error"]["code"].as_str()),
            (422, Some("unsupported_file_type"))
        );

        // Verification by the officer, then values may not go back without a note.
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/reports/{report_id}/review"),
                &reporter,
                json!({"action": "verify"})
            )
            .await
            .0,
            403
        );
        let (s, _) = post(
            &app,
            &format!("/api/v1/reports/{report_id}/review"),
            &officer,
            json!({"action": "verify"}),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/reports/{report_id}/review"),
                &officer,
                json!({"action": "verify"})
            )
            .await
            .0,
            409
        );
        let (s, e) = post(
            &app,
            &format!("/api/v1/initiatives/{id}/reports"),
            &reporter,
            report(500.0, None),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("value_decreased"))
        );
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/initiatives/{id}/reports"),
                &reporter,
                report(500.0, Some("Đo lại diện tích thực tế"))
            )
            .await
            .0,
            201
        );

        // In public now, with verified results and the photo.
        let (s, public) = get(&app, &format!("/api/v1/initiatives/{id}"), None).await;
        assert_eq!((s, public["state"].as_str()), (200, Some("reporting")));
        assert_eq!(public["indicators"][0]["achieved"], 600.0);
        // Today's sums (the value kept on each indicator) agree with the reports read anew.
        let far = chrono::NaiveDate::from_ymd_opt(2999, 1, 1);
        let mut kept = danvan_storage::statistics::indicators(app.db(), None)
            .await
            .unwrap();
        let mut read = danvan_storage::statistics::indicators(app.db(), far)
            .await
            .unwrap();
        let key =
            |s: &danvan_storage::statistics::IndicatorSum| (s.unit_id, s.year, s.kind.clone());
        kept.sort_by_key(key);
        read.sort_by_key(key);
        assert!(kept.iter().any(|s| s.achieved >= 600.0), "{kept:?}");
        assert_eq!(kept, read);
        let (_, list) = get(
            &app,
            "/api/v1/initiatives?field=culture_society&unit=30307",
            None,
        )
        .await;
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["id"] == id)
        );
        let (_, none) = get(&app, "/api/v1/initiatives?state=draft", None).await;
        assert_eq!(none["total"], 0, "drafts are never public");
        let page = app
            .client()
            .get(app.url(&format!("/mo-hinh/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Thắp sáng &#60;script&#62;alert(1)&#60;/script&#62; đường quê")
                || page.contains("&lt;script&gt;")
        );
        assert!(!page.contains("<script>alert(1)"));
        let thumb = ev["thumbnail_url"].as_str().unwrap();
        let r = app.client().get(app.url(thumb)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");

        // Replication by another organisation's reporter.
        let (_, orgs) = get(&app, "/api/v1/organisations", Some(&admin)).await;
        let oc_eo = orgs
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "Hội Liên hiệp Phụ nữ xã Óc Eo")
            .unwrap()["id"]
            .clone();
        let (_, rep) = post(&app, "/api/v1/accounts", &admin, json!({"username": "baocao.oceo", "display_name": "Phụ nữ Óc Eo", "role": "reporter", "unit_code": "30688", "organisation_id": oc_eo})).await;
        let (_, t) = call(
            &app,
            reqwest::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "baocao.oceo", "password": rep["password"]})),
        )
        .await;
        let oc_eo_token = t["token"].as_str().unwrap().to_string();
        let mut copy = model(cid, "Thắp sáng đường quê (nhân rộng)");
        copy["unit_code"] = json!("30688");
        copy["source_id"] = json!(id);
        let (s, child) = post(&app, "/api/v1/initiatives", &oc_eo_token, copy).await;
        assert_eq!(s, 201, "{child}");
        assert_eq!(child["source_id"], id);
        assert_eq!(child["registrant_name"], "Hội Liên hiệp Phụ nữ xã Óc Eo");

        // Every step is in the audit trail, and the chain holds.
        let (_, audit) = get(&app, "/api/v1/audit?entity_type=initiative", Some(&admin)).await;
        assert!(audit["total"].as_i64().unwrap() >= 4);
        assert_eq!(
            get(&app, "/api/v1/audit/verify", Some(&admin)).await.1["intact"],
            true
        );
    });
}

#[tokio::test]
async fn windows_and_edit_conflicts() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let reporter = app.token("demo.hoinongdan").await;
        let mut closed = campaign("Đợt đã đóng");
        closed["registration_opens"] = json!("2020-01-01");
        closed["registration_closes"] = json!("2020-03-01");
        let (_, c) = post(&app, "/api/v1/campaigns", &admin, closed).await;
        let before = app.count("initiatives").await;
        let (s, e) = post(
            &app,
            "/api/v1/initiatives",
            &reporter,
            model(c["id"].as_i64().unwrap(), "Muộn"),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("registration_closed"))
        );
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("01/01/2020")
        );
        assert_eq!(app.count("initiatives").await, before);

        let (_, c) = post(&app, "/api/v1/campaigns", &admin, campaign("Đợt đang mở")).await;
        let mut draft = model(c["id"].as_i64().unwrap(), "Bản nháp");
        draft["submit"] = json!(false);
        let (_, d) = post(&app, "/api/v1/initiatives", &reporter, draft.clone()).await;
        let id = d["id"].as_i64().unwrap();
        assert_eq!(d["state"], "draft");
        let version = d["version"].clone();
        let mut first = draft.clone();
        first["title"] = json!("Bản nháp — sửa lần 1");
        first["version"] = version.clone();
        let mut second = draft;
        second["title"] = json!("Bản nháp — sửa lần 2");
        second["version"] = version;
        let (s, _) = call(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/initiatives/{id}"),
            Some(&reporter),
            Some(first),
        )
        .await;
        assert_eq!(s, 200);
        let (s, e) = call(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/initiatives/{id}"),
            Some(&reporter),
            Some(second),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("edit_conflict"))
        );
        assert_eq!(
            get(&app, &format!("/api/v1/initiatives/{id}"), Some(&reporter))
                .await
                .1["title"],
            "Bản nháp — sửa lần 1",
            "the first save stands"
        );
    });
}

#[tokio::test]
async fn the_demo_campaign_is_public_and_rolls_up() {
    each_backend!(|app| {
        let (_, list) = get(&app, "/api/v1/initiatives?per_page=100", None).await;
        let items = list["items"].as_array().unwrap();
        assert!(items.len() >= 7, "{}", items.len());
        assert!(items.iter().all(|m| {
            ["registered", "reporting", "completed", "evaluated"]
                .contains(&m["state"].as_str().unwrap())
        }));
        let fields: std::collections::HashSet<&str> =
            items.iter().map(|m| m["field"].as_str().unwrap()).collect();
        assert_eq!(fields.len(), 4, "every field has a public model");
        assert!(
            items.iter().any(|m| m["source_id"].is_i64()),
            "a replication chain"
        );
        // A model recorded under the pre-2025 commune Mỹ Bình is found under its successor, Long Xuyên.
        let (_, lx) = get(&app, "/api/v1/initiatives?unit=30307&per_page=100", None).await;
        assert!(
            lx["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["unit_code"] == "30280"),
            "{lx}"
        );
        let html = app
            .client()
            .get(app.url("/mo-hinh?field=economy"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Kinh tế"));
    });
}

#[tokio::test]
async fn the_reporter_edits_a_draft_in_the_browser_and_a_stale_save_is_refused() {
    each_backend!(|app| {
        let reporter = app.token("demo.hoinongdan").await;
        let (_, mine) = get(&app, "/api/v1/initiatives?state=draft", Some(&reporter)).await;
        let draft = mine["items"][0].clone();
        let id = draft["id"].as_i64().unwrap();
        let b = app.browser();
        app.sign_in(&b, "demo.hoinongdan", &app.password_of("demo.hoinongdan"))
            .await;
        let page = b
            .get(app.url(&format!("/mo-hinh/{id}/sua")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = common::csrf_of(&page);
        let version = draft["version"].as_i64().unwrap().to_string();
        let form = |title: &str, version: &str| {
            vec![
                ("_csrf".to_string(), csrf.clone()),
                ("campaign_id".into(), draft["campaign_id"].to_string()),
                ("version".into(), version.to_string()),
                ("title".into(), title.to_string()),
                ("field".into(), "culture_society".into()),
                ("unit_code".into(), "30307".into()),
                ("summary".into(), "Sân chơi an toàn cho thiếu nhi".into()),
                ("kind1".into(), "money_vnd".into()),
                ("target1".into(), "120.000.000".into()),
                ("submit".into(), "0".into()),
            ]
        };
        let r = b
            .post(app.url(&format!("/mo-hinh/{id}/sua")))
            .form(&form("Sân chơi thiếu nhi (lần 1)", &version))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = b
            .post(app.url(&format!("/mo-hinh/{id}/sua")))
            .form(&form("Sân chơi thiếu nhi (lần 2)", &version))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            409,
            "a save based on the old version is refused"
        );
        let html = r.text().await.unwrap();
        let main = html.split("<main").nth(1).unwrap_or("");
        assert!(
            main.contains("vừa được người khác thay đổi"),
            "{}",
            main.chars().take(1200).collect::<String>()
        );
        let (_, now) = get(&app, &format!("/api/v1/initiatives/{id}"), Some(&reporter)).await;
        assert_eq!(now["title"], "Sân chơi thiếu nhi (lần 1)");
        assert_eq!(
            now["indicators"][0]["target"], 120_000_000.0,
            "Vietnamese thousands separators are understood"
        );
    });
}

/// Public pages are kept for a few seconds for anonymous visitors and revalidated with an
/// ETag; a change made through the server shows at once; staff always see a fresh page.
#[tokio::test]
async fn public_pages_are_kept_briefly_and_revalidated() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let reporter = app.token("demo.hoinongdan").await;
        let anon = app.client();
        let showcase = || async {
            let r = anon.get(app.url("/mo-hinh")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let etag = r.headers()["etag"].to_str().unwrap().to_string();
            (etag, r.text().await.unwrap())
        };
        let (etag, first) = showcase().await;
        let (again, second) = showcase().await;
        assert_eq!((&etag, &first), (&again, &second), "the same page, kept");
        let r = anon
            .get(app.url("/mo-hinh"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304, "the browser's copy is still good");

        // A model approved through the server is public at once.
        let (_, c) = post(&app, "/api/v1/campaigns", &admin, campaign("Đợt có bộ đệm")).await;
        let title = "Đèn đường năng lượng mặt trời ấp Hòa Bình";
        let (s, m) = post(
            &app,
            "/api/v1/initiatives",
            &reporter,
            model(c["id"].as_i64().unwrap(), title),
        )
        .await;
        assert_eq!(s, 201, "{m}");
        let id = m["id"].as_i64().unwrap();
        let (s, e) = post(
            &app,
            &format!("/api/v1/initiatives/{id}/transitions"),
            &officer,
            json!({"action": "approve"}),
        )
        .await;
        assert_eq!(s, 200, "{e}");
        let (fresh, page) = showcase().await;
        assert_ne!(fresh, etag);
        assert!(
            page.contains(title),
            "the approved model is on the showcase"
        );

        // Visitors arriving together after a change cost one build, not one each.
        let (_, _) = post(
            &app,
            "/api/v1/campaigns",
            &admin,
            campaign("Đợt xóa bộ đệm"),
        )
        .await;
        let built_before = page_cache_count(&app, "built").await;
        let crowd: Vec<_> = (0..24)
            .map(|_| {
                let (anon, url) = (anon.clone(), app.url("/mo-hinh"));
                tokio::spawn(async move {
                    let r = anon.get(url).send().await.unwrap();
                    (r.status().as_u16(), r.text().await.unwrap())
                })
            })
            .collect();
        for visitor in crowd {
            let (status, body) = visitor.await.unwrap();
            assert_eq!(status, 200);
            assert!(body.contains(title), "every visitor gets the whole page");
        }
        assert_eq!(
            page_cache_count(&app, "built").await - built_before,
            1,
            "one build served the crowd"
        );

        // Signed in, the page is built for the person: never from the kept copy.
        let staff = app.browser();
        let officer_password = app.password_of("demo.longxuyen");
        app.sign_in(&staff, "demo.longxuyen", &officer_password)
            .await;
        let r = staff.get(app.url("/mo-hinh")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("etag").is_none(), "not the anonymous copy");
    });
}

/// How many public pages the page cache answered with `outcome`, from `/metrics`.
async fn page_cache_count(app: &common::TestApp, outcome: &str) -> u64 {
    let text = app
        .client()
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!("danvan_page_cache_total{{outcome=\"{outcome}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(series.as_str()))
        .map_or(0, |n| n.trim().parse().unwrap())
}
