//! [`App`], the facade of the core: the ports it runs on and the state its clones share
//! (collections cache, hooks, caches, settings, cron, realtime broker). Its public methods
//! are the library API, grouped by area in this module's files (`records.rs`, ...); each
//! hands the work to the use-case module of its area.

mod auth;
mod collections;
mod find;
mod lifecycle;
mod migrations;
mod records;
mod settings;
mod transaction;

use crate::error::AppError;
use basalt_domain::datetime::format_datetime;
use basalt_domain::pattern::generate_from_pattern;
use basalt_ports::{Clock, Database, Random};

use crate::count_cache::{CountCache, VersionedCache};
use crate::hooks::Hooks;
use crate::schema::CollectionsCache;
use crate::tx::TxShared;
use crate::versioned::{VersionedDb, WriteVersion};
use basalt_domain::record::Record;
use std::sync::{Arc, RwLock};

/// A running Basalt: the database, clock, randomness and the collections cache. Cheap to
/// clone; every clone shares the same state. It implements the service API
/// ([`basalt_ports::Services`]) the HTTP adapter drives.
///
/// Inside [`App::run_in_transaction`] the closure gets a *transactional* clone: same state,
/// but every statement runs in the open transaction.
#[derive(Clone)]
pub struct App {
    pub(crate) inner: Arc<Inner>,
    /// The database statements go to: the pool, or the open transaction.
    pub(crate) db: Arc<dyn Database>,
    /// The open transaction of a transactional app.
    pub(crate) tx: Option<Arc<TxShared>>,
}

pub(crate) struct Inner {
    pub(crate) db: Arc<dyn Database>,
    auxiliary: Arc<dyn Database>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
    pub(crate) collections: RwLock<CollectionsCache>,
    pub(crate) hooks: Hooks,
    /// Totals of list queries, while nothing was written.
    pub(crate) counts: CountCache,
    /// Auth records by collection and id, for token checks, while nothing was written.
    pub(crate) auth_records: VersionedCache<Record>,
    settings: crate::settings::SettingsState,
    cron: crate::cron::Cron,
    /// Migrations registered on this app (`App::register_migration`).
    pub(crate) migrations: std::sync::Mutex<crate::migrations::MigrationsList>,
    /// The connected realtime clients.
    pub(crate) realtime: crate::realtime::Broker,
    /// Where files are stored, and the thumbs being generated.
    pub(crate) files: crate::files::FilesState,
    /// How mail is sent, and the resend limits (`crate::mail`).
    pub(crate) mail: crate::mail::MailState,
    /// The log queue and its writer (`crate::logs`).
    pub(crate) logs: crate::logs::LogsState,
    /// The backup or restore running now, and the restart handler.
    pub(crate) backups: crate::backups::BackupsState,
    /// Per-app state of crates built on the core, one value per type ([`App::extension`]).
    extensions: std::sync::Mutex<Extensions>,
}

/// An app held weakly (by jobs and loggers the app itself owns), for [`App::from_weak`].
pub(crate) type WeakApp = std::sync::Weak<Inner>;

/// [`App::extension`]'s values, by type.
type Extensions = std::collections::HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>;

impl App {
    /// Builds an app over the given ports, with one database for `data.db` and
    /// `auxiliary.db` alike. Call [`App::bootstrap`] before serving.
    pub fn new(db: Arc<dyn Database>, clock: Arc<dyn Clock>, random: Arc<dyn Random>) -> Self {
        Self::with_auxiliary(db.clone(), db, clock, random)
    }

