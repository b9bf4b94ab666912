//! Public pages as an anonymous visitor sees them, kept for a few seconds: the showcase and
//! a model's page are what a province's public reads most, and what a shared link brings a
//! crowd to. A cached page is served without touching the database, with an ETag so that a
//! browser that has it gets a 304.
//!
//! Only GETs without a signed-in principal, for the paths listed in [`cacheable`], with a
//! 200 HTML (or, for the search and dashboard APIs, JSON) answer that sets no cookie, are kept. A successful change made through this
//! server empties the cache, so an officer who approves a model sees it public at once;
//! another server's changes show within the time to live (`Config::page_cache_secs`).
//!
//! When a kept page grows old, one request rebuilds it while the others are still answered
//! with the old copy (for at most one more time to live), and a page not kept at all is built
//! by one request while the others for it wait: sixty-four visitors arriving together cost
//! one build, not sixty-four.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::i18n::Lang;
use crate::state::AppState;

/// Largest page kept (the biggest public pages are a few hundred kB).
const MAX_PAGE: usize = 2 * 1024 * 1024;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    uri: String,
    lang: Lang,
}

struct Page {
    etag: HeaderValue,
    content_type: HeaderValue,
    body: Bytes,
    /// Until then the page is answered as it is; after it, one request rebuilds it.
    fresh_until: Instant,
}

/// The kept pages, bounded by their total size, and who is building which.
#[derive(Clone)]
pub struct PageCache {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    /// Kept for two times to live: fresh for the first, answered while rebuilt in the second.
    pages: moka::sync::Cache<Key, Arc<Page>>,
    ttl: Duration,
    /// Bumped by every change: a page built from before it is not kept.
    generation: AtomicU64,
    /// One lock per page being built; removed when the build is done, so the map holds only
    /// the pages in the making (query strings are the visitor's to choose).
    building: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl PageCache {
    /// Keeps pages for `ttl` within `budget` bytes; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration, budget: u64) -> PageCache {
        let inner = (!ttl.is_zero()).then(|| {
            Arc::new(Inner {
                pages: moka::sync::Cache::builder()
                    .max_capacity(budget)
                    .weigher(|_: &Key, p: &Arc<Page>| {
                        u32::try_from(p.body.len()).unwrap_or(u32::MAX)
                    })
                    .time_to_live(ttl.saturating_mul(2))
                    .build(),
                ttl,
                generation: AtomicU64::new(0),
                building: Mutex::new(HashMap::new()),
            })
        });
        PageCache { inner }
    }

    pub fn clear(&self) {
        if let Some(inner) = &self.inner {
            inner.clear();
        }
    }
}

impl Inner {
    fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.pages.invalidate_all();
    }

    /// The lock that whoever builds `key` holds.
    fn build_lock(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        building.entry(key.clone()).or_default().clone()
    }

    fn built(&self, key: &Key) {
        let mut building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        building.remove(key);
    }
}

