//! Citizens' petitions through the API, on every backend: intake and its refusals, public
//! tracking without personal data, routing to a body and its queue, the workflow and the
//! citizen's rating and reopening, transfers, duplicates and merges, the protected denouncer,
//! deadline reminders and escalation on a moved clock, and the e-mails that go with them.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call, get, post};

use chrono::{Duration, NaiveDate};
use danvan_storage::Db;
use danvan_web::Config;
use serde_json::{Value, json};

/// Runs a test body once per backend, with a given configuration.
macro_rules! each_backend_with {
    ($config:expr, |$app:ident| $body:block) => {
        for backend in common::backends() {
            let $app = common::TestApp::spawn_with(backend, $config).await;
            eprintln!("— backend: {:?}", backend);
            $body
            $app.stop().await;
        }
    };
}

/// Enough public submissions for one test that is not about the rate limit.
fn roomy() -> Config {
    Config {
        petition_limit: 1000,
        ..Default::default()
    }
}

const PASSWORD: &str = "mật khẩu đủ dài cho cán bộ xử lý";

const NAME: &str = "Nguyễn Văn Bình";
const PHONE: &str = "0913 579 246";
const PHONE_DIGITS: &str = "0913579246";
const EMAIL: &str = "binh.nguyen@example.vn";
const ADDRESS: &str = "Số 12 Trần Hưng Đạo, khóm Bình Khánh 3";

/// A petition as the public form sends it, about Long Xuyên (30307).
fn form(kind: &str, title: &str, content: &str) -> Value {
    json!({
        "kind": kind,
        "field": "environment",
        "unit_code": "30307",
        "title": title,
        "content": content,
        "petitioner": {"name": NAME, "phone": PHONE, "email": EMAIL, "address": ADDRESS},
        "consent": true
    })
}

fn flooding() -> Value {
    form(
        "feedback",
        "Đường ngập nước sau mỗi trận mưa ở khóm Bình Khánh",
        "Mỗi lần mưa lớn, đoạn đường trước chợ bị ngập sâu nửa mét, cống thoát nước bị tắc lâu ngày.",
    )
}

/// An anonymous submission that must succeed; returns the receipt.
async fn submit(app: &common::TestApp, body: Value) -> Value {
    let (s, r) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/petitions",
        None,
        Some(body),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    r
}

async fn act(app: &common::TestApp, token: &str, id: i64, body: Value) -> (u16, Value) {
    post(app, &format!("/api/v1/petitions/{id}/actions"), token, body).await
}

/// The staff view of one petition (with its events).
async fn staff_view(app: &common::TestApp, token: &str, id: i64) -> Value {
    let (s, p) = get(app, &format!("/api/v1/petitions/{id}"), Some(token)).await;
    assert_eq!(s, 200, "{p}");
    p
}

/// What anyone sees by the tracking code.
async fn public_view(app: &common::TestApp, code: &str) -> Value {
    let (s, p) = get(app, &format!("/api/v1/petitions/{code}"), None).await;
    assert_eq!(s, 200, "{p}");
    p
}

async fn feedback(app: &common::TestApp, code: &str, body: Value) -> (u16, Value) {
    call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/petitions/{code}/feedback"),
        None,
        Some(body),
    )
    .await
}

