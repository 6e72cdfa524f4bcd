//! What a tenant may ask for, as pure functions of the request and what the cluster holds: the
//! admission webhook refuses a request that fails any of these at creation, and the controller
//! runs them again (with the server's dry run) before anyone reviews and before it applies.
//!
//! - only a CustomResourceDefinition (apiextensions.k8s.io/v1) or a StorageClass
//!   (storage.k8s.io/v1), or the deletion of one the tenant owns;
//! - a CRD's group is no Kubernetes group (core, `*.k8s.io`, `*.kubernetes.io`, `*.x-k8s.io`)
//!   and not ike's (`ike.dev` and below), and no other tenant nor the platform holds a CRD in
//!   it; its resources are namespaced (a cluster-scoped one would be every tenant's); a
//!   conversion webhook is a Service in the tenant's own namespaces, never a URL (the API server
//!   would call it);
//! - a StorageClass is new or the tenant's, never the cluster's default, and the Secrets its
//!   provisioner reads are in the tenant's own namespaces;
//! - an object that exists already is updated only for the tenant that owns it.

use serde_json::Value;

use super::{Action, Check, Kind, ResourceRequestSpec, Target};
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

fn check(name: &str, problem: Option<String>, fine: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        passed: problem.is_none(),
        message: problem.unwrap_or_else(|| fine.into()),
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

fn crd_checks(manifest: &Value, facts: &Facts, out: &mut Vec<Check>) {
    let spec = &manifest["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    out.push(check(
        "group",
        reserved_group(group),
        format!("group {group} is not a Kubernetes or ike group"),
    ));
    let held: Vec<String> = facts
        .group_crds
        .iter()
        .filter(|(_, owner)| owner.as_deref() != Some(facts.tenant.as_str()))
        .map(|(name, owner)| match owner {
            Some(_) => format!("{name} (another tenant's)"),
            None => format!("{name} (the platform's)"),
        })
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

/// StorageClass parameters naming the namespace of a Secret the provisioner reads (CSI's
/// `csi.storage.k8s.io/*-secret-namespace` and older provisioners' `*secretNamespace`).
fn secret_namespaces(manifest: &Value) -> Vec<(String, String)> {
    manifest["parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k.ends_with("secret-namespace") || k.ends_with("secretnamespace")
        })
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

fn storage_class_checks(manifest: &Value, facts: &Facts, out: &mut Vec<Check>) {
    let annotations = &manifest["metadata"]["annotations"];
    let default = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .into_iter()
    .any(|a| annotations[a].as_str() == Some("true"));
    out.push(check(
        "default-class",
        default.then(|| "a tenant's StorageClass cannot be the cluster's default (every tenant's claims would use it): remove the is-default-class annotation".to_string()),
        "not the cluster's default class",
    ));
    let foreign: Vec<String> = secret_namespaces(manifest)
        .into_iter()
        .filter(|(_, ns)| {
            // `${pvc.namespace}`: the claim's own namespace, and only the tenant's claims may
            // use its classes.
            ns != "${pvc.namespace}" && !facts.namespaces.iter().any(|n| n == ns)
        })
        .map(|(k, ns)| format!("{k}: {ns}"))
        .collect();
    out.push(check(
        "secrets",
        (!foreign.is_empty()).then(|| {
            format!(
                "the provisioner would read Secrets outside tenant {}'s namespaces ({})",
                facts.tenant,
                foreign.join(", ")
            )
        }),
        "the provisioner reads Secrets of the tenant's own namespaces only",
    ));
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
    if let (Action::Apply, Some(manifest)) = (spec.action, &spec.manifest) {
        let label = manifest["metadata"]["labels"][TENANT_LABEL].as_str();
        out.push(check(
            "labels",
            label
                .filter(|l| *l != facts.tenant)
                .map(|l| format!("the manifest is labelled {TENANT_LABEL}={l}, another tenant's")),
            "no other tenant's label",
        ));
        match target.kind {
            Kind::CustomResourceDefinition => crd_checks(manifest, facts, &mut out),
            Kind::StorageClass => storage_class_checks(manifest, facts, &mut out),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd(group: &str, scope: &str) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("widgets.{group}")},
            "spec": {"group": group, "scope": scope,
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object"}}}]}
        })
    }

    fn apply(manifest: Value) -> ResourceRequestSpec {
        ResourceRequestSpec {
            manifest: Some(manifest),
            reason: "our operator".into(),
            ..Default::default()
        }
    }

    fn facts() -> Facts {
        Facts {
            tenant: "a".into(),
            namespaces: vec!["a-prod".into(), "a-dev".into()],
            ..Default::default()
        }
    }

    fn failed(checks: &[Check]) -> Vec<&str> {
        checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name.as_str())
            .collect()
    }

    #[test]
    fn a_new_namespaced_crd_in_a_free_group_passes_every_check() {
        let checks = checks(&apply(crd("widgets.example.com", "Namespaced")), &facts());
        assert!(failed(&checks).is_empty(), "{checks:?}");
        let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "kind",
                "owner",
                "labels",
                "group",
                "group-owner",
                "scope",
                "conversion",
                "competing"
            ]
        );
    }

    #[test]
    fn only_crds_and_storage_classes_of_their_own_api_versions_are_taken() {
        for (api_version, kind) in [
            ("rbac.authorization.k8s.io/v1", "ClusterRole"),
            ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
            ("storage.k8s.io/v1beta1", "StorageClass"),
            ("v1", "Namespace"),
        ] {
            let manifest =
                json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
            let checks = checks(&apply(manifest), &facts());
            assert_eq!(failed(&checks), ["kind"], "{kind}");
            assert!(checks[0].message.contains(kind), "{}", checks[0].message);
            assert_eq!(checks.len(), 1, "nothing else is judged");
        }
        let nameless = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass"});
        assert!(identify(&nameless).unwrap_err().contains("metadata.name"));
    }

    #[test]
    fn kubernetes_and_ike_groups_are_never_a_tenants() {
        for group in [
            "",
            "k8s.io",
            "apps.k8s.io",
            "networking.k8s.io",
            "snapshot.storage.k8s.io",
            "metrics.kubernetes.io",
            "cluster.x-k8s.io",
            "ike.dev",
            "monitoring.ike.dev",
            "nodot",
        ] {
            assert!(reserved_group(group).is_some(), "{group}");
        }
        for group in ["example.com", "widgets.example.com", "k8s.io.example.com"] {
            assert_eq!(reserved_group(group), None, "{group}");
        }
        let checks = checks(&apply(crd("apps.k8s.io", "Namespaced")), &facts());
        assert_eq!(failed(&checks), ["group"]);
    }

    #[test]
    fn a_group_held_by_another_tenant_or_the_platform_is_refused_and_ones_own_is_not() {
        let mut f = facts();
        f.group_crds = vec![("gadgets.example.com".into(), Some("b".into()))];
        let c = checks(&apply(crd("example.com", "Namespaced")), &f);
        assert_eq!(failed(&c), ["group-owner"]);
        assert!(problems(&c)[0].contains("another tenant's"));
        f.group_crds = vec![("gadgets.example.com".into(), None)];
        let c = checks(&apply(crd("example.com", "Namespaced")), &f);
        assert!(problems(&c)[0].contains("the platform's"));
        f.group_crds = vec![("gadgets.example.com".into(), Some("a".into()))];
        assert!(failed(&checks(&apply(crd("example.com", "Namespaced")), &f)).is_empty());
    }

    #[test]
    fn an_existing_object_is_updated_or_deleted_only_by_its_tenant() {
        let mut f = facts();
        let mut existing = crd("example.com", "Namespaced");
        f.existing = Some(existing.clone());
        let c = checks(&apply(crd("example.com", "Namespaced")), &f);
        assert_eq!(failed(&c), ["owner"], "the platform's");
        existing["metadata"]["labels"] = json!({TENANT_LABEL: "b"});
        f.existing = Some(existing.clone());
        assert_eq!(
            failed(&checks(&apply(crd("example.com", "Namespaced")), &f)),
            ["owner"]
        );
        existing["metadata"]["labels"] = json!({TENANT_LABEL: "a"});
        f.existing = Some(existing);
        assert!(failed(&checks(&apply(crd("example.com", "Namespaced")), &f)).is_empty());

        let delete = ResourceRequestSpec {
            action: Action::Delete,
            target: Some(Target {
                kind: Kind::StorageClass,
                name: "fast".into(),
            }),
            reason: "no longer used".into(),
            ..Default::default()
        };
        assert!(failed(&checks(&delete, &f)).is_empty());
        f.existing = None;
        let c = checks(&delete, &f);
        assert_eq!(failed(&c), ["owner"]);
        assert!(problems(&c)[0].contains("does not exist"));
    }

    #[test]
    fn cluster_scoped_resources_and_conversion_webhooks_outside_the_tenant_are_refused() {
        assert_eq!(
            failed(&checks(&apply(crd("example.com", "Cluster")), &facts())),
            ["scope"]
        );
        let mut by_url = crd("example.com", "Namespaced");
        by_url["spec"]["conversion"] = json!({"strategy": "Webhook",
            "webhook": {"clientConfig": {"url": "https://10.0.0.1/convert"}}});
        assert_eq!(failed(&checks(&apply(by_url), &facts())), ["conversion"]);
        let mut elsewhere = crd("example.com", "Namespaced");
        elsewhere["spec"]["conversion"] = json!({"strategy": "Webhook",
            "webhook": {"clientConfig": {"service": {"namespace": "b-prod", "name": "conv"}}}});
        assert_eq!(
            failed(&checks(&apply(elsewhere.clone()), &facts())),
            ["conversion"]
        );
        elsewhere["spec"]["conversion"]["webhook"]["clientConfig"]["service"]["namespace"] =
            json!("a-dev");
        assert!(failed(&checks(&apply(elsewhere), &facts())).is_empty());
    }

    #[test]
    fn a_storage_class_is_never_the_default_nor_reads_other_namespaces_secrets() {
        let sc = |annotations: Value, parameters: Value| {
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "fast", "annotations": annotations},
                "provisioner": "example.com/csi", "parameters": parameters})
        };
        let fine = sc(
            json!({}),
            json!({"csi.storage.k8s.io/provisioner-secret-namespace": "a-prod",
                   "csi.storage.k8s.io/node-stage-secret-namespace": "${pvc.namespace}"}),
        );
        assert!(failed(&checks(&apply(fine), &facts())).is_empty());
        let default = sc(
            json!({"storageclass.kubernetes.io/is-default-class": "true"}),
            json!({}),
        );
        assert_eq!(
            failed(&checks(&apply(default), &facts())),
            ["default-class"]
        );
        let foreign = sc(
            json!({}),
            json!({"csi.storage.k8s.io/provisioner-secret-namespace": "kube-system"}),
        );
        assert_eq!(failed(&checks(&apply(foreign), &facts())), ["secrets"]);
    }

    #[test]
    fn another_tenants_label_open_requests_and_a_missing_reason_are_refused() {
        let mut labelled = crd("example.com", "Namespaced");
        labelled["metadata"]["labels"] = json!({TENANT_LABEL: "b"});
        assert_eq!(failed(&checks(&apply(labelled), &facts())), ["labels"]);
        let mut f = facts();
        f.competing = vec!["b-prod/crd-widgets".into()];
        assert_eq!(
            failed(&checks(&apply(crd("example.com", "Namespaced")), &f)),
            ["competing"]
        );
        let mut spec = apply(crd("example.com", "Namespaced"));
        spec.reason = " ".into();
        assert_eq!(failed(&checks(&spec, &facts())), ["reason"]);
    }
}
