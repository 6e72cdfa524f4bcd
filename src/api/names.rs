//! Every rule about names, written once: the CLI checks input with these before it sends a
//! request, the webhooks and the account API check the same way, so the two cannot disagree.

/// The longest DNS-1123 label: namespace, site, tenant (it is also a label value).
pub const MAX_LABEL: usize = 63;

/// The longest DNS-1123 subdomain: object names such as an account.
pub const MAX_SUBDOMAIN: usize = 253;

/// Namespaces no tenant may hold, besides every `kube-*` one.
pub const RESERVED_NAMESPACES: [&str; 5] = [
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "ike-system",
];

/// Namespaces the usual platform components install into: no tenant may claim them unless the
/// site lists its own reserved namespaces instead (Site `tenants.reservedNamespaces`).
pub const PLATFORM_NAMESPACES: [&str; 24] = [
    "argocd",
    "calico-system",
    "cert-manager",
    "external-dns",
    "flux-system",
    "gatekeeper-system",
    "grafana",
    "ingress",
    "ingress-nginx",
    "istio-system",
    "keda",
    "kubernetes-dashboard",
    "linkerd",
    "local-path-storage",
    "logging",
    "longhorn-system",
    "metallb-system",
    "monitoring",
    "prometheus",
    "rook-ceph",
    "tigera-operator",
    "traefik",
    "vault",
    "velero",
];

/// Why a name was refused: one line that says what a valid one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Not a DNS-1123 subdomain of at most 63 characters.
    #[error(
        "'{0}' is not a valid tenant name: use at most 63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
    )]
    Tenant(String),
    /// Not a DNS-1123 label.
    #[error(
        "'{0}' is not a valid namespace name: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
    )]
    Namespace(String),
    /// A namespace the platform keeps for itself.
    #[error("namespace {0} is reserved for the platform")]
    ReservedNamespace(String),
    /// Not a DNS-1123 subdomain.
    #[error(
        "'{0}' is not a valid account name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters"
    )]
    Account(String),
    /// Starts with `system:`, which Kubernetes reserves for its own users.
    #[error(
        "'{0}' is not a valid account name: names starting with 'system:' are reserved for Kubernetes"
    )]
    ReservedAccount(String),
    /// Not a DNS-1123 label.
    #[error(
        "'{0}' is not a valid site name: use lower-case letters, digits and '-' (e.g. tokyo-1)"
    )]
    Site(String),
    /// Not a DNS-1123 subdomain: the name of a notification config or a Secret.
    #[error(
        "'{name}' is not a valid {what} name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
    )]
    Object {
        /// What was named ("notification config", "Secret").
        what: &'static str,
        /// The name.
        name: String,
    },
    /// Not `NAMESPACE:NAME` of a ServiceAccount.
    #[error("'{0}' is not a ServiceAccount: write NAMESPACE:NAME, e.g. ike-system:ike-controller")]
    ServiceAccount(String),
    /// No `=` in a `KEY=VALUE` node selector.
    #[error("'{0}' is not a node selector: write KEY=VALUE, e.g. pool=gpu")]
    NodeSelector(String),
    /// The key of a node label is not `[PREFIX/]NAME`.
    #[error(
        "'{key}' is not a valid node label key in '{selector}': use [PREFIX/]NAME, NAME at most 63 letters, digits, '-', '_' and '.'"
    )]
    LabelKey {
        /// The key.
        key: String,
        /// The whole `KEY=VALUE`.
        selector: String,
    },
    /// Not a host name an Office DNS record may carry.
    #[error(
        "'{0}' is not a valid host name: use letters, digits and '-' in dot-separated labels of at most 63 characters, at most 253 in all, no wildcard"
    )]
    HostName(String),
    /// An external-dns hostname annotation that names no host.
    #[error(
        "the host name annotation is empty: name at least one host, e.g. web.office.example.org"
    )]
    NoHostName,
    /// A host name outside the domains the site allows.
    #[error("{name} is not under a domain this site allows for Office names: use a name ending in {}", allowed.iter().map(|d| format!(".{d}")).collect::<Vec<_>>().join(" or "))]
    HostOutsideDomains {
        /// The host name.
        name: String,
        /// The allowed domains.
        allowed: Vec<String>,
    },
    /// The site allows no Office host names at all.
    #[error(
        "{0}: this site allows no Office host names (its Site object has no office.domains): ask a platform admin"
    )]
    NoOfficeDomains(String),
    /// The value of a node label is not a label value.
    #[error(
        "'{value}' is not a valid node label value in '{selector}': use at most 63 letters, digits, '-', '_' and '.'"
    )]
    LabelValue {
        /// The value.
        value: String,
        /// The whole `KEY=VALUE`.
        selector: String,
    },
}

