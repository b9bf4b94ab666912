//! Public pages as an anonymous visitor sees them, kept for a few seconds: the showcase and
//! a model's page are what a province's public reads most, and what a shared link brings a
//! crowd to. A cached page is served without touching the database, with an ETag so that a
//! browser that has it gets a 304.
//!
//! Only GETs without a signed-in principal, for the paths listed in [`cacheable`], with a
//! 200 HTML answer that sets no cookie, are kept. A successful change made through this
//! server empties the cache, so an officer who approves a model sees it public at once;
//! another server's changes show within the time to live (`Config::page_cache_secs`).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
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
}

/// The kept pages, bounded by their total size.
#[derive(Clone)]
pub struct PageCache {
    pages: Option<moka::sync::Cache<Key, Arc<Page>>>,
}

impl PageCache {
    /// Keeps pages for `ttl` within `budget` bytes; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration, budget: u64) -> PageCache {
        let pages = (!ttl.is_zero()).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(budget)
                .weigher(|_: &Key, p: &Arc<Page>| u32::try_from(p.body.len()).unwrap_or(u32::MAX))
                .time_to_live(ttl)
                .build()
        });
        PageCache { pages }
    }

    pub fn clear(&self) {
        if let Some(p) = &self.pages {
            p.invalidate_all();
        }
    }
}

/// The public pages worth keeping: the home page, the showcase and a model's page, the
/// honour roll, the units, the public record of answers and the contributions.
fn cacheable(path: &str) -> bool {
    matches!(
        path,
        "/" | "/mo-hinh" | "/dien-hinh" | "/don-vi" | "/kien-nghi/tra-loi" | "/dong-gop"
    ) || path
        .strip_prefix("/mo-hinh/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(pages) = state.pages.pages.clone() else {
        return next.run(req).await;
    };
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let response = next.run(req).await;
        // Something may have changed what the public sees.
        if response.status().is_success() || response.status().is_redirection() {
            pages.invalidate_all();
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
    if let Some(page) = pages.get(&key) {
        return answer(&page, if_none_match.as_ref());
    }
    let response = next.run(req).await;
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
    if !keep {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE).await else {
        // Too large to keep (or the body failed): the visitor gets the error, once.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
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
    });
    pages.insert(key, page.clone());
    answer(&page, if_none_match.as_ref())
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
        for path in ["/", "/mo-hinh", "/mo-hinh/42", "/dien-hinh", "/dong-gop"] {
            assert!(cacheable(path), "{path}");
        }
        for path in [
            "/mo-hinh/42/sua",
            "/mo-hinh/dang-ky",
            "/mo-hinh/",
            "/bang-dieu-khien",
            "/kien-nghi/KN-ABC",
            "/thong-ke",
            "/tim-kiem",
        ] {
            assert!(!cacheable(path), "{path}");
        }
    }
}
