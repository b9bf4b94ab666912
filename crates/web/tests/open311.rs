//! Open311 GeoReport v2 under `/open311/v2` against the real server, on every backend; and
//! off-the-shelf Open311 client libraries driving it (`tests/open311/client_check.py`) when
//! `DANVAN_OPEN311_PYTHON` names a Python that has them (scripts/test sets it up).
#![allow(clippy::unwrap_used)]

mod common;

use danvan_storage::audit::Actor;
use serde_json::{Value, json};

use common::TestApp;

const UNIT: &str = "30307"; // Phường Long Xuyên, a current commune of the demo

async fn key(app: &TestApp, name: &str) -> String {
    danvan_web::service::petitions::add_open311_key(&app.state.db, &Actor::system("test"), name)
        .await
        .unwrap()
        .1
}

/// A GET under `/open311/v2`: status and JSON body.
async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let r = app
        .client()
        .get(app.url(&format!("/open311/v2{path}")))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A form POST to `requests.json`.
async fn file(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let r = app
        .client()
        .post(app.url("/open311/v2/requests.json"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The spec's error array: `[{"code": status, "description": "…"}, …]`.
fn assert_spec_error(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    let items = body.as_array().unwrap_or_else(|| panic!("array: {body}"));
    assert!(!items.is_empty(), "{body}");
    for e in items {
        assert_eq!(e["code"], expected, "{body}");
        assert!(
            e["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
    }
}

/// A complete filing form with the key `key`.
fn form(key: &str) -> Vec<(&str, &str)> {
    vec![
        ("api_key", key),
        ("jurisdiction_id", "angiang.gov.vn"),
        ("service_code", "land"),
        ("attribute[unit_code]", UNIT),
        ("lat", "10.3759"),
        ("long", "105.4185"),
        (
            "address_string",
            "Đường Trần Hưng Đạo, trước chợ Long Xuyên",
        ),
        (
            "description",
            "Hộ dân lấn chiếm lối đi chung ở hẻm 12, xe cứu thương không vào được; đề nghị phường kiểm tra và xử lý.",
        ),
        ("first_name", "Lan"),
        ("last_name", "Nguyễn Thị"),
        ("email", "lan.nguyen@example.org"),
        ("phone", "0912 345 678"),
        ("media_url", "https://app.example.org/anh/12.jpg"),
    ]
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("array: {list}"))
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn services_and_their_definitions() {
    each_backend!(|app| {
        let (s, list) = get(&app, "/services.json?jurisdiction_id=angiang.gov.vn").await;
        assert_eq!(s, 200, "{list}");
        let list = list.as_array().unwrap();
        let codes: Vec<&str> = list
            .iter()
            .map(|x| x["service_code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            [
                "land",
                "construction",
                "security_order",
                "environment",
                "social_policy",
                "officials_conduct",
                "other"
            ]
        );
        for svc in list {
            assert_eq!(svc["metadata"], true);
            assert_eq!(svc["type"], "realtime");
            assert_eq!(svc["group"], "Kiến nghị, phản ánh");
            for k in ["service_name", "description", "keywords"] {
                assert!(svc[k].as_str().is_some_and(|v| !v.is_empty()), "{k}: {svc}");
            }
        }
        assert_eq!(list[0]["service_name"], "Đất đai");

        let (s, d) = get(&app, "/services/land.json").await;
        assert_eq!(s, 200, "{d}");
        assert_eq!(d["service_code"], "land");
        let attrs = d["attributes"].as_array().unwrap();
        assert_eq!(attrs[0]["code"], "unit_code");
        assert_eq!(attrs[0]["variable"], true);
        assert_eq!(attrs[0]["datatype"], "string");
        assert_eq!(attrs[0]["required"], true);
        assert_eq!(attrs[0]["order"], 1);
        assert_eq!(
            attrs[0]["datatype_description"],
            "Mã xã, phường (đơn vị hành chính hiện hành)"
        );
        assert_eq!(attrs[0]["description"], "Xã, phường nơi xảy ra sự việc");
        assert_eq!(attrs[1]["code"], "kind");
        assert_eq!(attrs[1]["datatype"], "singlevaluelist");
        assert_eq!(attrs[1]["required"], false);
        assert_eq!(
            attrs[1]["values"][0],
            json!({"key": "feedback", "name": "Phản ánh"})
        );
        assert_eq!(attrs[1]["values"].as_array().unwrap().len(), 4);

        let (s, e) = get(&app, "/services/nope.json").await;
        assert_spec_error(s, &e, 404);
        let (s, e) = get(&app, "/services/land").await;
        assert_spec_error(s, &e, 404);
        let (s, e) = get(&app, "/nothing-here").await;
        assert_spec_error(s, &e, 404);
        let (s, e) = get(&app, "/requests/KN-2222-3333-4444/more.json").await;
        assert_spec_error(s, &e, 404);

        // JSON only: the XML format is refused in the spec's error shape.
        for path in [
            "/services.xml",
            "/services/land.xml",
            "/requests.xml",
            "/requests/KN-2222-3333-4444.xml",
        ] {
            let (s, e) = get(&app, path).await;
            assert_spec_error(s, &e, 400);
        }
        let r = app
            .client()
            .post(app.url("/open311/v2/requests.xml"))
            .form(&[("service_code", "land")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);

        // A wrong method is shaped as well.
        let r = app
            .client()
            .delete(app.url("/open311/v2/services.json"))
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        assert_spec_error(s, &body, 405);
    });
}

#[tokio::test]
async fn filing_needs_a_key_and_a_commune_and_lands_with_the_body() {
    each_backend!(|app| {
        let before = app.count("petitions").await;

        // No key, an unknown key: 403, nothing written.
        let no_key: Vec<_> = form("")
            .into_iter()
            .filter(|(k, _)| *k != "api_key")
            .collect();
        let (s, e) = file(&app, &no_key).await;
        assert_spec_error(s, &e, 403);
        let (s, e) = file(&app, &form("not-a-key")).await;
        assert_spec_error(s, &e, 403);
        assert_eq!(app.count("petitions").await, before);

        // The province routes land in Long Xuyên to a body.
        let admin = app.token("demo.tinh").await;
        let (_, orgs) = common::get(&app, "/api/v1/organisations", Some(&admin)).await;
        let body = orgs
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "Hội Nông dân phường Long Xuyên")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (s, r) = common::post(
            &app,
            "/api/v1/routing-rules",
            &admin,
            json!({"unit_code": UNIT, "field": "land", "organisation_id": body}),
        )
        .await;
        assert_eq!(s, 201, "{r}");

        let key = key(&app, "Ứng dụng Phản ánh hiện trường").await;
        let key = key.as_str();

        // An unknown commune and a missing field: 400 naming the form fields, nothing written.
        let mut bad = form(key);
        bad.retain(|(k, _)| *k != "attribute[unit_code]" && *k != "service_code");
        bad.push(("attribute[unit_code]", "99999"));
        let (s, e) = file(&app, &bad).await;
        assert_spec_error(s, &e, 400);
        let text = e.to_string();
        assert!(text.contains("attribute[unit_code]"), "{text}");
        assert!(text.contains("service_code"), "{text}");
        assert_eq!(app.count("petitions").await, before);
        let mut bad = form(key);
        bad.retain(|(k, _)| *k != "description");
        bad.push(("description", ""));
        let (s, e) = file(&app, &bad).await;
        assert_spec_error(s, &e, 400);
        assert!(e.to_string().contains("description"), "{e}");
        let mut bad = form(key);
        bad.retain(|(k, _)| *k != "lat");
        bad.push(("lat", "bắc"));
        let (s, e) = file(&app, &bad).await;
        assert_spec_error(s, &e, 400);
        let r = app
            .client()
            .post(app.url("/open311/v2/requests.json"))
            .json(&json!({"api_key": key, "service_code": "land"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(app.count("petitions").await, before);

        let (s, receipt) = file(&app, &form(key)).await;
        assert_eq!(s, 201, "{receipt}");
        assert_eq!(app.count("petitions").await, before + 1);
        let receipt = &receipt.as_array().unwrap()[0];
        assert!(receipt["account_id"].is_null());
        let code = receipt["service_request_id"].as_str().unwrap().to_string();
        assert!(code.starts_with("KN-"), "{code}");
        let notice = receipt["service_notice"].as_str().unwrap();
        assert!(notice.contains(&code) && notice.contains('/'), "{notice}");

        // Routed, and visible to the citizen by the code like any petition.
        let (s, view) = common::get(&app, &format!("/api/v1/petitions/{code}"), None).await;
        assert_eq!(s, 200, "{view}");
        assert_eq!(view["state"], "received");
        assert_eq!(view["field"], "land");
        assert_eq!(view["kind"], "feedback");
        assert_eq!(view["unit_code"], UNIT);
        assert_eq!(view["body"], "Hội Nông dân phường Long Xuyên");
        let stored = danvan_storage::petitions::by_code(app.db(), &code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.channel, "open311");
        assert_eq!(stored.organisation_id, Some(body));
        assert_eq!(
            stored.title,
            "Hộ dân lấn chiếm lối đi chung ở hẻm 12, xe cứu thương không vào được; đề nghị…"
        );
        assert!(
            stored
                .content
                .contains("https://app.example.org/anh/12.jpg")
        );
        assert_eq!(stored.latitude, Some(10.3759));
        let petitioners = danvan_storage::petitions::petitioners(app.db(), stored.id)
            .await
            .unwrap();
        assert_eq!(petitioners.len(), 1);
        assert_eq!(
            petitioners[0].consent_version,
            "open311:Ứng dụng Phản ánh hiện trường"
        );
        // The contact is sealed at rest.
        assert!(!petitioners[0].sealed.contains("lan.nguyen"));

        // Read back: the request, without anything personal.
        let (s, one) = get(&app, &format!("/requests/{code}.json")).await;
        assert_eq!(s, 200, "{one}");
        let arr = one.as_array().unwrap();
        assert_eq!(arr.len(), 1);
        let r = &arr[0];
        assert_eq!(r["service_request_id"], code.as_str());
        assert_eq!(r["status"], "open");
        assert_eq!(r["status_notes"], "Đã tiếp nhận");
        assert_eq!(r["service_code"], "land");
        assert_eq!(r["service_name"], "Đất đai");
        assert_eq!(r["description"], stored.title.as_str());
        assert_eq!(r["agency_responsible"], "Hội Nông dân phường Long Xuyên");
        assert_eq!(r["address"], "Đường Trần Hưng Đạo, trước chợ Long Xuyên");
        assert_eq!(r["lat"], 10.3759);
        assert_eq!(r["long"], 105.4185);
        for k in ["address_id", "zipcode", "media_url"] {
            assert!(r[k].is_null(), "{k}: {r}");
        }
        assert!(
            r["requested_datetime"]
                .as_str()
                .unwrap()
                .ends_with("+07:00"),
            "{r}"
        );
        assert!(r["updated_datetime"].as_str().unwrap().ends_with("+07:00"));
        let expected = format!("{}T17:00:00+07:00", stored.due_on);
        assert_eq!(r["expected_datetime"], expected.as_str());
        let all = one.to_string();
        for personal in [
            "Lan",
            "lan.nguyen",
            "0912",
            "345 678",
            "kiểm tra và xử lý",
            "anh/12",
        ] {
            assert!(!all.contains(personal), "{personal} leaked: {all}");
        }
        // Codes are typed as people type them.
        let (s, again) = get(&app, &format!("/requests/{}.json", code.to_lowercase())).await;
        assert_eq!(s, 200);
        assert_eq!(again[0]["service_request_id"], code.as_str());
        let (s, e) = get(&app, "/requests/KN-2222-3333-4444.json").await;
        assert_spec_error(s, &e, 404);
        let (s, e) = get(&app, "/requests/'%20OR%201=1.json").await;
        assert_spec_error(s, &e, 404);
    });
}

#[tokio::test]
async fn lists_filter_by_id_field_status_and_date() {
    each_backend!(|app| {
        let key = key(&app, "Ứng dụng thử").await;
        let mut codes = Vec::new();
        for (field, kind, text) in [
            (
                "land",
                "feedback",
                "Lấn chiếm đất công ở tổ 5, đề nghị kiểm tra.",
            ),
            (
                "environment",
                "petition",
                "Rác thải đổ bừa bãi bên kênh, bốc mùi hôi.",
            ),
            (
                "land",
                "complaint",
                "Khiếu nại quyết định thu hồi đất của hộ gia đình tôi.",
            ),
        ] {
            let (s, r) = file(
                &app,
                &[
                    ("api_key", key.as_str()),
                    ("service_code", field),
                    ("attribute[unit_code]", UNIT),
                    ("attribute[kind]", kind),
                    ("description", text),
                ],
            )
            .await;
            assert_eq!(s, 201, "{r}");
            codes.push(r[0]["service_request_id"].as_str().unwrap().to_string());
        }
        let (land, env, complaint) = (&codes[0], &codes[1], &codes[2]);
        // A petition from the web form: its code went to its citizen alone.
        let (s, web) = common::call(
            &app,
            reqwest::Method::POST,
            "/api/v1/petitions",
            None,
            Some(json!({"kind": "feedback", "field": "land", "unit_code": UNIT,
                "title": "Đường hư hỏng", "content": "Đường vào tổ 7 hư hỏng nặng, xe không qua được.",
                "petitioner": {"name": "Trần Văn Bình", "phone": "0987654321"}, "consent": true})),
        )
        .await;
        assert_eq!(s, 201, "{web}");
        let web = web["tracking_code"].as_str().unwrap().to_string();

        // Newest first; complaints (they concern named people) and petitions from other
        // channels are not listed.
        let (s, all) = get(&app, "/requests.json").await;
        assert_eq!(s, 200, "{all}");
        assert_eq!(ids(&all), [env.as_str(), land.as_str()]);
        assert!(all[0]["lat"].is_null() && all[0]["address"].is_null());
        let (_, l) = get(&app, "/requests.json?service_code=land").await;
        assert_eq!(ids(&l), [land.as_str()]);
        let (_, l) = get(
            &app,
            "/requests.json?service_code=land,environment&status=open",
        )
        .await;
        assert_eq!(ids(&l), [env.as_str(), land.as_str()]);
        let (_, l) = get(&app, "/requests.json?status=closed").await;
        assert_eq!(ids(&l), Vec::<String>::new());
        let (_, l) = get(&app, "/requests.json?status=open,closed").await;
        assert_eq!(ids(&l).len(), 2);
        let (_, l) = get(
            &app,
            "/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2099-01-01T00:00:00%2B07:00",
        )
        .await;
        assert_eq!(ids(&l).len(), 2);
        let (_, l) = get(&app, "/requests.json?start_date=2099-01-01T00:00:00Z").await;
        assert_eq!(ids(&l), Vec::<String>::new());
        let (_, l) = get(&app, "/requests.json?end_date=2020-01-01").await;
        assert_eq!(ids(&l), Vec::<String>::new());

        // By id: any petition whose code is known, and the other filters are overridden.
        let (_, l) = get(
            &app,
            &format!("/requests.json?service_request_id={land},{complaint}&service_code=environment&status=closed"),
        )
        .await;
        let mut got = ids(&l);
        got.sort();
        let mut want = vec![land.clone(), complaint.clone()];
        want.sort();
        assert_eq!(got, want);
        let (_, l) = get(&app, &format!("/requests.json?service_request_id={web}")).await;
        assert_eq!(ids(&l), [web.as_str()]);
        let (_, l) = get(
            &app,
            "/requests.json?service_request_id=KN-2222-3333-4444,rubbish",
        )
        .await;
        assert_eq!(ids(&l), Vec::<String>::new());

        // Bad filters are refused in the spec's shape.
        for q in [
            "status=pending",
            "service_code=nope",
            "start_date=h%C3%B4m%20qua",
            "end_date=2026-13-45",
        ] {
            let (s, e) = get(&app, &format!("/requests.json?{q}")).await;
            assert_spec_error(s, &e, 400);
        }

        // Declined (with the reason for the citizen) and answered (with what was published)
        // are closed.
        let admin = app.token("demo.tinh").await;
        let id_of = |code: String| {
            let db = app.db().clone();
            async move {
                danvan_storage::petitions::by_code(&db, &code)
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            }
        };
        let env_id = id_of(env.clone()).await;
        let (s, r) = common::post(
            &app,
            &format!("/api/v1/petitions/{env_id}/actions"),
            &admin,
            json!({"action": "decline", "reason": "Đã có đơn cùng nội dung đang giải quyết"}),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        let land_id = id_of(land.clone()).await;
        for step in [
            json!({"action": "accept"}),
            json!({"action": "answer", "answer": "Gửi bà Lan: phường đã lập biên bản và buộc trả lại lối đi.",
                   "publish": true, "public_answer": "Phường đã lập biên bản và buộc trả lại lối đi."}),
        ] {
            let (s, r) = common::post(
                &app,
                &format!("/api/v1/petitions/{land_id}/actions"),
                &admin,
                step,
            )
            .await;
            assert_eq!(s, 200, "{r}");
        }
        let (_, l) = get(&app, "/requests.json?status=closed").await;
        assert_eq!(ids(&l), [env.as_str(), land.as_str()]);
        let (_, l) = get(&app, "/requests.json?status=open").await;
        assert_eq!(ids(&l), Vec::<String>::new());
        let (_, e) = get(&app, &format!("/requests/{env}.json")).await;
        assert_eq!(e[0]["status"], "closed");
        assert_eq!(
            e[0]["status_notes"],
            "Không thụ lý: Đã có đơn cùng nội dung đang giải quyết"
        );
        assert!(e[0]["expected_datetime"].is_null());
        let (_, a) = get(&app, &format!("/requests/{land}.json")).await;
        assert_eq!(a[0]["status"], "closed");
        assert_eq!(
            a[0]["status_notes"],
            "Đã trả lời: Phường đã lập biên bản và buộc trả lại lối đi."
        );
        assert!(
            !a.to_string().contains("bà Lan"),
            "the private answer stays private"
        );
    });
}

/// Off-the-shelf Open311 clients (PyPI civicbot 0.4.0 and georeport 0.3.1), unchanged, file a
/// request and read it back. Needs `DANVAN_OPEN311_PYTHON`: a Python with both installed.
#[tokio::test]
async fn off_the_shelf_clients_work_unchanged() {
    let Some(python) = std::env::var("DANVAN_OPEN311_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
    else {
        eprintln!(
            "skipped: set DANVAN_OPEN311_PYTHON to a Python with civicbot==0.4.0 and georeport==0.3.1 (scripts/test does)"
        );
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/open311/client_check.py");
    each_backend!(|app| {
        let key = key(&app, "Kiểm tra ứng dụng Open311").await;
        let before = app.count("petitions").await;
        // Async, so that this test's runtime keeps serving the app while the script runs.
        let run = tokio::process::Command::new(&python)
            .arg(script)
            .arg(app.url("/open311/v2"))
            .arg(&key)
            .env("SERVICE_CODE", "land")
            .env("UNIT_CODE", UNIT)
            .env("PYTHONUTF8", "1")
            // The server is on loopback: never through a proxy the environment may name.
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost")
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(std::time::Duration::from_secs(180), run)
            .await
            .expect("the client check finishes within 3 minutes")
            .expect("the Python named by DANVAN_OPEN311_PYTHON runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "client check failed ({}):\n{stdout}\n{stderr}",
            out.status
        );
        let report: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["problems"], json!([]));
        assert_eq!(report["filters_checked"], true);
        assert_eq!(report["georeport_checked"], true);
        assert_eq!(app.count("petitions").await, before + 1);
    });
}
