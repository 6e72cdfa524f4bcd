//! Hand-made Endpoints and EndpointSlices in tenant namespaces point only at pods of their own
//! namespace (CVE-2021-25740: a Service of one's own could otherwise send an ingress controller's
//! traffic to any address, another tenant's pods or the nodes included). Every address must name
//! a pod of the same namespace in its `targetRef`, and that pod must have the address. The
//! cluster's own controllers, which keep Endpoints of Services with selectors, are not reviewed.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::{ObjectReference, Pod};
use kube::api::{Api, ListParams};
use kube::core::DynamicObject;
use kube::core::admission::AdmissionResponse;

use super::{Hook, Policy, is_cluster_controller, review_namespaced};
use crate::api::consts::ISOLATED_LABEL;

/// The webhook: CREATE and UPDATE of Endpoints and EndpointSlices in tenant namespaces.
pub const HOOK: Hook = Hook {
    name: "endpoints.traffic.ike.dev",
    path: "/admission/endpoints",
    rule: [
        &["", "discovery.k8s.io"],
        &["v1", "v1beta1"],
        &["endpoints", "endpointslices"],
    ],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};

/// One address and what it claims to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    /// The IP.
    pub ip: String,
    /// Its `targetRef`, if any.
    pub target: Option<ObjectReference>,
}

/// Answers one AdmissionReview of an Endpoints or EndpointSlice.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    review_namespaced(&policy, HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        if is_cluster_controller(&request) {
            return (response, Vec::new());
        }
        let namespace = request.namespace.clone().unwrap_or_default();
        let Some(object) = request.object.as_ref() else {
            return (response, Vec::new());
        };
        let addresses = addresses(&request.kind.kind, object);
        if addresses.is_empty() {
            return (response, Vec::new());
        }
        let pods: Api<Pod> = Api::namespaced(policy.client.clone(), &namespace);
        let problems = match pods.list(&ListParams::default()).await {
            Ok(list) => review(&addresses, &namespace, &pod_ips(&list.items)),
            Err(e) => vec![format!(
                "cannot read the pods of {namespace} to check these addresses ({e}): try again"
            )],
        };
        (response, problems)
    })
    .await
}

/// Every address of an Endpoints (`subsets[].addresses` and `notReadyAddresses`) or an
/// EndpointSlice (`endpoints[].addresses`), with its target.
pub fn addresses(kind: &str, object: &DynamicObject) -> Vec<Address> {
    let target = |v: &serde_json::Value| {
        v.get("targetRef")
            .and_then(|t| serde_json::from_value::<ObjectReference>(t.clone()).ok())
    };
    let mut out = Vec::new();
    let list =
        |v: Option<&serde_json::Value>| v.and_then(|v| v.as_array()).cloned().unwrap_or_default();
    match kind {
        "Endpoints" => {
            for subset in list(object.data.get("subsets")) {
                for key in ["addresses", "notReadyAddresses"] {
                    for a in list(subset.get(key)) {
                        out.push(Address {
                            ip: a
                                .get("ip")
                                .and_then(|i| i.as_str())
                                .unwrap_or_default()
                                .to_owned(),
                            target: target(&a),
                        });
                    }
                }
            }
        }
        _ => {
            for e in list(object.data.get("endpoints")) {
                for ip in list(e.get("addresses")) {
                    out.push(Address {
                        ip: ip.as_str().unwrap_or_default().to_owned(),
                        target: target(&e),
                    });
                }
            }
        }
    }
    out
}

/// Each pod's addresses, by pod name.
pub fn pod_ips(pods: &[Pod]) -> BTreeMap<String, BTreeSet<String>> {
    pods.iter()
        .filter_map(|p| {
            let status = p.status.as_ref()?;
            let mut ips: BTreeSet<String> = status
                .pod_ips
                .iter()
                .flatten()
                .map(|i| i.ip.clone())
                .collect();
            ips.extend(status.pod_ip.clone());
            Some((p.metadata.name.clone()?, ips))
        })
        .collect()
}

/// Everything wrong with `addresses` in `namespace`, whose pods have `pods`' addresses.
pub fn review(
    addresses: &[Address],
    namespace: &str,
    pods: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for a in addresses {
        let why = match &a.target {
            None => Some("names no pod (targetRef)".to_owned()),
            Some(t) if t.kind.as_deref() != Some("Pod") => Some(format!(
                "names a {}, not a pod",
                t.kind.as_deref().unwrap_or("nothing")
            )),
            Some(t) if t.namespace.as_deref().is_some_and(|n| n != namespace) => {
                Some("names a pod of another namespace".to_owned())
            }
            Some(t) => {
                let name = t.name.as_deref().unwrap_or_default();
                match pods.get(name) {
                    None => Some(format!("names pod {name}, which is not in {namespace}")),
                    Some(ips) if !ips.contains(&a.ip) => {
                        Some(format!("is not an address of pod {name}"))
                    }
                    Some(_) => None,
                }
            }
        };
        if let Some(why) = why {
            problems.push(format!(
                "address {} {why}: hand-made endpoints in tenant namespaces may only point at pods of their own namespace (CVE-2021-25740)",
                a.ip
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods() -> BTreeMap<String, BTreeSet<String>> {
        BTreeMap::from([(
            "web-1".to_string(),
            BTreeSet::from(["10.244.1.7".to_string()]),
        )])
    }

    fn endpoints(addresses: serde_json::Value) -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "svc", "namespace": "t-a"},
            "subsets": [{"addresses": addresses, "ports": [{"port": 80}]}]
        }))
        .unwrap()
    }

    #[test]
    fn addresses_of_the_namespaces_own_pods_are_allowed() {
        let o = endpoints(
            serde_json::json!([{"ip": "10.244.1.7", "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "t-a"}}]),
        );
        assert!(review(&addresses("Endpoints", &o), "t-a", &pods()).is_empty());
        let slice: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "discovery.k8s.io/v1beta1", "kind": "EndpointSlice",
            "metadata": {"name": "s", "namespace": "t-a"}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.244.1.7"], "targetRef": {"kind": "Pod", "name": "web-1"}}]
        }))
        .unwrap();
        assert!(review(&addresses("EndpointSlice", &slice), "t-a", &pods()).is_empty());
    }

    #[test]
    fn any_other_address_is_refused() {
        for (a, why) in [
            (serde_json::json!({"ip": "10.0.0.1"}), "names no pod"),
            (
                serde_json::json!({"ip": "10.0.0.1", "targetRef": {"kind": "Node", "name": "n1"}}),
                "names a Node",
            ),
            (
                serde_json::json!({"ip": "10.244.2.9", "targetRef": {"kind": "Pod", "name": "db", "namespace": "t-b"}}),
                "another namespace",
            ),
            (
                serde_json::json!({"ip": "10.244.1.7", "targetRef": {"kind": "Pod", "name": "ghost"}}),
                "not in t-a",
            ),
            (
                serde_json::json!({"ip": "10.244.9.9", "targetRef": {"kind": "Pod", "name": "web-1"}}),
                "is not an address of pod web-1",
            ),
        ] {
            let o = endpoints(serde_json::json!([a]));
            let p = review(&addresses("Endpoints", &o), "t-a", &pods());
            assert!(
                p.len() == 1 && p[0].contains(why) && p[0].contains("CVE-2021-25740"),
                "{p:?}"
            );
        }
    }
}
