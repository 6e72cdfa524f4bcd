//! Host isolation of tenant pods: the validating admission webhook `ike-host-isolation`.
//!
//! In namespaces labelled [`TENANT_LABEL`] no pod may reach the host: no hostNetwork, hostPID or
//! hostIPC, no hostPath volume, no hostPort, no privileged container and no capability beyond
//! the Pod Security Standards *baseline* list, in containers, init containers and ephemeral
//! containers alike. Pod Security Admission enforces the same on current Kubernetes; this webhook
//! exists for clusters without it (1.20 has none). It reviews pods, not workloads, so pods that
//! Deployments, Jobs or any other controller create are covered too: the controller's pod is
//! refused and the refusal shows up in the workload's events and conditions.
//!
//! Served by [`super::routes`], registered by [`super::configuration`].

use axum::body::Bytes;
use axum::response::Response;
use k8s_openapi::api::core::v1::{EphemeralContainer, Pod, PodSpec};
use kube::core::DynamicObject;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, Operation};

use super::pod_security::review_pod;
use super::{answer, deny, parse};
use crate::api::consts::ISOLATED_LABEL;

/// The webhook: every CREATE and UPDATE of a pod (and of its ephemeral containers) in a
/// namespace labelled [`ISOLATED_LABEL`].
pub const HOOK: super::Hook = super::Hook {
    name: WEBHOOK_NAME,
    path: "/admission/pods",
    // Rules on "pods" do not match its subresources, and ephemeral containers (`kubectl debug`)
    // are added through one.
    rule: [&[""], &["v1"], &["pods", "pods/ephemeralcontainers"]],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};
/// The name of its one webhook; the API server quotes it in every refusal.
pub const WEBHOOK_NAME: &str = "pods.host-isolation.ike.dev";
/// Answers one AdmissionReview. A body the API server could not have sent gets 400: the API
/// server then fails the call, and `failurePolicy: Fail` keeps the pod out.
pub(super) async fn serve(body: Bytes) -> Response {
    let request: AdmissionRequest<DynamicObject> = match parse(&body) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let response = decide(&request);
    tracing::info!(
        uid = %request.uid,
        namespace = request.namespace.as_deref().unwrap_or_default(),
        name = %request.name,
        operation = ?request.operation,
        allowed = response.allowed,
        "reviewed a pod for host isolation"
    );
    answer(response)
}

/// The verdict on one request; everything but the HTTP layer.
fn decide(request: &AdmissionRequest<DynamicObject>) -> AdmissionResponse {
    let allowed = AdmissionResponse::from(request);
    if !matches!(request.operation, Operation::Create | Operation::Update) {
        return allowed;
    }
    let Some(object) = &request.object else {
        return deny(
            allowed,
            "ike: the admission request carries no pod to review".into(),
        );
    };
    let pod = match as_pod(&request.kind.kind, object) {
        Ok(pod) => pod,
        Err(reason) => {
            return deny(
                allowed,
                format!("ike: cannot review this request: {reason}"),
            );
        }
    };
    let violations = review_pod(&pod);
    if violations.is_empty() {
        return allowed;
    }
    // An UPDATE cannot give a pod new host access the old one did not have, but a pod created
    // before its namespace became a tenant's (or before this webhook) must still be labelled,
    // have finalizers removed and be deleted: refuse only what is new, warn about the rest.
    let existing = match (&request.operation, &request.old_object) {
        (Operation::Update, Some(old)) => as_pod(&request.kind.kind, old)
            .map(|old| review_pod(&old))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let new: Vec<&String> = violations
        .iter()
        .filter(|v| !existing.contains(v))
        .collect();
    if new.is_empty() {
        let mut allowed = allowed;
        allowed.warnings = Some(vec![format!(
            "ike: this pod predates host isolation and still reaches the host: {}",
            violations.join("; ")
        )]);
        return allowed;
    }
    let violations: Vec<&str> = new.iter().map(|v| v.as_str()).collect();
    deny(
        allowed,
        format!(
            "ike: pods in tenant namespaces cannot reach the host: {} \
             (ask a platform admin for a dedicated namespace if you really need this)",
            violations.join("; ")
        ),
    )
}

/// The pod under review. `pods/ephemeralcontainers` sends a whole Pod since Kubernetes 1.22, and
/// an `EphemeralContainers` object (name, namespace and the list) on 1.16–1.21.
fn as_pod(kind: &str, object: &DynamicObject) -> Result<Pod, String> {
    match kind {
        "Pod" => serde_json::to_value(object)
            .and_then(serde_json::from_value)
            .map_err(|e| format!("the object is not a valid Pod: {e}")),
        "EphemeralContainers" => {
            let list = object.data.get("ephemeralContainers").cloned();
            let containers: Option<Vec<EphemeralContainer>> = list
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| format!("the ephemeral containers are not valid: {e}"))?;
            Ok(Pod {
                metadata: object.metadata.clone(),
                spec: Some(PodSpec {
                    ephemeral_containers: containers,
                    ..PodSpec::default()
                }),
                status: None,
            })
        }
        other => Err(format!("this webhook reviews pods, not {other:?}")),
    }
}
