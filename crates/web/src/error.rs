//! One error type for every use case, answered as `{"error": {"code", "message"}}` in the API
//! and as a page for people. Bad input is never a 500.

use axum::Json;
use axum::extract::Request;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use danvan_domain::{FieldError, Invalid};
use danvan_storage::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Invalid(Invalid),
    #[error("sign-in required")]
    Unauthenticated,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("forbidden")]
    Forbidden,
    /// Forbidden for a stated reason, with its own stable code (e.g. `recused`).
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("too many requests")]
    RateLimited,
    #[error("bad request: {0}")]
    BadRequest(&'static str, String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Refused(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest("unsupported_media_type", _) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::BadRequest("payload_too_large", _) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BadRequest(..) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(i) if i.0.len() == 1 => i.0[0].code,
            AppError::Invalid(_) => "validation_failed",
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::Refused(code) => code,
            AppError::NotFound => "not_found",
            AppError::Conflict(code) => code,
            AppError::RateLimited => "rate_limited",
            AppError::BadRequest(code, _) => code,
            AppError::Internal(_) => "internal",
        }
    }

    /// Message for people, in the interface language.
    pub fn message(&self, vi: bool) -> String {
        let pick = |a: &str, b: &str| if vi { a.to_string() } else { b.to_string() };
        match self {
            AppError::Invalid(i) => {
                i.0.iter()
                    .map(|e| {
                        format!(
                            "{}: {}",
                            e.field,
                            if vi { &e.message_vi } else { &e.message_en }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            AppError::Unauthenticated => pick("Cần đăng nhập.", "Sign-in required."),
            AppError::BadCredentials => pick(
                "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đang tạm khoá.",
                "Wrong user name or password, or the account is temporarily locked.",
            ),
            AppError::Forbidden => pick(
                "Bạn không có quyền thực hiện việc này.",
                "You are not allowed to do this.",
            ),
            AppError::NotFound => pick("Không tìm thấy.", "Not found."),
            AppError::Conflict("username_taken") => pick(
                "Tên đăng nhập đã có người dùng.",
                "That user name is taken.",
            ),
            AppError::Conflict("illegal_transition") => pick(
                "Thao tác này không được phép ở trạng thái hiện tại của mô hình.",
                "This action is not allowed in the model's current state.",
            ),
            AppError::Conflict("edit_conflict") => pick(
                "Mô hình vừa được người khác thay đổi. Vui lòng tải lại trang, xem thay đổi rồi lưu lại.",
                "Someone else changed this model meanwhile. Reload the page, review their change and save again.",
            ),
            AppError::Conflict("not_editable") => pick(
                "Mô hình đã gửi duyệt hoặc đã duyệt, không sửa được nữa.",
                "The model was submitted or approved and can no longer be edited.",
            ),
            AppError::Conflict("not_accepting_reports") => pick(
                "Mô hình chưa được duyệt hoặc đã kết thúc, không nhận báo cáo.",
                "The model is not approved or has ended; it takes no reports.",
            ),
            AppError::Conflict("report_already_reviewed") => pick(
                "Báo cáo này đã được xử lý.",
                "This report was already reviewed.",
            ),
            AppError::Conflict("campaign_exists") => pick(
                "Đã có đợt thi đua cùng năm và cùng tên.",
                "A campaign of that year and title exists.",
            ),
            AppError::Refused("recused") => pick(
                "Bạn không chấm mô hình của chính tổ chức mình hoặc do mình đăng ký: việc rút khỏi chấm điểm đã được ghi nhận.",
                "You do not score a model of your own organisation or one you registered: your recusal has been recorded.",
            ),
            AppError::Refused(_) => pick(
                "Bạn không có quyền thực hiện việc này.",
                "You are not allowed to do this.",
            ),
            AppError::Conflict("council_closed") => pick(
                "Hội đồng đã kết thúc phiên chấm điểm; kết quả đã được chốt, không thể thay đổi.",
                "The council has closed its round; the scores are frozen.",
            ),
            AppError::Conflict("council_not_closed") => pick(
                "Hội đồng chưa kết thúc phiên chấm điểm.",
                "The council has not closed its round yet.",
            ),
            AppError::Conflict("already_member") => pick(
                "Người này đã là thành viên hội đồng.",
                "This person already sits on the council.",
            ),
            AppError::Conflict("already_assigned") => pick(
                "Mô hình đã được giao cho hội đồng.",
                "The model is already assigned to the council.",
            ),
            AppError::Conflict("not_assignable") => pick(
                "Chỉ giao cho hội đồng các mô hình đã đăng ký, đang thực hiện hoặc đã hoàn thành.",
                "Only registered, reporting or completed models can be assigned.",
            ),
            AppError::Conflict("decision_issued") => pick(
                "Quyết định đã ban hành, không thể sửa.",
                "The decision has been issued and cannot change.",
            ),
            AppError::Conflict("decision_number_taken") => pick(
                "Số quyết định này đã được dùng.",
                "That decision number is already in use.",
            ),
            AppError::Conflict("illegal_story_transition") => pick(
                "Thao tác này không được phép ở trạng thái hiện tại của bài viết.",
                "This action is not allowed in the story's current state.",
            ),
            AppError::Conflict("slug_taken") => pick(
                "Địa chỉ bài viết vừa được dùng cho bài khác; vui lòng gửi lại.",
                "The story's address was just taken by another story; please send again.",
            ),
            AppError::Conflict(code) => pick(
                &format!("Xung đột dữ liệu ({code})."),
                &format!("Conflict ({code})."),
            ),
            AppError::RateLimited => pick(
                "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút.",
                "Too many requests; try again in a few minutes.",
            ),
            AppError::BadRequest(_, m) => m.clone(),
            AppError::Internal(_) => pick(
                "Lỗi hệ thống, vui lòng thử lại.",
                "Internal error; please try again.",
            ),
        }
    }

    pub fn invalid(e: FieldError) -> Self {
        AppError::Invalid(Invalid::one(e))
    }
}

impl From<Invalid> for AppError {
    fn from(i: Invalid) -> Self {
        AppError::Invalid(i)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::invalid(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) => AppError::Conflict(c),
            StoreError::NotFound => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "storage failure");
                AppError::Internal(other.to_string())
            }
        }
    }
}

