//! Where ike-controller may send on a tenant's behalf. A URL a tenant gives (a Teams Workflows
//! webhook) is used only when it is https, its host is one the site allows
//! ([`NotificationPolicy::allowed_hosts`]), and the address actually connected to is none that
//! reaches the platform itself: loopback, private, link-local (the cloud metadata service),
//! CGNAT, unspecified, multicast, reserved, their IPv4-mapped and -embedded forms, and the
//! site's blocked networks.
//!
//! The rules are pure and live here once: the CLI checks a URL before it writes the Secret, the
//! controller checks it before every use, and its HTTP client checks every address DNS gives
//! before connecting (so a name that resolves somewhere else tomorrow, DNS rebinding, gets
//! nowhere). Refusals never repeat the URL: it carries its own signature.
//!
//! `insecure` is ike-controller's `--allow-insecure-destinations`, for the local IKE and tests
//! only: plain http, and loopback addresses (whatever the host list says). Everything else
//! stays refused with it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use hyper::Uri;

use super::policy::{NotificationPolicy, matches_any};

/// A network in CIDR notation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl FromStr for Network {
    type Err = String;

    /// `10.96.0.0/12`, `2001:db8::/32`, or one address.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{}' is not a network in CIDR notation", s.escape_debug());
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let most = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= most)
                .ok_or_else(bad)?,
            Some(_) => return Err(bad()),
            None => most,
        };
        Ok(Self { addr, prefix })
    }
}

impl Network {
    /// Whether `ip` is in the network (an IPv4 network also holds the IPv4-mapped forms).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (bytes, rest) = (usize::from(bits / 8), bits % 8);
    a[..bytes] == b[..bytes] && (rest == 0 || (a[bytes] ^ b[bytes]) & (0xff_u8 << (8 - rest)) == 0)
}

/// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// What kind of address no tenant URL may reach, if `ip` is one: `loopback`, `private`,
/// `link-local`, ... IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4)
/// are judged by that address.
pub fn reserved(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => reserved_v4(v4),
        IpAddr::V6(v6) => reserved_v6(v6),
    }
}

fn reserved_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "unspecified",
        (127, _, _) => "loopback",
        (10, _, _) | (192, 168, _) => "private",
        (172, 16..=31, _) => "private",
        (169, 254, _) => "link-local",
        (100, 64..=127, _) => "shared (CGNAT)",
        (192, 0, 0) | (198, 18..=19, _) => "reserved",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    })
}

fn reserved_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded =
        |hi: u16, lo: u16| reserved_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    match s[0] {
        // ::/8 (IPv4-compatible ::a.b.c.d among it) is reserved; the mapped form is judged above.
        x if x < 0x0100 => embedded(s[6], s[7]).or(Some("reserved")),
        0x0100 if s[1..4] == [0; 3] => Some("reserved"),
        // NAT64 (64:ff9b::a.b.c.d, 64:ff9b:1::/48) carries an IPv4 address.
        0x64 if s[1] == 0xff9b => embedded(s[6], s[7]),
        // Teredo (its IPv4 addresses obfuscated) and documentation.
        0x2001 if s[1] == 0 || s[1] == 0xdb8 => Some("reserved"),
        // 6to4: 2002:AABB:CCDD::/48 carries a.b.c.d.
        0x2002 => embedded(s[1], s[2]),
        x if x & 0xfe00 == 0xfc00 => Some("private (unique local)"),
        x if x & 0xffc0 == 0xfe80 => Some("link-local"),
        x if x & 0xffc0 == 0xfec0 => Some("site-local"),
        x if x & 0xff00 == 0xff00 => Some("multicast"),
        _ => None,
    }
}

/// Why a tenant's URL, or an address it leads to, is not used. The messages never repeat the
/// URL; they say what a good one is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a URL with a host.
    #[error("the URL is not an https:// URL with a host")]
    NotAUrl,
    /// A scheme other than https (http only with `--allow-insecure-destinations`).
    #[error("the URL is not an https:// URL")]
    NotHttps,
    /// A host the site does not allow.
    #[error(
        "the URL's host is not one this site sends to ({0}): use a Teams Workflows webhook URL, or ask a platform admin to allow its host (Site notifications.allowedHosts)"
    )]
    HostNotAllowed(String),
    /// An address no tenant URL may reach (what kind it is, no more).
    #[error(
        "the URL leads to a {0} address, which ike-controller never sends to for a tenant: use a Teams Workflows webhook URL"
    )]
    Address(&'static str),
    /// An address in the site's blocked networks.
    #[error(
        "the URL leads to an address in a network this site blocks (Site notifications.blockedNetworks)"
    )]
    Blocked,
    /// The site's policy cannot be read; nothing is sent until it is fixed.
    #[error(
        "this site's notification policy is broken ({0}), so ike-controller sends to no tenant URL: ask a platform admin"
    )]
    BadPolicy(String),
}

/// The rules for one site, ready to check URLs and addresses with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destinations {
    allowed_hosts: Vec<String>,
    blocked: Result<Vec<Network>, String>,
    insecure: bool,
}

impl Destinations {
    /// The site's rules; `insecure` is `--allow-insecure-destinations`.
    pub fn new(policy: &NotificationPolicy, insecure: bool) -> Self {
        let blocked = policy
            .blocked_networks
            .iter()
            .map(|n| n.parse::<Network>())
            .collect();
        Self {
            allowed_hosts: policy.allowed_hosts(),
            blocked,
            insecure,
        }
    }

    /// Whether http and loopback are allowed (`--allow-insecure-destinations`).
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// Checks one address a tenant URL leads to (an IP literal, or what DNS answered).
    pub fn check_address(&self, ip: IpAddr) -> Result<(), Refusal> {
        let blocked = self
            .blocked
            .as_ref()
            .map_err(|e| Refusal::BadPolicy(e.clone()))?;
        if blocked.iter().any(|n| n.contains(ip)) {
            return Err(Refusal::Blocked);
        }
        match reserved(ip) {
            Some("loopback") if self.insecure => Ok(()),
            Some(kind) => Err(Refusal::Address(kind)),
            None => Ok(()),
        }
    }

    /// Checks a tenant's URL: https (or http when insecure), a host the site allows (or, when
    /// insecure, a loopback one), and an IP-literal host checked as an address.
    pub fn check_url(&self, url: &str) -> Result<Uri, Refusal> {
        let uri: Uri = url.trim().parse().map_err(|_| Refusal::NotAUrl)?;
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or(Refusal::NotAUrl)?;
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if self.insecure => {}
            Some("http") => return Err(Refusal::NotHttps),
            _ => return Err(Refusal::NotAUrl),
        }
        if let Err(e) = &self.blocked {
            return Err(Refusal::BadPolicy(e.clone()));
        }
        // As hyper's connector reads it: an IP literal is connected to without DNS.
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let literal: Option<IpAddr> = bare
            .parse::<Ipv4Addr>()
            .map(IpAddr::V4)
            .or_else(|_| bare.parse::<Ipv6Addr>().map(IpAddr::V6))
            .ok();
        if let Some(ip) = literal {
            self.check_address(ip)?;
        }
        let loopback = literal.is_some_and(|ip| reserved(ip) == Some("loopback"))
            || host.trim_end_matches('.').eq_ignore_ascii_case("localhost");
        if (self.insecure && loopback) || matches_any(&self.allowed_hosts, host) {
            Ok(uri)
        } else {
            Err(Refusal::HostNotAllowed(self.allowed_hosts.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests;
