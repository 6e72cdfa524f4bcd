//! IKE Office on the client side: the site's Office policy, and `ike expose`'s headless Service
//! for a workload (which pods it selects, the Service itself, applying it).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, Patch};

use super::{api_error, patch_params};
use crate::api::office::{HOSTNAME_ANNOTATION, TTL_ANNOTATION};
use crate::api::{OfficeSpec, SITE_NAME, Site};

/// The site's Office policy: the Site object's `office` section, the defaults without one.
pub async fn site_office(client: &kube::Client) -> anyhow::Result<OfficeSpec> {
    let sites: Api<Site> = Api::all(client.clone());
    match sites.get_opt(SITE_NAME).await {
        Ok(site) => Ok(site.and_then(|s| s.spec.office).unwrap_or_default()),
        // A site from before Site objects: every default.
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(OfficeSpec::default()),
        Err(e) => Err(api_error(e, "the site's policy (Site site)")),
    }
}

/// The nameserver to ask: `given` (`--server`), else the site's `office.server`.
pub async fn nameserver(office: &OfficeSpec, given: Option<&str>) -> anyhow::Result<SocketAddr> {
    let Some(server) = given.or(office.server.as_deref()) else {
        anyhow::bail!(
            "this site names no Office DNS server (Site office.server): pass --server HOST:PORT"
        );
    };
    Ok(crate::dns::server_address(server).await?)
}

/// What `ike expose` can expose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// A Deployment's pods.
    Deployment,
    /// A StatefulSet's pods.
    StatefulSet,
    /// One pod (by all its labels).
    Pod,
}

impl Workload {
    /// kubectl's short name.
    pub fn short(self) -> &'static str {
        match self {
            Workload::Deployment => "deploy",
            Workload::StatefulSet => "sts",
            Workload::Pod => "pod",
        }
    }
}

/// Parses `deploy/NAME`, `sts/NAME` or `pod/NAME` (and kubectl's longer spellings).
pub fn parse_workload(text: &str) -> anyhow::Result<(Workload, String)> {
    let hint = "write deploy/NAME, sts/NAME or pod/NAME";
    let Some((kind, name)) = text.split_once('/') else {
        anyhow::bail!("{text:?} names no kind: {hint}");
    };
    let workload = match kind {
        "deploy" | "deployment" | "deployments" => Workload::Deployment,
        "sts" | "statefulset" | "statefulsets" => Workload::StatefulSet,
        "po" | "pod" | "pods" => Workload::Pod,
        other => anyhow::bail!("ike expose cannot expose a {other:?}: {hint}"),
    };
    crate::api::names::check_namespace(name)
        .map_err(|_| anyhow::anyhow!("{name:?} is not a valid {} name", workload.short()))?;
    Ok((workload, name.to_string()))
}

/// The labels selecting the workload's pods: a Deployment's or StatefulSet's `matchLabels`
/// (a Service cannot express `matchExpressions`), or all of a pod's labels.
pub async fn selector_of(
    client: &kube::Client,
    namespace: &str,
    workload: Workload,
    name: &str,
) -> anyhow::Result<BTreeMap<String, String>> {
    let what = format!("{} {namespace}/{name}", workload.short());
    let not_found = |e: kube::Error| match &e {
        kube::Error::Api(s) if s.code == 404 => {
            anyhow::anyhow!("no {} {name} in namespace {namespace}", workload.short())
        }
        _ => api_error(e, &what),
    };
    let selector: Option<LabelSelector> = match workload {
        Workload::Deployment => {
            let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
            api.get(name)
                .await
                .map_err(not_found)?
                .spec
                .map(|s| s.selector)
        }
        Workload::StatefulSet => {
            let api: Api<StatefulSet> = Api::namespaced(client.clone(), namespace);
            api.get(name)
                .await
                .map_err(not_found)?
                .spec
                .map(|s| s.selector)
        }
        Workload::Pod => {
            let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
            let labels = api.get(name).await.map_err(not_found)?.metadata.labels;
            match labels {
                Some(labels) if !labels.is_empty() => return Ok(labels),
                _ => anyhow::bail!(
                    "pod {name} has no labels for a Service to select it by: label it first (kubectl label pod {name} app={name})"
                ),
            }
        }
    };
    let selector = selector.unwrap_or_default();
    if selector
        .match_expressions
        .as_ref()
        .is_some_and(|e| !e.is_empty())
    {
        anyhow::bail!(
            "{what} selects its pods with matchExpressions, which a Service cannot: expose a workload selecting by matchLabels"
        );
    }
    match selector.match_labels {
        Some(labels) if !labels.is_empty() => Ok(labels),
        _ => anyhow::bail!("{what} has no matchLabels to select its pods by"),
    }
}

