//! The time that deadlines, reminders and escalation run on. In production it is the system
//! clock; tests move it forward to see what happens when a deadline passes, without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Seconds added to the system time (0 in production).
    offset: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        let t = Utc::now() + Duration::seconds(self.offset.load(Ordering::Relaxed));
        crate::audit::truncate_to_micros(t)
    }

    /// Today in Vietnam (UTC+7), the day that legal time limits count.
    pub fn today(&self) -> NaiveDate {
        vietnam_date(self.now())
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.offset.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

/// The calendar day in Vietnam at instant `t`.
pub fn vietnam_date(t: DateTime<Utc>) -> NaiveDate {
    // UTC+7 is a valid offset; the fallback only satisfies the type.
    match FixedOffset::east_opt(7 * 3600) {
        Some(ict) => t.with_timezone(&ict).date_naive(),
        None => (t + Duration::hours(7)).date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let c = Clock::system();
        let other = c.clone();
        let before = other.today();
        c.advance(Duration::days(3));
        assert_eq!(other.today() - before, Duration::days(3));
    }

    #[test]
    fn vietnam_day_starts_at_17_utc() {
        let t = DateTime::parse_from_rfc3339("2026-01-01T16:59:59Z")
            .expect("t")
            .with_timezone(&Utc);
        assert_eq!(vietnam_date(t).to_string(), "2026-01-01");
        let t = DateTime::parse_from_rfc3339("2026-01-01T17:00:00Z")
            .expect("t")
            .with_timezone(&Utc);
        assert_eq!(vietnam_date(t).to_string(), "2026-01-02");
    }
}
