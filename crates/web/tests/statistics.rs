//! Dashboards on every backend: the public figures agree with the public lists, staff see
//! every state inside their scope only, years before the 2025 reform count in today's
//! communes, bad input is refused, and the pages draw their charts beside tables.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use common::get;
use serde_json::Value;

fn sum(rows: &Value, key: &str) -> i64 {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn public_figures_agree_with_the_public_lists() {
    each_backend!(|app| {
        let (status, d) = get(&app, "/api/v1/dashboard", None).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(d["audience"], "public");
        assert_eq!(d["unit_code"], "91", "the province by default");

        let (_, list) = get(&app, "/api/v1/initiatives?per_page=100", None).await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(d["totals"]["models"].as_i64().unwrap(), items.len() as i64);
        let mut per_field: HashMap<&str, i64> = HashMap::new();
        for m in items {
            *per_field.entry(m["field"].as_str().unwrap()).or_default() += 1;
        }
        for row in d["by_field"].as_array().unwrap() {
            let code = row["code"].as_str().unwrap();
            assert_eq!(
                row["models"].as_i64().unwrap(),
                per_field.get(code).copied().unwrap_or(0),
                "field {code}"
            );
        }
        let replications = items.iter().filter(|m| m["source_id"].is_i64()).count() as i64;
        assert_eq!(d["totals"]["replications"].as_i64().unwrap(), replications);
        assert!(
            d["by_state"].as_array().unwrap().is_empty(),
            "states are internal"
        );

        let (_, stats) = get(&app, "/api/v1/petition-stats", None).await;
        assert_eq!(
            d["totals"]["petitions_received"].as_i64().unwrap(),
            sum(&stats["by_body"], "received")
        );
        assert_eq!(
            d["totals"]["petitions_overdue"].as_i64().unwrap(),
            sum(&stats["by_body"], "overdue")
        );
        assert!(
            d["totals"]["petitions_overdue"].as_i64().unwrap() > 0,
            "the demo has overdue cases"
        );
        assert_eq!(
            sum(&d["by_body"], "received"),
            d["totals"]["petitions_received"].as_i64().unwrap()
        );

        let (_, honour) = get(&app, "/api/v1/honour-roll", None).await;
        let commended = honour.as_array().unwrap().len() as i64;
        assert_eq!(d["totals"]["commendations"].as_i64().unwrap(), commended);
        assert!(commended > 0);

        // Indicators: the demo's verified reports give a share of some target.
        let inds = d["indicators"].as_array().unwrap();
        assert!(
            inds.iter().any(|i| i["achieved"].as_f64().unwrap() > 0.0),
            "{inds:?}"
        );
        for i in inds {
            if let Some(p) = i["percent"].as_f64() {
                let expect =
                    i["achieved"].as_f64().unwrap() / i["target"].as_f64().unwrap() * 100.0;
                assert!((p - expect).abs() < 0.1, "{i}");
            }
        }

        // The per-year trend adds up to the totals.
        assert_eq!(
            sum(&d["by_year"], "models"),
            d["totals"]["models"].as_i64().unwrap()
        );
        assert_eq!(
            sum(&d["by_year"], "petitions"),
            d["totals"]["petitions_received"].as_i64().unwrap()
        );

        // A year filter narrows the totals but not the trend.
        let year = d["by_year"][0]["year"].as_i64().unwrap();
        let (_, one) = get(&app, &format!("/api/v1/dashboard?year={year}"), None).await;
        assert_eq!(
            one["totals"]["models"].as_i64().unwrap(),
            d["by_year"][0]["models"].as_i64().unwrap()
        );
        assert_eq!(one["by_year"], d["by_year"]);
    });
}

#[tokio::test]
async fn staff_see_every_state_inside_their_scope_only() {
    each_backend!(|app| {
        let (_, public) = get(&app, "/api/v1/dashboard", None).await;
        let admin = app.token("demo.tinh").await;
        let (status, d) = get(&app, "/api/v1/dashboard", Some(&admin)).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(d["audience"], "staff");
        let states: Vec<&str> = d["by_state"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap())
            .collect();
        assert!(
            states.contains(&"draft") || states.contains(&"submitted"),
            "{states:?}"
        );
        assert_eq!(
            sum(&d["by_state"], "models"),
            d["totals"]["models"].as_i64().unwrap()
        );
        assert!(
            d["totals"]["models"].as_i64().unwrap() > public["totals"]["models"].as_i64().unwrap()
        );

        // The same token can ask for the public view.
        let (_, as_public) = get(&app, "/api/v1/dashboard?view=public", Some(&admin)).await;
        assert_eq!(as_public["totals"], public["totals"]);

        // A ward officer starts at the ward and cannot see another commune's internal figures.
        let officer = app.token("demo.longxuyen").await;
        let (status, own) = get(&app, "/api/v1/dashboard", Some(&officer)).await;
        assert_eq!(status, 200, "{own}");
        assert_eq!(own["unit_code"], "30307");
        let (status, other) = get(&app, "/api/v1/dashboard?unit=30538", Some(&officer)).await;
        assert_eq!(status, 403, "{other}");
        assert_eq!(other["error"]["code"], "forbidden");
        let (status, _) = get(&app, "/api/v1/dashboard?unit=91", Some(&officer)).await;
        assert_eq!(status, 403);
        let (status, _) = get(
            &app,
            "/api/v1/dashboard?unit=30538&view=public",
            Some(&officer),
        )
        .await;
        assert_eq!(status, 200);

        // A reporter has no internal statistics at all.
        let reporter = app.token("demo.hoinongdan").await;
        let (status, _) = get(&app, "/api/v1/dashboard", Some(&reporter)).await;
        assert_eq!(status, 403);
    });
}

#[tokio::test]
async fn years_before_the_reform_count_in_todays_commune() {
    each_backend!(|app| {
        // The demo's model of the pre-2025 commune Mỹ Bình (30280) belongs to today's ward
        // Long Xuyên (30307), like the model list says.
        let (_, list) = get(&app, "/api/v1/initiatives?unit=30307&per_page=100", None).await;
        let items = list["items"].as_array().unwrap();
        let old = items.iter().find(|m| m["unit_code"] == "30280").unwrap();
        let (_, d) = get(&app, "/api/v1/dashboard?unit=30307", None).await;
        assert_eq!(d["totals"]["models"].as_i64().unwrap(), items.len() as i64);
        let (_, campaign) = get(
            &app,
            &format!("/api/v1/campaigns/{}", old["campaign_id"].as_i64().unwrap()),
            None,
        )
        .await;
        let year = campaign["year"].as_i64().unwrap();
        let row = d["by_year"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == year)
            .unwrap_or_else(|| panic!("{year} missing from {}", d["by_year"]));
        assert!(row["models"].as_i64().unwrap() >= 1);

        // As the units stood back then, code 30307 was the old ward Mỹ Hòa, and the model
        // counts in its own old commune under the old city of Long Xuyên.
        let at = format!("{year}-06-01");
        let (status, then) =
            get(&app, &format!("/api/v1/dashboard?unit=30307&at={at}"), None).await;
        assert_eq!(status, 200);
        assert_eq!(then["unit_name"], "Phường Mỹ Hòa");
        assert_eq!(then["totals"]["models"].as_i64().unwrap(), 0, "{then}");
        let (status, city) = get(&app, &format!("/api/v1/dashboard?unit=883&at={at}"), None).await;
        assert_eq!(status, 200, "{city}");
        let old_commune = city["by_unit"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == "30280")
            .unwrap();
        assert!(old_commune["models"].as_i64().unwrap() >= 1, "{city}");
    });
}

#[tokio::test]
async fn bad_input_is_refused_clearly() {
    each_backend!(|app| {
        for (query, status, code) in [
            ("year=abc", 422, "invalid_year"),
            ("year=99999", 422, "invalid_year"),
            ("at=2024-13-01", 422, "invalid_date"),
            ("at=%27%20OR%201%3D1", 422, "invalid_date"),
            ("unit=99999", 404, "not_found"),
            ("unit=%3Cscript%3E", 404, "not_found"),
        ] {
            let (s, body) = get(&app, &format!("/api/v1/dashboard?{query}"), None).await;
            assert_eq!(s, status, "{query}: {body}");
            assert_eq!(body["error"]["code"], code, "{query}: {body}");
        }
        let res = app
            .client()
            .get(app.url("/thong-ke?year=abc"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Năm không hợp lệ"));
    });
}

#[tokio::test]
async fn pages_draw_charts_beside_their_tables() {
    each_backend!(|app| {
        let html = app
            .client()
            .get(app.url("/thong-ke"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("role=\"img\""), "server-drawn SVG charts");
        assert!(html.contains("<title id=\"chart-fields-title\">Mô hình theo lĩnh vực</title>"));
        assert!(html.contains("chart-bodies"));
        assert!(html.contains("chart-years"));
        assert!(html.contains("<table class=\"data\" aria-labelledby=\"fields-h\">"));
        assert!(
            !html.contains("Mô hình theo trạng thái"),
            "no internal states for the public"
        );

        // The staff page needs a sign-in, then shows the states too.
        let res = app
            .client()
            .get(app.url("/bang-dieu-khien/thong-ke"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let b = app.browser();
        app.sign_in(&b, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let html = b
            .get(app.url("/bang-dieu-khien/thong-ke"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("<title id=\"chart-states-title\">Mô hình theo trạng thái</title>"),
            "{html}"
        );
        // English labels follow the language.
        let html = app
            .client()
            .get(app.url("/thong-ke"))
            .header("cookie", "dv_lang=en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Models by field"));
    });
}

/// The petition tallies that the database keeps (migration 0009) agree with a count of the
/// petitions themselves, after each kind of change a petition goes through.
#[tokio::test]
async fn petition_tallies_follow_every_change() {
    each_backend!(|app| {
        agree(&app, "after the demo").await;

        let (s, r) = common::call(
            &app,
            reqwest::Method::POST,
            "/api/v1/petitions",
            None,
            Some(serde_json::json!({
                "kind": "petition", "field": "land", "unit_code": "30307",
                "title": "Tranh chấp ranh giới đất ở ấp Mỹ Hòa",
                "content": "Hai hộ giáp ranh không thống nhất mốc giới từ năm ngoái.",
                "petitioner": {"name": "Lê Văn Tám", "phone": "0913 000 111", "email": "", "address": "Ấp Mỹ Hòa"},
                "consent": true
            })),
        )
        .await;
        assert_eq!(s, 201, "{r}");
        agree(&app, "a new petition").await;

        let newest = "(SELECT MAX(id) FROM petitions)";
        let open =
            "(SELECT MIN(id) FROM petitions WHERE state IN ('received', 'accepted', 'assigned'))";
        let steps = [
            ("answered on time", format!("UPDATE petitions SET state = 'answered', answered_on = received_on WHERE id = {open}")),
            ("answered late", format!("UPDATE petitions SET state = 'answered', answered_on = '2099-01-01' WHERE id = {open}")),
            ("rated", "UPDATE petitions SET rating = 'satisfied' WHERE id = (SELECT MIN(id) FROM petitions WHERE answered_on IS NOT NULL AND rating IS NULL)".to_string()),
            ("rating changed", "UPDATE petitions SET rating = 'dissatisfied' WHERE rating = 'satisfied'".to_string()),
            ("deadline extended", "UPDATE petitions SET due_on = '2099-12-31' WHERE answered_on = '2099-01-01'".to_string()),
            ("transferred", format!("UPDATE petitions SET organisation_id = (SELECT MAX(id) FROM organisations) WHERE id = {newest}")),
            ("no body yet", format!("UPDATE petitions SET organisation_id = NULL WHERE id = {newest}")),
            ("moved to another year and commune", format!(
                "UPDATE petitions SET received_on = '2024-03-05', unit_id = (SELECT MIN(unit_id) FROM petitions) WHERE id = {newest}")),
            ("merged", format!("UPDATE petitions SET state = 'merged', merged_into = {open} WHERE id = {newest}")),
            ("unmerged", format!("UPDATE petitions SET state = 'received', merged_into = NULL WHERE id = {newest}")),
            ("deleted", ["notifications", "petition_alerts", "petition_files", "petition_events", "petitioners"]
                .iter()
                .map(|t| format!("DELETE FROM {t} WHERE petition_id = {newest}; "))
                .collect::<String>() + &format!("DELETE FROM petitions WHERE id = {newest}")),
        ];
        for (what, sql) in steps {
            app.exec(&sql).await;
            agree(&app, what).await;
        }
    });
}

/// The tallied figures (no cut-off) against a scan of every petition (a cut-off far ahead).
async fn agree(app: &common::TestApp, what: &str) {
    let today = app.state.clock.today();
    let far = chrono::NaiveDate::from_ymd_opt(2999, 1, 1).unwrap();
    let key =
        |c: &danvan_storage::statistics::PetitionCount| (c.unit_id, c.organisation_id, c.year);
    let mut tallied = danvan_storage::statistics::petitions(app.db(), today, None)
        .await
        .unwrap();
    let mut scanned = danvan_storage::statistics::petitions(app.db(), today, Some(far))
        .await
        .unwrap();
    tallied.sort_by_key(key);
    scanned.sort_by_key(key);
    assert!(!scanned.is_empty());
    assert_eq!(tallied, scanned, "tallies after: {what}");
}
