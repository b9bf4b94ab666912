//! Spreadsheet imports: whole files checked first, written together or not at all.
#![allow(clippy::unwrap_used)]

mod common;

use danvan_export::{Cell, Column, Kind, Table};

use common::{get, upload};

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
        // One audit entry per record, chained in order, and the head moved past all four
        // (one transaction keeps the head and stores it once at commit).
        assert_eq!(app.count("audit_log").await, audit_before + 4);
        let chain = danvan_storage::audit::verify(app.db()).await.unwrap();
        assert_eq!(chain.broken_at, None);
        assert_eq!(chain.entries, audit_before + 4);
        // The next change, in its own transaction, chains onto the import's last entry.
        let (s, body) = upload(
            &app,
            "organisations",
            &admin,
            danvan_export::to_xlsx(&table(
                ORG,
                &[&["Tổ nhân dân tự quản số 9", "Tập thể", "30538"]],
            ))
            .unwrap(),
            "mot-dong.xlsx",
        )
        .await;
        assert_eq!(s, 201, "{body}");
        let chain = danvan_storage::audit::verify(app.db()).await.unwrap();
        assert_eq!((chain.broken_at, chain.entries), (None, audit_before + 5));
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
        for kind in ["organisations", "holidays", "accounts", "initiatives"] {
            let r = app
                .client()
                .get(app.url(&format!("/api/v1/imports/{kind}/template?format=csv")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let text = r.text().await.unwrap();
            let title = match kind {
                "accounts" => "Vai trò",
                "initiatives" => "Chỉ tiêu 1,Đơn vị tính 1,Mục tiêu 1",
                _ => "Loại",
            };
            assert!(text.contains(title), "{text}");
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

const ACC: &[&str] = &[
    "Tên đăng nhập",
    "Họ và tên",
    "Vai trò",
    "Đơn vị",
    "Tổ chức",
    "Thư điện tử",
];

#[tokio::test]
async fn accounts_one_bad_row_writes_nothing_then_the_good_file_signs_in() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let bad = danvan_export::to_xlsx(&table(
            ACC,
            &[
                &[
                    "canbo.oceo",
                    "Lâm Văn Tư",
                    "unit_officer",
                    "Xã Óc Eo",
                    "",
                    "",
                ],
                &[
                    "hoinongdan.lx2",
                    "Trần Thị Bé",
                    "Người báo cáo của tổ chức",
                    "30307",
                    "",
                    "",
                ],
                &["giamsat.x", "Mai Văn Hai", "giám đốc", "30307", "", ""],
            ],
        ))
        .unwrap();
        let before = app.count("accounts").await;
        let audit_before = app.count("audit_log").await;
        let (s, body) = upload(&app, "accounts", &admin, bad, "tk.xlsx").await;
        assert_eq!(s, 422, "{body}");
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
                (3, "Tổ chức".into(), "organisation_required".into()),
                (4, "Vai trò".into(), "unknown_role".into()),
            ],
            "{body}"
        );
        assert_eq!(app.count("accounts").await, before);
        assert_eq!(app.count("audit_log").await, audit_before);

        // Duplicates (folded) and units that do not exist are refused too.
        let csv = "Tên đăng nhập,Họ và tên,Vai trò,Đơn vị\n\
                   canbo.a,Nguyễn A,unit_officer,30307\n\
                   CANBO.A,Nguyễn A,unit_officer,30307\n\
                   canbo.b,Nguyễn B,unit_officer,Xã Không Có\n";
        let (s, body) = upload(&app, "accounts", &admin, csv.into(), "tk.csv").await;
        assert_eq!(s, 422, "{body}");
        let codes: Vec<&str> = body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"duplicate_row"), "{body}");
        assert!(codes.contains(&"unknown_unit"), "{body}");

        let good = danvan_export::to_xlsx(&table(
            ACC,
            &[
                &[
                    "canbo.oceo",
                    "Lâm Văn Tư",
                    "Cán bộ dân vận đơn vị",
                    "Xa Oc Eo",
                    "",
                    "",
                ],
                &[
                    "hoinongdan.lx2",
                    "Trần Thị Bé",
                    "reporter",
                    "Phường Long Xuyên",
                    "Hội Nông dân phường Long Xuyên",
                    "be.tt@example.vn",
                ],
            ],
        ))
        .unwrap();
        let (s, body) = upload(&app, "accounts", &admin, good, "tk.xlsx").await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["created"], 2);
        assert_eq!(app.count("accounts").await, before + 2);
        let creds = body["credentials"].as_array().unwrap();
        assert_eq!(creds.len(), 2, "{body}");
        // The passwords are in the answer only: not in the audit trail.
        let (_, audit) = get(&app, "/api/v1/audit?per_page=50", Some(&admin)).await;
        for c in creds {
            let username = c["username"].as_str().unwrap();
            let password = c["password"].as_str().unwrap();
            assert!(!audit.to_string().contains(password));
            let r = app
                .client()
                .post(app.url("/api/v1/auth/token"))
                .json(&serde_json::json!({"username": username, "password": password}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{username} signs in");
        }
        // The same file again: the logins are taken now.
        let again = danvan_export::to_xlsx(&table(
            ACC,
            &[&["canbo.oceo", "Lâm Văn Tư", "unit_officer", "30688", "", ""]],
        ))
        .unwrap();
        let (s, body) = upload(&app, "accounts", &admin, again, "tk.xlsx").await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["rows"][0]["code"], "username_taken");
        // Only the province admin creates accounts.
        let officer = app.token("demo.longxuyen").await;
        let csv = "Tên đăng nhập,Họ và tên,Vai trò,Đơn vị\nx.y,X Y,unit_officer,30307\n";
        let (s, _) = upload(&app, "accounts", &officer, csv.into(), "tk.csv").await;
        assert_eq!(s, 403);
    });
}