/// The due date the public calendar API gives for a period.
async fn deadline(app: &common::TestApp, from: NaiveDate, days: u32, working: bool) -> String {
    let (s, d) = get(
        app,
        &format!("/api/v1/calendar/deadline?from={from}&days={days}&working={working}"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{d}");
    d["due"].as_str().unwrap().to_string()
}

fn date(v: &Value) -> NaiveDate {
    v.as_str().unwrap().parse().unwrap()
}

fn is_tracking_code(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 4
        && parts[0] == "KN"
        && parts[1..].iter().all(|p| {
            p.len() == 4
                && p.chars()
                    .all(|c| "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(c))
        })
}

/// A body that resolves petitions, with one handler who can sign in.
struct Body {
    org: i64,
    handler_id: i64,
    token: String,
}

async fn body_with_handler(app: &common::TestApp, admin: &str, name: &str, username: &str) -> Body {
    let (s, o) = post(
        app,
        "/api/v1/organisations",
        admin,
        json!({"name": name, "kind": "agency", "unit_code": "30307"}),
    )
    .await;
    assert_eq!(s, 201, "{o}");
    let org = o["id"].as_i64().unwrap();
    let (s, a) = post(
        app,
        "/api/v1/accounts",
        admin,
        json!({"username": username, "display_name": format!("Cán bộ {username}"), "role": "handler",
               "unit_code": "30307", "organisation_id": org, "password": PASSWORD}),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let handler_id = a["id"].as_i64().unwrap();
    let (s, t) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"username": username, "password": PASSWORD})),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    Body {
        org,
        handler_id,
        token: t["token"].as_str().unwrap().to_string(),
    }
}

/// Routes every petition about Long Xuyên to `org`: drops the commune's other rules (the
/// demo may bring some) and sets (30307, "*").
async fn route_long_xuyen(app: &common::TestApp, admin: &str, org: i64) {
    let (s, rules) = get(app, "/api/v1/routing-rules", Some(admin)).await;
    assert_eq!(s, 200, "{rules}");
    for r in rules.as_array().unwrap() {
        if r["unit_code"] == "30307" {
            let (s, _) = call(
                app,
                reqwest::Method::DELETE,
                &format!("/api/v1/routing-rules/{}", r["id"]),
                Some(admin),
                None,
            )
            .await;
            assert_eq!(s, 204);
        }
    }
    let (s, r) = post(
        app,
        "/api/v1/routing-rules",
        admin,
        json!({"unit_code": "30307", "field": "*", "organisation_id": org}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
}

async fn account_id(app: &common::TestApp, token: &str) -> i64 {
    get(app, "/api/v1/me", Some(token)).await.1["id"]
        .as_i64()
        .unwrap()
}

/// One integer from SQL written by the test (no outside input in it).
async fn sql_count(app: &common::TestApp, sql: String) -> i64 {
    match app.db() {
        Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

async fn sql_strings(app: &common::TestApp, sql: String) -> Vec<String> {
    match app.db() {
        Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

/// The caller's notifications of `kind` that mention `code`.
async fn notes(app: &common::TestApp, token: &str, kind: &str, code: &str) -> usize {
    let (s, n) = get(app, "/api/v1/notifications", Some(token)).await;
    assert_eq!(s, 200, "{n}");
    n.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind && n["message"].as_str().unwrap().contains(code))
        .count()
}

/// The public statistics row of one body.
async fn body_stats(app: &common::TestApp, org: i64) -> Value {
    let (s, stats) = get(app, "/api/v1/petition-stats", None).await;
    assert_eq!(s, 200, "{stats}");
    let key = org.to_string();
    stats["by_body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"].as_str() == Some(key.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("no statistics for body {org}: {stats}"))
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

fn actions(history: &Value) -> Vec<String> {
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn intake_gives_a_code_and_the_legal_due_dates() {
    each_backend_with!(roomy(), |app| {
        let today = app.state.clock.today();

        // Feedback: 5 working days to accept, then 15 working days to answer.
        let r = submit(&app, flooding()).await;
        let code = r["tracking_code"].as_str().unwrap();
        assert!(is_tracking_code(code), "{code}");
        assert_eq!(r["state"], "received");
        assert_eq!(r["tracking_url"], format!("/kien-nghi/{code}"));
        assert!(
            r.get("similar").is_none(),
            "the public is not shown others' cases"
        );
        let accept_due = deadline(&app, today, 5, true).await;
        assert_eq!(r["accept_due"], accept_due.as_str());
        let due = deadline(&app, accept_due.parse().unwrap(), 15, true).await;
        assert_eq!(r["due_date"], due.as_str());
        let seen = public_view(&app, code).await;
        assert_eq!(date(&seen["received_on"]), today);
        assert_eq!(seen["due_date"], due.as_str());

        // A complaint: 10 calendar days to accept, then 30 calendar days.
        let mut complaint = flooding();
        complaint["kind"] = json!("complaint");
        let r = submit(&app, complaint).await;
        let accept_due = deadline(&app, today, 10, false).await;
        assert_eq!(r["accept_due"], accept_due.as_str());
        assert_eq!(
            r["due_date"],
            deadline(&app, accept_due.parse().unwrap(), 30, false)
                .await
                .as_str()
        );

        // The province's own limits apply to petitions received afterwards.
        let (s, limits) = get(&app, "/api/v1/time-limits", None).await;
        assert_eq!(s, 200);
        let petition = limits
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "petition")
            .unwrap();
        assert_eq!(
            (
                &petition["accept_days"],
                &petition["accept_working"],
                &petition["resolve_days"]
            ),
            (&json!(5), &json!(true), &json!(15))
        );
        let admin = app.token("demo.tinh").await;
        let limit = json!({"kind": "petition", "accept_days": 3, "accept_working": true, "resolve_days": 10,
            "resolve_working": true, "complex_days": 10, "extension_days": 0, "max_extensions": 0});
        let mut bad = limit.clone();
        bad["complex_days"] = json!(5);
        let (s, e) = call(
            &app,
            reqwest::Method::PUT,
            "/api/v1/time-limits",
            Some(&admin),
            Some(bad),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("invalid_time_limit"))
        );
        let (s, e) = call(
            &app,
            reqwest::Method::PUT,
            "/api/v1/time-limits",
            Some(&admin),
            Some(limit),
        )
        .await;
        assert_eq!(s, 200, "{e}");
        let mut p = flooding();
        p["kind"] = json!("petition");
        let r = submit(&app, p).await;
        let accept_due = deadline(&app, today, 3, true).await;
        assert_eq!(r["accept_due"], accept_due.as_str());
        assert_eq!(
            r["due_date"],
            deadline(&app, accept_due.parse().unwrap(), 10, true)
                .await
                .as_str()
        );

        // Bad input: each refused with its own code, and nothing written.
        let tables = ["petitions", "petitioners", "petition_events", "audit_log"];
        let mut before = Vec::new();
        for t in tables {
            before.push(app.count(t).await);
        }
        let with = |key: &str, value: Value| {
            let mut f = flooding();
            f[key] = value;
            f
        };
        let mut bad_phone = flooding();
        bad_phone["petitioner"]["phone"] = json!("gọi sau 5 giờ");
        let cases: Vec<(&str, Value, u16, &str)> = vec![
            (
                "no consent",
                with("consent", json!(false)),
                422,
                "consent_required",
            ),
            (
                "unknown commune",
                with("unit_code", json!("99999")),
                422,
                "unknown_unit",
            ),
            (
                "a district, gone since 2025",
                with("unit_code", json!("883")),
                422,
                "unknown_unit",
            ),
            (
                "a commune merged away in 2025",
                with("unit_code", json!("30280")),
                422,
                "unknown_unit",
            ),
            (
                "the province itself",
                with("unit_code", json!("91")),
                422,
                "unknown_unit",
            ),
            (
                "empty content",
                with("content", json!("   ")),
                422,
                "required",
            ),
            (
                "content too short to mean anything",
                with("content", json!("ngập")),
                422,
                "too_short",
            ),
            (
                "bad kind",
                with("kind", json!("kêu ca")),
                422,
                "unknown_kind",
            ),
            (
                "bad field",
                with("field", json!("bóng đá")),
                422,
                "unknown_field",
            ),
            ("bad phone", bad_phone, 422, "invalid_phone"),
            // The honeypot refuses without a field-by-field explanation.
            (
                "honeypot filled",
                with("website", json!("http://spam.example")),
                400,
                "spam_suspected",
            ),
        ];
        for (what, body, status, code) in cases {
            let (s, e) = call(
                &app,
                reqwest::Method::POST,
                "/api/v1/petitions",
                None,
                Some(body),
            )
            .await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (status, Some(code)),
                "{what}: {e}"
            );
        }
        let mut no_contact = flooding();
        no_contact["petitioner"] = json!({"name": NAME});
        let (s, e) = call(
            &app,
            reqwest::Method::POST,
            "/api/v1/petitions",
            None,
            Some(no_contact),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("contact_required"))
        );
        for (t, n) in tables.iter().zip(before) {
            assert_eq!(app.count(t).await, n, "a refused petition wrote to {t}");
        }

        // An officer records one taken at a reception day last week: its clock started then.
        let officer = app.token("demo.longxuyen").await;
        let mut staff = flooding();
        staff["channel"] = json!("reception");
        staff["received_on"] = json!((today + Duration::days(1)).to_string());
        let (s, e) = post(&app, "/api/v1/petitions", &officer, staff.clone()).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("date_out_of_range"))
        );
        staff["channel"] = json!("online");
        staff["received_on"] = json!((today - Duration::days(7)).to_string());
        let (s, e) = post(&app, "/api/v1/petitions", &officer, staff.clone()).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("unknown_channel")),
            "staff record other channels"
        );
        staff["channel"] = json!("reception");
        let (s, r) = post(&app, "/api/v1/petitions", &officer, staff).await;
        assert_eq!(s, 201, "{r}");
        assert_eq!(
            r["accept_due"],
            deadline(&app, today - Duration::days(7), 5, true)
                .await
                .as_str()
        );
        let p = staff_view(&app, &officer, r["id"].as_i64().unwrap()).await;
        assert_eq!(
            (&p["channel"], &p["state"]),
            (&json!("reception"), &json!("received"))
        );
    });
}

#[tokio::test]
async fn the_public_form_is_rate_limited_per_address() {
    each_backend_with!(
        Config {
            petition_limit: 3,
            ..Default::default()
        },
        |app| {
            for _ in 0..3 {
                submit(&app, flooding()).await;
            }
            let before = app.count("petitions").await;
            let (s, e) = call(
                &app,
                reqwest::Method::POST,
                "/api/v1/petitions",
                None,
                Some(flooding()),
            )
            .await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (429, Some("rate_limited"))
            );
            assert_eq!(app.count("petitions").await, before);
            // An officer recording petitions from the hotline is not limited.
            let officer = app.token("demo.longxuyen").await;
            let mut staff = flooding();
            staff["channel"] = json!("hotline");
            let (s, r) = post(&app, "/api/v1/petitions", &officer, staff).await;
            assert_eq!(s, 201, "{r}");
        }
    );
}

