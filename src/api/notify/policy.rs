//! The site's notification policy (`Site.spec.notifications`): where ike-controller may send
//! for tenants, whose e-mail addresses a tenant may name, and how much of Alertmanager's one
//! shared configuration each tenant may take. Every field has a default, so a site without the
//! section is protected as well.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::validate::MAX_RECIPIENTS;

/// Microsoft's Teams Workflows webhook hosts: Power Automate's HTTP triggers on Logic Apps
/// (`prod-NN.<region>.logic.azure.com`) and on the Power Platform
/// (`<environment>.NN.environment.api.powerplatform.com`), commercial cloud.
pub const DEFAULT_ALLOWED_HOSTS: [&str; 2] =
    [".logic.azure.com", ".environment.api.powerplatform.com"];

/// Configs one namespace may have in Alertmanager's configuration unless the site says.
pub const DEFAULT_MAX_CONFIGS_PER_NAMESPACE: u32 = 20;
/// Bytes of Alertmanager's configuration one tenant may take unless the site says: about 130
/// configs of one address each, and 16 tenants at their limit before the 1 MiB Secret is shared
/// out (see `controller/notify/budget.rs`).
pub const DEFAULT_MAX_BYTES_PER_TENANT: u32 = 64 * 1024;

/// Notifications (BarryConfig, EmailConfig, TeamsConfig): where ike-controller may send for
/// tenants, and how much of Alertmanager's shared configuration each tenant may take.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPolicy {
    /// Hosts a URL a tenant gives (a Teams Workflows webhook) may point at: a host name, or
    /// `.suffix` for every name below it. Unset: Microsoft's Workflows hosts,
    /// `.logic.azure.com` and `.environment.api.powerplatform.com` (commercial cloud; a site
    /// in a sovereign cloud lists its own, such as `.logic.azure.us`). Only https is used, and
    /// never to a loopback, private, link-local, CGNAT, multicast or blocked address, whatever
    /// the host name resolves to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<String>>,
    /// More networks no tenant URL may reach, in CIDR notation (`203.0.113.0/24`, `2001:db8::/32`,
    /// or one address): the cluster's own Service and pod ranges when they are not private
    /// addresses already. Loopback, private (RFC 1918, IPv6 ULA), link-local (the
    /// 169.254.169.254 metadata service included), CGNAT, unspecified, multicast and reserved
    /// addresses, and their IPv4-mapped forms, are always refused. A value that is not a CIDR
    /// stops every delivery to tenant URLs until it is fixed (fail closed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_networks: Vec<String>,
    /// The domains e-mail recipients must be in: a domain (`example.com`), or `.suffix` for
    /// every domain below it (`.example.com`). Empty: any domain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_domains: Vec<String>,
    /// The most notification configs (the three kinds together) of one namespace that
    /// Alertmanager's configuration holds (default 20); the newest beyond it are left out with
    /// `ReceiverConfigured` False, reason `OverBudget`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_configs_per_namespace: Option<u32>,
    /// The most recipients one EmailConfig may name (default and at most 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_addresses_per_config: Option<u32>,
    /// The bytes of Alertmanager's configuration one tenant's receivers and routes may take, all
    /// its namespaces together (default 65536); the newest configs beyond it are left out with
    /// reason `OverBudget`. When all tenants together exceed the configuration's 1 MiB, the
    /// biggest lose their newest configs first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes_per_tenant: Option<u32>,
}

impl NotificationPolicy {
    /// The host patterns tenant URLs may point at, lower-case, without a trailing dot.
    pub fn allowed_hosts(&self) -> Vec<String> {
        let listed: Vec<String> = match &self.allowed_hosts {
            Some(hosts) => hosts.clone(),
            None => DEFAULT_ALLOWED_HOSTS
                .iter()
                .map(|h| h.to_string())
                .collect(),
        };
        normalized(&listed)
    }

    /// The e-mail domain patterns, lower-case, without a trailing dot; empty: any.
    pub fn email_domains(&self) -> Vec<String> {
        normalized(&self.email_domains)
    }

