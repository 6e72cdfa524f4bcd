//! The rules of tenant-wide objects, pure: what may be declared (kinds, names, Secret types,
//! binding subjects and roles), where copies go, what a copy looks like and when one has
//! drifted. The webhook, the controller and the CLI's dry run all call these.
//!
//! These rules are ike's own (RBAC does not restrict a binding's subjects) plus an early,
//! clear refusal of what RBAC would refuse anyway (cluster-admin, another tenant's roles). The
//! authority on "a binding grants only what the owner holds" is the API server's own escalation
//! check, which judges every copy because the controller writes it as the owner.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::TenantObject;
use crate::api::consts::{
    DECLARED_BY_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL, TENANT_OBJECT_LABEL,
    TENANT_OBJECT_NAMESPACE_LABEL,
};
use crate::api::names::is_dns_subdomain;
use crate::api::{Tenant, role_tenant};

/// A refusal: one sentence naming the rule, for a webhook answer or a status message.
pub type Refusal = String;

/// The kinds a TenantObject may keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CopyKind {
    /// rbac.authorization.k8s.io/v1 Role.
    Role,
    /// rbac.authorization.k8s.io/v1 RoleBinding.
    RoleBinding,
    /// networking.k8s.io/v1 NetworkPolicy.
    NetworkPolicy,
    /// v1 LimitRange.
    LimitRange,
    /// v1 ConfigMap.
    ConfigMap,
    /// v1 Secret (only as a source).
    Secret,
}

impl CopyKind {
    /// Every kind, in the order copies are written (a Role before the bindings naming it).
    pub const ALL: [CopyKind; 6] = [
        CopyKind::Role,
        CopyKind::RoleBinding,
        CopyKind::NetworkPolicy,
        CopyKind::LimitRange,
        CopyKind::ConfigMap,
        CopyKind::Secret,
    ];

    /// The API group ("" for the core group).
    pub fn group(self) -> &'static str {
        match self {
            CopyKind::Role | CopyKind::RoleBinding => "rbac.authorization.k8s.io",
            CopyKind::NetworkPolicy => "networking.k8s.io",
            _ => "",
        }
    }

    /// The kind as the API spells it.
    pub fn kind(self) -> &'static str {
        match self {
            CopyKind::Role => "Role",
            CopyKind::RoleBinding => "RoleBinding",
            CopyKind::NetworkPolicy => "NetworkPolicy",
            CopyKind::LimitRange => "LimitRange",
            CopyKind::ConfigMap => "ConfigMap",
            CopyKind::Secret => "Secret",
        }
    }

    /// The resource (plural).
    pub fn plural(self) -> &'static str {
        match self {
            CopyKind::Role => "roles",
            CopyKind::RoleBinding => "rolebindings",
            CopyKind::NetworkPolicy => "networkpolicies",
            CopyKind::LimitRange => "limitranges",
            CopyKind::ConfigMap => "configmaps",
            CopyKind::Secret => "secrets",
        }
    }

    /// `group/v1`, or `v1` for the core group.
    pub fn api_version(self) -> String {
        match self.group() {
            "" => "v1".into(),
            group => format!("{group}/v1"),
        }
    }

    /// The kind as kube's dynamic API names it.
    pub fn api_resource(self) -> kube::api::ApiResource {
        kube::api::ApiResource {
            group: self.group().into(),
            version: "v1".into(),
            api_version: self.api_version(),
            kind: self.kind().into(),
            plural: self.plural().into(),
        }
    }

    /// The kind named `kind` of `api_version`, if one a TenantObject may keep.
    pub fn parse(api_version: &str, kind: &str) -> Option<CopyKind> {
        CopyKind::ALL
            .into_iter()
            .find(|k| k.kind() == kind && k.api_version() == api_version)
    }
}

/// The Secret types a TenantObject may copy. Never `kubernetes.io/service-account-token`:
/// copying a token hands the ServiceAccount to everyone who reads the target namespace.
pub const SECRET_TYPES: [&str; 6] = [
    "Opaque",
    "kubernetes.io/dockerconfigjson",
    "kubernetes.io/dockercfg",
    "kubernetes.io/tls",
    "kubernetes.io/basic-auth",
    "kubernetes.io/ssh-auth",
];

/// The ClusterRoles a tenant-wide binding may reference besides the tenant's own
/// `ike:tenant:<tenant>:requested-*` roles.
pub const BINDABLE_CLUSTER_ROLES: [&str; 3] = ["admin", "edit", "view"];

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
}

