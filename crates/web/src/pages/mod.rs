//! Server-rendered pages. Handlers turn HTTP into calls of `service` and render templates;
//! authorisation happens in the services (through the policy), never here.

mod admin;
mod calendar;
mod care;
mod councils;
pub use admin::audit_filter;
mod dashboard;
mod documents;
pub mod format;
mod movement;
mod organisations;
mod petition_rules;
mod petitions;
mod public;
mod search;
mod session;
mod statistics;
pub use statistics::request as statistics_request;
pub mod stories;
mod transfer;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use danvan_domain::Invalid;
use danvan_domain::policy::{Action, authorize};
use danvan_domain::role::Role;

use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(public::home))
        .route("/mo-hinh", get(movement::showcase))
        .route(
            "/mo-hinh/dang-ky",
            get(movement::register_form).post(movement::register),
        )
        .route("/mo-hinh/{id}", get(movement::detail))
        .route("/ket-qua", get(movement::results))
        .route("/thong-ke", get(statistics::public))
        .route(care::PUBLIC_PATH, get(care::public))
        .route(
            care::DRIVES_PATH,
            get(care::drives).post(care::create_drive),
        )
        .route("/cham-lo/dot/{id}", get(care::drive))
        .route("/cham-lo/dot/{id}/trao", post(care::deliver))
        .route(
            "/cham-lo/so-ho",
            get(care::register).post(care::add_household),
        )
        .route(
            "/cham-lo/dong-gop",
            get(care::ledger).post(care::add_contribution),
        )
        .route("/bang-dieu-khien/thong-ke", get(statistics::staff))
        .route(
            "/bang-dieu-khien/thong-ke/bao-cao",
            get(documents::campaign_report),
        )
        .route("/khen-thuong/{id}/quyet-dinh.pdf", get(documents::decision))
        .route(
            "/khen-thuong/{id}/giay-khen.pdf",
            get(documents::certificates),
        )
        .route("/hoi-dong/{id}/bien-ban.pdf", get(documents::minutes))
        .route("/kien-nghi/{code}/cong-van.pdf", get(documents::reply))
        .route("/quan-tri/lich", get(calendar::show).post(calendar::add))
        .route("/quan-tri/lich/xoa", post(calendar::remove))
        .route(
            "/mo-hinh/{id}/sua",
            get(movement::edit_form).post(movement::edit),
        )
        .route("/mo-hinh/{id}/chuyen", post(movement::transition))
        .route("/mo-hinh/{id}/bao-cao", post(movement::file_report))
        .route(
            "/mo-hinh/{id}/minh-chung",
            post(movement::upload_evidence)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/bao-cao/{id}/xac-minh", post(movement::review_report))
        .route("/tep/{sha}", get(movement::file))
        .route("/tep/{sha}/anh-nho", get(movement::thumbnail))
        .route(
            "/quan-tri/dot-thi-dua",
            get(movement::campaigns_list).post(movement::campaign_create),
        )
        .route("/hoi-dong", get(councils::list).post(councils::create))
        .route("/hoi-dong/{id}", get(councils::detail))
        .route("/hoi-dong/{id}/thanh-vien", post(councils::add_member))
        .route("/hoi-dong/{id}/phan-cong", post(councils::assign))
        .route("/hoi-dong/{id}/cham-diem", post(councils::score))
        .route("/hoi-dong/{id}/ket-thuc", post(councils::close))
        .route(
            "/hoi-dong/{id}/de-xuat-khen-thuong",
            post(councils::propose),
        )
        .route("/hoi-dong/{id}/bien-ban", get(councils::minutes))
        .route("/khen-thuong/{id}", get(councils::decision))
        .route("/khen-thuong/{id}/ban-hanh", post(councils::issue))
        .route(
            "/khen-thuong/{id}/giay-khen/{recipient}",
            get(councils::certificate),
        )
        .route("/dien-hinh", get(councils::honour_roll))
        .route(
            "/kien-nghi",
            get(petitions::form).post(petitions::submit).layer(
                axum::extract::DefaultBodyLimit::max(crate::PETITION_UPLOAD_LIMIT),
            ),
        )
        .route("/kien-nghi/tra-cuu", get(petitions::lookup))
        .route("/kien-nghi/tra-loi", get(petitions::answers))
        .route("/kien-nghi/{code}", get(petitions::track))
        .route("/kien-nghi/{code}/danh-gia", post(petitions::feedback))
        .route("/kien-nghi/{code}/du-lieu", post(petitions::my_data))
        .route("/xu-ly", get(petitions::queue))
        .route("/quan-tri/kien-nghi", get(petition_rules::show))
        .route(
            "/quan-tri/kien-nghi/quy-tac",
            post(petition_rules::add_rule),
        )
        .route(
            "/quan-tri/kien-nghi/xoa-quy-tac",
            post(petition_rules::delete_rule),
        )
        .route(
            "/quan-tri/kien-nghi/thoi-han",
            post(petition_rules::set_limit),
        )
        .route("/quan-tri/kien-nghi/khoa", post(petition_rules::add_key))
        .route(
            "/quan-tri/kien-nghi/thu-hoi-khoa",
            post(petition_rules::revoke_key),
        )
        .route(
            "/xu-ly/moi",
            get(petitions::staff_form)
                .post(petitions::staff_submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::PETITION_UPLOAD_LIMIT,
                )),
        )
        .route("/xu-ly/{id}", get(petitions::case))
        .route("/xu-ly/{id}/xu-ly", post(petitions::act))
        .route("/xu-ly/{id}/nguoi-gui", post(petitions::reveal))
        .route("/xu-ly/{id}/tep/{file}", get(petitions::file))
        .route(
            "/xu-ly/{id}/tai-lieu",
            post(petitions::upload_answer_file)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/kien-nghi/{code}/tep/{file}", get(petitions::public_file))
        .route(stories::PUBLIC_PATH, get(stories::list))
        .route("/tin-tuc/feed.xml", get(stories::feed))
        .route("/tin-tuc/anh/{sha}", get(stories::photo))
        .route("/tin-tuc/anh/{sha}/nho", get(stories::photo_thumb))
        .route("/tin-tuc/{slug}", get(stories::show))
        .route(stories::STAFF_PATH, get(stories::staff_list))
        .route(
            "/bang-dieu-khien/tin-tuc/moi",
            get(stories::new_form).post(stories::create),
        )
        .route(
            "/bang-dieu-khien/tin-tuc/{id}",
            get(stories::edit_form).post(stories::update),
        )
        .route(
            "/bang-dieu-khien/tin-tuc/{id}/chuyen",
            post(stories::transition),
        )
        .route(
            "/bang-dieu-khien/tin-tuc/{id}/anh",
            post(stories::upload_photo)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/don-vi", get(public::units))
        .route("/tim-kiem", get(search::show))
        .route("/ngon-ngu/{lang}", get(public::switch_language))
        .route("/dang-nhap", get(session::login_form).post(session::login))
        .route("/dang-xuat", post(session::logout))
        .route(
            "/tai-khoan/mat-khau",
            get(session::password_form).post(session::change_password),
        )
        .route("/bang-dieu-khien", get(dashboard::show))
        .route(
            "/to-chuc",
            get(organisations::list).post(organisations::create),
        )
        .route("/quan-tri/tai-khoan", get(admin::accounts))
        .route(
            "/quan-tri/tai-khoan/moi",
            get(admin::new_account_form).post(admin::create_account),
        )
        .route(
            "/quan-tri/tai-khoan/{id}/vo-hieu",
            post(admin::disable_account),
        )
        .route(
            "/quan-tri/tai-khoan/{id}/kich-hoat",
            post(admin::enable_account),
        )
        .route("/quan-tri/nhat-ky", get(admin::audit))
        .route(
            transfer::IMPORT_PATH,
            get(transfer::import_form)
                .post(transfer::import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route(transfer::DOWNLOADS_PATH, get(transfer::downloads))
        .route("/tai-ve/{id}", get(transfer::download_file))
        .route("/healthz", get(public::healthz))
        .fallback(public::not_found)
}

pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub current: bool,
}

/// What every page's frame needs: language, navigation, the signed-in user, CSRF token.
pub struct Frame {
    pub lang: Lang,
    pub csrf: String,
    pub path: String,
    pub title: String,
    pub user: Option<String>,
    pub nav: Vec<NavItem>,
    pub asset_version: &'static str,
}

impl Frame {
    pub fn new(state: &AppState, caller: &Caller, path: &str, title_key: &str) -> Self {
        let mut items: Vec<(&'static str, &'static str)> = vec![
            ("/", "nav.home"),
            ("/mo-hinh", "nav.showcase"),
            ("/thong-ke", "nav.statistics"),
            ("/dien-hinh", "nav.honour"),
            (stories::PUBLIC_PATH, "nav.stories"),
            (care::PUBLIC_PATH, "nav.contributions"),
            ("/kien-nghi", "nav.petitions"),
            ("/don-vi", "nav.units"),
        ];
        if let Some(p) = &caller.principal {
            let tree = state.tree();
            items.push(("/bang-dieu-khien", "nav.dashboard"));
            if authorize(p, Action::ViewStatistics, None, &tree).is_ok() {
                items.push(("/bang-dieu-khien/thong-ke", "nav.my_statistics"));
            }
            if authorize(p, Action::ManageHouseholds, None, &tree).is_ok()
                || authorize(p, Action::RunDrives, None, &tree).is_ok()
            {
                items.push((care::DRIVES_PATH, "nav.care"));
            }
            if authorize(p, Action::ViewOrganisations, None, &tree).is_ok() {
                items.push(("/to-chuc", "nav.organisations"));
            }
            if authorize(p, Action::RegisterInitiative, None, &tree).is_ok() {
                items.push(("/mo-hinh/dang-ky", "nav.register"));
            }
            if authorize(p, Action::WriteStory, None, &tree).is_ok() {
                items.push((stories::STAFF_PATH, "nav.write_stories"));
            }
            if authorize(p, Action::ManageCampaigns, None, &tree).is_ok() {
                items.push(("/quan-tri/dot-thi-dua", "nav.campaigns"));
                items.push(("/hoi-dong", "nav.councils"));
            } else if authorize(p, Action::ScoreInitiatives, None, &tree).is_ok()
                || authorize(p, Action::OverseeCouncils, None, &tree).is_ok()
            {
                items.push(("/hoi-dong", "nav.my_councils"));
            }
            if authorize(p, Action::ViewPetition, None, &tree).is_ok() {
                items.push(("/xu-ly", "nav.handle_petitions"));
            }
            if authorize(p, Action::ManagePetitionRules, None, &tree).is_ok() {
                items.push(("/quan-tri/kien-nghi", "nav.petition_rules"));
            }
            if authorize(p, Action::ManageCalendar, None, &tree).is_ok() {
                items.push(("/quan-tri/lich", "nav.calendar"));
            }
            if authorize(p, Action::ManageAccounts, None, &tree).is_ok() {
                items.push(("/quan-tri/tai-khoan", "nav.accounts"));
            }
            if authorize(p, Action::ViewAudit, None, &tree).is_ok() {
                items.push(("/quan-tri/nhat-ky", "nav.audit"));
            }
            if crate::service::imports::ImportKind::ALL
                .iter()
                .any(|k| k.allowed_for(state, p))
            {
                items.push((transfer::IMPORT_PATH, "nav.imports"));
            }
            items.push((transfer::DOWNLOADS_PATH, "nav.downloads"));
        }
        // The current item is the longest matching prefix, so that a sub-page
        // (`/bang-dieu-khien/thong-ke`) does not also mark its parent.
        let matches = |href: &str| href == path || (href != "/" && path.starts_with(href));
        let current = items
            .iter()
            .map(|(href, _)| *href)
            .filter(|h| matches(h))
            .max_by_key(|h| h.len());
        let nav = items
            .into_iter()
            .map(|(href, key)| NavItem {
                href,
                key,
                current: Some(href) == current,
            })
            .collect();
        Self {
            lang: caller.lang,
            csrf: caller.csrf.clone(),
            path: path.to_string(),
            title: i18n::t(caller.lang, title_key).to_string(),
            user: caller.principal.as_ref().map(|p| p.display_name.clone()),
            nav,
            asset_version: crate::assets::VERSION.as_str(),
        }
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        // Messages are 'static; the key's lifetime only bounds the fallback.
        i18n::t(self.lang, key)
    }

    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        }
    }

    pub fn path_encoded(&self) -> String {
        percent_encoding::utf8_percent_encode(&self.path, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
    }

    pub fn role_label(&self, role: Role) -> &'static str {
        match self.lang {
            Lang::Vi => role.label_vi(),
            Lang::En => role.label_en(),
        }
    }
}

