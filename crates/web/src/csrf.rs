//! CSRF protection for every state-changing request outside the bearer-token API.
//!
//! The token is the session's own (signed in) or the `dv_csrf` cookie's (anonymous forms such
//! as sign-in). It must come back in the `_csrf` form field, the `_csrf` query parameter
//! (multipart forms) or the `X-CSRF-Token` header; a cross-site `Origin` is refused outright.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use danvan_domain::secret::constant_time_eq;

use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;

fn field<'a>(
    pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
) -> Option<String> {
    pairs
        .into_iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.into_owned())
}

fn forbidden(caller: Option<&Caller>) -> Response {
    let vi = caller.is_none_or(|c| c.vi());
    let msg = if vi {
        "Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."
    } else {
        "The form's security token is missing or stale. Reload the page and try again."
    };
    (
        axum::http::StatusCode::FORBIDDEN,
        AppError::BadRequest("csrf_failed", msg.into()).message(vi),
    )
        .into_response()
}

pub async fn verify(State(_): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = req.uri().path();
    if safe || path.starts_with("/api/") || path.starts_with("/open311/") {
        return next.run(req).await;
    }
    let caller = req.extensions().get::<Caller>().cloned();
    let Some(caller) = caller else {
        return forbidden(None);
    };
    // A browser always sends Origin on cross-site POSTs; if it names another host, refuse.
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin != "null" && origin_host != host {
            return forbidden(Some(&caller));
        }
    }
    let mut supplied = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| {
            req.uri()
                .query()
                .and_then(|q| field(form_urlencoded::parse(q.as_bytes())))
        });
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let req = if supplied.is_none() && is_form {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, crate::BODY_LIMIT).await else {
            return (
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload too large",
            )
                .into_response();
        };
        supplied = field(form_urlencoded::parse(&bytes));
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    match supplied {
        Some(t) if constant_time_eq(t.as_bytes(), caller.csrf.as_bytes()) => next.run(req).await,
        _ => forbidden(Some(&caller)),
    }
}
