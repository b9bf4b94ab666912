//! Petition pages: the public form, the receipt and tracking page with rating and reopening,
//! the public record of answers and the accountability figures; for staff, the queue, the
//! case with its workflow, and recording petitions from other channels.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use danvan_domain::petition::{Channel, Kind, State as St, Topic};
use danvan_domain::policy::{Action, authorize};
use danvan_domain::text::{unit_sort_name, vi_cmp};
use danvan_domain::unit::UnitLevel;
use danvan_storage::petitions as store;
use serde::Deserialize;

use super::format::date;
use super::{Frame, Refusal, error_page, local_time, render};
use crate::api::petitions::{PetitionDetail, PublicAnswer, detail};
use crate::auth::Caller;
use crate::error::AppError;
use crate::service::petitions::{
    self as svc, ActionInput, FeedbackInput, ListQuery, PetitionerInput, PublicPetition, Source,
    StatsRow, SubmitInput, Upload,
};
use crate::state::AppState;

impl Frame {
    /// Inline bilingual text for the petition pages: Vietnamese first.
    pub fn tr<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            crate::i18n::Lang::Vi => vi,
            crate::i18n::Lang::En => en,
        }
    }
}

/// (code, label) pairs for a select.
type Options = Vec<(String, String)>;

fn kinds(vi: bool) -> Options {
    Kind::ALL
        .iter()
        .map(|k| {
            (
                k.code().into(),
                if vi { k.label_vi() } else { k.label_en() }.into(),
            )
        })
        .collect()
}

fn topics(vi: bool) -> Options {
    Topic::ALL
        .iter()
        .map(|k| {
            (
                k.code().into(),
                if vi { k.label_vi() } else { k.label_en() }.into(),
            )
        })
        .collect()
}

fn channels(vi: bool) -> Options {
    Channel::ALL
        .iter()
        .filter(|c| !matches!(c, Channel::Online | Channel::Open311))
        .map(|k| {
            (
                k.code().into(),
                if vi { k.label_vi() } else { k.label_en() }.into(),
            )
        })
        .collect()
}

/// The communes of the province today, in Vietnamese alphabetical order.
fn communes(state: &AppState, today: chrono::NaiveDate) -> Options {
    let tree = state.tree();
    let mut v: Vec<(String, String)> = tree
        .iter()
        .filter(|u| u.level == UnitLevel::Commune && u.valid_at(today))
        .map(|u| (u.code.clone(), u.name.clone()))
        .collect();
    v.sort_by(|a, b| vi_cmp(unit_sort_name(&a.1), unit_sort_name(&b.1)));
    v
}

fn label<'a>(options: &'a Options, code: &str) -> &'a str {
    options
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, l)| l.as_str())
        .unwrap_or("")
}

#[derive(Template)]
#[template(path = "petition_form.html")]
struct FormPage {
    f: Frame,
    staff: bool,
    action: String,
    kinds: Options,
    topics: Options,
    communes: Options,
    channels: Options,
    input: SubmitInput,
    errors: Vec<(String, String)>,
    error: Option<String>,
    today: String,
    consent_version: &'static str,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::find_err(&self.errors, field)
    }
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    staff: bool,
    input: SubmitInput,
    err: Option<AppError>,
) -> Response {
    let vi = caller.vi();
    let path = if staff { "/xu-ly/moi" } else { "/kien-nghi" };
    let Refusal {
        errors,
        error,
        status,
    } = Refusal::of(err.as_ref(), vi);
    let page = FormPage {
        f: Frame::new(state, caller, path, "nav.petitions"),
        staff,
        action: format!("{path}?_csrf={}", caller.csrf),
        kinds: kinds(vi),
        topics: topics(vi),
        communes: communes(state, state.clock.today()),
        channels: channels(vi),
        input,
        errors,
        error,
        today: state.clock.today().to_string(),
        consent_version: svc::CONSENT_VERSION,
    };
    Refusal::respond(status, page)
}

pub async fn form(State(state): State<AppState>, caller: Caller) -> Response {
    form_page(&state, &caller, false, SubmitInput::default(), None).await
}

