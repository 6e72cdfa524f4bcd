//! A fake API server for the request webhooks' fuzzing: it holds tenant a's CRDs and
//! StorageClasses (one managed by someone else too, one with instances outside the tenant),
//! tenant b's and the platform's, APIServices (an aggregated one, one the API server made for a
//! CRD group) and PersistentVolumes; it answers reads and dry runs, and records every request
//! admission must never make (a write, a read by a name no object can have, a path it has no
//! reason to read).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use serde_json::{Value, json};

use crate::api::consts::TENANT_LABEL;
use crate::api::request::REQUEST_MANAGER;

pub(super) const CRDS: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
pub(super) const CLASSES: &str = "/apis/storage.k8s.io/v1/storageclasses";

/// A CRD as the API server holds it: `owner` its tenant (None: the platform's), `managers` its
/// field managers.
pub(super) fn crd(group: &str, plural: &str, owner: Option<&str>, managers: &[&str]) -> Value {
    let kind = format!(
        "{}{}",
        plural[..1].to_uppercase(),
        &plural[1..plural.len() - 1]
    );
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": format!("{plural}.{group}"),
            "labels": owner.map(|o| json!({ TENANT_LABEL: o })),
            "managedFields": managed(managers),
        },
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": plural, "singular": &plural[..plural.len() - 1], "kind": kind},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object"}}}]
        }
    })
}

fn managed(managers: &[&str]) -> Value {
    managers
        .iter()
        .map(|m| {
            json!({"manager": m, "operation": "Apply", "apiVersion": "v1",
            "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}})
        })
        .collect()
}

fn class(name: &str, owner: Option<&str>, managers: &[&str]) -> Value {
    json!({
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": name,
            "labels": owner.map(|o| json!({ TENANT_LABEL: o })),
            "managedFields": managed(managers),
        },
        "provisioner": "example.com/csi"
    })
}

fn volume(name: &str, class: &str, claim: Option<(&str, &str)>) -> Value {
    json!({
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {
            "storageClassName": class,
            "claimRef": claim.map(|(ns, n)| json!({"namespace": ns, "name": n})),
            "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
            "csi": {"driver": "example.com/csi", "volumeHandle": name}
        }
    })
}

fn list(api_version: &str, kind: &str, items: Vec<Value>) -> Value {
    json!({"apiVersion": api_version, "kind": format!("{kind}List"),
        "metadata": {"resourceVersion": "1"}, "items": items})
}

fn partial(namespace: &str, name: &str) -> Value {
    json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata",
        "metadata": {"namespace": namespace, "name": name}})
}

/// The cluster the fake API server holds: every path it answers a GET of, and the answer.
pub(super) fn cluster() -> BTreeMap<String, Value> {
    let mine = [REQUEST_MANAGER];
    let crds = [
        crd("a.example.com", "gadgets", Some("a"), &mine),
        crd(
            "a.example.com",
            "tools",
            Some("a"),
            &["ike-requests", "kubectl-edit"],
        ),
        crd("cert-manager.io", "certificates", None, &["helm"]),
        crd("b.example.com", "things", Some("b"), &mine),
    ];
    let classes = [
        class("fast", Some("a"), &mine),
        class("shared", Some("a"), &mine),
        class("standard", None, &["kubectl-create"]),
    ];
    let apiservice = |name: &str, group: &str, service: Option<(&str, &str)>, auto: bool| {
        json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": name, "labels": auto.then(
                || json!({"kube-aggregator.kubernetes.io/automanaged": "true"}))},
            "spec": {"group": group, "version": "v1",
                "service": service.map(|(ns, n)| json!({"namespace": ns, "name": n}))}})
    };
    let mut paths = BTreeMap::new();
    for c in crds.iter().chain(&classes) {
        let name = c["metadata"]["name"].as_str().unwrap();
        let collection = if c["kind"] == "StorageClass" {
            CLASSES
        } else {
            CRDS
        };
        paths.insert(format!("{collection}/{name}"), c.clone());
    }
    paths.insert(
        CRDS.into(),
        list(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            crds.to_vec(),
        ),
    );
    paths.insert(
        "/apis/apiregistration.k8s.io/v1/apiservices".into(),
        list(
            "apiregistration.k8s.io/v1",
            "APIService",
            vec![
                apiservice(
                    "v1beta1.metrics.k8s.io",
                    "metrics.k8s.io",
                    Some(("kube-system", "metrics-server")),
                    false,
                ),
                apiservice("v1.a.example.com", "a.example.com", None, true),
                apiservice(
                    "v1.custom.example.net",
                    "custom.example.net",
                    Some(("ops", "custom-api")),
                    false,
                ),
            ],
        ),
    );
    paths.insert(
        "/api/v1/persistentvolumes".into(),
        list(
            "v1",
            "PersistentVolume",
            vec![
                volume("pv-fast", "fast", Some(("a-prod", "db"))),
                volume("pv-shared", "shared", Some(("b-prod", "data"))),
                volume("pv-orphan", "orphan", None),
            ],
        ),
    );
    let objects = |items: Vec<Value>| list("meta.k8s.io/v1", "PartialObjectMetadata", items);
    paths.insert(
        "/apis/a.example.com/v1/gadgets".into(),
        objects(vec![partial("a-prod", "g1")]),
    );
    paths.insert(
        "/apis/a.example.com/v1/tools".into(),
        objects(vec![partial("b-prod", "t1")]),
    );
    paths.insert(
        "/apis/cert-manager.io/v1/certificates".into(),
        objects(vec![]),
    );
    paths.insert(
        "/apis/b.example.com/v1/things".into(),
        objects(vec![partial("b-prod", "x")]),
    );
    paths
}

