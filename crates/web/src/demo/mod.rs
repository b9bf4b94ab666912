//! The demo province: organisations in several communes of the new An Giang and one account
//! per role. Loaded once; the demo accounts get fresh generated passwords at every start
//! with `--demo`, so that whoever starts it can sign in.

use danvan_domain::role::Role;
use danvan_domain::secret;
use danvan_storage::audit::{self, Actor, Change};
use danvan_storage::{accounts, organisations, settings};
use serde_json::json;

mod care;
mod councils;
mod movement;
mod petitions;
mod stories;

use crate::error::AppError;
use crate::service::accounts::{NewAccount, validate_new};
use crate::state::AppState;

const LOADED_KEY: &str = "demo_loaded";

/// A day of the demo's calendar (the dates below are all valid).
fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// (name, kind, unit code)
const ORGANISATIONS: &[(&str, &str, &str)] = &[
    (
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh An Giang",
        "fatherland_front",
        "91",
    ),
    (
        "Hội Nông dân phường Long Xuyên",
        "mass_organisation",
        "30307",
    ),
    (
        "Hội Liên hiệp Phụ nữ xã Óc Eo",
        "mass_organisation",
        "30688",
    ),
    (
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường Rạch Giá",
        "mass_organisation",
        "30742",
    ),
    ("Công an xã Tri Tôn", "armed_forces", "30544"),
    (
        "Ban Chỉ huy Quân sự phường Châu Đốc",
        "armed_forces",
        "30316",
    ),
    ("Ủy ban nhân dân xã Núi Cấm", "agency", "30538"),
    ("Hợp tác xã Nông nghiệp Mỹ Hoà Hưng", "collective", "30307"),
    ("Công ty TNHH Du lịch Phú Quốc Xanh", "enterprise", "31078"),
    // Bodies that resolve petitions (indexes 9–11).
    ("Ủy ban nhân dân phường Long Xuyên", "agency", "30307"),
    ("Công an phường Long Xuyên", "armed_forces", "30307"),
    ("Thanh tra tỉnh An Giang", "agency", "91"),
];

/// (username, display name, role, unit code, organisation index)
const ACCOUNTS: &[(&str, &str, Role, &str, Option<usize>)] = &[
    (
        "demo.tinh",
        "Nguyễn Thị Thu Hà (Ban Tuyên giáo và Dân vận Tỉnh ủy)",
        Role::ProvinceAdmin,
        "91",
        None,
    ),
    (
        "demo.longxuyen",
        "Trần Văn Phúc (cán bộ dân vận phường Long Xuyên)",
        Role::UnitOfficer,
        "30307",
        None,
    ),
    (
        "demo.hoinongdan",
        "Lê Minh Tâm (Hội Nông dân phường Long Xuyên)",
        Role::Reporter,
        "30307",
        Some(1),
    ),
    (
        "demo.hoidong",
        "Phạm Quốc Việt (thành viên Hội đồng thi đua tỉnh)",
        Role::CouncilMember,
        "91",
        None,
    ),
    (
        "demo.nuicam",
        "Huỳnh Thị Mai (UBND xã Núi Cấm)",
        Role::Handler,
        "30538",
        Some(6),
    ),
    (
        "demo.ubndlx",
        "Đặng Thị Hồng (UBND phường Long Xuyên)",
        Role::Handler,
        "30307",
        Some(9),
    ),
    (
        "demo.mttq",
        "Võ Thanh Sơn (Ủy ban MTTQ tỉnh)",
        Role::Supervisor,
        "91",
        None,
    ),
];

/// A demo account and its freshly generated password.
pub struct DemoAccount {
    pub role: Role,
    pub username: String,
    pub password: String,
}

/// Loads the demo once, then (re)sets the demo accounts' passwords; returns them.
pub async fn load(state: &AppState) -> Result<Vec<DemoAccount>, AppError> {
    let actor = Actor::system("demo");
    if danvan_storage::settings::get(&state.db, LOADED_KEY)
        .await?
        .is_none()
    {
        let mut org_ids = Vec::new();
        for (name, kind, code) in ORGANISATIONS {
            let unit = crate::service::resolve_unit(state, "unit_code", code)?;
            let mut tx = state.db.begin().await?;
            let org = organisations::create(&mut tx, name, kind, unit.id).await?;
            audit::append(
                &mut tx,
                &actor,
                Change {
                    action: "organisation.create",
                    entity_type: "organisation",
                    entity_id: org.id.to_string(),
                    before: None,
                    after: Some(
                        json!({"name": org.name, "kind": org.kind, "unit_id": org.unit_id}),
                    ),
                },
            )
            .await?;
            tx.commit().await?;
            org_ids.push(org.id);
        }
        let mut reporter_id = None;
        for (username, display_name, role, code, org) in ACCOUNTS {
            let input = NewAccount {
                username: username.to_string(),
                display_name: display_name.to_string(),
                role: role.code().to_string(),
                unit_code: code.to_string(),
                organisation_id: org.and_then(|i| org_ids.get(i).copied()),
                password: Some(secret::generated_password()),
                email: None,
            };
            let v = validate_new(state, &input).await?;
            let id = crate::service::accounts::provision(state, &actor, &v, true).await?;
            if *role == Role::Reporter {
                reporter_id = Some(id);
            }
        }
        movement::load(state, &org_ids, reporter_id).await?;
        councils::load(state, &org_ids).await?;
        petitions::load(state, &org_ids).await?;
        care::load(state, &org_ids).await?;
        let mut tx = state.db.begin().await?;
        settings::set(&mut tx, LOADED_KEY, &crate::now().to_rfc3339()).await?;
        tx.commit().await?;
    }
    stories::load(state).await?;
    let mut out = Vec::new();
    for account in accounts::demo_accounts(&state.db).await? {
        let pw = secret::generated_password();
        let hash = crate::hashing::hash(pw.clone()).await?;
        let mut tx = state.db.begin().await?;
        accounts::set_password(&mut tx, account.id, &hash).await?;
        audit::append(
            &mut tx,
            &actor,
            Change {
                action: "account.password_reset",
                entity_type: "account",
                entity_id: account.id.to_string(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        let role = accounts::grants(&state.db, account.id)
            .await?
            .first()
            .map(|g| g.role)
            .unwrap_or(Role::Supervisor);
        out.push(DemoAccount {
            role,
            username: account.username,
            password: pw,
        });
    }
    Ok(out)
}
