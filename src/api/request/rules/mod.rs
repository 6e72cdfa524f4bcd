//! What a tenant may ask for, as pure functions of the request and what the cluster holds: the
//! admission webhook refuses a request that fails any of these at creation, and the controller
//! runs them again (with the server's dry run) before anyone reviews and before it applies.
//!
//! - only a CustomResourceDefinition (apiextensions.k8s.io/v1) or a StorageClass
//!   (storage.k8s.io/v1), or the deletion of one the tenant owns;
//! - a CRD's group is no Kubernetes group (core, `*.k8s.io`, `*.kubernetes.io`, `*.x-k8s.io`),
//!   not ike's (`ike.dev` and below) nor one the site reserves for its platform components
//!   (`Site.spec.requests.reservedGroups`), no other tenant nor the platform holds a CRD in it,
//!   and no APIService serves it but those the API server makes for CRDs (an aggregated API, a
//!   group of the API server itself); its resources are namespaced (a cluster-scoped one would
//!   be every tenant's); a conversion webhook is a Service in the tenant's own namespaces, never
//!   a URL (the API server would call it);
//! - a StorageClass is new or the tenant's, never the cluster's default, with a provisioner the
//!   site lists (none listed: no StorageClass at all), and every Secret its provisioner reads is
//!   named with a namespace of the tenant's;
//! - an object that exists already is updated or deleted only for the tenant that owns it, only
//!   while nobody else manages it too (its managedFields) and only while nothing of it is
//!   outside the tenant (a CRD's custom resources, a StorageClass's bound volumes).

use serde_json::Value;

use super::{Action, Check, Kind, REQUEST_MANAGER, ResourceRequestSpec, Target};
use crate::api::consts::TENANT_LABEL;
use crate::api::names;

/// What the cluster holds that a request's checks depend on.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The tenant whose namespace holds the request.
    pub tenant: String,
    /// The tenant's namespaces.
    pub namespaces: Vec<String>,
    /// The object as it exists now, if it does.
    pub existing: Option<Value>,
    /// For a CRD: every other CRD in its group, with the tenant that owns it (`None`: the
    /// platform's).
    pub group_crds: Vec<(String, Option<String>)>,
    /// Open requests of other tenants for the same object or CRD group, as `NAMESPACE/NAME`.
    pub competing: Vec<String>,
    /// For a CRD: the resource names (plural, singular, short names) other CRDs serve, with
    /// the CRD serving each (Kubernetes' own are in [`crd::BUILT_IN_NAMES`]).
    pub served_names: Vec<(String, String)>,
    /// For a new StorageClass: the PersistentVolumes that already name it as their class.
    pub volumes_of_class: Vec<String>,
    /// The provisioners a tenant's StorageClass may use (the site's list); `None` or empty: no
    /// StorageClass may be requested.
    pub provisioners: Option<Vec<String>>,
    /// The API groups the site reserves for its platform components (each with the groups
    /// below it).
    pub reserved_groups: Vec<String>,
    /// For a CRD: the APIServices serving its group other than those the API server makes for
    /// CRDs, each described (`v1beta1.metrics.example.com (an aggregated API: Service
    /// monitoring/metrics)`).
    pub group_apiservices: Vec<String>,
    /// For an existing object: what of it lies outside the tenant's namespaces (a CRD's custom
    /// resources, a StorageClass's volumes bound to claims elsewhere), a few named.
    pub outside: Vec<String>,
    /// For an existing object: why [`Facts::outside`] could not be read, if it could not.
    pub outside_unknown: Option<String>,
}

/// The kind and name of a manifest, if it is one a tenant may request.
pub fn identify(manifest: &Value) -> Result<Target, String> {
    let api_version = manifest["apiVersion"].as_str().unwrap_or_default();
    let kind = manifest["kind"].as_str().unwrap_or_default();
    let allowed = Kind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind && k.api_version() == api_version);
    let Some(kind) = allowed else {
        let what = match (kind, api_version) {
            ("", _) => "an object without a kind".to_string(),
            (kind, "") => format!("a {kind} without an apiVersion"),
            (kind, version) => format!("a {kind} ({version})"),
        };
        return Err(format!(
            "a request can create only a CustomResourceDefinition (apiextensions.k8s.io/v1) or a StorageClass (storage.k8s.io/v1), not {what}"
        ));
    };
    let name = manifest["metadata"]["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        return Err(format!("the {kind} has no metadata.name"));
    }
    names::check_object("object", name).map_err(|e| e.to_string())?;
    Ok(Target {
        kind,
        name: name.to_string(),
    })
}