/// The kind of the copies `object` declares, and the copies' name.
pub fn kind_and_name(object: &TenantObject) -> Result<(CopyKind, String), Refusal> {
    match (&object.spec.template, &object.spec.source) {
        (Some(_), Some(_)) | (None, None) => {
            Err("a TenantObject has exactly one of spec.template and spec.source".into())
        }
        (Some(template), None) => {
            let api_version = str_at(template, &["apiVersion"]).unwrap_or_default();
            let kind = str_at(template, &["kind"]).unwrap_or_default();
            match CopyKind::parse(api_version, kind) {
                Some(CopyKind::Secret) => Err(
                    "a Secret is never inline (viewers read TenantObjects): name it in spec.source"
                        .into(),
                ),
                Some(kind) => {
                    let name = str_at(template, &["metadata", "name"]).unwrap_or_default();
                    Ok((kind, name.to_string()))
                }
                None => Err(format!(
                    "kind {kind} of {api_version} cannot be kept tenant-wide: only Role, RoleBinding, NetworkPolicy, LimitRange and ConfigMap (Secret and ConfigMap as spec.source)"
                )),
            }
        }
        (None, Some(source)) => match source.kind.as_str() {
            "Secret" => Ok((CopyKind::Secret, source.name.clone())),
            "ConfigMap" => Ok((CopyKind::ConfigMap, source.name.clone())),
            other => Err(format!(
                "spec.source.kind {other} cannot be copied: only Secret and ConfigMap"
            )),
        },
    }
}

/// Everything wrong with declaration `object` for `tenant` (the tenant holding its namespace),
/// as sentences; empty: allowed. `bindable_groups` are the groups the site lets a tenant bind.
pub fn review(object: &TenantObject, tenant: &Tenant, bindable_groups: &[String]) -> Vec<Refusal> {
    let mut problems = review_content(object, tenant, bindable_groups);
    let tenant_name = tenant.metadata.name.clone().unwrap_or_default();
    for ns in &object.spec.namespaces {
        if !tenant.holds_namespace(ns) {
            problems.push(format!(
                "tenant {tenant_name} does not hold namespace {ns}: list only its namespaces in spec.namespaces"
            ));
        }
    }
    problems
}

/// What is wrong with what `object` keeps (its kind, name, template and, for a binding, its
/// role and subjects) as things stand for `tenant` now: the controller asks again before every
/// write, since a namespace or a site's group may have gone since admission.
pub fn review_content(
    object: &TenantObject,
    tenant: &Tenant,
    bindable_groups: &[String],
) -> Vec<Refusal> {
    let mut problems = Vec::new();
    let (kind, name) = match kind_and_name(object) {
        Ok(found) => found,
        Err(refusal) => return vec![refusal],
    };
    if !is_dns_subdomain(&name, 253) {
        problems.push(format!(
            "the copies' name {:?} is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')",
            name.escape_debug().to_string()
        ));
    } else if name.starts_with("ike-") || name.starts_with("ike.") {
        problems.push(format!(
            "names starting with 'ike' are the platform's: choose another name than {name}"
        ));
    }
    if let Some(template) = &object.spec.template {
        let meta = template.get("metadata").cloned().unwrap_or_default();
        for field in ["namespace", "generateName", "ownerReferences", "finalizers"] {
            if meta.get(field).is_some() {
                problems.push(format!(
                    "a template has no metadata.{field}: the controller sets where copies go"
                ));
            }
        }
        if let Some(labels) = meta.get("labels").and_then(Value::as_object)
            && labels.keys().any(|k| k.starts_with("ike.dev/"))
        {
            problems.push("labels ike.dev/* on a template are the platform's".into());
        }
        if kind == CopyKind::RoleBinding {
            problems.extend(review_binding(template, tenant, bindable_groups));
        }
    }
    problems
}

