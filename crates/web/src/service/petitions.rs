//! Citizens' petitions: intake from the public form, the API, Open311 and officers; routing
//! to the body responsible; legal deadlines on the working-day calendar; the workflow;
//! public tracking, rating and reopening; the citizen's data request.

use chrono::NaiveDate;
use danvan_domain::fold::{Likeness, fold};
use danvan_domain::petition::{
    Channel, Kind, State, Step, TimeLimit, Topic, can_transfer, new_tracking_code, next_state,
};
use danvan_domain::policy::{Action, Principal, Target, authorize, authorize_for};
use danvan_domain::role::Role;
use danvan_domain::unit::UnitLevel;
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::audit::{self, Actor, Change};
use danvan_storage::petitions::{self as store, NewEvent, NewNotification, NewPetition, Petition};
use danvan_storage::{Db, Tx, jobs, organisations};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

/// The version of the consent text a petitioner agreed to (shown on the form).
pub const CONSENT_VERSION: &str = "2026-11-v1";

/// How similar an open petition must be to be offered as a duplicate.
const SIMILAR_THRESHOLD: f64 = 0.3;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PetitionerInput {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SubmitInput {
    /// feedback | petition | complaint | denunciation
    pub kind: String,
    /// land | construction | security_order | environment | social_policy | officials_conduct | other
    pub field: String,
    /// The commune concerned (code as of today).
    pub unit_code: String,
    pub title: String,
    pub content: String,
    pub petitioner: PetitionerInput,
    /// The petitioner agrees to the processing of their personal data for this petition.
    pub consent: bool,
    /// Staff only: hotline | reception | voter_meeting | mail | fatherland_front.
    pub channel: String,
    /// Staff only: the day it was received (YYYY-MM-DD), default today.
    pub received_on: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Where the problem is (a place, not the petitioner's address).
    pub address_string: String,
    /// A field people never see: bots fill it in, and are refused.
    #[schema(ignore)]
    pub website: String,
}

/// Who brings the petition in.
pub enum Source<'a> {
    /// The public form or `POST /api/v1/petitions`.
    Public,
    /// An Open311 client app, by the name of its key; the app collects consent itself.
    Open311(&'a str),
    /// An officer recording a petition received through another channel.
    Staff(&'a Principal),
}

/// A file to attach, as uploaded.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A possible duplicate: an open petition about the same commune that reads alike.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Similar {
    pub id: i64,
    pub tracking_code: String,
    pub title: String,
    pub score: f64,
}

/// The sealed part of a petitioner.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

fn field_error(field: &'static str, code: &'static str, vi: &str, en: &str) -> FieldError {
    FieldError::new(field, code, vi.to_string(), en.to_string())
}

/// Phone numbers: digits with optional +, spaces, dots and dashes; 8 to 15 digits.
fn parse_phone(s: &str) -> Result<String, FieldError> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-' | '(' | ')'));
    if !allowed || !(8..=15).contains(&digits.len()) {
        return Err(field_error(
            "petitioner.phone",
            "invalid_phone",
            "Số điện thoại không hợp lệ.",
            "Invalid phone number.",
        ));
    }
    Ok(digits)
}

pub fn parse_email(s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_lowercase();
    let ok = s.len() <= 254
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        });
    if ok {
        Ok(s)
    } else {
        Err(field_error(
            "petitioner.email",
            "invalid_email",
            "Địa chỉ thư điện tử không hợp lệ.",
            "Invalid e-mail address.",
        ))
    }
}

/// The keyed index a data request finds a petitioner by: the phone's digits, else the e-mail.
fn contact_key(contact: &Contact) -> Option<String> {
    if !contact.phone.is_empty() {
        Some(format!("phone:{}", contact.phone))
    } else if !contact.email.is_empty() {
        Some(format!("email:{}", contact.email))
    } else {
        None
    }
}

/// The rule of `kind`: the province's if it set one, else the legal default.
pub async fn time_limit(db: &Db, kind: Kind) -> Result<TimeLimit, AppError> {
    Ok(store::time_limit(db, kind.code())
        .await?
        .unwrap_or_else(|| TimeLimit::default_for(kind)))
}

/// Due dates for a petition received on `received`: acceptance, then resolution counted
/// from the last day of acceptance (replaced by the real day once accepted).
fn due_dates(
    cal: &danvan_calendar::WorkCalendar,
    limit: &TimeLimit,
    received: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let accept_due = cal.deadline(received, limit.accept_days as u32, limit.accept_working);
    let due = cal.deadline(accept_due, limit.resolve_days as u32, limit.resolve_working);
    (accept_due, due)
}

/// The body responsible: the rule for (unit, topic), else (unit, any), walking up from the
/// commune to the province. `None`: nobody yet, the unit's officers route it by hand.
fn route(
    state: &AppState,
    rules: &[danvan_storage::petitions::RoutingRule],
    unit_id: i64,
    topic: Topic,
) -> Option<i64> {
    for u in unit_and_ancestors(state, unit_id) {
        for t in [topic.code(), "*"] {
            if let Some(r) = rules.iter().find(|r| r.unit_id == u && r.topic == t) {
                return Some(r.organisation_id);
            }
        }
    }
    None
}

