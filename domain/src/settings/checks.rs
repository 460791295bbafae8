//! The string checks the settings validation uses that the domain does not already have:
//! govalidator's `IsHost` and `IsHexcolor`, Go's `netip` address and prefix parsing (for
//! PocketBase's `IPOrSubnet`), and the rate-limit label pattern.

use crate::field::compile_go_regex;
use regex::Regex;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::LazyLock;

fn go_regex(pattern: &str) -> Option<Regex> {
    compile_go_regex(pattern).ok()
}

static DNS_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    go_regex(
        r"^([a-zA-Z0-9_]{1}[a-zA-Z0-9_-]{0,62}){1}(\.[a-zA-Z0-9_]{1}[a-zA-Z0-9_-]{0,62})*[\._]?$",
    )
});
static HEX_COLOR: LazyLock<Option<Regex>> =
    LazyLock::new(|| go_regex(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"));
static RATE_LIMIT_LABEL: LazyLock<Option<Regex>> =
    LazyLock::new(|| go_regex(r"^(\w+\ \/[\w\/-]*|\/[\w\/-]*|^\w+\:\w+|\*\:\w+|\w+)$"));

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(s))
}

/// Go's `net.ParseIP` succeeds (an IPv4 or IPv6 address, no zone).
fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// govalidator's `IsHost`: an IP address or a DNS name.
pub(crate) fn is_host(s: &str) -> bool {
    if is_ip(s) {
        return true;
    }
    !s.is_empty() && s.replace('.', "").len() <= 255 && matches(&DNS_NAME, s)
}

/// govalidator's `IsHexcolor`: `#rgb` or `#rrggbb` (the `#` optional).
pub(crate) fn is_hex_color(s: &str) -> bool {
    matches(&HEX_COLOR, s)
}

/// PocketBase's rate-limit rule label pattern.
pub(crate) fn is_rate_limit_label(s: &str) -> bool {
    matches(&RATE_LIMIT_LABEL, s)
}

/// Go's `netip.ParseAddr`: an IP address, IPv6 with an optional `%zone`.
fn parse_addr(s: &str) -> bool {
    match s.split_once('%') {
        Some((ip, zone)) => !zone.is_empty() && ip.parse::<Ipv6Addr>().is_ok(),
        None => is_ip(s),
    }
}

/// Go's `netip.ParsePrefix`: `address/bits`, no zone, bits in decimal without a sign or
/// leading zeros and within the address's size.
fn parse_prefix(s: &str) -> bool {
    let Some((ip, bits)) = s.rsplit_once('/') else {
        return false;
    };
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    let well_formed = !bits.is_empty()
        && bits.len() <= 3
        && bits.bytes().all(|b| b.is_ascii_digit())
        && (bits == "0" || !bits.starts_with('0'));
    let max = if ip.is_ipv4() { 32 } else { 128 };
    well_formed && bits.parse::<u32>().is_ok_and(|b| b <= max)
}

/// PocketBase's `IPOrSubnet`: an IP address or a CIDR subnet.
pub(crate) fn is_ip_or_subnet(s: &str) -> bool {
    parse_prefix(s) || parse_addr(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for ok in [
            "127.0.0.1",
            "::1",
            "x.com",
            "smtp.example.com",
            "localhost",
            "a_b",
            "x.com.",
        ] {
            assert!(is_host(ok), "{ok}");
        }
        for bad in ["", "[::1]", "a b", "h_ _", "x..com", "-x.com", "é.com"] {
            assert!(!is_host(bad), "{bad}");
        }
    }

    #[test]
    fn ips_and_subnets() {
        for ok in [
            "1.2.3.4",
            "::1",
            "1.2.3.0/24",
            "::/0",
            "fe80::1%eth0",
            "10.0.0.0/8",
        ] {
            assert!(is_ip_or_subnet(ok), "{ok}");
        }
        for bad in [
            "",
            "bad",
            "1.2.3.4/33",
            "1.2.3.0/024",
            "1.2.3.4%eth0",
            "::1/129",
            "1.2.3.4/",
        ] {
            assert!(!is_ip_or_subnet(bad), "{bad}");
        }
    }

    #[test]
    fn hex_colors_and_labels() {
        assert!(is_hex_color("#1055c9") && is_hex_color("#abc") && !is_hex_color("#zzzzzz"));
        for ok in [
            "*:auth",
            "users:create",
            "/api/",
            "/",
            "POST /api/collections/",
            "tag_1",
        ] {
            assert!(is_rate_limit_label(ok), "{ok}");
        }
        for bad in ["", "a b c", "*:", "x:y:z", "/api /x"] {
            assert!(!is_rate_limit_label(bad), "{bad}");
        }
    }
}
