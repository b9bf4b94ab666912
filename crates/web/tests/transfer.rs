//! Council scores and commendation decisions as spreadsheets, and large exports built in
//! the background with progress, kept for their owner only.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::get;
use danvan_web::Config;

async fn fetch(app: &common::TestApp, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut req = app.client().get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

fn sheet(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    wb.worksheet_range(&name)
        .unwrap()
        .rows()
        .map(|r| r.to_vec())
        .collect()
}

fn col(header: &[Data], title: &str) -> usize {
    header
        .iter()
        .position(|h| h == &Data::String(title.into()))
        .unwrap_or_else(|| panic!("column {title} in {header:?}"))
}

#[tokio::test]
async fn council_scores_and_decisions_keep_their_types() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let (s, council) = get(&app, "/api/v1/councils/1", Some(&admin)).await;
        assert_eq!(s, 200);
        let (s, list) = get(&app, "/api/v1/councils", Some(&admin)).await;
        assert_eq!(s, 200, "{list}");
        assert!(list.as_array().unwrap().iter().any(|c| c["id"] == 1));

        let (s, bytes) = fetch(&app, "/api/v1/councils/1?format=xlsx", Some(&admin)).await;
        assert_eq!(s, 200);
        let rows = sheet(&bytes);
        let h = &rows[0];
        let (mean, member, points, rank, note) = (
            col(h, "Điểm trung bình"),
            col(h, "Thành viên"),
            col(h, "Điểm của thành viên"),
            col(h, "Xếp hạng"),
            col(h, "Ghi chú"),
        );
        let models = council["models"].as_array().unwrap();
        let members = council["members"].as_array().unwrap().len();
        assert_eq!(rows.len() - 1, models.len() * members);
        let best = &models[0];
        let first = &rows[1];
        assert!(
            matches!(first[mean], Data::Float(m) if (m - best["mean"].as_f64().unwrap()).abs() < 1e-9),
            "{first:?}"
        );
        assert!(
            matches!(first[rank], Data::Float(r) if r == 1.0),
            "{first:?}"
        );
        assert!(matches!(first[member], Data::String(_)));
        // Every scored cell is a number; the recused member's row says so instead.
        assert!(
            rows[1..]
                .iter()
                .any(|r| matches!(r[points], Data::Float(_)))
        );
        assert!(
            rows[1..]
                .iter()
                .any(|r| matches!(&r[note], Data::String(s) if s.contains("tự rút"))),
            "the recusal is in the file"
        );
        // Only who may open the council gets its scores.
        let officer = app.token("demo.longxuyen").await;
        assert_eq!(
            fetch(&app, "/api/v1/councils/1?format=xlsx", Some(&officer))
                .await
                .0,
            403
        );
        let member_token = app.token("demo.hoidong").await;
        assert_eq!(
            fetch(&app, "/api/v1/councils/1?format=csv", Some(&member_token))
                .await
                .0,
            200
        );

        // Decisions: issued ones are public, a row per recipient, the date a real date.
        let (s, decisions) = get(&app, "/api/v1/decisions", None).await;
        assert_eq!(s, 200, "{decisions}");
        let d = &decisions.as_array().unwrap()[0];
        let (s, bytes) = fetch(&app, "/api/v1/decisions?format=xlsx", None).await;
        assert_eq!(s, 200);
        let rows = sheet(&bytes);
        let h = &rows[0];
        let (number, signed, year) = (col(h, "Số quyết định"), col(h, "Ngày ký"), col(h, "Năm"));
        assert_eq!(rows.len() - 1, d["recipients"].as_array().unwrap().len());
        assert_eq!(
            rows[1][number],
            Data::String(d["number"].as_str().unwrap().into())
        );
        match &rows[1][signed] {
            Data::DateTime(dt) => assert_eq!(
                dt.as_datetime().unwrap().date().to_string(),
                d["signed_on"].as_str().unwrap()
            ),
            other => panic!("a date: {other:?}"),
        }
        assert!(matches!(rows[1][year], Data::Float(_)));
        let (s, bytes) = fetch(&app, "/api/v1/decisions/1?format=csv", None).await;
        assert_eq!(s, 200);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));

        // The pages link their downloads, authenticated by the session.
        let b = app.browser();
        app.sign_in(&b, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let html = b
            .get(app.url("/hoi-dong/1"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("/hoi-dong/1?format=xlsx"));
        let r = b
            .get(app.url("/hoi-dong/1?format=xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = b
            .get(app.url("/khen-thuong/1"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("/khen-thuong/1?format=csv"));
    });
}

#[tokio::test]
async fn large_exports_run_as_jobs_for_their_owner_only() {
    for backend in common::backends() {
        // Read four rows at a time: every list below takes several chunks.
        let config = Config {
            export_async_rows: 3,
            export_chunk_rows: 4,
            ..Config::default()
        };
        let app = common::TestApp::spawn_with(backend, config).await;
        eprintln!("— backend: {backend:?}");
        let admin = app.token("demo.tinh").await;
        let (_, audit) = get(&app, "/api/v1/audit?per_page=1", Some(&admin)).await;
        let total = audit["total"].as_i64().unwrap();
        assert!(total > 3);
        let (s, queued) = get(&app, "/api/v1/audit?format=xlsx&actor=", Some(&admin)).await;
        assert_eq!(s, 202);
        assert_eq!(queued["state"], "queued", "{queued}");
        let id = queued["id"].as_i64().unwrap();
        let url = queued["url"].as_str().unwrap().to_string();
        assert_eq!(url, format!("/api/v1/exports/{id}"));
        assert_eq!(
            fetch(&app, &format!("{url}/file"), Some(&admin)).await.0,
            409
        );

        // The province's petitions, read chunk by chunk by id after one sort.
        let (s, queued_petitions) = get(&app, "/api/v1/petitions?format=xlsx", Some(&admin)).await;
        assert_eq!(s, 202);
        let petitions_url = queued_petitions["url"].as_str().unwrap().to_string();

        // A short list too, when asked.
        let (s, _) = fetch(
            &app,
            "/api/v1/organisations?format=csv&async=true",
            Some(&admin),
        )
        .await;
        assert_eq!(s, 202);

        let runner = danvan_jobs::Runner {
            db: app.state.db.clone(),
            clock: app.state.clock.clone(),
            mailer: None,
            handler: Some(danvan_web::export::job_handler(&app.state)),
        };
        danvan_jobs::drain(&runner, "test").await.unwrap();

        let (s, done) = get(&app, &url, Some(&admin)).await;
        assert_eq!(s, 200);
        assert_eq!(done["state"], "done", "{done}");
        let rows_total = done["rows_total"].as_i64().unwrap();
        assert!(rows_total >= total, "{done}");
        assert_eq!(done["rows_done"], done["rows_total"]);
        let (s, bytes) = fetch(&app, &format!("{url}/file"), Some(&admin)).await;
        assert_eq!(s, 200);
        assert_eq!(sheet(&bytes).len() as i64, rows_total + 1);

        // The petitions' file holds the JSON list's rows in its order, without their texts.
        let (_, list) = get(&app, "/api/v1/petitions?per_page=100", Some(&admin)).await;
        let items = list["items"].as_array().unwrap();
        assert!(items.len() > 8, "more than two chunks: {}", items.len());
        let (s, bytes) = fetch(&app, &format!("{petitions_url}/file"), Some(&admin)).await;
        assert_eq!(s, 200);
        let rows = sheet(&bytes);
        let code = col(&rows[0], "Mã theo dõi");
        let title = col(&rows[0], "Tiêu đề");
        let got: Vec<String> = rows[1..].iter().map(|r| r[code].to_string()).collect();
        let want: Vec<&str> = items
            .iter()
            .map(|p| p["tracking_code"].as_str().unwrap())
            .collect();
        assert_eq!(got, want);
        for (row, item) in rows[1..].iter().zip(items) {
            assert_eq!(row[title].to_string(), item["title"].as_str().unwrap());
            let content = item["content"].as_str().unwrap();
            assert!(
                row.iter().all(|c| !c.to_string().contains(content)),
                "petition text left out"
            );
        }

        // Nobody else sees it, not even another province admin's id guess.
        let other = app.token("demo.mttq").await;
        assert_eq!(get(&app, &url, Some(&other)).await.0, 404);
        assert_eq!(
            fetch(&app, &format!("{url}/file"), Some(&other)).await.0,
            404
        );
        assert_eq!(fetch(&app, &format!("{url}/file"), None).await.0, 401);
        let (_, mine) = get(&app, "/api/v1/exports", Some(&other)).await;
        assert!(mine.as_array().unwrap().is_empty());

        // "Tải về" lists it with its progress and link.
        let b = app.browser();
        app.sign_in(&b, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let html = b
            .get(app.url("/tai-ve"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<progress"), "{html}");
        assert!(html.contains(&format!("href=\"/tai-ve/{id}\"")), "{html}");
        let r = b
            .get(app.url(&format!("/tai-ve/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // The page's download of a long list goes the same way.
        let r = b
            .get(app.url("/quan-tri/nhat-ky?format=csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/tai-ve")
        );

        // Housekeeping removes the file once expired, and notifications read long ago
        // (unread ones and those read lately stay).
        let path = app.state.config.data_dir.join("exports");
        assert!(std::fs::read_dir(&path).unwrap().count() >= 1);
        sqlx_expire(&app).await;
        let long_ago = danvan_storage::now() - chrono::Duration::days(91);
        let lately = danvan_storage::now() - chrono::Duration::days(3);
        for (kind, read_at) in [
            ("old_read", Some(long_ago)),
            ("recent_read", Some(lately)),
            ("old_unread", None),
        ] {
            notice(&app, kind, long_ago, read_at).await;
        }
        let key = "housekeeping-now";
        danvan_storage::jobs::enqueue(
            &app.state.db,
            danvan_jobs::HOUSEKEEPING,
            "{}",
            danvan_storage::now(),
            Some(key),
        )
        .await
        .unwrap();
        danvan_jobs::drain(&runner, "test").await.unwrap();
        assert_eq!(get(&app, &url, Some(&admin)).await.0, 404);
        assert_eq!(std::fs::read_dir(&path).unwrap().count(), 0);
        for (kind, left) in [("old_read", 0), ("recent_read", 1), ("old_unread", 1)] {
            let n = app
                .count(&format!("notifications WHERE kind = '{kind}'"))
                .await;
            assert_eq!(n, left, "{kind}");
        }
        app.stop().await;
    }
}

/// Moves every export's expiry into the past.
async fn sqlx_expire(app: &common::TestApp) {
    let past = danvan_storage::now() - chrono::Duration::days(1);
    danvan_storage::with_db!(app.db(), p => sqlx::query("UPDATE exports SET expires_at = $1")
        .bind(past)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
}

/// A notification for the first account, made `at` and read at `read_at`.
async fn notice(
    app: &common::TestApp,
    kind: &str,
    at: chrono::DateTime<chrono::Utc>,
    read_at: Option<chrono::DateTime<chrono::Utc>>,
) {
    let sql = "INSERT INTO notifications (account_id, kind, message_vi, message_en, url, created_at, read_at)
               SELECT MIN(id), $1, 'Thông báo', 'Notice', '/xu-ly', $2, $3 FROM accounts";
    danvan_storage::with_db!(app.db(), p => sqlx::query(sql)
        .bind(kind)
        .bind(at)
        .bind(read_at)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
}
