//! IKE Office: what a Service's external-dns annotations ask for, checked against the site's
//! policy, and which pod addresses a headless Service's name stands for. Pure functions shared
//! by `ike expose`, `ike resolve`, the admission webhook and the publishing reconciler, so the
//! four cannot disagree.

use std::collections::BTreeMap;
use std::net::IpAddr;

use k8s_openapi::api::core::v1::{Pod, Service};

use super::OfficeSpec;
use super::names::{self, NameError};

pub mod limits;

/// external-dns' annotation naming a Service's host names (comma-separated).
pub const HOSTNAME_ANNOTATION: &str = "external-dns.alpha.kubernetes.io/hostname";
/// external-dns' annotation giving the TTL of a Service's records (seconds, or e.g. `1m`).
pub const TTL_ANNOTATION: &str = "external-dns.alpha.kubernetes.io/ttl";
/// The condition ike-controller keeps on every Service it publishes (or refuses to).
pub const PUBLISHED_CONDITION: &str = "ike.dev/DNSPublished";

/// What a Service's annotations ask for, once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    /// Its host names, lower-case, without the trailing dot.
    pub hosts: Vec<String>,
    /// The TTL of its records in seconds.
    pub ttl: u32,
}

/// Why a TTL annotation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TtlError {
    /// Neither seconds nor a duration.
    #[error("TTL {0:?} is not a number of seconds or a duration: use e.g. 30 or 1m")]
    Unreadable(String),
    /// Zero, or above the site's limit.
    #[error("TTL {ttl} s is outside what this site allows: use 1 to {max} seconds")]
    OutOfRange {
        /// The TTL asked for.
        ttl: u64,
        /// The site's largest TTL.
        max: u32,
    },
}

/// Parses a TTL annotation: seconds (`30`) or a duration (`90s`, `5m`, `1h`), 1 s to `max`.
pub fn parse_ttl(text: &str, max: u32) -> Result<u32, TtlError> {
    let secs = match text.trim().parse::<u64>() {
        Ok(secs) => secs,
        Err(_) => crate::util::time::parse_duration(text)
            .map_err(|_| TtlError::Unreadable(text.chars().take(32).collect()))?
            .as_secs(),
    };
    match u32::try_from(secs) {
        Ok(ttl) if (1..=max).contains(&ttl) => Ok(ttl),
        _ => Err(TtlError::OutOfRange { ttl: secs, max }),
    }
}

/// Whether `annotations` name Office host names at all.
pub fn is_exposed(annotations: Option<&BTreeMap<String, String>>) -> bool {
    annotations.is_some_and(|a| a.contains_key(HOSTNAME_ANNOTATION))
}

/// What `annotations` ask for under the site's `office` policy: None without the hostname
/// annotation; otherwise the exposure, or every problem as a sentence (bad or disallowed host
/// names, a bad TTL).
pub fn exposure(
    annotations: Option<&BTreeMap<String, String>>,
    office: &OfficeSpec,
) -> Option<Result<Exposure, Vec<String>>> {
    let annotations = annotations?;
    let hostnames = annotations.get(HOSTNAME_ANNOTATION)?;
    let mut problems = Vec::new();
    let hosts = match names::parse_host_names(hostnames) {
        Ok(hosts) => hosts,
        Err(e) => {
            problems.push(e.to_string());
            Vec::new()
        }
    };
    let allowed = office.allowed_domains();
    for host in &hosts {
        if let Err(e) = names::check_host_in_domains(host, &allowed) {
            // One sentence for a site without domains, however many names.
            let e = match e {
                NameError::NoOfficeDomains(_) if hosts.len() > 1 => {
                    NameError::NoOfficeDomains(hosts.join(", "))
                }
                e => e,
            };
            if !problems.contains(&e.to_string()) {
                problems.push(e.to_string());
            }
        }
    }
    let ttl = match annotations.get(TTL_ANNOTATION) {
        None => office.default_ttl(),
        Some(text) => parse_ttl(text, office.max_ttl()).unwrap_or_else(|e| {
            problems.push(e.to_string());
            0
        }),
    };
    Some(if problems.is_empty() {
        Ok(Exposure { hosts, ttl })
    } else {
        Err(problems)
    })
}