pub async fn staff_form(State(state): State<AppState>, caller: Caller) -> Response {
    let allowed = caller
        .require()
        .and_then(|p| Ok(authorize(p, Action::RecordPetition, None, &state.tree())?));
    if let Err(e) = allowed {
        return error_page(&state, &caller, "/xu-ly/moi", e);
    }
    form_page(&state, &caller, true, SubmitInput::default(), None).await
}

/// Reads the multipart petition form: its fields and up to five attachments.
async fn read_form(mut form: Multipart) -> Result<(SubmitInput, Vec<Upload>), AppError> {
    let bad = |m: String| AppError::BadRequest("invalid_multipart", m);
    let mut input = SubmitInput::default();
    let mut petitioner = PetitionerInput::default();
    let mut uploads = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        let name = field.name().unwrap_or("").to_string();
        if name == "files" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|e| bad(e.body_text()))?;
            // A file input left empty still sends one empty part.
            if !bytes.is_empty() {
                uploads.push(Upload {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
            continue;
        }
        let text = field.text().await.map_err(|e| bad(e.body_text()))?;
        match name.as_str() {
            "kind" => input.kind = text,
            "field" => input.field = text,
            "unit_code" => input.unit_code = text,
            "title" => input.title = text,
            "content" => input.content = text,
            "name" => petitioner.name = text,
            "phone" => petitioner.phone = text,
            "email" => petitioner.email = text,
            "address" => petitioner.address = text,
            "consent" => input.consent = !text.is_empty(),
            "channel" => input.channel = text,
            "received_on" => input.received_on = text,
            "address_string" => input.address_string = text,
            "website" => input.website = text,
            _ => {}
        }
    }
    input.petitioner = petitioner;
    Ok((input, uploads))
}

pub async fn submit(State(state): State<AppState>, caller: Caller, form: Multipart) -> Response {
    let (input, uploads) = match read_form(form).await {
        Ok(v) => v,
        Err(e) => return form_page(&state, &caller, false, SubmitInput::default(), Some(e)).await,
    };
    if let Err(e) = svc::check_submission_rate(&state, caller.ip).await {
        return form_page(&state, &caller, false, input, Some(e)).await;
    }
    match svc::submit(&state, Source::Public, &input, uploads).await {
        Ok(done) => {
            Redirect::to(&format!("/kien-nghi/{}?moi=1", done.tracking_code)).into_response()
        }
        Err(e) => form_page(&state, &caller, false, input, Some(e)).await,
    }
}

pub async fn staff_submit(
    State(state): State<AppState>,
    caller: Caller,
    form: Multipart,
) -> Response {
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return error_page(&state, &caller, "/xu-ly/moi", e),
    };
    let (input, uploads) = match read_form(form).await {
        Ok(v) => v,
        Err(e) => return form_page(&state, &caller, true, SubmitInput::default(), Some(e)).await,
    };
    match svc::submit(&state, Source::Staff(&who), &input, uploads).await {
        Ok(done) => Redirect::to(&format!("/xu-ly/{}?moi=1", done.id)).into_response(),
        Err(e) => form_page(&state, &caller, true, input, Some(e)).await,
    }
}