/// Open petitions about the same unit that read like `this`, most alike first.
pub async fn similar_open(
    state: &AppState,
    unit_id: i64,
    this: &Likeness,
    except: Option<i64>,
) -> Result<Vec<Similar>, AppError> {
    let mut out: Vec<Similar> = state
        .open_cases
        .of(&state.db, unit_id)
        .await?
        .iter()
        .filter(|c| Some(c.id) != except)
        .filter_map(|c| {
            let score = this.to(&c.likeness);
            (score >= SIMILAR_THRESHOLD).then(|| Similar {
                id: c.id,
                tracking_code: c.tracking_code.clone(),
                title: c.title.clone(),
                score: (score * 100.0).round() / 100.0,
            })
        })
        .collect();
    if !out.is_empty() {
        // The kept list may hold cases closed since it was read.
        let ids: Vec<i64> = out.iter().map(|s| s.id).collect();
        let open = store::still_open(&state.db, &ids).await?;
        out.retain(|s| open.contains(&s.id));
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(5);
    Ok(out)
}

/// A petition taken in, as written (its state is `received`): the caller answers from this
/// without reading the petition back.
pub struct Submitted {
    pub id: i64,
    pub tracking_code: String,
    pub accept_due: NaiveDate,
    pub due_on: NaiveDate,
    pub similar: Vec<Similar>,
}

/// Takes a petition in. Everything is checked first; then the petition, its sealed
/// petitioner, its first event, its files, the notifications and the audit entry are
/// written in one transaction.
pub async fn submit(
    state: &AppState,
    source: Source<'_>,
    input: &SubmitInput,
    uploads: Vec<Upload>,
) -> Result<Submitted, AppError> {
    let today = state.clock.today();
    let mut errors = Invalid::default();
    if !input.website.is_empty() {
        // The honeypot: refuse without saying why in detail.
        return Err(AppError::BadRequest(
            "spam_suspected",
            "Yêu cầu bị từ chối.".into(),
        ));
    }
    let kind = Kind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(field_error(
            "kind",
            "unknown_kind",
            "Hãy chọn loại đơn: phản ánh, kiến nghị, khiếu nại hoặc tố cáo.",
            "Choose the kind: feedback, petition, complaint or denunciation.",
        ));
    }
    let topic = Topic::parse(input.field.trim());
    if topic.is_none() {
        errors.push(field_error(
            "field",
            "unknown_field",
            "Hãy chọn lĩnh vực.",
            "Choose a field.",
        ));
    }
    let tree = state.tree();
    let unit = tree
        .by_code_at(input.unit_code.trim(), today)
        .filter(|u| u.level == UnitLevel::Commune)
        .cloned();
    if unit.is_none() {
        errors.push(field_error(
            "unit_code",
            "unknown_unit",
            "Hãy chọn xã, phường nơi xảy ra sự việc (đơn vị hành chính hiện hành).",
            "Choose the commune concerned (a current administrative unit).",
        ));
    }
    let title = validate::text("title", &input.title, 200, false)
        .map_err(|e| errors.push(e))
        .ok();
    let content = validate::text("content", &input.content, 10_000, true)
        .map_err(|e| errors.push(e))
        .ok();
    if let Some(c) = &content
        && c.chars().count() < 10
    {
        errors.push(field_error(
            "content",
            "too_short",
            "Nội dung quá ngắn; hãy mô tả sự việc.",
            "The content is too short; describe the matter.",
        ));
    }
    let open311 = matches!(source, Source::Open311(_));
    let p = &input.petitioner;
    let name = if open311 {
        validate::optional_text("petitioner.name", &p.name, 120, false)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .unwrap_or_default()
    } else {
        validate::text("petitioner.name", &p.name, 120, false)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let phone = if p.phone.trim().is_empty() {
        String::new()
    } else {
        parse_phone(&p.phone)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let email = if p.email.trim().is_empty() {
        String::new()
    } else {
        parse_email(&p.email)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let address = validate::optional_text("petitioner.address", &p.address, 300, false)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
        .unwrap_or_default();
    if !open311
        && p.phone.trim().is_empty()
        && p.email.trim().is_empty()
        && p.address.trim().is_empty()
    {
        errors.push(field_error(
            "petitioner.phone",
            "contact_required",
            "Hãy để lại số điện thoại, thư điện tử hoặc địa chỉ để cơ quan trả lời.",
            "Leave a phone number, e-mail or address so that the answer can reach you.",
        ));
    }
    if !open311 && !input.consent {
        errors.push(field_error(
            "consent",
            "consent_required",
            "Cần đồng ý cho xử lý dữ liệu cá nhân để cơ quan giải quyết đơn.",
            "Consent to the processing of personal data is needed to handle the petition.",
        ));
    }
    let (channel, received_on, by) = match &source {
        Source::Public => (Channel::Online, today, None),
        Source::Open311(_) => (Channel::Open311, today, None),
        Source::Staff(who) => {
            let channel = Channel::parse(input.channel.trim())
                .filter(|c| !matches!(c, Channel::Online | Channel::Open311));
            if channel.is_none() {
                errors.push(field_error(
                    "channel",
                    "unknown_channel",
                    "Hãy chọn kênh tiếp nhận.",
                    "Choose the channel it came through.",
                ));
            }
            let received = if input.received_on.trim().is_empty() {
                Some(today)
            } else {
                validate::date("received_on", &input.received_on)
                    .map_err(|e| errors.push(e))
                    .ok()
            };
            if let Some(d) = received
                && (d > today || (today - d).num_days() > 366)
            {
                errors.push(field_error(
                    "received_on",
                    "date_out_of_range",
                    "Ngày tiếp nhận không được ở tương lai hoặc quá một năm trước.",
                    "The day received cannot be in the future or over a year ago.",
                ));
            }
            (
                channel.unwrap_or(Channel::Hotline),
                received.unwrap_or(today),
                Some(*who),
            )
        }
    };
    let coordinates = match (input.latitude, input.longitude) {
        (None, None) => (None, None),
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            (Some(lat), Some(lon))
        }
        _ => {
            errors.push(field_error(
                "latitude",
                "invalid_location",
                "Toạ độ không hợp lệ.",
                "Invalid coordinates.",
            ));
            (None, None)
        }
    };
    let place = validate::optional_text("address_string", &input.address_string, 300, false)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if uploads.len() > 5 {
        errors.push(field_error(
            "files",
            "too_many_files",
            "Gửi kèm tối đa 5 tệp.",
            "Attach at most 5 files.",
        ));
    }
    errors.clone().into_result()?;
    let (Some(kind), Some(topic), Some(unit), Some(title), Some(content)) =
        (kind, topic, unit, title, content)
    else {
        return Err(AppError::Invalid(errors));
    };
    if let Some(who) = by {
        authorize(who, Action::RecordPetition, Some(unit.id), &tree)?;
    }
    // Files are checked and stored before the transaction: a refused file writes nothing,
    // and a stored file no row points to is harmless (content-addressed, deduplicated).
    let mut stored = Vec::new();
    for u in uploads {
        let name =
            validate::text("files", &u.name, 200, false).unwrap_or_else(|_| "tệp đính kèm".into());
        stored.push((name, super::store_file(state, u.bytes).await?));
    }

    let rules = state.rules.get(&state.db).await?;
    let (accept_due, due_on) = due_dates(&rules.calendar, &rules.limit(kind), received_on);
    let organisation_id = route(state, &rules.routing, unit.id, topic);
    let folded = fold(&format!("{title} {content}"));
    let likeness = Likeness::of(&folded);
    // Only staff are shown cases that read alike (citizens never see other petitions).
    let similar = match by {
        Some(_) => similar_open(state, unit.id, &likeness, None).await?,
        None => Vec::new(),
    };
    let contact = Contact {
        name,
        phone,
        email,
        address,
    };
    let sealed = state.seal.seal(
        serde_json::to_string(&contact)
            .unwrap_or_default()
            .as_bytes(),
    );
    let index = contact_key(&contact).map(|k| state.seal.blind_index(&k));
    let consent_version = match &source {
        Source::Open311(key) => format!("open311:{key}"),
        Source::Staff(_) => format!("{CONSENT_VERSION} (recorded by staff)"),
        Source::Public => CONSENT_VERSION.to_string(),
    };
    let at = state.clock.now();
    let actor = match (&source, by) {
        (_, Some(who)) => super::actor(who),
        (Source::Open311(key), _) => Actor::system(&format!("open311:{key}")),
        _ => Actor::system("citizen"),
    };

    // Who is told, read before the transaction: a transaction that waits for a second pool
    // connection while it holds a lock (the tallies' row) can starve when every connection
    // is another submission waiting for that lock.
    let told: Vec<i64> = match organisation_id {
        Some(org) => store::handlers_of(&state.db, org)
            .await?
            .into_iter()
            .map(|(account, _)| account)
            .collect(),
        None => {
            let units = unit_and_ancestors(state, unit.id);
            store::holders(&state.db, Role::UnitOfficer.code(), &units, None).await?
        }
    };

    let receipt = Receipt {
        new: NewPetition {
            tracking_code: new_tracking_code(),
            kind: kind.code().into(),
            topic: topic.code().into(),
            unit_id: unit.id,
            channel: channel.code().into(),
            received_on,
            title,
            content,
            folded,
            organisation_id,
            accept_due,
            due_on,
            latitude: coordinates.0,
            longitude: coordinates.1,
            address_string: place,
            created_by: by.map(|w| w.account_id),
        },
        sealed,
        index,
        consent_version,
        at,
        files: stored,
        told,
        actor,
        unit_code: unit.code.clone(),
    };
    let title = receipt.new.title.clone();
    // Written in the next group commit, answered once it is durable.
    let (id, tracking_code) = state
        .group
        .write(move |tx| Box::pin(async move { receive(tx, receipt).await }))
        .await?;
    state.open_cases.received(
        unit.id,
        crate::open_cases::OpenCase {
            id,
            tracking_code: tracking_code.clone(),
            title,
            likeness,
        },
    );
    Ok(Submitted {
        id,
        tracking_code,
        accept_due,
        due_on,
        similar,
    })
}

/// A checked submission, ready to be written ([`receive`]).
struct Receipt {
    new: NewPetition,
    /// The petitioner's contact, sealed, and its blind index.
    sealed: String,
    index: Option<String>,
    consent_version: String,
    at: chrono::DateTime<chrono::Utc>,
    files: Vec<(String, danvan_files::StoredFile)>,
    /// Who is told of the new case.
    told: Vec<i64>,
    actor: Actor,
    unit_code: String,
}

/// Writes a received petition with its petitioner, first event, files, notices and audit
/// entry (inside a group commit's batch). Returns its id and tracking code.
async fn receive(tx: &mut Tx, mut r: Receipt) -> Result<(i64, String), AppError> {
    // A collision of 60 random bits is practically impossible; one retry covers it anyway.
    let id = match store::create(tx, &r.new).await {
        Err(danvan_storage::StoreError::Conflict(_)) => {
            r.new.tracking_code = new_tracking_code();
            store::create(tx, &r.new).await?
        }
        other => other?,
    };
    store::add_petitioner(
        tx,
        id,
        &r.sealed,
        r.index.as_deref(),
        &r.consent_version,
        r.at,
        false,
    )
    .await?;
    store::add_event(
        tx,
        NewEvent {
            petition_id: id,
            action: "received",
            from_state: None,
            to_state: Some(State::Received.code()),
            actor_id: r.new.created_by,
            organisation_id: r.new.organisation_id,
            note: None,
            internal: false,
        },
        r.at,
    )
    .await?;
    for (name, f) in &r.files {
        store::add_file(
            tx,
            id,
            &f.sha256,
            name,
            f.mime,
            f.size as i64,
            false,
            r.new.created_by,
        )
        .await?;
    }
    let code = &r.new.tracking_code;
    let title = &r.new.title;
    let (told_kind, told_vi, told_en) = match r.new.organisation_id {
        Some(_) => (
            "petition_new",
            format!("Đơn mới {code}: {title}"),
            format!("New petition {code}: {title}"),
        ),
        None => (
            "petition_unrouted",
            format!("Đơn {code} chưa có cơ quan giải quyết, cần chuyển: {title}"),
            format!("Petition {code} has no body yet and needs routing: {title}"),
        ),
    };
    let url = case_url(id);
    let told: Vec<NewNotification> = r
        .told
        .iter()
        .map(|&account_id| NewNotification {
            account_id,
            petition_id: Some(id),
            kind: told_kind,
            message_vi: &told_vi,
            message_en: &told_en,
            url: &url,
        })
        .collect();
    store::notify_all(tx, &told).await?;
    audit::append(
        tx,
        &r.actor,
        Change {
            action: "petition.receive",
            entity_type: "petition",
            entity_id: id.to_string(),
            before: None,
            // No personal data in the audit trail: it is kept forever.
            after: Some(json!({"tracking_code": r.new.tracking_code, "kind": r.new.kind, "field": r.new.topic,
                "unit": r.unit_code, "channel": r.new.channel, "received_on": r.new.received_on,
                "organisation_id": r.new.organisation_id, "due_on": r.new.due_on, "files": r.files.len()})),
        },
    )
    .await?;
    Ok((id, r.new.tracking_code))
}

/// Writes a changed petition; someone else's change since it was read is `petition_changed`.
async fn save(tx: &mut Tx, p: &Petition) -> Result<(), AppError> {
    store::save(tx, p).await.map_err(|e| match e {
        danvan_storage::StoreError::Conflict(_) => AppError::Conflict("petition_changed"),
        other => other.into(),
    })
}

/// Names of the bodies with these ids (each looked up once), for lists and exports.
pub async fn body_names(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    let mut names = std::collections::HashMap::new();
    for &id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id)
            && let Some(o) = organisations::by_id(db, id).await?
        {
            e.insert(o.name);
        }
    }
    Ok(names)
}

