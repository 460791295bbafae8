//! Path patterns as Go 1.22's `http.ServeMux` (which PocketBase's router builds on) reads
//! them: `/posts/{id}` (one non-empty segment), `/files/{path...}` (the rest of the path,
//! possibly empty), a trailing `/` (an anonymous `{...}`: a prefix match), and `/{$}` (only
//! the path ending in that slash). When several patterns match a request the most specific
//! wins; two patterns that match some same request without one being more specific than the
//! other conflict, and are rejected when the router is built.

use std::fmt;

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A literal segment (unescaped).
    Literal(String),
    /// `{name}`: one non-empty segment.
    Wild(String),
    /// `{name...}` or a trailing slash (empty name): the rest of the path.
    Multi(String),
    /// `{$}`: the path ends here, in a slash.
    End,
}

/// A parsed path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    /// The text it was parsed from.
    pub(crate) text: String,
    pub(crate) segments: Vec<Segment>,
}

/// Why a pattern was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternError(pub(crate) String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

impl Pattern {
    /// Parses a pattern (`/a/{id}/{rest...}`).
    pub(crate) fn parse(text: &str) -> Result<Self, PatternError> {
        let err = |m: &str| PatternError(format!("invalid route pattern {text:?}: {m}"));
        let Some(rest) = text.strip_prefix('/') else {
            return Err(err("it must start with '/'"));
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let mut segments = Vec::with_capacity(parts.len());
        let mut names: Vec<String> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            if part.is_empty() && last {
                segments.push(Segment::Multi(String::new()));
                break;
            }
            let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
                if part.contains(['{', '}']) {
                    return Err(err("a wildcard must be a whole segment"));
                }
                segments.push(Segment::Literal(percent_decode(part)));
                continue;
            };
            if inner == "$" {
                if !last {
                    return Err(err("{$} must be the last segment"));
                }
                segments.push(Segment::End);
                continue;
            }
            let (name, multi) = match inner.strip_suffix("...") {
                Some(n) => (n, true),
                None => (inner, false),
            };
            if !is_ident(name) {
                return Err(err(&format!("bad wildcard name {name:?}")));
            }
            if names.iter().any(|n| n == name) {
                return Err(err(&format!("duplicate wildcard name {name:?}")));
            }
            names.push(name.to_owned());
            if multi {
                if !last {
                    return Err(err("a {name...} wildcard must be the last segment"));
                }
                segments.push(Segment::Multi(name.to_owned()));
            } else {
                segments.push(Segment::Wild(name.to_owned()));
            }
        }
        Ok(Self {
            text: text.to_owned(),
            segments,
        })
    }

    /// Whether the last segment is a multi wildcard (named or a trailing slash).
    fn ends_in_multi(&self) -> bool {
        matches!(self.segments.last(), Some(Segment::Multi(_)))
    }

    /// Matches a clean, escaped request path; returns the wildcard values (unescaped).
    pub(crate) fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let rest = path.strip_prefix('/')?;
        let parts: Vec<&str> = rest.split('/').collect();
        let mut params = Vec::new();
        for (i, seg) in self.segments.iter().enumerate() {
            match seg {
                Segment::Literal(lit) => {
                    let part = parts.get(i)?;
                    if percent_decode(part) != *lit {
                        return None;
                    }
                }
                Segment::Wild(name) => {
                    let part = parts.get(i)?;
                    if part.is_empty() {
                        return None;
                    }
                    params.push((name.clone(), percent_decode(part)));
                }
                Segment::Multi(name) => {
                    if i >= parts.len() {
                        return None;
                    }
                    if !name.is_empty() {
                        params.push((name.clone(), percent_decode(&parts[i..].join("/"))));
                    }
                    return Some(params);
                }
                Segment::End => {
                    return (parts.len() == i + 1 && parts[i].is_empty()).then_some(params);
                }
            }
        }
        (parts.len() == self.segments.len()).then_some(params)
    }

    /// True when the pattern matches `path` exactly: not through a multi wildcard, or
    /// through one that matched nothing (Go's `exactMatch`, for trailing-slash redirects).
    pub(crate) fn matches_exactly(&self, path: &str) -> bool {
        if self.matches(path).is_none() {
            return false;
        }
        if !self.ends_in_multi() {
            return true;
        }
        path.ends_with('/') && self.segments.len() == path.matches('/').count()
    }
}