#[derive(Template)]
#[template(path = "petition_track.html")]
struct TrackPage {
    f: Frame,
    p: PublicPetition,
    kind: String,
    topic: String,
    new: bool,
    history: Vec<(String, String, Option<String>)>,
    errors: Vec<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
    /// The answer to a data request: (tracking code, contact, consent time, consent version).
    held: Option<Vec<(String, svc::Contact, String, String)>>,
    /// Documents attached to the answer: (id, name).
    answer_files: Vec<(i64, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TrackQuery {
    moi: Option<String>,
    ma: String,
}

/// Looks a tracking code up from the form on /kien-nghi.
pub async fn lookup(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TrackQuery>,
) -> Response {
    match danvan_domain::petition::parse_tracking_code(&q.ma) {
        Some(code) => Redirect::to(&format!("/kien-nghi/{code}")).into_response(),
        None => error_page(&state, &caller, "/kien-nghi/tra-cuu", AppError::NotFound),
    }
}

async fn track_page(
    state: &AppState,
    caller: &Caller,
    code: &str,
    new: bool,
    err: Option<AppError>,
    notice: Option<String>,
) -> Response {
    track_page_with(state, caller, code, new, err, notice, None).await
}

async fn track_page_with(
    state: &AppState,
    caller: &Caller,
    code: &str,
    new: bool,
    err: Option<AppError>,
    notice: Option<String>,
    held: Option<Vec<(String, svc::Contact, String, String)>>,
) -> Response {
    let path = format!("/kien-nghi/{code}");
    if let Err(e) = svc::check_lookup_rate(state, caller.ip).await {
        return error_page(state, caller, &path, e);
    }
    let vi = caller.vi();
    let p = match svc::public_view(state, code, vi).await {
        Ok(p) => p,
        Err(e) => return error_page(state, caller, &path, e),
    };
    let answer_files = match svc::public_answer_files(state, code).await {
        Ok(files) => files.into_iter().map(|f| (f.id, f.name)).collect(),
        Err(e) => return error_page(state, caller, &path, e),
    };
    let history = p
        .history
        .iter()
        .map(|e| (local_time(e.at), e.label.clone(), e.note.clone()))
        .collect();
    let Refusal {
        errors,
        error,
        status,
    } = Refusal::of(err.as_ref(), vi);
    let page = TrackPage {
        f: Frame::new(state, caller, &path, "nav.petitions"),
        kind: label(&kinds(vi), &p.kind).to_string(),
        topic: label(&topics(vi), &p.field).to_string(),
        p,
        new,
        history,
        errors,
        error,
        notice,
        held,
        answer_files,
    };
    Refusal::respond(status, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DataForm {
    contact: String,
}

/// The citizen's data request: what is held about them, found by code and phone or e-mail.
pub async fn my_data(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Form(form): Form<DataForm>,
) -> Response {
    if let Err(e) = svc::check_lookup_rate(&state, caller.ip).await {
        return error_page(&state, &caller, &format!("/kien-nghi/{code}"), e);
    }
    match svc::data_request(&state, &code, &form.contact).await {
        Ok(rows) => {
            let held = rows
                .into_iter()
                .map(|(c, contact, at, version)| (c, contact, local_time(at), version))
                .collect();
            track_page_with(&state, &caller, &code, false, None, None, Some(held)).await
        }
        Err(AppError::NotFound) => {
            let msg = caller_text(
                &caller,
                "Không tìm thấy dữ liệu khớp với mã hồ sơ và số điện thoại hoặc thư điện tử này.",
                "No data matches this tracking code with that phone number or e-mail.",
            );
            track_page(
                &state,
                &caller,
                &code,
                false,
                Some(AppError::BadRequest("no_match", msg)),
                None,
            )
            .await
        }
        Err(e) => track_page(&state, &caller, &code, false, Some(e), None).await,
    }
}

pub async fn track(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Response {
    track_page(&state, &caller, &code, q.moi.is_some(), None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedbackForm {
    action: String,
    satisfied: String,
    reason: String,
}

pub async fn feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Form(form): Form<FeedbackForm>,
) -> Response {
    let input = FeedbackInput {
        action: form.action.clone(),
        satisfied: match form.satisfied.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        reason: form.reason,
    };
    match svc::citizen_feedback(&state, &code, &input).await {
        Ok(_) => {
            let notice = if form.action == "reopen" {
                caller_text(
                    &caller,
                    "Đã gửi đề nghị xem xét lại. Cơ quan sẽ giải quyết lại trong thời hạn mới.",
                    "Your request to reconsider was sent. The body will handle the case again within a new time limit.",
                )
            } else {
                caller_text(
                    &caller,
                    "Cảm ơn Ông/Bà đã đánh giá.",
                    "Thank you for your rating.",
                )
            };
            track_page(&state, &caller, &code, false, None, Some(notice)).await
        }
        Err(e) => track_page(&state, &caller, &code, false, Some(e), None).await,
    }
}

fn caller_text(caller: &Caller, vi: &str, en: &str) -> String {
    if caller.vi() { vi } else { en }.to_string()
}

#[derive(Template)]
#[template(path = "petition_answers.html")]
struct AnswersPage {
    f: Frame,
    q: String,
    total: i64,
    items: Vec<(PublicAnswer, String)>,
    stats: Vec<StatsRow>,
    units: Vec<StatsRow>,
    /// Largest "received" among bodies, for the bar lengths.
    max: i64,
}

impl AnswersPage {
    /// Width in percent of a bar for `n` out of the largest count.
    fn bar(&self, n: &i64) -> i64 {
        if self.max == 0 {
            0
        } else {
            (*n * 100 / self.max).max(1)
        }
    }
    fn rate(&self, r: &Option<f64>) -> String {
        r.map(|v| format!("{}%", super::format::number(v)))
            .unwrap_or_else(|| "—".into())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswersQuery {
    q: String,
    page: Option<i64>,
}

/// The public record of answers and the accountability figures per body and unit.
pub async fn answers(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AnswersQuery>,
) -> Response {
    let result = async {
        let (rows, total) = svc::public_answers(&state, &q.q, q.page.unwrap_or(1)).await?;
        let (stats, units) = svc::stats(&state).await?;
        Ok::<_, AppError>((rows, total, stats, units))
    }
    .await;
    match result {
        Ok((rows, total, stats, units)) => {
            let vi = caller.vi();
            let ts = topics(vi);
            let items = rows
                .into_iter()
                .map(|p| {
                    let a = crate::api::petitions::public_answer(&state, p);
                    let topic = label(&ts, &a.field).to_string();
                    (a, topic)
                })
                .collect();
            let max = stats.iter().map(|s| s.received).max().unwrap_or(0);
            render(AnswersPage {
                f: Frame::new(&state, &caller, "/kien-nghi/tra-loi", "nav.petitions"),
                q: q.q,
                total,
                items,
                stats,
                units: units.into_iter().take(20).collect(),
                max,
            })
        }
        Err(e) => error_page(&state, &caller, "/kien-nghi/tra-loi", e),
    }
}

// ---- staff ----

#[derive(Template)]
#[template(path = "petition_queue.html")]
struct QueuePage {
    f: Frame,
    rows: Vec<QueueRow>,
    total: i64,
    q: ListQuery,
    states: Options,
    can_record: bool,
    /// The filters, for the download links.
    dl_query: String,
    notifications: Vec<(String, String, String, bool)>,
}

struct QueueRow {
    id: i64,
    code: String,
    title: String,
    kind: String,
    unit: String,
    state: String,
    due: String,
    overdue: bool,
    transfer: bool,
}

pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Query(dl): Query<crate::export::FormatQuery>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    // "Tải Excel / CSV": the whole queue under the same filters, as the API gives it.
    if dl.format.is_some() {
        let file = async {
            let who = caller.require()?;
            let f = crate::export::filters(raw.as_deref());
            let kind = crate::export::ExportKind::Petitions;
            crate::export::respond(&state, Some(who), kind, f, &dl, true).await
        }
        .await;
        return file.unwrap_or_else(|e| error_page(&state, &caller, "/xu-ly", e));
    }
    let result = async {
        let who = caller.require()?;
        let (rows, total) = svc::list(&state, who, &q).await?;
        let notes = store::notifications(&state.db, who.account_id, 20).await?;
        // Shown, so read; a visit with nothing new writes nothing (the queue is opened
        // all day, and a write per view serialises on the database).
        if notes.iter().any(|n| n.read_at.is_none()) {
            store::mark_read(&state.db, who.account_id).await?;
        }
        Ok::<_, AppError>((who.clone(), rows, total, notes))
    }
    .await;
    let (who, rows, total, notes) = match result {
        Ok(v) => v,
        Err(e) => return error_page(&state, &caller, "/xu-ly", e),
    };
    let vi = caller.vi();
    let tree = state.tree();
    let today = state.clock.today();
    let ks = kinds(vi);
    let rows = rows
        .into_iter()
        .map(|p| {
            let st = St::parse(&p.state).unwrap_or(St::Received);
            QueueRow {
                overdue: p.is_overdue(today),
                transfer: p.transfer_to.is_some(),
                id: p.id,
                code: p.tracking_code,
                title: p.title,
                kind: label(&ks, &p.kind).to_string(),
                unit: tree
                    .get(p.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                state: if vi { st.label_vi() } else { st.label_en() }.to_string(),
                due: date(p.due_on),
            }
        })
        .collect();
    let states = St::ALL
        .iter()
        .map(|s| {
            (
                s.code().to_string(),
                if vi { s.label_vi() } else { s.label_en() }.to_string(),
            )
        })
        .collect();
    let flag = |b: bool| if b { "true" } else { "" };
    let dl_query = crate::export::filters_query(&[
        ("state", q.state.as_deref().unwrap_or("")),
        ("kind", q.kind.as_deref().unwrap_or("")),
        ("field", q.field.as_deref().unwrap_or("")),
        ("open", flag(q.open)),
        ("overdue", flag(q.overdue)),
        ("mine", flag(q.mine)),
    ]);
    render(QueuePage {
        dl_query,
        f: Frame::new(&state, &caller, "/xu-ly", "nav.petitions"),
        rows,
        total,
        can_record: authorize(&who, Action::RecordPetition, None, &tree).is_ok(),
        q,
        states,
        notifications: notes
            .into_iter()
            .map(|n| {
                (
                    local_time(n.created_at),
                    if vi { n.message_vi } else { n.message_en },
                    n.url,
                    n.read_at.is_none(),
                )
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "petition_case.html")]
struct CasePage {
    f: Frame,
    d: PetitionDetail,
    kind: String,
    topic: String,
    channel: String,
    state_label: String,
    new: bool,
    steps: Vec<&'static str>,
    handlers: Vec<(i64, String)>,
    bodies: Vec<(i64, String)>,
    templates: Vec<(&'static str, &'static str)>,
    events: Vec<(String, String, Option<String>, bool)>,
    contacts: Option<Vec<svc::Contact>>,
    errors: Vec<(String, String)>,
    error: Option<String>,
}

impl CasePage {
    fn can(&self, step: &str) -> bool {
        self.steps.contains(&step)
    }
}

/// Which steps the case page offers in the petition's state (the service decides anyway).
fn offered_steps(p: &store::Petition, can_handle: bool, can_ack: bool) -> Vec<&'static str> {
    let mut v = Vec::new();
    if can_ack && p.transfer_to.is_some() {
        v.push("acknowledge");
    }
    if !can_handle || p.transfer_to.is_some() {
        return v;
    }
    match St::parse(&p.state) {
        Some(St::Received) => v.extend(["accept", "decline", "transfer", "merge"]),
        Some(St::Accepted) => v.extend([
            "assign",
            "answer",
            "transfer",
            "merge",
            "extend",
            "mark_complex",
        ]),
        Some(St::Assigned) => v.extend([
            "assign",
            "answer",
            "transfer",
            "merge",
            "extend",
            "mark_complex",
        ]),
        Some(St::Answered) => v.push("close"),
        _ => {}
    }
    if p.kind != Kind::Denunciation.code() {
        v.retain(|s| *s != "extend");
    }
    if p.kind != Kind::Complaint.code() || p.complex {
        v.retain(|s| *s != "mark_complex");
    }
    v
}

/// Reply templates per field: a frame the handler completes, so answers are complete and
/// courteous whoever writes them.
fn reply_templates(topic: &str) -> Vec<(&'static str, &'static str)> {
    let common = (
        "Mẫu chung",
        "Kính gửi Ông/Bà,\n\nNgày … , cơ quan đã nhận đơn của Ông/Bà về việc … . Sau khi xem xét, kiểm tra thực tế, cơ quan trả lời như sau:\n\n1. Kết quả kiểm tra: …\n2. Biện pháp đã thực hiện: …\n3. Thời gian hoàn thành: …\n\nNếu chưa đồng ý, Ông/Bà có thể đề nghị xem xét lại trên Cổng kiến nghị bằng mã hồ sơ.\n",
    );
    let specific = match topic {
        "land" => Some((
            "Đất đai",
            "Kính gửi Ông/Bà,\n\nVề kiến nghị liên quan đến thửa đất số … , tờ bản đồ số … , cơ quan đã phối hợp với Văn phòng đăng ký đất đai kiểm tra hồ sơ địa chính và hiện trạng sử dụng đất. Kết quả: …\n\nCăn cứ Luật Đất đai 2024, Điều … , cơ quan trả lời như sau: …\n",
        )),
        "construction" => Some((
            "Xây dựng",
            "Kính gửi Ông/Bà,\n\nĐoàn kiểm tra trật tự xây dựng đã kiểm tra công trình tại … ngày … . Kết quả: … . Cơ quan đã … (lập biên bản, yêu cầu dừng thi công, xử phạt theo Nghị định 16/2022/NĐ-CP …).\n",
        )),
        "security_order" => Some((
            "An ninh, trật tự",
            "Kính gửi Ông/Bà,\n\nCông an đã tiếp nhận phản ánh về … tại … và tổ chức xác minh ngày … . Kết quả: … . Lực lượng công an sẽ tiếp tục tuần tra, kiểm soát địa bàn.\n",
        )),
        "environment" => Some((
            "Môi trường",
            "Kính gửi Ông/Bà,\n\nCơ quan đã kiểm tra nguồn gây ô nhiễm tại … ngày … . Kết quả quan trắc/kiểm tra: … . Biện pháp khắc phục: … , thời hạn … .\n",
        )),
        _ => None,
    };
    let mut v: Vec<_> = specific.into_iter().collect();
    v.push(common);
    v
}

async fn case_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    new: bool,
    contacts: Option<Vec<svc::Contact>>,
    err: Option<AppError>,
) -> Response {
    let path = format!("/xu-ly/{id}");
    let result = async {
        let who = caller.require()?;
        let p = svc::get(state, who, id).await?;
        let tree = state.tree();
        let handle_target = danvan_domain::policy::Target {
            unit: Some(p.unit_id),
            organisation: p.organisation_id,
        };
        let can_handle =
            danvan_domain::policy::authorize_for(who, Action::HandlePetition, handle_target, &tree)
                .is_ok();
        let can_ack = p.transfer_to.is_some_and(|to| {
            danvan_domain::policy::authorize_for(
                who,
                Action::HandlePetition,
                danvan_domain::policy::Target {
                    unit: Some(p.unit_id),
                    organisation: Some(to),
                },
                &tree,
            )
            .is_ok()
        });
        let steps = offered_steps(&p, can_handle, can_ack);
        let handlers = match p.organisation_id {
            Some(o) => store::handlers_of(&state.db, o).await?,
            None => Vec::new(),
        };
        let province = tree.root_at(state.clock.today()).map(|u| u.id);
        let units: Vec<i64> = province
            .map(|p| tree.subtree(p).into_iter().collect())
            .unwrap_or_default();
        let mut bodies: Vec<(i64, String)> =
            danvan_storage::organisations::in_units(&state.db, &units)
                .await?
                .into_iter()
                .filter(|o| {
                    matches!(
                        o.kind.as_str(),
                        "agency" | "armed_forces" | "fatherland_front"
                    )
                })
                .filter(|o| Some(o.id) != p.organisation_id)
                .map(|o| (o.id, o.name))
                .collect();
        bodies.sort_by(|a, b| vi_cmp(&a.1, &b.1));
        let templates = reply_templates(&p.topic);
        let d = detail(state, p).await?;
        Ok::<_, AppError>((d, steps, handlers, bodies, templates))
    }
    .await;
    let (d, steps, handlers, bodies, templates) = match result {
        Ok(v) => v,
        Err(e) => return error_page(state, caller, &path, e),
    };
    let vi = caller.vi();
    let st = St::parse(&d.petition.state).unwrap_or(St::Received);
    let events = d
        .events
        .iter()
        .map(|e| {
            (
                local_time(e.at),
                svc::event_label(&e.action, vi).to_string(),
                e.note.clone(),
                e.internal,
            )
        })
        .collect();
    let Refusal {
        errors,
        error,
        status,
    } = Refusal::of(err.as_ref(), vi);
    let page = CasePage {
        f: Frame::new(state, caller, &path, "nav.petitions"),
        kind: label(&kinds(vi), &d.petition.kind).to_string(),
        topic: label(&topics(vi), &d.petition.field).to_string(),
        channel: Channel::parse(&d.petition.channel)
            .map(|c| if vi { c.label_vi() } else { c.label_en() })
            .unwrap_or("")
            .to_string(),
        state_label: if vi { st.label_vi() } else { st.label_en() }.to_string(),
        d,
        new,
        steps,
        handlers,
        bodies,
        templates,
        events,
        contacts,
        errors,
        error,
    };
    Refusal::respond(status, page)
}

pub async fn case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<TrackQuery>,
) -> Response {
    case_page(&state, &caller, id, q.moi.is_some(), None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActForm {
    action: String,
    reason: String,
    handler_id: String,
    answer: String,
    publish: String,
    public_answer: String,
    organisation_id: String,
    into: String,
    version: String,
}

pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<ActForm>,
) -> Response {
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return error_page(&state, &caller, &format!("/xu-ly/{id}"), e),
    };
    let input = ActionInput {
        action: form.action,
        reason: form.reason,
        handler_id: form.handler_id.trim().parse().ok(),
        answer: form.answer,
        publish: !form.publish.is_empty(),
        public_answer: form.public_answer,
        organisation_id: form.organisation_id.trim().parse().ok(),
        into: form.into,
        version: form.version.trim().parse().ok(),
    };
    match svc::act(&state, &who, id, &input).await {
        Ok(p) => Redirect::to(&format!("/xu-ly/{}", p.id)).into_response(),
        Err(e) => case_page(&state, &caller, id, false, None, Some(e)).await,
    }
}

/// Shows the petitioners' contact details (a POST, so that no prefetch or crawler reveals
/// them; every view is logged by the service).
pub async fn reveal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Response {
    let who = match caller.require() {
        Ok(p) => p.clone(),
        Err(e) => return error_page(&state, &caller, &format!("/xu-ly/{id}"), e),
    };
    match svc::reveal_petitioners(&state, &who, id).await {
        Ok(rows) => {
            let contacts = rows.into_iter().map(|(c, _)| c).collect();
            case_page(&state, &caller, id, false, Some(contacts), None).await
        }
        Err(e) => case_page(&state, &caller, id, false, None, Some(e)).await,
    }
}

/// An attachment of a petition, to staff who may see the petition.
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Response {
    let result = async {
        let who = caller.require()?;
        svc::get(&state, who, id).await?;
        let f = store::files(&state.db, id)
            .await?
            .into_iter()
            .find(|f| f.id == file_id)
            .ok_or(AppError::NotFound)?;
        send_file(&state, f).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, &caller, &format!("/xu-ly/{id}"), e))
}

/// A document of the answer, to whoever holds the tracking code.
pub async fn public_file(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, file_id)): Path<(String, i64)>,
) -> Response {
    let path = format!("/kien-nghi/{code}");
    if let Err(e) = svc::check_lookup_rate(&state, caller.ip).await {
        return error_page(&state, &caller, &path, e);
    }
    let result = async {
        let f = svc::public_answer_files(&state, &code)
            .await?
            .into_iter()
            .find(|f| f.id == file_id)
            .ok_or(AppError::NotFound)?;
        send_file(&state, f).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, &caller, &path, e))
}

async fn send_file(state: &AppState, f: store::PetitionFile) -> Result<Response, AppError> {
    let files = state.files.clone();
    let key = f.file_key.clone();
    let bytes = tokio::task::spawn_blocking(move || files.read(&key))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|_| AppError::NotFound)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, f.media_type),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Attaches a document to the answer (multipart field `file`).
pub async fn upload_answer_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Response {
    let result = async {
        let who = caller.require()?.clone();
        let bad = |m: String| AppError::BadRequest("invalid_multipart", m);
        let mut upload = None;
        while let Some(field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| bad(e.body_text()))?;
                if !bytes.is_empty() {
                    upload = Some(Upload {
                        name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
        }
        let upload = upload.ok_or_else(|| {
            AppError::invalid(danvan_domain::FieldError::new(
                "file",
                "file_required",
                "Cần chọn tệp.",
                "Choose a file.",
            ))
        })?;
        svc::add_answer_file(&state, &who, id, upload).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/xu-ly/{id}")).into_response(),
        Err(e) => case_page(&state, &caller, id, false, None, Some(e)).await,
    }
}