#[tokio::test]
async fn tracking_shows_progress_but_no_personal_data() {
    each_backend_with!(roomy(), |app| {
        let r = submit(&app, flooding()).await;
        let code = r["tracking_code"].as_str().unwrap().to_string();
        let resp = app
            .client()
            .get(app.url(&format!("/api/v1/petitions/{code}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let text = resp.text().await.unwrap();
        for secret in [NAME, PHONE, PHONE_DIGITS, EMAIL, ADDRESS, "Bình Khánh 3"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        let p: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(p["tracking_code"], code.as_str());
        assert_eq!(p["state"], "received");
        assert_eq!(p["due_date"], r["due_date"]);
        assert_eq!(p["unit_code"], "30307");
        assert_eq!(actions(&p["history"]), ["received"]);
        assert_eq!(p["can_rate"], false);

        // The code as people type it: lower case, spaces for dashes, no dashes at all.
        for typed in [
            code.to_lowercase(),
            code.replace('-', "%20"),
            code.replace('-', ""),
        ] {
            let (s, same) = get(&app, &format!("/api/v1/petitions/{typed}"), None).await;
            assert_eq!(s, 200, "{typed}");
            assert_eq!(same["tracking_code"], code.as_str());
        }
        // A well-formed code nobody was given, and garbage: the same "not found".
        let forged = if code.ends_with('2') {
            format!("{}3", &code[..code.len() - 1])
        } else {
            format!("{}2", &code[..code.len() - 1])
        };
        for wrong in [
            forged.as_str(),
            "KN-2345-6789-ABCD",
            "KN-1234",
            "1%27%20OR%201=1",
        ] {
            let (s, e) = get(&app, &format!("/api/v1/petitions/{wrong}"), None).await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (404, Some("not_found")),
                "{wrong}"
            );
            let (s, _) = feedback(&app, wrong, json!({"action": "rate", "satisfied": true})).await;
            assert_eq!(s, 404, "feedback on {wrong}");
        }
        // Staff ids are not a way in for the public.
        let (s, _) = get(&app, &format!("/api/v1/petitions/{}", r["id"]), None).await;
        assert_eq!(s, 401);
    });
}

#[tokio::test]
async fn routing_puts_a_petition_in_its_body_queue_only() {
    each_backend_with!(roomy(), |app| {
        let admin = app.token("demo.tinh").await;
        let nuicam = app.token("demo.nuicam").await;
        let supervisor = app.token("demo.mttq").await;
        let reporter = app.token("demo.hoinongdan").await;
        let body = body_with_handler(
            &app,
            &admin,
            "Phòng Kinh tế, Hạ tầng và Đô thị phường Long Xuyên",
            "xuly.longxuyen",
        )
        .await;
        // The rules are the province admin's: nobody else may set them.
        let rule = json!({"unit_code": "30307", "field": "*", "organisation_id": body.org});
        for t in [&nuicam, &supervisor, &body.token] {
            assert_eq!(
                post(&app, "/api/v1/routing-rules", t, rule.clone()).await.0,
                403
            );
        }
        let (s, e) = post(
            &app,
            "/api/v1/routing-rules",
            &admin,
            json!({"unit_code": "30307", "field": "*", "organisation_id": 987654}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("unknown_organisation"))
        );
        route_long_xuyen(&app, &admin, body.org).await;

        let r = submit(&app, flooding()).await;
        let id = r["id"].as_i64().unwrap();
        let p = staff_view(&app, &body.token, id).await;
        assert_eq!(p["organisation_id"], body.org);
        assert_eq!(p["state"], "received");
        assert_eq!(p["events"][0]["action"], "received");
        assert_eq!(
            notes(
                &app,
                &body.token,
                "petition_new",
                r["tracking_code"].as_str().unwrap()
            )
            .await,
            1,
            "the body's handler is told"
        );

        let (s, queue) = get(&app, "/api/v1/petitions", Some(&body.token)).await;
        assert_eq!(s, 200, "{queue}");
        assert!(ids(&queue).contains(&id), "{queue}");
        let (s, theirs) = get(&app, "/api/v1/petitions", Some(&nuicam)).await;
        assert_eq!(s, 200);
        assert!(
            !ids(&theirs).contains(&id),
            "another body's handler: {theirs}"
        );
        let (s, all) = get(&app, "/api/v1/petitions?open=true", Some(&supervisor)).await;
        assert_eq!(s, 200);
        assert!(ids(&all).contains(&id), "the supervisor reads the province");
        assert_eq!(get(&app, "/api/v1/petitions", Some(&reporter)).await.0, 403);

        // Another body's handler: the petition does not exist for them.
        assert_eq!(
            get(&app, &format!("/api/v1/petitions/{id}"), Some(&nuicam))
                .await
                .0,
            404
        );
        assert_eq!(
            get(
                &app,
                &format!("/api/v1/petitions/{id}/petitioners"),
                Some(&nuicam)
            )
            .await
            .0,
            404
        );
        let version = p["version"].clone();
        for step in [
            json!({"action": "accept"}),
            json!({"action": "decline", "reason": "Không thuộc thẩm quyền"}),
            json!({"action": "transfer", "organisation_id": body.org, "reason": "Chuyển"}),
        ] {
            let (s, _) = act(&app, &nuicam, id, step.clone()).await;
            assert!(s == 403 || s == 404, "another body acts: {s}");
            // The supervisor reads but changes nothing.
            let (s, e) = act(&app, &supervisor, id, step).await;
            assert_eq!(s, 403, "{e}");
        }
        assert_eq!(staff_view(&app, &supervisor, id).await["id"], id);
        assert_eq!(
            get(
                &app,
                &format!("/api/v1/petitions/{id}/petitioners"),
                Some(&supervisor)
            )
            .await
            .0,
            403
        );
        assert_eq!(staff_view(&app, &admin, id).await["version"], version);

        // A rule for the field beats the commune's "*".
        let other = body_with_handler(
            &app,
            &admin,
            "Phòng Tài nguyên và Môi trường phường Long Xuyên",
            "moitruong.longxuyen",
        )
        .await;
        let (s, _) = post(
            &app,
            "/api/v1/routing-rules",
            &admin,
            json!({"unit_code": "30307", "field": "environment", "organisation_id": other.org}),
        )
        .await;
        assert_eq!(s, 201);
        let r = submit(&app, flooding()).await;
        let p = staff_view(&app, &other.token, r["id"].as_i64().unwrap()).await;
        assert_eq!(p["organisation_id"], other.org);
        let mut land = flooding();
        land["field"] = json!("land");
        let r = submit(&app, land).await;
        let p = staff_view(&app, &body.token, r["id"].as_i64().unwrap()).await;
        assert_eq!(p["organisation_id"], body.org);
    });
}

#[tokio::test]
async fn the_workflow_from_receipt_to_a_reopened_case() {
    each_backend_with!(roomy(), |app| {
        let admin = app.token("demo.tinh").await;
        let nuicam = app.token("demo.nuicam").await;
        let body = body_with_handler(
            &app,
            &admin,
            "Phòng Kinh tế, Hạ tầng và Đô thị phường Long Xuyên",
            "xuly.longxuyen",
        )
        .await;
        route_long_xuyen(&app, &admin, body.org).await;
        let (_, stats_before) = get(&app, "/api/v1/petition-stats", None).await;
        let unit_received = |stats: &Value| {
            stats["by_unit"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["key"] == "30307")
                .map(|r| r["received"].as_i64().unwrap())
                .unwrap_or(0)
        };

        let r = submit(&app, flooding()).await;
        let id = r["id"].as_i64().unwrap();
        let code = r["tracking_code"].as_str().unwrap().to_string();
        let h = &body.token;

        // Illegal steps change nothing.
        let start = staff_view(&app, h, id).await;
        let events = app.count("petition_events").await;
        let (s, e) = act(
            &app,
            h,
            id,
            json!({"action": "answer", "answer": "Đã xử lý xong."}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("petition_illegal_step")),
            "answer before acceptance"
        );
        let (s, e) = act(&app, h, id, json!({"action": "close"})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("petition_illegal_step"))
        );
        let (s, e) = act(&app, h, id, json!({"action": "decline"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("required")));
        let (s, e) = act(&app, h, id, json!({"action": "approve"})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("unknown_action"))
        );
        let (s, e) = feedback(&app, &code, json!({"action": "rate", "satisfied": true})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("petition_illegal_step")),
            "nothing to rate yet"
        );
        let now = staff_view(&app, h, id).await;
        assert_eq!(now["state"], "received");
        assert_eq!(now["version"], start["version"]);
        assert_eq!(app.count("petition_events").await, events);

        // Accept: the resolution clock restarts from the real day of acceptance.
        let today = app.state.clock.today();
        let (s, p) = act(&app, h, id, json!({"action": "accept"})).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["state"], "accepted");
        assert_eq!(date(&p["accepted_on"]), today);
        assert_eq!(
            p["due_date"],
            deadline(&app, today, 15, true).await.as_str()
        );
        // A stale version is refused.
        let (s, e) = act(
            &app,
            h,
            id,
            json!({"action": "assign", "version": start["version"]}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("petition_changed"))
        );
        // Only the body's own handlers can be assigned.
        let nuicam_id = account_id(&app, &nuicam).await;
        let (s, e) = act(
            &app,
            h,
            id,
            json!({"action": "assign", "handler_id": nuicam_id}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("not_a_handler"))
        );
        let (s, p) = act(&app, h, id, json!({"action": "assign"})).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["state"], "assigned");
        assert_eq!(p["handler_id"], body.handler_id);

        let (s, e) = act(&app, h, id, json!({"action": "answer", "publish": true})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("required")),
            "an answer needs its text"
        );
        let answer =
            "Ủy ban đã nạo vét toàn bộ cống thoát nước trên đoạn đường trước chợ Bình Khánh.";
        let (s, p) = act(
            &app,
            h,
            id,
            json!({"action": "answer", "answer": answer, "publish": true}),
        )
        .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["state"], "answered");
        assert_eq!(p["public_answer"], answer);
        assert_eq!(date(&p["answered_on"]), today);

        let seen = public_view(&app, &code).await;
        assert_eq!(seen["state"], "answered");
        assert_eq!(seen["answer"], answer);
        assert_eq!(
            (&seen["can_rate"], &seen["can_reopen"]),
            (&json!(true), &json!(true))
        );
        assert_eq!(
            actions(&seen["history"]),
            ["received", "accept", "answer"],
            "the assignment is internal"
        );

        // The public record, searched without diacritics, in the title or in the answer.
        for q in [
            "duong ngap nuoc",
            "DUONG NGAP NUOC",
            "đường ngập nước",
            "nao vet",
        ] {
            let (s, found) = get(
                &app,
                &format!("/api/v1/petition-answers?q={}", q.replace(' ', "%20")),
                None,
            )
            .await;
            assert_eq!(s, 200, "{found}");
            let items = found["items"].as_array().unwrap();
            assert!(items.iter().any(|i| i["answer"] == answer), "{q}: {found}");
            // The record names neither the citizen nor the code that opens the case.
            let text = found.to_string();
            for secret in [NAME, EMAIL, PHONE_DIGITS, code.as_str()] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
        let (_, none) = get(&app, "/api/v1/petition-answers?q=uong%20ngap", None).await;
        assert!(
            none["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["answer"] != answer),
            "whole syllables only"
        );

        // The statistics count it for the body and the commune.
        let row = body_stats(&app, body.org).await;
        assert_eq!(
            (
                &row["received"],
                &row["answered"],
                &row["on_time"],
                &row["overdue"]
            ),
            (&json!(1), &json!(1), &json!(1), &json!(0)),
            "{row}"
        );
        let (_, stats) = get(&app, "/api/v1/petition-stats", None).await;
        assert_eq!(unit_received(&stats), unit_received(&stats_before) + 1);

        // The citizen is not satisfied, rates, then reopens the case once.
        let (s, e) = feedback(&app, &code, json!({"action": "rate"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("required")));
        let (s, seen) = feedback(
            &app,
            &code,
            json!({"action": "rate", "satisfied": false, "reason": "Vẫn còn ngập"}),
        )
        .await;
        assert_eq!(s, 200, "{seen}");
        assert_eq!(seen["rating"], "dissatisfied");
        assert_eq!(seen["can_rate"], false);
        let (s, e) = feedback(&app, &code, json!({"action": "rate", "satisfied": true})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("already_rated"))
        );
        let row = body_stats(&app, body.org).await;
        assert_eq!((&row["rated"], &row["satisfied"]), (&json!(1), &json!(0)));

        let (s, e) = feedback(&app, &code, json!({"action": "reopen"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("required")));
        let (s, seen) = feedback(
            &app,
            &code,
            json!({"action": "reopen", "reason": "Trận mưa hôm qua đường vẫn ngập."}),
        )
        .await;
        assert_eq!(s, 200, "{seen}");
        assert_eq!(seen["state"], "assigned");
        assert_eq!(seen["can_reopen"], false);
        assert_eq!(
            seen["due_date"],
            deadline(&app, today, 15, true).await.as_str()
        );
        assert_eq!(
            notes(&app, h, "petition_reopen", &code).await,
            1,
            "the assigned handler is told"
        );
        let p = staff_view(&app, h, id).await;
        assert_eq!(
            (&p["state"], &p["reopened"]),
            (&json!("assigned"), &json!(true))
        );
        let (s, p) = act(
            &app,
            h,
            id,
            json!({"action": "answer", "answer": "Đã lắp thêm cống hộp bê tông.", "publish": false}),
        )
        .await;
        assert_eq!(s, 200, "{p}");
        // An answer not published stays out of the public record.
        let (_, found) = get(
            &app,
            "/api/v1/petition-answers?q=cong%20hop%20be%20tong",
            None,
        )
        .await;
        assert_eq!(found["total"], 0, "{found}");
        assert_eq!(
            public_view(&app, &code).await["answer"],
            "Đã lắp thêm cống hộp bê tông."
        );
        let (s, e) = feedback(
            &app,
            &code,
            json!({"action": "reopen", "reason": "Lần nữa"}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("already_reopened"))
        );
        let (s, p) = act(&app, h, id, json!({"action": "close"})).await;
        assert_eq!((s, &p["state"]), (200, &json!("closed")));
        let (s, e) = act(&app, h, id, json!({"action": "accept"})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("petition_illegal_step"))
        );

        // Two people accept the same petition at once: one wins, the other is told.
        let r = submit(&app, flooding()).await;
        let race = r["id"].as_i64().unwrap();
        let (x, y) = tokio::join!(
            act(&app, h, race, json!({"action": "accept"})),
            act(&app, &admin, race, json!({"action": "accept"}))
        );
        let mut statuses = [x.0, y.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{x:?} {y:?}");
        let accepted = staff_view(&app, h, race).await["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "accept")
            .count();
        assert_eq!(accepted, 1);

        // Declining needs a reason, and the citizen reads it.
        let r = submit(&app, flooding()).await;
        let other = r["id"].as_i64().unwrap();
        let (s, p) = act(
            &app,
            h,
            other,
            json!({"action": "decline", "reason": "Nội dung trùng với đơn đã giải quyết."}),
        )
        .await;
        assert_eq!((s, &p["state"]), (200, &json!("declined")));
        let seen = public_view(&app, r["tracking_code"].as_str().unwrap()).await;
        let last = seen["history"].as_array().unwrap().last().cloned().unwrap();
        assert_eq!(last["action"], "decline");
        assert_eq!(last["note"], "Nội dung trùng với đơn đã giải quyết.");
        let (s, e) = act(&app, h, other, json!({"action": "accept"})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("petition_illegal_step"))
        );
    });
}