fn initiative_titles() -> Vec<&'static str> {
    vec![
        "Tên mô hình",
        "Lĩnh vực",
        "Đợt thi đua",
        "Đơn vị",
        "Tổ chức",
        "Ngày bắt đầu",
        "Mô tả",
        "Chỉ tiêu 1",
        "Đơn vị tính 1",
        "Mục tiêu 1",
        "Chỉ tiêu 2",
        "Đơn vị tính 2",
        "Mục tiêu 2",
    ]
}

#[tokio::test]
async fn initiatives_with_indicators() {
    each_backend!(|app| {
        let reporter = app.token("demo.hoinongdan").await;
        let year = chrono::Local::now().format("%Y").to_string();
        let titles = initiative_titles();
        let bad = danvan_export::to_xlsx(&table(
            &titles,
            &[
                &[
                    "Cánh đồng lớn liên kết",
                    "Kinh tế",
                    &year,
                    "30307",
                    "Hội Nông dân phường Long Xuyên",
                    "",
                    "Liên kết sản xuất lúa chất lượng cao.",
                    "Hộ được giúp",
                    "",
                    "40",
                    "",
                    "",
                    "",
                ],
                &[
                    "Mô hình thứ hai",
                    "Văn hóa xã hội",
                    &year,
                    "Phường Không Có",
                    "Hội Nông dân phường Long Xuyên",
                    "",
                    "Mô tả.",
                    "Hộ được giúp",
                    "",
                    "nhiều",
                    "",
                    "",
                    "",
                ],
                &[
                    "Cánh đồng lớn liên kết",
                    "economy",
                    &year,
                    "Phường Long Xuyên",
                    "Hội Nông dân phường Long Xuyên",
                    "",
                    "Trùng.",
                    "households",
                    "",
                    "40",
                    "",
                    "",
                    "",
                ],
            ],
        ))
        .unwrap();
        let before = app.count("initiatives").await;
        let (s, body) = upload(&app, "initiatives", &reporter, bad, "mh.xlsx").await;
        assert_eq!(s, 422, "{body}");
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
        assert!(
            rows.contains(&(3, "Đơn vị".into(), "unknown_unit".into())),
            "{body}"
        );
        assert!(
            rows.contains(&(3, "Mục tiêu 1".into(), "invalid_target".into())),
            "{body}"
        );
        assert!(
            rows.contains(&(4, "".into(), "duplicate_row".into())),
            "{body}"
        );
        assert_eq!(app.count("initiatives").await, before);

        let good = danvan_export::to_xlsx(&table(
            &titles,
            &[
                &[
                    "Cánh đồng lớn liên kết",
                    "Kinh tế",
                    &year,
                    "30307",
                    "Hội Nông dân phường Long Xuyên",
                    "",
                    "Liên kết sản xuất lúa chất lượng cao.",
                    "Hộ được giúp",
                    "hộ",
                    "40",
                    "Sản lượng lúa tăng thêm",
                    "tấn",
                    "1.250,5",
                ],
                &[
                    "Tổ vay vốn xoay vòng",
                    "economy",
                    &year,
                    "Phuong Long Xuyen",
                    "",
                    "01/12/2026",
                    "Giúp hội viên vay vốn.",
                    "Tiền huy động",
                    "",
                    "150000000",
                    "",
                    "",
                    "",
                ],
            ],
        ))
        .unwrap();
        let (s, body) = upload(&app, "initiatives", &reporter, good, "mh.xlsx").await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["created"], 2);
        let (_, list) = get(&app, "/api/v1/initiatives?per_page=100", Some(&reporter)).await;
        let items = list["items"]
            .as_array()
            .unwrap_or_else(|| list.as_array().unwrap());
        let id = items
            .iter()
            .find(|i| i["title"] == "Cánh đồng lớn liên kết")
            .map(|i| i["id"].as_i64().unwrap())
            .unwrap_or_else(|| panic!("listed: {list}"));
        let (s, one) = get(&app, &format!("/api/v1/initiatives/{id}"), Some(&reporter)).await;
        assert_eq!(s, 200, "{one}");
        assert_eq!(one["state"], "submitted", "{one}");
        let inds = one["indicators"].as_array().unwrap();
        assert_eq!(inds.len(), 2, "{one}");
        assert!(
            inds.iter()
                .any(|i| i["kind"] == "households" && i["target"] == 40.0),
            "{one}"
        );
        assert!(
            inds.iter()
                .any(|i| i["kind"] == "custom" && i["target"] == 1250.5),
            "{one}"
        );
        // A reporter registers for its own organisation only.
        let other = danvan_export::to_xlsx(&table(
            &titles,
            &[&[
                "Mô hình của tổ chức khác",
                "Kinh tế",
                &year,
                "30688",
                "Hội Liên hiệp Phụ nữ xã Óc Eo",
                "",
                "Không được phép.",
                "Hộ được giúp",
                "",
                "5",
                "",
                "",
                "",
            ]],
        ))
        .unwrap();
        let (s, body) = upload(&app, "initiatives", &reporter, other, "mh.xlsx").await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["rows"][0]["code"], "forbidden", "{body}");
    });
}

