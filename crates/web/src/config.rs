//! Run-time settings of the web layer.

use chrono::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where files (evidence, exports) are kept, also when the database is PostgreSQL.
    pub data_dir: std::path::PathBuf,
    /// Behind a TLS-terminating proxy: mark cookies Secure and send HSTS.
    pub behind_tls: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    pub session_ttl: Duration,
    pub api_token_ttl: Duration,
    /// Consecutive failed sign-ins before the account locks, and for how long.
    pub lock_after: i64,
    pub lock_for: Duration,
    /// Sign-in attempts allowed per client address and per user name in a window.
    pub login_limit: i64,
    pub login_window_secs: i64,
    /// Base64 key that seals petitioners' personal data; `None`: the key file in the data dir.
    pub seal_key: Option<String>,
    /// Petitions accepted from one client address per hour through the public form and API.
    pub petition_limit: i64,
    /// An SMTP server is configured: e-mails are queued for the job runner to send.
    pub mail_enabled: bool,
    /// Spreadsheet exports of more rows than this are built in the background.
    pub export_async_rows: i64,
    /// Rows a background export reads per query (and holds in memory, twice: one chunk is
    /// read while the last is written).
    pub export_chunk_rows: i64,
    /// Seconds a public page stays in the page cache (0: none). Several servers: each one's
    /// changes show on the others' cached pages within this time.
    pub page_cache_secs: u64,
    /// The address the public reaches the site at (`https://danvan.example.vn`), for absolute
    /// links in the feed and in shared links' previews; `None`: taken from the request's Host.
    pub public_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: std::path::PathBuf::from("./danvan-data"),
            behind_tls: false,
            trust_proxy: false,
            session_ttl: Duration::hours(12),
            api_token_ttl: Duration::days(30),
            lock_after: 5,
            lock_for: Duration::minutes(15),
            login_limit: 20,
            login_window_secs: 300,
            seal_key: None,
            petition_limit: 10,
            mail_enabled: false,
            export_async_rows: crate::export::ASYNC_ROWS,
            export_chunk_rows: crate::export::CHUNK,
            page_cache_secs: 5,
            public_url: None,
        }
    }
}
