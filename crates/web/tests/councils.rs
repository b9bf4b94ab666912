//! Councils and commendation on every backend: blind scoring with automatic recusal, the
//! tally and ranking, closing the round, the decision from draft to issued, certificates and
//! the public honour roll; and the policy around them.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call, get, post};

use serde_json::{Value, json};

async fn page(app: &common::TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn year() -> i64 {
    today().format("%Y").to_string().parse().unwrap()
}

fn campaign(title: &str) -> Value {
    let t = today();
    json!({
        "year": year(),
        "title": title,
        "registration_opens": (t - chrono::Duration::days(10)).to_string(),
        "registration_closes": (t + chrono::Duration::days(10)).to_string(),
        "midyear_review": (t + chrono::Duration::days(20)).to_string(),
        "yearend_review": (t + chrono::Duration::days(40)).to_string(),
        "commendation_quota": 2
    })
}

fn model(campaign_id: i64, title: &str, unit: &str) -> Value {
    json!({
        "campaign_id": campaign_id,
        "title": title,
        "field": "economy",
        "unit_code": unit,
        "summary": "Liên kết sản xuất, tiêu thụ nông sản cho bà con.",
        "indicators": [{"kind": "households", "target": 100}],
        "submit": true
    })
}

fn pts(results: f64, creativity: f64, spread: f64, participation: f64) -> Value {
    json!({"results": results, "creativity": creativity, "spread": spread, "participation": participation})
}

async fn org_id(app: &common::TestApp, token: &str, name: &str) -> i64 {
    let (_, list) = get(app, "/api/v1/organisations", Some(token)).await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// Creates an account through the API and returns (id, token).
async fn account(app: &common::TestApp, admin: &str, body: Value) -> (i64, String) {
    let password = "mật khẩu đủ dài để thử nghiệm";
    let mut body = body;
    body["password"] = json!(password);
    let (s, a) = post(app, "/api/v1/accounts", admin, body.clone()).await;
    assert_eq!(s, 201, "{a}");
    let (s, t) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"username": body["username"], "password": password})),
    )
    .await;
    assert_eq!(s, 200);
    (
        a["id"].as_i64().unwrap(),
        t["token"].as_str().unwrap().to_string(),
    )
}

async fn account_id(app: &common::TestApp, token: &str) -> i64 {
    get(app, "/api/v1/me", Some(token)).await.1["id"]
        .as_i64()
        .unwrap()
}