/// The resource an Office name belongs to, as ownership claims and the registry write it.
pub fn resource(namespace: &str, name: &str) -> String {
    format!("service/{namespace}/{name}")
}

/// The namespace and name of a Service from [`resource`]'s form.
pub fn parse_resource(resource: &str) -> Option<(&str, &str)> {
    let rest = resource.strip_prefix("service/")?;
    let (namespace, name) = rest.split_once('/')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains('/')).then_some((namespace, name))
}

/// Whether the Service is headless (`clusterIP: None`): its name stands for its pods.
pub fn is_headless(service: &Service) -> bool {
    service
        .spec
        .as_ref()
        .and_then(|s| s.cluster_ip.as_deref())
        .is_some_and(|ip| ip == "None")
}

/// Whether the pod is ready for traffic: condition Ready is True, it is neither finished nor
/// being deleted.
pub fn is_ready(pod: &Pod) -> bool {
    let status = pod.status.as_ref();
    let finished = status
        .and_then(|s| s.phase.as_deref())
        .is_some_and(|p| p == "Succeeded" || p == "Failed");
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    ready && !finished && pod.metadata.deletion_timestamp.is_none()
}

/// The pod's IPs, IPv4 and IPv6, in the order the node gave them (`status.podIPs`, else
/// `status.podIP`); unparsable entries are skipped.
pub fn pod_ips(pod: &Pod) -> Vec<IpAddr> {
    let Some(status) = &pod.status else {
        return Vec::new();
    };
    let listed = status.pod_ips.iter().flatten().map(|p| p.ip.as_str());
    let mut ips: Vec<IpAddr> = Vec::new();
    for ip in listed.chain(status.pod_ip.as_deref()) {
        if let Ok(ip) = ip.parse::<IpAddr>()
            && !ips.contains(&ip)
        {
            ips.push(ip);
        }
    }
    ips
}

