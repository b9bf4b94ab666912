//! Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) for petitions under `/open311/v2`,
//! so that existing Open311 client apps file and follow petitions unchanged (DESIGN.md §6).
//!
//! A service is a petition field (`Topic`), a service request is a petition and its
//! `service_request_id` is the tracking code. JSON only: the spec's XML is refused with its
//! error array, `[{"code": 400, "description": "…"}]`, the shape of every error here.
//!
//! Filing needs an API key issued by the province (`danvan open311 key add`); reading does
//! not, so nothing read here carries personal data: no petitioner, no petition content, only
//! the title, the place of the problem, the state and what the body published.
//! `jurisdiction_id` is accepted and ignored: one deployment serves one province.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use danvan_domain::petition::{Channel, Kind, State as PetitionState, Topic, parse_tracking_code};
use danvan_storage::petitions::{self as store, Open311Filter, Petition};
use serde::Serialize;

use crate::auth::Caller;
use crate::error::AppError;
use crate::service::petitions::{self as svc, PetitionerInput, Source, SubmitInput};
use crate::state::AppState;

/// The group every service belongs to in client apps' menus.
const GROUP: &str = "Kiến nghị, phản ánh";
/// Without dates, a list covers the most recent 90 days (the spec's default).
const LIST_DAYS: i64 = 90;
/// The spec's ceiling on one list.
const LIST_MAX: i64 = 1000;
/// A petition's title is the start of the description, cut at a word near this length.
const TITLE_CHARS: usize = 80;
/// One key relays many citizens (often from one server address), so it may file this many
/// times the hourly allowance of a single public address.
const KEY_RATE_FACTOR: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/services.json", get(services))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route(
            "/open311/v2/requests.json",
            get(list_requests).post(create_request),
        )
        .route("/open311/v2/requests/{file}", get(show_request))
        // `services.xml`, `requests.xml`: refused with a reason rather than a bare 404.
        .route("/open311/v2/{file}", get(other_format).post(other_format))
}

// ---- errors ----

/// An error in the spec's shape: an array of `{code, description}` with the HTTP status.
#[derive(Debug)]
pub struct Open311Error {
    status: StatusCode,
    descriptions: Vec<String>,
}

#[derive(Serialize)]
struct ErrorItem<'a> {
    code: u16,
    description: &'a str,
}

impl Open311Error {
    fn new(status: StatusCode, description: impl Into<String>) -> Self {
        Self {
            status,
            descriptions: vec![description.into()],
        }
    }

    fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, description)
    }

    fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Không tìm thấy yêu cầu (mã hồ sơ không đúng hoặc không tồn tại).",
        )
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let code = self.status.as_u16();
        let items: Vec<ErrorItem> = self
            .descriptions
            .iter()
            .map(|d| ErrorItem {
                code,
                description: d,
            })
            .collect();
        (self.status, Json(items)).into_response()
    }
}

/// The form field an Open311 client sent for a field of [`SubmitInput`], so that a refusal
/// names what the client can fix.
fn form_field(field: &str) -> &str {
    match field {
        "kind" => "attribute[kind]",
        "field" => "service_code",
        "unit_code" => "attribute[unit_code]",
        "title" | "content" => "description",
        "petitioner.name" => "first_name, last_name",
        "petitioner.phone" => "phone",
        "petitioner.email" => "email",
        "latitude" | "longitude" => "lat, long",
        other => other,
    }
}

impl From<AppError> for Open311Error {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(invalid) => {
                // One entry per problem; title and content both come from `description`.
                let mut descriptions: Vec<String> = Vec::new();
                for fe in &invalid.0 {
                    let d = format!("{}: {}", form_field(fe.field), fe.message_vi);
                    if !descriptions.contains(&d) {
                        descriptions.push(d);
                    }
                }
                Self {
                    status: StatusCode::BAD_REQUEST,
                    descriptions,
                }
            }
            AppError::NotFound => Self::not_found(),
            AppError::Internal(_) => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                AppError::Internal(String::new()).message(true),
            ),
            // The status of the JSON API (403, 409, 429, …) with its Vietnamese message.
            other => Self::new(other.status(), other.message(true)),
        }
    }
}

