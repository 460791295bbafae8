//! [`static_dir`]: PocketBase's `apis.Static`, serving a directory (`pb_public`) from a
//! route with a `{path...}` wildcard.

use super::RequestEvent;
use super::respond::file_not_found;
use basalt_ports::hook::{BoxFuture, HookResult};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The wildcard a [`static_dir`] route must have: `{path...}`.
pub const STATIC_WILDCARD_PARAM: &str = "path";

/// PocketBase's index page.
const INDEX_PAGE: &str = "index.html";

/// A route action serving the files under `dir`, for a route with a `{path...}` wildcard:
/// `router.get("/{path...}", static_dir("pb_public", false))`.
///
/// The wildcard is cleaned (`.`/`..` resolved) and anything that would leave `dir` is a
/// 404. A directory is redirected to its trailing-slash form and served its `index.html`;
/// `/x/index.html` and `/file/` redirect to `/x/` and `/file`. With `index_fallback`
/// (single-page apps), a missing file serves the root `index.html` instead of a 404.
/// Successful responses are marked [`skip_success_activity_log`](super::skip_success_activity_log).
pub fn static_dir<A: Send + 'static>(
    dir: impl Into<PathBuf>,
    index_fallback: bool,
) -> impl for<'a> Fn(&'a mut RequestEvent<A>) -> BoxFuture<'a, HookResult> + Send + Sync + 'static {
    let dir: Arc<Path> = dir.into().into();
    move |e: &mut RequestEvent<A>| {
        let dir = dir.clone();
        Box::pin(async move { serve(e, &dir, index_fallback) })
    }
}

/// Go's `path.Clean` of a relative path; `None` when it climbs out (`../x`).
fn clean_relative(raw: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in raw.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p if p.contains('\0') => return None,
            p => out.push(p),
        }
    }
    Some(out.join("/"))
}

/// PocketBase's `safeRedirectPath`: a single leading slash, so the redirect stays on-site.
fn safe_redirect_path(path: &str) -> String {
    let b = path.as_bytes();
    if b.len() > 1 && matches!(b[0], b'/' | b'\\') && matches!(b[1], b'/' | b'\\') {
        return format!("/{}", path.trim_start_matches(['/', '\\']));
    }
    path.to_owned()
}

fn serve<A: Send + 'static>(e: &mut RequestEvent<A>, dir: &Path, fallback: bool) -> HookResult {
    e.skip_success_activity_log = true;
    let raw = e.path_param(STATIC_WILDCARD_PARAM).unwrap_or("").to_owned();
    let fallback_to_index = |e: &mut RequestEvent<A>, name: &str| {
        if fallback && name != INDEX_PAGE {
            e.file(dir.join(INDEX_PAGE))
        } else {
            Err(file_not_found())
        }
    };
    let Some(name) = clean_relative(&raw) else {
        return fallback_to_index(e, &raw);
    };
    let full = if name.is_empty() {
        dir.to_path_buf()
    } else {
        dir.join(&name)
    };
    let Ok(meta) = std::fs::metadata(&full) else {
        return fallback_to_index(e, &name);
    };
    let url_path = e.uri().path().to_owned();
    if meta.is_dir() {
        if !url_path.ends_with('/') {
            return e.redirect(301, &safe_redirect_path(&format!("{url_path}/")));
        }
    } else if url_path.ends_with('/') {
        let trimmed = url_path.trim_end_matches('/');
        if !trimmed.is_empty() {
            return e.redirect(301, &safe_redirect_path(trimmed));
        }
    } else if let Some(stripped) = url_path.strip_suffix(INDEX_PAGE) {
        return e.redirect(301, &safe_redirect_path(stripped));
    }
    match e.file(&full) {
        Err(basalt_ports::ServiceError::NotFound(_)) => fallback_to_index(e, &name),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_refuses_to_climb_out() {
        assert_eq!(clean_relative("a/./b//c").as_deref(), Some("a/b/c"));
        assert_eq!(clean_relative("a/../b").as_deref(), Some("b"));
        assert_eq!(clean_relative("").as_deref(), Some(""));
        assert_eq!(clean_relative("../etc/passwd"), None);
        assert_eq!(clean_relative("a/../../x"), None);
        assert_eq!(clean_relative("..\\x"), None);
        assert_eq!(safe_redirect_path("//evil.com/"), "/evil.com/");
        assert_eq!(safe_redirect_path("/ok/"), "/ok/");
    }
}
