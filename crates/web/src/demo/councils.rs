//! The demo's year-end round: a province council of three members (one recused from his
//! own organisation's model) scores the current campaign's models and closes; the province
//! then issues a commendation decision for the best of them, so the honour roll is not empty.

use std::collections::BTreeMap;

use danvan_domain::policy::Principal;
use danvan_storage::accounts;
use danvan_storage::audit::Actor;
use danvan_storage::movement::{campaigns, initiatives};

use crate::error::AppError;
use crate::service::accounts::{NewAccount, provision, validate_new};
use crate::service::commendations::{self, DraftInput, IssueInput};
use crate::service::councils::{self, CouncilInput};
use crate::state::AppState;

async fn principal(state: &AppState, id: i64) -> Result<Principal, AppError> {
    let a = accounts::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Principal {
        account_id: a.id,
        grants: accounts::grants(&state.db, a.id).await?,
        username: a.username,
        display_name: a.display_name,
    })
}

pub(super) async fn by_username(state: &AppState, username: &str) -> Result<Principal, AppError> {
    let a = accounts::by_username(&state.db, username)
        .await?
        .ok_or(AppError::NotFound)?;
    principal(state, a.id).await
}

/// Points per criterion of the standard rubric (results 40, creativity 20, spread 20,
/// participation 20) that vary by model and member.
fn points(model: usize, member: usize) -> BTreeMap<String, f64> {
    const BASE: [[f64; 4]; 7] = [
        [38.0, 19.0, 19.0, 19.0],
        [37.0, 18.0, 18.0, 19.0],
        [34.0, 17.0, 17.0, 16.0],
        [31.0, 16.0, 15.0, 16.0],
        [30.0, 15.0, 16.0, 15.0],
        [28.0, 13.0, 14.0, 14.0],
        [33.0, 16.0, 18.0, 17.0],
    ];
    let b = BASE[model % BASE.len()];
    let shift = [0.0, -1.0, 1.0][member % 3];
    let clamp = |v: f64, max: f64| (v + shift).clamp(0.0, max);
    BTreeMap::from([
        ("results".to_string(), clamp(b[0], 40.0)),
        ("creativity".to_string(), clamp(b[1], 20.0)),
        ("spread".to_string(), clamp(b[2], 20.0)),
        ("participation".to_string(), clamp(b[3], 20.0)),
    ])
}

pub async fn load(state: &AppState, org_ids: &[i64]) -> Result<(), AppError> {
    let actor = Actor::system("demo");
    let admin = by_username(state, "demo.tinh").await?;
    let Some(campaign) = campaigns::list(&state.db).await?.into_iter().next() else {
        return Ok(());
    };
    // Two more members (not demo accounts: nobody signs in as them).
    let mut members = vec![by_username(state, "demo.hoidong").await?.account_id];
    for (username, name, org) in [
        (
            "hoidong.nongdan",
            "Đặng Văn Lợi (Hội Nông dân tỉnh, thành viên Hội đồng)",
            org_ids.get(1).copied(),
        ),
        (
            "hoidong.phunu",
            "Trương Thị Ngọc Hân (Hội LHPN tỉnh, thành viên Hội đồng)",
            None,
        ),
    ] {
        let v = validate_new(
            state,
            &NewAccount {
                username: username.into(),
                display_name: name.into(),
                role: "council_member".into(),
                unit_code: "91".into(),
                organisation_id: org,
                password: None,
                email: None,
            },
        )
        .await?;
        members.push(provision(state, &actor, &v, false).await?);
    }
    let council = councils::create(
        state,
        &admin,
        &CouncilInput {
            campaign_id: campaign.id,
            name: format!("Hội đồng thi đua tỉnh – tổng kết năm {}", campaign.year),
            level: "province".into(),
            unit_code: "91".into(),
        },
    )
    .await?;
    for m in &members {
        councils::add_member(state, &admin, council.id, *m).await?;
    }
    let (models, _) = initiatives::list(
        &state.db,
        &initiatives::Filter {
            campaign_id: Some(campaign.id),
            states: councils::ASSIGNABLE
                .iter()
                .map(|s| s.code().to_string())
                .collect(),
            ..Default::default()
        },
        100,
        0,
    )
    .await?;
    let mut ids: Vec<i64> = models.iter().map(|i| i.id).collect();
    ids.sort_unstable();
    for id in &ids {
        councils::assign(state, &admin, council.id, *id).await?;
    }
    for (k, m) in members.iter().enumerate() {
        let who = principal(state, *m).await?;
        for (n, id) in ids.iter().enumerate() {
            match councils::score(state, &who, council.id, *id, &points(n, k)).await {
                Ok(_) | Err(AppError::Refused("recused")) => {}
                Err(e) => return Err(e),
            }
        }
    }
    councils::close(state, &admin, council.id).await?;
    let draft = commendations::draft(
        state,
        &admin,
        &DraftInput {
            council_id: Some(council.id),
            ..Default::default()
        },
    )
    .await?;
    let today = chrono::Local::now().date_naive();
    commendations::issue(
        state,
        &admin,
        draft.id,
        &IssueInput {
            number: "125/QĐ-UBND".into(),
            signed_on: today.to_string(),
            issuing_body: "Ủy ban nhân dân tỉnh An Giang".into(),
            signer_name: "Lê Văn Phước".into(),
            signer_title: "Phó Chủ tịch".into(),
            signed_as_deputy: true,
            form: "Bằng khen".into(),
            recipients: None,
        },
    )
    .await?;
    Ok(())
}
