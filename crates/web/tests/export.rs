//! Lists as spreadsheets, on every backend: the petition queue, the models, organisations
//! and the audit trail downloaded as XLSX and CSV hold the rows of the JSON list, with typed
//! cells, and never the petitioners' personal data.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::get;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every demo petitioner's name and phone (crates/web/src/demo/petitions.rs), in the forms
/// a file could hold them.
const PERSONAL: &[&str] = &[
    "Nguyễn Văn Hùng",
    "0912 345 678",
    "Trần Thị Lan",
    "0987 111 222",
    "Lê Quốc Bảo",
    "0903 456 789",
    "Phạm Thị Thu",
    "0908 222 333",
    "0908222333",
    "thu.pham@example.vn",
    "Châu Văn Sơn",
    "0911 444 555",
    "Võ Minh Trí",
    "Đỗ Văn Minh",
    "0934 666 777",
    "Huỳnh Thị Bé",
    "0945 888 999",
    "0977 123 456",
    "Ngô Thị Mai",
    "0916 777 888",
    "Lâm Văn Tư",
    "0922 333 444",
    "Trịnh Văn Lộc",
    "0933 555 666",
];

struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

async fn download(client: &reqwest::Client, url: String, token: Option<&str>) -> Download {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    Download {
        status: r.status().as_u16(),
        content_type: header("content-type"),
        disposition: header("content-disposition"),
        bytes: r.bytes().await.unwrap().to_vec(),
    }
}

/// The one sheet of a workbook as rows of cells.
fn sheet(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    let formulas = wb.worksheet_formula(&name).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas in an export"
    );
    range.rows().map(|r| r.to_vec()).collect()
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "CSV starts with the BOM"
    );
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Every cell's value of a sheet as one text, for the personal-data check.
fn all_text(rows: &[Vec<Data>]) -> String {
    rows.iter()
        .flatten()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join("\u{1F}")
}

fn col(header: &[Data], title: &str) -> usize {
    header
        .iter()
        .position(|h| h == &Data::String(title.into()))
        .unwrap_or_else(|| panic!("column {title} in {header:?}"))
}

#[tokio::test]
async fn petition_queue_downloads_hold_the_json_rows_without_personal_data() {
    each_backend!(|app| {
        let token = app.token("demo.ubndlx").await;
        let (status, page) = get(&app, "/api/v1/petitions", Some(&token)).await;
        assert_eq!(status, 200);
        let items = page["items"].as_array().unwrap();
        assert!(
            !items.is_empty(),
            "the demo queue of UBND Long Xuyên has petitions"
        );
        assert_eq!(page["total"].as_i64().unwrap() as usize, items.len());
        let codes: Vec<&str> = items
            .iter()
            .map(|p| p["tracking_code"].as_str().unwrap())
            .collect();
        let client = app.client();

        // XLSX
        let x = download(
            &client,
            app.url("/api/v1/petitions?format=xlsx"),
            Some(&token),
        )
        .await;
        assert_eq!(x.status, 200);
        assert_eq!(x.content_type, XLSX);
        assert!(
            x.disposition
                .starts_with("attachment; filename=\"kien-nghi-")
                && x.disposition
                    .contains(".xlsx\"; filename*=UTF-8''ki%E1%BA%BFn-ngh%E1%BB%8B-"),
            "{}",
            x.disposition
        );
        let rows = sheet(&x.bytes);
        let header = &rows[0];
        let code_col = col(header, "Mã theo dõi");
        let received_col = col(header, "Ngày tiếp nhận");
        let due_col = col(header, "Hạn giải quyết");
        let overdue_col = col(header, "Quá hạn");
        let got: Vec<String> = rows[1..].iter().map(|r| r[code_col].to_string()).collect();
        assert_eq!(got, codes, "the same rows in the same order as the JSON");
        for (row, item) in rows[1..].iter().zip(items) {
            match &row[received_col] {
                Data::DateTime(d) => assert_eq!(
                    d.as_datetime().unwrap().date().to_string(),
                    item["received_on"].as_str().unwrap()
                ),
                other => panic!("received date is a date: {other:?}"),
            }
            match &row[due_col] {
                Data::DateTime(d) => assert_eq!(
                    d.as_datetime().unwrap().date().to_string(),
                    item["due_date"].as_str().unwrap()
                ),
                other => panic!("due date is a date: {other:?}"),
            }
            assert_eq!(
                row[overdue_col],
                Data::Bool(item["overdue"].as_bool().unwrap())
            );
        }
        let text = all_text(&rows);
        for p in PERSONAL {
            assert!(!text.contains(p), "{p} must not be in the XLSX");
        }
        // Nor the petition texts, where a petitioner may have named themselves.
        for item in items {
            let content = item["content"].as_str().unwrap();
            assert!(!text.contains(content), "petition text left out");
        }

        // CSV
        let c = download(
            &client,
            app.url("/api/v1/petitions?format=csv"),
            Some(&token),
        )
        .await;
        assert_eq!(c.status, 200);
        assert_eq!(c.content_type, "text/csv; charset=utf-8");
        assert!(c.disposition.contains(".csv\""), "{}", c.disposition);
        let rows = csv_rows(&c.bytes);
        assert_eq!(rows[0][0], "Mã theo dõi");
        let received_col = rows[0].iter().position(|h| h == "Ngày tiếp nhận").unwrap();
        let got: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(got, codes);
        for (row, item) in rows[1..].iter().zip(items) {
            assert_eq!(row[received_col], item["received_on"].as_str().unwrap());
        }
        let text = String::from_utf8(c.bytes.clone()).unwrap();
        for p in PERSONAL {
            assert!(!text.contains(p), "{p} must not be in the CSV");
        }

        // Filters apply as in the JSON.
        let (_, open) = get(&app, "/api/v1/petitions?state=answered", Some(&token)).await;
        let c = download(
            &client,
            app.url("/api/v1/petitions?state=answered&format=csv"),
            Some(&token),
        )
        .await;
        assert_eq!(
            csv_rows(&c.bytes).len() - 1,
            open["items"].as_array().unwrap().len()
        );

        // Anonymous: 401; an unknown format: 422 with a stable code.
        let anon = download(&client, app.url("/api/v1/petitions?format=xlsx"), None).await;
        assert_eq!(anon.status, 401);
        let (status, body) = get(&app, "/api/v1/petitions?format=pdf", Some(&token)).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["code"], "unknown_format");
        // Explicit JSON is the plain list.
        let (status, _) = get(&app, "/api/v1/petitions?format=json", Some(&token)).await;
        assert_eq!(status, 200);
    });
}