/// Whether `service` selects `pod`: same namespace, a non-empty selector, every selector label
/// on the pod.
pub fn selects(service: &Service, pod: &Pod) -> bool {
    let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return false;
    };
    let labels = pod.metadata.labels.as_ref();
    !selector.is_empty()
        && service.metadata.namespace == pod.metadata.namespace
        && selector
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// The addresses a headless Service's names stand for: the IPs of the pods it selects that are
/// ready (or all with an IP, when it sets `publishNotReadyAddresses`), sorted, IPv4 first.
pub fn addresses<'a>(service: &Service, pods: impl IntoIterator<Item = &'a Pod>) -> Vec<IpAddr> {
    let not_ready_too = service
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false);
    let mut ips: Vec<IpAddr> = pods
        .into_iter()
        .filter(|pod| selects(service, pod))
        .filter(|pod| is_ready(pod) || (not_ready_too && pod.metadata.deletion_timestamp.is_none()))
        .flat_map(pod_ips)
        .collect();
    ips.sort();
    ips.dedup();
    ips
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn office(domains: &[&str]) -> OfficeSpec {
        OfficeSpec {
            domains: domains.iter().map(|d| d.to_string()).collect(),
            ..OfficeSpec::default()
        }
    }

    fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn pod(name: &str, labels: serde_json::Value, status: serde_json::Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "team-a", "labels": labels},
            "status": status
        }))
        .unwrap()
    }

    fn ready(ips: &[&str]) -> serde_json::Value {
        json!({
            "phase": "Running",
            "podIP": ips[0],
            "podIPs": ips.iter().map(|ip| json!({"ip": ip})).collect::<Vec<_>>(),
            "conditions": [{"type": "Ready", "status": "True"}]
        })
    }

    fn headless(selector: serde_json::Value) -> Service {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "team-a"},
            "spec": {"clusterIP": "None", "selector": selector}
        }))
        .unwrap()
    }

    #[test]
    fn an_exposure_under_an_allowed_domain_gets_the_default_ttl() {
        let a = annotations(&[(HOSTNAME_ANNOTATION, "Web.Office.Local")]);
        assert_eq!(
            exposure(Some(&a), &office(&["office.local"])),
            Some(Ok(Exposure {
                hosts: vec!["web.office.local".into()],
                ttl: 30
            }))
        );
        assert_eq!(exposure(None, &office(&["office.local"])), None);
    }

    #[test]
    fn every_problem_of_an_exposure_is_named() {
        let a = annotations(&[
            (HOSTNAME_ANNOTATION, "web.office.local,web.evil.org"),
            (TTL_ANNOTATION, "7200"),
        ]);
        let problems = exposure(Some(&a), &office(&["office.local"]))
            .unwrap()
            .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("web.evil.org is not under"),
            "{problems:?}"
        );
        assert!(
            problems[1].contains("use 1 to 3600 seconds"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_site_without_office_domains_refuses_every_name_in_one_sentence() {
        let a = annotations(&[(HOSTNAME_ANNOTATION, "a.x.org,b.x.org")]);
        let problems = exposure(Some(&a), &OfficeSpec::default())
            .unwrap()
            .unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("a.x.org, b.x.org: this site allows no"));
    }

    #[test]
    fn ttls_are_seconds_or_durations_within_the_limit() {
        assert_eq!(parse_ttl("30", 3600), Ok(30));
        assert_eq!(parse_ttl("2m", 3600), Ok(120));
        assert!(matches!(
            parse_ttl("0", 3600),
            Err(TtlError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_ttl("2h", 3600),
            Err(TtlError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_ttl("soon", 3600),
            Err(TtlError::Unreadable(_))
        ));
    }

    #[test]
    fn resources_round_trip() {
        assert_eq!(resource("team-a", "web"), "service/team-a/web");
        assert_eq!(
            parse_resource("service/team-a/web"),
            Some(("team-a", "web"))
        );
        for bad in ["Service/a/b", "service/a", "service//b", "service/a/b/c"] {
            assert_eq!(parse_resource(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_headless_service_stands_for_its_ready_pods_ips_of_both_families() {
        let service = headless(json!({"app": "web"}));
        let pods = [
            pod("a", json!({"app": "web"}), ready(&["10.0.0.2", "fd00::2"])),
            pod("b", json!({"app": "web", "x": "y"}), ready(&["10.0.0.1"])),
            pod("c", json!({"app": "other"}), ready(&["10.0.0.3"])),
            pod(
                "d",
                json!({"app": "web"}),
                json!({"podIP": "10.0.0.4", "conditions": [{"type": "Ready", "status": "False"}]}),
            ),
            pod("e", json!({"app": "web"}), json!({"phase": "Pending"})),
        ];
        let ips: Vec<String> = addresses(&service, &pods)
            .iter()
            .map(|ip| ip.to_string())
            .collect();
        assert_eq!(ips, ["10.0.0.1", "10.0.0.2", "fd00::2"]);
        assert!(is_headless(&service));
    }

    #[test]
    fn publish_not_ready_addresses_includes_pods_that_are_not_ready() {
        let mut service = headless(json!({"app": "web"}));
        service.spec.as_mut().unwrap().publish_not_ready_addresses = Some(true);
        let pods = [pod(
            "d",
            json!({"app": "web"}),
            json!({"podIP": "10.0.0.4"}),
        )];
        assert_eq!(addresses(&service, &pods).len(), 1);
    }

    #[test]
    fn a_service_without_selector_selects_nothing() {
        let service = headless(json!({}));
        let pods = [pod("a", json!({"app": "web"}), ready(&["10.0.0.2"]))];
        assert!(addresses(&service, &pods).is_empty());
    }
}
