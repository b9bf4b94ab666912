//! The `danvan` binary from a shell's point of view: migrate, user add, audit verify, on the
//! embedded SQLite and (when `DANVAN_TEST_POSTGRES` is set) on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn danvan(args: &[&str], db: &[String], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_danvan"));
    cmd.args(args)
        .args(db)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The database options for each backend, and a way to run raw SQL against it.
enum Target {
    Sqlite(tempfile::TempDir),
    Postgres { admin: String, name: String },
}

impl Target {
    fn args(&self) -> Vec<String> {
        match self {
            Target::Sqlite(dir) => vec!["--data-dir".into(), dir.path().display().to_string()],
            Target::Postgres { .. } => vec!["--database-url".into(), self.url()],
        }
    }
    fn url(&self) -> String {
        match self {
            Target::Sqlite(dir) => format!("sqlite://{}/danvan.sqlite3", dir.path().display()),
            Target::Postgres { admin, name } => {
                format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
            }
        }
    }
    async fn exec(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Target::Sqlite(_) => {
                let pool = sqlx::SqlitePool::connect(&self.url()).await.unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Target::Postgres { .. } => {
                let pool = sqlx::PgPool::connect(&self.url()).await.unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }
}

async fn targets() -> Vec<Target> {
    let mut v = vec![Target::Sqlite(tempfile::tempdir().unwrap())];
    if let Some(admin) = std::env::var("DANVAN_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
    {
        let name = format!(
            "danvan_cli_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        );
        let pool = sqlx::PgPool::connect(&admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        v.push(Target::Postgres { admin, name });
    }
    v
}

async fn drop_target(t: Target) {
    if let Target::Postgres { admin, name } = t {
        let pool = sqlx::PgPool::connect(&admin).await.unwrap();
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&pool)
        .await;
        pool.close().await;
    }
}

#[tokio::test]
async fn migrate_user_add_and_audit_verify() {
    for t in targets().await {
        let db = t.args();
        let o = danvan(&["migrate"], &db, None);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("database migrated"));

        let add = |username: &str, unit: &str, password: &str| {
            danvan(
                &[
                    "user",
                    "add",
                    "--username",
                    username,
                    "--role",
                    "unit_officer",
                    "--unit",
                    unit,
                    "--display-name",
                    "Cán bộ Óc Eo",
                    "--password-stdin",
                ],
                &db,
                Some(password),
            )
        };
        let o = add("canbo.cli", "30688", "mật khẩu dòng lệnh đủ dài\n");
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            text(&o).contains("created account canbo.cli"),
            "{}",
            text(&o)
        );
        assert!(text(&o).contains("Xã Óc Eo"));

        let o = add("canbo.cli", "30688", "mật khẩu dòng lệnh đủ dài\n");
        assert!(
            !o.status.success(),
            "a second account with the same name is refused"
        );
        let o = add("canbo.ngan", "30688", "ngắn\n");
        assert!(!o.status.success());
        assert!(text(&o).contains("at least 10 characters"), "{}", text(&o));
        let o = add("canbo.khac", "99999", "mật khẩu dòng lệnh đủ dài\n");
        assert!(!o.status.success());
        assert!(text(&o).contains("99999"), "{}", text(&o));
        let o = danvan(
            &[
                "user",
                "add",
                "--username",
                "x.y.z",
                "--role",
                "emperor",
                "--password-stdin",
            ],
            &db,
            Some("mật khẩu dòng lệnh đủ dài\n"),
        );
        assert!(!o.status.success());
        assert!(text(&o).contains("unknown role"));

        let o = danvan(&["audit", "verify"], &db, None);
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            text(&o).contains("audit trail intact: 1 entries"),
            "{}",
            text(&o)
        );

        match &t {
            Target::Sqlite(_) => t.exec("DROP TRIGGER audit_log_no_update").await,
            Target::Postgres { .. } => {
                t.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
                    .await
            }
        }
        t.exec("UPDATE audit_log SET actor = 'someone-else'").await;
        let o = danvan(&["audit", "verify"], &db, None);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains("BROKEN at entry 1"), "{}", text(&o));
        drop_target(t).await;
    }
}

