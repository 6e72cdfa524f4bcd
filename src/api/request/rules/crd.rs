//! What a tenant's CRD may be: in a group of its own, namespaced, converted only by a Service of
//! its own, and named so that it shadows nothing already served.

use serde_json::Value;

use super::{Facts, check, reserved_group, site_reserved_group};
use crate::api::request::Check;

/// The names (plural, singular, short) of the resources every Kubernetes API server of 1.20 to
/// today serves, and ike's own: a tenant's CRD named like one of them would be what `kubectl
/// get NAME` finds for whoever types it.
pub const BUILT_IN_NAMES: &[&str] = &[
    "all",
    "apiservice",
    "apiservices",
    "binding",
    "bindings",
    "certificatesigningrequest",
    "certificatesigningrequests",
    "clusterrole",
    "clusterrolebinding",
    "clusterrolebindings",
    "clusterroles",
    "cm",
    "componentstatus",
    "componentstatuses",
    "configmap",
    "configmaps",
    "controllerrevision",
    "controllerrevisions",
    "cronjob",
    "cronjobs",
    "crd",
    "crds",
    "cs",
    "csidriver",
    "csidrivers",
    "csinode",
    "csinodes",
    "csistoragecapacities",
    "csr",
    "cj",
    "customresourcedefinition",
    "customresourcedefinitions",
    "daemonset",
    "daemonsets",
    "deploy",
    "deployment",
    "deployments",
    "ds",
    "endpoints",
    "endpointslice",
    "endpointslices",
    "ep",
    "ev",
    "event",
    "events",
    "flowschema",
    "flowschemas",
    "horizontalpodautoscaler",
    "horizontalpodautoscalers",
    "hpa",
    "ing",
    "ingress",
    "ingressclass",
    "ingressclasses",
    "ingresses",
    "job",
    "jobs",
    "lease",
    "leases",
    "limitrange",
    "limitranges",
    "limits",
    "mutatingwebhookconfiguration",
    "mutatingwebhookconfigurations",
    "namespace",
    "namespaces",
    "netpol",
    "networkpolicies",
    "networkpolicy",
    "no",
    "node",
    "nodes",
    "ns",
    "pc",
    "pdb",
    "persistentvolume",
    "persistentvolumeclaim",
    "persistentvolumeclaims",
    "persistentvolumes",
    "po",
    "pod",
    "poddisruptionbudget",
    "poddisruptionbudgets",
    "pods",
    "podsecuritypolicies",
    "podsecuritypolicy",
    "podtemplate",
    "podtemplates",
    "priorityclass",
    "priorityclasses",
    "prioritylevelconfiguration",
    "prioritylevelconfigurations",
    "psp",
    "pv",
    "pvc",
    "quota",
    "rc",
    "replicaset",
    "replicasets",
    "replicationcontroller",
    "replicationcontrollers",
    "resourcequota",
    "resourcequotas",
    "role",
    "rolebinding",
    "rolebindings",
    "roles",
    "rs",
    "runtimeclass",
    "runtimeclasses",
    "sa",
    "sc",
    "secret",
    "secrets",
    "service",
    "serviceaccount",
    "serviceaccounts",
    "services",
    "statefulset",
    "statefulsets",
    "storageclass",
    "storageclasses",
    "sts",
    "svc",
    "validatingadmissionpolicies",
    "validatingadmissionpolicy",
    "validatingwebhookconfiguration",
    "validatingwebhookconfigurations",
    "volumeattachment",
    "volumeattachments",
    // ike's own.
    "account",
    "accounts",
    "barryconfig",
    "barryconfigs",
    "emailconfig",
    "emailconfigs",
    "notify",
    "resourcerequest",
    "resourcerequests",
    "rr",
    "site",
    "sites",
    "teamsconfig",
    "teamsconfigs",
    "tenant",
    "tenants",
    "tn",
];