    /// Builds an app over the given ports: `db` is `data.db`, `auxiliary` is
    /// `auxiliary.db` (PocketBase's logs database).
    pub fn with_auxiliary(
        db: Arc<dyn Database>,
        auxiliary: Arc<dyn Database>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Self {
        let version = Arc::new(WriteVersion::default());
        let db: Arc<dyn Database> = Arc::new(VersionedDb {
            db,
            version: version.clone(),
        });
        let app = Self {
            inner: Arc::new(Inner {
                counts: CountCache::new(version.clone()),
                auth_records: VersionedCache::new(version),
                cron: crate::cron::system::app_cron(&db, &auxiliary, &clock),
                db: db.clone(),
                auxiliary,
                clock,
                random,
                collections: RwLock::new(CollectionsCache::default()),
                hooks: Hooks::default(),
                settings: Default::default(),
                migrations: Default::default(),
                realtime: Default::default(),
                files: Default::default(),
                mail: Default::default(),
                logs: Default::default(),
                backups: Default::default(),
                extensions: Default::default(),
            }),
            db,
            tx: None,
        };
        crate::cron::system::register_cleanups(&app);
        crate::backups::register_auto_backup(&app);
        app
    }

    /// This app's value of type `T`, made with `T::default()` on first use and shared by
    /// every clone of the app: state that a crate built on the core keeps per app (the
    /// `basalt` composition root keeps its `on_serve` hook here).
    pub fn extension<T: std::any::Any + Default + Send + Sync>(&self) -> Arc<T> {
        let mut map = self
            .inner
            .extensions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let value = map
            .entry(std::any::TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        drop(map);
        value
            .downcast::<T>()
            .unwrap_or_else(|_| Arc::new(T::default()))
    }

    /// Every hook of the app.
    pub(crate) fn hooks(&self) -> &Hooks {
        &self.inner.hooks
    }

    /// The list totals remembered while nothing was written.
    pub(crate) fn count_cache(&self) -> &CountCache {
        &self.inner.counts
    }

    /// The settings cache and key (see `crate::settings`).
    pub(crate) fn settings_state(&self) -> &crate::settings::SettingsState {
        &self.inner.settings
    }

    /// The database port: inside a transaction, the transaction.
    pub fn db(&self) -> &Arc<dyn Database> {
        &self.db
    }

    /// The app behind a weak reference (for jobs the app itself holds), if it still exists.
    pub(crate) fn from_weak(weak: &std::sync::Weak<Inner>) -> Option<App> {
        weak.upgrade().map(Self::outside_transactions)
    }

    /// The app on `inner`, outside any transaction.
    fn outside_transactions(inner: Arc<Inner>) -> App {
        App {
            db: inner.db.clone(),
            inner,
            tx: None,
        }
    }

    /// The same app outside any transaction (itself when not transactional).
    pub fn non_transactional(&self) -> App {
        Self::outside_transactions(self.inner.clone())
    }

    /// True inside [`App::run_in_transaction`].
    pub fn is_transactional(&self) -> bool {
        self.tx.is_some()
    }

    /// The realtime broker: the connected clients.
    pub fn realtime(&self) -> &crate::realtime::Broker {
        &self.inner.realtime
    }

    /// The job scheduler (PocketBase's `app.Cron()`), with Basalt's own `__pb*` jobs.
    pub fn cron(&self) -> &crate::cron::Cron {
        &self.inner.cron
    }

    /// The auxiliary database (`auxiliary.db`).
    pub fn auxiliary_db(&self) -> &Arc<dyn Database> {
        &self.inner.auxiliary
    }

    /// The randomness port.
    pub(crate) fn random(&self) -> &Arc<dyn Random> {
        &self.inner.random
    }

    /// Now, formatted as PocketBase stores times.
    pub fn now(&self) -> String {
        format_datetime(&self.now_datetime())
    }

    /// Now, from the injected clock.
    pub fn now_datetime(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_millis(self.inner.clock.now_millis()).unwrap_or_default()
    }

    /// Now, as seconds since the epoch.
    pub fn now_secs(&self) -> i64 {
        self.inner.clock.now_millis() / 1000
    }

    /// A random string matching a simple pattern such as `[a-z0-9]{15}`.
    pub fn random_from_pattern(&self, pattern: &str) -> Result<String, AppError> {
        let random = &self.inner.random;
        generate_from_pattern(pattern, &mut |n| random.index(n)).map_err(|e| AppError::Pattern {
            pattern: pattern.to_owned(),
            reason: e.to_string(),
        })
    }

    /// A random 15-char record id.
    pub fn new_record_id(&self) -> Result<String, AppError> {
        self.random_from_pattern(basalt_domain::pattern::ID_PATTERN)
    }
}
