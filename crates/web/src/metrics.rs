//! Prometheus metrics at `/metrics`: request counts and latencies by route, and a few gauges
//! read from the database at scrape time.

use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

pub struct Metrics {
    registry: Registry,
    page_cache: Family<OutcomeLabels, Counter>,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram>,
    accounts: Gauge,
    jobs_pending: Gauge,
    jobs_failed: Gauge,
    uptime: Gauge,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("danvan");
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<RouteLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let (accounts, jobs_pending, jobs_failed, uptime) = (
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
        );
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            durations.clone(),
        );
        registry.register("accounts", "Accounts in the database", accounts.clone());
        registry.register(
            "jobs_pending",
            "Background jobs not finished",
            jobs_pending.clone(),
        );
        registry.register(
            "jobs_failed",
            "Background jobs that gave up",
            jobs_failed.clone(),
        );
        registry.register("uptime_seconds", "Seconds since start", uptime.clone());
        let page_cache = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "page_cache",
            "Public pages answered from the page cache (fresh, old while rebuilt, after waiting for a build) or built",
            page_cache.clone(),
        );
        Self {
            registry,
            page_cache,
            requests,
            durations,
            accounts,
            jobs_pending,
            jobs_failed,
            uptime,
        }
    }
}

impl Metrics {
    /// Counts one public page answered by the page cache: `fresh`, `stale`, `waited`,
    /// `built` (kept) or `passed` (built, not kept).
    pub fn page_cache(&self, outcome: &'static str) {
        self.page_cache
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }
}

/// The route label: numeric segments folded to `:id`, assets to one label, so that the
/// number of series stays bounded whatever URLs clients send.
fn route_label(path: &str, status: StatusCode) -> String {
    if status == StatusCode::NOT_FOUND {
        return "unmatched".into();
    }
    if path.starts_with("/static/") {
        return "/static".into();
    }
    path.split('/')
        .map(|s| {
            let (stem, json) = match s.strip_suffix(".json") {
                Some(stem) => (stem, ".json"),
                None => (s, ""),
            };
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                ":id".to_string()
            } else if danvan_domain::petition::parse_tracking_code(stem).is_some() {
                // Petition tracking codes (pages, API, Open311) are as many as petitions.
                format!(":code{json}")
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let route = route_label(&path, resp.status());
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status: resp.status().as_u16(),
        })
        .inc();
    state
        .metrics
        .durations
        .get_or_create(&RouteLabels { route })
        .observe(start.elapsed().as_secs_f64());
    resp
}

async fn scrape(State(state): State<AppState>) -> Response {
    let m = &state.metrics;
    if let Ok((total, _, _)) = danvan_storage::accounts::counts(&state.db).await {
        m.accounts.set(total);
    }
    if let Ok((pending, failed)) = danvan_storage::jobs::counts(&state.db).await {
        m.jobs_pending.set(pending);
        m.jobs_failed.set(failed);
    }
    m.uptime.set(state.started.elapsed().as_secs() as i64);
    let mut out = String::new();
    if encode(&mut out, &m.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(scrape))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_bounded() {
        assert_eq!(
            route_label("/api/v1/organisations/42", StatusCode::OK),
            "/api/v1/organisations/:id"
        );
        assert_eq!(
            route_label(
                "/open311/v2/requests/KN-ABCD-EFGH-JKMN.json",
                StatusCode::OK
            ),
            "/open311/v2/requests/:code.json"
        );
        assert_eq!(route_label("/static/app.css", StatusCode::OK), "/static");
        assert_eq!(
            route_label("/anything/at/all", StatusCode::NOT_FOUND),
            "unmatched"
        );
    }
}
