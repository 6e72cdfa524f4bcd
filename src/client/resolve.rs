//! `ike resolve`: what the API says a name should resolve to (the ready pods of the Service
//! naming it) side by side with what the site's nameserver answers, drift flagged; and the
//! reverse, the pod and tenant behind an IP.

use std::net::{IpAddr, SocketAddr};

use k8s_openapi::api::core::v1::{Pod, Service};
use kube::ResourceExt;
use kube::api::{Api, ListParams};
use serde::Serialize;

use super::api_error;
use super::pods::Holder;
use crate::api::OfficeSpec;
use crate::api::names::parse_host_names;
use crate::api::office::{
    HOSTNAME_ANNOTATION, addresses, exposure, is_exposed, is_ready, parse_resource, pod_ips,
    resource, selects,
};
use crate::dns::{self, Answer};

/// How one address compares.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum State {
    /// In DNS and on a ready pod of the Service.
    Ok,
    /// In DNS but on no ready pod of the Service.
    Stale,
    /// On a ready pod of the Service but not in DNS.
    Missing,
}

/// One address of one name.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// The name.
    pub host: String,
    /// The address.
    pub ip: IpAddr,
    /// Its TTL in DNS, when DNS has it.
    pub dns_ttl: Option<u32>,
    /// The pod (NAMESPACE/NAME) of the Service holding it, if any.
    pub pod: Option<String>,
    /// Whether that pod is ready.
    pub ready: Option<bool>,
    /// How DNS and the API compare.
    pub state: State,
    /// Why, when not Ok.
    pub detail: Option<String>,
}

/// One name checked.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HostReport {
    /// The name.
    pub host: String,
    /// The Service naming it (NAMESPACE/NAME), when one the caller may see does.
    pub service: Option<String>,
    /// The ike ownership claim DNS holds for it, if any.
    pub claim: Option<String>,
    /// Its addresses.
    pub rows: Vec<Row>,
    /// Drift that is about the name rather than one address, one sentence each.
    pub notes: Vec<String>,
}

impl HostReport {
    /// Whether DNS and the API disagree.
    pub fn drift(&self) -> bool {
        !self.notes.is_empty() || self.rows.iter().any(|r| r.state != State::Ok)
    }
}

/// What `ike resolve` found.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// The nameserver asked.
    pub server: String,
    /// Every name checked.
    pub hosts: Vec<HostReport>,
    /// For an IP: the pods holding it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<Holder>,
}

impl Resolution {
    /// Whether any name drifted.
    pub fn drift(&self) -> bool {
        self.hosts.iter().any(HostReport::drift)
    }
}

/// Compares `answer` (DNS for `host`) with what `service` says over `pods` (its namespace's,
/// or more), under the site's `office` policy. Pure.
pub fn compare(
    host: &str,
    answer: &Answer,
    service: Option<&Service>,
    pods: &[Pod],
    office: &OfficeSpec,
) -> HostReport {
    let expected: Vec<IpAddr> = service.map(|s| addresses(s, pods)).unwrap_or_default();
    let pod_of = |ip: IpAddr| {
        pods.iter()
            .filter(|p| service.is_some_and(|s| selects(s, p)))
            .find(|p| pod_ips(p).contains(&ip))
    };
    let name_of = |p: &Pod| format!("{}/{}", p.namespace().unwrap_or_default(), p.name_any());
    let mut rows = Vec::new();
    for address in &answer.addresses {
        let pod = pod_of(address.ip);
        let ok = expected.contains(&address.ip);
        rows.push(Row {
            host: host.into(),
            ip: address.ip,
            dns_ttl: Some(address.ttl),
            pod: pod.map(name_of),
            ready: pod.map(is_ready),
            state: if ok { State::Ok } else { State::Stale },
            detail: (!ok).then(|| match pod {
                Some(p) => format!("{} is not ready", name_of(p)),
                None => "no pod of the Service has this IP".into(),
            }),
        });
    }
    for ip in expected
        .iter()
        .filter(|ip| !answer.addresses.iter().any(|a| a.ip == **ip))
    {
        let pod = pod_of(*ip);
        rows.push(Row {
            host: host.into(),
            ip: *ip,
            dns_ttl: None,
            pod: pod.map(name_of),
            ready: Some(true),
            state: State::Missing,
            detail: Some("not in DNS".into()),
        });
    }
    let mut notes = Vec::new();
    let claim = answer.ownership();
    match service {
        None => notes.push(format!("no Service you can see names {host}")),
        Some(service) => {
            let want = exposure(service.metadata.annotations.as_ref(), office)
                .and_then(Result::ok)
                .map(|e| e.ttl);
            let served: Vec<u32> = answer.addresses.iter().map(|a| a.ttl).collect();
            if let Some(want) = want
                && let Some(other) = served.iter().find(|t| **t != want)
            {
                notes.push(format!(
                    "DNS serves TTL {other} s, the Service asks for {want} s"
                ));
            }
            let id = resource(
                &service.namespace().unwrap_or_default(),
                &service.name_any(),
            );
            if office.publish {
                match &claim {
                    None if !answer.txt.is_empty() || !answer.addresses.is_empty() => notes.push(
                        "the name holds records ike did not publish: ike leaves them alone (condition NotOwned)".into(),
                    ),
                    None if !answer.exists => notes.push("the name does not exist in DNS".into()),
                    Some(c) if c.resource != id => {
                        notes.push(format!("the name is claimed by {c}, not by {id}"))
                    }
                    _ => {}
                }
            }
        }
    }
    HostReport {
        host: host.into(),
        service: service.map(|s| format!("{}/{}", s.namespace().unwrap_or_default(), s.name_any())),
        claim: claim.map(|c| c.to_string()),
        rows,
        notes,
    }
}