fn model_of(council: &Value, id: i64) -> &Value {
    council["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["initiative_id"] == id)
        .unwrap()
}

#[tokio::test]
async fn scoring_round_and_commendation_through_the_api() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let officer = app.token("demo.longxuyen").await;
        let reporter = app.token("demo.hoinongdan").await;
        let supervisor = app.token("demo.mttq").await;
        let member = app.token("demo.hoidong").await;
        let member_id = account_id(&app, &member).await;

        // A campaign and three approved models: two of the Farmers' Union, one of Óc Eo's Women's Union.
        let (s, c) = post(
            &app,
            "/api/v1/campaigns",
            &admin,
            campaign("Đợt chấm điểm thử"),
        )
        .await;
        assert_eq!(s, 201, "{c}");
        let cid = c["id"].as_i64().unwrap();
        let farmers = org_id(&app, &admin, "Hội Nông dân phường Long Xuyên").await;
        let women = org_id(&app, &admin, "Hội Liên hiệp Phụ nữ xã Óc Eo").await;
        let mut ids = Vec::new();
        for title in ["Cánh đồng lớn liên kết", "Tổ hợp tác nuôi cá"] {
            let (s, i) = post(
                &app,
                "/api/v1/initiatives",
                &reporter,
                model(cid, title, "30307"),
            )
            .await;
            assert_eq!(s, 201, "{i}");
            ids.push(i["id"].as_i64().unwrap());
        }
        let mut m3 = model(cid, "Phụ nữ giúp nhau làm kinh tế", "30688");
        m3["organisation_id"] = json!(women);
        let (s, i) = post(&app, "/api/v1/initiatives", &admin, m3).await;
        assert_eq!(s, 201, "{i}");
        ids.push(i["id"].as_i64().unwrap());
        let (s, draft_model) = post(&app, "/api/v1/initiatives", &reporter, {
            let mut m = model(cid, "Chưa duyệt", "30307");
            m["submit"] = json!(false);
            m
        })
        .await;
        assert_eq!(s, 201);
        for id in &ids {
            let (s, b) = post(
                &app,
                &format!("/api/v1/initiatives/{id}/transitions"),
                &admin,
                json!({"action": "approve"}),
            )
            .await;
            assert_eq!(s, 200, "{b}");
        }
        let (m1, m2, m3) = (ids[0], ids[1], ids[2]);

        // Council members: demo.hoidong, one from the Farmers' Union, a third; and an outsider.
        let (farmer_member, farmer_token) = account(&app, &admin, json!({"username": "hd.nongdan", "display_name": "Thành viên Hội Nông dân", "role": "council_member", "unit_code": "91", "organisation_id": farmers})).await;
        let (third_member, third_token) = account(&app, &admin, json!({"username": "hd.thanhvien3", "display_name": "Thành viên thứ ba", "role": "council_member", "unit_code": "91"})).await;
        let (_, outsider) = account(&app, &admin, json!({"username": "hd.ngoai", "display_name": "Thành viên hội đồng khác", "role": "council_member", "unit_code": "91"})).await;

        // Forming the council: bad input, wrong role, then the real one.
        let council = json!({"campaign_id": cid, "name": "Hội đồng thi đua <b>thử</b>", "level": "province", "unit_code": "91"});
        let before = app.count("councils").await;
        let mut bad = council.clone();
        bad["level"] = json!("district");
        let (s, e) = post(&app, "/api/v1/councils", &admin, bad).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("unknown_level"))
        );
        let mut bad = council.clone();
        bad["unit_code"] = json!("30307");
        let (s, e) = post(&app, "/api/v1/councils", &admin, bad).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("level_mismatch"))
        );
        let mut bad = council.clone();
        bad["level"] = json!("commune");
        bad["unit_code"] = json!("30307");
        let (s, e) = post(&app, "/api/v1/councils", &admin, bad).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("commune_councils_not_allowed")),
            "the campaign did not plan commune-level councils"
        );
        assert_eq!(
            post(&app, "/api/v1/councils", &supervisor, council.clone())
                .await
                .0,
            403
        );
        assert_eq!(
            post(&app, "/api/v1/councils", &member, council.clone())
                .await
                .0,
            403
        );
        assert_eq!(
            app.count("councils").await,
            before,
            "refused: nothing written"
        );
        let (s, k) = post(&app, "/api/v1/councils", &admin, council).await;
        assert_eq!(s, 201, "{k}");
        assert_eq!(k["state"], "open");
        let kid = k["id"].as_i64().unwrap();
        let base = format!("/api/v1/councils/{kid}");

        // Members.
        let reporter_id = account_id(&app, &reporter).await;
        let (s, e) = post(
            &app,
            &format!("{base}/members"),
            &admin,
            json!({"account_id": reporter_id}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("not_council_member"))
        );
        for m in [member_id, farmer_member, third_member] {
            let (s, b) = post(
                &app,
                &format!("{base}/members"),
                &admin,
                json!({"account_id": m}),
            )
            .await;
            assert_eq!(s, 200, "{b}");
        }
        let (s, e) = post(
            &app,
            &format!("{base}/members"),
            &admin,
            json!({"account_id": member_id}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("already_member"))
        );

        // Assignments; recusals recorded at once for the Farmers' Union member.
        let recusals_before = app.count("recusals").await;
        let (s, e) = post(
            &app,
            &format!("{base}/assignments"),
            &admin,
            json!({"initiative_id": draft_model["id"]}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("not_assignable"))
        );
        for id in &ids {
            let (s, b) = post(
                &app,
                &format!("{base}/assignments"),
                &admin,
                json!({"initiative_id": id}),
            )
            .await;
            assert_eq!(s, 200, "{b}");
        }
        assert_eq!(app.count("recusals").await, recusals_before + 2);
        let (_, view) = get(&app, &base, Some(&admin)).await;
        let rec = view["recusals"].as_array().unwrap();
        assert_eq!(rec.len(), 2, "{view}");
        assert!(rec.iter().all(|r| {
            r["member_id"] == farmer_member
                && r["reason"]
                    .as_str()
                    .unwrap()
                    .contains("Hội Nông dân phường Long Xuyên")
        }));

        // Recusal: the Farmers' Union member cannot score its own model.
        let scores_before = app.count("scores").await;
        let (s, e) = post(
            &app,
            &format!("{base}/scores"),
            &farmer_token,
            json!({"initiative_id": m1, "points": pts(40.0, 20.0, 20.0, 20.0)}),
        )
        .await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("recused")));
        // Out of range and incomplete points are refused; nothing written.
        let (s, e) = post(
            &app,
            &format!("{base}/scores"),
            &member,
            json!({"initiative_id": m1, "points": pts(41.0, 20.0, 20.0, 20.0)}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("score_out_of_range"))
        );
        let (s, e) = post(
            &app,
            &format!("{base}/scores"),
            &member,
            json!({"initiative_id": m1, "points": {"results": 30}}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("missing_score"))
        );
        assert_eq!(
            app.count("scores").await,
            scores_before,
            "refused scores wrote nothing"
        );
        // Outsiders and other roles.
        assert_eq!(
            get(&app, &base, Some(&outsider)).await.0,
            403,
            "a council member of another council"
        );
        assert_eq!(
            post(
                &app,
                &format!("{base}/scores"),
                &outsider,
                json!({"initiative_id": m3, "points": pts(30.0, 15.0, 15.0, 15.0)})
            )
            .await
            .0,
            403
        );
        assert_eq!(get(&app, &base, Some(&officer)).await.0, 403);
        assert_eq!(get(&app, &base, None).await.0, 401);

        // Blind scoring: the Farmers' Union member scores m3; demo.hoidong, who has not, sees nothing of it.
        let (s, b) = post(
            &app,
            &format!("{base}/scores"),
            &farmer_token,
            json!({"initiative_id": m3, "points": pts(36.0, 18.0, 17.0, 19.0)}),
        )
        .await;
        assert_eq!((s, b["total"].as_f64()), (200, Some(90.0)), "{b}");
        let (_, seen) = get(&app, &base, Some(&member)).await;
        let row = model_of(&seen, m3);
        assert_eq!(row["visible"], false);
        assert!(row["mean"].is_null() && row["count"].is_null() && row["rank"].is_null());
        assert_eq!(row["scores"].as_array().unwrap().len(), 0);
        assert!(
            !seen.to_string().contains("\"points\""),
            "no member's points leak: {seen}"
        );
        // After scoring it, the member sees the others' points.
        let (s, _) = post(
            &app,
            &format!("{base}/scores"),
            &member,
            json!({"initiative_id": m3, "points": pts(38.0, 19.0, 19.0, 18.0)}),
        )
        .await;
        assert_eq!(s, 200);
        let (_, seen) = get(&app, &base, Some(&member)).await;
        let row = model_of(&seen, m3);
        assert_eq!(row["visible"], true);
        assert_eq!(row["count"], 2);
        assert_eq!(row["scores"].as_array().unwrap().len(), 2);
        assert_eq!(row["my_total"], 94.0);

        // The rest of the round: m1 scored through the page form; m2 with a large disagreement.
        let b = app.browser();
        app.sign_in(&b, "demo.hoidong", &app.password_of("demo.hoidong"))
            .await;
        let (s, html) = page(&app, &b, &format!("/hoi-dong/{kid}")).await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Hiệu quả, kết quả đạt được (tối đa 40)"),
            "criterion labelled with name and max"
        );
        assert!(html.contains(&format!("for=\"p{m1}_results\"")));
        assert!(
            html.contains("Hội đồng thi đua &#60;b&#62;thử&#60;/b&#62;")
                || html.contains("&lt;b&gt;thử")
        );
        let csrf = common::csrf_of(&html);
        let r = b
            .post(app.url(&format!("/hoi-dong/{kid}/cham-diem")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("initiative_id", &m1.to_string()),
                ("p_results", "35"),
                ("p_creativity", "17,5"),
                ("p_spread", "18"),
                ("p_participation", "18"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (_, seen) = get(&app, &base, Some(&member)).await;
        assert_eq!(model_of(&seen, m1)["my_total"], 88.5);
        for (token, p) in [(&third_token, pts(34.0, 17.0, 17.0, 18.0))] {
            assert_eq!(
                post(
                    &app,
                    &format!("{base}/scores"),
                    token,
                    json!({"initiative_id": m1, "points": p})
                )
                .await
                .0,
                200
            );
        }
        assert_eq!(
            post(
                &app,
                &format!("{base}/scores"),
                &member,
                json!({"initiative_id": m2, "points": pts(40.0, 20.0, 20.0, 20.0)})
            )
            .await
            .0,
            200
        );
        assert_eq!(
            post(
                &app,
                &format!("{base}/scores"),
                &third_token,
                json!({"initiative_id": m2, "points": pts(20.0, 10.0, 10.0, 10.0)})
            )
            .await
            .0,
            200
        );
        assert_eq!(
            post(
                &app,
                &format!("{base}/scores"),
                &third_token,
                json!({"initiative_id": m3, "points": pts(40.0, 20.0, 20.0, 20.0)})
            )
            .await
            .0,
            200
        );

        // The admin's view: tally, disagreement, classification, ranking by mean.
        let (_, full) = get(&app, &base, Some(&admin)).await;
        let order: Vec<i64> = full["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["initiative_id"].as_i64().unwrap())
            .collect();
        assert_eq!(order, vec![m3, m1, m2], "{full}");
        let r3 = model_of(&full, m3);
        assert_eq!(
            (r3["rank"].as_i64(), r3["count"].as_i64()),
            (Some(1), Some(3))
        );
        assert_eq!(r3["classification"], "exemplary");
        let r1 = model_of(&full, m1);
        assert_eq!(r1["mean"], 87.25);
        assert_eq!(r1["classification"], "good");
        let r2 = model_of(&full, m2);
        assert_eq!(
            (
                r2["mean"].as_f64(),
                r2["spread"].as_f64(),
                r2["disagreement"].as_bool()
            ),
            (Some(75.0), Some(50.0), Some(true))
        );
        assert_eq!(r2["classification"], "fair");

        // Closing: refused to the supervisor and members; then the round freezes.
        assert_eq!(
            post(&app, &format!("{base}/close"), &supervisor, json!({}))
                .await
                .0,
            403
        );
        assert_eq!(
            post(&app, &format!("{base}/close"), &member, json!({}))
                .await
                .0,
            403
        );
        let (s, e) = post(
            &app,
            "/api/v1/decisions",
            &admin,
            json!({"council_id": kid}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("council_not_closed"))
        );
        let (s, closed) = post(&app, &format!("{base}/close"), &admin, json!({})).await;
        assert_eq!(
            (s, closed["state"].as_str()),
            (200, Some("closed")),
            "{closed}"
        );
        let scores_before = app.count("scores").await;
        let (s, e) = post(
            &app,
            &format!("{base}/scores"),
            &member,
            json!({"initiative_id": m2, "points": pts(1.0, 1.0, 1.0, 1.0)}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("council_closed"))
        );
        assert_eq!(app.count("scores").await, scores_before);
        let (s, e) = post(&app, &format!("{base}/close"), &admin, json!({})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("council_closed"))
        );
        let (s, e) = post(
            &app,
            &format!("{base}/assignments"),
            &admin,
            json!({"initiative_id": m1}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("council_closed"))
        );
        for id in &ids {
            let (_, i) = get(&app, &format!("/api/v1/initiatives/{id}"), None).await;
            assert_eq!(i["state"], "evaluated");
        }
        // Closed: the recused member now sees everything too.
        let (_, seen) = get(&app, &base, Some(&farmer_token)).await;
        assert_eq!(model_of(&seen, m1)["visible"], true);
        assert_eq!(model_of(&seen, m1)["recused"], true);
        // Recorded in the audit trail with the initiative events.
        let (_, trail) = get(&app, "/api/v1/audit?action=council.close", Some(&admin)).await;
        assert!(trail.to_string().contains("council.close"), "{trail}");

        // The minutes.
        let adm = app.browser();
        app.sign_in(&adm, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let (s, html) = page(&app, &adm, &format!("/hoi-dong/{kid}/bien-ban")).await;
        assert_eq!(s, 200);
        for needle in [
            "BIÊN BẢN",
            "THƯ KÝ",
            "CHỦ TỊCH HỘI ĐỒNG",
            "Thành viên Hội Nông dân",
            "Cánh đồng lớn liên kết",
            "Xuất sắc – điển hình tiên tiến",
        ] {
            assert!(html.contains(needle), "minutes show {needle}");
        }

        // Commendation: a draft from the ranking (quota 2: the two best classified models).
        let (s, d) = post(
            &app,
            "/api/v1/decisions",
            &admin,
            json!({"council_id": kid}),
        )
        .await;
        assert_eq!(s, 201, "{d}");
        assert_eq!(d["state"], "draft");
        let rec: Vec<i64> = d["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["initiative_id"].as_i64().unwrap())
            .collect();
        assert_eq!(rec, vec![m3, m1]);
        let did = d["id"].as_i64().unwrap();
        assert_eq!(
            get(&app, &format!("/api/v1/decisions/{did}"), None).await.0,
            404,
            "drafts are not public"
        );
        assert_eq!(
            get(&app, &format!("/api/v1/decisions/{did}"), Some(&supervisor))
                .await
                .0,
            403
        );
        assert_eq!(
            post(
                &app,
                "/api/v1/decisions",
                &supervisor,
                json!({"council_id": kid})
            )
            .await
            .0,
            403
        );
        let (_, roll) = get(&app, &format!("/api/v1/honour-roll?year={}", year()), None).await;
        assert!(
            !roll
                .as_array()
                .unwrap()
                .iter()
                .any(|e| ids.contains(&e["initiative_id"].as_i64().unwrap())),
            "nothing from drafts is public"
        );

        // Issue: bad number refused; then recorded with an extra individual, signed as deputy.
        let mut issue = json!({
            "number": "QĐ-sai", "signed_on": today().to_string(), "issuing_body": "Ủy ban nhân dân tỉnh An Giang",
            "signer_name": "Lê Văn <i>Phước</i>", "signer_title": "Phó Chủ tịch", "signed_as_deputy": true, "form": "Bằng khen",
            "recipients": [
                {"initiative_id": m3, "classification": "exemplary"},
                {"initiative_id": m1, "classification": "good"},
                {"person_name": "<script>alert(1)</script> Nguyễn Văn An"}
            ]
        });
        let (s, e) = post(
            &app,
            &format!("/api/v1/decisions/{did}/issue"),
            &admin,
            issue.clone(),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("invalid_decision_number"))
        );
        assert_eq!(
            post(
                &app,
                &format!("/api/v1/decisions/{did}/issue"),
                &supervisor,
                issue.clone()
            )
            .await
            .0,
            403
        );
        issue["number"] = json!("125/QĐ-UBND");
        let (s, e) = post(
            &app,
            &format!("/api/v1/decisions/{did}/issue"),
            &admin,
            issue.clone(),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("decision_number_taken")),
            "the demo's decision has this number"
        );
        issue["number"] = json!("126/QĐ-UBND");
        let (s, d) = post(
            &app,
            &format!("/api/v1/decisions/{did}/issue"),
            &admin,
            issue.clone(),
        )
        .await;
        assert_eq!(s, 200, "{d}");
        assert_eq!(
            (
                d["state"].as_str(),
                d["recipients"].as_array().unwrap().len()
            ),
            (Some("issued"), 3)
        );
        let (s, e) = post(
            &app,
            &format!("/api/v1/decisions/{did}/issue"),
            &admin,
            issue,
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("decision_issued")),
            "frozen once issued"
        );
        let (s, public) = get(&app, &format!("/api/v1/decisions/{did}"), None).await;
        assert_eq!((s, public["number"].as_str()), (200, Some("126/QĐ-UBND")));

        // The honour roll (API and page) and the model's page.
        let (_, roll) = get(&app, &format!("/api/v1/honour-roll?year={}", year()), None).await;
        let ours: Vec<&Value> = roll
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["decision_id"] == did)
            .collect();
        assert_eq!(ours.len(), 2, "{roll}");
        assert_eq!(
            ours[0]["classification_label"],
            "Xuất sắc – điển hình tiên tiến"
        );
        let anon = app.client();
        let (s, html) = page(&app, &anon, "/dien-hinh").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Phụ nữ giúp nhau làm kinh tế")
                && html.contains(&format!("href=\"/mo-hinh/{m3}\""))
        );
        assert!(html.contains("126/QĐ-UBND"));
        let (_, html) = page(&app, &anon, &format!("/mo-hinh/{m3}")).await;
        assert!(
            html.contains("126/QĐ-UBND") && html.contains("Bằng khen"),
            "the model page lists its commendation"
        );

        // Certificates: KT. above the deputy's title, names escaped.
        let person = public["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person_name"].is_string())
            .unwrap();
        let url = person["certificate_url"].as_str().unwrap();
        let (s, html) = page(&app, &anon, url).await;
        assert_eq!(s, 200);
        for needle in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "BẰNG KHEN",
            "KT. CHỦ TỊCH",
            "PHÓ CHỦ TỊCH",
            "126/QĐ-UBND",
            "An Giang, ngày",
            &format!("“Dân vận khéo” năm {}", year()),
        ] {
            assert!(html.contains(needle), "certificate shows {needle}");
        }
        assert!(html.find("KT. CHỦ TỊCH").unwrap() < html.find("PHÓ CHỦ TỊCH").unwrap());
        assert!(
            !html.contains("<script>alert(1)") && !html.contains("<i>Phước"),
            "names are escaped"
        );
        assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
        assert_eq!(
            page(&app, &anon, &format!("/khen-thuong/{did}/giay-khen/999999"))
                .await
                .0,
            404
        );
    });
}

