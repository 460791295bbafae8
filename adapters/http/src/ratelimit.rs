//! PocketBase's rate limiter (`settings.rateLimits`): rules keyed by a label, counted per
//! client IP in fixed windows. Labels, most specific first: `collection:action` and
//! `*:action` for the built-in record routes, then `METHOD /path` and `/path`, where a label
//! ending in `/` is a path prefix. Audiences: `""` (everyone), `@guest`, `@auth`.
//! Superusers and the excluded IPs are never limited. The rules are read from a provider
//! at every request, so settings changes apply at once.

use basalt_ports::{Auth, RateLimitRule};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where the rate-limit settings come from (called on every request, so it hands out a
/// shared config rather than building one).
pub type RateLimitProvider = Arc<dyn Fn() -> Arc<RateLimitConfig> + Send + Sync>;

/// PocketBase's `RateLimitsConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimitConfig {
    /// Off by default, as in PocketBase.
    pub enabled: bool,
    /// The rules; the first match (in label order, see the module docs) applies.
    pub rules: Vec<RateLimitRule>,
    /// IPs and subnets (`10.0.0.0/8`) never limited.
    #[serde(rename = "excludedIPs")]
    pub excluded_ips: Vec<String>,
}

impl RateLimitConfig {
    /// The first rule matching one of `labels` (tried in order) whose audience is one of
    /// `audiences` (any when empty). A rule label ending in `/` matches as a path prefix.
    pub fn find_rule(&self, labels: &[String], audiences: &[&str]) -> Option<&RateLimitRule> {
        let audience_ok =
            |r: &RateLimitRule| audiences.is_empty() || audiences.contains(&r.audience.as_str());
        let prefix_rules: Vec<&RateLimitRule> = self
            .rules
            .iter()
            .filter(|r| r.label.ends_with('/'))
            .collect();
        for label in labels {
            if let Some(r) = self
                .rules
                .iter()
                .find(|r| r.label == *label && audience_ok(r))
            {
                return Some(r);
            }
            let with_slash = format!("{label}/");
            if let Some(r) = prefix_rules
                .iter()
                .find(|r| with_slash.starts_with(r.label.as_str()) && audience_ok(r))
            {
                return Some(r);
            }
        }
        None
    }
}

struct Window {
    start: Instant,
    interval: Duration,
    available: i64,
}

/// The limiter shared by every request: one fixed window per (rule, client).
pub(crate) struct RateLimiter {
    provider: Option<RateLimitProvider>,
    windows: Mutex<HashMap<String, Window>>,
    last_clean: Mutex<Instant>,
}