/// The body for an answer that no handler shaped (unknown path, wrong method, body too
/// large, timeout): called by [`crate::error::api_error_shape`] for paths under `/open311/`.
pub fn status_error(status: StatusCode) -> Response {
    let description = match status {
        StatusCode::NOT_FOUND => "Không có tài nguyên này.",
        StatusCode::METHOD_NOT_ALLOWED => "Phương thức không được hỗ trợ cho tài nguyên này.",
        StatusCode::PAYLOAD_TOO_LARGE => "Dữ liệu gửi lên quá lớn.",
        StatusCode::REQUEST_TIMEOUT => "Yêu cầu xử lý quá lâu.",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Kiểu dữ liệu không được hỗ trợ.",
        s if s.is_server_error() => "Lỗi hệ thống, vui lòng thử lại.",
        _ => "Yêu cầu không hợp lệ.",
    };
    Open311Error::new(status, description).into_response()
}

fn json_only() -> Open311Error {
    Open311Error::bad_request("Chỉ hỗ trợ định dạng JSON: dùng phần mở rộng .json.")
}

/// The name inside `{name}.json`; `.xml` is refused, anything else does not exist.
fn strip_json(file: &str) -> Result<&str, Open311Error> {
    if let Some(name) = file.strip_suffix(".json") {
        Ok(name)
    } else if file.ends_with(".xml") {
        Err(json_only())
    } else {
        Err(Open311Error::new(
            StatusCode::NOT_FOUND,
            "Không có tài nguyên này.",
        ))
    }
}

async fn other_format(Path(file): Path<String>) -> Open311Error {
    match strip_json(&file) {
        // A `.json` name that is not one of the routes above.
        Ok(_) => Open311Error::new(StatusCode::NOT_FOUND, "Không có tài nguyên này."),
        Err(e) => e,
    }
}

// ---- services ----

#[derive(Serialize)]
struct ServiceOut {
    service_code: &'static str,
    service_name: &'static str,
    description: &'static str,
    metadata: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    keywords: &'static str,
    group: &'static str,
}

/// What each field covers and the words people search it by.
fn topic_text(t: Topic) -> (&'static str, &'static str) {
    match t {
        Topic::Land => (
            "Tranh chấp, lấn chiếm đất; sử dụng đất sai mục đích; cấp giấy chứng nhận; bồi thường, giải phóng mặt bằng.",
            "đất đai,lấn chiếm,tranh chấp đất,giấy chứng nhận,bồi thường,giải phóng mặt bằng",
        ),
        Topic::Construction => (
            "Xây dựng không phép, sai phép; lấn chiếm vỉa hè, lòng đường; đường sá, chiếu sáng, hạ tầng đô thị.",
            "xây dựng,trật tự đô thị,vỉa hè,đèn đường,đường sá,hạ tầng",
        ),
        Topic::SecurityOrder => (
            "An ninh, trật tự, an toàn giao thông; tệ nạn xã hội; gây rối, tiếng ồn.",
            "an ninh,trật tự,giao thông,tệ nạn,gây rối,tiếng ồn",
        ),
        Topic::Environment => (
            "Ô nhiễm môi trường: rác thải, nước thải, khói bụi, mùi hôi; ngập úng; vệ sinh môi trường.",
            "môi trường,rác thải,nước thải,ô nhiễm,khói bụi,ngập úng",
        ),
        Topic::SocialPolicy => (
            "Chính sách người có công, hộ nghèo, bảo trợ xã hội; bảo hiểm, y tế, giáo dục.",
            "chính sách,hộ nghèo,người có công,bảo trợ xã hội,bảo hiểm,y tế,giáo dục",
        ),
        Topic::OfficialsConduct => (
            "Thái độ, tinh thần trách nhiệm của cán bộ, công chức khi giải quyết công việc của người dân.",
            "cán bộ,công chức,thái độ,trách nhiệm,thủ tục hành chính",
        ),
        Topic::Other => ("Những vấn đề khác không thuộc các lĩnh vực trên.", "khác"),
    }
}

