//! ResourceRequests as `ike request` handles them: built from a manifest file, created (or
//! dry-run), listed, read, decided, withdrawn. No printing here.

use std::io::Read as _;
use std::path::Path;
use std::time::{Duration, Instant};

use kube::api::{Api, Patch};
use kube::core::DynamicObject;
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde_json::{Value, json};

use super::names::table::Row;
use super::{api_error, patch_params, post_params};
use crate::api::names;
use crate::api::request::{
    Action, Decision, Kind, Phase, ResourceRequest, ResourceRequestSpec, Target, rules,
};

/// How long `ike request crd|storageclass|delete` wait for the controller's checks, and
/// `approve` for the object to be applied.
pub const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(200);

/// The one object in a manifest file (`-`: standard input), which must be a `kind`.
pub fn read_manifest(path: &Path, kind: Kind) -> anyhow::Result<Value> {
    let shown = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| anyhow::anyhow!("cannot read the manifest from standard input: {e}"))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    }
    let documents: Vec<Value> = serde_saphyr::from_multiple(&text).map_err(|e| {
        let first = e.to_string();
        let first = first.lines().next().unwrap_or_default().to_string();
        anyhow::anyhow!("{shown} is not YAML: {first}")
    })?;
    let mut objects: Vec<Value> = documents.into_iter().filter(|d| !d.is_null()).collect();
    if objects.len() != 1 {
        anyhow::bail!(
            "{shown} holds {} objects: a request is for one {} (put it alone in a file)",
            objects.len(),
            kind
        );
    }
    let object = objects.remove(0);
    if !object.is_object() {
        anyhow::bail!("{shown} does not hold an object (apiVersion, kind, metadata, ...)");
    }
    let target = rules::identify(&object).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    if target.kind != kind {
        anyhow::bail!(
            "{shown} holds a {}: use ike request {} for it",
            target.kind,
            target.kind.short()
        );
    }
    Ok(object)
}

/// `KIND/NAME` as people type it: `crd/widgets.example.com`, `storageclass/fast`.
pub fn parse_target(text: &str) -> anyhow::Result<Target> {
    let hint = "name it as crd/NAME or storageclass/NAME";
    let (kind, name) = text
        .split_once('/')
        .ok_or_else(|| anyhow::anyhow!("'{text}' is not KIND/NAME: {hint}"))?;
    let kind = Kind::parse(kind)
        .ok_or_else(|| anyhow::anyhow!("a request cannot delete a '{kind}': {hint}"))?;
    names::check_object("object", name)?;
    Ok(Target {
        kind,
        name: name.to_string(),
    })
}

