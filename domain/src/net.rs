//! IP lists as PocketBase's settings hold them (`superuserIPs`, `rateLimits.excludedIPs`):
//! single addresses and subnets in CIDR form.

use std::net::IpAddr;

/// Whether `ip` is one of `list`'s addresses or inside one of its subnets (`10.0.0.0/8`,
/// `2001:db8::/32`); entries that parse as neither never match.
pub fn ip_in_list(list: &[String], ip: IpAddr) -> bool {
    list.iter().any(|item| {
        let item = item.trim();
        if let Some((net, bits)) = item.split_once('/') {
            let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
                return false;
            };
            return in_subnet(ip, net, bits);
        }
        item.parse::<IpAddr>().is_ok_and(|a| a == ip)
    })
}

fn in_subnet(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_subnets() {
        let list = vec![
            "10.0.0.0/8".to_owned(),
            "192.0.2.7".to_owned(),
            "2001:db8::/32".to_owned(),
            "junk".to_owned(),
        ];
        let has = |s: &str| ip_in_list(&list, s.parse().expect("ip"));
        assert!(has("10.200.1.1"));
        assert!(has("192.0.2.7"));
        assert!(!has("192.0.2.8"));
        assert!(has("2001:db8:1::5"));
        assert!(!has("2001:db9::1"));
        assert!(!has("11.0.0.1"));
        assert!(ip_in_list(
            &["0.0.0.0/0".to_owned()],
            "8.8.8.8".parse().expect("ip")
        ));
    }
}