/// Why `group` is reserved by the site (`reserved`: its list, each entry with the groups below
/// it), if it is.
pub fn site_reserved_group(group: &str, reserved: &[String]) -> Option<String> {
    let group = group.to_ascii_lowercase();
    reserved
        .iter()
        .map(|r| r.trim_start_matches('.').to_ascii_lowercase())
        .find(|r| !r.is_empty() && (group == *r || group.ends_with(&format!(".{r}"))))
        .map(|r| {
            format!(
                "group {group} is reserved for the platform's components ({r}, Site.spec.requests.reservedGroups): use a group of a domain your team holds"
            )
        })
}

/// The field managers of `object` (its `metadata.managedFields`) other than the requests' own
/// ([`REQUEST_MANAGER`]) that own more than its status: whoever else applied, edited or
/// labelled it. The API server's own status writes (a CRD's conditions) do not count.
pub fn other_managers(object: &Value) -> Vec<String> {
    let mut managers: Vec<String> = object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| {
            let manager = entry["manager"].as_str().unwrap_or_default();
            let status_only = entry["subresource"].as_str() == Some("status")
                || entry["fieldsV1"]
                    .as_object()
                    .is_some_and(|fields| fields.keys().all(|k| k == "f:status"));
            manager != REQUEST_MANAGER && !status_only
        })
        .map(|entry| {
            let manager = entry["manager"].as_str().unwrap_or_default();
            match manager {
                "" => "(a manager without a name)".to_string(),
                m => m.to_string(),
            }
        })
        .collect();
    managers.sort();
    managers.dedup();
    managers
}

/// The checks of an object that exists already (an update or a deletion): nobody but the
/// requests' field manager manages it, and nothing of it is outside the tenant.
fn existing_checks(target: &Target, facts: &Facts, out: &mut Vec<Check>) {
    let Some(existing) = &facts.existing else {
        return;
    };
    let others = other_managers(existing);
    out.push(check(
        "managers",
        (!others.is_empty()).then(|| {
            format!(
                "{target} is also managed by {} (its managedFields): it is no longer the tenant's alone, so a platform admin changes or removes it",
                others.join(", ")
            )
        }),
        "managed by the requests alone",
    ));
    let what = match target.kind {
        Kind::CustomResourceDefinition => "custom resources",
        Kind::StorageClass => "volumes bound to claims",
    };
    let problem = match (&facts.outside_unknown, facts.outside.is_empty()) {
        (Some(why), _) => Some(format!(
            "cannot tell whether {target} has {what} outside tenant {}'s namespaces ({why}): a platform admin decides",
            facts.tenant
        )),
        (None, false) => Some(format!(
            "{target} has {what} outside tenant {}'s namespaces ({}): they are not the tenant's to change or remove",
            facts.tenant,
            facts.outside.join(", ")
        )),
        (None, true) => None,
    };
    out.push(check(
        "instances",
        problem,
        format!("no {what} outside the tenant's namespaces"),
    ));
}

/// Why `group` is not a tenant's to take, if it is not.
pub fn reserved_group(group: &str) -> Option<String> {
    let under = |domain: &str| group == domain || group.ends_with(&format!(".{domain}"));
    if group.is_empty() {
        Some("the core group belongs to Kubernetes".into())
    } else if ["k8s.io", "kubernetes.io", "x-k8s.io"]
        .into_iter()
        .any(under)
    {
        Some(format!("group {group} belongs to Kubernetes"))
    } else if under(crate::api::consts::API_GROUP) {
        Some(format!("group {group} belongs to ike"))
    } else if !group.contains('.') || !names::is_dns_subdomain(group, names::MAX_SUBDOMAIN) {
        Some(format!(
            "group {group:?} is not a domain name: use one your team holds, such as widgets.example.com"
        ))
    } else {
        None
    }
}

/// A check. Its message quotes what the tenant wrote (a group, a parameter's key, a label) and
/// becomes a refusal and a status line: control characters are shown escaped, so that it stays
/// one line and cannot forge another.
pub(super) fn check(name: &str, problem: Option<String>, fine: impl Into<String>) -> Check {
    let passed = problem.is_none();
    let message = problem.unwrap_or_else(|| fine.into());
    let message = match message.contains(char::is_control) {
        false => message,
        true => message
            .chars()
            .map(|c| match c.is_control() {
                true => c.escape_default().to_string(),
                false => c.to_string(),
            })
            .collect(),
    };
    Check {
        name: name.into(),
        passed,
        message,
    }
}