#[tokio::test]
async fn a_transfer_needs_the_receiving_body_to_acknowledge() {
    each_backend_with!(roomy(), |app| {
        let admin = app.token("demo.tinh").await;
        let a = body_with_handler(
            &app,
            &admin,
            "Phòng Kinh tế, Hạ tầng và Đô thị phường Long Xuyên",
            "xuly.kinhte",
        )
        .await;
        let b = body_with_handler(
            &app,
            &admin,
            "Đội Quản lý trật tự đô thị phường Long Xuyên",
            "xuly.trattu",
        )
        .await;
        route_long_xuyen(&app, &admin, a.org).await;
        let r = submit(&app, flooding()).await;
        let id = r["id"].as_i64().unwrap();
        let code = r["tracking_code"].as_str().unwrap().to_string();
        let (s, p) = act(&app, &a.token, id, json!({"action": "accept"})).await;
        assert_eq!(s, 200, "{p}");
        let due = p["due_date"].clone();
        assert_eq!(
            get(&app, &format!("/api/v1/petitions/{id}"), Some(&b.token))
                .await
                .0,
            404,
            "not theirs yet"
        );

        let (s, e) = act(
            &app,
            &a.token,
            id,
            json!({"action": "transfer", "organisation_id": b.org}),
        )
        .await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("required")));
        let (s, e) = act(
            &app,
            &a.token,
            id,
            json!({"action": "transfer", "organisation_id": a.org, "reason": "Nhầm"}),
        )
        .await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("same_body")));
        let (s, p) = act(
            &app,
            &a.token,
            id,
            json!({"action": "transfer", "organisation_id": b.org,
                   "reason": "Việc lấn chiếm lòng đường thuộc thẩm quyền đội trật tự đô thị"}),
        )
        .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["transfer_to"], b.org);
        assert_eq!(
            p["organisation_id"], a.org,
            "the sender holds it until acknowledged"
        );
        assert_eq!(p["state"], "accepted");
        assert_eq!(
            notes(&app, &b.token, "petition_transferred", &code).await,
            1
        );

        // While it waits: the sender still sees it but cannot act; only the receiver acknowledges.
        assert_eq!(staff_view(&app, &a.token, id).await["transfer_to"], b.org);
        let (s, e) = act(&app, &a.token, id, json!({"action": "assign"})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("transfer_pending"))
        );
        let (s, _) = act(&app, &a.token, id, json!({"action": "acknowledge"})).await;
        assert_eq!(s, 403, "the sender cannot acknowledge for the receiver");
        let (s, queue) = get(&app, "/api/v1/petitions", Some(&b.token)).await;
        assert_eq!(s, 200);
        assert!(ids(&queue).contains(&id), "awaiting the receiver: {queue}");
        assert_eq!(staff_view(&app, &b.token, id).await["id"], id);
        // A handler of both bodies finds it held by one and sent to the other: listed and
        // counted once (PostgreSQL reads the two sides as a UNION ALL).
        app.exec(&format!(
            "INSERT INTO role_grants (account_id, role, unit_id, organisation_id, created_at)
             SELECT account_id, role, unit_id, {}, created_at FROM role_grants
             WHERE account_id = {}",
            a.org, b.handler_id
        ))
        .await;
        let (s, t) = call(
            &app,
            reqwest::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "xuly.trattu", "password": PASSWORD})),
        )
        .await;
        assert_eq!(s, 200, "{t}");
        let both = t["token"].as_str().unwrap();
        let (s, queue) = get(&app, "/api/v1/petitions", Some(both)).await;
        assert_eq!(s, 200);
        let listed = ids(&queue);
        assert_eq!(listed.iter().filter(|&&i| i == id).count(), 1, "{queue}");
        let held_or_sent = app
            .count(&format!(
                "petitions WHERE organisation_id IN ({0}, {1}) OR transfer_to IN ({0}, {1})",
                a.org, b.org
            ))
            .await;
        assert_eq!(queue["total"].as_i64(), Some(held_or_sent), "{queue}");
        assert_eq!(listed.len() as i64, held_or_sent, "{queue}");

        let (s, p) = act(&app, &b.token, id, json!({"action": "acknowledge"})).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["organisation_id"], b.org);
        assert_eq!(p["transfer_to"], Value::Null);
        assert_eq!(p["due_date"], due, "the clock follows the petition");
        assert_eq!(p["state"], "accepted");
        let (s, e) = act(&app, &b.token, id, json!({"action": "acknowledge"})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("no_transfer_pending"))
        );
        let detail = staff_view(&app, &b.token, id).await;
        let staff_actions: Vec<String> = detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            staff_actions,
            ["received", "accept", "transfer", "acknowledge"]
        );
        let seen = public_view(&app, &code).await;
        let public = actions(&seen["history"]);
        assert!(
            public.contains(&"transfer".to_string()) && public.contains(&"acknowledge".to_string()),
            "{public:?}"
        );
        assert_eq!(seen["body"], "Đội Quản lý trật tự đô thị phường Long Xuyên");
        assert_eq!(
            get(&app, &format!("/api/v1/petitions/{id}"), Some(&a.token))
                .await
                .0,
            404,
            "the sender no longer has it"
        );
        // The receiver carries on.
        let (s, p) = act(&app, &b.token, id, json!({"action": "assign"})).await;
        assert_eq!((s, &p["handler_id"]), (200, &json!(b.handler_id)));
    });
}