/// Whether `apiservice` (an `apiregistration.k8s.io/v1` APIService, as JSON) serves `group` as
/// something other than the API server's stand-in for CRDs, and as what: an aggregated API (it
/// names a Service) or a group of the API server itself. The API server makes a local
/// APIService for every CRD group (labelled `kube-aggregator.kubernetes.io/automanaged: "true"`,
/// no Service); those are the CRDs', judged by who holds the CRDs.
pub fn apiservice_claim(apiservice: &Value, group: &str) -> Option<String> {
    if apiservice["spec"]["group"].as_str() != Some(group) {
        return None;
    }
    let name = apiservice["metadata"]["name"].as_str().unwrap_or_default();
    let service = &apiservice["spec"]["service"];
    if service.is_object() {
        return Some(format!(
            "APIService {name} (an aggregated API: Service {}/{})",
            service["namespace"].as_str().unwrap_or_default(),
            service["name"].as_str().unwrap_or_default()
        ));
    }
    let managed =
        apiservice["metadata"]["labels"]["kube-aggregator.kubernetes.io/automanaged"].as_str();
    (managed != Some("true"))
        .then(|| format!("APIService {name} (served by the API server itself)"))
}

/// The names kubectl resolves a CRD's resource by: plural, singular and short names.
pub fn resource_names(crd: &Value) -> Vec<String> {
    let names = &crd["spec"]["names"];
    let mut out: Vec<String> = ["plural", "singular"]
        .iter()
        .filter_map(|k| names[*k].as_str())
        .filter(|n| !n.is_empty())
        .map(|n| n.to_ascii_lowercase())
        .collect();
    out.extend(
        names["shortNames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str())
            .map(|n| n.to_ascii_lowercase()),
    );
    out.sort();
    out.dedup();
    out
}

pub(super) fn checks(manifest: &Value, facts: &Facts, out: &mut Vec<Check>) {
    let spec = &manifest["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    out.push(check(
        "group",
        reserved_group(group).or_else(|| site_reserved_group(group, &facts.reserved_groups)),
        format!("group {group} is not a Kubernetes, ike or reserved group"),
    ));
    let held: Vec<String> = facts
        .group_crds
        .iter()
        .filter(|(_, owner)| owner.as_deref() != Some(facts.tenant.as_str()))
        .map(|(name, owner)| match owner {
            Some(_) => format!("{name} (another tenant's)"),
            None => format!("{name} (the platform's)"),
        })
        .chain(facts.group_apiservices.iter().cloned())
        .collect();
    out.push(check(
        "group-owner",
        (!held.is_empty())
            .then(|| format!("group {group} is held by someone else: {}", held.join(", "))),
        format!("no one else holds group {group}"),
    ));
    let scope = spec["scope"].as_str().unwrap_or_default();
    out.push(check(
        "scope",
        (scope != "Namespaced").then(|| {
            format!("scope {scope:?}: only namespaced resources can be a tenant's (a cluster-scoped one would be every tenant's): set spec.scope: Namespaced")
        }),
        "the resources are namespaced",
    ));
    let mut clashes: Vec<String> = resource_names(manifest)
        .into_iter()
        .filter_map(|n| {
            if BUILT_IN_NAMES.contains(&n.as_str()) {
                return Some(format!("{n} (Kubernetes' or ike's)"));
            }
            facts
                .served_names
                .iter()
                .find(|(name, _)| *name == n)
                .map(|(_, by)| format!("{n} ({by})"))
        })
        .collect();
    let everywhere = spec["names"]["categories"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c.as_str() == Some("all"));
    if everywhere {
        clashes.push(
            "category all (every `kubectl get all` would list it, and fail for everyone else)"
                .into(),
        );
    }
    out.push(check(
        "names",
        (!clashes.is_empty()).then(|| {
            format!(
                "its names are served already, so kubectl would find one for the other: {}; choose others",
                clashes.join(", ")
            )
        }),
        "its names shadow no other resource",
    ));
    let conversion = &spec["conversion"];
    let problem = match conversion["strategy"].as_str() {
        Some("Webhook") => {
            let client = &conversion["webhook"]["clientConfig"];
            if client["url"].is_string() {
                Some("a conversion webhook by URL is refused (the API server would call it): name a Service in one of your namespaces".to_string())
            } else {
                let ns = client["service"]["namespace"].as_str().unwrap_or_default();
                (!facts.namespaces.iter().any(|n| n == ns)).then(|| {
                    format!("the conversion webhook's Service is in namespace {ns:?}, which is not one of tenant {}'s", facts.tenant)
                })
            }
        }
        _ => None,
    };
    out.push(check(
        "conversion",
        problem,
        "no conversion webhook outside the tenant",
    ));
}