impl From<danvan_domain::policy::Denied> for AppError {
    fn from(_: danvan_domain::policy::Denied) -> Self {
        AppError::Forbidden
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code.
    pub code: String,
    /// English message.
    pub message: String,
    /// Per-field problems of a rejected input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let fields = match &self {
            AppError::Invalid(i) => {
                i.0.iter()
                    .map(|e| FieldProblem {
                        field: e.field.to_string(),
                        code: e.code.to_string(),
                        message: e.message_en.clone(),
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.message(false),
                fields,
            },
        };
        let mut resp = (self.status(), Json(body)).into_response();
        if matches!(self, AppError::Unauthenticated) {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        let code = match &r {
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            JsonRejection::JsonSyntaxError(_) => "malformed_json",
            JsonRejection::JsonDataError(_) => "invalid_json_fields",
            _ => "invalid_body",
        };
        AppError::BadRequest(code, r.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::BadRequest("invalid_query", r.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> Self {
        AppError::BadRequest("invalid_path", r.body_text())
    }
}

impl From<FormRejection> for AppError {
    fn from(r: FormRejection) -> Self {
        AppError::BadRequest("invalid_form", r.body_text())
    }
}

/// Extractors whose rejections speak the API's error shape.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// Under `/api` and `/open311`, answers that did not come from a handler (unknown route,
/// wrong method, body too large, timeout) are rewritten into the error shape.
pub async fn api_error_shape(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let is_open311 = req.uri().path().starts_with("/open311/");
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(is_api || is_open311) || is_json || !(status.is_client_error() || status.is_server_error())
    {
        return resp;
    }
    let mut out = if is_open311 {
        // Open311 clients expect the spec's error array, not the API's object.
        crate::open311::status_error(status)
    } else {
        api_status_error(status)
    };
    for (k, v) in resp.headers() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

fn api_status_error(status: StatusCode) -> Response {
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "No such resource."),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "Method not allowed on this resource.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The request body is too large."),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "The request took too long."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "Unsupported content type.")
        }
        s if s.is_server_error() => ("internal", "Internal error."),
        _ => ("bad_request", "Bad request."),
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
        },
    };
    (status, Json(body)).into_response()
}
