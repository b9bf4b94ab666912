//! What every request can reach: the database, the unit tree, settings, metrics.

use std::sync::{Arc, RwLock};

use danvan_domain::UnitTree;
use danvan_domain::clock::Clock;
use danvan_domain::seal::SealKey;
use danvan_storage::Db;

use crate::config::Config;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    tree: Arc<RwLock<Arc<UnitTree>>>,
    pub config: Arc<Config>,
    pub files: Arc<danvan_files::FileStore>,
    pub metrics: Arc<Metrics>,
    pub started: std::time::Instant,
    /// The time deadlines run on (tests move it forward).
    pub clock: Clock,
    /// Seals petitioners' personal data at rest.
    pub seal: Arc<SealKey>,
    /// Wakes this server's job worker when a request queues work (an export), instead of
    /// leaving it to the next poll; other servers find the job at theirs.
    pub jobs_wake: Arc<tokio::sync::Notify>,
    /// Public pages as anonymous visitors see them, for a few seconds.
    pub pages: crate::page_cache::PageCache,
    /// Who read which story lately, as salted hashes in memory only (for counting views).
    pub views: crate::views::ViewCounter,
    /// Small frequent writes (public submissions, their rate-limit hits) share one commit.
    pub group: danvan_storage::group_commit::GroupCommit,
    /// The calendar, time limits and routing that received petitions apply, kept briefly.
    pub rules: Arc<crate::rules::Rules>,
    /// Each commune's open petitions, ready for the duplicate check, kept briefly.
    pub open_cases: Arc<crate::open_cases::OpenCases>,
}

impl AppState {
    /// Loads the unit tree from the (migrated) database.
    pub async fn new(db: Db, config: Config) -> Result<Self, danvan_storage::StoreError> {
        let tree = danvan_storage::units::load_tree(&db).await?;
        // Databases created before the search index (or indexed by an older indexer) are
        // indexed once here, before the first request.
        if let Some(n) = danvan_storage::search::ensure(&db).await? {
            tracing::info!(documents = n, "built the search index");
        }
        let files = danvan_files::FileStore::new(config.data_dir.join("files")).map_err(|e| {
            danvan_storage::StoreError::Other(format!("cannot open the file store: {e}"))
        })?;
        let seal = load_seal_key(&config).map_err(danvan_storage::StoreError::Other)?;
        check_seal_key(&db, &seal).await?;
        let pages = crate::page_cache::PageCache::new(
            std::time::Duration::from_secs(config.page_cache_secs),
            PAGE_CACHE_BYTES,
        );
        Ok(Self {
            seal: Arc::new(seal),
            clock: Clock::system(),
            files: Arc::new(files),
            group: danvan_storage::group_commit::GroupCommit::start(db.clone()),
            db,
            tree: Arc::new(RwLock::new(Arc::new(tree))),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            started: std::time::Instant::now(),
            jobs_wake: Arc::new(tokio::sync::Notify::new()),
            pages,
            views: crate::views::ViewCounter::default(),
            rules: Arc::default(),
            open_cases: Arc::default(),
        })
    }

    /// A snapshot of the unit tree (cheap: an `Arc` clone).
    pub fn tree(&self) -> Arc<UnitTree> {
        match self.tree.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-reads the tree after units change.
    pub async fn reload_tree(&self) -> Result<(), danvan_storage::StoreError> {
        let fresh = Arc::new(danvan_storage::units::load_tree(&self.db).await?);
        match self.tree.write() {
            Ok(mut t) => *t = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}

/// The key from the configuration, or the one kept in the data dir (generated there, readable
/// by the owner only, on first start). Losing it makes sealed contact details unreadable, so
/// the backup instructions name it.
fn load_seal_key(config: &Config) -> Result<SealKey, String> {
    if let Some(k) = &config.seal_key {
        return SealKey::from_base64(k).map_err(|e| format!("DANVAN_SEAL_KEY: {e}"));
    }
    let dir = config.data_dir.join("keys");
    let path = dir.join("petitioners.key");
    if !path.exists() {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        write_private(&path, SealKey::generate().as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    SealKey::from_base64(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// What the public page cache may hold: a few thousand model pages.
const PAGE_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// The settings key of a known text sealed with the database's key.
const SEAL_CHECK: &str = "seal_key_check";
const SEAL_CHECK_TEXT: &[u8] = b"danvan seal key";

/// Refuses to start with a key other than the one the database's personal data is sealed
/// with: two servers (or a restored backup) with different keys would each write contact
/// details that the other cannot open, and the household blind index would stop matching.
/// The first server to start on a database leaves a known text sealed with its key.
async fn check_seal_key(db: &Db, seal: &SealKey) -> Result<(), danvan_storage::StoreError> {
    let kept = danvan_storage::settings::get_or_insert(db, SEAL_CHECK, &seal.seal(SEAL_CHECK_TEXT))
        .await?;
    match seal.open(&kept) {
        Ok(text) if text == SEAL_CHECK_TEXT => Ok(()),
        _ => Err(danvan_storage::StoreError::Other(
            "the personal data in this database is sealed with another key: start every \
             server with the same --seal-key (or the same keys/petitioners.key in its data dir)"
                .into(),
        )),
    }
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