/// What the fake API server was asked during one review.
#[derive(Default)]
pub(super) struct Seen {
    /// Requests admission must never make.
    pub(super) violations: Vec<String>,
    /// The objects of dry-run applies.
    pub(super) applied: Vec<Value>,
    /// The paths of dry-run deletions.
    pub(super) deleted: Vec<String>,
}

fn not_found() -> (u16, Value) {
    (
        404,
        json!({"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
        "reason": "NotFound", "code": 404, "message": "not found"}),
    )
}

/// Whether `name` can be an object's name (a DNS-1123 subdomain), apart from `api::names`.
pub(super) fn object_name(name: &str) -> bool {
    (1..=253).contains(&name.len())
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// The fake API server's answer to one request.
fn answer(
    cluster: &BTreeMap<String, Value>,
    seen: &Mutex<Seen>,
    method: &http::Method,
    uri: &http::Uri,
    body: &[u8],
) -> (u16, Value) {
    let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
    let path = uri.path();
    let query = uri.query().unwrap_or_default();
    let dry_run = query.split('&').any(|p| p == "dryRun=All")
        || serde_json::from_slice::<Value>(body).is_ok_and(|b| b["dryRun"] == json!(["All"]));
    let one = [CRDS, CLASSES]
        .into_iter()
        .find_map(|c| path.strip_prefix(c).and_then(|p| p.strip_prefix('/')));
    if method == http::Method::GET {
        if let Some(found) = cluster.get(path) {
            return (200, found.clone());
        }
        match one {
            Some(name) if object_name(name) && query.is_empty() => return not_found(),
            Some(name) => seen
                .violations
                .push(format!("read an object by name {name:?} ({uri})")),
            None => seen
                .violations
                .push(format!("read {uri}, which it has no reason to")),
        }
        return not_found();
    }
    if !dry_run || one.is_none_or(|name| !object_name(name)) {
        seen.violations.push(format!("{method} {uri}: a write"));
        return not_found();
    }
    if method == http::Method::PATCH {
        let object: Value = serde_json::from_slice(body).unwrap_or_default();
        seen.applied.push(object.clone());
        (200, object)
    } else if method == http::Method::DELETE && cluster.contains_key(path) {
        seen.deleted.push(path.to_string());
        (
            200,
            json!({"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Success"}),
        )
    } else {
        seen.violations.push(format!("{method} {uri}"));
        not_found()
    }
}

/// A kube client whose API server is [`answer`].
pub(super) fn fake_client(seen: Arc<Mutex<Seen>>) -> kube::Client {
    let cluster = Arc::new(cluster());
    let service = tower::service_fn(move |request: http::Request<kube::client::Body>| {
        let (cluster, seen) = (cluster.clone(), seen.clone());
        async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            let (code, answer) = answer(&cluster, &seen, &parts.method, &parts.uri, &body);
            let response = http::Response::builder()
                .status(code)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(serde_json::to_vec(&answer).unwrap())))
                .unwrap();
            Ok::<_, Infallible>(response)
        }
    });
    kube::Client::new(service, "default")
}
