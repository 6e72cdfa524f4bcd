//! Services in tenant namespaces reach no one else's traffic: no `externalIPs` (CVE-2020-8554:
//! any Service could claim any address and intercept it), no NodePort (a port on every node)
//! unless the tenant is allowed, LoadBalancers as the site and the tenant say and only on the
//! tenant's own addresses, and ExternalName only into domains the tenant may point at
//! (cluster-internal names included, so a Service cannot alias another tenant's).

use std::net::IpAddr;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::Service;
use kube::core::admission::AdmissionResponse;

use super::{Hook, Policy, review_namespaced, typed};
use crate::api::consts::ISOLATED_LABEL;
use crate::api::{TenantAllowances, TenantPolicy};

/// The webhook: every CREATE and UPDATE of a Service in a tenant namespace.
pub const HOOK: Hook = Hook {
    name: "services.traffic.ike.dev",
    path: "/admission/services",
    rule: [&[""], &["v1"], &["services"]],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};

/// Answers one AdmissionReview of a Service.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    review_namespaced(&policy, HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        let tenant = request
            .namespace
            .as_deref()
            .and_then(|ns| policy.tenant_of(ns));
        let allowances = tenant
            .as_ref()
            .map(|t| t.spec.policy.clone())
            .unwrap_or_default();
        let name = tenant.map(|t| t.metadata.name.clone().unwrap_or_default());
        let problems = match typed::<Service>(request.object.as_ref()) {
            Ok(service) => review(
                &service,
                &policy.site().tenants,
                &allowances,
                name.as_deref().unwrap_or("(none)"),
            ),
            Err(e) => vec![e],
        };
        (response, problems)
    })
    .await
}

/// Everything wrong with `service` in a namespace of tenant `tenant`, one sentence each naming
/// the rule; empty when it is allowed.
pub fn review(
    service: &Service,
    site: &TenantPolicy,
    tenant_policy: &TenantAllowances,
    tenant: &str,
) -> Vec<String> {
    let Some(spec) = &service.spec else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    if spec
        .external_ips
        .as_ref()
        .is_some_and(|ips| !ips.is_empty())
    {
        problems.push(
            "spec.externalIPs is not allowed in tenant namespaces: it can intercept other traffic to those addresses (CVE-2020-8554)"
                .to_owned(),
        );
    }
    match spec.type_.as_deref().unwrap_or("ClusterIP") {
        "NodePort" if !tenant_policy.node_ports => problems.push(format!(
            "type NodePort opens a port on every node and is not allowed for tenant {tenant} (a platform admin may allow it: spec.policy.nodePorts)"
        )),
        "LoadBalancer" => {
            let allowed = tenant_policy.load_balancers.unwrap_or(site.load_balancers);
            if !allowed {
                problems.push(format!(
                    "type LoadBalancer is not allowed for tenant {tenant} on this site (ask a platform admin: spec.policy.loadBalancers)"
                ));
            } else if let Some(ip) = spec.load_balancer_ip.as_deref().filter(|ip| !ip.is_empty())
                && !in_any(ip, &tenant_policy.load_balancer_ips)
            {
                problems.push(format!(
                    "loadBalancerIP {ip} is not one of tenant {tenant}'s addresses (spec.policy.loadBalancerIPs): leave it empty to get one"
                ));
            }
        }
        "ExternalName" => {
            let target = spec.external_name.as_deref().unwrap_or_default();
            let domains = site
                .external_name_domains
                .iter()
                .chain(&tenant_policy.external_name_domains);
            if !domains.clone().any(|d| within(target, d)) {
                problems.push(format!(
                    "ExternalName {target:?} is outside the domains tenant {tenant} may point at (cluster-internal names included; a platform admin may add one: spec.policy.externalNameDomains)"
                ));
            }
        }
        _ => {}
    }
    problems
}

/// Whether host name `name` is `domain` or, for `.suffix`, below it (case and a final dot
/// ignored). An empty domain allows nothing.
pub fn within(name: &str, domain: &str) -> bool {
    let norm = |s: &str| s.trim_end_matches('.').to_ascii_lowercase();
    let (name, domain) = (norm(name), norm(domain));
    if name.is_empty() || domain.is_empty() || domain == "." {
        return false;
    }
    match domain.strip_prefix('.') {
        Some(suffix) => name.ends_with(&format!(".{suffix}")),
        None => name == domain,
    }
}

/// Whether `ip` lies in one of `cidrs` (`a.b.c.d/n`, `::/n`, or a single address).
pub fn in_any(ip: &str, cidrs: &[String]) -> bool {
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    cidrs.iter().any(|cidr| contains(cidr, ip))
}