/// A name as an error message shows it: at most 64 characters, control characters escaped, so a
/// hostile name cannot flood a log line or forge a second one.
fn shown(name: &str) -> String {
    let cut: String = name.chars().take(64).collect();
    cut.escape_debug().to_string()
}

/// Whether `s` is a DNS-1123 label: lower-case letters, digits and '-', alphanumeric at both
/// ends, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_LABEL
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// Whether `s` is a DNS-1123 subdomain of at most `max` characters: labels of lower-case
/// letters, digits and '-', alphanumeric at both ends, joined by dots. As in Kubernetes'
/// `IsDNS1123Subdomain`, only the whole name is limited, not each label.
pub fn is_dns_subdomain(s: &str, max: usize) -> bool {
    let label = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
    };
    !s.is_empty() && s.len() <= max && s.split('.').all(label)
}

/// Whether `name` is a host name a certificate or a DNS record may carry: letters (any case),
/// digits and '-' in dot-separated labels of at most 63, at most 253 in all; with
/// `allow_wildcard`, the first label may be `*`.
pub fn is_host_name(name: &str, allow_wildcard: bool) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= MAX_SUBDOMAIN
        && name.split('.').enumerate().all(|(i, label)| {
            (allow_wildcard && i == 0 && label == "*")
                || (!label.is_empty()
                    && label.len() <= MAX_LABEL
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-'))
        })
}

/// An Office host name as ike stores and compares it: lower-case and without the trailing dot.
/// Err unless it is a host name without a wildcard (a wildcard would take every name below it).
pub fn office_host_name(name: &str) -> Result<String, NameError> {
    let trimmed = name.trim();
    if !is_host_name(trimmed, false) {
        return Err(NameError::HostName(shown(trimmed)));
    }
    Ok(trimmed.trim_end_matches('.').to_ascii_lowercase())
}

/// The host names of an external-dns hostname annotation: comma-separated, spaces around each
/// allowed, each as [`office_host_name`] returns it, duplicates dropped, in the order given.
pub fn parse_host_names(annotation: &str) -> Result<Vec<String>, NameError> {
    let mut hosts: Vec<String> = Vec::new();
    for part in annotation
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let host = office_host_name(part)?;
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    if hosts.is_empty() {
        return Err(NameError::NoHostName);
    }
    Ok(hosts)
}

/// A host name (as [`office_host_name`] returns it) strictly below one of `allowed` (each
/// lower-case, without the trailing dot): `web.office.example.org` is below
/// `office.example.org`, the domain itself is not (its apex holds the zone's own records).
pub fn check_host_in_domains(host: &str, allowed: &[String]) -> Result<(), NameError> {
    if allowed.is_empty() {
        return Err(NameError::NoOfficeDomains(shown(host)));
    }
    let below = |domain: &String| {
        host.strip_suffix(domain.as_str())
            .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
    };
    if allowed.iter().any(below) {
        Ok(())
    } else {
        Err(NameError::HostOutsideDomains {
            name: shown(host),
            allowed: allowed.to_vec(),
        })
    }
}

/// A tenant: a DNS-1123 subdomain of at most 63 characters (it is also a label value on every
/// namespace the tenant holds, and those stop at 63).
pub fn check_tenant(name: &str) -> Result<(), NameError> {
    if is_dns_subdomain(name, MAX_LABEL) {
        Ok(())
    } else {
        Err(NameError::Tenant(shown(name)))
    }
}

/// A namespace: a DNS-1123 label.
pub fn check_namespace(name: &str) -> Result<(), NameError> {
    if is_dns_label(name) {
        Ok(())
    } else {
        Err(NameError::Namespace(shown(name)))
    }
}

/// Whether the platform keeps `namespace` for itself: [`RESERVED_NAMESPACES`] and `kube-*`.
pub fn is_reserved_namespace(namespace: &str) -> bool {
    RESERVED_NAMESPACES.contains(&namespace) || namespace.starts_with("kube-")
}

/// A namespace a tenant may hold: valid and not reserved.
pub fn check_tenant_namespace(name: &str) -> Result<(), NameError> {
    check_namespace(name)?;
    if is_reserved_namespace(name) {
        return Err(NameError::ReservedNamespace(name.to_string()));
    }
    Ok(())
}

