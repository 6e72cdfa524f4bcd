//! Fuzzing ResourceRequests as a tenant writes them (each input: a ResourceRequest, JSON or YAML)
//! through the real admission chain: the defaults webhook stamps who asked, its patch is applied
//! as the API server applies it, then the validating webhook checks the request, reading the
//! cluster (`requests::validate`: the object as it is, the CRDs and APIServices of its group,
//! PersistentVolumes, the custom resources of an existing CRD) from a fake API server that
//! holds tenant a's objects, another tenant's, the platform's, and another tenant's open
//! requests, and that answers the dry run ([`super::fake_api`]).
//!
//! Beyond not panicking and answering: admission only ever reads or dry-runs (no write reaches
//! the API server, no object is read by a name no object can have), and what it admits is,
//! checked apart from the rules: a CRD in a group no one else holds, no Kubernetes, ike or
//! reserved group, namespaced, converted by none or a Service of the tenant's, shadowing no
//! served name; a StorageClass with the site's provisioner, not the default, reading Secrets of
//! the tenant's namespaces only, no volume's class, nobody else's; a deletion or update of
//! tenant a's own object that only the requests manage and has nothing outside the tenant; and
//! the dry run applied it with the tenant's label.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::fake_api::{CLASSES, CRDS, Seen, cluster, crd, fake_client, object_name};
use super::{admission_review, answered, listed, one_line_refusal};
use crate::api::DEFAULT_RESERVED_GROUPS;
use crate::api::consts::TENANT_LABEL;
use crate::api::fixtures::{account, status, tenant};
use crate::api::request::ResourceRequest;
use crate::api::{Role, Site};
use crate::controller::webhooks::{requests, routes, tests::policy};
use crate::util::fuzz::{campaign, corpus};

const TOKENS: &[&[u8]] = &[
    b"\"action\": \"Delete\"",
    b"\"target\": {\"kind\": \"StorageClass\", \"name\": \"fast\"}",
    b"\"kind\": \"CustomResourceDefinition\"",
    b"\"apiVersion\": \"apiextensions.k8s.io/v1\"",
    b"\"scope\": \"Cluster\"",
    b"\"group\": \"cert-manager.io\"",
    b".k8s.io",
    b".ike.dev",
    b"\"strategy\": \"Webhook\"",
    b"\"url\": \"https://x.example.net\"",
    b"\"namespace\": \"kube-system\"",
    b"csi.storage.k8s.io/node-stage-secret-namespace",
    b"adminSecretName",
    b"${pvc.namespace}",
    b"\"storageclass.kubernetes.io/is-default-class\": \"true\"",
    b"\"ike.dev/tenant\": \"b\"",
    b"\"finalizers\": [\"x\"]",
    b"\"shortNames\": [\"po\"]",
    b"\"categories\": [\"all\"]",
    b"gadgets.a.example.com",
    b"tools.a.example.com",
    b"../",
    b"\\n",
    b"\\u0000",
    b"null",
    b"[]",
    b"{}",
];

/// Another tenant's open request.
fn theirs(name: &str, manifest: Value) -> ResourceRequest {
    let mut r: ResourceRequest = serde_json::from_value(json!({
        "apiVersion": "ike.dev/v1alpha1", "kind": "ResourceRequest",
        "metadata": {"name": name, "namespace": "b-prod"},
        "spec": {"manifest": manifest, "reason": "ours", "requester": "bob"}
    }))
    .unwrap();
    r.metadata.generation = Some(1);
    r
}

/// Whether `group` is Kubernetes', ike's or one the site reserves by default.
fn reserved(group: &str) -> bool {
    ["k8s.io", "kubernetes.io", "x-k8s.io", "ike.dev"]
        .iter()
        .chain(DEFAULT_RESERVED_GROUPS)
        .any(|r| group == *r || group.ends_with(&format!(".{r}")))
}

