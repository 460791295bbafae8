//! The test harness (PocketBase's `tests` package): [`TestApp`], an app on a temporary copy
//! of a fixture data dir, and [`ApiScenario`], a request through the real HTTP stack in
//! process with expected status, content and fired hooks.

mod scenario;
mod test_app;

pub use scenario::{AfterTest, ApiScenario, BeforeTest, ScenarioResponse};
pub use test_app::TestApp;
