//! Styles, script and fonts, compiled into the binary and served with a content hash as ETag.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::state::AppState;

struct Asset {
    name: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/app.css"),
    },
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/app.js"),
    },
    Asset {
        name: "fonts/BeVietnamPro-Regular.woff2",
        mime: "font/woff2",
        bytes: include_bytes!("../assets/fonts/BeVietnamPro-Regular.woff2"),
    },
    Asset {
        name: "fonts/BeVietnamPro-SemiBold.woff2",
        mime: "font/woff2",
        bytes: include_bytes!("../assets/fonts/BeVietnamPro-SemiBold.woff2"),
    },
    Asset {
        name: "fonts/OFL.txt",
        mime: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/fonts/OFL.txt"),
    },
];

static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| format!("\"{}\"", &hex::encode(Sha256::digest(a.bytes))[..16]))
        .collect()
});

/// A short hash over all assets, appended to their URLs (`?v=…`) so that a new release
/// replaces cached copies while unchanged ones stay cached for a year.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for e in ETAGS.iter() {
        h.update(e.as_bytes());
    }
    hex::encode(h.finalize())[..10].to_string()
});

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some((i, asset)) = ASSETS.iter().enumerate().find(|(_, a)| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = &ETAGS[i];
    let cache = (
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    let etag_header = (
        header::ETAG,
        HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("\"0\"")),
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [cache, etag_header]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.mime)),
            cache,
            etag_header,
        ],
        asset.bytes,
    )
        .into_response()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{*name}", get(serve))
}