fn unit_and_ancestors(state: &AppState, unit_id: i64) -> Vec<i64> {
    let tree = state.tree();
    let mut v = vec![unit_id];
    v.extend(tree.ancestors(unit_id).iter().map(|u| u.id));
    v
}

async fn notify(
    tx: &mut Tx,
    account_id: i64,
    petition_id: i64,
    kind: &str,
    vi: &str,
    en: &str,
) -> Result<(), AppError> {
    store::notify(
        tx,
        &NewNotification {
            account_id,
            petition_id: Some(petition_id),
            kind,
            message_vi: vi,
            message_en: en,
            url: &case_url(petition_id),
        },
    )
    .await?;
    Ok(())
}

/// Where a notification about a case takes its handler.
fn case_url(petition_id: i64) -> String {
    format!("/xu-ly/{petition_id}")
}

/// What the policy checks a petition against: its unit and the body that has it.
fn target(p: &Petition) -> Target {
    Target {
        unit: Some(p.unit_id),
        organisation: p.organisation_id,
    }
}

/// May `who` see this petition? A body it is being transferred to may too.
pub fn may_view(state: &AppState, who: &Principal, p: &Petition) -> bool {
    let tree = state.tree();
    authorize_for(who, Action::ViewPetition, target(p), &tree).is_ok()
        || p.transfer_to.is_some_and(|to| {
            authorize_for(
                who,
                Action::ViewPetition,
                Target {
                    unit: Some(p.unit_id),
                    organisation: Some(to),
                },
                &tree,
            )
            .is_ok()
        })
}

/// Loads a petition the caller may see; a petition out of scope is "not found", so that
/// its existence is not revealed either.
pub async fn get(state: &AppState, who: &Principal, id: i64) -> Result<Petition, AppError> {
    let p = store::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if may_view(state, who, &p) {
        Ok(p)
    } else {
        Err(AppError::NotFound)
    }
}

/// One step of the workflow, as sent by a page or the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActionInput {
    /// accept | decline | assign | answer | close | transfer | acknowledge | extend |
    /// mark_complex | merge
    pub action: String,
    /// Decline, transfer, extension, complexity: the reason (required). Others: a note.
    pub reason: String,
    /// assign: the handler's account id (default: the caller).
    pub handler_id: Option<i64>,
    /// answer: the reply to the citizen.
    pub answer: String,
    /// answer: publish it in the public record (with personal data removed).
    pub publish: bool,
    /// answer: the published version; default the answer itself.
    pub public_answer: String,
    /// transfer: the body it goes to.
    pub organisation_id: Option<i64>,
    /// merge: the tracking code of the case it joins.
    pub into: String,
    /// The version the caller saw (optional): refused if the petition changed meanwhile.
    pub version: Option<i64>,
}

fn illegal() -> AppError {
    AppError::Conflict("petition_illegal_step")
}

fn required_reason(reason: &str) -> Result<String, AppError> {
    Ok(validate::text("reason", reason, 2000, true)?)
}

