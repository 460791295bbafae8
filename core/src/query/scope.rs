//! The caller of a request as the rules see it: its `@request` data (auth record, method,
//! query, headers, body), built once, the first time a rule or filter needs it.

use crate::App;
use basalt_domain::filter::{AuthInfo, RequestInfo};
use basalt_ports::{Auth, RequestContext, ServiceError};
use serde_json::{Map, Value};

/// One caller, with its `@request` data once built.
pub(crate) struct RequestScope<'r> {
    /// The request.
    pub(crate) req: &'r RequestContext,
    body: Map<String, Value>,
    info: Option<RequestInfo>,
}

impl<'r> RequestScope<'r> {
    /// The scope of `req`, with no body.
    pub(crate) fn new(req: &'r RequestContext) -> Self {
        Self::with_body(req, Map::new())
    }

    /// The scope of `req` submitting `body` (seen by the rules as `@request.body`).
    pub(crate) fn with_body(req: &'r RequestContext, body: Map<String, Value>) -> Self {
        Self {
            req,
            body,
            info: None,
        }
    }

    /// Who is asking.
    pub(crate) fn auth(&self) -> &Auth {
        &self.req.auth
    }

    /// The `@request` data, in request `context` (`default`, `expand`, `realtime`): the
    /// auth record is loaded (unless the token check already did) the first time only.
    pub(crate) async fn info(
        &mut self,
        app: &App,
        context: &str,
    ) -> Result<&RequestInfo, ServiceError> {
        let info = match self.info.take() {
            Some(info) => info,
            None => request_info(app, self.req, std::mem::take(&mut self.body)).await?,
        };
        let info = self.info.insert(info);
        if info.context != context {
            context.clone_into(&mut info.context);
        }
        Ok(info)
    }
}

/// The `@request` data of `req` with `body`.
async fn request_info(
    app: &App,
    req: &RequestContext,
    body: Map<String, Value>,
) -> Result<RequestInfo, ServiceError> {
    let auth = match &req.auth {
        Auth::Guest => None,
        Auth::Record {
            collection_id, id, ..
        } => match (app.find_collection(collection_id), &req.auth_record) {
            (Some(c), Some(data)) => Some(AuthInfo {
                collection: c.shared(),
                record: Map::clone(data),
            }),
            (Some(c), None) => crate::records::read::find_by_id(app, &c, id)
                .await?
                .map(|r| AuthInfo {
                    collection: c.shared(),
                    record: r.data,
                }),
            (None, _) => None,
        },
    };
    Ok(RequestInfo {
        auth,
        method: req.method.clone(),
        query: req.query.clone(),
        headers: req.headers.clone(),
        body,
        context: "default".into(),
    })
}