async fn services() -> Json<Vec<ServiceOut>> {
    Json(
        Topic::ALL
            .iter()
            .map(|&t| {
                let (description, keywords) = topic_text(t);
                ServiceOut {
                    service_code: t.code(),
                    service_name: t.label_vi(),
                    description,
                    metadata: true,
                    kind: "realtime",
                    keywords,
                    group: GROUP,
                }
            })
            .collect(),
    )
}

#[derive(Serialize)]
struct ValueOut {
    key: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct AttributeOut {
    variable: bool,
    code: &'static str,
    datatype: &'static str,
    required: bool,
    datatype_description: &'static str,
    order: u32,
    description: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<Vec<ValueOut>>,
}

#[derive(Serialize)]
struct DefinitionOut {
    service_code: &'static str,
    attributes: Vec<AttributeOut>,
}

async fn service_definition(Path(file): Path<String>) -> Result<Json<DefinitionOut>, Open311Error> {
    let code = strip_json(&file)?;
    let topic = Topic::parse(code).ok_or_else(|| {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            format!("Không có dịch vụ (lĩnh vực) mã “{code}”."),
        )
    })?;
    Ok(Json(DefinitionOut {
        service_code: topic.code(),
        attributes: vec![
            AttributeOut {
                variable: true,
                code: "unit_code",
                datatype: "string",
                required: true,
                datatype_description: "Mã xã, phường (đơn vị hành chính hiện hành)",
                order: 1,
                description: "Xã, phường nơi xảy ra sự việc",
                values: None,
            },
            AttributeOut {
                variable: true,
                code: "kind",
                datatype: "singlevaluelist",
                required: false,
                datatype_description: "Một trong các mã liệt kê; mặc định: feedback (phản ánh)",
                order: 2,
                description: "Loại đơn: phản ánh, kiến nghị, khiếu nại hoặc tố cáo (mỗi loại có thời hạn giải quyết theo luật riêng)",
                values: Some(
                    Kind::ALL
                        .iter()
                        .map(|k| ValueOut {
                            key: k.code(),
                            name: k.label_vi(),
                        })
                        .collect(),
                ),
            },
        ],
    }))
}

// ---- filing ----

#[derive(Serialize)]
struct ReceiptOut {
    service_request_id: String,
    service_notice: String,
    account_id: Option<String>,
}

/// The first `TITLE_CHARS` characters of `description` on one line, cut after a whole word.
fn title_from(description: &str) -> String {
    let line = description.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= TITLE_CHARS {
        return line;
    }
    let head: String = line.chars().take(TITLE_CHARS).collect();
    // The character after the cut decides whether the last word is whole.
    let next_is_space = line.chars().nth(TITLE_CHARS) == Some(' ');
    let cut = if next_is_space {
        head.as_str()
    } else {
        match head.rfind(' ') {
            // Keep at least half: a very long first word is cut inside instead.
            Some(i) if head[..i].chars().count() >= TITLE_CHARS / 2 => &head[..i],
            _ => head.as_str(),
        }
    };
    format!("{}…", cut.trim_end())
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn parse_coordinate(
    form: &HashMap<String, String>,
    name: &str,
) -> Result<Option<f64>, Open311Error> {
    match form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse::<f64>().map(Some).map_err(|_| {
            Open311Error::bad_request(format!("{name}: toạ độ không hợp lệ (số thập phân WGS84)."))
        }),
    }
}