#[tokio::test]
async fn duplicates_are_offered_and_merged_into_one_case() {
    each_backend_with!(roomy(), |app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let body = body_with_handler(
            &app,
            &admin,
            "Phòng Kinh tế, Hạ tầng và Đô thị phường Long Xuyên",
            "xuly.longxuyen",
        )
        .await;
        route_long_xuyen(&app, &admin, body.org).await;
        let first = submit(
            &app,
            form(
                "feedback",
                "Đèn đường hỏng trên đường Trần Hưng Đạo",
                "Ba cột đèn đường trên đường Trần Hưng Đạo đoạn gần chợ Long Xuyên bị hỏng hơn một tháng, buổi tối rất tối và nguy hiểm.",
            ),
        )
        .await;
        let first_code = first["tracking_code"].as_str().unwrap().to_string();
        let first_id = first["id"].as_i64().unwrap();

        // The officer takes the same matter on the hotline and is shown the first.
        let mut second = form(
            "feedback",
            "Đèn đường hỏng đường Trần Hưng Đạo",
            "Người dân gọi báo: cột đèn đường trên đường Trần Hưng Đạo gần chợ Long Xuyên bị hỏng hơn một tháng, buổi tối rất tối.",
        );
        second["channel"] = json!("hotline");
        second["petitioner"] =
            json!({"name": "Lê Thị Hoa", "phone": "0987 654 321", "email": "hoa.le@example.vn"});
        let (s, r) = post(&app, "/api/v1/petitions", &officer, second).await;
        assert_eq!(s, 201, "{r}");
        let similar = r["similar"].as_array().unwrap();
        assert!(
            similar
                .iter()
                .any(|x| x["tracking_code"] == first_code.as_str()),
            "{r}"
        );
        let second_code = r["tracking_code"].as_str().unwrap().to_string();
        let second_id = r["id"].as_i64().unwrap();
        let p = staff_view(&app, &body.token, second_id).await;
        assert_eq!(p["channel"], "hotline");
        assert!(
            p["similar"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == first_id),
            "{p}"
        );
        // Something unrelated is not offered.
        let mut unrelated = form(
            "petition",
            "Đề nghị hỗ trợ hộ nghèo sửa nhà",
            "Gia đình tôi thuộc hộ nghèo, mái nhà dột nát, xin được hỗ trợ theo chương trình xóa nhà tạm.",
        );
        unrelated["channel"] = json!("reception");
        let (s, r) = post(&app, "/api/v1/petitions", &officer, unrelated).await;
        assert_eq!(s, 201);
        assert!(
            r["similar"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["tracking_code"] != first_code.as_str()
                    && x["tracking_code"] != second_code.as_str()),
            "{r}"
        );

        // Merge the second into the first.
        let (s, e) = act(
            &app,
            &body.token,
            second_id,
            json!({"action": "merge", "into": second_code}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("merge_not_allowed"))
        );
        let (s, p) = act(
            &app,
            &body.token,
            second_id,
            json!({"action": "merge", "into": first_code.to_lowercase()}),
        )
        .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["state"], "merged");
        assert_eq!(p["merged_into"], first_id);
        let (s, e) = act(&app, &body.token, second_id, json!({"action": "accept"})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("petition_illegal_step"))
        );
        let seen = public_view(&app, &second_code).await;
        assert_eq!(seen["merged_into"], first_code.as_str());
        assert_eq!(seen["state"], "received", "the case's state");
        // A third report of the same matter is shown the case, not the petition merged
        // into it (the server's kept list of open cases still holds it).
        let mut third = form(
            "feedback",
            "Đèn đường Trần Hưng Đạo vẫn hỏng",
            "Cột đèn đường trên đường Trần Hưng Đạo gần chợ Long Xuyên bị hỏng hơn một tháng, buổi tối rất tối và nguy hiểm.",
        );
        third["channel"] = json!("hotline");
        third["petitioner"] = json!({"name": "Trần Văn Út", "phone": "0912 345 678"});
        let (s, r) = post(&app, "/api/v1/petitions", &officer, third).await;
        assert_eq!(s, 201, "{r}");
        let offered: Vec<&str> = r["similar"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["tracking_code"].as_str().unwrap())
            .collect();
        assert!(offered.contains(&first_code.as_str()), "{r}");
        assert!(!offered.contains(&second_code.as_str()), "{r}");

        // The case answers for both; both petitioners now belong to it.
        let (s, _) = act(&app, &body.token, first_id, json!({"action": "accept"})).await;
        assert_eq!(s, 200);
        let answer = "Điện lực đã thay bóng cho ba cột đèn trên đường Trần Hưng Đạo.";
        let (s, p) = act(
            &app,
            &body.token,
            first_id,
            json!({"action": "answer", "answer": answer, "publish": false}),
        )
        .await;
        assert_eq!(s, 200, "{p}");
        let seen = public_view(&app, &second_code).await;
        assert_eq!(
            (&seen["state"], &seen["answer"]),
            (&json!("answered"), &json!(answer))
        );
        assert_eq!(seen["merged_into"], first_code.as_str());
        assert_eq!(
            (&seen["can_rate"], &seen["can_reopen"]),
            (&json!(false), &json!(false))
        );
        let history = actions(&seen["history"]);
        assert!(
            history.contains(&"merge".to_string()) && history.contains(&"answer".to_string()),
            "{history:?}"
        );
        let (s, e) = feedback(
            &app,
            &second_code,
            json!({"action": "rate", "satisfied": true}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("petition_merged"))
        );
        let (s, _) = act(&app, &body.token, first_id, json!({"action": "assign"})).await;
        assert_eq!(s, 409, "answered already");

        let (s, people) = get(
            &app,
            &format!("/api/v1/petitions/{first_id}/petitioners"),
            Some(&body.token),
        )
        .await;
        assert_eq!(s, 200, "{people}");
        let people = people.as_array().unwrap();
        assert_eq!(people.len(), 2, "{people:?}");
        assert!(
            people
                .iter()
                .any(|p| p["name"] == NAME && p["joined_by_merge"] == false)
        );
        assert!(
            people
                .iter()
                .any(|p| p["name"] == "Lê Thị Hoa" && p["joined_by_merge"] == true)
        );
        let (s, left) = get(
            &app,
            &format!("/api/v1/petitions/{second_id}/petitioners"),
            Some(&body.token),
        )
        .await;
        assert_eq!((s, left.as_array().unwrap().len()), (200, 0));
        // A merged petition counts once, with its case.
        let row = body_stats(&app, body.org).await;
        assert_eq!(
            row["received"], 3,
            "first, the unrelated one and the third report: {row}"
        );
    });
}

