//! The policy layer, route by route: anonymous callers, officers confined to their subtree,
//! read-only supervisors, and the province administrator.
#![allow(clippy::unwrap_used)]

mod common;

use danvan_storage::audit::Actor;
use danvan_web::service::accounts::{NewAccount, provision, validate_new};
use serde_json::{Value, json};

async fn org_id(app: &common::TestApp, token: &str, name_part: &str) -> i64 {
    let list: Value = app
        .client()
        .get(app.url("/api/v1/organisations"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"].as_str().unwrap().contains(name_part))
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// (method, path, body, status for the officer, the supervisor, the reporter)
type SignedCase = (&'static str, String, Option<Value>, u16, u16, u16);

/// Sends one request and returns its status.
async fn status(
    app: &common::TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> u16 {
    let c = app.client();
    let mut req = match method {
        "GET" => c.get(app.url(path)),
        "POST" => c.post(app.url(path)),
        "DELETE" => c.delete(app.url(path)),
        "PUT" => c.put(app.url(path)),
        other => panic!("{other}"),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    } else if method == "POST" || method == "PUT" {
        req = req.json(&json!({}));
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_route_checks_role_and_scope() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let supervisor = app.token("demo.mttq").await;
        let reporter = app.token("demo.hoinongdan").await;
        let inside = org_id(&app, &admin, "Hội Nông dân phường Long Xuyên").await;
        let outside = org_id(&app, &admin, "Rạch Giá").await;
        let some_account = 2;
        // A returned registration in Núi Cấm: outside the Long Xuyên officer's and reporter's reach.
        let all: Value = app
            .client()
            .get(app.url("/api/v1/initiatives?state=returned"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let returned = all["items"][0]["id"].as_i64().unwrap();
        let moves = json!({"action": "approve"});
        // An open petition about Núi Cấm: outside the Long Xuyên officer's reach.
        let cases: Value = app
            .client()
            .get(app.url("/api/v1/petitions?open=true"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let far_case = cases["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["unit_code"] == "30538")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let unknown_code = "KN-2345-6789-ABCD";
        // Recorded by staff, about Rạch Giá: outside the officer's commune.
        let far_petition = json!({"kind": "feedback", "field": "other", "unit_code": "30742", "channel": "hotline",
            "title": "Phản ánh qua đường dây nóng", "content": "Nội dung phản ánh đủ dài để hợp lệ.",
            "petitioner": {"name": "Người dân", "phone": "0912 000 111"}, "consent": true});
        let rule = json!({"unit_code": "30307", "field": "*", "organisation_id": inside});
        let limit = json!({"kind": "feedback", "accept_days": 3, "accept_working": true, "resolve_days": 10,
            "resolve_working": true, "complex_days": 10, "extension_days": 0, "max_extensions": 0});
        let key = json!({"name": "Ứng dụng thử"});

        let org_in = json!({"name": "Chi hội Khuyến học khóm Bình Khánh", "kind": "collective", "unit_code": "30307"});
        let org_out = json!({"name": "Chi hội Khuyến học Rạch Giá", "kind": "collective", "unit_code": "30742"});
        let account = json!({"username": "moi.canbo", "display_name": "Cán bộ mới", "role": "unit_officer", "unit_code": "30307"});
        let pw =
            json!({"current_password": "sai mật khẩu rồi", "new_password": "mật khẩu mới đủ dài"});

        // (method, path, body, status for an anonymous caller)
        let mut matrix: Vec<(&str, String, Option<Value>, u16)> = vec![
            ("DELETE", "/api/v1/auth/token".into(), None, 401),
            ("GET", "/api/v1/me".into(), None, 401),
            ("POST", "/api/v1/me/password".into(), Some(pw.clone()), 401),
            ("GET", "/api/v1/units?parent=91".into(), None, 200),
            ("GET", "/api/v1/units/91".into(), None, 200),
            ("GET", "/api/v1/organisations".into(), None, 401),
            ("GET", format!("/api/v1/organisations/{inside}"), None, 401),
            (
                "POST",
                "/api/v1/organisations".into(),
                Some(org_in.clone()),
                401,
            ),
            ("GET", "/api/v1/accounts".into(), None, 401),
            (
                "POST",
                "/api/v1/accounts".into(),
                Some(account.clone()),
                401,
            ),
            (
                "POST",
                format!("/api/v1/accounts/{some_account}/disable"),
                None,
                401,
            ),
            (
                "POST",
                format!("/api/v1/accounts/{some_account}/enable"),
                None,
                401,
            ),
            ("GET", "/api/v1/audit".into(), None, 401),
            ("GET", "/api/v1/audit/verify".into(), None, 401),
            ("GET", "/api/v1/campaigns".into(), None, 200),
            ("POST", "/api/v1/campaigns".into(), None, 401),
            ("GET", "/api/v1/calendar/days".into(), None, 200),
            ("POST", "/api/v1/calendar/days".into(), None, 401),
            (
                "DELETE",
                "/api/v1/calendar/days/2026-03-09".into(),
                None,
                401,
            ),
            ("GET", "/api/v1/campaigns/1".into(), None, 200),
            ("GET", "/api/v1/initiatives".into(), None, 200),
            ("POST", "/api/v1/initiatives".into(), None, 401),
            ("GET", format!("/api/v1/initiatives/{returned}"), None, 404),
            ("PUT", format!("/api/v1/initiatives/{returned}"), None, 401),
            (
                "POST",
                format!("/api/v1/initiatives/{returned}/transitions"),
                None,
                401,
            ),
            (
                "GET",
                format!("/api/v1/initiatives/{returned}/reports"),
                None,
                404,
            ),
            (
                "POST",
                format!("/api/v1/initiatives/{returned}/reports"),
                None,
                401,
            ),
            ("POST", "/api/v1/reports/1/review".into(), None, 401),
            (
                "GET",
                format!("/api/v1/initiatives/{returned}/evidence"),
                None,
                404,
            ),
            (
                "POST",
                format!("/api/v1/initiatives/{returned}/evidence"),
                None,
                401,
            ),
            ("POST", "/api/v1/councils".into(), None, 401),
            ("GET", "/api/v1/councils/1".into(), None, 401),
            ("POST", "/api/v1/councils/1/members".into(), None, 401),
            ("POST", "/api/v1/councils/1/assignments".into(), None, 401),
            ("POST", "/api/v1/councils/1/scores".into(), None, 401),
            ("POST", "/api/v1/councils/1/close".into(), None, 401),
            ("POST", "/api/v1/decisions".into(), None, 401),
            ("POST", "/api/v1/decisions/1/issue".into(), None, 401),
            // The demo's decision is issued: public, like the honour roll.
            ("GET", "/api/v1/decisions/1".into(), None, 200),
            ("GET", "/api/v1/honour-roll".into(), None, 200),
            ("GET", "/api/v1/petitions".into(), None, 401),
            // Anyone may submit; an empty form is refused for its content.
            ("POST", "/api/v1/petitions".into(), None, 422),
            ("GET", format!("/api/v1/petitions/{far_case}"), None, 401),
            (
                "GET",
                format!("/api/v1/petitions/{unknown_code}"),
                None,
                404,
            ),
            (
                "POST",
                format!("/api/v1/petitions/{far_case}/actions"),
                None,
                401,
            ),
            (
                "GET",
                format!("/api/v1/petitions/{far_case}/petitioners"),
                None,
                401,
            ),
            (
                "POST",
                format!("/api/v1/petitions/{unknown_code}/feedback"),
                None,
                404,
            ),
            (
                "POST",
                format!("/api/v1/petitions/{unknown_code}/my-data"),
                Some(json!({"contact": "0912 000 111"})),
                404,
            ),
            ("GET", "/api/v1/petition-stats".into(), None, 200),
            ("GET", "/api/v1/petition-answers?q=duong".into(), None, 200),
            ("GET", "/api/v1/search?q=nui+cam".into(), None, 200),
            ("GET", "/api/v1/dashboard".into(), None, 200),
            ("GET", "/api/v1/dashboard?unit=30538".into(), None, 200),
            (
                "GET",
                "/api/v1/imports/organisations/template".into(),
                None,
                200,
            ),
            ("POST", "/api/v1/imports/organisations".into(), None, 401),
            ("POST", "/api/v1/imports/holidays".into(), None, 401),
            ("POST", "/api/v1/imports/accounts".into(), None, 401),
            ("POST", "/api/v1/imports/initiatives".into(), None, 401),
            ("GET", "/api/v1/councils".into(), None, 401),
            ("GET", "/api/v1/councils/1?format=xlsx".into(), None, 401),
            // Issued decisions are public, as a list and as a file.
            ("GET", "/api/v1/decisions".into(), None, 200),
            ("GET", "/api/v1/decisions?format=csv".into(), None, 200),
            ("GET", "/api/v1/exports".into(), None, 401),
            ("GET", "/api/v1/exports/1".into(), None, 401),
            ("GET", "/api/v1/exports/1/file".into(), None, 401),
            ("GET", "/api/v1/search?q=".into(), None, 422),
            ("GET", "/api/v1/routing-rules".into(), None, 401),
            (
                "POST",
                "/api/v1/routing-rules".into(),
                Some(rule.clone()),
                401,
            ),
            ("DELETE", "/api/v1/routing-rules/1".into(), None, 401),
            ("GET", "/api/v1/time-limits".into(), None, 200),
            (
                "PUT",
                "/api/v1/time-limits".into(),
                Some(limit.clone()),
                401,
            ),
            ("GET", "/api/v1/notifications".into(), None, 401),
            ("POST", "/api/v1/notifications/read".into(), None, 401),
            (
                "POST",
                "/api/v1/open311-keys".into(),
                Some(key.clone()),
                401,
            ),
        ];
        // Care: a household in Núi Cấm (outside the Long Xuyên officer's ward), the demo's
        // Tết drive (Long Xuyên and Núi Cấm, announced by the province's Fatherland Front).
        let households: Value = app
            .client()
            .get(app.url("/api/v1/households?unit=30538"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let far_household = households[0]["id"].as_i64().unwrap();
        let drives: Value = app
            .client()
            .get(app.url("/api/v1/drives"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tet = drives
            .as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("Tết vì người nghèo")
            })
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let household_in = json!({"unit_code": "30307", "head_name": "Ma Thị Kiểm Tra", "address": "Khóm 1", "category": "poor", "year": 2026});
        let household_out = json!({"unit_code": "30538", "head_name": "Ma Thị Kiểm Tra", "address": "Ấp 1", "category": "poor", "year": 2026});
        let far_delivery = json!({"household_id": far_household, "value_vnd": 100000, "delivered_on": "2026-02-01"});
        let contribution_out = json!({"kind": "labour_days", "quantity": 3, "unit_code": "30538", "contributor": "Bà con ấp 1"});
        let drive_out = json!({"title": "Quà", "organisation_id": outside, "starts_on": "2026-01-01", "ends_on": "2026-01-31", "items": "Quà", "unit_codes": ["30742"]});
        matrix.extend([
            ("GET", "/api/v1/households".to_string(), None, 401),
            (
                "POST",
                "/api/v1/households".into(),
                Some(household_in.clone()),
                401,
            ),
            ("GET", "/api/v1/drives".into(), None, 401),
            (
                "POST",
                "/api/v1/drives".into(),
                Some(drive_out.clone()),
                401,
            ),
            ("GET", format!("/api/v1/drives/{tet}"), None, 401),
            ("GET", format!("/api/v1/drives/{tet}/coverage"), None, 401),
            (
                "POST",
                format!("/api/v1/drives/{tet}/deliveries"),
                Some(far_delivery.clone()),
                401,
            ),
            ("GET", "/api/v1/contributions".into(), None, 401),
            (
                "POST",
                "/api/v1/contributions".into(),
                Some(contribution_out.clone()),
                401,
            ),
            ("GET", "/api/v1/contributions/totals".into(), None, 200),
            ("GET", "/api/v1/support/totals".into(), None, 401),
        ]);
        // Anonymous first: everything but the public unit tree needs a token.
        for (method, path, body, anon) in &matrix {
            assert_eq!(
                status(&app, method, path, None, body.clone()).await,
                *anon,
                "anonymous {method} {path}"
            );
        }

        // Signed in: (method, path, body, officer, supervisor, reporter)
        let signed: Vec<SignedCase> = vec![
            ("GET", "/api/v1/me".into(), None, 200, 200, 200),
            // Care: names of households only for the commune's officer; reporters run
            // their organisation's drives but see no household.
            ("GET", "/api/v1/households".into(), None, 200, 403, 403),
            (
                "GET",
                "/api/v1/households?unit=30538".into(),
                None,
                403,
                403,
                403,
            ),
            (
                "POST",
                "/api/v1/households".into(),
                Some(household_out),
                403,
                403,
                403,
            ),
            ("GET", "/api/v1/drives".into(), None, 200, 403, 200),
            ("GET", format!("/api/v1/drives/{tet}"), None, 200, 403, 403),
            (
                "GET",
                format!("/api/v1/drives/{tet}/coverage?unit=30538"),
                None,
                403,
                403,
                403,
            ),
            (
                "POST",
                format!("/api/v1/drives/{tet}/deliveries"),
                Some(far_delivery),
                403,
                403,
                403,
            ),
            (
                "POST",
                "/api/v1/drives".into(),
                Some(drive_out),
                403,
                403,
                403,
            ),
            ("GET", "/api/v1/contributions".into(), None, 200, 403, 403),
            (
                "POST",
                "/api/v1/contributions".into(),
                Some(contribution_out),
                403,
                403,
                403,
            ),
            (
                "GET",
                "/api/v1/contributions/totals".into(),
                None,
                200,
                200,
                200,
            ),
            ("GET", "/api/v1/support/totals".into(), None, 200, 200, 403),
            (
                "POST",
                "/api/v1/me/password".into(),
                Some(pw),
                422,
                422,
                422,
            ),
            ("GET", "/api/v1/organisations".into(), None, 200, 200, 200),
            // Internal statistics: own subtree only; none for reporters.
            ("GET", "/api/v1/dashboard".into(), None, 200, 200, 403),
            (
                "GET",
                "/api/v1/dashboard?unit=30538".into(),
                None,
                403,
                200,
                403,
            ),
            (
                "GET",
                "/api/v1/dashboard?unit=30538&view=public".into(),
                None,
                200,
                200,
                200,
            ),
            (
                "GET",
                "/api/v1/search?q=dan+van".into(),
                None,
                200,
                200,
                200,
            ),
            (
                "GET",
                format!("/api/v1/organisations/{inside}"),
                None,
                200,
                200,
                200,
            ),
            (
                "GET",
                format!("/api/v1/organisations/{outside}"),
                None,
                403,
                200,
                403,
            ),
            (
                "POST",
                "/api/v1/organisations".into(),
                Some(org_out.clone()),
                403,
                403,
                403,
            ),
            ("GET", "/api/v1/accounts".into(), None, 403, 403, 403),
            (
                "POST",
                "/api/v1/accounts".into(),
                Some(account.clone()),
                403,
                403,
                403,
            ),
            (
                "POST",
                format!("/api/v1/accounts/{some_account}/disable"),
                None,
                403,
                403,
                403,
            ),
            (
                "POST",
                format!("/api/v1/accounts/{some_account}/enable"),
                None,
                403,
                403,
                403,
            ),
            ("GET", "/api/v1/audit".into(), None, 403, 403, 403),
            ("GET", "/api/v1/audit/verify".into(), None, 403, 403, 403),
            (
                "POST",
                "/api/v1/campaigns".into(),
                Some(json!({"year": 2026, "title": "X"})),
                403,
                403,
                403,
            ),
            (
                "GET",
                format!("/api/v1/initiatives/{returned}"),
                None,
                403,
                200,
                403,
            ),
            (
                "PUT",
                format!("/api/v1/initiatives/{returned}"),
                Some(json!({"version": 1})),
                403,
                403,
                403,
            ),
            (
                "POST",
                format!("/api/v1/initiatives/{returned}/transitions"),
                Some(moves.clone()),
                403,
                403,
                403,
            ),
            (
                "POST",
                format!("/api/v1/initiatives/{returned}/reports"),
                Some(json!({"milestone": "midyear"})),
                403,
                403,
                403,
            ),
            (
                "POST",
                "/api/v1/councils".into(),
                Some(
                    json!({"campaign_id": 1, "name": "X", "level": "province", "unit_code": "91"}),
                ),
                403,
                403,
                403,
            ),
            ("GET", "/api/v1/councils/1".into(), None, 403, 200, 403),
            (
                "POST",
                "/api/v1/councils/1/members".into(),
                Some(json!({"account_id": 4})),
                403,
                403,
                403,
            ),
            (
                "POST",
                "/api/v1/councils/1/close".into(),
                None,
                403,
                403,
                403,
            ),
            (
                "POST",
                "/api/v1/councils/1/scores".into(),
                Some(json!({"initiative_id": 1, "points": {}})),
                403,
                403,
                403,
            ),
            (
                "POST",
                "/api/v1/decisions".into(),
                Some(json!({"council_id": 1})),
                403,
                403,
                403,
            ),
            (
                "POST",
                "/api/v1/decisions/1/issue".into(),
                None,
                403,
                403,
                403,
            ),
            ("GET", "/api/v1/petitions".into(), None, 200, 200, 403),
            (
                "POST",
                "/api/v1/petitions".into(),
                Some(far_petition),
                403,
                403,
                403,
            ),
            // Out of scope is "not found"; the supervisor reads but does not act.
            (
                "GET",
                format!("/api/v1/petitions/{far_case}"),
                None,
                404,
                200,
                404,
            ),
            (
                "POST",
                format!("/api/v1/petitions/{far_case}/actions"),
                Some(json!({"action": "accept"})),
                404,
                403,
                404,
            ),
            (
                "GET",
                format!("/api/v1/petitions/{far_case}/petitioners"),
                None,
                404,
                403,
                404,
            ),
            ("GET", "/api/v1/routing-rules".into(), None, 200, 200, 403),
            (
                "POST",
                "/api/v1/routing-rules".into(),
                Some(rule),
                403,
                403,
                403,
            ),
            (
                "DELETE",
                "/api/v1/routing-rules/1".into(),
                None,
                403,
                403,
                403,
            ),
            (
                "PUT",
                "/api/v1/time-limits".into(),
                Some(limit),
                403,
                403,
                403,
            ),
            (
                "POST",
                "/api/v1/open311-keys".into(),
                Some(key),
                403,
                403,
                403,
            ),
            (
                "GET",
                "/api/v1/imports/holidays/template?format=csv".into(),
                None,
                200,
                200,
                200,
            ),
            // Councils: overseers (the supervisor) and members only; scores as files too.
            ("GET", "/api/v1/councils".into(), None, 403, 200, 403),
            (
                "GET",
                "/api/v1/councils/1?format=csv".into(),
                None,
                403,
                200,
                403,
            ),
            (
                "GET",
                "/api/v1/decisions?format=xlsx".into(),
                None,
                200,
                200,
                200,
            ),
            (
                "GET",
                "/api/v1/decisions/1?format=csv".into(),
                None,
                200,
                200,
                200,
            ),
            // One's own exports only: an id of nobody's (or somebody else's) is not found.
            ("GET", "/api/v1/exports".into(), None, 200, 200, 200),
            ("GET", "/api/v1/exports/999999".into(), None, 404, 404, 404),
            (
                "GET",
                "/api/v1/exports/999999/file".into(),
                None,
                404,
                404,
                404,
            ),
            (
                "GET",
                "/api/v1/imports/accounts/template".into(),
                None,
                200,
                200,
                200,
            ),
            // Without a multipart body the upload is a bad request for everyone signed in;
            // the per-row policy is tested in imports.rs.
            (
                "POST",
                "/api/v1/imports/accounts".into(),
                None,
                400,
                400,
                400,
            ),
            (
                "POST",
                "/api/v1/imports/organisations".into(),
                None,
                400,
                400,
                400,
            ),
            ("GET", "/api/v1/notifications".into(), None, 200, 200, 200),
            (
                "POST",
                "/api/v1/notifications/read".into(),
                None,
                204,
                204,
                204,
            ),
        ];
        let orgs_before = app.count("organisations").await;
        let accounts_before = app.count("accounts").await;
        let petition_rows = [
            "petitions",
            "petition_events",
            "routing_rules",
            "time_limits",
            "open311_keys",
        ];
        let mut petition_counts = Vec::new();
        for t in petition_rows {
            petition_counts.push(app.count(t).await);
        }
        for (method, path, body, o, s, r) in &signed {
            assert_eq!(
                status(&app, method, path, Some(&officer), body.clone()).await,
                *o,
                "officer {method} {path}"
            );
            assert_eq!(
                status(&app, method, path, Some(&supervisor), body.clone()).await,
                *s,
                "supervisor {method} {path}"
            );
            assert_eq!(
                status(&app, method, path, Some(&reporter), body.clone()).await,
                *r,
                "reporter {method} {path}"
            );
        }
        assert_eq!(
            app.count("organisations").await,
            orgs_before,
            "refused writes wrote nothing"
        );
        assert_eq!(app.count("accounts").await, accounts_before);
        for (t, n) in petition_rows.iter().zip(petition_counts) {
            assert_eq!(app.count(t).await, n, "refused writes wrote nothing to {t}");
        }

        // The officer sees only its subtree in lists, and writes inside it.
        let list: Value = app
            .client()
            .get(app.url("/api/v1/organisations"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|o| o["unit_code"] == "30307"),
            "{list}"
        );
        assert_eq!(
            status(
                &app,
                "POST",
                "/api/v1/organisations",
                Some(&officer),
                Some(org_in)
            )
            .await,
            201
        );
        assert_eq!(
            status(
                &app,
                "POST",
                "/api/v1/organisations",
                Some(&supervisor),
                Some(json!({"name": "X", "kind": "agency", "unit_code": "91"}))
            )
            .await,
            403
        );

        // The admin may do all of it.
        assert_eq!(
            status(&app, "GET", "/api/v1/accounts", Some(&admin), None).await,
            200
        );
        assert_eq!(
            status(&app, "GET", "/api/v1/audit", Some(&admin), None).await,
            200
        );
        assert_eq!(
            status(&app, "GET", "/api/v1/audit/verify", Some(&admin), None).await,
            200
        );
        assert_eq!(
            status(
                &app,
                "POST",
                "/api/v1/organisations",
                Some(&admin),
                Some(org_out)
            )
            .await,
            201
        );
        assert_eq!(
            status(
                &app,
                "POST",
                "/api/v1/accounts",
                Some(&admin),
                Some(account)
            )
            .await,
            201
        );

        // Signed-in pages: the officer is refused the admin's pages.
        let browser = app.browser();
        app.sign_in(
            &browser,
            "demo.longxuyen",
            &app.password_of("demo.longxuyen"),
        )
        .await;
        for path in [
            "/quan-tri/tai-khoan",
            "/quan-tri/tai-khoan/moi",
            "/quan-tri/nhat-ky",
        ] {
            let r = browser.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 403, "officer page {path}");
        }
        for path in [
            "/bang-dieu-khien",
            "/to-chuc",
            "/tai-khoan/mat-khau",
            // The officer imports organisations of its unit, and has downloads.
            "/quan-tri/nhap-du-lieu",
            "/tai-ve",
        ] {
            let r = browser.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "officer page {path}");
        }
        // A supervisor reads and imports nothing.
        let supervisor = app.browser();
        app.sign_in(&supervisor, "demo.mttq", &app.password_of("demo.mttq"))
            .await;
        let r = supervisor
            .get(app.url("/quan-tri/nhap-du-lieu"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "supervisor import page");
        let anon = app.browser();
        for path in [
            "/bang-dieu-khien",
            "/to-chuc",
            "/quan-tri/tai-khoan",
            "/quan-tri/nhat-ky",
            "/tai-khoan/mat-khau",
            "/hoi-dong",
            "/hoi-dong/1",
            "/hoi-dong/1/bien-ban",
            "/quan-tri/nhap-du-lieu",
            "/tai-ve",
            "/tai-ve/1",
        ] {
            let r = anon.get(app.url(path)).send().await.unwrap();
            assert_eq!(
                r.status(),
                303,
                "anonymous page {path} redirects to sign-in"
            );
            assert!(
                r.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/dang-nhap?next=")
            );
        }
    });
}

#[tokio::test]
async fn a_pre_reform_district_officer_stays_in_its_old_district() {
    each_backend!(|app| {
        let input = NewAccount {
            username: "canbo.huyen".into(),
            display_name: "Cán bộ dân vận TP Long Xuyên (2024)".into(),
            role: "unit_officer".into(),
            unit_code: "883".into(),
            organisation_id: None,
            password: Some("mật khẩu đủ dài cho cán bộ".into()),
            email: None,
        };
        let v = validate_new(&app.state, &input).await.unwrap();
        provision(&app.state, &Actor::system("test"), &v, false)
            .await
            .unwrap();
        let r: Value = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"username": "canbo.huyen", "password": "mật khẩu đủ dài cho cán bộ"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = r["token"].as_str().unwrap().to_string();
        // Old commune Mỹ Bình (30280) lay in district 883; Rạch Giá (30742 today) did not.
        let mine = json!({"name": "Tổ dân vận khóm 3 Mỹ Bình", "kind": "collective", "unit_code": "30280"});
        let theirs =
            json!({"name": "Tổ dân vận Rạch Giá", "kind": "collective", "unit_code": "30742"});
        let new_commune = json!({"name": "Tổ dân vận Long Xuyên mới", "kind": "collective", "unit_code": "30307"});
        assert_eq!(
            status(
                &app,
                "POST",
                "/api/v1/organisations",
                Some(&token),
                Some(mine)
            )
            .await,
            201
        );
        assert_eq!(
            status(
                &app,
                "POST",
                "/api/v1/organisations",
                Some(&token),
                Some(theirs)
            )
            .await,
            403
        );
        assert_eq!(
            status(
                &app,
                "POST",
                "/api/v1/organisations",
                Some(&token),
                Some(new_commune)
            )
            .await,
            403
        );
        let admin = app.token("demo.tinh").await;
        let other = org_id(&app, &admin, "Rạch Giá").await;
        assert_eq!(
            status(
                &app,
                "GET",
                &format!("/api/v1/organisations/{other}"),
                Some(&token),
                None
            )
            .await,
            403
        );
    });
}
