//! Counting a story's readers without tracking them: no cookie, nothing personal stored.
//!
//! A view is counted once per reader and story in a window of [`WINDOW`]. To know "the same
//! reader", the server keeps, in memory only, a hash of (address, User-Agent, story) salted
//! with a random value drawn at start; entries expire after the window, the salt dies with
//! the process, and the database only ever sees (story, day, count). Robots and link
//! previews are not counted at all.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

/// How long one reader's repeated views of a story count as one.
pub const WINDOW: Duration = Duration::from_secs(30 * 60);

/// Readers remembered at once; beyond that the oldest are forgotten (and may count twice).
const CAPACITY: u64 = 200_000;

#[derive(Clone)]
pub struct ViewCounter {
    seen: moka::sync::Cache<[u8; 32], ()>,
    salt: Arc<[u8; 32]>,
}

impl Default for ViewCounter {
    fn default() -> Self {
        Self::new(WINDOW)
    }
}

impl ViewCounter {
    pub fn new(window: Duration) -> ViewCounter {
        let mut salt = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
        ViewCounter {
            seen: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(window)
                .build(),
            salt: Arc::new(salt),
        }
    }

    /// Should this request count as a new view of `story_id`? False for robots and for a
    /// reader seen on this story within the window.
    pub fn first_view(&self, ip: IpAddr, user_agent: Option<&str>, story_id: i64) -> bool {
        if danvan_domain::story::is_bot(user_agent) {
            return false;
        }
        let mut h = Sha256::new();
        h.update(self.salt.as_slice());
        h.update(ip.to_string().as_bytes());
        h.update([0]);
        h.update(user_agent.unwrap_or("").as_bytes());
        h.update([0]);
        h.update(story_id.to_be_bytes());
        let key: [u8; 32] = h.finalize().into();
        // `entry().or_insert` tells whether this call inserted it, atomically.
        self.seen.entry(key).or_insert(()).is_fresh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: &str = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile";

    #[test]
    fn one_reader_counts_once_per_story() {
        let c = ViewCounter::default();
        let ip: IpAddr = [203, 0, 113, 7].into();
        assert!(c.first_view(ip, Some(PHONE), 1));
        assert!(!c.first_view(ip, Some(PHONE), 1));
        assert!(c.first_view(ip, Some(PHONE), 2), "another story");
        assert!(
            c.first_view([203, 0, 113, 8].into(), Some(PHONE), 1),
            "another reader"
        );
        assert!(
            !c.first_view(ip, Some("Googlebot/2.1"), 3),
            "robots never count"
        );
    }
}