fn contains(cidr: &str, ip: IpAddr) -> bool {
    let (net, bits) = match cidr.split_once('/') {
        Some((net, bits)) => (net, bits.parse::<u32>().ok()),
        None => (cidr, None),
    };
    match (net.parse::<IpAddr>(), ip) {
        (Ok(IpAddr::V4(net)), IpAddr::V4(ip)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(net) & mask == u32::from(ip) & mask
        }
        (Ok(IpAddr::V6(net)), IpAddr::V6(ip)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(net) & mask == u128::from(ip) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(spec: serde_json::Value) -> Service {
        serde_json::from_value(serde_json::json!({"metadata": {"name": "s"}, "spec": spec}))
            .unwrap()
    }

    fn problems(spec: serde_json::Value, tenant: &TenantAllowances) -> Vec<String> {
        review(&service(spec), &TenantPolicy::default(), tenant, "team-a")
    }

    #[test]
    fn an_ordinary_cluster_ip_service_is_allowed() {
        let p = problems(
            serde_json::json!({"ports": [{"port": 80}], "selector": {"app": "web"}}),
            &TenantAllowances::default(),
        );
        assert!(p.is_empty(), "{p:?}");
        let headless = problems(
            serde_json::json!({"clusterIP": "None"}),
            &Default::default(),
        );
        assert!(headless.is_empty());
    }

    #[test]
    fn external_ips_are_refused_whoever_the_tenant_is() {
        let open = TenantAllowances {
            node_ports: true,
            load_balancers: Some(true),
            ..Default::default()
        };
        let p = problems(serde_json::json!({"externalIPs": ["10.0.0.5"]}), &open);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("CVE-2020-8554"), "{p:?}");
    }

    #[test]
    fn node_ports_need_the_tenants_allowance() {
        let spec = serde_json::json!({"type": "NodePort", "ports": [{"port": 80}]});
        let p = problems(spec.clone(), &TenantAllowances::default());
        assert!(p[0].contains("type NodePort") && p[0].contains("spec.policy.nodePorts"));
        let allowed = TenantAllowances {
            node_ports: true,
            ..Default::default()
        };
        assert!(problems(spec, &allowed).is_empty());
    }

    #[test]
    fn load_balancers_follow_the_site_then_the_tenant_and_keep_to_its_addresses() {
        let lb = serde_json::json!({"type": "LoadBalancer"});
        let closed = TenantPolicy {
            load_balancers: false,
            ..Default::default()
        };
        let none = TenantAllowances::default();
        assert!(review(&service(lb.clone()), &TenantPolicy::default(), &none, "t").is_empty());
        assert!(!review(&service(lb.clone()), &closed, &none, "t").is_empty());
        let granted = TenantAllowances {
            load_balancers: Some(true),
            load_balancer_ips: vec!["192.0.2.0/28".into()],
            ..Default::default()
        };
        assert!(review(&service(lb.clone()), &closed, &granted, "t").is_empty());
        let denied = TenantAllowances {
            load_balancers: Some(false),
            ..Default::default()
        };
        assert!(!review(&service(lb), &TenantPolicy::default(), &denied, "t").is_empty());
        let inside = serde_json::json!({"type": "LoadBalancer", "loadBalancerIP": "192.0.2.9"});
        let outside = serde_json::json!({"type": "LoadBalancer", "loadBalancerIP": "192.0.2.99"});
        assert!(review(&service(inside.clone()), &closed, &granted, "t").is_empty());
        let p = review(&service(outside), &closed, &granted, "t");
        assert!(p[0].contains("loadBalancerIP 192.0.2.99"), "{p:?}");
        // No allowance: no address of one's own choosing at all.
        assert!(!review(&service(inside), &TenantPolicy::default(), &none, "t").is_empty());
    }

    #[test]
    fn external_names_stay_inside_the_allowed_domains() {
        let site = TenantPolicy {
            external_name_domains: vec![".partner.example".into()],
            ..Default::default()
        };
        let tenant = TenantAllowances {
            external_name_domains: vec!["db.example.com".into()],
            ..Default::default()
        };
        let check = |name: &str| {
            review(
                &service(serde_json::json!({"type": "ExternalName", "externalName": name})),
                &site,
                &tenant,
                "t",
            )
        };
        assert!(check("api.partner.example").is_empty());
        assert!(check("DB.example.com.").is_empty());
        for outside in [
            "partner.example.evil",
            "evilpartner.example",
            "other.example.com",
            "web.team-b.svc.cluster.local",
            "kubernetes.default",
            "10.0.0.1",
            "",
        ] {
            let p = check(outside);
            assert!(p[0].contains("is outside the domains"), "{outside}: {p:?}");
        }
    }

    #[test]
    fn addresses_are_matched_by_prefix() {
        let cidrs = vec![
            "10.1.0.0/16".to_string(),
            "2001:db8::/32".into(),
            "192.0.2.7".into(),
        ];
        assert!(in_any("10.1.200.3", &cidrs));
        assert!(!in_any("10.2.0.1", &cidrs));
        assert!(in_any("2001:db8::1", &cidrs));
        assert!(!in_any("2001:db9::1", &cidrs));
        assert!(in_any("192.0.2.7", &cidrs));
        assert!(!in_any("192.0.2.8", &cidrs));
        assert!(!in_any("not an ip", &cidrs));
        assert!(in_any("8.8.8.8", &["0.0.0.0/0".to_string()]));
    }
}
