//! A claim in a tenant namespace binds only a volume provisioned for its tenant: a
//! PersistentVolumeClaim naming a PersistentVolume (`volumeName`) is refused unless that volume
//! carries the tenant's label or is already reserved for this very claim (`claimRef`). Otherwise
//! one tenant could mount another's released volume, data included.
//!
//! Nor does it use another tenant's StorageClass (one a tenant got through a ResourceRequest,
//! labelled with it): its provisioner may read that tenant's Secrets and write into its storage.
//! The platform's classes (no tenant label) are everyone's.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::Api;
use kube::core::admission::AdmissionResponse;

use super::{Hook, Policy, is_cluster_controller, review_namespaced, typed};
use crate::api::consts::{ISOLATED_LABEL, TENANT_LABEL};

/// The webhook: CREATE and UPDATE of PersistentVolumeClaims in tenant namespaces.
pub const HOOK: Hook = Hook {
    name: "volumes.isolation.ike.dev",
    path: "/admission/volumes",
    rule: [&[""], &["v1"], &["persistentvolumeclaims"]],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};

/// Answers one AdmissionReview of a PersistentVolumeClaim.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    review_namespaced(&policy, HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        // The volume binder (kube-controller-manager) fills volumeName when it binds.
        if is_cluster_controller(&request) {
            return (response, Vec::new());
        }
        let claim = match typed::<PersistentVolumeClaim>(request.object.as_ref()) {
            Ok(claim) => claim,
            Err(e) => return (response, vec![e]),
        };
        let old = typed::<PersistentVolumeClaim>(request.old_object.as_ref()).ok();
        let namespace = request.namespace.clone().unwrap_or_default();
        let tenant = policy
            .tenant_of(&namespace)
            .and_then(|t| t.metadata.name.clone());
        let mut problems = Vec::new();
        let class = claim
            .spec
            .as_ref()
            .and_then(|s| s.storage_class_name.clone());
        let same_class = old
            .as_ref()
            .and_then(|o| o.spec.as_ref()?.storage_class_name.clone())
            == class;
        if let Some(class) = class.filter(|c| !c.is_empty() && !same_class) {
            let classes: Api<StorageClass> = Api::all(policy.client.clone());
            match classes.get_opt(&class).await {
                Ok(found) => {
                    problems.extend(review_class(&class, tenant.as_deref(), found.as_ref()))
                }
                Err(e) => {
                    problems.push(format!("cannot read StorageClass {class} ({e}): try again"))
                }
            }
        }
        let volume = claim.spec.as_ref().and_then(|s| s.volume_name.clone());
        let unchanged = old.and_then(|o| o.spec?.volume_name) == volume;
        let Some(volume) = volume.filter(|v| !v.is_empty() && !unchanged) else {
            return (response, problems);
        };
        let volumes: Api<PersistentVolume> = Api::all(policy.client.clone());
        match volumes.get_opt(&volume).await {
            Ok(found) => problems.extend(review(
                &claim,
                &namespace,
                tenant.as_deref(),
                &volume,
                found.as_ref(),
            )),
            Err(e) => problems.push(format!("cannot read volume {volume} ({e}): try again")),
        };
        (response, problems)
    })
    .await
}

/// Everything wrong with a claim of `tenant` naming StorageClass `class` (`found`, if it
/// exists): a class labelled for another tenant is refused, and so is one that does not exist
/// (it could become another tenant's, and the claim would be provisioned from it).
pub fn review_class(
    class: &str,
    tenant: Option<&str>,
    found: Option<&StorageClass>,
) -> Vec<String> {
    let Some(sc) = found else {
        return vec![format!(
            "StorageClass {class} does not exist: name one of the site's classes (kubectl get storageclasses)"
        )];
    };
    let owner = sc
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(TENANT_LABEL));
    match owner {
        Some(owner) if Some(owner.as_str()) != tenant => vec![format!(
            "StorageClass {class} is tenant {owner}'s: its provisioner works with that tenant's storage and Secrets; use your own or the site's classes"
        )],
        _ => Vec::new(),
    }
}