    /// Configs per namespace.
    pub fn max_configs_per_namespace(&self) -> usize {
        self.max_configs_per_namespace
            .unwrap_or(DEFAULT_MAX_CONFIGS_PER_NAMESPACE) as usize
    }

    /// Recipients per EmailConfig: the site's number, never above [`MAX_RECIPIENTS`].
    pub fn max_addresses_per_config(&self) -> usize {
        self.max_addresses_per_config
            .map_or(MAX_RECIPIENTS, |n| (n as usize).min(MAX_RECIPIENTS))
    }

    /// Bytes of Alertmanager's configuration per tenant.
    pub fn max_bytes_per_tenant(&self) -> usize {
        self.max_bytes_per_tenant
            .unwrap_or(DEFAULT_MAX_BYTES_PER_TENANT) as usize
    }

    /// Checks the recipients of an EmailConfig against the site's domains: why one may not be
    /// used (for the `DomainNotAllowed` condition and the CLI), naming the first such address.
    pub fn check_email_domains(&self, to: &[String]) -> Result<(), String> {
        let domains = self.email_domains();
        if domains.is_empty() {
            return Ok(());
        }
        for address in to {
            let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
            if !matches_any(&domains, domain) {
                return Err(format!(
                    "'{}' is not in a domain this site sends e-mail to ({}): use an address there, or ask a platform admin (Site notifications.emailDomains)",
                    address.escape_debug(),
                    domains.join(", ")
                ));
            }
        }
        Ok(())
    }
}

fn normalized(patterns: &[String]) -> Vec<String> {
    patterns
        .iter()
        .map(|p| p.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|p| !p.is_empty() && p != ".")
        .collect()
}

/// Whether `name` is one of `patterns`: equal to a name, or below a `.suffix` (not the suffix
/// itself). Case and a trailing dot do not matter.
pub fn matches_any(patterns: &[String], name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    !name.is_empty()
        && patterns.iter().any(|p| match p.strip_prefix('.') {
            Some(_) => name.ends_with(p.as_str()) && name.len() > p.len(),
            None => name == *p,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_patterns_match_a_name_or_what_is_below_a_suffix() {
        let patterns = vec![".logic.azure.com".to_string(), "hooks.example".to_string()];
        for ok in [
            "prod-23.westeurope.logic.azure.com",
            "PROD-1.JAPANEAST.LOGIC.AZURE.COM.",
            "hooks.example",
        ] {
            assert!(matches_any(&patterns, ok), "{ok}");
        }
        for bad in [
            "logic.azure.com",
            "evil-logic.azure.com",
            "logic.azure.com.evil.example",
            "x.hooks.example",
            "",
            ".",
        ] {
            assert!(!matches_any(&patterns, bad), "{bad}");
        }
    }

    #[test]
    fn without_a_section_the_defaults_apply() {
        let policy = NotificationPolicy::default();
        assert_eq!(
            policy.allowed_hosts(),
            [".logic.azure.com", ".environment.api.powerplatform.com"]
        );
        assert_eq!(policy.max_configs_per_namespace(), 20);
        assert_eq!(policy.max_addresses_per_config(), 50);
        assert_eq!(policy.max_bytes_per_tenant(), 65536);
        assert_eq!(
            policy.check_email_domains(&["a@anywhere.example".into()]),
            Ok(())
        );
        let raised = NotificationPolicy {
            max_addresses_per_config: Some(500),
            ..Default::default()
        };
        assert_eq!(raised.max_addresses_per_config(), 50, "50 stays the most");
    }

    #[test]
    fn recipients_outside_the_sites_domains_are_named() {
        let policy = NotificationPolicy {
            email_domains: vec!["example.com".into(), ".corp.example".into()],
            ..Default::default()
        };
        let ok = ["oncall@example.com", "ops@tokyo.corp.example"].map(String::from);
        assert_eq!(policy.check_email_domains(&ok), Ok(()));
        for bad in [
            "x@evil.example",
            "x@example.com.evil",
            "x@corp.example",
            "x",
        ] {
            let err = policy
                .check_email_domains(&["oncall@example.com".into(), bad.into()])
                .unwrap_err();
            assert!(err.contains(bad) && err.contains("emailDomains"), "{err}");
        }
    }
}
