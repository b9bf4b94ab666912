//! Who is calling: the session cookie (pages) or the bearer token (API), resolved once per
//! request into a [`Caller`] that handlers extract.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Duration;
use danvan_domain::policy::Principal;
use danvan_domain::secret::random_token;
use danvan_storage::accounts;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "dv_session";
pub const CSRF_COOKIE: &str = "dv_csrf";
pub const LANG_COOKIE: &str = "dv_lang";

/// The resolved caller of one request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: Option<Principal>,
    /// The session cookie's secret, when signed in through a page.
    pub session_token: Option<String>,
    /// The token that state-changing forms must carry.
    pub csrf: String,
    pub lang: Lang,
    pub ip: IpAddr,
}

impl Caller {
    /// The signed-in principal, or 401.
    pub fn require(&self) -> Result<&Principal, AppError> {
        self.principal.as_ref().ok_or(AppError::Unauthenticated)
    }
    pub fn vi(&self) -> bool {
        self.lang == Lang::Vi
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| AppError::Internal("caller not resolved".into()))
    }
}

/// Value of one cookie from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

/// A `Set-Cookie` value with the project's defaults (HttpOnly, Path=/, SameSite).
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    same_site: &str,
    secure: bool,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn client_ip(req: &Request, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            // The last address is the one our own proxy saw; earlier ones are whatever the
            // client claimed, and would let anyone pick the address rate limits count.
            .and_then(|v| v.split(',').next_back())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

pub(crate) async fn principal_of(
    state: &AppState,
    account: accounts::Account,
) -> Result<Principal, AppError> {
    let grants = accounts::grants(&state.db, account.id).await?;
    Ok(Principal {
        account_id: account.id,
        username: account.username,
        display_name: account.display_name,
        grants,
    })
}

/// Middleware: resolves the caller and hands out the CSRF cookie to anonymous visitors.
pub async fn identify(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let headers = req.headers();
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default();
    let ip = client_ip(&req, state.config.trust_proxy);
    // Open311 is an API too: no session cookie is read and no CSRF cookie handed out there.
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/open311/");
    let mut principal = None;
    let mut session_token = None;
    let mut csrf = None;
    if is_api {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .map(str::to_string);
        if let Some(token) = bearer
            && let Some(account) = accounts::api_token_account(&state.db, &token).await?
        {
            principal = Some(principal_of(&state, account).await?);
        }
    } else if let Some(token) = cookie(headers, SESSION_COOKIE)
        && let Some(s) = accounts::session(&state.db, &token).await?
    {
        // Slide the expiry at most every five minutes, not on every request.
        if crate::now() - s.last_seen_at > Duration::minutes(5) {
            accounts::touch_session(&state.db, &token, state.config.session_ttl).await?;
        }
        csrf = Some(s.csrf_token.clone());
        principal = Some(principal_of(&state, s.account).await?);
        session_token = Some(token);
    }
    let anon_csrf = cookie(req.headers(), CSRF_COOKIE);
    let new_csrf_cookie = csrf.is_none() && anon_csrf.is_none() && !is_api;
    let csrf = csrf.or(anon_csrf).unwrap_or_else(random_token);
    req.extensions_mut().insert(Caller {
        principal,
        session_token,
        csrf: csrf.clone(),
        lang,
        ip,
    });
    let mut resp = next.run(req).await;
    if new_csrf_cookie && resp.extensions().get::<NoCookie>().is_none() {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                CSRF_COOKIE,
                &csrf,
                60 * 60 * 24 * 365,
                "Strict",
                state.config.behind_tls,
            ),
        );
    }
    Ok(resp)
}

/// Set on a response that needs no cookie: a public page with no form to protect (a story,
/// its photos, the feed), so that reading it leaves nothing behind in the reader's browser.
#[derive(Debug, Clone, Copy)]
pub struct NoCookie;

/// The signed-in principal as an extractor: anonymous callers get 401 before any other
/// extractor (a multipart body, say) is even read.
pub struct SignedIn(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller
            .principal
            .map(SignedIn)
            .ok_or(AppError::Unauthenticated)
    }
}