#[tokio::test]
async fn a_denouncer_is_protected() {
    each_backend_with!(roomy(), |app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let body = body_with_handler(
            &app,
            &admin,
            "Thanh tra phường Long Xuyên",
            "thanhtra.longxuyen",
        )
        .await;
        route_long_xuyen(&app, &admin, body.org).await;
        let secret_name = "Trương Thị Kín Đáo";
        let mut d = form(
            "denunciation",
            "Tố cáo cán bộ địa chính nhận tiền",
            "Tôi tố cáo cán bộ địa chính phường nhận tiền để làm nhanh hồ sơ cấp giấy chứng nhận.",
        );
        d["field"] = json!("officials_conduct");
        d["petitioner"] = json!({"name": secret_name, "phone": "0901 222 333", "email": "kin.dao@example.vn",
            "address": "Hẻm 7 Lý Thái Tổ"});
        let r = submit(&app, d).await;
        let id = r["id"].as_i64().unwrap();
        let views = || {
            sql_count(
                &app,
                format!(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'petition.view_petitioner' AND entity_id = '{id}'"
                ),
            )
        };
        let path = format!("/api/v1/petitions/{id}/petitioners");

        // The officer sees the case, but not who brought it; nor does an unassigned handler.
        assert_eq!(staff_view(&app, &officer, id).await["kind"], "denunciation");
        for t in [&officer, &body.token] {
            let (s, e) = get(&app, &path, Some(t)).await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (403, Some("denouncer_protected"))
            );
            assert!(!e.to_string().contains(secret_name));
        }
        assert_eq!(views().await, 0, "a refused view reveals nothing to log");

        // The province admin may look, and it is logged.
        let (s, people) = get(&app, &path, Some(&admin)).await;
        assert_eq!(s, 200, "{people}");
        assert_eq!(people[0]["name"], secret_name);
        assert_eq!(people[0]["phone"], "0901222333");
        assert_eq!(people[0]["email"], "kin.dao@example.vn");
        assert_eq!(people[0]["address"], "Hẻm 7 Lý Thái Tổ");
        assert_eq!(views().await, 1);

        // The assigned handler may too.
        assert_eq!(
            act(&app, &body.token, id, json!({"action": "accept"}))
                .await
                .0,
            200
        );
        assert_eq!(
            act(&app, &body.token, id, json!({"action": "assign"}))
                .await
                .0,
            200
        );
        let (s, people) = get(&app, &path, Some(&body.token)).await;
        assert_eq!((s, &people[0]["name"]), (200, &json!(secret_name)));
        assert_eq!(views().await, 2);
        let (s, _) = get(&app, &path, Some(&officer)).await;
        assert_eq!(s, 403, "still not the officer");
        assert_eq!(views().await, 2);

        // A denunciation may be extended twice by 30 days, with a reason, and no more.
        let (s, e) = act(&app, &body.token, id, json!({"action": "extend"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("required")));
        for n in 1..=2 {
            let due = date(&staff_view(&app, &body.token, id).await["due_date"]);
            let (s, p) = act(
                &app,
                &body.token,
                id,
                json!({"action": "extend", "reason": "Vụ việc phức tạp, cần xác minh thêm"}),
            )
            .await;
            assert_eq!(s, 200, "{p}");
            assert_eq!(p["extensions"], n);
            assert_eq!(p["due_date"], deadline(&app, due, 30, false).await.as_str());
        }
        let (s, e) = act(
            &app,
            &body.token,
            id,
            json!({"action": "extend", "reason": "Lần thứ ba"}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("no_more_extensions"))
        );

        // At rest the contact details are sealed; the audit trail keeps none of them.
        let sealed = sql_strings(
            &app,
            format!("SELECT sealed FROM petitioners WHERE petition_id = {id}"),
        )
        .await;
        assert_eq!(sealed.len(), 1);
        for plain in [secret_name, "Trương", "0901222333", "kin.dao", "Lý Thái Tổ"] {
            assert!(!sealed[0].contains(plain), "{plain} in {}", sealed[0]);
        }
        let trail = sql_strings(
            &app,
            "SELECT COALESCE(after_json, '') FROM audit_log".to_string(),
        )
        .await
        .join("\n");
        assert!(!trail.contains(secret_name) && !trail.contains("0901222333"));

        // Feedback about an ordinary petition: the officer of the commune may see who sent it.
        let r = submit(&app, flooding()).await;
        let (s, people) = get(
            &app,
            &format!("/api/v1/petitions/{}/petitioners", r["id"]),
            Some(&officer),
        )
        .await;
        assert_eq!((s, &people[0]["name"]), (200, &json!(NAME)));
        assert_eq!(
            people[0]["consent_version"].as_str().map(|v| !v.is_empty()),
            Some(true)
        );
    });
}

