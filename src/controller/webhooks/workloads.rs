//! The pod rules, applied to the pod templates of workloads, so that `kubectl apply` of a
//! Deployment with `hostNetwork: true` is refused with the reason instead of being accepted with
//! pods that silently never appear (their refusal would sit in the ReplicaSet's events). The pod
//! webhook stays the backstop for anything that makes pods another way.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use kube::core::DynamicObject;
use kube::core::admission::AdmissionResponse;

use super::pod_security::review_pod;
use super::pods::{placement, refusal};
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
        let judge = |object: &DynamicObject| {
            template_pod(&request.kind.kind, object, namespace.as_deref())
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
        let message = refusal(&new(host, &old_host), &new(place, &old_place));
        let response = match message {
            Some(m) => deny(
                response,
                format!(
                    "{m} (in the pod template of {} {})",
                    request.kind.kind, request.name
                ),
            ),
            None => response,
        };
        (response, Vec::new())
    })
    .await
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
