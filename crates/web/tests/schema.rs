//! Both migration trees produce the same tables and columns.
#![allow(clippy::unwrap_used)]

mod common;

use danvan_storage::Backend;

#[tokio::test]
async fn sqlite_and_postgres_have_the_same_schema() {
    let sqlite = common::TestDb::fresh(Backend::Sqlite).await;
    let mut lite = sqlite.db.schema().await.unwrap();
    assert!(lite.contains_key("units") && lite.contains_key("audit_log"));
    // SQLite only: the FTS5 index of the search (0005_search.sql) is a virtual table,
    // search_fts, with its shadow tables search_fts_data, _idx, _docsize and _config.
    // PostgreSQL indexes the same text with a GIN index, which is no table, so these are
    // left out of the comparison — after checking that they exist.
    let fts: Vec<String> = lite
        .keys()
        .filter(|t| t.starts_with("search_fts"))
        .cloned()
        .collect();
    for t in [
        "search_fts",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_config",
    ] {
        assert!(fts.iter().any(|f| f == t), "{t} exists on SQLite");
    }
    for t in fts {
        lite.remove(&t);
    }
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
