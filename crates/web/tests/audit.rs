//! The audit trail: every change recorded with before and after, the chain detects edits and
//! deletions, the administrator can filter it.
#![allow(clippy::unwrap_used)]

mod common;

use danvan_storage::Db;
use serde_json::{Value, json};

async fn exec(db: &Db, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
    .unwrap();
}

async fn try_exec(db: &Db, sql: &str) -> bool {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.is_ok(),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.is_ok(),
    }
}

#[tokio::test]
async fn changes_are_recorded_and_tampering_is_detected() {
    each_backend!(|app| {
        let c = app.client();
        let admin = app.token("demo.tinh").await;
        let r = c
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(&admin)
            .json(&json!({"username": "giamsat.hdnd", "display_name": "Giám sát HĐND", "role": "supervisor", "unit_code": "91"}))
            .send()
            .await
            .unwrap();
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        c.post(app.url(&format!("/api/v1/accounts/{id}/disable")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();

        let page: Value = c
            .get(app.url("/api/v1/audit?action=account.disable&entity_type=account"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1);
        let e = &page["entries"][0];
        assert_eq!(e["actor"], "demo.tinh");
        assert_eq!(e["entity_id"], id.to_string());
        assert_eq!(e["before_json"], "{\"is_disabled\":false}");
        assert_eq!(e["after_json"], "{\"is_disabled\":true}");

        let v: Value = c
            .get(app.url("/api/v1/audit/verify"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["intact"], true);
        let entries = v["entries"].as_i64().unwrap();
        assert!(
            entries >= 20,
            "demo load, tokens and changes are all recorded: {entries}"
        );

        // The database refuses edits outright.
        assert!(
            !try_exec(
                app.db(),
                "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3"
            )
            .await
        );
        assert!(!try_exec(app.db(), "DELETE FROM audit_log WHERE seq = 3").await);

        // Someone with the database's keys removes the guard and edits a row: detected.
        match app.db() {
            Db::Sqlite(_) => exec(app.db(), "DROP TRIGGER audit_log_no_update").await,
            Db::Postgres(_) => {
                exec(
                    app.db(),
                    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
                )
                .await
            }
        }
        exec(app.db(), "UPDATE audit_log SET after_json = '{\"is_disabled\":false}' WHERE action = 'account.disable'").await;
        let v: Value = c
            .get(app.url("/api/v1/audit/verify"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["intact"], false);
        assert_eq!(v["reason"], "content does not match its hash");

        // Undo the edit, then delete the newest entry instead: the head no longer matches.
        exec(app.db(), "UPDATE audit_log SET after_json = '{\"is_disabled\":true}' WHERE action = 'account.disable'").await;
        let v = danvan_storage::audit::verify(app.db()).await.unwrap();
        assert!(v.broken_at.is_none(), "{v:?}");
        match app.db() {
            Db::Sqlite(_) => exec(app.db(), "DROP TRIGGER audit_log_no_delete").await,
            Db::Postgres(_) => {}
        }
        exec(
            app.db(),
            "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)",
        )
        .await;
        let v = danvan_storage::audit::verify(app.db()).await.unwrap();
        assert!(v.broken_at.is_some(), "a removed newest entry is detected");
        // And a hole in the middle.
        exec(app.db(), "DELETE FROM audit_log WHERE seq = 2").await;
        let v = danvan_storage::audit::verify(app.db()).await.unwrap();
        assert_eq!(v.broken_at.map(|b| b.0), Some(2));
    });
}

#[tokio::test]
async fn the_admin_browses_and_filters_the_trail() {
    each_backend!(|app| {
        let b = app.browser();
        app.sign_in(&b, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let html = b
            .get(app.url("/quan-tri/nhat-ky?action=account.create"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Nhật ký thay đổi"));
        assert!(
            html.contains("Tổng số: 9"),
            "seven demo accounts and two council members created"
        );
        let html = b
            .get(app.url("/quan-tri/nhat-ky?verify=1"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Chuỗi nhật ký nguyên vẹn"));
        let r = b
            .get(app.url("/quan-tri/nhat-ky?from=2025-02-30"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = b
            .get(app.url("/quan-tri/nhat-ky?actor=demo.tinh&from=2020-01-01&to=2099-12-31"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("session.start"));
    });
}

/// Submissions share commits: changes queued while a batch runs are written together, each
/// in its own savepoint. A change that fails takes back its own writes (and its audit
/// entries and search documents, kept for the commit) only; the others are committed,
/// answered, and chained without a gap.
#[tokio::test]
async fn a_group_commit_keeps_the_good_changes_and_drops_the_failed_ones() {
    use danvan_storage::StoreError;
    use danvan_storage::audit::{Actor, Change};
    use danvan_storage::group_commit::GroupCommit;
    each_backend!(|app| {
        // Two petitions whose search documents the changes 1 (kept) and 3 (refused) write
        // again.
        let mut petitions = Vec::new();
        for title in ["Đèn đường hư khóm Đông Thịnh", "Cống nghẹt khóm Mỹ Thới"]
        {
            let (s, r) = common::call(
                &app,
                reqwest::Method::POST,
                "/api/v1/petitions",
                None,
                Some(serde_json::json!({
                "kind": "feedback", "field": "construction", "unit_code": "30307",
                "title": title, "content": "Nội dung đủ dài để mô tả sự việc.",
                "petitioner": {"name": "Trần Thị Thử", "phone": "0913 579 246"}, "consent": true})),
            )
            .await;
            assert_eq!(s, 201, "{r}");
            petitions.push(r["id"].as_i64().unwrap());
        }
        let petitions: [i64; 2] = [petitions[0], petitions[1]];
        app.exec(&format!(
            "DELETE FROM search_documents WHERE kind = 'petition' AND ref_id IN ({}, {})",
            petitions[0], petitions[1]
        ))
        .await;
        let indexed =
            |id: i64| format!("search_documents WHERE kind = 'petition' AND ref_id = {id}");
        let group = GroupCommit::start(app.db().clone());
        let before = danvan_storage::audit::verify(app.db())
            .await
            .unwrap()
            .entries;
        let change = |i: i64| {
            let group = group.clone();
            tokio::spawn(async move {
                group
                    .write(move |tx| {
                        Box::pin(async move {
                            let entry = Change {
                                action: "test.group",
                                entity_type: "test",
                                entity_id: i.to_string(),
                                before: None,
                                after: None,
                            };
                            danvan_storage::audit::append(tx, &Actor::system("test"), entry)
                                .await?;
                            danvan_storage::rate_limit::hit_in(tx, &format!("group:{i}"), 5, 3600)
                                .await?;
                            if i == 1 || i == 3 {
                                let id = petitions[usize::from(i == 3)];
                                danvan_storage::search::index_new_petition(tx, id).await?;
                            }
                            if i == 0 {
                                // Holds the first batch open while the others queue.
                                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                            }
                            if i % 7 == 3 {
                                return Err(StoreError::Conflict("refused"));
                            }
                            Ok(i)
                        })
                    })
                    .await
            })
        };
        let first = change(0);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let rest: Vec<_> = (1..60).map(change).collect();
        let mut committed = vec![first.await.unwrap().unwrap()];
        let mut refused = 0;
        for task in rest {
            match task.await.unwrap() {
                Ok(i) => committed.push(i),
                Err(StoreError::Conflict("refused")) => refused += 1,
                Err(e) => panic!("unexpected: {e}"),
            }
        }
        assert_eq!(refused, (1..60).filter(|i| i % 7 == 3).count());
        assert_eq!(committed.len() + refused, 60);
        let chain = danvan_storage::audit::verify(app.db()).await.unwrap();
        assert_eq!(chain.broken_at, None);
        assert_eq!(chain.entries, before + committed.len() as i64);
        let kept = app.count("rate_limits WHERE bucket LIKE 'group:%'").await;
        assert_eq!(kept, committed.len() as i64);
        let refused_rows = app
            .count("audit_log WHERE action = 'test.group' AND entity_id IN ('3', '10', '17')")
            .await;
        assert_eq!(refused_rows, 0);
        assert_eq!(
            app.count(&indexed(petitions[0])).await,
            1,
            "kept change's document"
        );
        assert_eq!(
            app.count(&indexed(petitions[1])).await,
            0,
            "refused change's document"
        );
    });
}
