//! The rules every received petition applies — the working calendar, the time limits and
//! the routing — kept in memory for a short while. A submission read them all again (the
//! calendar day by day, every routing rule) before writing anything.
//!
//! A change made through this server is seen at once ([`Rules::forget`] after its commit);
//! one made through another server on the same database is seen within [`KEEP_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use danvan_calendar::WorkCalendar;
use danvan_domain::petition::{Kind, TimeLimit};
use danvan_storage::petitions::RoutingRule;
use danvan_storage::{Db, StoreError};

/// How long a read of the rules serves before it is read again.
pub const KEEP_FOR: Duration = Duration::from_secs(30);

/// The rules as read at one moment.
pub struct Snapshot {
    pub calendar: WorkCalendar,
    /// Each kind's limit, the legal default where the province set none.
    limits: HashMap<Kind, TimeLimit>,
    pub routing: Vec<RoutingRule>,
}

impl Snapshot {
    pub fn limit(&self, kind: Kind) -> TimeLimit {
        self.limits
            .get(&kind)
            .copied()
            .unwrap_or_else(|| TimeLimit::default_for(kind))
    }
}

#[derive(Default)]
pub struct Rules {
    kept: Mutex<Option<(Instant, Arc<Snapshot>)>>,
}

impl Rules {
    /// The rules, read again when the kept ones are older than [`KEEP_FOR`] or forgotten.
    pub async fn get(&self, db: &Db) -> Result<Arc<Snapshot>, StoreError> {
        if let Some((read_at, rules)) = &*self.lock()
            && read_at.elapsed() < KEEP_FOR
        {
            return Ok(rules.clone());
        }
        // Read outside the lock; submissions arriving meanwhile read too (at most once
        // per server each time the rules expire).
        let mut limits = HashMap::new();
        for &kind in Kind::ALL {
            if let Some(limit) = danvan_storage::petitions::time_limit(db, kind.code()).await? {
                limits.insert(kind, limit);
            }
        }
        let fresh = Arc::new(Snapshot {
            calendar: danvan_storage::calendar::work_calendar(db).await?,
            limits,
            routing: danvan_storage::petitions::routing_rules(db).await?,
        });
        *self.lock() = Some((Instant::now(), fresh.clone()));
        Ok(fresh)
    }

    /// Drops the kept rules after this server changed one.
    pub fn forget(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Arc<Snapshot>)>> {
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