/// The headless Service `ike expose` makes: `selector`'s pods under `hosts` with `ttl`, and
/// `port` when given (a headless Service needs none: the name stands for the pods' IPs, on
/// every port).
pub fn desired_service(
    namespace: &str,
    name: &str,
    selector: BTreeMap<String, String>,
    hosts: &[String],
    ttl: u32,
    port: Option<u16>,
) -> Service {
    let ports = port.map(|p| {
        serde_json::json!([{ "name": format!("tcp-{p}"), "port": p, "targetPort": p, "protocol": "TCP" }])
    });
    let mut spec = serde_json::json!({ "clusterIP": "None", "selector": selector });
    if let Some(ports) = ports {
        spec["ports"] = ports;
    }
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {
                HOSTNAME_ANNOTATION: hosts.join(","),
                TTL_ANNOTATION: ttl.to_string(),
            },
        },
        "spec": spec,
    }))
    .expect("a valid Service")
}

/// Creates or updates `service` by server-side apply as ike (a server-side dry run with
/// `dry_run`), returning it as the server stored it.
pub async fn apply_service(
    client: &kube::Client,
    service: &Service,
    dry_run: bool,
) -> anyhow::Result<Service> {
    let namespace = service.metadata.namespace.clone().unwrap_or_default();
    let name = service.metadata.name.clone().unwrap_or_default();
    let api: Api<Service> = Api::namespaced(client.clone(), &namespace);
    api.patch(&name, &patch_params(dry_run), &Patch::Apply(service))
        .await
        .map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 403 && s.message.contains("admission webhook") => {
                // The webhook's sentence says what is wrong with the name.
                let why = s.message.split("ike: ").nth(1).unwrap_or(&s.message);
                anyhow::anyhow!("the site refused the name: {why}")
            }
            kube::Error::Api(s) if s.code == 422 && s.message.contains("immutable") => anyhow::anyhow!(
                "Service {namespace}/{name} exists and is not headless: pick another name with --name"
            ),
            kube::Error::Api(s) if s.code == 409 => anyhow::anyhow!(
                "Service {namespace}/{name} is managed by someone else ({}): pick another name with --name",
                s.message
            ),
            _ => api_error(e, &format!("service {namespace}/{name}")),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_are_named_like_kubectl_names_them() {
        assert_eq!(
            parse_workload("deploy/web").unwrap(),
            (Workload::Deployment, "web".into())
        );
        assert_eq!(
            parse_workload("statefulset/db").unwrap().0,
            Workload::StatefulSet
        );
        assert_eq!(parse_workload("po/x").unwrap().0, Workload::Pod);
        for bad in ["web", "svc/web", "deploy/Web", "deploy/"] {
            let e = parse_workload(bad).unwrap_err().to_string();
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn the_exposing_service_is_headless_and_annotated_for_external_dns() {
        let selector = BTreeMap::from([("app".to_string(), "web".to_string())]);
        let s = desired_service(
            "t",
            "web",
            selector,
            &["web.office.local".into()],
            30,
            Some(80),
        );
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["spec"]["clusterIP"], "None");
        assert_eq!(v["spec"]["ports"][0]["port"], 80);
        assert_eq!(
            v["metadata"]["annotations"][HOSTNAME_ANNOTATION],
            "web.office.local"
        );
        assert_eq!(v["metadata"]["annotations"][TTL_ANNOTATION], "30");
        let s = desired_service("t", "web", BTreeMap::new(), &[], 30, None);
        assert!(s.spec.unwrap().ports.is_none());
    }
}
