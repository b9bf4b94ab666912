//! The JSON API against the real server, on every backend.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Value, json};

#[tokio::test]
async fn units_as_they_stood_on_a_date() {
    each_backend!(|app| {
        let c = app.client();
        let old: Value = c
            .get(app.url("/api/v1/units?parent=89&at=2024-06-01"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let old = old.as_array().unwrap();
        assert_eq!(
            old.len(),
            11,
            "An Giang had 11 district-level units in 2024"
        );
        assert!(
            old.iter()
                .all(|u| u["level"] == "district" && u["parent_code"] == "89")
        );
        assert!(old.iter().any(|u| u["name"] == "Thành phố Long Xuyên"));

        let new: Value = c
            .get(app.url("/api/v1/units?parent=91&at=2026-01-01"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let new = new.as_array().unwrap();
        assert_eq!(new.len(), 102, "the new An Giang has 102 communes");
        assert!(
            new.iter()
                .all(|u| u["level"] == "commune" && u["parent_code"] == "91")
        );
        assert!(new.iter().any(|u| u["name"] == "Đặc khu Phú Quốc"));

        // Code 91 was Kiên Giang before the reform.
        let kg: Value = c
            .get(app.url("/api/v1/units?parent=91&at=2024-06-01"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            kg.as_array()
                .unwrap()
                .iter()
                .any(|u| u["name"] == "Thành phố Rạch Giá")
        );

        let provinces: Value = c
            .get(app.url("/api/v1/units?at=2026-01-01"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(provinces.as_array().unwrap().len(), 1);

        // An old commune and what it became.
        let my_binh: Value = c
            .get(app.url("/api/v1/units/30280?at=2024-06-01"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(my_binh["name"], "Phường Mỹ Bình");
        assert_eq!(my_binh["successors"][0]["name"], "Phường Long Xuyên");

        for (url, status, code) in [
            ("/api/v1/units?parent=91&at=2026-13-01", 422, "invalid_date"),
            ("/api/v1/units?parent=91&at=yesterday", 422, "invalid_date"),
            ("/api/v1/units?parent=99999&at=2026-01-01", 404, "not_found"),
            ("/api/v1/units/89?at=2026-01-01", 404, "not_found"),
        ] {
            let r = c.get(app.url(url)).send().await.unwrap();
            assert_eq!(r.status(), status, "{url}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], code, "{url}");
        }
    });
}

#[tokio::test]
async fn tokens_and_wrong_passwords() {
    each_backend!(|app| {
        let c = app.client();
        let wrong = |u: &str| json!({"username": u, "password": "not the password"});
        let r1 = c
            .post(app.url("/api/v1/auth/token"))
            .json(&wrong("demo.tinh"))
            .send()
            .await
            .unwrap();
        let r2 = c
            .post(app.url("/api/v1/auth/token"))
            .json(&wrong("nobody.here"))
            .send()
            .await
            .unwrap();
        assert_eq!(r1.status(), 401);
        assert_eq!(r2.status(), 401);
        let (b1, b2) = (r1.text().await.unwrap(), r2.text().await.unwrap());
        assert_eq!(b1, b2, "an unknown user and a wrong password answer alike");
        assert!(b1.contains("invalid_credentials"));

        let token = app.token("demo.tinh").await;
        let me: Value = c
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["username"], "demo.tinh");
        assert_eq!(me["grants"][0]["role"], "province_admin");
        assert_eq!(me["grants"][0]["unit_code"], "91");

        let r = c
            .delete(app.url("/api/v1/auth/token"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let r = c
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "a revoked token no longer works");
        let r = c
            .get(app.url("/api/v1/me"))
            .bearer_auth("made-up-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    });
}

#[tokio::test]
async fn repeated_failures_lock_the_account() {
    each_backend!(|app| {
        let c = app.client();
        let right = app.password_of("demo.longxuyen");
        for _ in 0..5 {
            let r = c
                .post(app.url("/api/v1/auth/token"))
                .json(&json!({"username": "demo.longxuyen", "password": "wrong password"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401);
        }
        let r = c
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"username": "demo.longxuyen", "password": right}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            401,
            "locked: even the right password is refused"
        );
        let account = danvan_storage::accounts::by_username(app.db(), "demo.longxuyen")
            .await
            .unwrap()
            .unwrap();
        assert!(account.is_locked(danvan_storage::now()));
        let audit = danvan_storage::audit::list(
            app.db(),
            &danvan_storage::audit::AuditFilter {
                action: Some("account.lock".into()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(audit.1, 1, "the lock-out is in the audit trail");
    });
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address() {
    each_backend!(|app| {
        let c = app.client();
        let mut statuses = Vec::new();
        for i in 0..22 {
            let r = c
                .post(app.url("/api/v1/auth/token"))
                .json(&json!({"username": format!("guess{i}"), "password": "whatever-it-is"}))
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");
        assert_eq!(statuses[21], 429, "{statuses:?}");
    });
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    each_backend!(|app| {
        let c = app.client();
        let token = app.token("demo.tinh").await;
        let orgs_before = app.count("organisations").await;
        let audit_before = app.count("audit_log").await;
        let post = |body: reqwest::Body, ct: &'static str| {
            c.post(app.url("/api/v1/organisations"))
                .bearer_auth(&token)
                .header("content-type", ct)
                .body(body)
        };
        let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
            (
                post(
                    json!({"name": "x".repeat(301), "kind": "agency", "unit_code": "30307"})
                        .to_string()
                        .into(),
                    "application/json",
                ),
                422,
                "too_long",
            ),
            (
                post(
                    json!({"name": "Hội Cựu chiến binh", "kind": "agency", "unit_code": "00000"})
                        .to_string()
                        .into(),
                    "application/json",
                ),
                422,
                "unknown_unit",
            ),
            (
                post(
                    json!({"name": "Hội Cựu chiến binh", "kind": "club", "unit_code": "30307"})
                        .to_string()
                        .into(),
                    "application/json",
                ),
                422,
                "unknown_kind",
            ),
            (
                post(
                    json!({"name": "", "kind": "club", "unit_code": ""})
                        .to_string()
                        .into(),
                    "application/json",
                ),
                422,
                "validation_failed",
            ),
            (
                post(
                    b"{\"name\": \"\xff\xfe\", \"kind\": \"agency\", \"unit_code\": \"30307\"}"
                        .to_vec()
                        .into(),
                    "application/json",
                ),
                400,
                "malformed_json",
            ),
            (
                post("{\"name\": ".into(), "application/json"),
                400,
                "malformed_json",
            ),
            (
                post(json!({"name": 5}).to_string().into(), "application/json"),
                400,
                "invalid_json_fields",
            ),
            (
                post("name=x".into(), "application/x-www-form-urlencoded"),
                415,
                "unsupported_media_type",
            ),
            (
                post(vec![b'a'; 2 * 1024 * 1024].into(), "application/json"),
                413,
                "payload_too_large",
            ),
        ];
        for (req, status, code) in cases {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), status, "expected {code}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], code);
            assert!(
                body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
        let r = c
            .get(app.url("/api/v1/organisations/not-a-number"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let r = c
            .get(app.url("/api/v1/audit?from=31/02/2025"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(
            app.count("organisations").await,
            orgs_before,
            "nothing was written"
        );
        assert_eq!(
            app.count("audit_log").await,
            audit_before,
            "nothing was audited"
        );

        // The valid request goes through and is audited.
        let r = post(json!({"name": "Hội Cựu chiến binh phường Long Xuyên", "kind": "mass_organisation", "unit_code": "30307"}).to_string().into(), "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let org: Value = r.json().await.unwrap();
        assert_eq!(org["unit_name"], "Phường Long Xuyên");
        assert_eq!(app.count("organisations").await, orgs_before + 1);
        assert_eq!(app.count("audit_log").await, audit_before + 1);
    });
}

#[tokio::test]
async fn accounts_are_created_and_disabled_by_the_admin() {
    each_backend!(|app| {
        let c = app.client();
        let admin = app.token("demo.tinh").await;
        let r = c
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(&admin)
            .json(&json!({"username": "canbo.ocEo", "display_name": "Đặng Văn Lành", "role": "unit_officer", "unit_code": "30688"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let created: Value = r.json().await.unwrap();
        assert_eq!(created["username"], "canbo.oceo");
        let password = created["password"].as_str().unwrap().to_string();
        let id = created["id"].as_i64().unwrap();

        let dup = c
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(&admin)
            .json(&json!({"username": "canbo.oceo", "display_name": "X", "role": "unit_officer", "unit_code": "30688"}))
            .send()
            .await
            .unwrap();
        assert_eq!(dup.status(), 409);

        let needs_org = c
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(&admin)
            .json(&json!({"username": "baocao.x", "display_name": "X", "role": "reporter", "unit_code": "30688"}))
            .send()
            .await
            .unwrap();
        assert_eq!(needs_org.status(), 422);

        let r = c
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"username": "canbo.oceo", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let officer: Value = r.json().await.unwrap();
        let officer = officer["token"].as_str().unwrap().to_string();

        let r = c
            .post(app.url(&format!("/api/v1/accounts/{id}/disable")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = c
            .get(app.url("/api/v1/me"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "a disabled account's tokens stop working");

        let me: Value = c
            .get(app.url("/api/v1/me"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = c
            .post(app.url(&format!("/api/v1/accounts/{}/disable", me["id"])))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409, "the admin cannot lock themselves out");
    });
}

#[tokio::test]
async fn openapi_documents_every_route() {
    each_backend!(|app| {
        let doc: Value = app
            .client()
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths: std::collections::BTreeSet<String> =
            doc["paths"].as_object().unwrap().keys().cloned().collect();
        let expected: std::collections::BTreeSet<String> =
            common_routes().iter().map(|(_, p)| p.to_string()).collect();
        assert_eq!(paths, expected);
        for (method, path) in common_routes() {
            assert!(
                doc["paths"][path][method.to_lowercase()].is_object(),
                "{method} {path} documented"
            );
        }
    });
}

/// Every API route (method, documented path).
fn common_routes() -> Vec<(&'static str, &'static str)> {
    vec![
        ("POST", "/api/v1/auth/token"),
        ("DELETE", "/api/v1/auth/token"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/me/password"),
        ("GET", "/api/v1/units"),
        ("GET", "/api/v1/units/{code}"),
        ("GET", "/api/v1/organisations"),
        ("POST", "/api/v1/organisations"),
        ("GET", "/api/v1/organisations/{id}"),
        ("GET", "/api/v1/accounts"),
        ("POST", "/api/v1/accounts"),
        ("POST", "/api/v1/accounts/{id}/disable"),
        ("POST", "/api/v1/accounts/{id}/enable"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/audit/verify"),
        ("GET", "/api/v1/campaigns"),
        ("POST", "/api/v1/campaigns"),
        ("GET", "/api/v1/campaigns/{id}"),
        ("GET", "/api/v1/initiatives"),
        ("POST", "/api/v1/initiatives"),
        ("GET", "/api/v1/initiatives/{id}"),
        ("PUT", "/api/v1/initiatives/{id}"),
        ("POST", "/api/v1/initiatives/{id}/transitions"),
        ("GET", "/api/v1/initiatives/{id}/reports"),
        ("POST", "/api/v1/initiatives/{id}/reports"),
        ("POST", "/api/v1/reports/{id}/review"),
        ("GET", "/api/v1/initiatives/{id}/evidence"),
        ("POST", "/api/v1/initiatives/{id}/evidence"),
        ("GET", "/api/v1/results"),
        ("GET", "/api/v1/calendar/deadline"),
        ("GET", "/api/v1/calendar/holidays"),
        ("GET", "/api/v1/calendar/days"),
        ("POST", "/api/v1/calendar/days"),
        ("DELETE", "/api/v1/calendar/days/{date}"),
        ("POST", "/api/v1/councils"),
        ("GET", "/api/v1/councils"),
        ("GET", "/api/v1/councils/{id}"),
        ("POST", "/api/v1/councils/{id}/members"),
        ("POST", "/api/v1/councils/{id}/assignments"),
        ("POST", "/api/v1/councils/{id}/scores"),
        ("POST", "/api/v1/councils/{id}/close"),
        ("POST", "/api/v1/decisions"),
        ("GET", "/api/v1/decisions"),
        ("GET", "/api/v1/decisions/{id}"),
        ("POST", "/api/v1/decisions/{id}/issue"),
        ("GET", "/api/v1/honour-roll"),
        ("GET", "/api/v1/petitions"),
        ("POST", "/api/v1/petitions"),
        ("GET", "/api/v1/petitions/{key}"),
        ("POST", "/api/v1/petitions/{key}/actions"),
        ("GET", "/api/v1/petitions/{key}/petitioners"),
        ("POST", "/api/v1/petitions/{key}/feedback"),
        ("POST", "/api/v1/petitions/{key}/my-data"),
        ("GET", "/api/v1/petition-stats"),
        ("GET", "/api/v1/petition-answers"),
        ("GET", "/api/v1/routing-rules"),
        ("POST", "/api/v1/routing-rules"),
        ("DELETE", "/api/v1/routing-rules/{id}"),
        ("GET", "/api/v1/time-limits"),
        ("PUT", "/api/v1/time-limits"),
        ("GET", "/api/v1/notifications"),
        ("POST", "/api/v1/notifications/read"),
        ("POST", "/api/v1/open311-keys"),
        ("GET", "/api/v1/search"),
        ("GET", "/api/v1/dashboard"),
        ("GET", "/api/v1/reports/campaigns/{id}.pdf"),
        ("GET", "/api/v1/decisions/{id}/document.pdf"),
        ("GET", "/api/v1/decisions/{id}/certificates.pdf"),
        ("GET", "/api/v1/councils/{id}/minutes.pdf"),
        ("GET", "/api/v1/petitions/{key}/reply.pdf"),
        ("GET", "/api/v1/imports/{kind}/template"),
        ("POST", "/api/v1/imports/{kind}"),
        ("POST", "/api/v1/stories"),
        ("GET", "/api/v1/stories"),
        ("GET", "/api/v1/stories/{id}"),
        ("PUT", "/api/v1/stories/{id}"),
        ("POST", "/api/v1/stories/{id}/transitions"),
        ("POST", "/api/v1/stories/{id}/photos"),
        ("GET", "/api/v1/exports"),
        ("GET", "/api/v1/exports/{id}"),
        ("GET", "/api/v1/exports/{id}/file"),
        ("GET", "/api/v1/households"),
        ("POST", "/api/v1/households"),
        ("GET", "/api/v1/drives"),
        ("POST", "/api/v1/drives"),
        ("GET", "/api/v1/drives/{id}"),
        ("POST", "/api/v1/drives/{id}/deliveries"),
        ("GET", "/api/v1/drives/{id}/coverage"),
        ("GET", "/api/v1/contributions"),
        ("POST", "/api/v1/contributions"),
        ("GET", "/api/v1/contributions/totals"),
        ("GET", "/api/v1/support/totals"),
    ]
}

#[tokio::test]
async fn operations_endpoints() {
    each_backend!(|app| {
        let c = app.client();
        let h: Value = c
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(h["status"], "ok");
        let _ = c.get(app.url("/")).send().await.unwrap();
        let m = c
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(m.contains("danvan_http_requests_total"), "{m}");
        assert!(m.contains("route=\"/\""));
        assert!(
            m.contains("danvan_accounts 9"),
            "seven demo accounts and two more council members: {m}"
        );
    });
}

#[tokio::test]
async fn the_calendar_counts_like_the_civil_code() {
    each_backend!(|app| {
        let c = app.client();
        // Wednesday 5 March 2025 + 10 days ends on Saturday 15 March: due Monday 17 March.
        let d: Value = c
            .get(app.url("/api/v1/calendar/deadline?from=2025-03-05&days=10"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["due"], "2025-03-17");
        // Across Tết 2025 (28 January – 1 February, and Monday 3 February in compensation).
        let d: Value = c
            .get(app.url("/api/v1/calendar/deadline?from=2025-01-24&days=5&working=true"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["due"], "2025-02-07");
        let h: Value = c
            .get(app.url("/api/v1/calendar/holidays?year=2026"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let days: Vec<&str> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["date"].as_str().unwrap())
            .collect();
        assert!(days.contains(&"2026-02-17"), "Tết 2026: {days:?}");
        assert!(
            days.contains(&"2026-04-26") && days.contains(&"2026-04-27"),
            "Giỗ Tổ on a Sunday, and Monday off"
        );
        // The province enters a Tết swap: Monday 9 March 2026 off, Saturday 14 March worked.
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let before = app.count("calendar_days").await;
        let day = |date: &str, kind: &str| json!({"date": date, "kind": kind, "reason": "Hoán đổi ngày làm việc theo thông báo của tỉnh"});
        let post_day = |token: Option<&str>, body: Value| {
            let mut r = c.post(app.url("/api/v1/calendar/days")).json(&body);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            r.send()
        };
        assert_eq!(
            post_day(Some(&officer), day("2026-03-09", "day_off"))
                .await
                .unwrap()
                .status(),
            403
        );
        assert_eq!(
            post_day(None, day("2026-03-09", "day_off"))
                .await
                .unwrap()
                .status(),
            401
        );
        assert_eq!(
            post_day(Some(&admin), day("2026-03-09", "holiday"))
                .await
                .unwrap()
                .status(),
            422
        );
        assert_eq!(
            post_day(Some(&admin), day("2026-02-30", "day_off"))
                .await
                .unwrap()
                .status(),
            422
        );
        assert_eq!(
            app.count("calendar_days").await,
            before,
            "refusals write nothing"
        );
        for (date, kind) in [("2026-03-09", "day_off"), ("2026-03-14", "workday")] {
            assert_eq!(
                post_day(Some(&admin), day(date, kind))
                    .await
                    .unwrap()
                    .status(),
                201
            );
        }
        let app_ref = &app;
        let due = move |url: &'static str| async move {
            let d: Value = app_ref
                .client()
                .get(app_ref.url(url))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            d["due"].as_str().unwrap().to_string()
        };
        assert_eq!(
            due("/api/v1/calendar/deadline?from=2026-03-06&days=1&working=true").await,
            "2026-03-10",
            "Monday 9 March is now a day off"
        );
        assert_eq!(
            due("/api/v1/calendar/deadline?from=2026-03-13&days=1&working=true").await,
            "2026-03-14",
            "Saturday 14 March is worked"
        );
        let r = c
            .delete(app.url("/api/v1/calendar/days/2026-03-09"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(
            due("/api/v1/calendar/deadline?from=2026-03-06&days=1&working=true").await,
            "2026-03-09"
        );
        let r = c
            .delete(app.url("/api/v1/calendar/days/2026-03-09"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        for (url, status) in [
            ("/api/v1/calendar/deadline?from=2025-02-30&days=3", 422),
            ("/api/v1/calendar/deadline?from=2025-01-01&days=-3", 400),
            ("/api/v1/calendar/deadline?from=2025-01-01&days=99999", 422),
            ("/api/v1/calendar/holidays?year=abc", 400),
            ("/api/v1/calendar/holidays?year=3000", 422),
        ] {
            let r = c.get(app.url(url)).send().await.unwrap();
            assert_eq!(r.status(), status, "{url}");
            let body: Value = r.json().await.unwrap();
            assert!(body["error"]["code"].is_string(), "{url}");
        }
    });
}
