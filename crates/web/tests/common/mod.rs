//! The test application: the real router on a random port, against a fresh database of
//! either backend. PostgreSQL runs when `DANVAN_TEST_POSTGRES` names a server URL (CI sets
//! it); every test then runs once per backend inside the same `cargo test`.
#![allow(dead_code, clippy::unwrap_used)]

use danvan_storage::{Backend, Db};
use danvan_web::demo::DemoAccount;
use danvan_web::{AppState, Config};
use serde_json::Value;
use tokio::sync::oneshot;

pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        v.push(Backend::Postgres);
    }
    v
}

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("DANVAN_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

fn with_database(url: &str, name: &str) -> String {
    match url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => format!("{url}/{name}"),
    }
}

pub struct TestDb {
    pub db: Db,
    /// Files (evidence) of this test, whatever the backend.
    pub files_dir: tempfile::TempDir,
    pub url: Option<String>,
    dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// A fresh, migrated database with the reference units.
    pub async fn fresh(backend: Backend) -> TestDb {
        let (db, url, dir, pg_name) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let db = Db::open_sqlite_dir(dir.path()).await.unwrap();
                (db, None, Some(dir), None)
            }
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("DANVAN_TEST_POSTGRES");
                let name = format!(
                    "danvan_test_{}",
                    danvan_domain::secret::random_token()[..12]
                        .to_lowercase()
                        .replace(['-', '_'], "x")
                );
                let pool = sqlx::PgPool::connect(&admin)
                    .await
                    .expect("connect to the PostgreSQL server");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                let url = with_database(&admin, &name);
                let db = Db::open_url(&url).await.unwrap();
                (db, Some(url), None, Some(name))
            }
        };
        db.migrate().await.unwrap();
        danvan_storage::units::load_reference(&db).await.unwrap();
        TestDb {
            db,
            url,
            dir,
            pg_name,
            files_dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(|d| d.path())
    }

    pub async fn drop_db(self) {
        self.db.close().await;
        if let (Some(name), Some(admin)) = (self.pg_name, postgres_admin_url())
            && let Ok(pool) = sqlx::PgPool::connect(&admin).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&pool)
            .await;
            pool.close().await;
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub backend: Backend,
    pub demo: Vec<DemoAccount>,
    db: Option<TestDb>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Config::default()).await
    }

    /// Starts the app with the demo province loaded.
    pub async fn spawn_with(backend: Backend, mut config: Config) -> TestApp {
        let test_db = TestDb::fresh(backend).await;
        config.data_dir = test_db.files_dir.path().to_path_buf();
        let state = AppState::new(test_db.db.clone(), config).await.unwrap();
        let demo = danvan_web::demo::load(&state).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let s = state.clone();
        let server = tokio::spawn(async move {
            danvan_web::serve(listener, s, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            base,
            state,
            backend,
            demo,
            db: Some(test_db),
            stop: Some(stop),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub fn password_of(&self, username: &str) -> String {
        self.demo
            .iter()
            .find(|a| a.username == username)
            .map(|a| a.password.clone())
            .expect("demo account")
    }

    /// A client without cookies (API).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A browser-like client keeping cookies, not following redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn token(&self, username: &str) -> String {
        let password = self.password_of(username);
        let resp = self
            .client()
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "token for {username}");
        resp.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Signs a browser-like client in through the sign-in form.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let page = client
            .get(self.url("/dang-nhap"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        client
            .post(self.url("/dang-nhap"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Runs SQL that reads the same on both backends (test set-up that no API offers).
    pub async fn exec(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self.db() {
            Db::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{e}"));
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match self.db() {
            Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap(),
        }
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }
}

/// One API request; the status and the JSON body (null when there is none).
pub async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.client().request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A POST with a JSON body and a bearer token.
pub async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    call(app, reqwest::Method::POST, path, Some(token), Some(body)).await
}

/// A GET, with a bearer token or anonymous.
pub async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    call(app, reqwest::Method::GET, path, token, None).await
}

/// A multipart form POSTed with a bearer token; the status and the JSON body.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    token: &str,
    form: reqwest::multipart::Form,
) -> (u16, Value) {
    let r = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A file sent to `/api/v1/imports/{kind}` as a form upload.
pub async fn upload(
    app: &TestApp,
    kind: &str,
    token: &str,
    bytes: Vec<u8>,
    name: &str,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    post_form(app, &format!("/api/v1/imports/{kind}"), token, form).await
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Runs an async test body once per backend.
#[macro_export]
macro_rules! each_backend {
    (|$app:ident| $body:block) => {
        for backend in common::backends() {
            let $app = common::TestApp::spawn(backend).await;
            eprintln!("— backend: {:?}", backend);
            $body
            $app.stop().await;
        }
    };
}