/// An account: a DNS-1123 subdomain (an object name Kubernetes accepts) that does not start
/// with `system:` (those user names are Kubernetes' own).
pub fn check_account(name: &str) -> Result<(), NameError> {
    if name.starts_with("system:") {
        return Err(NameError::ReservedAccount(shown(name)));
    }
    if is_dns_subdomain(name, MAX_SUBDOMAIN) {
        Ok(())
    } else {
        Err(NameError::Account(shown(name)))
    }
}

/// The Kubernetes user name of the ServiceAccount `NAMESPACE:NAME`
/// (`system:serviceaccount:NAMESPACE:NAME`).
pub fn service_account_user(spec: &str) -> Result<String, NameError> {
    match spec.split_once(':') {
        Some((ns, name)) if is_dns_label(ns) && is_dns_subdomain(name, MAX_SUBDOMAIN) => {
            Ok(format!("system:serviceaccount:{ns}:{name}"))
        }
        _ => Err(NameError::ServiceAccount(shown(spec))),
    }
}

/// A site: a DNS label, so it is safe in file and kubeconfig context names.
pub fn check_site(name: &str) -> Result<(), NameError> {
    if is_dns_label(name) {
        Ok(())
    } else {
        Err(NameError::Site(shown(name)))
    }
}

/// The name of an object in a namespace, such as a notification config or a Secret: a
/// DNS-1123 subdomain. `what` names it in the message.
pub fn check_object(what: &'static str, name: &str) -> Result<(), NameError> {
    if is_dns_subdomain(name, MAX_SUBDOMAIN) {
        Ok(())
    } else {
        Err(NameError::Object {
            what,
            name: shown(name),
        })
    }
}

/// Whether `s` is a label name or value part: at most 63 letters, digits, '-', '_' and '.',
/// alphanumeric at both ends.
fn is_label_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_LABEL
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// Whether `key` is a label key Kubernetes accepts: `[PREFIX/]NAME`.
pub fn is_label_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    prefix.is_none_or(|p| is_dns_subdomain(p, MAX_SUBDOMAIN)) && is_label_part(name)
}

/// Whether `value` is a label value Kubernetes accepts (empty included).
pub fn is_label_value(value: &str) -> bool {
    value.is_empty() || is_label_part(value)
}

