//! Signing in (with rate limits and lock-out), changing one's password, API tokens.

use danvan_domain::password;
use danvan_domain::policy::{Action, Principal, authorize};
use danvan_storage::accounts::{self, Account};
use danvan_storage::audit::{self, Actor, Change};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

async fn verify_blocking(candidate: String, phc: Option<String>) -> bool {
    crate::hashing::run(move || match phc {
        Some(phc) => password::verify(&candidate, &phc),
        None => {
            password::verify_dummy(&candidate);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// Checks a user name and password. Every failure looks the same to the caller, so that
/// nobody learns whether an account exists or is locked.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    candidate: &str,
    ip: std::net::IpAddr,
) -> Result<Account, AppError> {
    let cfg = &state.config;
    let username = username.trim().to_lowercase();
    let by_ip = danvan_storage::rate_limit::hit(
        &state.db,
        &format!("login:ip:{ip}"),
        cfg.login_limit,
        cfg.login_window_secs,
    )
    .await?;
    let by_user = danvan_storage::rate_limit::hit(
        &state.db,
        &format!(
            "login:user:{}",
            username.chars().take(64).collect::<String>()
        ),
        cfg.login_limit,
        cfg.login_window_secs,
    )
    .await?;
    if !by_ip || !by_user {
        return Err(AppError::RateLimited);
    }
    let account = if username.len() <= 64 {
        accounts::by_username(&state.db, &username).await?
    } else {
        None
    };
    let usable = account.filter(|a| !a.is_disabled && !a.is_locked(crate::now()));
    let ok = verify_blocking(
        candidate.to_string(),
        usable.as_ref().map(|a| a.password_hash.clone()),
    )
    .await;
    let Some(account) = usable else {
        return Err(AppError::BadCredentials);
    };
    let mut tx = state.db.begin().await?;
    if !ok {
        let locked =
            accounts::record_failed_login(&mut tx, account.id, cfg.lock_after, cfg.lock_for)
                .await?;
        if locked {
            audit::append(
                &mut tx,
                &Actor::system("auth"),
                Change {
                    action: "account.lock",
                    entity_type: "account",
                    entity_id: account.id.to_string(),
                    before: None,
                    after: Some(json!({"reason": "repeated_failed_sign_in", "minutes": cfg.lock_for.num_minutes()})),
                },
            )
            .await?;
        }
        tx.commit().await?;
        return Err(AppError::BadCredentials);
    }
    accounts::record_successful_login(&mut tx, account.id).await?;
    tx.commit().await?;
    Ok(account)
}

/// Starts a page session; returns the cookie secret.
pub async fn start_session(state: &AppState, account: &Account) -> Result<String, AppError> {
    let mut tx = state.db.begin().await?;
    let token = accounts::create_session(&mut tx, account.id, state.config.session_ttl).await?;
    audit::append(
        &mut tx,
        &Actor::account(account.id, &account.username),
        Change {
            action: "session.start",
            entity_type: "account",
            entity_id: account.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Issues an API bearer token after a successful sign-in.
pub async fn issue_token(
    state: &AppState,
    account: &Account,
) -> Result<(String, chrono::DateTime<chrono::Utc>), AppError> {
    let mut tx = state.db.begin().await?;
    let issued =
        accounts::create_api_token(&mut tx, account.id, state.config.api_token_ttl).await?;
    audit::append(
        &mut tx,
        &Actor::account(account.id, &account.username),
        Change {
            action: "api_token.issue",
            entity_type: "account",
            entity_id: account.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

/// Changes the caller's password after checking the current one; ends their other sessions.
pub async fn change_password(
    state: &AppState,
    who: &Principal,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
) -> Result<(), AppError> {
    authorize(who, Action::UseOwnAccount, None, &state.tree())?;
    password::check_policy("new_password", new)?;
    let account = accounts::by_id(&state.db, who.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !verify_blocking(current.to_string(), Some(account.password_hash.clone())).await {
        return Err(AppError::invalid(danvan_domain::FieldError::new(
            "current_password",
            "wrong_password",
            "Mật khẩu hiện tại không đúng.",
            "The current password is wrong.",
        )));
    }
    let hash = crate::hashing::hash(new.to_string()).await?;
    let mut tx = state.db.begin().await?;
    accounts::set_password(&mut tx, who.account_id, &hash).await?;
    accounts::delete_other_sessions(&mut tx, who.account_id, keep_session).await?;
    audit::append(
        &mut tx,
        &super::actor(who),
        Change {
            action: "account.password_change",
            entity_type: "account",
            entity_id: who.account_id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
