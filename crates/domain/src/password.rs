//! Argon2id password hashing (OWASP parameters: m = 19 MiB, t = 2, p = 1).

use std::cell::RefCell;

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use rand::RngCore;

use crate::error::FieldError;
use crate::secret::constant_time_eq;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 200;

const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

thread_local! {
    /// Argon2's 19 MiB of working memory, kept per thread and reused: allocating it for
    /// every hash left a copy behind in the allocator each time (RSS grew ~19 MB per hash).
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn compute(
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let needed = params.block_count();
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        if blocks.len() < needed {
            blocks.resize(needed, Block::default());
        }
        hasher.hash_password_into_with_memory(password, salt, out, &mut blocks[..needed])
    })
}

/// Checks the password policy before hashing: length only, as NIST SP 800-63B recommends.
pub fn check_policy(field: &'static str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(FieldError::new(
            field,
            "password_too_short",
            format!("Mật khẩu phải có ít nhất {MIN_LEN} ký tự."),
            format!("The password must have at least {MIN_LEN} characters."),
        ));
    }
    if n > MAX_LEN {
        return Err(FieldError::new(
            field,
            "password_too_long",
            format!("Mật khẩu không được dài quá {MAX_LEN} ký tự."),
            format!("The password must not exceed {MAX_LEN} characters."),
        ));
    }
    Ok(())
}

/// PHC string of the Argon2id hash (OWASP parameters: m = 19 MiB, t = 2, p = 1).
pub fn hash(password: &str) -> Result<String, argon2::Error> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut out = [0u8; 32];
    let params = Params::new(M_COST, T_COST, P_COST, Some(out.len()))?;
    compute(params, password.as_bytes(), &salt, &mut out)?;
    Ok(format!(
        "$argon2id$v=19$m={M_COST},t={T_COST},p={P_COST}${}${}",
        B64.encode(salt),
        B64.encode(out)
    ))
}

/// True when `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" || parsed.version.is_some_and(|v| v != 0x13) {
        return false;
    }
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    let Ok(params) = Params::new(
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        Some(out.len()),
    ) else {
        return false;
    };
    compute(params, password.as_bytes(), salt, &mut out).is_ok() && constant_time_eq(&out, expected)
}

/// Burns the same time as a real verification, so that an unknown user name cannot be told
/// from a wrong password by timing.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("mật khẩu rất dài").expect("hash");
        // Interoperable: the argon2 crate's own verifier accepts our PHC strings.
        use argon2::password_hash::PasswordVerifier;
        let parsed = PasswordHash::new(&h).expect("phc");
        assert!(
            Argon2::default()
                .verify_password("mật khẩu rất dài".as_bytes(), &parsed)
                .is_ok()
        );
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("mật khẩu rất dài", &h));
        assert!(!verify("mat khau rat dai", &h));
        assert!(!verify("x", "not a phc string"));
    }

    #[test]
    fn policy_checks_length_in_characters() {
        assert!(check_policy("password", "ngắn").is_err());
        assert!(check_policy("password", "đủ mười ký tự").is_ok());
        assert!(check_policy("password", &"a".repeat(201)).is_err());
    }
}
