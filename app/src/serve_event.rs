//! `on_serve` (PocketBase's `app.OnServe()`): the one hook that hands out the HTTP router,
//! so it lives here, in the composition root that owns the HTTP adapter, rather than in the
//! core. It is kept per app in [`App::extension`].

use crate::App;
use basalt_http::Router;
use basalt_ports::hook::{Chain, Event, Hook};
use std::sync::Arc;

/// `on_serve`: the server is about to start. Add routes and middlewares to `router`
/// (PocketBase's `se.Router`); they are served in front of the built-in API.
pub struct ServeEvent {
    /// The app.
    pub app: App,
    /// The router for custom routes and middlewares.
    pub router: Router<App>,
    chain: Chain<Self>,
}

impl Event for ServeEvent {
    fn chain(&mut self) -> &mut Chain<Self> {
        &mut self.chain
    }
}

impl ServeEvent {
    /// The event for `app` with an empty router.
    pub(crate) fn new(app: App) -> Self {
        Self {
            app,
            router: Router::new(),
            chain: Chain::default(),
        }
    }
}

/// The app's `on_serve` hook: `use basalt::OnServe;` (or `basalt::prelude::*`), then
/// `app.on_serve().bind_func(|e| …)`.
pub trait OnServe {
    /// Before the server starts: `e.router` takes custom routes and middlewares
    /// (`basalt::router`). Shared by every clone of the app.
    fn on_serve(&self) -> Arc<Hook<ServeEvent>>;
}

impl OnServe for App {
    fn on_serve(&self) -> Arc<Hook<ServeEvent>> {
        self.extension::<Hook<ServeEvent>>()
    }
}