/// The name a new request gets when none is given: `crd-widgets.example.com-` (the API server
/// adds five random characters), `delete-sc-fast-`.
pub fn generate_name(action: Action, target: &Target) -> String {
    let kind = match target.kind {
        Kind::CustomResourceDefinition => "crd",
        Kind::StorageClass => "sc",
    };
    let prefix = match action {
        Action::Apply => kind.to_string(),
        Action::Delete => format!("delete-{kind}"),
    };
    let mut base: String = format!("{prefix}-{}", target.name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(names::MAX_SUBDOMAIN - 10)
        .collect();
    while base.ends_with(['.', '-']) {
        base.pop();
    }
    format!("{base}-")
}

/// A new request for `spec`, named `name` or by the API server.
pub fn new_request(
    name: Option<&str>,
    namespace: &str,
    spec: ResourceRequestSpec,
) -> anyhow::Result<ResourceRequest> {
    let target = ResourceRequest::new("probe", spec.clone())
        .object()
        .map_err(|e| anyhow::anyhow!(e))?;
    let mut request = ResourceRequest::new(name.unwrap_or_default(), spec.clone());
    if let Some(name) = name {
        names::check_object("request", name)?;
    } else {
        request.metadata.name = None;
        request.metadata.generate_name = Some(generate_name(spec.action, &target));
    }
    request.metadata.namespace = Some(namespace.to_string());
    Ok(request)
}

/// Creates `request` (a server-side dry run when asked: the webhooks check it all the same).
pub async fn create(
    client: &kube::Client,
    request: &ResourceRequest,
    dry_run: bool,
) -> anyhow::Result<ResourceRequest> {
    let namespace = request.namespace().unwrap_or_default();
    let api: Api<ResourceRequest> = Api::namespaced(client.clone(), &namespace);
    api.create(&post_params(dry_run), request)
        .await
        .map_err(|e| api_error(e, &format!("the request in namespace {namespace}")))
}

/// Request `name` in `namespace`.
pub async fn get(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> anyhow::Result<ResourceRequest> {
    let api: Api<ResourceRequest> = Api::namespaced(client.clone(), namespace);
    api.get(name)
        .await
        .map_err(|e| api_error(e, &format!("request {name} in namespace {namespace}")))
}

/// Polls request `name` until `done` says so or [`WAIT`] passes; the last one read.
pub async fn wait_for(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    done: impl Fn(&ResourceRequest) -> bool,
) -> anyhow::Result<(ResourceRequest, bool)> {
    let started = Instant::now();
    loop {
        let request = get(client, namespace, name).await?;
        if done(&request) {
            return Ok((request, true));
        }
        if started.elapsed() > WAIT {
            return Ok((request, false));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether the controller has checked the request as it is now.
pub fn validated(request: &ResourceRequest) -> bool {
    request.status.as_ref().is_some_and(|s| {
        s.observed_generation == request.metadata.generation && !s.validation.is_empty()
    })
}

/// One request as `ike request list` shows it: the columns the CRD declares for it, as the API
/// server computes them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The tenant (once the controller has seen it).
    pub tenant: String,
    /// Apply or Delete.
    pub action: String,
    /// `crd/NAME`, `storageclass/NAME`.
    pub object: String,
    /// Its phase: the recorded one, or the decision the controller has not recorded yet.
    pub phase: String,
    /// Who asked.
    pub requester: String,
    /// When it was made (RFC 3339).
    pub created: String,
}

impl Summary {
    /// Whether it waits for a decision.
    pub fn pending(&self) -> bool {
        self.phase == Phase::Pending.as_str()
    }
}

/// A request's summary from its row of the API server's Table.
fn summary(row: Row) -> Summary {
    let cell = |name: &str| row.cell(name).to_string();
    let dash = |s: String| if s.is_empty() { "-".to_string() } else { s };
    let object = match (Kind::parse(&cell("kind")), cell("object")) {
        (Some(kind), name) if !name.is_empty() => format!("{}/{name}", kind.short()),
        _ => "-".into(),
    };
    let recorded = cell("phase");
    let phase = match (recorded.as_str(), cell("decision").as_str()) {
        ("" | "Pending", "Approve") => Phase::Approved.as_str().to_string(),
        ("" | "Pending", "Deny") => Phase::Denied.as_str().to_string(),
        ("", _) => Phase::Pending.as_str().to_string(),
        (recorded, _) => recorded.to_string(),
    };
    Summary {
        tenant: dash(cell("tenant")),
        action: dash(cell("action")),
        object,
        phase,
        requester: dash(cell("requester")),
        namespace: row.namespace.unwrap_or_default(),
        name: row.name,
        created: row.created,
    }
}

/// The requests of `namespace` (or every namespace) as the API server's table of their columns,
/// from its watch cache (`resourceVersion=0`: at most as old as the cache, which follows etcd
/// within milliseconds); the manifests and diffs, most of the bytes, never leave the server.
async fn table(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<Summary>, kube::Error> {
    let path = ResourceRequest::url_path(&(), namespace);
    let rows = super::names::table::get(client, path, true, true).await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// The requests in `namespace`, or in every namespace the caller may read (`None`): all of them
/// for whoever may list them cluster-wide, else those in the namespaces of the caller's
/// tenants. Sorted by namespace and name.
pub async fn list(target: &super::Target, namespace: Option<&str>) -> anyhow::Result<Vec<Summary>> {
    let client = &target.client;
    let mut all = super::tenants::list_visible(target, namespace, "requests", |ns| async move {
        table(client, ns.as_deref()).await
    })
    .await?;
    all.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok(all)
}

/// Writes a decision on `request` (as read) about the version of digest `reviewed`: if the
/// request is another version now, or changes between the read and the write, nothing is
/// decided.
pub async fn decide(
    client: &kube::Client,
    request: &ResourceRequest,
    reviewed: &str,
    decision: Decision,
    comment: &str,
    dry_run: bool,
) -> anyhow::Result<ResourceRequest> {
    let name = request.name_any();
    let namespace = request.namespace().unwrap_or_default();
    let now = request.spec_digest();
    if reviewed != now {
        anyhow::bail!(
            "request {name} changed since it was reviewed (you name {reviewed}, it is {now} now): look at it again with 'ike request show {name} -n {namespace}'"
        );
    }
    if let Some(review) = &request.spec.review {
        anyhow::bail!(
            "request {name} was decided already ({:?} by {}): a new decision needs a new request",
            review.decision,
            review.reviewer.as_deref().unwrap_or("an admin")
        );
    }
    if request.spec.withdrawal.is_some() {
        anyhow::bail!("request {name} was withdrawn: there is nothing to decide");
    }
    let patch = json!({
        "metadata": { "resourceVersion": request.resource_version() },
        "spec": { "review": {
            "decision": decision,
            "comment": comment,
            "digest": reviewed,
        }},
    });
    patch_request(client, &namespace, &name, &patch, dry_run).await
}

/// Whether ike-controller has checked the request as it is now, and it passed every check: what
/// an approval needs.
pub fn checked_and_passing(request: &ResourceRequest) -> bool {
    validated(request)
        && request.status.as_ref().is_some_and(|s| {
            s.digest == request.spec_digest() && s.validation.iter().all(|c| c.passed)
        })
}

/// Withdraws request `name` (before a decision).
pub async fn withdraw(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    dry_run: bool,
) -> anyhow::Result<ResourceRequest> {
    let request = get(client, namespace, name).await?;
    if let Some(review) = &request.spec.review {
        anyhow::bail!(
            "request {name} was decided ({:?} by {}): only a request waiting for a decision can be withdrawn",
            review.decision,
            review.reviewer.as_deref().unwrap_or("an admin")
        );
    }
    if request.spec.withdrawal.is_some() {
        anyhow::bail!("request {name} is withdrawn already");
    }
    let patch = json!({
        "metadata": { "resourceVersion": request.resource_version() },
        "spec": { "withdrawal": {} },
    });
    patch_request(client, namespace, name, &patch, dry_run).await
}

async fn patch_request(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    patch: &Value,
    dry_run: bool,
) -> anyhow::Result<ResourceRequest> {
    let api: Api<ResourceRequest> = Api::namespaced(client.clone(), namespace);
    api.patch(name, &patch_params(dry_run), &Patch::Merge(patch))
        .await
        .map_err(|e| api_error(e, &format!("request {name} in namespace {namespace}")))
}

/// The object a request concerns as it exists now (every account may read CRDs and
/// StorageClasses), for the diff of a dry run.
pub async fn existing(client: &kube::Client, target: &Target) -> anyhow::Result<Option<Value>> {
    let resource = crate::api::request::api_resource(target.kind);
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let found = api
        .get_opt(&target.name)
        .await
        .map_err(|e| api_error(e, &target.to_string()))?;
    Ok(found.map(|o| serde_json::to_value(o).unwrap_or(Value::Null)))
}

/// The tenant holding `namespace`, as its label says (every account may read namespaces).
pub async fn tenant_of_namespace(client: &kube::Client, namespace: &str) -> anyhow::Result<String> {
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let ns = namespaces
        .get(namespace)
        .await
        .map_err(|e| api_error(e, &format!("namespace {namespace}")))?;
    Ok(ns
        .labels()
        .get(crate::api::consts::TENANT_LABEL)
        .cloned()
        .unwrap_or_default())
}

/// `NAMESPACE/NAME` or `NAME` (in `default_namespace`).
pub fn locate(text: &str, default_namespace: Option<&str>) -> anyhow::Result<(String, String)> {
    let (namespace, name) = match text.split_once('/') {
        Some((ns, name)) => (ns.to_string(), name.to_string()),
        None => match default_namespace {
            Some(ns) => (ns.to_string(), text.to_string()),
            None => anyhow::bail!(
                "which namespace is request {text} in? pass -n NAMESPACE or NAMESPACE/NAME"
            ),
        },
    };
    names::check_namespace(&namespace)?;
    names::check_object("request", &name)?;
    Ok((namespace, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_answer_becomes_rows_and_an_unrecorded_decision_shows() {
        let table = json!({
            "kind": "Table",
            "columnDefinitions": [{"name": "Name"}, {"name": "Tenant"}, {"name": "Action"},
                {"name": "Kind"}, {"name": "Object"}, {"name": "Phase"}, {"name": "Decision"},
                {"name": "Requester"}, {"name": "Age"}],
            "rows": [
                {"cells": ["a", "t", "Apply", "CustomResourceDefinition", "w.example.com", "Pending", null, "alice", "1m"],
                 "object": {"metadata": {"name": "a", "namespace": "t-prod", "creationTimestamp": "2026-12-06T00:00:00Z"}}},
                {"cells": ["b", "t", "Delete", "StorageClass", "fast", "Pending", "Deny", "bob", "1m"],
                 "object": {"metadata": {"name": "b", "namespace": "t-prod"}}},
                {"cells": ["c", null, "Apply", null, null, null, null, "carol", "1s"],
                 "object": {"metadata": {"name": "c", "namespace": "t-dev"}}}
            ]
        });
        let rows: Vec<Summary> = super::super::names::table::rows(&table)
            .into_iter()
            .map(summary)
            .collect();
        assert_eq!(rows[0].object, "crd/w.example.com");
        assert!(rows[0].pending());
        assert_eq!(rows[0].created, "2026-12-06T00:00:00Z");
        assert_eq!(
            (rows[1].object.as_str(), rows[1].phase.as_str()),
            ("storageclass/fast", "Denied")
        );
        assert!(!rows[1].pending());
        assert_eq!(
            (
                rows[2].tenant.as_str(),
                rows[2].object.as_str(),
                rows[2].phase.as_str()
            ),
            ("-", "-", "Pending")
        );
    }

    #[test]
    fn targets_and_names_read_as_people_write_them() {
        let t = parse_target("crd/widgets.example.com").unwrap();
        assert_eq!(t.kind, Kind::CustomResourceDefinition);
        assert!(
            parse_target("clusterrole/admin")
                .unwrap_err()
                .to_string()
                .contains("cannot delete a 'clusterrole'")
        );
        assert!(
            parse_target("widgets")
                .unwrap_err()
                .to_string()
                .contains("KIND/NAME")
        );
        assert_eq!(generate_name(Action::Apply, &t), "crd-widgets.example.com-");
        let sc = Target {
            kind: Kind::StorageClass,
            name: "fast".into(),
        };
        assert_eq!(generate_name(Action::Delete, &sc), "delete-sc-fast-");
        assert_eq!(
            locate("a-prod/x", None).unwrap(),
            ("a-prod".to_string(), "x".to_string())
        );
        assert_eq!(
            locate("x", Some("b")).unwrap(),
            ("b".to_string(), "x".to_string())
        );
        assert!(locate("x", None).is_err());
        assert!(locate("Bad/x", None).is_err());
    }

    #[test]
    fn a_manifest_file_holds_exactly_one_object_of_the_kind_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let sc = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\nprovisioner: example.com/csi\n";
        let v = read_manifest(&file("sc.yaml", sc), Kind::StorageClass).unwrap();
        assert_eq!(v["metadata"]["name"], "fast");
        let e = read_manifest(&file("sc2.yaml", sc), Kind::CustomResourceDefinition).unwrap_err();
        assert!(
            e.to_string().contains("use ike request storageclass"),
            "{e}"
        );
        let two = format!("{sc}---\n{sc}");
        let e = read_manifest(&file("two.yaml", &two), Kind::StorageClass).unwrap_err();
        assert!(e.to_string().contains("holds 2 objects"), "{e}");
        let e = read_manifest(&file("bad.yaml", "a: [b\n"), Kind::StorageClass).unwrap_err();
        assert!(e.to_string().contains("is not YAML"), "{e}");
        assert!(!e.to_string().contains('\n'));
        let role =
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: x\n";
        let e = read_manifest(&file("role.yaml", role), Kind::StorageClass).unwrap_err();
        assert!(e.to_string().contains("not a ClusterRole"), "{e}");
        let e = read_manifest(&dir.path().join("missing.yaml"), Kind::StorageClass).unwrap_err();
        assert!(e.to_string().starts_with("cannot read"), "{e}");
    }
}
