//! Two `danvan serve` processes on one PostgreSQL database, behind nothing but their two
//! ports: a session made on one works on the other, rate limits hold across both, every
//! queued job runs exactly once (periodic ones once per period), and a server killed under
//! load loses no petition it acknowledged.
//!
//! PostgreSQL only (`DANVAN_TEST_POSTGRES`); several servers on one SQLite file is not a
//! supported set-up.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use danvan_mail::sink::SmtpSink;
use serde_json::{Value, json};
use support::{App, Serve, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres() {
    let Some(admin) = std::env::var("DANVAN_TEST_POSTGRES")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    else {
        assert!(
            std::env::var("DANVAN_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "DANVAN_REQUIRE_POSTGRES=1 but DANVAN_TEST_POSTGRES names no PostgreSQL server"
        );
        eprintln!("NOTICE: DANVAN_TEST_POSTGRES is not set: the two-server test is skipped");
        return;
    };
    let database = TestDatabase::create(admin).await;
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    // One data dir for both, as a shared volume would be: uploaded files and the seal key.
    let shared = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start().await;
    let serve = |demo: bool| {
        let s = if demo {
            Serve::demo(Some(&database.url))
        } else {
            Serve::plain(Some(&database.url))
        };
        s.data_dir(shared.path())
            .arg("--trust-proxy")
            .arg("--job-poll-secs=1")
            .arg(format!("--smtp-url={}", sink.url()))
    };
    // The first sets up the demo province; the second joins it.
    let a = serve(true).start().await;
    let b = serve(false).start().await;

    a_server_with_another_seal_key_refuses_to_start(&database.url);
    a_session_from_one_works_on_the_other(&a, &b).await;
    rate_limits_count_on_both(&a, &b).await;
    every_job_runs_once(&a, &b, &pool, &sink).await;
    a_killed_server_loses_nothing_acknowledged(a, &b, &pool).await;

    b.stop().await;
    pool.close().await;
    database.drop_now().await;
}

/// A third server with a data dir of its own would seal personal data with its own key,
/// which the others could not open: it stops at start-up and says why.
fn a_server_with_another_seal_key_refuses_to_start(database_url: &str) {
    let own = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_danvan"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .arg("--data-dir")
        .arg(own.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started with another key: {said}");
    assert!(said.contains("sealed with another key"), "{said}");
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

async fn page(client: &reqwest::Client, url: &str) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Signed in on A, the same cookie is a session on B (cookies do not name a port, so a
/// browser sends it to both); a form on B accepts the session's CSRF token, and signing out
/// on B ends the session on A too.
async fn a_session_from_one_works_on_the_other(a: &App, b: &App) {
    let officer = a.account("unit_officer");
    let client = browser();
    let (_, form) = page(&client, &a.url("/dang-nhap")).await;
    let signed_in = client
        .post(a.url("/dang-nhap"))
        .form(&[
            ("_csrf", csrf_of(&form).as_str()),
            ("username", officer.username.as_str()),
            ("password", officer.password.as_str()),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303, "sign-in on A");

    let (status, dashboard) = page(&client, &b.url("/bang-dieu-khien")).await;
    assert_eq!(status, 200, "B knows the session made on A");
    assert!(dashboard.contains("Bảng điều khiển"), "{dashboard}");
    let (status, _) = page(&browser(), &b.url("/bang-dieu-khien")).await;
    assert_eq!(status, 303, "without the session B sends people to sign in");

    // Signing out is a state change: B checks the CSRF token that belongs to the session.
    let signed_out = client
        .post(b.url("/dang-xuat"))
        .form(&[("_csrf", csrf_of(&dashboard).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status().as_u16(), 303, "sign-out on B");
    let (status, _) = page(&client, &a.url("/bang-dieu-khien")).await;
    assert_eq!(status, 303, "the session ended on B is over on A");
}

/// Wrong passwords from one address, alternating between the servers: the limit counts
/// them together, and once it is reached both refuse.
async fn rate_limits_count_on_both(a: &App, b: &App) {
    let client = reqwest::Client::new();
    let attempt = |server: &App| {
        client
            .post(server.url("/api/v1/auth/token"))
            .header("x-forwarded-for", "198.51.100.23")
            .json(&json!({"username": "demo.tinh", "password": "không phải mật khẩu"}))
            .send()
    };
    // The configured limit: 20 attempts per address in five minutes.
    for n in 0..20 {
        let server = if n % 2 == 0 { a } else { b };
        let r = attempt(server).await.unwrap();
        assert_eq!(
            r.status().as_u16(),
            401,
            "attempt {} is a wrong password",
            n + 1
        );
    }
    for server in [a, b] {
        let r = attempt(server).await.unwrap();
        assert_eq!(
            r.status().as_u16(),
            429,
            "the 21st attempt is refused on either"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    }
}

/// The port a server listens on, which its worker's name carries (`pid:addr`).
fn port(server: &App) -> String {
    server.base_url.rsplit(':').next().unwrap().to_string()
}

/// E-mails queued in batches while both servers' workers poll every second: each is sent
/// once, each job was claimed once, both servers did some of the work; and the periodic
/// jobs that both servers schedule ran once per period.
async fn every_job_runs_once(a: &App, b: &App, pool: &sqlx::PgPool, sink: &SmtpSink) {
    let mut queued: Vec<String> = Vec::new();
    let mut ran_by: BTreeSet<String> = BTreeSet::new();
    let servers = [port(a), port(b)];
    for batch in 0..20 {
        let mut ids: Vec<i64> = Vec::new();
        for n in 0..5 {
            let to = format!("nguoi-nhan-{batch}-{n}@example.vn");
            let payload = json!({"to": to, "subject": "Thông báo", "body": "Kiểm tra hàng đợi."});
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ('email', $1, now(), now()) RETURNING id",
            )
            .bind(payload.to_string())
            .fetch_one(pool)
            .await
            .unwrap();
            ids.push(id);
            queued.push(to);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let done: Vec<(Option<String>,)> = sqlx::query_as(
                "SELECT locked_by FROM jobs WHERE id = ANY($1) AND finished_at IS NOT NULL",
            )
            .bind(&ids)
            .fetch_all(pool)
            .await
            .unwrap();
            if done.len() == ids.len() {
                for (by,) in done {
                    let by = by.expect("a finished job names the server that ran it");
                    let server = servers
                        .iter()
                        .find(|p| by.ends_with(&format!(":{p}")))
                        .unwrap_or_else(|| panic!("job ran by {by}, neither server"));
                    ran_by.insert(server.clone());
                }
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "batch {batch} not run within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if ran_by.len() == 2 && batch >= 3 {
            break;
        }
    }
    assert_eq!(ran_by.len(), 2, "both servers' workers took jobs");

    // A late duplicate would arrive after its job was marked done: give it time to.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut received: BTreeMap<String, usize> = BTreeMap::new();
    for mail in sink.messages().await {
        for to in mail.to {
            if to.starts_with("nguoi-nhan-") {
                *received.entry(to).or_default() += 1;
            }
        }
    }
    let expected: BTreeMap<String, usize> = queued.iter().map(|to| (to.clone(), 1)).collect();
    assert_eq!(received, expected, "every queued e-mail sent exactly once");
    let claimed_twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND payload = '{}' AND attempts <> 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(claimed_twice, 0, "no e-mail job was claimed twice");

    // Both schedulers ask for the minute's deadline sweep and the hour's housekeeping every
    // second; each period has one job, done once.
    let per_period: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, to_char(created_at, CASE kind WHEN 'deadlines' THEN 'YYYYMMDDHH24MI' ELSE 'YYYYMMDDHH24' END), COUNT(*)
         FROM jobs WHERE kind IN ('deadlines', 'housekeeping') GROUP BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(
        per_period.iter().any(|(kind, _, _)| kind == "deadlines"),
        "the periodic jobs were scheduled: {per_period:?}"
    );
    for (kind, period, n) in &per_period {
        assert_eq!(*n, 1, "{kind} of {period} queued {n} times");
    }
}

/// A petition as the public form sends it.
fn petition(n: usize) -> Value {
    json!({
        "kind": "petition",
        "field": "environment",
        "unit_code": "30307",
        "title": format!("Cống thoát nước bị tắc ở khóm Bình Khánh, lần {n}"),
        "content": "Sau mỗi trận mưa lớn, nước ngập nửa mét trước chợ; đề nghị nạo vét cống.",
        "petitioner": {"name": "Trần Thị Mỹ", "phone": "0913 579 246", "email": "", "address": "Khóm Bình Khánh 3"},
        "consent": true
    })
}

/// Sixteen clients submit petitions to A as fast as it answers; A is killed (SIGKILL) in the
/// middle. Every petition A acknowledged is in the database, whole (petitioner sealed,
/// history begun), and B finds it by its tracking code.
async fn a_killed_server_loses_nothing_acknowledged(a: App, b: &App, pool: &sqlx::PgPool) {
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let url = a.url("/api/v1/petitions");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut clients = Vec::new();
    for c in 0..16usize {
        let (client, url, acknowledged) = (client.clone(), url.clone(), acknowledged.clone());
        clients.push(tokio::spawn(async move {
            for n in 0.. {
                // One address per submission: the public limit is per address and hour.
                let from = format!("10.{}.{}.{}", c, n / 250, n % 250 + 1);
                let sent = client
                    .post(&url)
                    .header("x-forwarded-for", from)
                    .json(&petition(n))
                    .send()
                    .await;
                let Ok(r) = sent else { break };
                if r.status().as_u16() != 201 {
                    panic!("submission answered {}", r.status());
                }
                let Ok(receipt) = r.json::<Value>().await else {
                    break;
                };
                let code = receipt["tracking_code"].as_str().unwrap().to_string();
                acknowledged.lock().unwrap().push(code);
            }
        }));
    }
    // Killed in full flight: once it has acknowledged a few dozen, with sixteen more on the way.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 32 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.stop().await;
    for c in clients {
        c.await
            .expect("a client saw only 201 or a dropped connection");
    }
    let codes = acknowledged.lock().unwrap().clone();
    assert!(
        codes.len() >= 32,
        "A acknowledged {} petitions before it was killed",
        codes.len()
    );

    let whole: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM petitions p
         WHERE p.tracking_code = ANY($1)
           AND EXISTS (SELECT 1 FROM petitioners r WHERE r.petition_id = p.id)
           AND EXISTS (SELECT 1 FROM petition_events e WHERE e.petition_id = p.id)",
    )
    .bind(&codes)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        whole as usize,
        codes.len(),
        "every acknowledged petition is stored whole"
    );
    for code in codes.iter().rev().take(3) {
        let r = reqwest::get(b.url(&format!("/api/v1/petitions/{code}")))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "B tracks {code}");
    }
}