#[tokio::test]
async fn the_demo_has_a_closed_round_and_an_honour_roll() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let member = app.token("demo.hoidong").await;
        let (s, k) = get(&app, "/api/v1/councils/1", Some(&admin)).await;
        assert_eq!(s, 200, "{k}");
        assert_eq!(k["state"], "closed");
        assert_eq!(k["members"].as_array().unwrap().len(), 3);
        assert_eq!(k["recusals"].as_array().unwrap().len(), 1, "{k}");
        assert_eq!(get(&app, "/api/v1/councils/1", Some(&member)).await.0, 200);
        let (_, roll) = get(&app, "/api/v1/honour-roll", None).await;
        assert!(!roll.as_array().unwrap().is_empty());
        let (s, d) = get(&app, "/api/v1/decisions/1", None).await;
        assert_eq!(
            (s, d["state"].as_str(), d["signed_as_deputy"].as_bool()),
            (200, Some("issued"), Some(true))
        );
        let (s, html) = page(&app, &app.client(), "/dien-hinh").await;
        assert_eq!(s, 200);
        assert!(html.contains("125/QĐ-UBND"));
        // The member's council list and the admin's nav entry.
        let b = app.browser();
        app.sign_in(&b, "demo.hoidong", &app.password_of("demo.hoidong"))
            .await;
        let (s, html) = page(&app, &b, "/hoi-dong").await;
        assert_eq!(s, 200);
        assert!(html.contains("href=\"/hoi-dong/1\""));
        let o = app.browser();
        app.sign_in(&o, "demo.longxuyen", &app.password_of("demo.longxuyen"))
            .await;
        assert_eq!(page(&app, &o, "/hoi-dong").await.0, 403);
        assert_eq!(page(&app, &o, "/hoi-dong/1").await.0, 403);
    });
}