/// The owner check: a new object, or one the tenant owns.
fn owner_check(target: &Target, facts: &Facts, action: Action) -> Check {
    let owner = facts.existing.as_ref().map(|o| {
        o["metadata"]["labels"][TENANT_LABEL]
            .as_str()
            .map(String::from)
    });
    let problem = match (action, owner) {
        (Action::Apply, None) => None,
        (Action::Delete, None) => Some(format!("{target} does not exist")),
        (_, Some(Some(owner))) if owner == facts.tenant => None,
        (_, Some(Some(_))) => Some(format!("{target} belongs to another tenant")),
        (_, Some(None)) => Some(format!("{target} belongs to the platform")),
    };
    let fine = match (action, &facts.existing) {
        (Action::Apply, None) => format!("{target} is new"),
        _ => format!("{target} is tenant {}'s", facts.tenant),
    };
    check("owner", problem, fine)
}

/// Every check of a request against `facts`, in a fixed order (the server's dry run is the
/// caller's to add).
pub fn checks(spec: &ResourceRequestSpec, facts: &Facts) -> Vec<Check> {
    let mut out = Vec::new();
    let target = match (spec.action, &spec.manifest, &spec.target) {
        (Action::Apply, Some(manifest), None) => identify(manifest),
        (Action::Apply, None, _) => Err("an Apply request needs spec.manifest".into()),
        (Action::Apply, Some(_), Some(_)) => {
            Err("an Apply request takes spec.manifest, not spec.target".into())
        }
        (Action::Delete, None, Some(target)) => names::check_object("object", &target.name)
            .map(|()| target.clone())
            .map_err(|e| e.to_string()),
        (Action::Delete, _, None) => Err("a Delete request needs spec.target".into()),
        (Action::Delete, Some(_), Some(_)) => {
            Err("a Delete request takes spec.target, not spec.manifest".into())
        }
    };
    let target = match target {
        Ok(target) => {
            out.push(check("kind", None, format!("{target}")));
            target
        }
        Err(problem) => {
            out.push(check("kind", Some(problem), ""));
            return out;
        }
    };
    if spec.reason.trim().is_empty() {
        out.push(check(
            "reason",
            Some("say why the tenant needs it (spec.reason): reviewers read it".into()),
            "",
        ));
    }
    out.push(owner_check(&target, facts, spec.action));
    existing_checks(&target, facts, &mut out);
    if let (Action::Apply, Some(manifest)) = (spec.action, &spec.manifest) {
        let meta = &manifest["metadata"];
        let platform_fields: Vec<&str> = ["ownerReferences", "finalizers"]
            .into_iter()
            .filter(|f| meta.get(*f).is_some_and(|v| !v.is_null()))
            .collect();
        out.push(check(
            "metadata",
            (!platform_fields.is_empty()).then(|| {
                format!(
                    "the manifest sets metadata.{}: that is the platform's to set (an owner reference lets the garbage collector delete it)",
                    platform_fields.join(" and metadata.")
                )
            }),
            "no owner references or finalizers",
        ));
        let label = manifest["metadata"]["labels"][TENANT_LABEL].as_str();
        out.push(check(
            "labels",
            label
                .filter(|l| *l != facts.tenant)
                .map(|l| format!("the manifest is labelled {TENANT_LABEL}={l}, another tenant's")),
            "no other tenant's label",
        ));
        match target.kind {
            Kind::CustomResourceDefinition => crd::checks(manifest, facts, &mut out),
            Kind::StorageClass => storage::checks(manifest, facts, &mut out),
        }
    }
    out.push(check(
        "competing",
        (!facts.competing.is_empty()).then(|| {
            format!(
                "another tenant's request for the same {} is open: {}",
                match target.kind {
                    Kind::CustomResourceDefinition => "group",
                    Kind::StorageClass => "object",
                },
                facts.competing.join(", ")
            )
        }),
        "no other tenant asks for it",
    ));
    out
}

/// The failed checks as one line for a refusal (`kind: ...; group: ...`), empty when all passed.
pub fn problems(checks: &[Check]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.message.clone())
        .collect()
}

/// A CRD manifest's group (empty for anything else).
pub fn crd_group(manifest: &Value) -> &str {
    manifest["spec"]["group"].as_str().unwrap_or_default()
}

pub mod crd;
pub mod storage;
#[cfg(test)]
mod tests;
