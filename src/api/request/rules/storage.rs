//! What a tenant's StorageClass may be: never the cluster's default, reading Secrets of the
//! tenant's own namespaces only, with a provisioner the site lists (none listed: no class at
//! all), and a name no volume uses.

use serde_json::Value;

use super::{Facts, check};
use crate::api::request::Check;

/// What the provisioner makes of `${pvc.namespace}` in a Secret's namespace: the claim's own
/// namespace, and only the tenant's claims may use its classes. The only template allowed
/// there: `${pv.name}` names no namespace of anyone's, and anything a claim's annotations say
/// could name any.
const CLAIM_NAMESPACE: &str = "${pvc.namespace}";

/// The Secrets a StorageClass's parameters make its provisioner read, as problems: a namespace
/// that is not one of `namespaces` (nor [`CLAIM_NAMESPACE`]), and a Secret named without a
/// namespace (where the provisioner then looks is its own default: `default` or `kube-system`
/// for several in-tree ones). Parameters are matched case-insensitively by their ending:
/// CSI's `csi.storage.k8s.io/{provisioner,controller-publish,node-stage,node-publish,
/// controller-expand,node-expand}-secret-{name,namespace}`, the deprecated
/// `csi{Provisioner,ControllerPublish,NodeStage,NodePublish}Secret{Name,Namespace}`, and
/// in-tree provisioners' `{admin,user,}secret{Name,Namespace}` (RBD, GlusterFS, Quobyte,
/// StorageOS, Azure File, ScaleIO).
pub fn secret_problems(parameters: &Value, namespaces: &[String]) -> Vec<String> {
    let Some(parameters) = parameters.as_object() else {
        return Vec::new();
    };
    let lower = |k: &str| k.to_ascii_lowercase();
    let namespace_of = |prefix: &str| {
        parameters
            .iter()
            .find(|(k, _)| {
                let k = lower(k);
                k == format!("{prefix}-namespace") || k == format!("{prefix}namespace")
            })
            .map(|(_, v)| v)
    };
    let mut problems = Vec::new();
    for (key, value) in parameters {
        let k = lower(key);
        if k.ends_with("secret-namespace") || k.ends_with("secretnamespace") {
            let ns = value.as_str().unwrap_or_default();
            if ns != CLAIM_NAMESPACE && !namespaces.iter().any(|n| n == ns) {
                problems.push(format!(
                    "{key}: {ns:?} is not one of the tenant's namespaces"
                ));
            }
        } else if let Some(prefix) = k
            .strip_suffix("secret-name")
            .map(|p| format!("{p}secret"))
            .or_else(|| k.strip_suffix("secretname").map(|p| format!("{p}secret")))
            && namespace_of(&prefix).is_none()
        {
            problems.push(format!(
                "{key} names a Secret without its namespace (the provisioner would look in its own default): add the matching ...Namespace parameter with one of the tenant's namespaces or {CLAIM_NAMESPACE}"
            ));
        }
    }
    problems.sort();
    problems
}

pub(super) fn checks(manifest: &Value, facts: &Facts, out: &mut Vec<Check>) {
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
    let foreign = secret_problems(&manifest["parameters"], &facts.namespaces);
    let provisioner = manifest["provisioner"].as_str().unwrap_or_default();
    let allowed = facts.provisioners.as_deref().unwrap_or_default();
    out.push(check(
        "provisioner",
        match allowed.is_empty() {
            true => Some(
                "this site lets tenants request no StorageClass: a platform admin lists the provisioners tenants may use in Site.spec.requests.storageProvisioners (kubectl edit site site)"
                    .to_string(),
            ),
            false => (!allowed.iter().any(|p| p == provisioner)).then(|| {
                format!(
                    "provisioner {provisioner:?} is not one the site lets tenants use ({}; Site.spec.requests.storageProvisioners)",
                    allowed.join(", ")
                )
            }),
        },
        format!("provisioner {provisioner}"),
    ));
    out.push(check(
        "volumes",
        (!facts.volumes_of_class.is_empty() && facts.existing.is_none()).then(|| {
            format!(
                "PersistentVolumes already name this class ({}): a new class of that name would let your claims bind them",
                facts.volumes_of_class.join(", ")
            )
        }),
        "no volume names the class already",
    ));
    out.push(check(
        "secrets",
        (!foreign.is_empty()).then(|| {
            format!(
                "the provisioner would read Secrets outside tenant {}'s namespaces: {}",
                facts.tenant,
                foreign.join("; ")
            )
        }),
        "the provisioner reads Secrets of the tenant's own namespaces only",
    ));
}