/// The built-in record routes' rate-limit tags (PocketBase's `collectionPathRateLimit`):
/// `(collection, route pattern, tags)`.
fn collection_tags(
    method: &str,
    path: &str,
) -> Option<(String, &'static str, &'static [&'static str])> {
    let rest = path.strip_prefix("/api/collections/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let collection = crate::router::percent_decode(parts.first()?);
    let found: (&'static str, &'static [&'static str]) = match (method, &parts[1..]) {
        ("GET", ["records"]) => ("/records", &["list"]),
        ("POST", ["records"]) => ("/records", &["create"]),
        ("GET", ["records", _]) => ("/records/{id}", &["view"]),
        ("PATCH", ["records", _]) => ("/records/{id}", &["update"]),
        ("DELETE", ["records", _]) => ("/records/{id}", &["delete"]),
        ("GET", ["auth-methods"]) => ("/auth-methods", &["listAuthMethods"]),
        ("POST", ["auth-refresh"]) => ("/auth-refresh", &["authRefresh"]),
        ("POST", ["auth-with-password"]) => ("/auth-with-password", &["authWithPassword", "auth"]),
        ("POST", ["auth-with-oauth2"]) => ("/auth-with-oauth2", &["authWithOAuth2", "auth"]),
        ("POST", ["request-otp"]) => ("/request-otp", &["requestOTP"]),
        ("POST", ["auth-with-otp"]) => ("/auth-with-otp", &["authWithOTP", "auth"]),
        ("POST", ["request-password-reset"]) => {
            ("/request-password-reset", &["requestPasswordReset"])
        }
        ("POST", ["confirm-password-reset"]) => {
            ("/confirm-password-reset", &["confirmPasswordReset"])
        }
        ("POST", ["request-verification"]) => ("/request-verification", &["requestVerification"]),
        ("POST", ["confirm-verification"]) => ("/confirm-verification", &["confirmVerification"]),
        ("POST", ["request-email-change"]) => ("/request-email-change", &["requestEmailChange"]),
        ("POST", ["confirm-email-change"]) => ("/confirm-email-change", &["confirmEmailChange"]),
        _ => return None,
    };
    Some((collection, found.0, found.1))
}

/// Why a request was refused.
pub(crate) struct Limited(pub(crate) String);

impl RateLimiter {
    pub(crate) fn new(provider: Option<RateLimitProvider>) -> Self {
        Self {
            provider,
            windows: Mutex::new(HashMap::new()),
            last_clean: Mutex::new(Instant::now()),
        }
    }

    fn settings(&self, auth: &Auth, ip: Option<IpAddr>) -> Option<(Arc<RateLimitConfig>, IpAddr)> {
        let config = (self.provider.as_ref()?)();
        let ip = ip?;
        if !config.enabled
            || auth.is_superuser()
            || basalt_domain::net::ip_in_list(&config.excluded_ips, ip)
        {
            return None;
        }
        Some((config, ip))
    }

    fn audiences(auth: &Auth) -> &'static [&'static str] {
        if auth.is_guest() {
            &["", "@guest"]
        } else {
            &["", "@auth"]
        }
    }

    /// The global check (PocketBase's `rateLimit` middleware): labels `METHOD /path` and
    /// `/path`.
    pub(crate) fn check(
        &self,
        method: &str,
        path: &str,
        auth: &Auth,
        ip: Option<IpAddr>,
    ) -> Result<(), Limited> {
        let Some((config, ip)) = self.settings(auth, ip) else {
            return Ok(());
        };
        let labels = [format!("{method} {path}"), path.to_owned()];
        if let Some(rule) = config.find_rule(&labels, Self::audiences(auth)) {
            let id = format!("{}{}", rule.label, rule.audience);
            self.consume(&id, rule, ip)?;
        }
        Ok(())
    }

    /// The global check, then for the built-in record and auth routes the collection
    /// check (`posts:create`, `*:create`, then the path labels, on its own counter).
    pub(crate) fn check_builtin(
        &self,
        method: &str,
        path: &str,
        auth: &Auth,
        ip: Option<IpAddr>,
    ) -> Result<(), Limited> {
        self.check(method, path, auth, ip)?;
        let Some((collection, pattern, tags)) = collection_tags(method, path) else {
            return Ok(());
        };
        let Some((config, ip)) = self.settings(auth, ip) else {
            return Ok(());
        };
        let mut labels: Vec<String> = tags.iter().map(|t| format!("{collection}:{t}")).collect();
        labels.extend(tags.iter().map(|t| format!("*:{t}")));
        labels.push(format!("{method} {path}"));
        labels.push(path.to_owned());
        if let Some(rule) = config.find_rule(&labels, Self::audiences(auth)) {
            let id = format!("@{collection}{pattern}{}{}", tags.join(""), rule.audience);
            self.consume(&id, rule, ip)?;
        }
        Ok(())
    }

    fn consume(&self, id: &str, rule: &RateLimitRule, ip: IpAddr) -> Result<(), Limited> {
        let now = Instant::now();
        let interval = Duration::from_secs(rule.duration.max(1) as u64);
        // A changed rule (other window or maximum) starts afresh.
        let key = format!(
            "{id}\u{0}{}\u{0}{}\u{0}{ip}",
            rule.duration, rule.max_requests
        );
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        self.clean(&mut windows, now);
        let w = windows.entry(key).or_insert(Window {
            start: now,
            interval,
            available: rule.max_requests,
        });
        if now.duration_since(w.start) >= w.interval {
            w.start = now;
            w.available = rule.max_requests;
        }
        if w.available > 0 {
            w.available -= 1;
            return Ok(());
        }
        let described = serde_json::to_string(rule).unwrap_or_else(|_| rule.label.clone());
        Err(Limited(format!("triggered rate limit rule: {described}")))
    }

    /// Drops expired windows (at most once a minute): an expired window would restart on
    /// the client's next request anyway.
    fn clean(&self, windows: &mut HashMap<String, Window>, now: Instant) {
        let mut last = self.last_clean.lock().unwrap_or_else(|p| p.into_inner());
        if now.duration_since(*last) < Duration::from_secs(60) {
            return;
        }
        *last = now;
        windows.retain(|_, w| now.duration_since(w.start) < w.interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[(&str, &str)]) -> RateLimitConfig {
        RateLimitConfig {
            enabled: true,
            rules: list
                .iter()
                .map(|(l, a)| RateLimitRule {
                    label: (*l).into(),
                    audience: (*a).into(),
                    duration: 10,
                    max_requests: 1,
                })
                .collect(),
            excluded_ips: vec![],
        }
    }

    #[test]
    fn finds_rules_like_pocketbase() {
        let c = rules(&[
            ("*:create", ""),
            ("/api/", ""),
            ("POST /api/collections/", "@guest"),
            ("/api/health", "@auth"),
        ]);
        let l = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let any = &["", "@guest"][..];
        assert_eq!(
            c.find_rule(&l(&["GET /api/x", "/api/x"]), any)
                .unwrap()
                .label,
            "/api/"
        );
        assert_eq!(
            c.find_rule(&l(&["POST /api/collections/a", "/api/collections/a"]), any)
                .unwrap()
                .label,
            "POST /api/collections/"
        );
        assert_eq!(
            c.find_rule(&l(&["posts:create", "*:create"]), any)
                .unwrap()
                .label,
            "*:create"
        );
        // The audience filter skips `@auth` for guests; the prefix rule applies instead.
        assert_eq!(
            c.find_rule(&l(&["GET /api/health", "/api/health"]), any)
                .unwrap()
                .label,
            "/api/"
        );
        assert_eq!(c.find_rule(&l(&["GET /other", "/other"]), any), None);
        // `/api` (no slash) is covered by the `/api/` prefix too, as in PocketBase.
        assert!(c.find_rule(&l(&["GET /api", "/api"]), any).is_some());
    }

    #[test]
    fn subnets_and_ips() {
        let list = vec!["10.0.0.0/8".to_owned(), "::1".to_owned()];
        assert!(basalt_domain::net::ip_in_list(
            &list,
            "10.1.2.3".parse().unwrap()
        ));
        assert!(!basalt_domain::net::ip_in_list(
            &list,
            "11.1.2.3".parse().unwrap()
        ));
        assert!(basalt_domain::net::ip_in_list(
            &list,
            "::1".parse().unwrap()
        ));
    }

    #[test]
    fn windows_count_per_client_and_skip_superusers() {
        let config = RateLimitConfig {
            enabled: true,
            rules: vec![RateLimitRule {
                label: "/a".into(),
                audience: String::new(),
                duration: 60,
                max_requests: 2,
            }],
            excluded_ips: vec!["127.0.0.2".into()],
        };
        let config = Arc::new(config);
        let limiter = RateLimiter::new(Some(Arc::new(move || config.clone())));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let guest = Auth::Guest;
        assert!(limiter.check("GET", "/a", &guest, Some(ip)).is_ok());
        assert!(limiter.check("GET", "/a", &guest, Some(ip)).is_ok());
        assert!(limiter.check("GET", "/a", &guest, Some(ip)).is_err());
        let other: IpAddr = "127.0.0.3".parse().unwrap();
        assert!(limiter.check("GET", "/a", &guest, Some(other)).is_ok());
        let excluded: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..5 {
            assert!(limiter.check("GET", "/a", &guest, Some(excluded)).is_ok());
        }
        let su = Auth::Record {
            collection_id: "c".into(),
            collection_name: "_superusers".into(),
            id: "x".into(),
            superuser: true,
        };
        for _ in 0..5 {
            assert!(limiter.check("GET", "/a", &su, Some(ip)).is_ok());
        }
    }

    #[test]
    fn builtin_collection_labels() {
        assert_eq!(
            collection_tags("POST", "/api/collections/posts/records"),
            Some(("posts".into(), "/records", &["create"][..]))
        );
        assert_eq!(
            collection_tags("POST", "/api/collections/users/auth-with-password")
                .unwrap()
                .2,
            &["authWithPassword", "auth"]
        );
        assert_eq!(collection_tags("GET", "/api/collections/posts"), None);
    }
}
