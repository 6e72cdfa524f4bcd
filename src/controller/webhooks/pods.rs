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
//! A new pod's generic ephemeral volumes are judged as the claims they become
//! ([`super::volumes::judge_claim`]).
//!
//! Served by [`super::routes`], registered by [`super::configuration`].

use axum::body::Bytes;
use axum::response::Response;
use k8s_openapi::api::core::v1::{EphemeralContainer, Pod, PodSpec};
use kube::core::DynamicObject;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, Operation};

use axum::extract::State;

use super::pod_security::review_pod;
use super::scheduling::{Scheduling, node_labels};
use super::volumes::{ephemeral_claims, judge_templates};
use super::{Policy, answer, deny, parse};
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
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    let started = std::time::Instant::now();
    let request: AdmissionRequest<DynamicObject> = match parse(&body) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let mut response = decide(&request, &|pod: &Pod| placement(&policy, pod));
    // A new pod's generic ephemeral volumes become claims: judged by the claims' own rule.
    if response.allowed
        && request.operation == Operation::Create
        && let Some(object) = &request.object
        && let Ok(pod) = as_pod(&request.kind.kind, object, request.namespace.as_deref())
        && let Some(spec) = &pod.spec
    {
        let claims = ephemeral_claims(spec, pod.metadata.name.as_deref());
        let namespace = request.namespace.as_deref().unwrap_or_default();
        let problems = judge_templates(&policy, namespace, &claims, &[]).await;
        if !problems.is_empty() {
            response = deny(response, format!("ike: {}", problems.join("; ")));
        }
    }
    tracing::info!(
        uid = %request.uid,
        namespace = request.namespace.as_deref().unwrap_or_default(),
        name = %request.name,
        operation = ?request.operation,
        allowed = response.allowed,
        "reviewed a pod for host isolation"
    );
    policy.metrics.observe(HOOK.name, response.allowed, started);
    answer(response)
}

/// Where the pod would run and whom it could preempt ([`super::scheduling`]), judged for the
/// tenant of its namespace.
pub(super) fn placement(policy: &Policy, pod: &Pod) -> Vec<String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    let tenant = policy.tenant_of(namespace);
    let tenants = policy.tenants.state();
    let nodes = node_labels(&policy.nodes.state());
    let site = policy.site();
    Scheduling {
        tenant: tenant.as_deref(),
        tenants: &tenants,
        nodes: &nodes,
        site: &site.tenants,
    }
    .review(pod)
}

/// The verdict on one request; everything but the HTTP layer. `placement` judges where the pod
/// would run (tests pass a stub).
fn decide(
    request: &AdmissionRequest<DynamicObject>,
    placement: &dyn Fn(&Pod) -> Vec<String>,
) -> AdmissionResponse {
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
    let pod = match as_pod(&request.kind.kind, object, request.namespace.as_deref()) {
        Ok(pod) => pod,
        Err(reason) => {
            return deny(
                allowed,
                format!("ike: cannot review this request: {reason}"),
            );
        }
    };
    let judge = |pod: &Pod| (review_pod(pod), placement(pod));
    let (host, place) = judge(&pod);
    if host.is_empty() && place.is_empty() {
        return allowed;
    }
    // An UPDATE cannot give a pod what the old one did not have, but a pod created before its
    // namespace became a tenant's (or before this webhook) must still be labelled, have
    // finalizers removed and be deleted: refuse only what is new, warn about the rest.
    let (old_host, old_place) = match (&request.operation, &request.old_object) {
        (Operation::Update, Some(old)) => {
            as_pod(&request.kind.kind, old, request.namespace.as_deref())
                .map(|old| judge(&old))
                .unwrap_or_default()
        }
        _ => Default::default(),
    };
    let new = |now: &[String], before: &[String]| -> Vec<String> {
        now.iter()
            .filter(|v| !before.contains(v))
            .cloned()
            .collect()
    };
    match refusal(&new(&host, &old_host), &new(&place, &old_place)) {
        Some(message) => deny(allowed, message),
        None => {
            let mut allowed = allowed;
            let all: Vec<String> = host.into_iter().chain(place).collect();
            allowed.warnings = Some(vec![format!(
                "ike: this pod predates the tenant rules and still breaks them: {}",
                all.join("; ")
            )]);
            allowed
        }
    }
}

/// The one-line refusal for a pod (or a pod template) that reaches the host (`host`) or runs or
/// preempts where it may not (`placement`); `None` when both are empty.
pub(super) fn refusal(host: &[String], placement: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    if !host.is_empty() {
        parts.push(format!(
            "pods in tenant namespaces cannot reach the host: {} \
             (ask a platform admin for a dedicated namespace if you really need this)",
            host.join("; ")
        ));
    }
    if !placement.is_empty() {
        parts.push(placement.join("; "));
    }
    (!parts.is_empty()).then(|| format!("ike: {}", parts.join("; ")))
}

/// The pod under review. `pods/ephemeralcontainers` sends a whole Pod since Kubernetes 1.22, and
/// an `EphemeralContainers` object (name, namespace and the list) on 1.16–1.21.
fn as_pod(kind: &str, object: &DynamicObject, namespace: Option<&str>) -> Result<Pod, String> {
    let mut pod = as_pod_of_kind(kind, object)?;
    if pod.metadata.namespace.is_none() {
        pod.metadata.namespace = namespace.map(str::to_owned);
    }
    Ok(pod)
}

fn as_pod_of_kind(kind: &str, object: &DynamicObject) -> Result<Pod, String> {
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