/// What is wrong with a RoleBinding template: its role and its subjects.
fn review_binding(template: &Value, tenant: &Tenant, bindable_groups: &[String]) -> Vec<Refusal> {
    let mut problems = Vec::new();
    let tenant_name = tenant.metadata.name.clone().unwrap_or_default();
    let ref_kind = str_at(template, &["roleRef", "kind"]).unwrap_or_default();
    let ref_name = str_at(template, &["roleRef", "name"]).unwrap_or_default();
    match ref_kind {
        "Role" => {}
        "ClusterRole" => {
            let own = role_tenant(ref_name, None).as_deref() == Some(tenant_name.as_str())
                && ref_name.contains(":requested-");
            if let Some(other) = role_tenant(ref_name, None).filter(|t| *t != tenant_name) {
                problems.push(format!(
                    "ClusterRole {ref_name} is tenant {other}'s: bind only your tenant's roles"
                ));
            } else if !own && !BINDABLE_CLUSTER_ROLES.contains(&ref_name) {
                problems.push(format!(
                    "a tenant-wide binding may reference a Role, or ClusterRole admin, edit, view or the tenant's own ike:tenant:{tenant_name}:requested-*; not {ref_name}"
                ));
            }
        }
        other => problems.push(format!(
            "roleRef.kind must be Role or ClusterRole, not {other:?}"
        )),
    }
    let subjects = template
        .get("subjects")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if subjects.is_empty() {
        problems.push("a tenant-wide binding names at least one subject".into());
    }
    for subject in &subjects {
        let kind = str_at(subject, &["kind"]).unwrap_or_default();
        let name = str_at(subject, &["name"]).unwrap_or_default();
        match kind {
            "User" if tenant.spec.role_of(name).is_some() && !name.starts_with("system:") => {}
            "User" => problems.push(format!(
                "user {name} is not a member of tenant {tenant_name}: bind only its members"
            )),
            "ServiceAccount" => {
                let ns = str_at(subject, &["namespace"]).unwrap_or_default();
                if !tenant.holds_namespace(ns) {
                    problems.push(format!(
                        "ServiceAccount {ns}/{name} is not in a namespace of tenant {tenant_name}: bind only its own ServiceAccounts (with their namespace)"
                    ));
                }
            }
            "Group" if !name.starts_with("system:") && bindable_groups.iter().any(|g| g == name) => {}
            "Group" => problems.push(format!(
                "group {name} is not one the site lets tenants bind (Site spec.tenants.bindableGroups)"
            )),
            other => problems.push(format!(
                "subject kind {other:?} cannot be bound: User, ServiceAccount or Group"
            )),
        }
    }
    problems
}

/// The namespaces `object`'s copies go to: those `tenant` holds, limited to
/// `spec.namespaces` when it lists some. A namespace the tenant does not hold never gets one;
/// a copied source's own namespace neither (the source is there).
pub fn target_namespaces(object: &TenantObject, tenant: &Tenant) -> Vec<String> {
    let home = object.metadata.namespace.as_deref();
    tenant
        .held_namespaces()
        .iter()
        .filter(|ns| object.spec.namespaces.is_empty() || object.spec.namespaces.contains(ns))
        .filter(|ns| object.spec.source.is_none() || home != Some(ns.as_str()))
        .cloned()
        .collect()
}

/// The labels every copy carries: whose it is and which declaration made it.
pub fn copy_labels(tenant: &str, object: &str, home: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (TENANT_LABEL.to_string(), tenant.to_string()),
        (TENANT_OBJECT_LABEL.to_string(), object.to_string()),
        (TENANT_OBJECT_NAMESPACE_LABEL.to_string(), home.to_string()),
        (MANAGED_BY_LABEL.to_string(), MANAGED_BY_VALUE.to_string()),
    ])
}

/// Whether an object with `labels` is a copy made by declaration `object` of namespace `home`:
/// an object without these labels is never taken over.
pub fn is_copy_of(labels: Option<&BTreeMap<String, String>>, object: &str, home: &str) -> bool {
    labels.is_some_and(|l| {
        l.get(TENANT_OBJECT_LABEL).map(String::as_str) == Some(object)
            && l.get(TENANT_OBJECT_NAMESPACE_LABEL).map(String::as_str) == Some(home)
    })
}