/// The host names a Service's annotation gives (invalid ones skipped).
pub fn hosts_of(service: &Service) -> Vec<String> {
    service
        .annotations()
        .get(HOSTNAME_ANNOTATION)
        .and_then(|a| parse_host_names(a).ok())
        .unwrap_or_default()
}

/// The pods `service` may select: its namespace's pods matching its selector.
pub async fn pods_of(client: &kube::Client, service: &Service) -> anyhow::Result<Vec<Pod>> {
    let namespace = service.namespace().unwrap_or_default();
    let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.clone()) else {
        return Ok(Vec::new());
    };
    if selector.is_empty() {
        return Ok(Vec::new());
    }
    let labels: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let api: Api<Pod> = Api::namespaced(client.clone(), &namespace);
    Ok(api
        .list(&ListParams::default().labels(&labels.join(",")))
        .await
        .map_err(|e| api_error(e, &format!("pods in namespace {namespace}")))?
        .items)
}

/// Checks each of `service`'s names against `server`.
pub async fn check_service(
    client: &kube::Client,
    server: SocketAddr,
    service: &Service,
    office: &OfficeSpec,
) -> anyhow::Result<Vec<HostReport>> {
    let pods = pods_of(client, service).await?;
    let mut reports = Vec::new();
    for host in hosts_of(service) {
        let answer = dns::lookup(server, &host).await?;
        reports.push(compare(&host, &answer, Some(service), &pods, office));
    }
    Ok(reports)
}

/// The Service naming `host`: the one its DNS claim names, else one found by its annotation
/// across the cluster (or, for a tenant, in `namespace`).
pub async fn service_naming(
    client: &kube::Client,
    host: &str,
    claim: Option<&str>,
    namespace: &str,
) -> anyhow::Result<Option<Service>> {
    let names = |s: &Service| hosts_of(s).iter().any(|h| h == host);
    if let Some((ns, name)) = claim.and_then(parse_resource) {
        let api: Api<Service> = Api::namespaced(client.clone(), ns);
        if let Ok(Some(service)) = api.get_opt(name).await
            && names(&service)
        {
            return Ok(Some(service));
        }
    }
    let all: Api<Service> = Api::all(client.clone());
    let services = match all.list(&ListParams::default()).await {
        Ok(list) => list.items,
        Err(kube::Error::Api(s)) if s.code == 403 => {
            let api: Api<Service> = Api::namespaced(client.clone(), namespace);
            api.list(&ListParams::default())
                .await
                .map_err(|e| api_error(e, &format!("services in namespace {namespace}")))?
                .items
        }
        Err(e) => return Err(api_error(e, "services")),
    };
    Ok(services.into_iter().find(names))
}