/// Applies one workflow step; returns the petition as it now stands.
pub async fn act(
    state: &AppState,
    who: &Principal,
    id: i64,
    input: &ActionInput,
) -> Result<Petition, AppError> {
    let mut p = get(state, who, id).await?;
    if input.version.is_some_and(|v| v != p.version) {
        return Err(AppError::Conflict("petition_changed"));
    }
    let tree = state.tree();
    let from = State::parse(&p.state).ok_or_else(illegal)?;
    let today = state.clock.today();
    let now = state.clock.now();
    let action = input.action.trim();
    // Acknowledging a transfer is the target body's act; every other step is the holder's.
    if action == "acknowledge" {
        let to = p
            .transfer_to
            .ok_or(AppError::Conflict("no_transfer_pending"))?;
        authorize_for(
            who,
            Action::HandlePetition,
            Target {
                unit: Some(p.unit_id),
                organisation: Some(to),
            },
            &tree,
        )?;
    } else {
        authorize_for(who, Action::HandlePetition, target(&p), &tree)?;
        if p.transfer_to.is_some() && action != "transfer" {
            return Err(AppError::Conflict("transfer_pending"));
        }
    }
    let kind = Kind::parse(&p.kind).ok_or_else(illegal)?;
    let limit = time_limit(&state.db, kind).await?;
    let cal = danvan_storage::calendar::work_calendar(&state.db).await?;
    let mut note: Option<String> = None;
    let mut internal = false;
    let mut event_org = p.organisation_id;
    let mut mails: Vec<(String, String)> = Vec::new(); // (subject, body) to every petitioner
    let mut merge_target: Option<Petition> = None;
    let mut notify_handler: Option<i64> = None;
    let mut pending_notes: Vec<(i64, String, String)> = Vec::new();
    let before = json!({"state": p.state, "organisation_id": p.organisation_id, "handler_id": p.handler_id, "due_on": p.due_on});
    let step = match action {
        "accept" => {
            let days = if p.complex {
                limit.complex_days
            } else {
                limit.resolve_days
            };
            p.accepted_on = Some(today);
            p.due_on = cal.deadline(today, days as u32, limit.resolve_working);
            Some(Step::Accept)
        }
        "decline" => {
            note = Some(required_reason(&input.reason)?);
            Some(Step::Decline)
        }
        "assign" => {
            let handler = input.handler_id.unwrap_or(who.account_id);
            let org = p.organisation_id.ok_or(AppError::Conflict("no_body"))?;
            let handlers = store::handlers_of(&state.db, org).await?;
            let Some((_, name)) = handlers.iter().find(|(h, _)| *h == handler) else {
                return Err(AppError::invalid(field_error(
                    "handler_id",
                    "not_a_handler",
                    "Người được giao không phải cán bộ xử lý của cơ quan này.",
                    "The assignee is not a handler of this body.",
                )));
            };
            p.handler_id = Some(handler);
            note = Some(format!("Giao cho {name}"));
            internal = true;
            notify_handler = Some(handler);
            Some(Step::Assign)
        }
        "answer" => {
            let answer = validate::text("answer", &input.answer, 20_000, true)?;
            let published = if input.publish {
                let text = if input.public_answer.trim().is_empty() {
                    answer.clone()
                } else {
                    validate::text("public_answer", &input.public_answer, 20_000, true)?
                };
                Some(text)
            } else {
                None
            };
            p.answer = Some(answer.clone());
            // The public record is searched through the folded text: it includes what was
            // published (never the private reply).
            p.folded = fold(&format!(
                "{} {} {}",
                p.title,
                p.content,
                published.as_deref().unwrap_or("")
            ));
            p.public_answer = published;
            p.answered_at = Some(now);
            p.answered_on = Some(today);
            mails.push((
                format!("Trả lời đơn {}", p.tracking_code),
                format!(
                    "Kính gửi Ông/Bà,\n\nĐơn “{}” (mã {}) đã được trả lời:\n\n{}\n\nTheo dõi và đánh giá: /kien-nghi/{}\n",
                    p.title, p.tracking_code, answer, p.tracking_code
                ),
            ));
            Some(Step::Answer)
        }
        "close" => {
            p.closed_at = Some(now);
            Some(Step::Close)
        }
        "transfer" => {
            if !can_transfer(from) {
                return Err(illegal());
            }
            let to = input.organisation_id.ok_or_else(|| {
                AppError::invalid(field_error(
                    "organisation_id",
                    "required",
                    "Hãy chọn cơ quan nhận.",
                    "Choose the receiving body.",
                ))
            })?;
            let body = organisations::by_id(&state.db, to).await?.ok_or_else(|| {
                AppError::invalid(field_error(
                    "organisation_id",
                    "unknown_organisation",
                    "Không có cơ quan này.",
                    "No such body.",
                ))
            })?;
            if Some(to) == p.organisation_id {
                return Err(AppError::Conflict("same_body"));
            }
            // A body can only take over cases of the area it serves (its unit's subtree):
            // otherwise none of its handlers could see, let alone acknowledge, the case.
            if !tree.contains(body.unit_id, p.unit_id) {
                return Err(AppError::invalid(field_error(
                    "organisation_id",
                    "body_out_of_area",
                    "Cơ quan nhận không phụ trách địa bàn của đơn này.",
                    "The receiving body does not serve the petition's area.",
                )));
            }
            note = Some(format!(
                "{} → {}",
                required_reason(&input.reason)?,
                body.name
            ));
            p.transfer_to = Some(to);
            event_org = Some(to);
            for (account, _) in store::handlers_of(&state.db, to).await? {
                let vi = format!(
                    "Đơn {} được chuyển đến, cần xác nhận: {}",
                    p.tracking_code, p.title
                );
                let en = format!(
                    "Petition {} was transferred to you; acknowledge it: {}",
                    p.tracking_code, p.title
                );
                pending_notes.push((account, vi, en));
            }
            None
        }
        "acknowledge" => {
            // The clock and the history follow the petition: due dates stay as they were.
            p.organisation_id = p.transfer_to.take();
            p.handler_id = None;
            if from == State::Assigned {
                p.state = State::Accepted.code().into();
            }
            event_org = p.organisation_id;
            None
        }
        "extend" => {
            if !from.is_open() || from == State::Received {
                return Err(illegal());
            }
            if p.extensions >= limit.max_extensions {
                return Err(AppError::Conflict("no_more_extensions"));
            }
            note = Some(required_reason(&input.reason)?);
            p.extensions += 1;
            p.due_on = cal.deadline(p.due_on, limit.extension_days as u32, limit.resolve_working);
            None
        }
        "mark_complex" => {
            if !from.is_open() || p.complex || limit.complex_days <= limit.resolve_days {
                return Err(illegal());
            }
            note = Some(required_reason(&input.reason)?);
            p.complex = true;
            let start = p.accepted_on.unwrap_or(p.accept_due);
            p.due_on = cal.deadline(start, limit.complex_days as u32, limit.resolve_working);
            None
        }
        "merge" => {
            let code =
                danvan_domain::petition::parse_tracking_code(&input.into).ok_or_else(|| {
                    AppError::invalid(field_error(
                        "into",
                        "invalid_tracking_code",
                        "Mã hồ sơ không hợp lệ.",
                        "Invalid tracking code.",
                    ))
                })?;
            let into = store::by_code(&state.db, &code)
                .await?
                .filter(|t| may_view(state, who, t))
                .ok_or(AppError::NotFound)?;
            authorize_for(who, Action::HandlePetition, target(&into), &tree)?;
            if into.id == p.id || into.unit_id != p.unit_id {
                return Err(AppError::Conflict("merge_not_allowed"));
            }
            if !State::parse(&into.state).is_some_and(State::is_open) {
                return Err(AppError::Conflict("merge_target_closed"));
            }
            p.merged_into = Some(into.id);
            note = Some(format!("Gộp vào hồ sơ {}", into.tracking_code));
            merge_target = Some(into);
            Some(Step::Merge)
        }
        _ => {
            return Err(AppError::invalid(field_error(
                "action",
                "unknown_action",
                "Thao tác không hợp lệ.",
                "Unknown action.",
            )));
        }
    };
    if let Some(step) = step {
        let to = next_state(from, step).ok_or_else(illegal)?;
        p.state = to.code().into();
    }
    if note.is_none() && !input.reason.trim().is_empty() {
        note = Some(validate::text("reason", &input.reason, 2000, true)?);
        internal = true;
    }
    let mut tx = state.db.begin().await?;
    save(&mut tx, &p).await?;
    store::add_event(
        &mut tx,
        NewEvent {
            petition_id: p.id,
            action,
            from_state: Some(from.code()),
            to_state: Some(&p.state),
            actor_id: Some(who.account_id),
            organisation_id: event_org,
            note: note.as_deref(),
            internal,
        },
        now,
    )
    .await?;
    if let Some(into) = &merge_target {
        store::move_petitioners(&mut tx, p.id, into.id).await?;
        store::add_event(
            &mut tx,
            NewEvent {
                petition_id: into.id,
                action: "merged_in",
                from_state: None,
                to_state: None,
                actor_id: Some(who.account_id),
                organisation_id: into.organisation_id,
                note: Some(&format!("Gộp thêm đơn {}", p.tracking_code)),
                internal: false,
            },
            now,
        )
        .await?;
    }
    if let Some(h) = notify_handler
        && h != who.account_id
    {
        let vi = format!("Bạn được giao đơn {}: {}", p.tracking_code, p.title);
        let en = format!(
            "You were assigned petition {}: {}",
            p.tracking_code, p.title
        );
        notify(&mut tx, h, p.id, "petition_assigned", &vi, &en).await?;
    }
    for (account, vi, en) in &pending_notes {
        notify(&mut tx, *account, p.id, "petition_transferred", vi, en).await?;
    }
    for (subject, body) in &mails {
        queue_mail_to_petitioners(state, &mut tx, p.id, subject, body).await?;
    }
    audit::append(
        &mut tx,
        &super::actor(who),
        Change {
            action: &format!("petition.{action}"),
            entity_type: "petition",
            entity_id: p.id.to_string(),
            before: Some(before),
            after: Some(json!({"state": p.state, "organisation_id": p.organisation_id, "transfer_to": p.transfer_to,
                "handler_id": p.handler_id, "due_on": p.due_on, "extensions": p.extensions, "merged_into": p.merged_into,
                "published": p.public_answer.is_some(), "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    store::by_id(&state.db, p.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Queues an e-mail to every petitioner of a case who left an address (merged petitioners
/// included), in the caller's transaction. Without an SMTP server nothing is queued.
async fn queue_mail_to_petitioners(
    state: &AppState,
    tx: &mut Tx,
    petition_id: i64,
    subject: &str,
    body: &str,
) -> Result<(), AppError> {
    if !state.config.mail_enabled {
        return Ok(());
    }
    for pe in store::petitioners(&state.db, petition_id).await? {
        let Ok(contact) = open_contact(state, &pe.sealed) else {
            continue;
        };
        if contact.email.is_empty() {
            continue;
        }
        let payload = json!({"to": contact.email, "subject": subject, "body": body}).to_string();
        // Due now by the job queue's own time (the real one), whatever clock deadlines run on.
        jobs::enqueue_tx(tx, danvan_jobs::EMAIL, &payload, crate::now()).await?;
    }
    Ok(())
}

fn open_contact(state: &AppState, sealed: &str) -> Result<Contact, AppError> {
    let bytes = state
        .seal
        .open(sealed)
        .map_err(|e| AppError::Internal(format!("sealed contact: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| AppError::Internal(format!("sealed contact: {e}")))
}

/// The petitioners of a case with their contact details, for a caller allowed to see them;
/// every such view is written to the audit trail. For a denunciation only the assigned
/// handler and the province admin may look (Luật Tố cáo 2018: the denouncer is protected).
pub async fn reveal_petitioners(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> Result<Vec<(Contact, store::Petitioner)>, AppError> {
    let p = get(state, who, id).await?;
    let tree = state.tree();
    authorize_for(who, Action::RevealPetitioner, target(&p), &tree)?;
    if p.kind == Kind::Denunciation.code()
        && p.handler_id != Some(who.account_id)
        && authorize(who, Action::ManagePetitionRules, None, &tree).is_err()
    {
        return Err(AppError::Refused("denouncer_protected"));
    }
    let mut out = Vec::new();
    for pe in store::petitioners(&state.db, id).await? {
        out.push((open_contact(state, &pe.sealed)?, pe));
    }
    let mut tx = state.db.begin().await?;
    audit::append(
        &mut tx,
        &super::actor(who),
        Change {
            action: "petition.view_petitioner",
            entity_type: "petition",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"petitioners": out.len(), "kind": p.kind})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

// ---- the citizen's side ----

/// A petition as the public sees it by its tracking code: no personal data, no internal
/// notes. A merged petition shows the case it joined.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicPetition {
    pub tracking_code: String,
    pub kind: String,
    pub field: String,
    pub unit_code: String,
    pub unit_name: String,
    pub title: String,
    pub state: String,
    pub state_label: String,
    pub body: Option<String>,
    pub received_on: NaiveDate,
    pub due_date: NaiveDate,
    pub overdue: bool,
    pub answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub rating: Option<String>,
    pub can_rate: bool,
    pub can_reopen: bool,
    /// The case this one was merged into, whose answer it shares.
    pub merged_into: Option<String>,
    pub history: Vec<PublicEvent>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicEvent {
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub label: String,
    pub note: Option<String>,
}

pub fn event_label(action: &str, vi: bool) -> &'static str {
    let (a, b) = match action {
        "received" => ("Tiếp nhận đơn", "Received"),
        "accept" => ("Thụ lý", "Accepted"),
        "decline" => ("Không thụ lý", "Declined"),
        "assign" => ("Phân công xử lý", "Assigned"),
        "answer" => ("Trả lời", "Answered"),
        "close" => ("Kết thúc", "Closed"),
        "transfer" => ("Chuyển cơ quan khác", "Transferred"),
        "acknowledge" => ("Cơ quan mới xác nhận", "Transfer acknowledged"),
        "extend" => ("Gia hạn giải quyết", "Time limit extended"),
        "mark_complex" => ("Vụ việc phức tạp", "Marked complex"),
        "merge" => ("Gộp vào hồ sơ khác", "Merged"),
        "merged_in" => ("Gộp thêm đơn trùng", "Duplicate merged in"),
        "rate" => ("Người dân đánh giá", "Rated by the citizen"),
        "reopen" => ("Người dân đề nghị xem xét lại", "Reopened by the citizen"),
        "reminder" => ("Nhắc hạn", "Deadline reminder"),
        "escalated" => ("Quá hạn, báo cấp trên", "Overdue, escalated"),
        _ => ("Cập nhật", "Updated"),
    };
    if vi { a } else { b }
}

/// Finds a petition by a tracking code as typed; anything that is not a known code is "not
/// found" (the same answer for a malformed and an unknown code).
pub async fn by_code(state: &AppState, code: &str) -> Result<Petition, AppError> {
    let code = danvan_domain::petition::parse_tracking_code(code).ok_or(AppError::NotFound)?;
    store::by_code(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn public_view(
    state: &AppState,
    code: &str,
    vi: bool,
) -> Result<PublicPetition, AppError> {
    let own = by_code(state, code).await?;
    // A merged petition follows its case: state, answer and history are the case's.
    let case = match own.merged_into {
        Some(into) => store::by_id(&state.db, into)
            .await?
            .unwrap_or_else(|| own.clone()),
        None => own.clone(),
    };
    let tree = state.tree();
    let unit = tree.get(own.unit_id);
    let body = match case.organisation_id {
        Some(o) => organisations::by_id(&state.db, o).await?.map(|o| o.name),
        None => None,
    };
    let mut history: Vec<PublicEvent> = Vec::new();
    let mut sources = vec![own.id];
    if case.id != own.id {
        sources.push(case.id);
    }
    for pid in sources {
        for e in store::events(&state.db, pid).await? {
            if e.internal {
                continue;
            }
            history.push(PublicEvent {
                at: e.at,
                label: event_label(&e.action, vi).into(),
                // Decline and transfer reasons are for the citizen; others stay internal.
                note: matches!(e.action.as_str(), "decline" | "extend" | "merge" | "reopen")
                    .then_some(e.note)
                    .flatten(),
                action: e.action,
            });
        }
    }
    history.sort_by_key(|e| e.at);
    let state_code = State::parse(&case.state).unwrap_or(State::Received);
    let today = state.clock.today();
    let answered = matches!(state_code, State::Answered | State::Closed);
    Ok(PublicPetition {
        tracking_code: own.tracking_code.clone(),
        kind: own.kind.clone(),
        field: own.topic.clone(),
        unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        title: own.title.clone(),
        state: state_code.code().into(),
        state_label: if vi {
            state_code.label_vi()
        } else {
            state_code.label_en()
        }
        .into(),
        body,
        received_on: own.received_on,
        due_date: case.due_on,
        overdue: case.is_overdue(today),
        answer: if answered { case.answer.clone() } else { None },
        answered_on: case.answered_on,
        rating: own.rating.clone(),
        can_rate: answered && own.merged_into.is_none() && own.rating.is_none(),
        can_reopen: answered && own.merged_into.is_none() && !own.reopened,
        merged_into: (case.id != own.id).then(|| case.tracking_code.clone()),
        history,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FeedbackInput {
    /// rate | reopen
    pub action: String,
    /// rate: satisfied with the answer?
    pub satisfied: Option<bool>,
    /// reopen (required) or rate (optional): why.
    pub reason: String,
}

/// The citizen rates the answer, or reopens the case once when dissatisfied.
pub async fn citizen_feedback(
    state: &AppState,
    code: &str,
    input: &FeedbackInput,
) -> Result<Petition, AppError> {
    let mut p = by_code(state, code).await?;
    if p.merged_into.is_some() {
        return Err(AppError::Conflict("petition_merged"));
    }
    let from = State::parse(&p.state).ok_or_else(illegal)?;
    let now = state.clock.now();
    let before = json!({"state": p.state, "rating": p.rating});
    let (action, note) = match input.action.trim() {
        "rate" => {
            if !matches!(from, State::Answered | State::Closed) {
                return Err(illegal());
            }
            if p.rating.is_some() {
                return Err(AppError::Conflict("already_rated"));
            }
            let satisfied = input.satisfied.ok_or_else(|| {
                AppError::invalid(field_error(
                    "satisfied",
                    "required",
                    "Hãy chọn hài lòng hoặc không hài lòng.",
                    "Say whether you are satisfied.",
                ))
            })?;
            p.rating = Some(
                if satisfied {
                    "satisfied"
                } else {
                    "dissatisfied"
                }
                .into(),
            );
            p.rated_at = Some(now);
            let note = validate::optional_text("reason", &input.reason, 2000, true)?;
            ("rate", note)
        }
        "reopen" => {
            if p.reopened {
                return Err(AppError::Conflict("already_reopened"));
            }
            let to = next_state(from, Step::Reopen).ok_or_else(illegal)?;
            let reason = required_reason(&input.reason)?;
            p.state = to.code().into();
            p.reopened = true;
            // Open again: the earlier answer no longer counts as the answer, in the figures
            // or in the public record, until the body answers anew.
            p.answered_on = None;
            p.answered_at = None;
            if p.public_answer.take().is_some() {
                p.folded = fold(&format!("{} {}", p.title, p.content));
            }
            p.rating = Some("dissatisfied".into());
            p.rated_at = Some(now);
            p.closed_at = None;
            // The body gets the resolution time again from today.
            let kind = Kind::parse(&p.kind).ok_or_else(illegal)?;
            let limit = time_limit(&state.db, kind).await?;
            let cal = danvan_storage::calendar::work_calendar(&state.db).await?;
            p.due_on = cal.deadline(
                state.clock.today(),
                limit.resolve_days as u32,
                limit.resolve_working,
            );
            ("reopen", Some(reason))
        }
        _ => {
            return Err(AppError::invalid(field_error(
                "action",
                "unknown_action",
                "Thao tác không hợp lệ.",
                "Unknown action.",
            )));
        }
    };
    // Read before the transaction: it must not wait for a second connection (see `submit`).
    let recipients = store::responsible(&state.db, &p).await?;
    let mut tx = state.db.begin().await?;
    save(&mut tx, &p).await?;
    store::add_event(
        &mut tx,
        NewEvent {
            petition_id: p.id,
            action,
            from_state: Some(from.code()),
            to_state: Some(&p.state),
            actor_id: None,
            organisation_id: p.organisation_id,
            note: note.as_deref(),
            internal: action == "rate",
        },
        now,
    )
    .await?;
    let (vi, en) = if action == "reopen" {
        (
            format!("Người dân đề nghị xem xét lại đơn {}", p.tracking_code),
            format!("The citizen reopened petition {}", p.tracking_code),
        )
    } else {
        (
            format!("Người dân đã đánh giá trả lời đơn {}", p.tracking_code),
            format!("The citizen rated the answer to {}", p.tracking_code),
        )
    };
    for r in recipients {
        notify(&mut tx, r, p.id, &format!("petition_{action}"), &vi, &en).await?;
    }
    audit::append(
        &mut tx,
        &Actor::system("citizen"),
        Change {
            action: &format!("petition.{action}"),
            entity_type: "petition",
            entity_id: p.id.to_string(),
            before: Some(before),
            after: Some(json!({"state": p.state, "rating": p.rating, "due_on": p.due_on})),
        },
    )
    .await?;
    tx.commit().await?;
    store::by_id(&state.db, p.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// What danvan holds about a citizen, found by the phone number or e-mail they gave
/// together with one of their tracking codes (both must match: a code alone, which may have
/// been shared, does not reveal personal data).
pub async fn data_request(
    state: &AppState,
    code: &str,
    contact: &str,
) -> Result<Vec<(String, Contact, chrono::DateTime<chrono::Utc>, String)>, AppError> {
    let p = by_code(state, code).await?;
    let key = if contact.contains('@') {
        format!("email:{}", parse_email(contact).map_err(AppError::invalid)?)
    } else {
        format!("phone:{}", parse_phone(contact).map_err(AppError::invalid)?)
    };
    let index = state.seal.blind_index(&key);
    let mine = store::petitioners_by_contact(&state.db, &index).await?;
    let case = p.merged_into.unwrap_or(p.id);
    if !mine
        .iter()
        .any(|pe| pe.petition_id == case || pe.petition_id == p.id)
    {
        return Err(AppError::NotFound);
    }
    let mut out = Vec::new();
    for pe in mine {
        let contact = open_contact(state, &pe.sealed)?;
        let code = store::by_id(&state.db, pe.petition_id)
            .await?
            .map(|p| p.tracking_code)
            .unwrap_or_default();
        out.push((code, contact, pe.consent_at, pe.consent_version));
    }
    let mut tx = state.db.begin().await?;
    audit::append(
        &mut tx,
        &Actor::system("citizen"),
        Change {
            action: "petition.data_request",
            entity_type: "petition",
            entity_id: p.id.to_string(),
            before: None,
            after: Some(json!({"records": out.len()})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

// ---- rules ----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RuleInput {
    pub unit_code: String,
    /// A petition field, or "*" for any field.
    pub field: String,
    pub organisation_id: i64,
}

pub async fn set_rule(
    state: &AppState,
    who: &Principal,
    input: &RuleInput,
) -> Result<i64, AppError> {
    authorize(who, Action::ManagePetitionRules, None, &state.tree())?;
    let mut errors = Invalid::default();
    let unit = super::resolve_unit(state, "unit_code", &input.unit_code)
        .map_err(|e| errors.push(e))
        .ok();
    let topic = input.field.trim();
    if topic != "*" && Topic::parse(topic).is_none() {
        errors.push(field_error(
            "field",
            "unknown_field",
            "Lĩnh vực không hợp lệ.",
            "Unknown field.",
        ));
    }
    let org = organisations::by_id(&state.db, input.organisation_id).await?;
    if org.is_none() {
        errors.push(field_error(
            "organisation_id",
            "unknown_organisation",
            "Không có cơ quan này.",
            "No such body.",
        ));
    }
    errors.clone().into_result()?;
    let (Some(unit), Some(org)) = (unit, org) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = state.db.begin().await?;
    let id = store::set_routing_rule(&mut tx, unit.id, topic, org.id, Some(who.account_id)).await?;
    audit::append(
        &mut tx,
        &super::actor(who),
        Change {
            action: "routing_rule.set",
            entity_type: "routing_rule",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"unit": unit.code, "field": topic, "organisation_id": org.id})),
        },
    )
    .await?;
    tx.commit().await?;
    state.rules.forget();
    Ok(id)
}

pub async fn delete_rule(state: &AppState, who: &Principal, id: i64) -> Result<(), AppError> {
    authorize(who, Action::ManagePetitionRules, None, &state.tree())?;
    let mut tx = state.db.begin().await?;
    if !store::delete_routing_rule(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        &super::actor(who),
        Change {
            action: "routing_rule.delete",
            entity_type: "routing_rule",
            entity_id: id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    state.rules.forget();
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct TimeLimitInput {
    pub kind: String,
    pub accept_days: i64,
    pub accept_working: bool,
    pub resolve_days: i64,
    pub resolve_working: bool,
    pub complex_days: i64,
    pub extension_days: i64,
    pub max_extensions: i64,
}

pub async fn set_time_limit(
    state: &AppState,
    who: &Principal,
    input: &TimeLimitInput,
) -> Result<TimeLimit, AppError> {
    authorize(who, Action::ManagePetitionRules, None, &state.tree())?;
    let kind = Kind::parse(input.kind.trim()).ok_or_else(|| {
        AppError::invalid(field_error(
            "kind",
            "unknown_kind",
            "Loại đơn không hợp lệ.",
            "Unknown kind.",
        ))
    })?;
    let limit = TimeLimit {
        accept_days: input.accept_days,
        accept_working: input.accept_working,
        resolve_days: input.resolve_days,
        resolve_working: input.resolve_working,
        complex_days: input.complex_days,
        extension_days: input.extension_days,
        max_extensions: input.max_extensions,
    };
    if !limit.is_valid() {
        return Err(AppError::invalid(field_error(
            "resolve_days",
            "invalid_time_limit",
            "Thời hạn không hợp lệ: số ngày từ 1 đến 365, thời hạn vụ việc phức tạp không ngắn hơn thời hạn thường, gia hạn tối đa 5 lần.",
            "Invalid time limit: 1 to 365 days, the complex limit not shorter than the normal one, at most 5 extensions.",
        )));
    }
    let before = time_limit(&state.db, kind).await?;
    let mut tx = state.db.begin().await?;
    store::set_time_limit(&mut tx, kind.code(), &limit, Some(who.account_id)).await?;
    audit::append(
        &mut tx,
        &super::actor(who),
        Change {
            action: "time_limit.set",
            entity_type: "time_limit",
            entity_id: kind.code().into(),
            before: Some(json!(before)),
            after: Some(json!(limit)),
        },
    )
    .await?;
    tx.commit().await?;
    state.rules.forget();
    Ok(limit)
}

/// Issues an Open311 API key; the key is shown once and only its hash is kept.
pub async fn add_open311_key(
    db: &Db,
    actor: &Actor,
    name: &str,
) -> Result<(i64, String), AppError> {
    let name = validate::text("name", name, 100, false)?;
    let key = danvan_domain::secret::random_token();
    let mut tx = db.begin().await?;
    let id = store::add_open311_key(
        &mut tx,
        &name,
        &danvan_domain::secret::token_hash(&key),
        actor.id,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change {
            action: "open311_key.add",
            entity_type: "open311_key",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, key))
}

// ---- lists ----

/// Counts one public submission from `ip`; refused beyond the configured hourly limit
/// (kept in the database, so the limit holds across servers).
pub async fn check_submission_rate(state: &AppState, ip: std::net::IpAddr) -> Result<(), AppError> {
    let bucket = format!("petition:{ip}");
    let limit = state.config.petition_limit;
    // Counted in the submissions' group commit: a hit of its own would cost a commit.
    let ok = state
        .group
        .write(move |tx| {
            Box::pin(async move {
                danvan_storage::rate_limit::hit_in(tx, &bucket, limit, 3600)
                    .await
                    .map_err(AppError::from)
            })
        })
        .await?;
    if ok {
        Ok(())
    } else {
        Err(AppError::RateLimited)
    }
}

/// Counts one tracking-code lookup from `ip`: generous for people, a wall for guessing.
pub async fn check_lookup_rate(state: &AppState, ip: std::net::IpAddr) -> Result<(), AppError> {
    let ok = danvan_storage::rate_limit::hit(&state.db, &format!("track:{ip}"), 300, 600).await?;
    if ok {
        Ok(())
    } else {
        Err(AppError::RateLimited)
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub field: Option<String>,
    /// Only open petitions.
    pub open: bool,
    /// Only open petitions past their due date.
    pub overdue: bool,
    /// Only those assigned to the caller.
    pub mine: bool,
    pub page: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

/// The caller's queue: petitions of the units they oversee, or — for handlers — of their
/// bodies (transfers awaiting them included), the most urgent first.
pub async fn list(
    state: &AppState,
    who: &Principal,
    q: &ListQuery,
) -> Result<(Vec<Petition>, i64), AppError> {
    let page = q.page.unwrap_or(1).max(1);
    list_window(state, who, q, PAGE_SIZE, (page - 1) * PAGE_SIZE).await
}

/// The same queue as [`list`], `limit` rows from `offset` (exports take every page at once).
pub async fn list_window(
    state: &AppState,
    who: &Principal,
    q: &ListQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Petition>, i64), AppError> {
    let filter = store::Filter {
        limit,
        offset,
        ..queue_filter(state, who, q)?
    };
    Ok(store::list(&state.db, &filter).await?)
}

/// The ids of the first `limit` petitions of the caller's queue, in its order: a long
/// export sorts the list once and then reads the rows by id ([`store::by_ids`]).
pub async fn list_ids(
    state: &AppState,
    who: &Principal,
    q: &ListQuery,
    limit: i64,
) -> Result<Vec<i64>, AppError> {
    let filter = store::Filter {
        limit,
        ..queue_filter(state, who, q)?
    };
    Ok(store::list_ids(&state.db, &filter).await?)
}

/// Which petitions the caller's queue holds, from their grants and the list's filters.
fn queue_filter(
    state: &AppState,
    who: &Principal,
    q: &ListQuery,
) -> Result<store::Filter, AppError> {
    authorize(who, Action::ViewPetition, None, &state.tree())?;
    let tree = state.tree();
    let overseers: std::collections::HashSet<i64> = who
        .grants
        .iter()
        .filter(|g| {
            matches!(
                g.role,
                Role::ProvinceAdmin | Role::UnitOfficer | Role::Supervisor
            )
        })
        .flat_map(|g| tree.subtree(g.unit_id))
        .collect();
    let oversees = !overseers.is_empty();
    // A scope that holds every unit restricts nothing: the province's list then reads by
    // its other filters' indexes instead of an `IN` of every unit id.
    let units = (oversees && overseers.len() < tree.len()).then(|| {
        let mut units: Vec<i64> = overseers.into_iter().collect();
        units.sort_unstable();
        units
    });
    let bodies: Vec<i64> = who
        .grants
        .iter()
        .filter(|g| g.role == Role::Handler)
        .filter_map(|g| g.organisation_id)
        .collect();
    let filter = store::Filter {
        units,
        // An officer who is also a handler sees the union through the unit scope; a pure
        // handler sees the bodies only.
        bodies: (!oversees && !bodies.is_empty()).then_some(bodies),
        state: q.state.clone().filter(|s| State::parse(s).is_some()),
        kind: q.kind.clone().filter(|k| Kind::parse(k).is_some()),
        topic: q.field.clone().filter(|t| Topic::parse(t).is_some()),
        open_only: q.open,
        overdue_on: q.overdue.then(|| state.clock.today()),
        handler_id: q.mine.then_some(who.account_id),
        ..Default::default()
    };
    Ok(filter)
}

/// Received, answered on time, overdue and satisfaction per body and per unit, for anyone.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatsRow {
    /// Body id (by body) or unit code (by unit).
    pub key: String,
    pub name: String,
    pub received: i64,
    pub answered: i64,
    pub on_time: i64,
    pub overdue: i64,
    pub rated: i64,
    pub satisfied: i64,
    /// Share of answers given on time, in percent.
    pub on_time_rate: Option<f64>,
    /// Share of ratings that are "satisfied", in percent.
    pub satisfaction_rate: Option<f64>,
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

pub async fn stats(state: &AppState) -> Result<(Vec<StatsRow>, Vec<StatsRow>), AppError> {
    let today = state.clock.today();
    let tree = state.tree();
    let row = |key: String, name: String, s: &store::BodyStats| StatsRow {
        key,
        name,
        received: s.received,
        answered: s.answered,
        on_time: s.on_time,
        overdue: s.overdue,
        rated: s.rated,
        satisfied: s.satisfied,
        on_time_rate: percent(s.on_time, s.answered),
        satisfaction_rate: percent(s.satisfied, s.rated),
    };
    let (body_stats, unit_stats) = store::stats(&state.db, today).await?;
    let names = body_names(
        &state.db,
        &body_stats
            .iter()
            .filter_map(|s| s.organisation_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut by_body = Vec::new();
    for s in body_stats {
        let name = match s.organisation_id {
            Some(o) => names.get(&o).cloned().unwrap_or_default(),
            None => "Chưa có cơ quan giải quyết".into(),
        };
        by_body.push(row(
            s.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            name,
            &s,
        ));
    }
    let mut by_unit = Vec::new();
    for s in unit_stats {
        let unit = s.organisation_id.and_then(|u| tree.get(u));
        by_unit.push(row(
            unit.map(|u| u.code.clone()).unwrap_or_default(),
            unit.map(|u| u.name.clone()).unwrap_or_default(),
            &s,
        ));
    }
    by_body.sort_by(|a, b| b.received.cmp(&a.received).then(a.name.cmp(&b.name)));
    by_unit.sort_by(|a, b| b.received.cmp(&a.received).then(a.name.cmp(&b.name)));
    Ok((by_body, by_unit))
}

/// The public record of published answers matching `q` (folded), newest first.
pub async fn public_answers(
    state: &AppState,
    q: &str,
    page: i64,
) -> Result<(Vec<Petition>, i64), AppError> {
    let folded = fold(q);
    let page = page.max(1);
    Ok(store::public_answers(&state.db, &folded, 20, (page - 1) * 20).await?)
}

/// Attaches a document to the answer (the reply letter, a record of the site visit): the
/// citizen sees it with the answer on the tracking page.
pub async fn add_answer_file(
    state: &AppState,
    who: &Principal,
    id: i64,
    upload: Upload,
) -> Result<(), AppError> {
    let p = get(state, who, id).await?;
    authorize_for(who, Action::HandlePetition, target(&p), &state.tree())?;
    if !matches!(
        State::parse(&p.state),
        Some(State::Accepted | State::Assigned | State::Answered)
    ) {
        return Err(illegal());
    }
    let name =
        validate::text("file", &upload.name, 200, false).unwrap_or_else(|_| "tài liệu".into());
    let stored = super::store_file(state, upload.bytes).await?;
    let mut tx = state.db.begin().await?;
    store::add_file(
        &mut tx,
        id,
        &stored.sha256,
        &name,
        stored.mime,
        stored.size as i64,
        true,
        Some(who.account_id),
    )
    .await?;
    audit::append(
        &mut tx,
        &super::actor(who),
        Change {
            action: "petition.answer_file",
            entity_type: "petition",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"sha256": stored.sha256, "mime": stored.mime, "size": stored.size})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The documents attached to a petition's answer, for the citizen (by tracking code): only
/// once answered, and only answer documents (never what the petitioner sent).
pub async fn public_answer_files(
    state: &AppState,
    code: &str,
) -> Result<Vec<store::PetitionFile>, AppError> {
    let own = by_code(state, code).await?;
    let case = match own.merged_into {
        Some(into) => store::by_id(&state.db, into)
            .await?
            .ok_or(AppError::NotFound)?,
        None => own,
    };
    if !matches!(
        State::parse(&case.state),
        Some(State::Answered | State::Closed)
    ) {
        return Ok(Vec::new());
    }
    Ok(store::files(&state.db, case.id)
        .await?
        .into_iter()
        .filter(|f| f.answer)
        .collect())
}