#[tokio::test]
async fn database_url_comes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/from-env.sqlite3", dir.path().display());
    let o = Command::new(env!("CARGO_BIN_EXE_danvan"))
        .args(["migrate"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(dir.path().join("from-env.sqlite3").exists());
}

#[test]
fn calendar_commands_print_holidays_and_deadlines() {
    let o = Command::new(env!("CARGO_BIN_EXE_danvan"))
        .args(["calendar", "holidays", "--year", "2025"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines
            .iter()
            .all(|l| l.len() > 11 && l.as_bytes()[10] == b'\t'),
        "YYYY-MM-DD<TAB>name: {out}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("2025-01-29\t")),
        "Tết 2025: {out}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("2025-04-07\t")),
        "Giỗ Tổ 2025: {out}"
    );
    assert!(lines.iter().any(|l| l.starts_with("2025-09-02\t")));
    let deadline = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_danvan"))
            .arg("calendar")
            .arg("deadline")
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    assert_eq!(
        deadline(&["--from", "2025-03-05", "--days", "10"]),
        "2025-03-17"
    );
    assert_eq!(
        deadline(&["--from", "2025-01-24", "--days", "5", "--working"]),
        "2025-02-07"
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_danvan"))
        .args(["calendar", "deadline", "--from", "hôm nay", "--days", "3"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[tokio::test]
async fn open311_key_add_prints_one_key_that_the_database_knows() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().display().to_string();
    let name = "Ứng dụng Phản ánh hiện trường";
    let o = danvan(
        &[
            "open311",
            "key",
            "add",
            "--name",
            name,
            "--data-dir",
            &data_dir,
        ],
        &[],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one key line on standard output: {stdout}");
    let key = lines[0];
    assert!(
        key.len() >= 40
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{key}"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(name),
        "{}",
        text(&o)
    );

    // Only the key's hash is kept, and it finds the key's name.
    let db = danvan_storage::Db::open_sqlite_dir(dir.path())
        .await
        .unwrap();
    let found =
        danvan_storage::petitions::open311_key(&db, &danvan_domain::secret::token_hash(key))
            .await
            .unwrap();
    assert_eq!(found.map(|(_, n)| n).as_deref(), Some(name));
    db.close().await;

    let again = danvan(
        &[
            "open311",
            "key",
            "add",
            "--name",
            name,
            "--data-dir",
            &data_dir,
        ],
        &[],
        None,
    );
    assert!(again.status.success(), "{}", text(&again));
    assert_ne!(String::from_utf8_lossy(&again.stdout).trim(), key);
    let empty = danvan(
        &[
            "open311",
            "key",
            "add",
            "--name",
            " ",
            "--data-dir",
            &data_dir,
        ],
        &[],
        None,
    );
    assert!(!empty.status.success(), "a key needs a name");
}

#[tokio::test]
async fn import_organisations_from_csv() {
    for t in targets().await {
        let db = t.args();
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("sai.csv");
        std::fs::write(
            &bad,
            "\u{feff}Tên tổ chức,Loại,Đơn vị\nTổ tự quản ấp 1,collective,30538\nTổ tự quản ấp 2,collective,Xã Không Có\n",
        )
        .unwrap();
        let o = danvan(
            &["import", "organisations", bad.to_str().unwrap()],
            &db,
            None,
        );
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains("row 3"), "{}", text(&o));
        assert!(text(&o).contains("nothing was written"), "{}", text(&o));

        let good = dir.path().join("to-chuc.csv");
        std::fs::write(
            &good,
            "Tên tổ chức,Loại,Đơn vị\nTổ tự quản ấp 1,collective,30538\nHội Khuyến học,Đoàn thể,Phuong Long Xuyen\n",
        )
        .unwrap();
        let o = danvan(
            &["import", "organisations", good.to_str().unwrap()],
            &db,
            None,
        );
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            text(&o).contains("imported 2 organisations"),
            "{}",
            text(&o)
        );
        assert!(
            text(&o).contains("2/2"),
            "the progress bar is drawn: {}",
            text(&o)
        );
        // One audit entry per organisation, by the system actor "cli".
        let o = danvan(&["audit", "verify"], &db, None);
        assert!(
            text(&o).contains("audit trail intact: 2 entries"),
            "{}",
            text(&o)
        );
        drop_target(t).await;
    }
}

#[tokio::test]
async fn import_accounts_prints_the_initial_passwords_once() {
    for t in targets().await {
        let db = t.args();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tai-khoan.csv");
        std::fs::write(
            &file,
            "Tên đăng nhập,Họ và tên,Vai trò,Đơn vị\ncanbo.nuicam,Huỳnh Văn Ba,Cán bộ dân vận đơn vị,Xã Núi Cấm\ngiamsat.tinh,Võ Thị Tư,supervisor,91\n",
        )
        .unwrap();
        let o = danvan(&["import", "accounts", file.to_str().unwrap()], &db, None);
        assert!(o.status.success(), "{}", text(&o));
        let out = text(&o);
        assert!(out.contains("imported 2 accounts"), "{out}");
        for user in ["canbo.nuicam", "giamsat.tinh"] {
            let line = out
                .lines()
                .find(|l| l.starts_with(&format!("{user}\t")))
                .unwrap_or_else(|| panic!("{user}'s password printed: {out}"));
            assert!(line.len() > user.len() + 10, "{line}");
        }
        drop_target(t).await;
    }
}

impl Target {
    /// The first column of every row of `sql`, as text.
    async fn column(&self, sql: &str) -> Vec<String> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Target::Sqlite(_) => {
                let pool = sqlx::SqlitePool::connect(&self.url()).await.unwrap();
                let v = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
                pool.close().await;
                v
            }
            Target::Postgres { .. } => {
                let pool = sqlx::PgPool::connect(&self.url()).await.unwrap();
                let v = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
                pool.close().await;
                v
            }
        }
    }

    async fn count(&self, sql: &str) -> usize {
        self.column(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM ({sql}) AS x"))
            .await[0]
            .parse()
            .unwrap()
    }
}

const GENERATE: &[&str] = &[
    "generate",
    "--initiatives",
    "300",
    "--petitions",
    "800",
    "--households",
    "400",
    "--seed",
    "11",
];

#[tokio::test]
async fn generate_fills_every_table_consistently_and_repeats_itself() {
    for t in targets().await {
        let db = t.args();
        let o = danvan(GENERATE, &db, None);
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            text(&o).contains("300 models, 800 petitions, 400 households"),
            "{}",
            text(&o)
        );
        assert!(
            text(&o).contains("800/800"),
            "the progress bar: {}",
            text(&o)
        );
        let o = danvan(&["audit", "verify"], &db, None);
        assert!(
            o.status.success(),
            "audit chain after generate: {}",
            text(&o)
        );

        assert_eq!(t.count("SELECT id FROM initiatives").await, 300);
        assert_eq!(t.count("SELECT id FROM petitions").await, 800);
        assert_eq!(t.count("SELECT id FROM petitioners").await, 800);
        assert_eq!(t.count("SELECT id FROM households").await, 400);
        assert!(t.count("SELECT id FROM deliveries").await > 100);
        assert_eq!(t.count("SELECT id FROM contributions").await, 100);
        assert!(
            t.count("SELECT DISTINCT state FROM initiatives").await >= 7,
            "models in (nearly) every state"
        );
        assert!(t.count("SELECT DISTINCT state FROM petitions").await >= 6);
        assert!(
            t.count("SELECT i.id FROM initiatives i JOIN units u ON u.id = i.unit_id WHERE u.valid_to IS NOT NULL")
                .await
                > 0,
            "records before the reform are in the communes of the time"
        );
        assert_eq!(
            t.count("SELECT id FROM petitioners WHERE sealed NOT LIKE 'v1:%'")
                .await,
            0,
            "petitioners are sealed"
        );
        assert!(
            t.count("SELECT id FROM search_documents").await > 1100,
            "models and petitions are searchable"
        );
        // Ids continue after the generated ones (PostgreSQL's sequences moved past them).
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("to-chuc.csv");
        std::fs::write(
            &csv,
            "Tên tổ chức,Loại,Đơn vị\nTổ tự quản sau khi sinh dữ liệu,collective,30538\n",
        )
        .unwrap();
        let o = danvan(
            &["import", "organisations", csv.to_str().unwrap()],
            &db,
            None,
        );
        assert!(o.status.success(), "{}", text(&o));

        // The same seed, the same data.
        if let Target::Sqlite(_) = t {
            let again = Target::Sqlite(tempfile::tempdir().unwrap());
            let o = danvan(GENERATE, &again.args(), None);
            assert!(o.status.success(), "{}", text(&o));
            for sql in [
                "SELECT title FROM initiatives ORDER BY id",
                "SELECT tracking_code || title || state FROM petitions ORDER BY id",
                // (names are sealed under each data dir's own key, so compare what is in clear)
                "SELECT CAST(h.unit_id AS TEXT) || l.category FROM households h JOIN household_listings l ON l.household_id = h.id ORDER BY l.id",
            ] {
                assert!(
                    t.column(sql).await == again.column(sql).await,
                    "{sql} differs between two runs with one seed"
                );
            }
        }
        drop_target(t).await;
    }
}

/// glibc's per-thread malloc arenas held the server's memory under load (docs/performance.md,
/// sixth round): `serve` bounds them by starting itself again, same process, with
/// `MALLOC_ARENA_MAX` set, unless the operator chose a value of their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[tokio::test]
async fn serve_runs_with_bounded_malloc_arenas_unless_told_otherwise() {
    let bounded = support::Serve::plain(None).start().await;
    let chosen = support::Serve::plain(None)
        .env("MALLOC_ARENA_MAX", "4")
        .start()
        .await;
    for (app, expected) in [(&bounded, "2"), (&chosen, "4")] {
        let health = reqwest::get(app.url("/healthz")).await.unwrap();
        assert_eq!(health.status(), 200, "the server started answers");
        assert_eq!(
            app.environment("MALLOC_ARENA_MAX").as_deref(),
            Some(expected),
            "the process that was started (pid kept by exec) runs with these arenas"
        );
    }
    bounded.stop().await;
    chosen.stop().await;
}
