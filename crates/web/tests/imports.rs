//! Spreadsheet imports: whole files checked first, written together or not at all.
#![allow(clippy::unwrap_used)]

mod common;

use danvan_export::{Cell, Column, Kind, Table};
use serde_json::Value;

use common::get;

fn table(titles: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        title: "Nhập".into(),
        columns: titles.iter().map(|t| Column::new(*t, Kind::Text)).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| Cell::text(*c)).collect())
            .collect(),
    }
}

async fn upload(
    app: &common::TestApp,
    kind: &str,
    token: &str,
    bytes: Vec<u8>,
    name: &str,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/imports/{kind}")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

const ORG: &[&str] = &["Tên tổ chức", "Loại", "Đơn vị"];

#[tokio::test]
async fn organisations_by_code_and_folded_name() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let file = danvan_export::to_xlsx(&table(
            ORG,
            &[
                &["Chi hội Phụ nữ ấp 1", "mass_organisation", "30538"],
                &["Tổ tự quản Núi Cấm", "Tập thể", "Xa Nui Cam"],
                &["Đoàn Thanh niên xã Hòa Lạc", "Đoàn thể", "xã hoà lạc"],
                &[
                    "Hội Cựu chiến binh phường",
                    "mass_organisation",
                    "Phường Long Xuyên",
                ],
            ],
        ))
        .unwrap();
        let before = app.count("organisations").await;
        let audit_before = app.count("audit_log").await;
        let (s, body) = upload(&app, "organisations", &admin, file, "to-chuc.xlsx").await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["kind"], "organisations");
        assert_eq!(body["created"], 4);
        assert_eq!(app.count("organisations").await, before + 4);
        // One audit entry per record.
        assert_eq!(app.count("audit_log").await, audit_before + 4);
        let (_, list) = get(&app, "/api/v1/organisations", Some(&admin)).await;
        let find = |name: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .find(|o| o["name"] == name)
                .cloned()
                .unwrap_or_else(|| panic!("{name} listed"))
        };
        assert_eq!(find("Chi hội Phụ nữ ấp 1")["unit_code"], "30538");
        assert_eq!(find("Tổ tự quản Núi Cấm")["unit_code"], "30538");
        assert_eq!(find("Tổ tự quản Núi Cấm")["kind"], "collective");
        assert_eq!(find("Đoàn Thanh niên xã Hòa Lạc")["unit_code"], "30430");
        assert_eq!(find("Hội Cựu chiến binh phường")["unit_code"], "30307");
    });
}

#[tokio::test]
async fn one_bad_row_writes_nothing_and_names_the_rows() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let file = danvan_export::to_xlsx(&table(
            ORG,
            &[
                &["Tổ hòa giải ấp 2", "collective", "30538"],
                &["Tổ hòa giải ấp 3", "collective", "Xã Không Có"],
                &["", "collective", "30538"],
                &["Tổ hòa giải ấp 4", "câu lạc bộ", "30538"],
                &["Tổ hòa giải ấp 2", "collective", "Núi Cấm"],
            ],
        ))
        .unwrap();
        let before = app.count("organisations").await;
        let audit_before = app.count("audit_log").await;
        let (s, body) = upload(&app, "organisations", &admin, file, "to-chuc.xlsx").await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["error"]["code"], "import_rejected");
        let rows: Vec<(u64, String, String)> = body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["row"].as_u64().unwrap(),
                    r["column"].as_str().unwrap().to_string(),
                    r["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (3, "Đơn vị".into(), "unknown_unit".into()),
                (4, "Tên tổ chức".into(), "required".into()),
                (5, "Loại".into(), "unknown_kind".into()),
                (6, "".into(), "duplicate_row".into()),
            ],
            "{body}"
        );
        assert_eq!(app.count("organisations").await, before);
        assert_eq!(app.count("audit_log").await, audit_before);
    });
}

#[tokio::test]
async fn holidays_move_deadlines() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let path = "/api/v1/calendar/deadline?from=2026-06-01&days=1&working=true";
        let (_, before) = get(&app, path, None).await;
        let due = before["due"].as_str().unwrap().to_string();
        let csv = format!(
            "\u{feff}Ngày,Loại,Lý do\n{due},nghỉ,Nghỉ bù theo thông báo\n2026-06-06,làm bù,Làm bù thứ Bảy\n"
        );
        let (s, body) = upload(&app, "holidays", &admin, csv.into_bytes(), "lich.csv").await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["created"], 2);
        let (_, after) = get(&app, path, None).await;
        assert!(
            after["due"].as_str().unwrap() > due.as_str(),
            "{before} then {after}"
        );
        // A unit officer may not enter the calendar.
        let officer = app.token("demo.longxuyen").await;
        let csv = "Ngày,Loại,Lý do\n2026-07-01,nghỉ,Thử\n";
        let (s, _) = upload(&app, "holidays", &officer, csv.into(), "lich.csv").await;
        assert_eq!(s, 403);
    });
}

#[tokio::test]
async fn officer_cannot_import_outside_its_unit() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let csv = "Tên tổ chức,Loại,Đơn vị\n\
                   Tổ dân phố 1,collective,30307\n\
                   Tổ dân phố Núi Cấm,collective,30538\n";
        let before = app.count("organisations").await;
        let (s, body) = upload(&app, "organisations", &officer, csv.into(), "a.csv").await;
        assert_eq!(s, 422, "{body}");
        let rows = body["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{body}");
        assert_eq!(rows[0]["row"], 3);
        assert_eq!(rows[0]["code"], "forbidden");
        assert_eq!(app.count("organisations").await, before);
    });
}

#[tokio::test]
async fn not_a_spreadsheet_and_templates() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let png = vec![0x89, b'P', b'N', b'G', 0, 0, 0xff, 0xfe, 1, 2, 3];
        let (s, body) = upload(&app, "organisations", &admin, png, "anh.png").await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["rows"][0]["code"], "not_a_spreadsheet");
        let zip = b"PK\x03\x04not really a workbook".to_vec();
        let (s, body) = upload(&app, "organisations", &admin, zip, "x.xlsx").await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["rows"][0]["code"], "not_a_spreadsheet");
        let csv = "Tên,Loại,Đơn vị,Ghi chú\nA,collective,30538,x\n";
        let (s, body) = upload(&app, "organisations", &admin, csv.into(), "x.csv").await;
        assert_eq!(s, 422, "{body}");
        let codes: Vec<&str> = body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"unknown_column"), "{body}");
        assert!(codes.contains(&"missing_column"), "{body}");
        let (s, _) = upload(&app, "models", &admin, b"a".to_vec(), "x.csv").await;
        assert_eq!(s, 422);

        // The templates carry the titles and an example row that imports as it is.
        for kind in ["organisations", "holidays"] {
            let r = app
                .client()
                .get(app.url(&format!("/api/v1/imports/{kind}/template?format=csv")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let text = r.text().await.unwrap();
            assert!(text.contains("Loại"), "{text}");
            let r = app
                .client()
                .get(app.url(&format!("/api/v1/imports/{kind}/template")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let bytes = r.bytes().await.unwrap().to_vec();
            assert!(bytes.starts_with(b"PK"));
            let (s, body) = upload(&app, kind, &admin, bytes, "mau.xlsx").await;
            assert_eq!(s, 201, "{kind}: {body}");
        }
    });
}
