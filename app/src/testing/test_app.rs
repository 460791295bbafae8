//! `TestApp`: an app over a temporary data dir (a copy of a fixture, or new), removed on drop.

use crate::hooks::EventCounter;
use crate::{App, AppConfig, AppError, OnServe, new_app};
use std::collections::BTreeMap;
use std::path::Path;

/// An app on a temporary copy of a data dir, with every hook counted (for
/// [`super::ApiScenario::expected_events`]). The directory is deleted when it drops.
pub struct TestApp {
    /// The app under test.
    pub app: App,
    counter: EventCounter,
    dir: tempfile::TempDir,
}

impl TestApp {
    /// A bootstrapped app on a new, empty data dir.
    pub async fn new() -> Result<Self, AppError> {
        Self::open(None).await
    }

    /// A bootstrapped app on a temporary copy of the data dir `fixture` (left untouched).
    pub async fn from_fixture(fixture: &Path) -> Result<Self, AppError> {
        Self::open(Some(fixture)).await
    }

    async fn open(fixture: Option<&Path>) -> Result<Self, AppError> {
        let dir = tempfile::tempdir()
            .map_err(|e| AppError::Config(format!("cannot create a temp dir: {e}")))?;
        if let Some(fixture) = fixture {
            copy_dir(fixture, dir.path()).map_err(|e| {
                AppError::Config(format!("cannot copy fixture {}: {e}", fixture.display()))
            })?;
        }
        let app = new_app(&AppConfig {
            data_dir: dir.path().to_owned(),
            ..AppConfig::default()
        })
        .await?;
        let counter = EventCounter::default();
        app.bind_event_counter(&counter);
        app.on_serve().bind(counter.handler("on_serve"));
        app.bootstrap().await?;
        counter.reset();
        Ok(Self { app, counter, dir })
    }

    /// The HTTP endpoint of the app, as `serve` builds it.
    pub(crate) async fn endpoint(&self) -> Result<poem::endpoint::BoxEndpoint<'static>, AppError> {
        crate::server::build_endpoint(&self.app, basalt_http::HttpConfig::default(), None).await
    }

    /// The temporary data dir.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// How many times each hook fired since the last reset, by PocketBase's hook names
    /// (`OnRecordCreate`, `OnRecordsListRequest`, ...).
    pub fn events(&self) -> BTreeMap<String, usize> {
        self.counter.snapshot()
    }

    /// Forgets the event counts.
    pub fn reset_events(&self) {
        self.counter.reset();
    }

    /// A valid auth token for the record of auth collection `collection` whose email is
    /// `email` (for `Authorization` headers in scenarios).
    pub async fn auth_token(&self, collection: &str, email: &str) -> Result<String, AppError> {
        let c = self
            .app
            .find_collection(collection)
            .ok_or_else(|| AppError::NotFound(format!("collection {collection:?}")))?;
        let mut params = serde_json::Map::new();
        params.insert("email".into(), email.into());
        let record = self
            .app
            .find_first_record_by_filter(collection, "email = {:email}", &params)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!("no {collection} record with email {email}"))
            })?;
        self.app.new_auth_token(&c, &record)
    }
}

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