/// The independent checks of an admitted request (see the module docs).
fn check_admitted(object: &Value, seen: &Seen, cluster: &BTreeMap<String, Value>) {
    let spec = &object["spec"];
    if spec["action"] == "Delete" {
        let target = &spec["target"];
        let path = match target["kind"].as_str() {
            Some("CustomResourceDefinition") => CRDS,
            _ => CLASSES,
        };
        let path = format!("{path}/{}", target["name"].as_str().unwrap_or_default());
        assert!(
            [
                format!("{CRDS}/gadgets.a.example.com"),
                format!("{CLASSES}/fast")
            ]
            .contains(&path),
            "admitted deleting {path}"
        );
        assert_eq!(seen.deleted, [path], "the deletion was not dry-run");
        return;
    }
    let manifest = &spec["manifest"];
    let name = manifest["metadata"]["name"].as_str().unwrap_or_default();
    assert!(object_name(name), "admitted the name {name:?}");
    assert_eq!(seen.applied.len(), 1, "admitted without a dry run");
    let applied = &seen.applied[0];
    assert_eq!(applied["metadata"]["name"], name);
    assert_eq!(applied["metadata"]["labels"][TENANT_LABEL], "a");
    for field in ["ownerReferences", "finalizers"] {
        assert!(
            manifest["metadata"][field].is_null(),
            "admitted metadata.{field}"
        );
    }
    let existing = |collection: &str| cluster.contains_key(&format!("{collection}/{name}"));
    match (manifest["apiVersion"].as_str(), manifest["kind"].as_str()) {
        (Some("apiextensions.k8s.io/v1"), Some("CustomResourceDefinition")) => {
            let s = &manifest["spec"];
            let group = s["group"].as_str().unwrap_or_default();
            assert!(
                group.contains('.') && object_name(group),
                "admitted group {group:?}"
            );
            assert!(!reserved(group), "admitted group {group}");
            assert!(
                ![
                    "cert-manager.io",
                    "b.example.com",
                    "custom.example.net",
                    "contested.example.com"
                ]
                .contains(&group),
                "admitted group {group}, which someone else holds"
            );
            assert_eq!(s["scope"], "Namespaced");
            if s["conversion"]["strategy"] == "Webhook" {
                let client = &s["conversion"]["webhook"]["clientConfig"];
                assert!(client["url"].is_null(), "admitted a conversion URL");
                let ns = client["service"]["namespace"].as_str();
                assert!(
                    matches!(ns, Some("a-prod" | "a-dev")),
                    "conversion by {ns:?}"
                );
            }
            if existing(CRDS) {
                assert_eq!(name, "gadgets.a.example.com", "admitted updating {name}");
            }
            let served: Vec<&str> = ["gadgets", "gadget", "tools", "tool", "things", "thing"]
                .into_iter()
                .chain([
                    "certificates",
                    "certificate",
                    "pods",
                    "secrets",
                    "all",
                    "ns",
                ])
                .filter(|n| name != "gadgets.a.example.com" || !n.starts_with("gadget"))
                .collect();
            let names = &s["names"];
            let mine = ["plural", "singular"]
                .iter()
                .filter_map(|k| names[*k].as_str())
                .chain(
                    names["shortNames"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str),
                );
            for n in mine {
                assert!(
                    !served.contains(&n.to_ascii_lowercase().as_str()),
                    "admitted name {n}"
                );
            }
        }
        (Some("storage.k8s.io/v1"), Some("StorageClass")) => {
            assert_eq!(manifest["provisioner"], "example.com/csi");
            for a in [
                "storageclass.kubernetes.io/is-default-class",
                "storageclass.beta.kubernetes.io/is-default-class",
            ] {
                assert_ne!(
                    manifest["metadata"]["annotations"][a], "true",
                    "admitted a default class"
                );
            }
            for (key, value) in manifest["parameters"].as_object().into_iter().flatten() {
                let k = key.to_ascii_lowercase();
                if k.ends_with("secret-namespace") || k.ends_with("secretnamespace") {
                    assert!(
                        matches!(
                            value.as_str(),
                            Some("a-prod" | "a-dev" | "${pvc.namespace}")
                        ),
                        "admitted {key}: {value}"
                    );
                }
            }
            assert!(
                !["orphan", "contested"].contains(&name),
                "admitted class {name}"
            );
            if existing(CLASSES) {
                assert_eq!(name, "fast", "admitted updating {name}");
            }
        }
        other => panic!("admitted {other:?}"),
    }
}

/// The admission chain of one site: the webhooks' router over the fake API server.
struct Admission {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    seen: Arc<Mutex<Seen>>,
    cluster: BTreeMap<String, Value>,
}

impl Admission {
    fn new() -> Admission {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // The kube client's buffer starts on the runtime.
        let _entered = runtime.enter();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut a = tenant("a", &[("alice", Role::Owner)], &["a-prod", "a-dev"]);
        a.status = Some(status(&["a-prod", "a-dev"], Some(("Ready", 1))));
        let mut b = tenant("b", &[("bob", Role::Owner)], &["b-prod"]);
        b.status = Some(status(&["b-prod"], Some(("Ready", 1))));
        let site: Site = serde_json::from_value(json!({
            "apiVersion": "ike.dev/v1alpha1", "kind": "Site", "metadata": {"name": "site"},
            "spec": {"requests": {"storageProvisioners": ["example.com/csi"]}}
        }))
        .unwrap();
        let mut policy = policy();
        policy.client = fake_client(seen.clone());
        policy.accounts = listed([account("alice", false, false), account("root", true, false)]);
        policy.tenants = listed([a, b]);
        policy.sites = listed([site]);
        policy.requests = listed([
            theirs(
                "contested-class",
                json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                    "metadata": {"name": "contested"}, "provisioner": "example.com/csi"}),
            ),
            theirs(
                "contested-group",
                crd("contested.example.com", "bolts", None, &[]),
            ),
        ]);
        Admission {
            runtime,
            router: routes(policy),
            seen,
            cluster: cluster(),
        }
    }

    /// Creates `object` in a-prod as alice, through the defaults webhook (its patch applied as
    /// the API server applies it) and the validating one; the validating webhook's response
    /// (None: the body was refused) and what the API server was asked meanwhile.
    fn create(&self, mut object: Value) -> (Option<Value>, Seen) {
        let resource = ("ike.dev", "v1alpha1", "ResourceRequest", "resourcerequests");
        let seen = || std::mem::take(&mut *self.seen.lock().unwrap_or_else(|p| p.into_inner()));
        seen();
        let body = admission_review(resource, "a-prod", "CREATE", "alice", &object, None);
        let path = requests::DEFAULTS_HOOK.path;
        let Some(stamped) = answered(&self.runtime, &self.router, path, body) else {
            return (None, seen());
        };
        assert_eq!(stamped["allowed"], true, "{stamped}");
        // Nothing to stamp: no object (a review the API server would not send).
        if stamped["patch"].is_null() {
            assert!(object.is_null(), "{object}: not stamped");
            return (None, seen());
        }
        // kube-core sends the patch as a list of bytes (see webhooks::tests).
        let patch: Vec<u8> = serde_json::from_value(stamped["patch"].clone()).unwrap();
        let patch: json_patch::Patch = serde_json::from_slice(&patch).unwrap();
        if json_patch::patch(&mut object, &patch).is_err() {
            // The API server would not have stored it either (no spec to stamp).
            return (None, seen());
        }
        let body = admission_review(resource, "a-prod", "CREATE", "alice", &object, None);
        let response = answered(&self.runtime, &self.router, requests::HOOK.path, body);
        if let Some(response) = &response {
            one_line_refusal(requests::HOOK.path, response);
        }
        let seen = seen();
        assert!(seen.violations.is_empty(), "{:?}", seen.violations);
        if let Some(response) = &response
            && response["allowed"] == true
        {
            check_admitted(&object, &seen, &self.cluster);
        }
        (response, seen)
    }
}

