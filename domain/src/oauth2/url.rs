//! The authorization URL as Go's `oauth2.Config.AuthCodeURL` writes it.

/// Go's `url.QueryEscape`: unreserved characters (`A-Z a-z 0-9 - _ . ~`) kept, a space as
/// `+`, every other byte as `%XX`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `auth_url` with the code request's parameters (`response_type=code`, `client_id`,
/// `scope`, `state` and `params`), sorted by key as Go's `url.Values.Encode` sorts them.
pub fn build_auth_url(
    auth_url: &str,
    client_id: &str,
    scopes: &[String],
    state: &str,
    params: &[(&str, &str)],
) -> String {
    let mut values: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client_id.into()),
    ];
    if !scopes.is_empty() {
        values.push(("scope".into(), scopes.join(" ")));
    }
    if !state.is_empty() {
        values.push(("state".into(), state.into()));
    }
    for (k, v) in params {
        values.retain(|(key, _)| key != k);
        values.push(((*k).into(), (*v).into()));
    }
    values.sort_by(|a, b| a.0.cmp(&b.0));
    let query = values
        .iter()
        .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sep = if auth_url.contains('?') { '&' } else { '?' };
    format!("{auth_url}{sep}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_pocketbase_builds() {
        let url = build_auth_url(
            "http://localhost:1/auth",
            "a2",
            &["openid".into(), "email".into(), "profile".into()],
            "st",
            &[
                ("code_challenge", "XvzM-_"),
                ("code_challenge_method", "S256"),
            ],
        );
        assert_eq!(
            url,
            "http://localhost:1/auth?client_id=a2&code_challenge=XvzM-_&code_challenge_method=S256&response_type=code&scope=openid+email+profile&state=st"
        );
        assert_eq!(query_escape("a b/c:d~*"), "a+b%2Fc%3Ad~%2A");
    }
}
