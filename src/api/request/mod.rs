//! `ResourceRequest`: a tenant asks for a cluster-scoped object it cannot write itself (a
//! CustomResourceDefinition or a StorageClass, or the deletion of one it owns); platform admins
//! decide; ike-controller applies what was approved.
//!
//! Who did what is not taken from the requester's word: admission stamps `spec.requester` from
//! the API server's user on CREATE, and `spec.review.reviewer` / `decidedAt` (and
//! `spec.withdrawal.by` / `at`) when a decision or a withdrawal is written. A decision is final
//! and names the digest of the manifest it approved; the controller applies nothing else.

mod diff;
pub mod rules;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::consts::{MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL};

pub use diff::{diff, normalized};

/// The field manager the controller applies requested objects with (not the one it installs
/// ike's own CRDs with, so the two never take fields from each other).
pub const REQUEST_MANAGER: &str = "ike-requests";
/// Annotation on an applied object: the request (`NAMESPACE/NAME`) it came from.
pub const REQUEST_ANNOTATION: &str = "ike.dev/request";
/// Annotation on an applied object: the digest of the approved manifest.
pub const DIGEST_ANNOTATION: &str = "ike.dev/request-digest";
/// Annotation on an applied object: who approved it.
pub const APPROVED_BY_ANNOTATION: &str = "ike.dev/approved-by";
/// Label on the ClusterRoles that grant a tenant the resources of a CRD it requested:
/// `edit` or `view`; the tenant's own aggregated roles select them with the tenant label.
pub const AGGREGATE_LABEL: &str = "ike.dev/aggregate-to";

/// A tenant's request for a cluster-scoped object, reviewed by platform admins.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "ike.dev",
    version = "v1alpha1",
    kind = "ResourceRequest",
    namespaced,
    status = "ResourceRequestStatus",
    shortname = "rr",
    printcolumn = r#"{"name":"Tenant","type":"string","jsonPath":".status.tenant"}"#,
    printcolumn = r#"{"name":"Action","type":"string","jsonPath":".spec.action"}"#,
    printcolumn = r#"{"name":"Kind","type":"string","jsonPath":".status.object.kind"}"#,
    printcolumn = r#"{"name":"Object","type":"string","jsonPath":".status.object.name"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Decision","type":"string","jsonPath":".spec.review.decision"}"#,
    printcolumn = r#"{"name":"Requester","type":"string","jsonPath":".spec.requester"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequestSpec {
    /// `Apply` creates or updates `manifest`; `Delete` removes `target`, an object the tenant
    /// owns.
    #[serde(default)]
    pub action: Action,
    /// The object to create or update (`Apply`): a CustomResourceDefinition
    /// (apiextensions.k8s.io/v1) or a StorageClass (storage.k8s.io/v1), whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "embedded_object")]
    pub manifest: Option<Value>,
    /// The object to delete (`Delete`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Why the tenant needs it, for the reviewers.
    pub reason: String,
    /// Who asked. Set at admission from the API server's user; it cannot change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<String>,
    /// A platform admin's decision. Final once written: a new decision is a new request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// Withdrawn by the tenant before a decision (write `{}`; who and when are set at
    /// admission).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<Withdrawal>,
}

fn embedded_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "x-kubernetes-embedded-resource": true,
        "x-kubernetes-preserve-unknown-fields": true,
        "description": "The object to create or update (Apply): a CustomResourceDefinition (apiextensions.k8s.io/v1) or a StorageClass (storage.k8s.io/v1), whole."
    })
}

/// What a request asks for.
#[derive(
    Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, JsonSchema,
)]
pub enum Action {
    /// Create the manifest's object, or update it if the tenant owns it.
    #[default]
    Apply,
    /// Delete an object the tenant owns.
    Delete,
}

/// The kinds a tenant may request.
#[derive(
    Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema,
)]
pub enum Kind {
    /// apiextensions.k8s.io/v1 CustomResourceDefinition.
    CustomResourceDefinition,
    /// storage.k8s.io/v1 StorageClass.
    StorageClass,
}

impl Kind {
    /// Both kinds.
    pub const ALL: [Kind; 2] = [Kind::CustomResourceDefinition, Kind::StorageClass];

    /// The kind's `apiVersion`.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::CustomResourceDefinition => "apiextensions.k8s.io/v1",
            Kind::StorageClass => "storage.k8s.io/v1",
        }
    }

    /// The kind as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CustomResourceDefinition => "CustomResourceDefinition",
            Kind::StorageClass => "StorageClass",
        }
    }

    /// The short form people type: `crd`, `storageclass`.
    pub fn short(self) -> &'static str {
        match self {
            Kind::CustomResourceDefinition => "crd",
            Kind::StorageClass => "storageclass",
        }
    }

    /// `crd`, `customresourcedefinition(s)`, `sc`, `storageclass(es)`, any case.
    pub fn parse(s: &str) -> Option<Kind> {
        match s.to_ascii_lowercase().as_str() {
            "crd" | "crds" | "customresourcedefinition" | "customresourcedefinitions" => {
                Some(Kind::CustomResourceDefinition)
            }
            "sc" | "storageclass" | "storageclasses" => Some(Kind::StorageClass),
            _ => None,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cluster-scoped object.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Its kind.
    pub kind: Kind,
    /// Its name.
    pub name: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.short(), self.name)
    }
}

