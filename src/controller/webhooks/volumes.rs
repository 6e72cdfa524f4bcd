//! A claim in a tenant namespace binds only a volume provisioned for its tenant: a
//! PersistentVolumeClaim naming a PersistentVolume (`volumeName`) is refused unless that volume
//! carries the tenant's label or is already reserved for this very claim (`claimRef`). Otherwise
//! one tenant could mount another's released volume, data included.
//!
//! Nor does it use another tenant's StorageClass (one a tenant got through a ResourceRequest,
//! labelled with it): its provisioner may read that tenant's Secrets and write into its storage.
//! The platform's classes (no tenant label) are everyone's.
//!
//! Every path to a claim is judged by the same rule ([`judge_claim`]): a hand-made claim here;
//! the claims a StatefulSet's `volumeClaimTemplates` and a pod's generic ephemeral volumes become
//! where the workload or pod is admitted ([`template_claims`], [`ephemeral_claims`]), so
//! `kubectl apply` answers; and the claims the cluster's controllers then create from them here
//! again (only their UPDATEs, the volume binder's, are exempt).

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, PodSpec};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::Api;
use kube::core::admission::{AdmissionResponse, Operation};

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
        // The volume binder (kube-controller-manager) fills volumeName when it binds: an
        // UPDATE of the cluster's controllers is theirs. A claim they *create* (a StatefulSet's,
        // an ephemeral volume's) is judged like any other, since its template came from the
        // tenant.
        if request.operation == Operation::Update && is_cluster_controller(&request) {
            return (response, Vec::new());
        }
        let claim = match typed::<PersistentVolumeClaim>(request.object.as_ref()) {
            Ok(claim) => claim,
            Err(e) => return (response, vec![e]),
        };
        let old = typed::<PersistentVolumeClaim>(request.old_object.as_ref()).ok();
        let namespace = request.namespace.clone().unwrap_or_default();
        let problems = judge_claim(&policy, &namespace, &claim, old.as_ref()).await;
        (response, problems)
    })
    .await
}

/// Everything wrong with `claim` in `namespace` (`old`: the claim before an update, whose
/// StorageClass and volume are not judged again): its StorageClass ([`review_class`]) and the
/// volume it names ([`review`]), each read from the API server. The one rule for every claim,
/// hand-made or a template's ([`template_claims`]).
pub(super) async fn judge_claim(
    policy: &Policy,
    namespace: &str,
    claim: &PersistentVolumeClaim,
    old: Option<&PersistentVolumeClaim>,
) -> Vec<String> {
    let tenant = policy
        .tenant_of(namespace)
        .and_then(|t| t.metadata.name.clone());
    let mut problems = Vec::new();
    let class = claim
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone());
    let same_class = old.and_then(|o| o.spec.as_ref()?.storage_class_name.clone()) == class;
    if let Some(class) = class.filter(|c| !c.is_empty() && !same_class) {
        let classes: Api<StorageClass> = Api::all(policy.client.clone());
        match classes.get_opt(&class).await {
            Ok(found) => problems.extend(review_class(&class, tenant.as_deref(), found.as_ref())),
            Err(e) => problems.push(format!("cannot read StorageClass {class} ({e}): try again")),
        }
    }
    let volume = claim.spec.as_ref().and_then(|s| s.volume_name.clone());
    let unchanged = old.and_then(|o| o.spec.as_ref()?.volume_name.clone()) == volume;
    let Some(volume) = volume.filter(|v| !v.is_empty() && !unchanged) else {
        return problems;
    };
    let volumes: Api<PersistentVolume> = Api::all(policy.client.clone());
    match volumes.get_opt(&volume).await {
        Ok(found) => problems.extend(review(
            claim,
            namespace,
            tenant.as_deref(),
            &volume,
            found.as_ref(),
        )),
        Err(e) => problems.push(format!("cannot read volume {volume} ({e}): try again")),
    };
    problems
}

/// The claims a pod (`pod_name`, when known: a pod template's pods are named later) would get
/// from its generic ephemeral volumes (`volumes[].ephemeral.volumeClaimTemplate`), named as the
/// ephemeral volume controller names them (`POD-VOLUME`), each with where it comes from.
pub fn ephemeral_claims(
    spec: &PodSpec,
    pod_name: Option<&str>,
) -> Vec<(String, PersistentVolumeClaim)> {
    spec.volumes
        .iter()
        .flatten()
        .filter_map(|v| {
            let template = v.ephemeral.as_ref()?.volume_claim_template.as_ref()?;
            let mut metadata = template.metadata.clone().unwrap_or_default();
            metadata.name = pod_name.map(|p| format!("{p}-{}", v.name));
            let claim = PersistentVolumeClaim {
                metadata,
                spec: Some(template.spec.clone()),
                status: None,
            };
            Some((format!("the ephemeral volume {}", v.name), claim))
        })
        .collect()
}

