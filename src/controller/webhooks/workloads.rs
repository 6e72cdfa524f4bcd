//! The pod rules, applied to the pod templates of workloads, so that `kubectl apply` of a
//! Deployment with `hostNetwork: true` is refused with the reason instead of being accepted with
//! pods that silently never appear (their refusal would sit in the ReplicaSet's events). The pod
//! webhook stays the backstop for anything that makes pods another way.
//!
//! The claims a workload leads to are judged here too, by the claims' own rule
//! ([`super::volumes::judge_claim`]): a StatefulSet's `volumeClaimTemplates` and the generic
//! ephemeral volumes of every pod template, as the claims the cluster's controllers will make
//! of them.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, PodTemplateSpec};
use kube::core::DynamicObject;
use kube::core::admission::AdmissionResponse;

use super::pod_security::review_pod;
use super::pods::{placement, refusal};
use super::volumes::{ephemeral_claims, judge_templates, template_claims};
use super::{Hook, Policy, deny, review_namespaced};
use crate::api::consts::ISOLATED_LABEL;

/// The webhook: CREATE and UPDATE of every built-in kind that carries a pod template.
pub const HOOK: Hook = Hook {
    name: "workloads.host-isolation.ike.dev",
    path: "/admission/workloads",
    // CronJob is batch/v1beta1 on 1.20 and batch/v1 from 1.21; the API server sends each
    // request in the version it was made in, as both are listed.
    rule: [
        &["apps", "batch", ""],
        &["v1", "v1beta1"],
        &[
            "deployments",
            "statefulsets",
            "daemonsets",
            "replicasets",
            "jobs",
            "cronjobs",
            "replicationcontrollers",
        ],
    ],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};

/// Answers one AdmissionReview of a workload.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    review_namespaced(&policy, HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        let namespace = request.namespace.clone();
        let kind = request.kind.kind.clone();
        let judge = |object: &DynamicObject| {
            template_pod(&kind, object, namespace.as_deref())
                .map(|pod| (review_pod(&pod), placement(&policy, &pod)))
        };
        let Some(object) = request.object.as_ref() else {
            return (response, Vec::new());
        };
        let (host, place) = match judge(object) {
            Ok(found) => found,
            Err(e) => return (deny(response, format!("ike: {e}")), Vec::new()),
        };
        // As for pods: an update is refused only for what it adds.
        let (old_host, old_place) = request
            .old_object
            .as_ref()
            .and_then(|old| judge(old).ok())
            .unwrap_or_default();
        let new = |now: Vec<String>, before: &[String]| -> Vec<String> {
            now.into_iter().filter(|v| !before.contains(v)).collect()
        };
        let name = request.name.clone();
        let mut parts: Vec<String> = refusal(&new(host, &old_host), &new(place, &old_place))
            .map(|m| {
                format!(
                    "{} (in the pod template of {kind} {name})",
                    m.trim_start_matches("ike: ")
                )
            })
            .into_iter()
            .collect();
        // The claims the workload's pods and (for a StatefulSet) the cluster's controllers
        // would make: judged here by the claims' own rule.
        let old_claims = request
            .old_object
            .as_ref()
            .and_then(|old| claims(&kind, old, namespace.as_deref()).ok())
            .unwrap_or_default();
        let claim_problems = match claims(&kind, object, namespace.as_deref()) {
            Ok(claims) => {
                judge_templates(
                    &policy,
                    namespace.as_deref().unwrap_or_default(),
                    &claims,
                    &old_claims,
                )
                .await
            }
            Err(e) => vec![e],
        };
        parts.extend(claim_problems);
        let response = match parts.is_empty() {
            true => response,
            false => deny(response, format!("ike: {}", parts.join("; "))),
        };
        (response, Vec::new())
    })
    .await
}

/// The claims a workload leads to: its pod template's generic ephemeral volumes and, for a
/// StatefulSet, its `volumeClaimTemplates`.
fn claims(
    kind: &str,
    object: &DynamicObject,
    namespace: Option<&str>,
) -> Result<Vec<(String, PersistentVolumeClaim)>, String> {
    let pod = template_pod(kind, object, namespace)?;
    let name = object.metadata.name.clone().unwrap_or_default();
    let mut claims: Vec<(String, PersistentVolumeClaim)> = pod
        .spec
        .as_ref()
        .map(|spec| ephemeral_claims(spec, None))
        .unwrap_or_default()
        .into_iter()
        .map(|(origin, c)| (format!("{origin} in the pod template of {kind} {name}"), c))
        .collect();
    if kind == "StatefulSet" {
        let templates = object
            .data
            .get("spec")
            .and_then(|s| s.get("volumeClaimTemplates"));
        claims.extend(
            template_claims(&name, templates)?
                .into_iter()
                .map(|(origin, c)| (format!("{origin} of StatefulSet {name}"), c)),
        );
    }
    Ok(claims)
}

/// The pod a workload's template describes, in `namespace`.
pub fn template_pod(
    kind: &str,
    object: &DynamicObject,
    namespace: Option<&str>,
) -> Result<Pod, String> {
    let spec = object.data.get("spec");
    let template = match kind {
        "CronJob" => spec
            .and_then(|s| s.get("jobTemplate"))
            .and_then(|j| j.get("spec"))
            .and_then(|s| s.get("template")),
        _ => spec.and_then(|s| s.get("template")),
    };
    let Some(template) = template else {
        return Err(format!("this {kind} has no pod template to review"));
    };
    let template: PodTemplateSpec = serde_json::from_value(template.clone())
        .map_err(|e| format!("the pod template of this {kind} is not valid: {e}"))?;
    let mut metadata = template.metadata.unwrap_or_default();
    metadata.namespace = namespace.map(str::to_owned);
    Ok(Pod {
        metadata,
        spec: template.spec,
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &str, data: serde_json::Value) -> DynamicObject {
        let mut value = data;
        value["apiVersion"] = "apps/v1".into();
        value["kind"] = kind.into();
        value["metadata"] = serde_json::json!({"name": "w", "namespace": "t-a"});
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn every_kind_yields_its_template_as_a_pod() {
        let template = serde_json::json!({
            "metadata": {"labels": {"app": "w"}},
            "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "x"}]}
        });
        for kind in [
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "Job",
            "ReplicationController",
        ] {
            let o = object(
                kind,
                serde_json::json!({"spec": {"template": template.clone()}}),
            );
            let pod = template_pod(kind, &o, Some("t-a")).unwrap();
            assert_eq!(pod.metadata.namespace.as_deref(), Some("t-a"));
            assert_eq!(review_pod(&pod), ["hostNetwork is not allowed"], "{kind}");
        }
        let cron = object(
            "CronJob",
            serde_json::json!({"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}}),
        );
        let pod = template_pod("CronJob", &cron, Some("t-a")).unwrap();
        assert_eq!(review_pod(&pod), ["hostNetwork is not allowed"]);
    }

    #[test]
    fn a_workload_without_a_template_is_an_error_not_a_pass() {
        let o = object("Deployment", serde_json::json!({"spec": {}}));
        assert!(template_pod("Deployment", &o, None).is_err());
    }
}