/// How two patterns (or methods) relate as sets of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// They match the same requests.
    Equivalent,
    /// The first matches a strict subset of what the second matches.
    MoreSpecific,
    /// The first matches a strict superset.
    MoreGeneral,
    /// Some requests match both, neither contains the other.
    Overlaps,
    /// No request matches both.
    Disjoint,
}

use Relation::*;

fn inverse(r: Relation) -> Relation {
    match r {
        MoreSpecific => MoreGeneral,
        MoreGeneral => MoreSpecific,
        other => other,
    }
}

fn combine(r1: Relation, r2: Relation) -> Relation {
    match r1 {
        Equivalent => r2,
        Disjoint => Disjoint,
        Overlaps => {
            if r2 == Disjoint {
                Disjoint
            } else {
                Overlaps
            }
        }
        MoreGeneral | MoreSpecific => match r2 {
            Equivalent => r1,
            r if r == inverse(r1) => Overlaps,
            other => other,
        },
    }
}

fn compare_segments(s1: &Segment, s2: &Segment) -> Relation {
    match (s1, s2) {
        (Segment::Multi(_), Segment::Multi(_)) => Equivalent,
        (Segment::Multi(_), _) => MoreGeneral,
        (_, Segment::Multi(_)) => MoreSpecific,
        (Segment::Wild(_), Segment::Wild(_)) => Equivalent,
        (Segment::Wild(_), Segment::End) | (Segment::End, Segment::Wild(_)) => Disjoint,
        (Segment::Wild(_), _) => MoreGeneral,
        (_, Segment::Wild(_)) => MoreSpecific,
        (Segment::End, Segment::End) => Equivalent,
        (Segment::Literal(a), Segment::Literal(b)) if a == b => Equivalent,
        _ => Disjoint,
    }
}

/// How the paths of two patterns relate (Go's `comparePaths`).
pub(crate) fn compare_paths(p1: &Pattern, p2: &Pattern) -> Relation {
    let (a, b) = (&p1.segments, &p2.segments);
    if a.len() != b.len() && !p1.ends_in_multi() && !p2.ends_in_multi() {
        return Disjoint;
    }
    let mut rel = Equivalent;
    for (s1, s2) in a.iter().zip(b.iter()) {
        rel = combine(rel, compare_segments(s1, s2));
        if rel == Disjoint {
            return rel;
        }
    }
    if a.len() == b.len() {
        return rel;
    }
    if a.len() < b.len() && p1.ends_in_multi() {
        return combine(rel, MoreGeneral);
    }
    if b.len() < a.len() && p2.ends_in_multi() {
        return combine(rel, MoreSpecific);
    }
    Disjoint
}

/// How two route methods relate (`None` matches any method; `GET` also matches `HEAD`).
pub(crate) fn compare_methods(m1: Option<&str>, m2: Option<&str>) -> Relation {
    match (m1, m2) {
        (None, None) => Equivalent,
        (None, Some(_)) => MoreGeneral,
        (Some(_), None) => MoreSpecific,
        (Some(a), Some(b)) if a == b => Equivalent,
        (Some("GET"), Some("HEAD")) => MoreGeneral,
        (Some("HEAD"), Some("GET")) => MoreSpecific,
        _ => Disjoint,
    }
}

