//! danvan's web layer: server-rendered pages, the JSON API and the middleware that guards both.
//!
//! Layout: `service/` holds the use cases (validate → authorize → write + audit in one
//! transaction) that pages and API share; `pages/` and `api/` only translate HTTP to and from
//! them; `auth`, `csrf` and `security` are the request pipeline.

pub mod api;
pub mod assets;
pub mod auth;
pub mod config;
pub mod csrf;
pub mod demo;
pub mod documents;
pub mod error;
pub mod export;
pub mod generate;
pub mod hashing;
pub mod i18n;
pub mod markdown;
pub mod metrics;
pub mod open311;
pub mod open_cases;
pub mod page_cache;
pub mod pages;
pub mod rules;
pub mod security;
pub mod service;
pub mod state;
pub mod views;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use state::AppState;

/// Largest body of a form or JSON request.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest body of an upload (a 10 MiB file and its form fields); only upload routes allow it.
pub const UPLOAD_LIMIT: usize = 11 * 1024 * 1024;
/// Largest petition form: five attachments of 10 MiB and the text fields.
pub const PETITION_UPLOAD_LIMIT: usize = 51 * 1024 * 1024;

/// The whole application: pages, API, assets and operations endpoints behind the pipeline.
pub fn router(state: AppState) -> Router {
    let app = Router::new()
        .merge(pages::router())
        .merge(api::router())
        .merge(open311::router())
        .merge(assets::router())
        .merge(metrics::router());
    // Listed from the innermost layer out: the error shape, security headers and metrics
    // wrap the body limit and timeout, so their answers are shaped, guarded and counted too.
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        page_cache::layer,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        csrf::verify,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::identify,
    ))
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    // The hard cap is the largest upload route's; every extractor then applies its route's
    // own `DefaultBodyLimit` (1 MiB unless the route allows uploads).
    .layer(RequestBodyLimitLayer::new(PETITION_UPLOAD_LIMIT))
    .layer(TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(30),
    ))
    .layer(axum::middleware::from_fn(error::api_error_shape))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        security::headers,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        metrics::track,
    ))
    .layer(CompressionLayer::new())
    .layer(TraceLayer::new_for_http())
    .layer(CatchPanicLayer::new())
    .with_state(state)
}

/// Serves until `shutdown` resolves; requests in flight finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Now, as stored (microsecond precision).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    danvan_storage::now()
}