/// The copy of `object` for `namespace` of `tenant`. `source` is the object named in
/// `spec.source`, read from the declaration's namespace. A RoleBinding keeps only the users
/// `active` says are active members (a removed member must not come back through a copy).
pub fn desired_copy(
    object: &TenantObject,
    tenant: &str,
    namespace: &str,
    source: Option<&Value>,
    active: impl Fn(&str) -> bool,
) -> Result<Value, Refusal> {
    let (kind, name) = kind_and_name(object)?;
    let home = object.metadata.namespace.clone().unwrap_or_default();
    let declaration = object.metadata.name.clone().unwrap_or_default();
    let mut copy = match (&object.spec.template, &object.spec.source) {
        (Some(template), _) => template.clone(),
        (None, Some(_)) => {
            let source = source.ok_or_else(|| {
                format!("{} {name} does not exist in namespace {home}", kind.kind())
            })?;
            let mut copy = Map::new();
            if kind == CopyKind::Secret {
                let kind_of = str_at(source, &["type"]).unwrap_or("Opaque");
                if !SECRET_TYPES.contains(&kind_of) {
                    return Err(format!(
                        "a Secret of type {kind_of} is never copied: only {}",
                        SECRET_TYPES.join(", ")
                    ));
                }
                copy.insert("type".into(), kind_of.into());
            }
            for field in ["data", "binaryData", "immutable"] {
                if let Some(v) = source.get(field) {
                    copy.insert(field.into(), v.clone());
                }
            }
            Value::Object(copy)
        }
        (None, None) => unreachable!("kind_and_name refuses a declaration without either"),
    };
    let Some(fields) = copy.as_object_mut() else {
        return Err("spec.template is not an object".into());
    };
    fields.remove("status");
    fields.insert("apiVersion".into(), kind.api_version().into());
    fields.insert("kind".into(), kind.kind().into());
    let template_meta = object
        .spec
        .template
        .as_ref()
        .and_then(|t| t.get("metadata"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut labels: BTreeMap<String, String> = template_meta
        .get("labels")
        .and_then(|l| serde_json::from_value(l.clone()).ok())
        .unwrap_or_default();
    labels.extend(copy_labels(tenant, &declaration, &home));
    let mut annotations: BTreeMap<String, String> = template_meta
        .get("annotations")
        .and_then(|a| serde_json::from_value(a.clone()).ok())
        .unwrap_or_default();
    if let Some(by) = &object.spec.declared_by {
        annotations.insert(DECLARED_BY_ANNOTATION.into(), by.clone());
    }
    fields.insert(
        "metadata".into(),
        json!({ "name": name, "namespace": namespace, "labels": labels, "annotations": annotations }),
    );
    if kind == CopyKind::RoleBinding
        && let Some(subjects) = fields.get_mut("subjects").and_then(Value::as_array_mut)
    {
        subjects.retain(|s| {
            str_at(s, &["kind"]) != Some("User") || active(str_at(s, &["name"]).unwrap_or(""))
        });
    }
    Ok(copy)
}

/// Fields of the object itself, not of its payload.
const NOT_PAYLOAD: [&str; 4] = ["apiVersion", "kind", "metadata", "status"];
/// Maps compared whole: an extra key someone added is drift.
const WHOLE: [&str; 3] = ["data", "binaryData", "stringData"];

/// Whether `want` is contained in `have`: objects may have more keys (defaults the API server
/// fills in), lists must be as long, scalars equal.
fn contains(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| h.get(k).is_some_and(|hv| contains(hv, wv))),
        (Value::Array(h), Value::Array(w)) => {
            h.len() == w.len() && h.iter().zip(w).all(|(hv, wv)| contains(hv, wv))
        }
        _ => have == want,
    }
}

/// Whether the copy as it stands (`have`) still is `want`: the same payload (nothing changed,
/// nothing added), and the declaration's labels and annotations.
pub fn same_payload(have: &Value, want: &Value) -> bool {
    let (Some(h), Some(w)) = (have.as_object(), want.as_object()) else {
        return false;
    };
    let payload_same = w
        .iter()
        .filter(|(k, _)| !NOT_PAYLOAD.contains(&k.as_str()))
        .all(|(k, wv)| {
            h.get(k).is_some_and(|hv| {
                if WHOLE.contains(&k.as_str()) {
                    hv == wv
                } else {
                    contains(hv, wv)
                }
            })
        });
    let nothing_added = h.keys().all(|k| {
        NOT_PAYLOAD.contains(&k.as_str()) || w.contains_key(k) || !WHOLE.contains(&k.as_str())
    });
    let meta = |v: &Value, field: &str| v.get("metadata").and_then(|m| m.get(field)).cloned();
    let meta_same = ["labels", "annotations"]
        .iter()
        .all(|field| match meta(want, field) {
            Some(wm) => meta(have, field).is_some_and(|hm| contains(&hm, &wm)),
            None => true,
        });
    payload_same && nothing_added && meta_same
}

#[cfg(test)]
mod tests;