/// `POST /open311/v2/requests.json`: a form (keys such as `attribute[unit_code]` carry
/// brackets, so the body is parsed here rather than into a struct).
async fn create_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<ReceiptOut>>), Open311Error> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/x-www-form-urlencoded");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(Open311Error::bad_request(
            "Gửi yêu cầu dưới dạng biểu mẫu application/x-www-form-urlencoded.",
        ));
    }
    // A repeated key keeps its first value.
    let mut form: HashMap<String, String> = HashMap::new();
    for (k, v) in form_urlencoded::parse(&body) {
        form.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };

    let api_key = field("api_key");
    if api_key.is_empty() {
        return Err(Open311Error::new(
            StatusCode::FORBIDDEN,
            "api_key: cần khoá API do tỉnh cấp để gửi yêu cầu.",
        ));
    }
    let Some((key_id, key_name)) =
        store::open311_key(&state.db, &danvan_domain::secret::token_hash(&api_key))
            .await
            .map_err(AppError::from)?
    else {
        return Err(Open311Error::new(
            StatusCode::FORBIDDEN,
            "api_key: khoá API không hợp lệ hoặc đã bị thu hồi.",
        ));
    };
    let within = danvan_storage::rate_limit::hit(
        &state.db,
        &format!("open311:{key_id}"),
        state.config.petition_limit.saturating_mul(KEY_RATE_FACTOR),
        3600,
    )
    .await
    .map_err(AppError::from)?;
    if !within {
        return Err(AppError::RateLimited.into());
    }

    let latitude = parse_coordinate(&form, "lat")?;
    let longitude = parse_coordinate(&form, "long")?;
    let description = form.get("description").cloned().unwrap_or_default();
    let mut content = description.trim().to_string();
    // A photo the app hosts: kept as a link in the content for the officers (danvan fetches
    // nothing from outside).
    let media_url = field("media_url");
    if (media_url.starts_with("https://") || media_url.starts_with("http://"))
        && media_url.len() <= 500
        && !media_url.chars().any(char::is_whitespace)
        && !content.is_empty()
    {
        content.push_str(&format!("\n\nẢnh đính kèm (từ ứng dụng): {media_url}"));
    }
    let kind = match field("attribute[kind]") {
        k if k.is_empty() => Kind::Feedback.code().to_string(),
        k => k,
    };
    let name = format!("{} {}", field("first_name"), field("last_name"))
        .trim()
        .to_string();
    let input = SubmitInput {
        kind,
        field: field("service_code"),
        unit_code: field("attribute[unit_code]"),
        title: title_from(&description),
        content,
        petitioner: PetitionerInput {
            name,
            phone: field("phone"),
            email: field("email"),
            address: String::new(),
        },
        // The app collected the citizen's consent; `Source::Open311` records which app.
        consent: false,
        latitude,
        longitude,
        address_string: field("address_string"),
        ..Default::default()
    };
    let done = svc::submit(&state, Source::Open311(&key_name), &input, Vec::new()).await?;
    Ok((
        StatusCode::CREATED,
        Json(vec![ReceiptOut {
            service_notice: format!(
                "Đã tiếp nhận, mã hồ sơ {}. Hạn giải quyết dự kiến: {} (tính theo thời hạn luật định).",
                done.tracking_code,
                dmy(done.due_on)
            ),
            service_request_id: done.tracking_code,
            account_id: None,
        }]),
    ))
}

// ---- reading ----

#[derive(Serialize)]
struct RequestOut {
    service_request_id: String,
    status: &'static str,
    status_notes: String,
    service_name: &'static str,
    service_code: String,
    description: String,
    agency_responsible: Option<String>,
    service_notice: String,
    requested_datetime: String,
    updated_datetime: String,
    expected_datetime: Option<String>,
    address: Option<String>,
    address_id: Option<String>,
    zipcode: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    media_url: Option<String>,
}

/// Vietnam's offset, in which every time here is written.
fn ict() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix())
}