/// The last working day before `day`.
async fn working_day_before(app: &common::TestApp, day: NaiveDate) -> NaiveDate {
    let cal = danvan_storage::calendar::work_calendar(app.db())
        .await
        .unwrap();
    let mut d = day - Duration::days(1);
    while !cal.is_working_day(d) {
        d -= Duration::days(1);
    }
    d
}

/// Moves the app's clock forward to `day` (Vietnam time).
fn move_to(app: &common::TestApp, day: NaiveDate) {
    let today = app.state.clock.today();
    assert!(day >= today, "the clock only moves forward");
    app.state.clock.advance(day - today);
    assert_eq!(app.state.clock.today(), day);
}

#[tokio::test]
async fn reminders_and_escalation_fire_once() {
    each_backend_with!(roomy(), |app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let body = body_with_handler(
            &app,
            &admin,
            "Phòng Kinh tế, Hạ tầng và Đô thị phường Long Xuyên",
            "xuly.longxuyen",
        )
        .await;
        route_long_xuyen(&app, &admin, body.org).await;
        let db = app.db().clone();
        let clock = app.state.clock.clone();
        let sweep = || danvan_jobs::deadlines::sweep(&db, &clock, false);
        // Whatever else is open (the demo's cases) is swept first, so what follows is ours.
        sweep().await.unwrap();

        let r = submit(&app, flooding()).await;
        let id = r["id"].as_i64().unwrap();
        let code = r["tracking_code"].as_str().unwrap().to_string();
        let accept_due = date(&r["accept_due"]);
        let alerts = || {
            sql_count(
                &app,
                format!("SELECT COUNT(*) FROM petition_alerts WHERE petition_id = {id}"),
            )
        };

        // Today: nothing is near its deadline.
        let s = sweep().await.unwrap();
        assert_eq!((s.reminders, s.escalations), (0, 0));
        assert_eq!(alerts().await, 0);
        assert_eq!(
            notes(&app, &body.token, "petition_reminder", &code).await,
            0
        );

        // One working day before the acceptance deadline: one reminder, to the body's handler
        // and the commune's officer.
        move_to(&app, working_day_before(&app, accept_due).await);
        let all_before = app.count("petition_alerts").await;
        let s = sweep().await.unwrap();
        assert_eq!(alerts().await, 1);
        assert_eq!(
            (s.reminders + s.escalations) as i64,
            app.count("petition_alerts").await - all_before,
            "the sweep reports what it raised"
        );
        assert_eq!(
            notes(&app, &body.token, "petition_reminder", &code).await,
            1
        );
        assert_eq!(notes(&app, &officer, "petition_reminder", &code).await, 1);
        assert_eq!(notes(&app, &admin, "petition_reminder", &code).await, 0);
        let p = staff_view(&app, &body.token, id).await;
        assert_eq!(p["escalation_level"], 0);
        assert_eq!(p["overdue"], false);

        // Again, and on two "servers" at once: nothing more.
        let s = sweep().await.unwrap();
        assert_eq!(s, Default::default());
        let (x, y) = tokio::join!(sweep(), sweep());
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(x.reminders + y.reminders + x.escalations + y.escalations, 0);
        assert_eq!(alerts().await, 1);
        assert_eq!(
            notes(&app, &body.token, "petition_reminder", &code).await,
            1
        );
        let seen = public_view(&app, &code).await;
        assert!(
            !actions(&seen["history"]).contains(&"reminder".to_string()),
            "reminders are internal"
        );

        // Past the deadline: one escalation, to the level above as well.
        move_to(&app, accept_due + Duration::days(1));
        let all_before = app.count("petition_alerts").await;
        let (x, y) = tokio::join!(sweep(), sweep());
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(alerts().await, 2);
        assert_eq!(
            (x.escalations + y.escalations + x.reminders + y.reminders) as i64,
            app.count("petition_alerts").await - all_before
        );
        let p = staff_view(&app, &body.token, id).await;
        assert_eq!(p["escalation_level"], 1);
        assert_eq!(p["overdue"], true);
        let seen = public_view(&app, &code).await;
        assert_eq!(seen["overdue"], true);
        let history = actions(&seen["history"]);
        assert_eq!(
            history.iter().filter(|a| *a == "escalated").count(),
            1,
            "{history:?}"
        );
        assert_eq!(notes(&app, &admin, "petition_escalation", &code).await, 1);
        assert_eq!(
            notes(&app, &body.token, "petition_escalation", &code).await,
            1
        );
        assert_eq!(notes(&app, &officer, "petition_escalation", &code).await, 1);
        let (s, overdue) = get(&app, "/api/v1/petitions?overdue=true", Some(&body.token)).await;
        assert_eq!(s, 200);
        assert!(ids(&overdue).contains(&id));
        let escalations = sql_count(
            &app,
            format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'petition.escalate' AND entity_id = '{id}'"
            ),
        )
        .await;
        assert_eq!(escalations, 1);

        // And once only.
        let s = sweep().await.unwrap();
        assert_eq!(s, Default::default());
        move_to(&app, accept_due + Duration::days(2));
        sweep().await.unwrap();
        assert_eq!(alerts().await, 2);
        assert_eq!(
            staff_view(&app, &body.token, id).await["escalation_level"],
            1
        );
        assert_eq!(notes(&app, &admin, "petition_escalation", &code).await, 1);

        // Accepted late: the resolution deadline is a new one, reminded in its own time.
        let (s, p) = act(&app, &body.token, id, json!({"action": "accept"})).await;
        assert_eq!(s, 200, "{p}");
        sweep().await.unwrap();
        assert_eq!(alerts().await, 2, "the resolution deadline is far away");
    });
}