#[tokio::test]
async fn public_initiatives_export_has_only_public_models() {
    each_backend!(|app| {
        let client = app.client();
        let (status, page) = get(&app, "/api/v1/initiatives?per_page=200", None).await;
        assert_eq!(status, 200);
        let public: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert!(!public.is_empty());
        let x = download(&client, app.url("/api/v1/initiatives?format=xlsx"), None).await;
        assert_eq!(x.status, 200);
        let rows = sheet(&x.bytes);
        let id_col = col(&rows[0], "Mã mô hình");
        let ids: Vec<i64> = rows[1..]
            .iter()
            .map(|r| match r[id_col] {
                Data::Float(f) => f as i64,
                ref other => panic!("id is a number: {other:?}"),
            })
            .collect();
        assert_eq!(ids, public, "anonymous export = the public JSON list");
        // Staff in scope see more models in JSON, and the same more in the file.
        let token = app.token("demo.tinh").await;
        let (_, all) = get(&app, "/api/v1/initiatives?per_page=200", Some(&token)).await;
        let all_total = all["total"].as_i64().unwrap() as usize;
        assert!(all_total >= public.len());
        let c = download(
            &client,
            app.url("/api/v1/initiatives?format=csv"),
            Some(&token),
        )
        .await;
        assert_eq!(csv_rows(&c.bytes).len() - 1, all_total);
        // The state column of the public file holds only public states' labels.
        let state_col = col(&rows[0], "Trạng thái");
        for r in &rows[1..] {
            let s = r[state_col].to_string();
            assert!(
                !["Nháp", "Chờ duyệt", "Bị trả lại"].contains(&s.as_str()),
                "{s}"
            );
        }
        let (status, body) = get(&app, "/api/v1/initiatives?format=ods", None).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["code"], "unknown_format");
    });
}