/// Renders a template, or a plain 500 if the template itself fails.
pub fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub f: Frame,
    pub heading: String,
    pub body: String,
    pub is_error: bool,
}

/// The page for a failed request: sign-in for anonymous callers, a message otherwise.
pub fn error_page(state: &AppState, caller: &Caller, path: &str, err: AppError) -> Response {
    if matches!(err, AppError::Unauthenticated) {
        let next = percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC);
        return Redirect::to(&format!("/dang-nhap?next={next}")).into_response();
    }
    let status = err.status();
    let page = MessagePage {
        f: Frame::new(state, caller, path, "error.title"),
        heading: i18n::t(caller.lang, "error.title").to_string(),
        body: err.message(caller.vi()),
        is_error: true,
    };
    (status, render(page)).into_response()
}

/// Field errors of a rejected form, by field, in the interface language.
pub fn field_errors(err: &AppError, vi: bool) -> Vec<(String, String)> {
    match err {
        AppError::Invalid(Invalid(list)) => list
            .iter()
            .map(|e| {
                (
                    e.field.to_string(),
                    if vi {
                        e.message_vi.clone()
                    } else {
                        e.message_en.clone()
                    },
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What a re-shown form says about a refused request: the field errors, a message for any
/// other refusal, and the status to answer with.
pub struct Refusal {
    pub errors: Vec<(String, String)>,
    pub error: Option<String>,
    pub status: Option<StatusCode>,
}

impl Refusal {
    pub fn of(err: Option<&AppError>, vi: bool) -> Refusal {
        Refusal {
            errors: err.map(|e| field_errors(e, vi)).unwrap_or_default(),
            error: err
                .filter(|e| !matches!(e, AppError::Invalid(_)))
                .map(|e| e.message(vi)),
            status: err.map(AppError::status),
        }
    }

    /// Renders `page` with the refusal's status (200 when there was none).
    pub fn respond(status: Option<StatusCode>, page: impl Template) -> Response {
        match status {
            Some(s) => (s, render(page)).into_response(),
            None => render(page),
        }
    }
}

/// Finds the error of one field (templates call it through `self.err`).
pub fn find_err<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

/// Only local paths are accepted as a redirect target after sign-in.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/bang-dieu-khien"
    }
}

/// Display date-time in Vietnam's time zone (UTC+7): dd/mm/yyyy HH:MM.
pub fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    #[allow(clippy::expect_used)]
    let tz = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    at.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string()
}
