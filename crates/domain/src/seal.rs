//! Personal data at rest: petitioners' contact details are sealed with XChaCha20-Poly1305
//! under a key that lives outside the database (configuration, or a file in the data dir),
//! so a copy of the database alone does not reveal who denounced whom.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const VERSION: &str = "v1:";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the key must be 32 bytes in base64")]
    BadKey,
    #[error("sealed data is damaged or was sealed with another key")]
    Damaged,
}

#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

impl SealKey {
    /// A fresh random key, in the base64 form that [`SealKey::from_base64`] reads.
    pub fn generate() -> String {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        STANDARD.encode(k)
    }

    pub fn from_base64(s: &str) -> Result<SealKey, SealError> {
        let bytes = STANDARD.decode(s.trim()).map_err(|_| SealError::BadKey)?;
        let k: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(SealKey(k))
    }

    /// Encrypts with a random 192-bit nonce: "v1:" + base64(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, plaintext: &[u8]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce length cannot fail for in-memory data.
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(ct);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, SealError> {
        let raw = sealed
            .strip_prefix(VERSION)
            .and_then(|b| STANDARD.decode(b).ok())
            .ok_or(SealError::Damaged)?;
        if raw.len() < 24 + 16 {
            return Err(SealError::Damaged);
        }
        let (nonce, ct) = raw.split_at(24);
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt(XNonce::from_slice(nonce), ct)
            .map_err(|_| SealError::Damaged)
    }

    /// A keyed hash for finding sealed records by an exact value (a phone number, an
    /// e-mail address) without storing the value itself.
    pub fn blind_index(&self, value: &str) -> String {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(b"danvan contact\0");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = SealKey::from_base64(&SealKey::generate()).expect("key");
        let sealed = key.seal("Nguyễn Văn A, 0912 345 678".as_bytes());
        assert!(!sealed.contains("Nguyễn"));
        assert_eq!(
            key.open(&sealed).expect("open"),
            "Nguyễn Văn A, 0912 345 678".as_bytes()
        );
        assert_ne!(key.seal(b"x"), key.seal(b"x"), "nonces differ");
        let mut tampered = sealed.clone();
        tampered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert_eq!(key.open(&tampered), Err(SealError::Damaged));
        let other = SealKey::from_base64(&SealKey::generate()).expect("key");
        assert_eq!(other.open(&sealed), Err(SealError::Damaged));
        assert_eq!(key.open("garbage"), Err(SealError::Damaged));
    }

    #[test]
    fn bad_keys_are_refused_and_index_is_keyed() {
        assert_eq!(
            SealKey::from_base64("c2hvcnQ=").map(|_| ()),
            Err(SealError::BadKey)
        );
        let a = SealKey::from_base64(&SealKey::generate()).expect("key");
        let b = SealKey::from_base64(&SealKey::generate()).expect("key");
        assert_eq!(a.blind_index("0912345678"), a.blind_index("0912345678"));
        assert_ne!(a.blind_index("0912345678"), b.blind_index("0912345678"));
    }
}
