//! `TenantObject`: an object an owner declares once for a whole tenant, which the controller
//! keeps in every namespace the tenant holds (or the ones listed), present and future.
//!
//! Copies are written as the owner who declared it (the controller impersonates them), so the
//! API server's RBAC escalation check and ike's webhooks judge each copy as they would one the
//! owner made by hand; [`rules`] gives the same verdicts early, in the webhook and the CLI.

pub mod rules;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use rules::{
    CopyKind, Refusal, copy_labels, desired_copy, is_copy_of, same_payload, target_namespaces,
};

/// An object kept in every namespace of the tenant holding this one's namespace.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "ike.dev",
    version = "v1alpha1",
    kind = "TenantObject",
    namespaced,
    status = "TenantObjectStatus",
    shortname = "tobj",
    printcolumn = r#"{"name":"Kind","type":"string","jsonPath":".status.kind"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Message","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct TenantObjectSpec {
    /// The object to keep, whole but for its namespace: a Role, RoleBinding, NetworkPolicy,
    /// LimitRange or ConfigMap. Exactly one of template and source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "embedded_object")]
    pub template: Option<Value>,
    /// An object of this namespace to copy: a Secret (never inline: viewers read
    /// TenantObjects) or a ConfigMap. Exactly one of template and source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Only these namespaces of the tenant; empty: every namespace it holds, now and later.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// The owner whose rights the copies are written with. Set at admission from the API
    /// server's user whenever the declaration changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_by: Option<String>,
}

/// An object of the declaration's own namespace, copied as it is.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct Source {
    /// `Secret` or `ConfigMap`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

fn embedded_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "x-kubernetes-embedded-resource": true,
        "x-kubernetes-preserve-unknown-fields": true,
        "description": "The object to keep, whole but for its namespace: a Role, RoleBinding, NetworkPolicy, LimitRange or ConfigMap. Exactly one of template and source."
    })
}

/// What the controller observed.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantObjectStatus {
    /// Ready: every target namespace holds its copy; else the reason (Refused, Conflict, ...).
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The kind of the copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The name of the copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The tenant the copies are kept for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// One entry per target namespace.
    #[serde(default)]
    pub namespaces: Vec<NamespaceState>,
    /// The generation of the spec this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// The copy in one namespace.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct NamespaceState {
    /// The namespace.
    pub namespace: String,
    /// `Applied`, `Conflict` (an object of that name this declaration did not make), `Refused`
    /// (the API server or a webhook said no) or `SourceMissing`.
    pub state: String,
    /// Why, when not Applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl TenantObject {
    /// The namespaces the status last recorded (where copies may be).
    pub fn recorded_namespaces(&self) -> Vec<String> {
        self.status
            .iter()
            .flat_map(|s| &s.namespaces)
            .map(|n| n.namespace.clone())
            .collect()
    }
}
