//! Signing in and out, changing one's password.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Frame, field_errors, find_err, render, safe_next};
use crate::auth::{Caller, SESSION_COOKIE, set_cookie};
use crate::error::AppError;
use crate::service;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    f: Frame,
    error: Option<String>,
    username: String,
    next: String,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("")).to_string();
    if caller.principal.is_some() {
        return Redirect::to(&next).into_response();
    }
    render(LoginPage {
        f: Frame::new(&state, &caller, "/dang-nhap", "login.title"),
        error: None,
        username: String::new(),
        next,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => return super::error_page(&state, &caller, "/dang-nhap", e.into()),
    };
    match service::auth::sign_in(&state, &form.username, &form.password, caller.ip).await {
        Ok(account) => match service::auth::start_session(&state, &account).await {
            Ok(token) => {
                let mut resp = Redirect::to(safe_next(&form.next)).into_response();
                let max_age = state.config.session_ttl.num_seconds();
                resp.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(
                        SESSION_COOKIE,
                        &token,
                        max_age,
                        "Lax",
                        state.config.behind_tls,
                    ),
                );
                resp
            }
            Err(e) => super::error_page(&state, &caller, "/dang-nhap", e),
        },
        Err(e @ (AppError::BadCredentials | AppError::RateLimited)) => {
            let status = e.status();
            let page = LoginPage {
                f: Frame::new(&state, &caller, "/dang-nhap", "login.title"),
                error: Some(e.message(caller.vi())),
                username: form.username.chars().take(64).collect(),
                next: safe_next(&form.next).to_string(),
            };
            (status, render(page)).into_response()
        }
        Err(e) => super::error_page(&state, &caller, "/dang-nhap", e),
    }
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> Response {
    if let Some(token) = &caller.session_token
        && let Err(e) = danvan_storage::accounts::delete_session(&state.db, token).await
    {
        return super::error_page(&state, &caller, "/dang-xuat", e.into());
    }
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, "Lax", state.config.behind_tls),
    );
    resp
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    f: Frame,
    done: bool,
    errors: Vec<(String, String)>,
}

impl PasswordPage {
    fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
}

pub async fn password_form(State(state): State<AppState>, caller: Caller) -> Response {
    if let Err(e) = caller.require() {
        return super::error_page(&state, &caller, "/tai-khoan/mat-khau", e);
    }
    render(PasswordPage {
        f: Frame::new(&state, &caller, "/tai-khoan/mat-khau", "password.title"),
        done: false,
        errors: vec![],
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PasswordForm>,
) -> Response {
    let path = "/tai-khoan/mat-khau";
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return super::error_page(&state, &caller, path, e),
    };
    let result = if form.new_password != form.confirm_password {
        Err(AppError::invalid(danvan_domain::FieldError::new(
            "confirm_password",
            "password_mismatch",
            crate::i18n::t(crate::i18n::Lang::Vi, "password.mismatch"),
            crate::i18n::t(crate::i18n::Lang::En, "password.mismatch"),
        )))
    } else {
        service::auth::change_password(
            &state,
            &who,
            &form.current_password,
            &form.new_password,
            caller.session_token.as_deref(),
        )
        .await
    };
    let f = Frame::new(&state, &caller, path, "password.title");
    match result {
        Ok(()) => render(PasswordPage {
            f,
            done: true,
            errors: vec![],
        }),
        Err(e @ AppError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(PasswordPage {
                f,
                done: false,
                errors: field_errors(&e, caller.vi()),
            }),
        )
            .into_response(),
        Err(e) => super::error_page(&state, &caller, path, e),
    }
}