/// Parses `KEY=VALUE` into a node label Kubernetes accepts.
pub fn parse_node_label(s: &str) -> Result<(String, String), NameError> {
    let Some((key, value)) = s.split_once('=') else {
        return Err(NameError::NodeSelector(shown(s)));
    };
    if !is_label_key(key) {
        return Err(NameError::LabelKey {
            key: shown(key),
            selector: shown(s),
        });
    }
    if !is_label_value(value) {
        return Err(NameError::LabelValue {
            value: shown(value),
            selector: shown(s),
        });
    }
    Ok((key.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_accounts_are_namespace_colon_name() {
        assert_eq!(
            service_account_user("ike-system:ike-controller").as_deref(),
            Ok("system:serviceaccount:ike-system:ike-controller")
        );
        for bad in ["ike-controller", ":x", "ns:", "Ns:x", "ns:x:y", "ns:X"] {
            let e = service_account_user(bad).unwrap_err().to_string();
            assert!(e.contains("write NAMESPACE:NAME"), "{bad}: {e}");
        }
    }

    #[test]
    fn tenants_are_subdomains_of_at_most_63() {
        for ok in ["a", "a.b-c.d", "team-1", &"a".repeat(63)] {
            assert_eq!(check_tenant(ok), Ok(()), "{ok}");
        }
        for bad in ["", "Team", "t-", "a..b", ".a", "a b", &"a".repeat(64)] {
            let e = check_tenant(bad).unwrap_err().to_string();
            assert!(e.contains("is not a valid tenant name"), "{bad}: {e}");
        }
    }

    #[test]
    fn namespaces_are_labels_and_some_are_reserved() {
        assert_eq!(check_namespace("team-a"), Ok(()));
        for bad in ["a.b", "Ns", "-a", "", &"a".repeat(64)] {
            assert!(check_namespace(bad).is_err(), "{bad}");
        }
        for reserved in ["default", "kube-system", "kube-anything", "ike-system"] {
            assert_eq!(
                check_tenant_namespace(reserved).unwrap_err().to_string(),
                format!("namespace {reserved} is reserved for the platform")
            );
        }
        assert_eq!(check_tenant_namespace("kubeflow"), Ok(()));
    }

    #[test]
    fn accounts_are_subdomains_and_never_system_users() {
        for ok in ["alice", "alice.smith", "a-1", "0", &"a".repeat(253)] {
            assert_eq!(check_account(ok), Ok(()), "{ok}");
        }
        for reserved in ["system:foo", "system:masters", "system:"] {
            assert_eq!(
                check_account(reserved),
                Err(NameError::ReservedAccount(reserved.into()))
            );
        }
        let long = "a".repeat(254);
        for bad in [
            "", "Alice", "a_b", "-a", "a-", "a..b", ".a", "a.", "a b", "ä", &long,
        ] {
            assert!(
                matches!(check_account(bad), Err(NameError::Account(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn sites_cannot_escape_a_directory() {
        for bad in ["", "../x", "a/b", "Tokyo", "-a", "a b", "a.b"] {
            assert!(check_site(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(check_site("osaka-2"), Ok(()));
    }

    #[test]
    fn hostile_names_are_shown_short_and_on_one_line() {
        let e = check_tenant(&format!("x\ny{}", "z".repeat(500)))
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.len() < 300, "{e}");
    }

    #[test]
    fn host_names_may_start_with_a_wildcard_only_where_allowed() {
        assert!(is_host_name("accounts.example.com", false));
        assert!(is_host_name("Web-1.Example.com.", false));
        assert!(is_host_name("*.example.com", true));
        assert!(!is_host_name("*.example.com", false));
        assert!(!is_host_name("a.*.com", true));
        assert!(!is_host_name("bad name!", true));
        assert!(!is_host_name("", true));
        assert!(!is_host_name(&format!("{}.com", "a".repeat(64)), false));
    }

    #[test]
    fn office_host_names_are_lower_case_without_the_trailing_dot_and_never_wildcards() {
        assert_eq!(
            office_host_name(" Web.Office.Local. ").unwrap(),
            "web.office.local"
        );
        for bad in [
            "*.office.local",
            "a_b.office.local",
            "",
            "web..office.local",
            "-a.x",
        ] {
            let e = office_host_name(bad).unwrap_err().to_string();
            assert!(e.contains("is not a valid host name"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_hostname_annotation_is_a_comma_separated_list() {
        assert_eq!(
            parse_host_names("a.office.local, B.office.local,a.office.local").unwrap(),
            ["a.office.local", "b.office.local"]
        );
        assert_eq!(parse_host_names(" , "), Err(NameError::NoHostName));
        assert!(parse_host_names("a.office.local,bad name").is_err());
    }

    #[test]
    fn host_names_must_be_strictly_below_an_allowed_domain() {
        let allowed = vec!["office.local".to_string(), "lab.example.org".to_string()];
        for ok in ["web.office.local", "a.b.lab.example.org"] {
            assert_eq!(check_host_in_domains(ok, &allowed), Ok(()), "{ok}");
        }
        for bad in [
            "office.local",
            "evil-office.local",
            "web.example.org",
            "office.local.evil",
        ] {
            let e = check_host_in_domains(bad, &allowed)
                .unwrap_err()
                .to_string();
            assert!(
                e.ends_with("use a name ending in .office.local or .lab.example.org"),
                "{bad}: {e}"
            );
        }
        let e = check_host_in_domains("web.office.local", &[]).unwrap_err();
        assert!(e.to_string().contains("ask a platform admin"), "{e}");
    }

    #[test]
    fn node_selectors_must_be_key_equals_value() {
        assert_eq!(
            parse_node_label("pool=gpu").unwrap(),
            ("pool".into(), "gpu".into())
        );
        assert_eq!(
            parse_node_label("example.com/pool=").unwrap(),
            ("example.com/pool".into(), String::new())
        );
        for (bad, want) in [
            ("pool", "'pool' is not a node selector: write KEY=VALUE"),
            ("=gpu", "'' is not a valid node label key"),
            ("po ol=gpu", "'po ol' is not a valid node label key"),
            ("Bad_Prefix/pool=gpu", "is not a valid node label key"),
            ("pool=gpu!", "'gpu!' is not a valid node label value"),
            ("pool=-gpu", "'-gpu' is not a valid node label value"),
        ] {
            let e = parse_node_label(bad).unwrap_err().to_string();
            assert!(e.contains(want), "{bad}: {e}");
        }
    }
}