/// The public pages worth keeping: the home page, the showcase and a model's page, the
/// honour roll, the units, the public record of answers, the contributions, the public
/// statistics (a quarter of a second of sums at province scale) and searches (a popular
/// search is asked by many at once; an anonymous visitor sees public documents only).
fn cacheable(path: &str) -> bool {
    matches!(
        path,
        "/" | "/mo-hinh"
            | "/dien-hinh"
            | "/don-vi"
            | "/kien-nghi/tra-loi"
            | "/dong-gop"
            | "/tim-kiem"
            | "/api/v1/search"
            | "/thong-ke"
            | "/api/v1/dashboard"
    ) || path
        .strip_prefix("/mo-hinh/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(cache) = state.pages.inner.clone() else {
        return next.run(req).await;
    };
    let method = req.method().clone();
    if method == Method::HEAD {
        return next.run(req).await;
    }
    if method != Method::GET {
        let response = next.run(req).await;
        // Something may have changed what the public sees.
        if response.status().is_success() || response.status().is_redirection() {
            cache.clear();
        }
        return response;
    }
    let anonymous = req
        .extensions()
        .get::<Caller>()
        .map(|c| (c.principal.is_none(), c.lang));
    let (Some((true, lang)), true) = (anonymous, cacheable(req.uri().path())) else {
        return next.run(req).await;
    };
    let key = Key {
        uri: req.uri().to_string(),
        lang,
    };
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let kept = cache.pages.get(&key);
    if let Some(page) = &kept
        && page.fresh_until > Instant::now()
    {
        state.metrics.page_cache("fresh");
        return answer(page, if_none_match.as_ref());
    }
    let lock = cache.build_lock(&key);
    let building = match (&kept, lock.try_lock()) {
        (_, Ok(guard)) => Some(guard),
        // Someone is rebuilding an old copy: this visitor has the old one meanwhile.
        (Some(page), Err(_)) => {
            state.metrics.page_cache("stale");
            return answer(page, if_none_match.as_ref());
        }
        // Someone is building a page not kept yet: wait for it rather than build it too.
        // If it was not kept (a 404, a page too large), build it alongside the others.
        (None, Err(_)) => {
            drop(lock.lock().await);
            if let Some(page) = cache.pages.get(&key) {
                state.metrics.page_cache("waited");
                return answer(&page, if_none_match.as_ref());
            }
            None
        }
    };
    let response = build(&cache, &key, req, next).await;
    if building.is_some() {
        cache.built(&key);
    }
    drop(building);
    match response {
        Built::Kept(page) => {
            state.metrics.page_cache("built");
            answer(&page, if_none_match.as_ref())
        }
        Built::Passed(response) => {
            state.metrics.page_cache("passed");
            response
        }
    }
}

enum Built {
    Kept(Arc<Page>),
    Passed(Response),
}

/// Builds the page and keeps it if it may be kept; anything else goes to the visitor as is.
async fn build(cache: &Inner, key: &Key, req: Request, next: Next) -> Built {
    let generation = cache.generation.load(Ordering::SeqCst);
    let response = next.run(req).await;
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    // Rendered pages know their length; one that does not, or is too large, is not kept.
    let small = response
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_PAGE as u64);
    if !keep || !small {
        return Built::Passed(response);
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE).await else {
        // A rendered body in memory does not fail; if it ever does, say so plainly.
        return Built::Passed(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..12]));
    let page = Arc::new(Page {
        etag: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or(HeaderValue::from_static("text/html; charset=utf-8")),
        body: bytes,
        fresh_until: Instant::now() + cache.ttl,
    });
    // A change made while the page was built may not be in it: answer it, keep it not.
    if cache.generation.load(Ordering::SeqCst) == generation {
        cache.pages.insert(key.clone(), page.clone());
    }
    Built::Kept(page)
}

/// The kept page, or 304 when the browser already has it.
fn answer(page: &Page, if_none_match: Option<&HeaderValue>) -> Response {
    let revalidate = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if if_none_match.is_some_and(|v| v.as_bytes() == page.etag.as_bytes()) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, page.etag.clone()), revalidate],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, page.content_type.clone()),
            (header::ETAG, page.etag.clone()),
            revalidate,
        ],
        Body::from(page.body.clone()),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::cacheable;

    #[test]
    fn only_public_listings_and_model_pages_are_kept() {
        for path in [
            "/",
            "/mo-hinh",
            "/mo-hinh/42",
            "/dien-hinh",
            "/dong-gop",
            "/tim-kiem",
            "/api/v1/search",
            "/thong-ke",
            "/api/v1/dashboard",
        ] {
            assert!(cacheable(path), "{path}");
        }
        for path in [
            "/mo-hinh/42/sua",
            "/mo-hinh/dang-ky",
            "/mo-hinh/",
            "/bang-dieu-khien",
            "/kien-nghi/KN-ABC",
            "/thong-ke/bao-cao",
            "/api/v1/petitions",
        ] {
            assert!(!cacheable(path), "{path}");
        }
    }
}