/// W3C datetime with the Vietnamese offset, e.g. `2026-11-25T21:26:19+07:00`.
fn w3c(t: DateTime<Utc>) -> String {
    t.with_timezone(&ict())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A due date as a moment: the end of office hours that day in Vietnam.
fn due_moment(d: NaiveDate) -> Option<String> {
    let at = d.and_time(NaiveTime::from_hms_opt(17, 0, 0)?);
    ict()
        .from_local_datetime(&at)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
}

/// The body names already looked up while building one answer.
#[derive(Default)]
struct Bodies(HashMap<i64, Option<String>>);

impl Bodies {
    async fn name(&mut self, state: &AppState, id: i64) -> Result<Option<String>, AppError> {
        if let Some(n) = self.0.get(&id) {
            return Ok(n.clone());
        }
        let n = danvan_storage::organisations::by_id(&state.db, id)
            .await?
            .map(|o| o.name);
        self.0.insert(id, n.clone());
        Ok(n)
    }
}

/// One petition as a service request. A duplicate merged into another case reports that
/// case's state, body and due date, which are what it now follows.
async fn request_out(
    state: &AppState,
    own: Petition,
    bodies: &mut Bodies,
) -> Result<RequestOut, AppError> {
    let case = match own.merged_into {
        Some(id) => store::by_id(&state.db, id).await?,
        None => None,
    };
    let case_ref = case.as_ref().unwrap_or(&own);
    let st = PetitionState::parse(&case_ref.state).unwrap_or(PetitionState::Received);
    let open = st.is_open();
    let status_notes = match st {
        PetitionState::Declined => {
            // The reason is written for the citizen (it shows on the tracking page too).
            let reason = store::events(&state.db, case_ref.id)
                .await?
                .into_iter()
                .rev()
                .find(|e| e.action == "decline")
                .and_then(|e| e.note);
            match reason {
                Some(r) => format!("{}: {r}", st.label_vi()),
                None => st.label_vi().to_string(),
            }
        }
        PetitionState::Answered | PetitionState::Closed => match &case_ref.public_answer {
            // Only the published version, from which the body removed personal data.
            Some(a) => format!("{}: {a}", st.label_vi()),
            None => st.label_vi().to_string(),
        },
        _ if case.is_some() => format!(
            "Đã gộp vào hồ sơ {}; {}",
            case_ref.tracking_code,
            st.label_vi().to_lowercase()
        ),
        _ => st.label_vi().to_string(),
    };
    let agency_responsible = match case_ref.organisation_id {
        Some(o) => bodies.name(state, o).await?,
        None => None,
    };
    let topic = Topic::parse(&own.topic).unwrap_or(Topic::Other);
    Ok(RequestOut {
        status: if open { "open" } else { "closed" },
        status_notes,
        service_name: topic.label_vi(),
        service_code: own.topic.clone(),
        // The title only: the content is the citizen's own text and may name people.
        description: own.title.clone(),
        agency_responsible,
        service_notice: format!("Hạn giải quyết theo luật định: {}.", dmy(case_ref.due_on)),
        requested_datetime: w3c(own.created_at),
        updated_datetime: w3c(own.updated_at.max(case_ref.updated_at)),
        expected_datetime: if open {
            due_moment(case_ref.due_on)
        } else {
            None
        },
        address: own.address_string.clone(),
        address_id: None,
        zipcode: None,
        lat: own.latitude,
        long: own.longitude,
        media_url: None,
        service_request_id: own.tracking_code,
    })
}

/// `GET /open311/v2/requests/{id}.json`: a one-element array, as the spec has it.
async fn show_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
) -> Result<Json<Vec<RequestOut>>, Open311Error> {
    let id = strip_json(&file)?;
    svc::check_lookup_rate(&state, caller.ip).await?;
    let p = svc::by_code(&state, id).await?;
    let out = request_out(&state, p, &mut Bodies::default()).await?;
    Ok(Json(vec![out]))
}

/// Every value of `name` in a query, comma lists split, blanks dropped.
fn values(query: &[(String, String)], name: &str) -> Vec<String> {
    query
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// A W3C datetime (`2010-01-01T00:00:00Z`, any offset) or a bare date, taken as its start
/// (`start_date`) or end (`end_date`) in Vietnam.
fn parse_w3c(name: &str, v: &str, end_of_day: bool) -> Result<DateTime<Utc>, Open311Error> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
    let time = if end_of_day {
        NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999)
    } else {
        Some(NaiveTime::MIN)
    };
    day.zip(time)
        .and_then(|(d, t)| ict().from_local_datetime(&d.and_time(t)).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            Open311Error::bad_request(format!(
                "{name}: ngày giờ không hợp lệ; dùng dạng W3C, ví dụ 2026-01-01T00:00:00Z."
            ))
        })
}