#[tokio::test]
async fn reminders_and_answers_go_out_by_mail() {
    let sink = danvan_mail::sink::SmtpSink::start().await;
    each_backend_with!(
        Config {
            mail_enabled: true,
            petition_limit: 1000,
            ..Default::default()
        },
        |app| {
            sink.clear().await;
            let admin = app.token("demo.tinh").await;
            let body = body_with_handler(
                &app,
                &admin,
                "Phòng Kinh tế, Hạ tầng và Đô thị phường Long Xuyên",
                "xuly.longxuyen",
            )
            .await;
            route_long_xuyen(&app, &admin, body.org).await;
            let mut tx = app.db().begin().await.unwrap();
            danvan_storage::petitions::set_account_email(
                &mut tx,
                body.handler_id,
                Some("xuly.longxuyen@example.vn"),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            let mailer = danvan_mail::Mailer::new(&danvan_mail::MailConfig {
                url: sink.url(),
                from: "Dân vận khéo <noreply@danvan.example>".into(),
            })
            .unwrap();
            let runner = danvan_jobs::Runner {
                handler: None,
                db: app.db().clone(),
                clock: app.state.clock.clone(),
                mailer: Some(mailer),
            };
            // Whatever the demo has queued or due goes out first.
            danvan_jobs::deadlines::sweep(app.db(), &app.state.clock, true)
                .await
                .unwrap();
            danvan_jobs::drain(&runner, "worker").await.unwrap();
            sink.clear().await;

            let r = submit(&app, flooding()).await;
            let id = r["id"].as_i64().unwrap();
            let code = r["tracking_code"].as_str().unwrap().to_string();
            move_to(&app, working_day_before(&app, date(&r["accept_due"])).await);
            let s = danvan_jobs::deadlines::sweep(app.db(), &app.state.clock, true)
                .await
                .unwrap();
            assert!(s.reminders >= 1);
            danvan_jobs::drain(&runner, "worker").await.unwrap();
            let mails = sink.wait_for(1, std::time::Duration::from_secs(5)).await;
            let mine: Vec<_> = mails
                .iter()
                .filter(|m| m.subject().unwrap_or_default().contains(&code))
                .collect();
            assert_eq!(mine.len(), 1, "{mails:?}");
            assert_eq!(mine[0].to, ["xuly.longxuyen@example.vn"]);
            assert!(mine[0].subject().unwrap().contains("sắp đến hạn"));
            assert!(mine[0].text().unwrap().contains(&format!("/xu-ly/{id}")));
            // A second sweep and drain send nothing more.
            danvan_jobs::deadlines::sweep(app.db(), &app.state.clock, true)
                .await
                .unwrap();
            danvan_jobs::drain(&runner, "worker").await.unwrap();
            assert_eq!(
                sink.messages()
                    .await
                    .iter()
                    .filter(|m| m.subject().unwrap_or_default().contains(&code))
                    .count(),
                1
            );

            // The answer reaches the citizen who left an e-mail address.
            sink.clear().await;
            for step in [
                json!({"action": "accept"}),
                json!({"action": "answer", "answer": "Đã nạo vét cống thoát nước trước chợ.", "publish": true}),
            ] {
                let (s, p) = act(&app, &body.token, id, step).await;
                assert_eq!(s, 200, "{p}");
            }
            danvan_jobs::drain(&runner, "worker").await.unwrap();
            let mails = sink.wait_for(1, std::time::Duration::from_secs(5)).await;
            let to_citizen: Vec<_> = mails.iter().filter(|m| m.to == [EMAIL]).collect();
            assert_eq!(to_citizen.len(), 1, "{mails:?}");
            assert!(to_citizen[0].subject().unwrap().contains(&code));
            let text = to_citizen[0].text().unwrap();
            assert!(
                text.contains("Đã nạo vét cống thoát nước trước chợ."),
                "{text}"
            );
            assert!(text.contains(&format!("/kien-nghi/{code}")), "{text}");
            assert_eq!(
                sql_count(
                    &app,
                    "SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND finished_at IS NULL".into()
                )
                .await,
                0,
                "every mail job finished"
            );
        }
    );
}

/// The province's queue holds every petition (its scope is the whole tree, so no unit list
/// restricts it), open ones first by due date, then the others; a commune officer's holds
/// only its commune's.
#[tokio::test]
async fn the_province_queue_holds_every_petition_most_urgent_first() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let mut made = Vec::new();
        for _ in 0..3 {
            made.push(submit(&app, flooding()).await["id"].as_i64().unwrap());
        }
        let (answered, later, sooner) = (made[0], made[1], made[2]);
        let mut elsewhere = flooding();
        elsewhere["unit_code"] = json!("30538");
        let elsewhere = submit(&app, elsewhere).await["id"].as_i64().unwrap();
        app.exec(&format!(
            "UPDATE petitions SET state = 'answered', due_on = '2000-01-01' WHERE id = {answered};
             UPDATE petitions SET due_on = '2000-01-10' WHERE id = {later};
             UPDATE petitions SET due_on = '2000-01-05' WHERE id = {sooner}"
        ))
        .await;
        let (s, page) = get(&app, "/api/v1/petitions", Some(&admin)).await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["total"].as_i64(), Some(app.count("petitions").await));
        let order = ids(&page);
        let at = |id: i64| order.iter().position(|&x| x == id).unwrap();
        // The long-overdue ones lead; the answered one, however old its date, follows them.
        assert!(at(sooner) < at(later), "{order:?}");
        assert!(at(later) < at(answered), "{order:?}");
        let items = page["items"].as_array().unwrap();
        let open = |p: &Value| {
            ["received", "accepted", "assigned"].contains(&p["state"].as_str().unwrap())
        };
        let first_closed = items.iter().position(|p| !open(p)).unwrap_or(items.len());
        assert!(items[first_closed..].iter().all(|p| !open(p)), "{order:?}");
        let dues: Vec<&str> = items[..first_closed]
            .iter()
            .map(|p| p["due_date"].as_str().unwrap())
            .collect();
        assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");

        let officer = app.token("demo.longxuyen").await;
        let (_, theirs) = get(&app, "/api/v1/petitions", Some(&officer)).await;
        assert!(ids(&page).contains(&elsewhere));
        assert!(!ids(&theirs).contains(&elsewhere), "{theirs}");
        assert!(ids(&theirs).contains(&sooner), "{theirs}");
        assert!(
            theirs["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["unit_code"] == "30307"),
            "{theirs}"
        );
    });
}

/// A tracking code that is already taken is refused without spoiling the transaction, so the
/// intake's retry with a fresh code succeeds on PostgreSQL too (where a failed statement
/// would abort everything after it).
#[tokio::test]
async fn a_taken_tracking_code_is_retried_in_the_same_transaction() {
    each_backend_with!(roomy(), |app| {
        let first = submit(&app, flooding()).await;
        let taken = first["tracking_code"].as_str().unwrap().to_string();
        let unit: i64 = sql_count(&app, "SELECT id FROM units WHERE code = '30307'".into()).await;
        let today = chrono::Utc::now().date_naive();
        let mut new = danvan_storage::petitions::NewPetition {
            tracking_code: taken.clone(),
            kind: "feedback".into(),
            topic: "environment".into(),
            unit_id: unit,
            channel: "web".into(),
            received_on: today,
            title: "Đèn đường hỏng ở khóm Bình Khánh".into(),
            content: "Đèn đường hỏng đã hai tuần, buổi tối rất tối.".into(),
            folded: "den duong hong o khom binh khanh".into(),
            organisation_id: None,
            accept_due: today,
            due_on: today,
            latitude: None,
            longitude: None,
            address_string: None,
            created_by: None,
        };
        let mut tx = app.db().begin().await.unwrap();
        match danvan_storage::petitions::create(&mut tx, &new).await {
            Err(danvan_storage::StoreError::Conflict(what)) => {
                assert_eq!(what, "tracking_code_taken")
            }
            other => panic!("a taken code must be a conflict, got {other:?}"),
        }
        new.tracking_code = danvan_domain::petition::new_tracking_code();
        let id = danvan_storage::petitions::create(&mut tx, &new)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let kept = sql_strings(
            &app,
            format!("SELECT tracking_code FROM petitions WHERE id = {id}"),
        )
        .await;
        assert_eq!(kept, vec![new.tracking_code.clone()]);
        assert_eq!(
            sql_count(
                &app,
                format!("SELECT COUNT(*) FROM petitions WHERE tracking_code = '{taken}'")
            )
            .await,
            1
        );
    });
}