/// What `ike resolve` checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// A host name: its DNS answer against the Service naming it and that Service's pods.
    Host(String),
    /// A Service in the target's namespace: each of its names.
    Service(String),
    /// A pod in the target's namespace: the names of the Services selecting it.
    Pod(String),
    /// An IP: the pods holding it (and their tenants), and the names that should carry it.
    Ip(IpAddr),
}

/// Checks `what` against the site's nameserver (`server`, else the one the site's Office
/// names) and the cluster the target talks to.
pub async fn resolve(
    target: &super::Target,
    what: What,
    server: Option<&str>,
) -> anyhow::Result<Resolution> {
    let client = &target.client;
    let namespace = &target.namespace;
    let office = super::office::site_office(client).await?;
    let server = super::office::nameserver(&office, server).await?;
    let services: Api<Service> = Api::namespaced(client.clone(), namespace);
    let mut resolution = Resolution {
        server: server.to_string(),
        hosts: Vec::new(),
        holders: Vec::new(),
    };
    match what {
        What::Host(host) => {
            let answer = crate::dns::lookup(server, &host).await?;
            let claim = answer.ownership().map(|c| c.resource);
            let service = service_naming(client, &host, claim.as_deref(), namespace).await?;
            let pods = match &service {
                Some(s) => pods_of(client, s).await?,
                None => Vec::new(),
            };
            resolution
                .hosts
                .push(compare(&host, &answer, service.as_ref(), &pods, &office));
        }
        What::Service(name) => {
            let service = services
                .get(&name)
                .await
                .map_err(|e| api_error(e, &format!("service {namespace}/{name}")))?;
            if hosts_of(&service).is_empty() {
                anyhow::bail!(
                    "service {namespace}/{name} names no host (no valid external-dns.alpha.kubernetes.io/hostname): name it with 'ike expose'"
                );
            }
            resolution.hosts = check_service(client, server, &service, &office).await?;
        }
        What::Pod(name) => {
            let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
            let pod = pods
                .get(&name)
                .await
                .map_err(|e| api_error(e, &format!("pod {namespace}/{name}")))?;
            let list = services
                .list(&Default::default())
                .await
                .map_err(|e| api_error(e, &format!("services in namespace {namespace}")))?;
            let naming: Vec<&Service> = list
                .items
                .iter()
                .filter(|s| is_exposed(s.metadata.annotations.as_ref()) && selects(s, &pod))
                .collect();
            if naming.is_empty() {
                anyhow::bail!(
                    "no Service names pod {namespace}/{name}: name its workload with 'ike expose'"
                );
            }
            for service in naming {
                resolution
                    .hosts
                    .extend(check_service(client, server, service, &office).await?);
            }
        }
        What::Ip(ip) => {
            let mut namespaces = vec![namespace.clone()];
            let tenants = super::tenants::visible_tenants(target).await;
            for v in tenants.iter().flatten() {
                namespaces.extend(v.tenant.spec.namespaces.iter().cloned());
            }
            namespaces.sort();
            namespaces.dedup();
            resolution.holders = super::pods::holders_of(client, ip, &namespaces).await?;
            if resolution.holders.is_empty() {
                anyhow::bail!("no pod you may see has IP {ip}");
            }
            // The names that should carry the live pod's IP.
            let live = &resolution.holders[0].pod;
            let pods: Api<Pod> = Api::namespaced(client.clone(), &live.namespace);
            if let Ok(pod) = pods.get(&live.name).await {
                let services: Api<Service> = Api::namespaced(client.clone(), &live.namespace);
                if let Ok(list) = services.list(&Default::default()).await {
                    for s in list
                        .items
                        .iter()
                        .filter(|s| is_exposed(s.metadata.annotations.as_ref()) && selects(s, &pod))
                    {
                        let pods = pods_of(client, s).await?;
                        for host in hosts_of(s) {
                            let answer = crate::dns::lookup(server, &host).await?;
                            resolution
                                .hosts
                                .push(compare(&host, &answer, Some(s), &pods, &office));
                        }
                    }
                }
            }
        }
    }
    Ok(resolution)
}

#[cfg(test)]
mod tests;
