//! What a tenant's StorageClass may be: never the cluster's default, reading Secrets of the
//! tenant's own namespaces only, with a provisioner the site allows, and a name no volume uses.

use serde_json::Value;

use super::{Facts, check};
use crate::api::request::Check;

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
    let foreign: Vec<String> = secret_namespaces(manifest)
        .into_iter()
        .filter(|(_, ns)| {
            // `${pvc.namespace}`: the claim's own namespace, and only the tenant's claims may
            // use its classes.
            ns != "${pvc.namespace}" && !facts.namespaces.iter().any(|n| n == ns)
        })
        .map(|(k, ns)| format!("{k}: {ns}"))
        .collect();
    let provisioner = manifest["provisioner"].as_str().unwrap_or_default();
    out.push(check(
        "provisioner",
        facts
            .provisioners
            .as_ref()
            .filter(|allowed| !allowed.iter().any(|p| p == provisioner))
            .map(|allowed| {
                format!(
                    "provisioner {provisioner:?} is not one the site lets tenants use ({})",
                    allowed.join(", ")
                )
            }),
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
                "the provisioner would read Secrets outside tenant {}'s namespaces ({})",
                facts.tenant,
                foreign.join(", ")
            )
        }),
        "the provisioner reads Secrets of the tenant's own namespaces only",
    ));
}