#[tokio::test]
async fn organisations_audit_and_results_download() {
    each_backend!(|app| {
        let client = app.client();
        let token = app.token("demo.tinh").await;
        let (_, orgs) = get(&app, "/api/v1/organisations", Some(&token)).await;
        let x = download(
            &client,
            app.url("/api/v1/organisations?format=xlsx"),
            Some(&token),
        )
        .await;
        assert_eq!(x.status, 200);
        let rows = sheet(&x.bytes);
        assert_eq!(rows.len() - 1, orgs.as_array().unwrap().len());
        assert_eq!(rows[0][1], Data::String("Tên tổ chức".into()));

        let (_, audit) = get(&app, "/api/v1/audit?per_page=500", Some(&token)).await;
        let c = download(&client, app.url("/api/v1/audit?format=csv"), Some(&token)).await;
        assert_eq!(c.status, 200);
        let rows = csv_rows(&c.bytes);
        assert_eq!(rows.len() - 1, audit["total"].as_i64().unwrap() as usize);
        assert_eq!(
            rows[1][0],
            audit["entries"][0]["seq"].as_i64().unwrap().to_string()
        );
        let x = download(&client, app.url("/api/v1/audit?format=xlsx"), Some(&token)).await;
        let rows = sheet(&x.bytes);
        assert!(matches!(rows[1][1], Data::DateTime(_)), "{:?}", rows[1][1]);
        // The audit trail is the province administrator's only.
        let officer = app.token("demo.longxuyen").await;
        let denied = download(&client, app.url("/api/v1/audit?format=csv"), Some(&officer)).await;
        assert_eq!(denied.status, 403);

        let x = download(&client, app.url("/api/v1/results?format=xlsx"), None).await;
        assert_eq!(x.status, 200);
        assert_eq!(x.content_type, XLSX);
        let rows = sheet(&x.bytes);
        assert_eq!(rows[0][2], Data::String("Lĩnh vực".into()));
    });
}

/// Askama writes `&` in attributes as `&#38;`.
fn unescape(html: String) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}

#[tokio::test]
async fn pages_offer_downloads_with_their_filters() {
    each_backend!(|app| {
        let browser = app.browser();
        // The public showcase.
        let html = browser
            .get(app.url("/mo-hinh?year=2025"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .map(unescape)
            .unwrap();
        assert!(
            html.contains("href=\"/mo-hinh?year=2025&format=xlsx\""),
            "{html}"
        );
        assert!(html.contains("Tải CSV"));
        let x = download(&browser, app.url("/mo-hinh?format=xlsx"), None).await;
        assert_eq!(x.status, 200);
        assert_eq!(x.content_type, XLSX);
        let (_, public) = get(&app, "/api/v1/initiatives?per_page=200", None).await;
        assert_eq!(
            sheet(&x.bytes).len() - 1,
            public["total"].as_i64().unwrap() as usize
        );

        // The queue needs a session; without one it sends to the sign-in page.
        let anon = download(&browser, app.url("/xu-ly?format=csv"), None).await;
        assert_eq!(anon.status, 303, "redirected to sign in");
        let password = app.password_of("demo.ubndlx");
        app.sign_in(&browser, "demo.ubndlx", &password).await;
        let html = browser
            .get(app.url("/xu-ly?overdue=true"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .map(unescape)
            .unwrap();
        assert!(
            html.contains("href=\"/xu-ly?overdue=true&format=xlsx\""),
            "{html}"
        );
        let c = download(&browser, app.url("/xu-ly?format=csv"), None).await;
        assert_eq!(c.status, 200);
        let token = app.token("demo.ubndlx").await;
        let (_, page) = get(&app, "/api/v1/petitions", Some(&token)).await;
        assert_eq!(
            csv_rows(&c.bytes).len() - 1,
            page["total"].as_i64().unwrap() as usize
        );
        let bad = download(&browser, app.url("/xu-ly?format=pdf"), None).await;
        assert_eq!(bad.status, 422);

        // The audit page: the administrator's, with the same filters.
        let admin = app.browser();
        let password = app.password_of("demo.tinh");
        app.sign_in(&admin, "demo.tinh", &password).await;
        let html = admin
            .get(app.url("/quan-tri/nhat-ky?entity_type=petition"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .map(unescape)
            .unwrap();
        assert!(
            html.contains("href=\"/quan-tri/nhat-ky?entity_type=petition&format=csv\""),
            "{html}"
        );
        let c = download(
            &admin,
            app.url("/quan-tri/nhat-ky?entity_type=petition&format=csv"),
            None,
        )
        .await;
        assert_eq!(c.status, 200);
        let rows = csv_rows(&c.bytes);
        assert!(rows.len() > 1);
        assert!(rows[1..].iter().all(|r| r[4] == "petition"));
        // A handler is not an administrator.
        let denied = download(&browser, app.url("/quan-tri/nhat-ky?format=csv"), None).await;
        assert_eq!(denied.status, 403);
    });
}

#[tokio::test]
async fn openapi_documents_the_format_parameter() {
    let app = common::TestApp::spawn(danvan_storage::Backend::Sqlite).await;
    let (status, doc) = get(&app, "/api/openapi.json", None).await;
    assert_eq!(status, 200);
    for path in [
        "/api/v1/petitions",
        "/api/v1/initiatives",
        "/api/v1/organisations",
        "/api/v1/audit",
        "/api/v1/results",
    ] {
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        assert!(
            params.iter().any(|p| p["name"] == "format"),
            "{path} documents format"
        );
    }
    app.stop().await;
}