/// Everything wrong with `claim` in `namespace` (of `tenant`) naming `volume` (`found`, if it
/// exists).
pub fn review(
    claim: &PersistentVolumeClaim,
    namespace: &str,
    tenant: Option<&str>,
    volume: &str,
    found: Option<&PersistentVolume>,
) -> Vec<String> {
    let Some(pv) = found else {
        // A volume named before it exists would be bound the moment it appears, whoever's data it
        // holds: refuse rather than leave a slot to wait in.
        return vec![format!(
            "volume {volume} does not exist: a claim may only name a volume provisioned for its tenant"
        )];
    };
    let labelled = tenant.is_some_and(|t| {
        pv.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(TENANT_LABEL))
            .is_some_and(|l| l == t)
    });
    let reserved = pv
        .spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .is_some_and(|r| {
            r.namespace.as_deref() == Some(namespace)
                && r.name.as_deref() == claim.metadata.name.as_deref()
        });
    if labelled || reserved {
        Vec::new()
    } else {
        vec![format!(
            "volume {volume} was not provisioned for this tenant (it needs the label {TENANT_LABEL}={} or a claimRef to this claim): let the StorageClass provision one",
            tenant.unwrap_or("(none)")
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim() -> PersistentVolumeClaim {
        serde_json::from_value(serde_json::json!({"metadata": {"name": "data", "namespace": "a-db"}, "spec": {"volumeName": "pv-1"}})).unwrap()
    }

    fn volume(labels: serde_json::Value, claim_ref: serde_json::Value) -> PersistentVolume {
        serde_json::from_value(serde_json::json!({"metadata": {"name": "pv-1", "labels": labels}, "spec": {"claimRef": claim_ref}})).unwrap()
    }

    #[test]
    fn a_claim_uses_the_sites_or_its_own_tenants_storage_classes_only() {
        let class = |labels: serde_json::Value| -> StorageClass {
            serde_json::from_value(serde_json::json!({"metadata": {"name": "fast", "labels": labels}, "provisioner": "x"})).unwrap()
        };
        assert!(review_class("fast", Some("a"), Some(&class(serde_json::json!({})))).is_empty());
        assert!(
            review_class(
                "fast",
                Some("a"),
                Some(&class(serde_json::json!({"ike.dev/tenant": "a"})))
            )
            .is_empty()
        );
        let p = review_class(
            "fast",
            Some("a"),
            Some(&class(serde_json::json!({"ike.dev/tenant": "b"}))),
        );
        assert!(p[0].contains("is tenant b's"), "{p:?}");
        assert!(review_class("fast", Some("a"), None)[0].contains("does not exist"));
    }

    #[test]
    fn only_the_tenants_own_or_reserved_volumes_may_be_named() {
        let mine = volume(
            serde_json::json!({"ike.dev/tenant": "a"}),
            serde_json::Value::Null,
        );
        assert!(review(&claim(), "a-db", Some("a"), "pv-1", Some(&mine)).is_empty());
        let reserved = volume(
            serde_json::json!({}),
            serde_json::json!({"namespace": "a-db", "name": "data"}),
        );
        assert!(review(&claim(), "a-db", Some("a"), "pv-1", Some(&reserved)).is_empty());
        let theirs = volume(
            serde_json::json!({"ike.dev/tenant": "b"}),
            serde_json::json!({"namespace": "b-db", "name": "data"}),
        );
        let p = review(&claim(), "a-db", Some("a"), "pv-1", Some(&theirs));
        assert!(
            p[0].contains("was not provisioned for this tenant"),
            "{p:?}"
        );
        let unlabelled = volume(serde_json::json!({}), serde_json::Value::Null);
        assert!(!review(&claim(), "a-db", Some("a"), "pv-1", Some(&unlabelled)).is_empty());
        assert!(!review(&claim(), "a-db", Some("a"), "pv-1", None).is_empty());
    }
}
