//! Pods and their addresses, as `ike pod ip` and `ike resolve` see them: one pod by name or
//! the pods a label selector picks, waiting until ready pods have IPs, and the pod holding an
//! IP across the namespaces the caller may read.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::ResourceExt;
use kube::api::{Api, ListParams};
use serde::Serialize;

use super::{Target, api_error};
use crate::api::consts::TENANT_LABEL;
use crate::api::office::{is_ready, pod_ips};

/// How often `--wait` asks again.
const POLL: Duration = Duration::from_millis(250);

/// Which pods: one by name, or those a label selector picks (all with an empty one).
#[derive(Clone, Debug)]
pub enum Which {
    /// The pod of this name.
    Name(String),
    /// The pods matching this label selector (kubectl's syntax).
    Selector(String),
}

impl std::fmt::Display for Which {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Which::Name(name) => write!(f, "pod {name}"),
            Which::Selector(s) if s.is_empty() => f.write_str("pods"),
            Which::Selector(s) => write!(f, "pods matching {s}"),
        }
    }
}

/// One pod's addresses with what tells whether to use them.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PodAddresses {
    /// The namespace.
    pub namespace: String,
    /// The pod.
    pub name: String,
    /// Its phase (Pending, Running, ...).
    pub phase: String,
    /// Whether its Ready condition is True (and it is not finished or being deleted).
    pub ready: bool,
    /// The node it runs on, once scheduled.
    pub node: Option<String>,
    /// Its IPs, IPv4 and IPv6, in the order the node gave them.
    pub ips: Vec<IpAddr>,
}

impl PodAddresses {
    /// The addresses of `pod`.
    pub fn of(pod: &Pod) -> PodAddresses {
        PodAddresses {
            namespace: pod.namespace().unwrap_or_default(),
            name: pod.name_any(),
            phase: pod
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_else(|| "Unknown".into()),
            ready: is_ready(pod),
            node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            ips: pod_ips(pod),
        }
    }
}

/// The pods `which` names in the target's namespace, sorted by name. A missing pod or a
/// selector matching nothing is an error that says so.
pub async fn list(target: &Target, which: &Which) -> anyhow::Result<Vec<Pod>> {
    let namespace = &target.namespace;
    let api: Api<Pod> = target.namespaced(namespace);
    let pods = match which {
        Which::Name(name) => match api.get_opt(name).await {
            Ok(Some(pod)) => vec![pod],
            Ok(None) => anyhow::bail!(
                "no pod {name} in namespace {namespace} (list them with 'kubectl get pods -n {namespace}')"
            ),
            Err(e) => return Err(api_error(e, &format!("pod {namespace}/{name}"))),
        },
        Which::Selector(selector) => {
            let mut params = ListParams::default();
            if !selector.is_empty() {
                params = params.labels(selector);
            }
            let mut items = api
                .list(&params)
                .await
                .map_err(|e| api_error(e, &format!("pods in namespace {namespace}")))?
                .items;
            items.sort_by_key(|p| p.name_any());
            items
        }
    };
    if pods.is_empty() {
        anyhow::bail!("no {which} in namespace {namespace}");
    }
    Ok(pods)
}

/// Whether `pods` are worth handing out: at least one ready pod, and every ready one has an IP.
pub fn ready_with_ips(pods: &[Pod]) -> bool {
    let ready: Vec<&Pod> = pods.iter().filter(|p| is_ready(p)).collect();
    !ready.is_empty() && ready.iter().all(|p| !pod_ips(p).is_empty())
}

/// Like [`list`], asking again until [`ready_with_ips`] holds or `timeout` passes.
pub async fn wait(target: &Target, which: &Which, timeout: Duration) -> anyhow::Result<Vec<Pod>> {
    let namespace = &target.namespace;
    let deadline = Instant::now() + timeout;
    loop {
        let last = match list(target, which).await {
            Ok(pods) if ready_with_ips(&pods) => return Ok(pods),
            Ok(pods) => format!(
                "{} of {} ready with an IP",
                pods.iter()
                    .filter(|p| is_ready(p) && !pod_ips(p).is_empty())
                    .count(),
                pods.len()
            ),
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            crate::not_done!(
                "waited {} s for ready {which} with IPs in namespace {namespace}; last: {last}",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// A pod holding an IP, with its tenant.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// The pod and its addresses.
    #[serde(flatten)]
    pub pod: PodAddresses,
    /// The tenant of its namespace, if any.
    pub tenant: Option<String>,
}

/// The pods holding `ip`: across the cluster for whoever may list every pod, else across
/// `namespaces` (the caller's own). Finished pods keep their IP in the API, so several may.
pub async fn holders_of(
    client: &kube::Client,
    ip: IpAddr,
    namespaces: &[String],
) -> anyhow::Result<Vec<Holder>> {
    let all: Api<Pod> = Api::all(client.clone());
    // The field selector finds the primary IP in one indexed request; a second IP (the other
    // family) is only in podIPs, which 1.20 cannot select on.
    let by_field = ListParams::default().fields(&format!("status.podIP={ip}"));
    let found: Vec<Pod> = match all.list(&by_field).await {
        Ok(list) if !list.items.is_empty() => list.items,
        Ok(_) => {
            all.list(&ListParams::default())
                .await
                .map_err(|e| api_error(e, "pods"))?
                .items
        }
        Err(kube::Error::Api(s)) if s.code == 403 => {
            let mut pods = Vec::new();
            for ns in namespaces {
                let api: Api<Pod> = Api::namespaced(client.clone(), ns);
                match api.list(&ListParams::default()).await {
                    Ok(list) => pods.extend(list.items),
                    Err(kube::Error::Api(s)) if s.code == 403 || s.code == 404 => {}
                    Err(e) => return Err(api_error(e, &format!("pods in namespace {ns}"))),
                }
            }
            pods
        }
        Err(e) => return Err(api_error(e, "pods")),
    };
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut holders = Vec::new();
    for pod in found.iter().filter(|p| pod_ips(p).contains(&ip)) {
        let namespace = pod.namespace().unwrap_or_default();
        let tenant = match namespaces.get_opt(&namespace).await {
            Ok(ns) => ns.and_then(|ns| ns.labels().get(TENANT_LABEL).cloned()),
            Err(_) => None,
        };
        holders.push(Holder {
            pod: PodAddresses::of(pod),
            tenant,
        });
    }
    // The live one first.
    holders.sort_by_key(|h| (!h.pod.ready, h.pod.namespace.clone(), h.pod.name.clone()));
    Ok(holders)
}