/// `GET /open311/v2/requests.json`: newest first, at most 1000. Looked up by
/// `service_request_id`, any petition whose code is given. Otherwise only what came in through
/// Open311 apps, whose users file into a public list as Open311 goes (a tracking code from the
/// web form or a reception desk was handed to its citizen alone), and only feedback and
/// petitions (complaints and denunciations concern named people), not merged into another case.
async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<RequestOut>>, Open311Error> {
    let query: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let ids = values(&query, "service_request_id");
    let filter = if !ids.is_empty() {
        // Codes act like keys: looking them up is rate-limited like the tracking page.
        svc::check_lookup_rate(&state, caller.ip).await?;
        let codes: Vec<String> = ids.iter().filter_map(|c| parse_tracking_code(c)).collect();
        if codes.is_empty() {
            return Ok(Json(Vec::new()));
        }
        Open311Filter {
            codes,
            limit: LIST_MAX,
            ..Default::default()
        }
    } else {
        let topics = values(&query, "service_code");
        if let Some(bad) = topics.iter().find(|t| Topic::parse(t).is_none()) {
            return Err(Open311Error::bad_request(format!(
                "service_code: không có dịch vụ mã “{bad}”."
            )));
        }
        let statuses = values(&query, "status");
        let open = match (
            statuses.iter().any(|s| s == "open"),
            statuses.iter().any(|s| s == "closed"),
        ) {
            _ if statuses.iter().any(|s| s != "open" && s != "closed") => {
                return Err(Open311Error::bad_request(
                    "status: chỉ nhận open hoặc closed.",
                ));
            }
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        };
        let one = |name: &str| values(&query, name).into_iter().next();
        let mut from = match one("start_date") {
            Some(v) => Some(parse_w3c("start_date", &v, false)?),
            None => None,
        };
        let to = match one("end_date") {
            Some(v) => Some(parse_w3c("end_date", &v, true)?),
            None => None,
        };
        if from.is_none() {
            // The spec's default window: the 90 days up to the end date, or up to now.
            let end = to.unwrap_or_else(crate::now);
            from = Some(end - chrono::Duration::days(LIST_DAYS));
        }
        Open311Filter {
            topics,
            kinds: vec![Kind::Feedback.code().into(), Kind::Petition.code().into()],
            channels: vec![Channel::Open311.code().into()],
            open,
            from,
            to,
            without_merged: true,
            limit: LIST_MAX,
            ..Default::default()
        }
    };
    let rows = store::open311_list(&state.db, &filter)
        .await
        .map_err(AppError::from)?;
    let mut bodies = Bodies::default();
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        out.push(request_out(&state, p, &mut bodies).await?);
    }
    Ok(Json(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_after_a_whole_word() {
        assert_eq!(title_from("  Đèn đường\nhỏng  "), "Đèn đường hỏng");
        let long = "Đèn đường trên đường Trần Hưng Đạo, đoạn trước chợ phường Long Xuyên, đã hỏng từ hai tuần nay";
        let t = title_from(long);
        assert!(t.ends_with('…'), "{t}");
        assert!(t.chars().count() <= TITLE_CHARS + 1, "{t}");
        let body = t.trim_end_matches('…');
        assert!(long.starts_with(body), "{t}");
        assert!(
            long[body.len()..].starts_with(' '),
            "cut between words: {t}"
        );
        let word = "a".repeat(200);
        assert_eq!(title_from(&word).chars().count(), TITLE_CHARS + 1);
    }

    #[test]
    fn suffixes_and_dates() {
        assert_eq!(strip_json("land.json").ok(), Some("land"));
        assert_eq!(
            strip_json("land.xml").err().map(|e| e.status),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            strip_json("land").err().map(|e| e.status),
            Some(StatusCode::NOT_FOUND)
        );
        let due = NaiveDate::from_ymd_opt(2026, 12, 15);
        assert_eq!(
            due.and_then(due_moment).as_deref(),
            Some("2026-12-15T17:00:00+07:00")
        );
        let t = parse_w3c("start_date", "2026-01-01T00:00:00Z", false).ok();
        assert_eq!(t.map(w3c).as_deref(), Some("2026-01-01T07:00:00+07:00"));
        let d = parse_w3c("end_date", "2026-01-01", true).ok();
        assert_eq!(
            d.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-01-01T16:59:59.999999+00:00")
        );
        assert!(parse_w3c("start_date", "hôm qua", false).is_err());
    }
}
