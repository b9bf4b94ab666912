//! The JSON API under `/api/v1`, described by the OpenAPI 3.1 document at `/api/openapi.json`.
//! Callers authenticate with bearer tokens from `POST /api/v1/auth/token`.

mod accounts;
mod audit;
mod auth;
mod calendar;
mod care;
mod councils;
mod documents;
mod exports;
mod imports;
pub mod movement;
mod organisations;
pub mod petitions;
mod search;
mod statistics;
mod stories;
mod units;

use axum::Router;
use axum::response::Json;
use axum::routing::{get, post};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .route(
            "/api/v1/auth/token",
            post(auth::issue_token).delete(auth::revoke_token),
        )
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/me/password", post(auth::change_password))
        .route("/api/v1/units", get(units::list))
        .route("/api/v1/units/{code}", get(units::show))
        .route(
            "/api/v1/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route("/api/v1/organisations/{id}", get(organisations::show))
        .route(
            "/api/v1/accounts",
            get(accounts::list).post(accounts::create),
        )
        .route("/api/v1/accounts/{id}/disable", post(accounts::disable))
        .route("/api/v1/accounts/{id}/enable", post(accounts::enable))
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/audit/verify", get(audit::verify))
        .route(
            "/api/v1/campaigns",
            get(movement::list_campaigns).post(movement::create_campaign),
        )
        .route("/api/v1/campaigns/{id}", get(movement::show_campaign))
        .route(
            "/api/v1/initiatives",
            get(movement::list_initiatives).post(movement::create_initiative),
        )
        .route(
            "/api/v1/initiatives/{id}",
            get(movement::show_initiative).put(movement::update_initiative),
        )
        .route(
            "/api/v1/initiatives/{id}/transitions",
            post(movement::transition),
        )
        .route(
            "/api/v1/initiatives/{id}/reports",
            get(movement::list_reports).post(movement::file_report),
        )
        .route("/api/v1/reports/{id}/review", post(movement::review_report))
        .route("/api/v1/results", get(movement::results))
        .route("/api/v1/calendar/deadline", get(calendar::deadline))
        .route("/api/v1/calendar/holidays", get(calendar::holidays))
        .route(
            "/api/v1/calendar/days",
            get(calendar::list_days).post(calendar::set_day),
        )
        .route(
            "/api/v1/calendar/days/{date}",
            axum::routing::delete(calendar::remove_day),
        )
        .route(
            "/api/v1/initiatives/{id}/evidence",
            get(movement::list_evidence)
                .post(movement::add_evidence)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route(
            "/api/v1/councils",
            get(councils::list).post(councils::create),
        )
        .route("/api/v1/councils/{id}", get(councils::show))
        .route("/api/v1/councils/{id}/members", post(councils::add_member))
        .route("/api/v1/councils/{id}/assignments", post(councils::assign))
        .route("/api/v1/councils/{id}/scores", post(councils::score))
        .route("/api/v1/councils/{id}/close", post(councils::close))
        .route(
            "/api/v1/decisions",
            get(councils::list_decisions).post(councils::draft_decision),
        )
        .route("/api/v1/decisions/{id}", get(councils::show_decision))
        .route(
            "/api/v1/decisions/{id}/issue",
            post(councils::issue_decision),
        )
        .route("/api/v1/honour-roll", get(councils::honour_roll))
        .route(
            "/api/v1/petitions",
            get(petitions::list).post(petitions::submit),
        )
        .route("/api/v1/petitions/{key}", get(petitions::show))
        .route("/api/v1/petitions/{key}/actions", post(petitions::act))
        .route(
            "/api/v1/petitions/{key}/petitioners",
            get(petitions::petitioners),
        )
        .route(
            "/api/v1/petitions/{key}/feedback",
            post(petitions::feedback),
        )
        .route("/api/v1/petitions/{key}/my-data", post(petitions::my_data))
        .route("/api/v1/petition-stats", get(petitions::stats))
        .route("/api/v1/petition-answers", get(petitions::answers))
        .route(
            "/api/v1/routing-rules",
            get(petitions::list_rules).post(petitions::set_rule),
        )
        .route(
            "/api/v1/routing-rules/{id}",
            axum::routing::delete(petitions::delete_rule),
        )
        .route(
            "/api/v1/time-limits",
            get(petitions::time_limits).put(petitions::set_time_limit),
        )
        .route("/api/v1/notifications", get(petitions::notifications))
        .route(
            "/api/v1/notifications/read",
            post(petitions::read_notifications),
        )
        .route("/api/v1/open311-keys", post(petitions::add_key))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/dashboard", get(statistics::dashboard))
        .route(
            "/api/v1/reports/campaigns/{file}",
            get(documents::campaign_report),
        )
        .route(
            "/api/v1/decisions/{id}/document.pdf",
            get(documents::decision),
        )
        .route(
            "/api/v1/decisions/{id}/certificates.pdf",
            get(documents::certificates),
        )
        .route("/api/v1/councils/{id}/minutes.pdf", get(documents::minutes))
        .route("/api/v1/petitions/{key}/reply.pdf", get(documents::reply))
        .route("/api/v1/imports/{kind}/template", get(imports::template))
        .route(
            "/api/v1/imports/{kind}",
            post(imports::import).layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route(
            "/api/v1/households",
            get(care::list_households).post(care::create_household),
        )
        .route(
            "/api/v1/drives",
            get(care::list_drives).post(care::create_drive),
        )
        .route("/api/v1/drives/{id}", get(care::show_drive))
        .route(
            "/api/v1/drives/{id}/deliveries",
            post(care::record_delivery),
        )
        .route("/api/v1/drives/{id}/coverage", get(care::coverage))
        .route(
            "/api/v1/contributions",
            get(care::list_contributions).post(care::create_contribution),
        )
        .route(
            "/api/v1/contributions/totals",
            get(care::contribution_totals),
        )
        .route("/api/v1/support/totals", get(care::support_totals))
        .route("/api/v1/stories", get(stories::list).post(stories::create))
        .route(
            "/api/v1/stories/{id}",
            get(stories::show).put(stories::update),
        )
        .route(
            "/api/v1/stories/{id}/transitions",
            post(stories::transition),
        )
        .route(
            "/api/v1/stories/{id}/photos",
            post(stories::add_photo)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/api/v1/exports", get(exports::list))
        .route("/api/v1/exports/{id}", get(exports::show))
        .route("/api/v1/exports/{id}/file", get(exports::file))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "danvan API", description = "The Dân vận khéo movement and citizens' petitions. Errors are {\"error\": {\"code\", \"message\"}}."),
    paths(
        auth::issue_token, auth::revoke_token, auth::me, auth::change_password,
        units::list, units::show,
        organisations::list, organisations::create, organisations::show,
        accounts::list, accounts::create, accounts::disable, accounts::enable,
        audit::list, audit::verify,
        movement::create_campaign, movement::list_campaigns, movement::show_campaign,
        movement::create_initiative, movement::list_initiatives, movement::show_initiative, movement::update_initiative,
        movement::transition, movement::file_report, movement::list_reports, movement::review_report,
        movement::add_evidence, movement::list_evidence, movement::results,
        calendar::deadline, calendar::holidays, calendar::list_days, calendar::set_day, calendar::remove_day,
        councils::create, councils::show, councils::add_member, councils::assign, councils::score, councils::close,
        councils::draft_decision, councils::issue_decision, councils::show_decision, councils::honour_roll,
        petitions::submit, petitions::list, petitions::show, petitions::act, petitions::petitioners,
        petitions::feedback, petitions::stats, petitions::answers, petitions::list_rules, petitions::set_rule,
        petitions::delete_rule, petitions::time_limits, petitions::set_time_limit, petitions::notifications,
        petitions::read_notifications, petitions::add_key, petitions::my_data,
        search::search,
        statistics::dashboard,
        documents::campaign_report, documents::decision, documents::certificates, documents::minutes, documents::reply,
        imports::template, imports::import,
        councils::list, councils::list_decisions, exports::list, exports::show, exports::file,
        care::create_household, care::list_households, care::create_drive, care::list_drives, care::show_drive,
        care::record_delivery, care::coverage, care::create_contribution, care::list_contributions,
        care::contribution_totals, care::support_totals,
        stories::create, stories::list, stories::show, stories::update, stories::transition, stories::add_photo,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::error::FieldProblem)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