/// A decision.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum Decision {
    /// Apply the request.
    Approve,
    /// Refuse it.
    Deny,
}

/// A platform admin's decision on a request.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// Approve or Deny.
    pub decision: Decision,
    /// Why, for the requester and the audit trail.
    #[serde(default)]
    pub comment: String,
    /// The digest of the manifest the reviewer saw (`status.digest`); filled in at admission
    /// when left out. A decision on another manifest than the one in the spec is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Who decided. Set at admission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// When (RFC 3339). Set at admission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
}

/// A withdrawal.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawal {
    /// Who withdrew it. Set at admission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When (RFC 3339). Set at admission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// Where a request stands.
#[derive(
    Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, JsonSchema,
)]
pub enum Phase {
    /// Waiting for a platform admin.
    #[default]
    Pending,
    /// Approved; the controller is applying it.
    Approved,
    /// Refused by a platform admin.
    Denied,
    /// Applied (or deleted) by the controller.
    Applied,
    /// Approved, but could not be applied (see the conditions).
    Failed,
    /// Withdrawn before a decision.
    Withdrawn,
}

impl Phase {
    /// Whether nothing more happens to the request.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Phase::Denied | Phase::Applied | Phase::Failed | Phase::Withdrawn
        )
    }

    /// The phase as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Approved => "Approved",
            Phase::Denied => "Denied",
            Phase::Applied => "Applied",
            Phase::Failed => "Failed",
            Phase::Withdrawn => "Withdrawn",
        }
    }
}

/// What the controller found and did.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequestStatus {
    /// Pending, Approved, Denied, Applied, Failed or Withdrawn.
    #[serde(default)]
    pub phase: Phase,
    /// The tenant whose namespace holds the request, and who will own the object.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The object the request concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Target>,
    /// The digest of the manifest validated (`sha256:...`): what a reviewer approves.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
    /// Each check, passed or not, as the controller ran it against the cluster.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation: Vec<Check>,
    /// The change against what exists now (a unified diff of the objects as YAML).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub diff: String,
    /// Who decided (from `spec.review`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// When (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// The reviewer's comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Every step, oldest first: submitted, validated, approved or denied, applied, withdrawn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Validated and Applied, with reasons a person can act on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The generation of the spec this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// One validation check.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What was checked (`kind`, `group`, `owner`, `dry-run`...).
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was found.
    pub message: String,
}

/// One step in a request's life.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// When (RFC 3339).
    pub time: String,
    /// Submitted, Approved, Denied, Applied, Failed, Withdrawn.
    pub event: String,
    /// Who, where a person did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// What happened.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// The condition types of a request.
pub mod condition {
    /// Whether the request passed validation.
    pub const VALIDATED: &str = "Validated";
    /// Whether the approved object is applied.
    pub const APPLIED: &str = "Applied";
}

impl ResourceRequest {
    /// `NAMESPACE/NAME`, as logs, events and the CLI name a request.
    pub fn reference(&self) -> String {
        format!(
            "{}/{}",
            self.metadata.namespace.as_deref().unwrap_or_default(),
            self.metadata.name.as_deref().unwrap_or_default()
        )
    }

    /// The object this request concerns: the manifest's (Apply) or the target (Delete).
    pub fn object(&self) -> Result<Target, String> {
        match self.spec.action {
            Action::Apply => match &self.spec.manifest {
                Some(manifest) => rules::identify(manifest),
                None => Err("an Apply request needs spec.manifest, the object to apply".into()),
            },
            // Checked like a manifest's name before anyone reads the target by it: the name
            // goes into an API path as it is.
            Action::Delete => match &self.spec.target {
                Some(target) => crate::api::names::check_object("object", &target.name)
                    .map(|()| target.clone())
                    .map_err(|e| e.to_string()),
                None => Err("a Delete request needs spec.target (kind and name)".into()),
            },
        }
    }

    /// The phase the status records.
    pub fn phase(&self) -> Phase {
        self.status.as_ref().map(|s| s.phase).unwrap_or_default()
    }

    /// The digest of what this request would apply: its manifest, or its target for Delete.
    pub fn spec_digest(&self) -> String {
        match (&self.spec.action, &self.spec.manifest, &self.spec.target) {
            (Action::Apply, Some(manifest), _) => digest(manifest),
            (Action::Delete, _, Some(target)) => digest(&json!({
                "delete": { "kind": target.kind, "name": target.name }
            })),
            _ => digest(&Value::Null),
        }
    }
}

