//! URL checks as PocketBase makes them: ozzo's `is.URL` (govalidator's `IsURL`, which
//! combines Go's `net/url.Parse` with a large pattern) and the parsed host for the domain
//! lists.

use super::goregex::compile_go_regex;
use regex::Regex;
use std::sync::LazyLock;

const IP: &str = r"(([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:)|fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}|::(ffff(:0{1,4}){0,1}:){0,1}((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])|([0-9a-fA-F]{1,4}:){1,4}:((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9]))";
const URL_SCHEMA: &str = r"((ftp|tcp|udp|wss?|https?):\/\/)";
const URL_USERNAME: &str = r"(\S+(:\S*)?@)";
const URL_PATH: &str = r"((\/|\?|#)[^\s]*)";
const URL_PORT: &str = r"(:(\d{1,5}))";
const URL_IP: &str = r"([1-9]\d?|1\d\d|2[01]\d|22[0-3]|24\d|25[0-5])(\.(\d{1,2}|1\d\d|2[0-4]\d|25[0-5])){2}(?:\.([0-9]\d?|1\d\d|2[0-4]\d|25[0-5]))";
const URL_SUBDOMAIN: &str =
    r"((www\.)|([a-zA-Z0-9]+([-_\.]?[a-zA-Z0-9])*[a-zA-Z0-9]\.[a-zA-Z0-9]+))";

/// govalidator's `URL` pattern, assembled as it does.
fn url_pattern() -> String {
    format!(
        r"^{URL_SCHEMA}?{URL_USERNAME}?(({URL_IP}|(\[{IP}\])|(([a-zA-Z0-9]([a-zA-Z0-9-_]+)?[a-zA-Z0-9]([-\.][a-zA-Z0-9]+)*)|({URL_SUBDOMAIN}?))?(([a-zA-Z\x{{00a1}}-\x{{ffff}}0-9]+-?-?)*[a-zA-Z\x{{00a1}}-\x{{ffff}}0-9]+)(?:\.([a-zA-Z\x{{00a1}}-\x{{ffff}}]{{1,}}))?))\.?{URL_PORT}?{URL_PATH}?$"
    )
}

static URL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| compile_go_regex(&url_pattern()).ok());

const MAX_URL_RUNE_COUNT: usize = 2083;
const MIN_URL_RUNE_COUNT: usize = 3;

/// govalidator's `IsURL` (ozzo's `is.URL`): a URL with or without a scheme.
pub fn is_url(s: &str) -> bool {
    if s.is_empty()
        || s.chars().count() >= MAX_URL_RUNE_COUNT
        || s.len() <= MIN_URL_RUNE_COUNT
        || s.starts_with('.')
    {
        return false;
    }
    let parsed = if s.contains(':') && !s.contains("://") {
        parse_url(&format!("http://{s}"))
    } else {
        parse_url(s)
    };
    let Some(u) = parsed else {
        return false;
    };
    if u.host.starts_with('.') {
        return false;
    }
    if u.host.is_empty() && !u.path.is_empty() && !u.path.contains('.') {
        return false;
    }
    URL_RE.as_ref().is_some_and(|re| re.is_match(s))
}

/// The parts of a parsed URL the checks use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GoUrl {
    /// `host[:port]`, unescaped (Go's `URL.Host`).
    pub host: String,
    /// The unescaped path (Go's `URL.Path`).
    pub path: String,
}

/// Go's `net/url.Parse`, reduced to what decides success and the host and path.
pub(crate) fn parse_url(raw: &str) -> Option<GoUrl> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return None; // invalid control character
    }
    let (rest, fragment) = raw.split_once('#').unwrap_or((raw, ""));
    unescape(fragment, Mode::Other)?;
    if rest == "*" {
        return Some(GoUrl {
            host: String::new(),
            path: "*".into(),
        });
    }
    let (scheme, rest) = split_scheme(rest)?;
    let rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        rest.split_once('?').map_or(rest, |(before, _)| before)
    };
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            // opaque URL ("mailto:x"): no host, no path
            return Some(GoUrl::default());
        }
        let segment = rest.split_once('/').map_or(rest, |(s, _)| s);
        if segment.contains(':') {
            return None; // first path segment in URL cannot contain colon
        }
    }
    let mut url = GoUrl::default();
    let mut path = rest;
    if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, tail) = match authority_and_path.find('/') {
            Some(i) => authority_and_path.split_at(i),
            None => (authority_and_path, ""),
        };
        url.host = parse_authority(authority)?;
        path = tail;
    }
    url.path = unescape(path, Mode::Other)?;
    Some(url)
}