/// How two routes relate: their methods and their paths.
pub(crate) fn compare(m1: Option<&str>, p1: &Pattern, m2: Option<&str>, p2: &Pattern) -> Relation {
    let m = compare_methods(m1, m2);
    if m == Disjoint {
        return Disjoint;
    }
    combine(m, compare_paths(p1, p2))
}

/// Whether a route method accepts a request method.
pub(crate) fn method_matches(route: Option<&str>, request: &str) -> bool {
    match route {
        None => true,
        Some(m) => m == request || (m == "GET" && request == "HEAD"),
    }
}

/// Go's `cleanPath`: resolves `.` and `..`, collapses repeated slashes, keeps a trailing
/// slash.
pub(crate) fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    let mut cleaned = format!("/{}", out.join("/"));
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if trailing && cleaned != "/" {
        cleaned.push('/');
    }
    cleaned
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are).
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        Pattern::parse(s).unwrap()
    }

    fn params(pat: &str, path: &str) -> Option<Vec<(String, String)>> {
        p(pat).matches(path)
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            p("/a/{id}/{rest...}").segments,
            [
                Segment::Literal("a".into()),
                Segment::Wild("id".into()),
                Segment::Multi("rest".into())
            ]
        );
        assert_eq!(
            p("/a/").segments,
            [Segment::Literal("a".into()), Segment::Multi(String::new())]
        );
        assert_eq!(p("/{$}").segments, [Segment::End]);
        for bad in [
            "a",
            "/{x...}/b",
            "/{$}/a",
            "/a{x}",
            "/{x}/{x}",
            "/{1x}",
            "/{}",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn matching() {
        assert_eq!(
            params("/posts/{id}", "/posts/abc"),
            Some(vec![("id".into(), "abc".into())])
        );
        assert_eq!(params("/posts/{id}", "/posts/"), None);
        assert_eq!(params("/posts/{id}", "/posts/a/b"), None);
        assert_eq!(
            params("/f/{path...}", "/f/a/b%20c"),
            Some(vec![("path".into(), "a/b c".into())])
        );
        assert_eq!(
            params("/f/{path...}", "/f/"),
            Some(vec![("path".into(), String::new())])
        );
        assert_eq!(params("/f/{path...}", "/f"), None);
        assert!(params("/a/", "/a/x/y").is_some());
        assert!(params("/a/", "/a").is_none());
        assert!(params("/a/{$}", "/a/").is_some());
        assert!(params("/a/{$}", "/a/x").is_none());
        assert!(params("/", "/anything").is_some());
        assert!(params("/{$}", "/").is_some());
        assert!(params("/{$}", "/x").is_none());
        assert!(params("/a%20b", "/a b").is_some());
    }

    #[test]
    fn relations() {
        let r = |a: &str, b: &str| compare_paths(&p(a), &p(b));
        assert_eq!(r("/a/b", "/a/{x}"), MoreSpecific);
        assert_eq!(r("/a/{x}", "/a/"), MoreSpecific);
        assert_eq!(r("/a/{x...}", "/a/"), Equivalent);
        assert_eq!(r("/a/{x}", "/{y}/b"), Overlaps);
        assert_eq!(r("/a/{$}", "/a/"), MoreSpecific);
        assert_eq!(r("/a/{$}", "/a/{x}"), Disjoint);
        assert_eq!(r("/a", "/b"), Disjoint);
        assert_eq!(
            compare(Some("GET"), &p("/a/{x}"), None, &p("/a/b")),
            Overlaps
        );
        assert_eq!(
            compare(Some("GET"), &p("/a"), Some("HEAD"), &p("/a")),
            MoreGeneral
        );
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean_path("/a/../b"), "/b");
        assert_eq!(clean_path("/a//b/"), "/a/b/");
        assert_eq!(clean_path("/../.."), "/");
        assert_eq!(clean_path("/a/."), "/a/");
        assert_eq!(clean_path("/"), "/");
        assert_eq!(percent_decode("%2e%2E/x%zz%4"), "../x%zz%4");
    }
}
