//! Which record action a batch request names, read from its method and url as PocketBase's
//! `ValidBatchActions` patterns read them: `POST` and `PUT` (upsert) on
//! `/api/collections/{c}/records`, `PATCH` and `DELETE` on `/api/collections/{c}/records/{id}`,
//! each with an optional query (`expand`, `fields`, ...). Anything else is unknown.

use serde_json::{Map, Value};

/// A batch request's record action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// `POST …/records`.
    Create {
        /// The collection (id or name).
        collection: String,
    },
    /// `PUT …/records`: an update when the body's `id` names a stored record, else a create.
    Upsert {
        /// The collection (id or name).
        collection: String,
    },
    /// `PATCH …/records/{id}`.
    Update {
        /// The collection (id or name).
        collection: String,
        /// The record id.
        id: String,
    },
    /// `DELETE …/records/{id}`.
    Delete {
        /// The collection (id or name).
        collection: String,
        /// The record id.
        id: String,
    },
}

/// A request's action and its query parameters (a repeated key keeps its last value);
/// `None` for anything but the four record actions. The method is compared uppercased.
pub(crate) fn parse(method: &str, url: &str) -> Option<(Action, Map<String, Value>)> {
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, query),
        None => (url, ""),
    };
    let rest = path.strip_prefix("/api/collections/")?;
    let mut segments = rest.split('/');
    let collection = segments.next().filter(|c| !c.is_empty())?.to_owned();
    if segments.next() != Some("records") {
        return None;
    }
    let id = segments.next();
    if segments.next().is_some() {
        return None;
    }
    let action = match (method.to_ascii_uppercase().as_str(), id) {
        ("POST", None) => Action::Create { collection },
        ("PUT", None) => Action::Upsert { collection },
        ("PATCH", Some(id)) if !id.is_empty() => Action::Update {
            collection,
            id: id.to_owned(),
        },
        ("DELETE", Some(id)) if !id.is_empty() => Action::Delete {
            collection,
            id: id.to_owned(),
        },
        _ => return None,
    };
    let params = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    Some((action, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(method: &str, url: &str) -> Option<Action> {
        parse(method, url).map(|(a, _)| a)
    }

    #[test]
    fn the_four_record_actions() {
        let c = || "posts".to_owned();
        assert_eq!(
            action("POST", "/api/collections/posts/records"),
            Some(Action::Create { collection: c() })
        );
        assert_eq!(
            action("put", "/api/collections/posts/records?fields=id"),
            Some(Action::Upsert { collection: c() })
        );
        assert_eq!(
            action("PATCH", "/api/collections/posts/records/abc"),
            Some(Action::Update {
                collection: c(),
                id: "abc".into()
            })
        );
        assert_eq!(
            action("DELETE", "/api/collections/posts/records/abc?x=1"),
            Some(Action::Delete {
                collection: c(),
                id: "abc".into()
            })
        );
    }

    #[test]
    fn anything_else_is_unknown() {
        for (m, u) in [
            ("GET", "/api/collections/posts/records"),
            ("GET", "/api/health"),
            ("POST", "/api/collections/posts/records/"),
            ("POST", "http://x/api/collections/posts/records"),
            ("PATCH", "/api/collections/posts/records"),
            ("DELETE", "/api/collections/posts/records/a/b"),
            ("POST", "/api/collections//records"),
        ] {
            assert_eq!(action(m, u), None, "{m} {u}");
        }
    }

    #[test]
    fn query_parameters_are_decoded() {
        let (_, q) = parse(
            "POST",
            "/api/collections/posts/records?expand=a%2Cb&fields=id,title",
        )
        .unwrap_or_else(|| panic!("a create"));
        assert_eq!(q["expand"], "a,b");
        assert_eq!(q["fields"], "id,title");
    }
}