/// The API resource of a requestable kind.
pub fn api_resource(kind: Kind) -> kube::core::ApiResource {
    let (group, version) = kind
        .api_version()
        .split_once('/')
        .unwrap_or(("", kind.api_version()));
    let plural = match kind {
        Kind::CustomResourceDefinition => "customresourcedefinitions",
        Kind::StorageClass => "storageclasses",
    };
    kube::core::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk(group, version, kind.as_str()),
        plural,
    )
}

/// What the controller applies for an approved manifest: the manifest as the tenant wrote it,
/// labelled with the tenant and annotated with the request, its digest and the reviewer.
pub fn to_apply(
    manifest: &Value,
    tenant: &str,
    request: &str,
    digest: &str,
    approved_by: Option<&str>,
) -> Value {
    let mut object = normalized(manifest);
    let meta = &mut object["metadata"];
    if !meta["labels"].is_object() {
        meta["labels"] = json!({});
    }
    meta["labels"][TENANT_LABEL] = json!(tenant);
    meta["labels"][MANAGED_BY_LABEL] = json!(MANAGED_BY_VALUE);
    if !meta["annotations"].is_object() {
        meta["annotations"] = json!({});
    }
    meta["annotations"][REQUEST_ANNOTATION] = json!(request);
    meta["annotations"][DIGEST_ANNOTATION] = json!(digest);
    if let Some(by) = approved_by {
        meta["annotations"][APPROVED_BY_ANNOTATION] = json!(by);
    }
    object
}

/// `sha256:<hex>` of `value` as canonical JSON (object keys sorted at every level), so the same
/// object has the same digest whatever order its fields were written in.
pub fn digest(value: &Value) -> String {
    let mut text = String::new();
    canonical(value, &mut text);
    let sum = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let hex: String = sum.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_applied_is_the_manifest_labelled_for_the_tenant_and_annotated_with_the_request() {
        let manifest = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "fast", "resourceVersion": "7", "labels": {"ike.dev/tenant": "b", "tier": "1"}},
            "provisioner": "example.com/csi"});
        let object = to_apply(&manifest, "a", "a-prod/sc-fast", "sha256:x", Some("root"));
        let meta = &object["metadata"];
        assert_eq!(meta["labels"][TENANT_LABEL], "a", "the tenant's label wins");
        assert_eq!(meta["labels"]["tier"], "1");
        assert_eq!(meta["labels"][MANAGED_BY_LABEL], MANAGED_BY_VALUE);
        assert_eq!(meta["annotations"][REQUEST_ANNOTATION], "a-prod/sc-fast");
        assert_eq!(meta["annotations"][DIGEST_ANNOTATION], "sha256:x");
        assert_eq!(meta["annotations"][APPROVED_BY_ANNOTATION], "root");
        assert!(meta.get("resourceVersion").is_none());
        assert_eq!(object["provisioner"], "example.com/csi");
    }

    #[test]
    fn the_digest_does_not_depend_on_field_order_but_on_every_value() {
        let a = json!({"kind": "StorageClass", "metadata": {"name": "fast", "labels": {"a": "1", "b": "2"}}});
        let b = json!({"metadata": {"labels": {"b": "2", "a": "1"}, "name": "fast"}, "kind": "StorageClass"});
        assert_eq!(digest(&a), digest(&b));
        assert!(digest(&a).starts_with("sha256:"));
        assert_eq!(digest(&a).len(), "sha256:".len() + 64);
        let c = json!({"kind": "StorageClass", "metadata": {"name": "fast", "labels": {"a": "1", "b": "3"}}});
        assert_ne!(digest(&a), digest(&c));
        // Arrays keep their order: it means something.
        assert_ne!(digest(&json!([1, 2])), digest(&json!([2, 1])));
    }

    #[test]
    fn kinds_parse_as_people_type_them() {
        assert_eq!(Kind::parse("CRD"), Some(Kind::CustomResourceDefinition));
        assert_eq!(Kind::parse("storageclasses"), Some(Kind::StorageClass));
        assert_eq!(Kind::parse("sc"), Some(Kind::StorageClass));
        assert_eq!(Kind::parse("clusterrole"), None);
        let t = Target {
            kind: Kind::CustomResourceDefinition,
            name: "widgets.example.com".into(),
        };
        assert_eq!(t.to_string(), "crd/widgets.example.com");
    }

    #[test]
    fn only_decided_applied_and_withdrawn_requests_are_final() {
        assert!(!Phase::Pending.is_final());
        assert!(!Phase::Approved.is_final());
        for p in [
            Phase::Denied,
            Phase::Applied,
            Phase::Failed,
            Phase::Withdrawn,
        ] {
            assert!(p.is_final(), "{p:?}");
        }
    }
}
