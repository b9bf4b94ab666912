//! What the binary's end-to-end tests share: a running `danvan serve` started as a shell
//! would, and a PostgreSQL database of their own.
// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const ROLES: [&str; 6] = [
    "province_admin",
    "unit_officer",
    "reporter",
    "council_member",
    "handler",
    "supervisor",
];

#[derive(Clone, Debug)]
pub struct Account {
    pub username: String,
    pub password: String,
}

/// How to start `danvan serve`: on SQLite in a fresh data dir unless told otherwise.
pub struct Serve {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    demo: bool,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Serve {
    /// With the demo province loaded and its accounts read from stdout.
    pub fn demo(database_url: Option<&str>) -> Serve {
        Serve {
            database_url: database_url.map(str::to_string),
            data_dir: None,
            demo: true,
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// On a database that another server already set up.
    pub fn plain(database_url: Option<&str>) -> Serve {
        Serve {
            demo: false,
            ..Serve::demo(database_url)
        }
    }

    /// A data dir shared with another server (files and the seal key), instead of a fresh one.
    pub fn data_dir(mut self, dir: &Path) -> Serve {
        self.data_dir = Some(dir.to_path_buf());
        self
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Serve {
        self.args.push(arg.into());
        self
    }

    /// An environment variable for the server (the test runner's own malloc settings are
    /// never passed on).
    pub fn env(mut self, name: &str, value: &str) -> Serve {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// Starts the real binary and reads its stdout until the listening line.
    pub async fn start(self) -> App {
        let (data_dir, fresh) = match self.data_dir {
            Some(dir) => (dir, None),
            None => {
                let dir = tempfile::tempdir().expect("create a temp data dir");
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        let mut command = Command::new(env!("CARGO_BIN_EXE_danvan"));
        command
            .arg("serve")
            .arg("--bind")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&data_dir)
            .args(&self.args);
        if self.demo {
            command.arg("--demo");
        }
        match &self.database_url {
            Some(url) => command.arg("--database-url").arg(url),
            None => command.env_remove("DATABASE_URL"),
        };
        command
            .env_remove("MALLOC_ARENA_MAX")
            .env_remove("GLIBC_TUNABLES")
            .envs(self.env)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("start `danvan serve`");
        let stdout = child.stdout.take().expect("danvan's stdout is piped");
        let mut lines = BufReader::new(stdout).lines();

        let mut accounts = HashMap::new();
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let base_url = loop {
            let line = match tokio::time::timeout_at(deadline, lines.next_line()).await {
                Err(_) => panic!(
                    "`danvan serve` printed no `danvan listening on http://…` line within 60 s; \
                     its stdout so far: {seen:#?}"
                ),
                Ok(Err(e)) => panic!("reading danvan's stdout: {e}"),
                Ok(Ok(None)) => {
                    let status = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
                    panic!(
                        "`danvan serve` closed its stdout ({status:?}) before printing its \
                         listening line; its stdout: {seen:#?}"
                    )
                }
                Ok(Ok(Some(line))) => line,
            };
            if let Some(rest) = line.split("danvan listening on ").nth(1) {
                break rest.trim().trim_end_matches('/').to_string();
            }
            if let Some(account) = line.strip_prefix("  ") {
                let fields: Vec<&str> = account.split_whitespace().collect();
                if let [role, username, password] = fields[..]
                    && ROLES.contains(&role)
                {
                    let account = Account {
                        username: username.to_string(),
                        password: password.to_string(),
                    };
                    // By role (the last account of a role wins) and by user name.
                    accounts.insert(username.to_string(), account.clone());
                    accounts.insert(role.to_string(), account);
                }
            }
            seen.push(line);
        };
        assert!(
            base_url.starts_with("http://127.0.0.1:"),
            "unexpected listening address {base_url:?}"
        );

        // Keep draining stdout so the pipe never fills up and blocks the server.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[danvan] {line}");
            }
        });

        App {
            child,
            base_url,
            accounts,
            _data_dir: fresh,
        }
    }
}

/// A running `danvan serve`; killed when dropped.
pub struct App {
    child: Child,
    pub base_url: String,
    accounts: HashMap<String, Account>,
    _data_dir: Option<tempfile::TempDir>,
}

impl App {
    pub fn account(&self, role: &str) -> Account {
        self.accounts.get(role).cloned().unwrap_or_else(|| {
            panic!(
                "`danvan serve --demo` printed no demo account for role {role} \
                 (expected a line `  {role} <username> <password>` before the listening line); \
                 it printed: {:?}",
                self.accounts
            )
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A variable of the running server's environment, as the kernel shows it for the
    /// process that was started (Linux).
    pub fn environment(&self, name: &str) -> Option<String> {
        let pid = self.child.id()?;
        let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
        environ.split(|b| *b == 0).find_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (key, value) = entry.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    /// Stops the server the hard way (SIGKILL): no shutdown, no flushing.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A PostgreSQL database of our own on the server of `DANVAN_TEST_POSTGRES`, dropped at the
/// end (best effort, also on panic).
pub struct TestDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
    dropped: bool,
}

impl TestDatabase {
    pub async fn create(admin_url: String) -> TestDatabase {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("danvan_e2e_{}_{nanos}", std::process::id());
        let pool = sqlx::PgPool::connect(&admin_url)
            .await
            .expect("connect to DANVAN_TEST_POSTGRES to create a test database");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        pool.close().await;
        let mut url = reqwest::Url::parse(&admin_url).expect("DANVAN_TEST_POSTGRES is a URL");
        url.set_path(&format!("/{name}"));
        eprintln!("end-to-end test: using the fresh PostgreSQL database {name}");
        TestDatabase {
            admin_url,
            name,
            url: url.to_string(),
            dropped: false,
        }
    }

    pub async fn drop_now(mut self) {
        drop_database(&self.admin_url, &self.name).await;
        self.dropped = true;
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A panic got us here: drop the database from a thread of its own,
        // since Drop cannot await on the test's runtime.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&admin_url, &name));
            }
        })
        .join();
    }
}

async fn drop_database(admin_url: &str, name: &str) {
    let Ok(pool) = sqlx::PgPool::connect(admin_url).await else {
        eprintln!("end-to-end test: could not connect to drop database {name}");
        return;
    };
    // The server was just killed; FORCE (PostgreSQL 13+) ends connections it left.
    let force = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    if sqlx::raw_sql(sqlx::AssertSqlSafe(force))
        .execute(&pool)
        .await
        .is_err()
    {
        let plain = format!("DROP DATABASE IF EXISTS \"{name}\"");
        if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(plain))
            .execute(&pool)
            .await
        {
            eprintln!("end-to-end test: could not drop database {name}: {e}");
        }
    }
    pool.close().await;
}