/// Go's `getScheme`: `(scheme, rest)`; no scheme when the text before `:` isn't one.
fn split_scheme(raw: &str) -> Option<(&str, &str)> {
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Some(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return None; // missing protocol scheme
                }
                return Some((&raw[..i], &raw[i + 1..]));
            }
            _ => return Some(("", raw)),
        }
    }
    Some(("", raw))
}

/// Go's `parseAuthority`: the unescaped host, after checking the user info.
fn parse_authority(authority: &str) -> Option<String> {
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let host = parse_host(host)?;
    if let Some(info) = userinfo {
        let valid = info
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b >= 0x80 || b"-._:~!$&'()*+,;=%@".contains(&b));
        if !valid {
            return None;
        }
        unescape(info, Mode::Other)?;
    }
    Some(host)
}

/// Go's `parseHost` (with Go 1.26's rejection of colons in the host name).
fn parse_host(host: &str) -> Option<String> {
    if host.starts_with('[') {
        let end = host.rfind(']')?;
        if !valid_optional_port(&host[end + 1..]) {
            return None;
        }
        return unescape(host, Mode::Host);
    }
    if let Some(i) = host.rfind(':')
        && (!valid_optional_port(&host[i..]) || host[..i].contains(':'))
    {
        return None;
    }
    unescape(host, Mode::Host)
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Host,
    Other,
}

/// Go's `unescape`: `%XX` sequences must be valid; in a host, only non-ASCII bytes (and
/// `%25`) may be escaped, and characters outside the host set are refused.
fn unescape(s: &str, mode: Mode) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            if mode == Mode::Host && hi < 8 && &bytes[i..i + 3] != b"%25" {
                return None;
            }
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        if mode == Mode::Host && b < 0x80 && !host_char(b) {
            return None;
        }
        out.push(b);
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!$&'()*+,;=:[]<>\"-_.~".contains(&b)
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_compiles() {
        assert!(URL_RE.is_some());
    }

    #[test]
    fn urls() {
        for ok in [
            "https://example.com",
            "http://example.com/path?q=1#frag",
            "example.com",
            "www.example.com/a",
            "http://localhost:8090",
            "localhost:8090",
            "ftp://user:pass@example.com:21/file",
            "https://127.0.0.1/a",
            "http://[::1]:80/",
            "https://exämple.com",
            "https://sub.example.co.uk/a%20b",
            "mailto:x@example.com",
            "wss://example.com/socket",
        ] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in [
            "",
            "abc",
            "a.b",
            ".example.com",
            "localhost",
            "http://",
            "https://exa mple.com",
            "http://example.com/%zz",
            "http://example.com:port",
            "http://a:80:80/",
            "://example.com",
            "http://example.com/\n",
            "javascript:alert(1)",
            "http://.example.com",
            "invalid url",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
        assert!(!is_url(&format!(
            "https://example.com/{}",
            "a".repeat(2083)
        )));
    }

    #[test]
    fn parses_hosts_and_paths() {
        let u = parse_url("https://user@Example.com:8080/a%2Fb?x#y").unwrap();
        assert_eq!(u.host, "Example.com:8080");
        assert_eq!(u.path, "/a/b");
        assert_eq!(parse_url("example.com/path").unwrap().host, "");
        assert_eq!(
            parse_url("example.com/path").unwrap().path,
            "example.com/path"
        );
        assert_eq!(parse_url("mailto:a@b").unwrap(), GoUrl::default());
        assert!(parse_url("a:b/c").is_some());
        assert!(parse_url("1a:b").is_none(), "colon in first path segment");
        assert!(
            parse_url("http://ex%41mple.com").is_none(),
            "escaped ASCII in host"
        );
        assert!(parse_url("http://ex%C3%A4mple.com").is_some());
        assert!(parse_url("http://a b.com").is_none());
        assert!(parse_url("http://a{b}.com").is_none());
        assert!(parse_url("http://us er@a.com").is_none());
        assert!(parse_url("http://[::1").is_none());
        assert!(parse_url("http://[::1]x").is_none());
        assert!(parse_url("http://a.com#%zz").is_none());
        assert!(
            parse_url("http://a.com?%zz").is_some(),
            "the query is not checked"
        );
        assert_eq!(parse_url("*").unwrap().path, "*");
        assert_eq!(parse_url("///x").unwrap().path, "///x");
    }
}