/// The claims a StatefulSet named `name` makes from its `volumeClaimTemplates`, for its first
/// replica (`TEMPLATE-NAME-0`, as kube-controller-manager names them), each with where it
/// comes from. A template that is not a valid claim is an error, not a pass.
pub fn template_claims(
    name: &str,
    templates: Option<&serde_json::Value>,
) -> Result<Vec<(String, PersistentVolumeClaim)>, String> {
    let Some(templates) = templates.filter(|t| !t.is_null()) else {
        return Ok(Vec::new());
    };
    let templates: Vec<PersistentVolumeClaim> = serde_json::from_value(templates.clone())
        .map_err(|e| format!("the volumeClaimTemplates of this StatefulSet are not valid: {e}"))?;
    Ok(templates
        .into_iter()
        .map(|mut claim| {
            let template = claim.metadata.name.clone().unwrap_or_default();
            claim.metadata.name = Some(format!("{template}-{name}-0"));
            (format!("the volumeClaimTemplate {template}"), claim)
        })
        .collect())
}

/// Everything wrong with `claims` (from templates) in `namespace`, each problem saying which
/// template it comes from; claims also in `before` (an update that left them alone) are not
/// judged again.
pub(super) async fn judge_templates(
    policy: &Policy,
    namespace: &str,
    claims: &[(String, PersistentVolumeClaim)],
    before: &[(String, PersistentVolumeClaim)],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (origin, claim) in claims {
        if before
            .iter()
            .any(|(o, c)| o == origin && c.spec == claim.spec)
        {
            continue;
        }
        for problem in judge_claim(policy, namespace, claim, None).await {
            problems.push(format!("{origin}: {problem}"));
        }
    }
    problems
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
    fn templates_become_the_claims_the_cluster_makes_of_them() {
        let templates = serde_json::json!([
            {"metadata": {"name": "data"}, "spec": {"storageClassName": "fast", "accessModes": ["ReadWriteOnce"]}},
            {"metadata": {"name": "logs"}, "spec": {"volumeName": "pv-1"}}
        ]);
        let claims = template_claims("db", Some(&templates)).unwrap();
        let names: Vec<(&str, Option<&str>)> = claims
            .iter()
            .map(|(origin, c)| (origin.as_str(), c.metadata.name.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("the volumeClaimTemplate data", Some("data-db-0")),
                ("the volumeClaimTemplate logs", Some("logs-db-0"))
            ]
        );
        assert_eq!(
            claims[0]
                .1
                .spec
                .as_ref()
                .unwrap()
                .storage_class_name
                .as_deref(),
            Some("fast")
        );
        assert!(template_claims("db", None).unwrap().is_empty());
        let broken = serde_json::json!([{"spec": {"accessModes": "not a list"}}]);
        assert!(template_claims("db", Some(&broken)).is_err());

        let spec: PodSpec = serde_json::from_value(serde_json::json!({
            "containers": [{"name": "app", "image": "x"}],
            "volumes": [
                {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {"storageClassName": "theirs"}}}},
                {"name": "tmp", "emptyDir": {}}
            ]
        }))
        .unwrap();
        let claims = ephemeral_claims(&spec, Some("web-1"));
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].0, "the ephemeral volume scratch");
        assert_eq!(claims[0].1.metadata.name.as_deref(), Some("web-1-scratch"));
        // A pod template's pods are named later: no claimRef can be reserved for them.
        assert_eq!(ephemeral_claims(&spec, None)[0].1.metadata.name, None);
    }

    #[test]
    fn a_template_claim_naming_a_volume_reserved_for_someone_else_is_refused() {
        let spec: PodSpec = serde_json::from_value(serde_json::json!({
            "containers": [{"name": "app", "image": "x"}],
            "volumes": [{"name": "v", "ephemeral": {"volumeClaimTemplate": {"spec": {"volumeName": "pv-1"}}}}]
        }))
        .unwrap();
        let (_, claim) = ephemeral_claims(&spec, None).remove(0);
        let reserved = volume(
            serde_json::json!({}),
            serde_json::json!({"namespace": "a-db", "name": "data"}),
        );
        assert!(!review(&claim, "a-db", Some("a"), "pv-1", Some(&reserved)).is_empty());
        let mine = volume(
            serde_json::json!({"ike.dev/tenant": "a"}),
            serde_json::Value::Null,
        );
        assert!(review(&claim, "a-db", Some("a"), "pv-1", Some(&mine)).is_empty());
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