/// An input as the object `kubectl apply -f` would send: JSON, else YAML (as tenants write it).
fn decode(input: &[u8]) -> Option<Value> {
    serde_json::from_slice(input).ok().or_else(|| {
        let text = std::str::from_utf8(input).ok()?;
        serde_saphyr::from_str::<Value>(text).ok()
    })
}

#[test]
fn fuzz_request_manifests_never_panic_only_read_and_admit_only_the_tenants() {
    let admission = Admission::new();
    let corpus = corpus("request_manifests", Vec::new());
    let (mut reviewed, mut admitted) = (0, 0);
    campaign("request_manifests", &corpus, TOKENS, 2_000, |input| {
        if let Some(object) = decode(input)
            && let (Some(response), _) = admission.create(object)
        {
            reviewed += 1;
            admitted += usize::from(response["allowed"] == true);
        }
    });
    eprintln!(
        "fuzz request_manifests: {reviewed} reviewed by the validating webhook, {admitted} admitted"
    );
}

/// The corpus: the tenant's legitimate requests are admitted, the hostile ones refused, each
/// by the rule its name says.
#[test]
fn the_corpus_is_admitted_where_legitimate_and_refused_where_hostile() {
    let admission = Admission::new();
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/request_manifests");
    let legitimate = [
        "crd-new.json",
        "crd-new-in-own-group.json",
        "crd-update-own.json",
        "crd-conversion-service.json",
        "sc-new.json",
        "sc-update-own.json",
        "delete-own-crd.json",
        "delete-own-class.json",
        "crd-new.yaml",
        "sc-new.yaml",
        "delete-own-class.yaml",
    ];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        let object = decode(&std::fs::read(&path).unwrap()).unwrap();
        let (response, _) = admission.create(object);
        let response = response.unwrap_or_else(|| panic!("{file}: the body was refused"));
        assert_eq!(
            response["allowed"],
            legitimate.contains(&file.as_str()),
            "{file}: {}",
            response["status"]["message"]
        );
    }
}

/// A Delete request of tenant a for `kind`/`name`.
fn deletion(kind: &str, name: &str) -> Value {
    json!({"apiVersion": "ike.dev/v1alpha1", "kind": "ResourceRequest",
        "metadata": {"name": "drop", "namespace": "a-prod"},
        "spec": {"action": "Delete", "target": {"kind": kind, "name": name}, "reason": "gone"}})
}

/// Found by the fuzzer: a Delete request's target was read by whatever name it gave, before
/// the name was checked, so `../` in it read another path with the controller's rights.
#[test]
fn a_deletion_naming_no_possible_object_is_refused_without_reading_anything() {
    let admission = Admission::new();
    for name in [
        "../../api/v1/namespaces/kube-system/secrets/admin",
        "faSt",
        "certififica|es.cert-manager.io",
    ] {
        for kind in ["StorageClass", "CustomResourceDefinition"] {
            let (response, seen) = admission.create(deletion(kind, name));
            let response = response.unwrap();
            assert_eq!(response["allowed"], false, "{name}");
            let message = response["status"]["message"].as_str().unwrap();
            assert!(message.contains("is not a valid"), "{message}");
            assert!(seen.violations.is_empty() && seen.deleted.is_empty());
        }
    }
    // Its legitimate neighbour: tenant a deletes its own class.
    let (response, seen) = admission.create(deletion("StorageClass", "fast"));
    assert_eq!(response.unwrap()["allowed"], true);
    assert_eq!(seen.deleted, [format!("{CLASSES}/fast")]);
}
