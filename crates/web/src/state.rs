//! What every request can reach: the database, the unit tree, settings, metrics.

use std::sync::{Arc, RwLock};

use danvan_domain::UnitTree;
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
}

impl AppState {
    /// Loads the unit tree from the (migrated) database.
    pub async fn new(db: Db, config: Config) -> Result<Self, danvan_storage::StoreError> {
        let tree = danvan_storage::units::load_tree(&db).await?;
        let files = danvan_files::FileStore::new(config.data_dir.join("files")).map_err(|e| {
            danvan_storage::StoreError::Other(format!("cannot open the file store: {e}"))
        })?;
        Ok(Self {
            files: Arc::new(files),
            db,
            tree: Arc::new(RwLock::new(Arc::new(tree))),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            started: std::time::Instant::now(),
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
