use axum::extract::State;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, AppError, ErrorBody};
use crate::service::search::{self, SearchParams, SearchResults};
use crate::state::AppState;

/// Search models, organisations, units and published answers; with a bearer token also the
/// caller's unpublished models and petitions within their scope. Diacritics, case, Unicode
/// form and tone placement do not matter (`hoa` finds "Hòa" and "Hoà", `d` finds "đ"); every
/// syllable must occur as a whole syllable. Hits containing the query with its exact
/// diacritics come first, then title matches, then the rest, newest first within each.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    security((), ("bearer" = [])),
    responses((status = 200, body = SearchResults),
        (status = 422, description = "q empty (query_required) or longer than 200 characters (query_too_long), or a bad filter (invalid_type, unknown_unit, invalid_year)", body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<ApiJson<SearchResults>, AppError> {
    let found = search::search(&state, caller.principal.as_ref(), &params).await?;
    Ok(ApiJson(found))
}
