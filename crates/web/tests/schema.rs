//! Both migration trees produce the same tables and columns.
#![allow(clippy::unwrap_used)]

mod common;

use danvan_storage::Backend;

#[tokio::test]
async fn sqlite_and_postgres_have_the_same_schema() {
    let sqlite = common::TestDb::fresh(Backend::Sqlite).await;
    let lite = sqlite.db.schema().await.unwrap();
    assert!(lite.contains_key("units") && lite.contains_key("audit_log"));
    if common::postgres_admin_url().is_none() {
        eprintln!("DANVAN_TEST_POSTGRES is not set: compared SQLite only with itself");
        sqlite.drop_db().await;
        return;
    }
    let pg = common::TestDb::fresh(Backend::Postgres).await;
    let postgres = pg.db.schema().await.unwrap();
    assert_eq!(
        lite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>(),
        "same tables"
    );
    for (table, columns) in &lite {
        assert_eq!(
            Some(columns),
            postgres.get(table),
            "same columns in {table}"
        );
    }
    sqlite.drop_db().await;
    pg.drop_db().await;
}