const HOUSEHOLD: &[&str] = &["Họ tên chủ hộ", "Địa chỉ", "Xã, phường", "Diện", "Năm"];

#[tokio::test]
async fn a_communes_yearly_list_keeps_last_years_and_refuses_repeats() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let before = app.count("households").await;
        let listings = app.count("household_listings").await;
        // Next year's list: two demo households again (one moves to near-poor), one new.
        let file = danvan_export::to_xlsx(&table(
            HOUSEHOLD,
            &[
                &[
                    "Nguyễn Thị Lệ",
                    "Số 12, khóm Bình Khánh 3",
                    "Phường Long Xuyên",
                    "Hộ nghèo",
                    "2027",
                ],
                &[
                    "TRAN VAN HUNG",
                    "so 45/2 khom Binh Khanh 5",
                    "30307",
                    "cận nghèo",
                    "2027",
                ],
                &[
                    "Lý Văn Mới",
                    "Số 3, khóm Mỹ Thạnh",
                    "Long Xuyên",
                    "Người khuyết tật",
                    "2027",
                ],
            ],
        ))
        .unwrap();
        let (s, body) = upload(&app, "households", &officer, file, "ho-ngheo-2027.xlsx").await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["created"], 3);
        assert_eq!(app.count("households").await, before + 1, "two were known");
        assert_eq!(app.count("household_listings").await, listings + 3);
        let (_, list) = get(&app, "/api/v1/households?unit=30307", Some(&officer)).await;
        let hung = list
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["head_name"] == "Trần Văn Hùng")
            .unwrap();
        let years: Vec<String> = hung["listings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{} {}", l["year"], l["category"].as_str().unwrap()))
            .collect();
        assert_eq!(
            years,
            vec!["2027 near_poor", "2026 near_poor", "2025 poor"],
            "history kept"
        );

        // The same file again, plus bad rows: every problem named, nothing written.
        let file = danvan_export::to_xlsx(&table(
            HOUSEHOLD,
            &[
                &[
                    "Nguyễn Thị Lệ",
                    "Số 12, khóm Bình Khánh 3",
                    "30307",
                    "Hộ nghèo",
                    "2027",
                ],
                &[
                    "Phan Văn Khác",
                    "Ấp Vồ Đầu",
                    "Xã Núi Cấm",
                    "Hộ nghèo",
                    "2027",
                ],
                &["Đỗ Văn Sai", "Khóm 2", "30307", "hộ giàu", "năm sau"],
                &["Đỗ Văn Đôi", "Khóm 9", "30307", "Hộ nghèo", "2027"],
                &["do van doi", "khom 9", "30307", "poor", "2027"],
            ],
        ))
        .unwrap();
        let (s, body) = upload(&app, "households", &officer, file, "lai.xlsx").await;
        assert_eq!(s, 422, "{body}");
        let problems: Vec<(i64, String)> = body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["row"].as_i64().unwrap(),
                    p["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            problems.windows(2).all(|w| w[0].0 <= w[1].0),
            "in the file's order: {problems:?}"
        );
        for want in [
            (2, "duplicate_household"),
            (3, "forbidden"),
            (4, "unknown_category"),
            (4, "invalid_year"),
            (6, "duplicate_row"),
        ] {
            assert!(
                problems.contains(&(want.0, want.1.to_string())),
                "{want:?} in {problems:?}"
            );
        }
        assert_eq!(app.count("household_listings").await, listings + 3);
    });
}
