//! The open petitions of each commune, kept with their syllable pairs made, for the
//! duplicate check. A submission read up to 500 of them with their whole text from the
//! database and split every text again, for each petition received.
//!
//! A commune's list is read again after [`KEEP_FOR`]; a petition received here joins it at
//! once. Cases that closed meanwhile are left out by the caller, which asks the database
//! which of the few alike ones are still open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use danvan_domain::fold::Likeness;
use danvan_storage::{Db, StoreError};

/// How long a commune's list serves before it is read again.
pub const KEEP_FOR: Duration = Duration::from_secs(30);
/// The newest open cases compared with a new one.
pub const COMPARED: usize = 500;

pub struct OpenCase {
    pub id: i64,
    pub tracking_code: String,
    pub title: String,
    pub likeness: Likeness,
}

struct Commune {
    read_at: Instant,
    /// Newest first.
    cases: Vec<Arc<OpenCase>>,
}

#[derive(Default)]
pub struct OpenCases {
    communes: Mutex<HashMap<i64, Commune>>,
}

impl OpenCases {
    /// The newest open cases of a commune, newest first.
    pub async fn of(&self, db: &Db, unit_id: i64) -> Result<Vec<Arc<OpenCase>>, StoreError> {
        if let Some(c) = self.lock().get(&unit_id)
            && c.read_at.elapsed() < KEEP_FOR
        {
            return Ok(c.cases.clone());
        }
        let cases: Vec<Arc<OpenCase>> = danvan_storage::petitions::open_in_unit(db, unit_id)
            .await?
            .into_iter()
            .map(|(id, tracking_code, title, folded)| {
                Arc::new(OpenCase {
                    id,
                    tracking_code,
                    title,
                    likeness: Likeness::of(&folded),
                })
            })
            .collect();
        self.lock().insert(
            unit_id,
            Commune {
                read_at: Instant::now(),
                cases: cases.clone(),
            },
        );
        Ok(cases)
    }

    /// A case received (and committed) here joins its commune's list, if it is kept.
    pub fn received(&self, unit_id: i64, case: OpenCase) {
        if let Some(c) = self.lock().get_mut(&unit_id) {
            c.cases.insert(0, Arc::new(case));
            c.cases.truncate(COMPARED);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Commune>> {
        self.communes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
