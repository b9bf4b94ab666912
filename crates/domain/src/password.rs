//! Argon2id password hashing (OWASP parameters: m = 19 MiB, t = 2, p = 1).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::FieldError;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 200;

fn hasher() -> Argon2<'static> {
    // The parameters are constants known to be valid; `Params::DEFAULT` is the fallback.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
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

/// PHC string of the Argon2id hash.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// True when `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
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
