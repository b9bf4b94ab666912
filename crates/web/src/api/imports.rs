//! Spreadsheet imports: a template to fill in, and the upload that checks every row first.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::SignedIn;
use crate::error::{ApiPath, ApiQuery, AppError, ErrorBody, ErrorDetail};
use crate::export::FormatQuery;
use crate::service::imports::{self, ImportError, ImportKind, Importer, RowProblem};
use crate::state::AppState;

/// The largest file accepted (the route's body limit adds room for the multipart framing).
const MAX_FILE: usize = 10 * 1024 * 1024;

fn kind(s: &str) -> Result<ImportKind, AppError> {
    ImportKind::parse(s).ok_or_else(|| {
        AppError::invalid(danvan_domain::FieldError::new(
            "kind",
            "unknown_import_kind",
            "Loại nhập liệu không hợp lệ (organisations, accounts, initiatives hoặc holidays).",
            "Unknown import kind (organisations, accounts, initiatives or holidays).",
        ))
    })
}

#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    kind: String,
    created: usize,
    /// For accounts: each new login with its initial password, generated and answered this
    /// once (only its hash is stored).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    credentials: Vec<imports::Credential>,
}

/// The refusal of a whole file: the usual error body plus every row problem.
#[derive(Serialize, ToSchema)]
pub struct ImportRejected {
    error: ErrorDetail,
    rows: Vec<RowProblem>,
}

/// The empty template of an import (`format=xlsx`, the default, or `csv`): the
/// Vietnamese column titles and one example row.
#[utoipa::path(get, path = "/api/v1/imports/{kind}/template", tag = "imports",
    params(("kind" = String, Path, description = "organisations, accounts, initiatives or holidays"), FormatQuery),
    responses((status = 200, description = "The spreadsheet file"), (status = 422, body = ErrorBody)))]
pub async fn template(
    State(state): State<AppState>,
    ApiPath(k): ApiPath<String>,
    ApiQuery(format): ApiQuery<FormatQuery>,
) -> Result<Response, AppError> {
    let k = kind(&k)?;
    let format = format.parse()?.unwrap_or(crate::export::Format::Xlsx);
    let stem = format!("mau-nhap-{}", k.code());
    crate::export::download(&state, &imports::template(k), format, &stem)
}

/// Import a spreadsheet (multipart field `file`, XLSX or UTF-8 CSV, at most 10 MiB). Every
/// row is checked first; if any is wrong nothing is written and the answer is 422
/// `import_rejected` with the list of rows. Otherwise all rows are written together, with
/// one audit entry per record.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "imports", security(("bearer" = [])),
    params(("kind" = String, Path, description = "organisations, accounts, initiatives or holidays")),
    responses((status = 201, body = ImportOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ImportRejected)))]
pub async fn import(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    ApiPath(k): ApiPath<String>,
    form: Multipart,
) -> Result<Response, AppError> {
    let k = kind(&k)?;
    let (bytes, _, _) = super::movement::read_upload(form).await?;
    if bytes.len() > MAX_FILE {
        return Err(AppError::BadRequest(
            "payload_too_large",
            "The file is larger than 10 MiB.".into(),
        ));
    }
    match imports::import(&state, &Importer::Person(&p), k, &bytes, &|_, _, _| {}).await {
        Ok(out) => Ok((
            StatusCode::CREATED,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            axum::Json(ImportOut {
                kind: k.code().to_string(),
                created: out.created,
                credentials: out.credentials,
            }),
        )
            .into_response()),
        Err(ImportError::App(e)) => Err(e),
        Err(ImportError::Rejected(rows)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(ImportRejected {
                error: ErrorDetail {
                    code: "import_rejected".into(),
                    message: format!(
                        "The file was refused and nothing was written: {} problem(s).",
                        rows.len()
                    ),
                    fields: Vec::new(),
                },
                rows,
            }),
        )
            .into_response()),
    }
}
