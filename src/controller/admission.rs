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
//! The webhook is served on the controller's HTTPS listener ([`routes`]) and registered with
//! [`webhook_configuration`] + [`install`].

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    RuleWithOperations, ValidatingWebhook, ValidatingWebhookConfiguration, WebhookClientConfig,
};
use k8s_openapi::api::core::v1::{
    ContainerPort, EphemeralContainer, Pod, PodSpec, SecurityContext,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use kube::api::{Api, Patch, PatchParams};
use kube::core::DynamicObject;
use kube::core::admission::{
    AdmissionRequest, AdmissionResponse, AdmissionReview, META_API_VERSION_V1, META_KIND, Operation,
};

use crate::consts::{CONTROLLER_MANAGER, ISOLATED_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE};

/// The path the webhook is served on, below the controller's HTTPS base URL.
pub const PATH: &str = "/admission/pods";
/// The name of the `ValidatingWebhookConfiguration`.
pub const CONFIGURATION_NAME: &str = "ike-host-isolation";
/// The name of its one webhook; the API server quotes it in every refusal.
pub const WEBHOOK_NAME: &str = "pods.host-isolation.ike.dev";
/// Capabilities a container may add: the Pod Security Standards baseline list, spelled exactly
/// as Pod Security Admission compares them (so `CAP_CHOWN` or `chown` are refused, as there).
pub const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Every way `pod` reaches the host, one short sentence each naming the container or volume;
/// empty when the pod is allowed in a tenant namespace.
pub fn review_pod(pod: &Pod) -> Vec<String> {
    let Some(spec) = &pod.spec else {
        return Vec::new();
    };
    let mut violations = Vec::new();
    for (set, field) in [
        (spec.host_network, "hostNetwork"),
        (spec.host_pid, "hostPID"),
        (spec.host_ipc, "hostIPC"),
    ] {
        if set == Some(true) {
            violations.push(format!("{field} is not allowed"));
        }
    }
    for volume in spec.volumes.iter().flatten() {
        if volume.host_path.is_some() {
            violations.push(format!("volume {:?} is a hostPath", volume.name));
        }
    }
    // The rest of the Pod Security Standards' baseline: pod-level settings.
    if let Some(psc) = &spec.security_context {
        review_selinux("the pod", psc.se_linux_options.as_ref(), &mut violations);
        if psc
            .seccomp_profile
            .as_ref()
            .is_some_and(|p| p.type_ == "Unconfined")
        {
            violations.push("the pod's seccomp profile is Unconfined".to_string());
        }
        if psc.windows_options.as_ref().and_then(|w| w.host_process) == Some(true) {
            violations.push("the pod is a Windows hostProcess".to_string());
        }
        for sysctl in psc.sysctls.iter().flatten() {
            if !SAFE_SYSCTLS.contains(&sysctl.name.as_str()) {
                violations.push(format!("sysctl {:?} is not a safe sysctl", sysctl.name));
            }
        }
    }
    for (key, value) in pod.metadata.annotations.iter().flatten() {
        let apparmor = key.starts_with("container.apparmor.security.beta.kubernetes.io/");
        if apparmor && value != "runtime/default" && !value.starts_with("localhost/") {
            violations.push(format!("AppArmor profile {value:?} ({key}) is not allowed"));
        }
    }
    for c in &spec.containers {
        review_container(
            "container",
            &c.name,
            c.security_context.as_ref(),
            c.ports.as_deref(),
            &mut violations,
        );
    }
    for c in spec.init_containers.iter().flatten() {
        review_container(
            "init container",
            &c.name,
            c.security_context.as_ref(),
            c.ports.as_deref(),
            &mut violations,
        );
    }
    for c in spec.ephemeral_containers.iter().flatten() {
        review_container(
            "ephemeral container",
            &c.name,
            c.security_context.as_ref(),
            c.ports.as_deref(),
            &mut violations,
        );
    }
    violations
}

// `Container` and `EphemeralContainer` are distinct types with the same fields, hence the parts.
/// Sysctls the baseline allows (namespaced, safe).
const SAFE_SYSCTLS: [&str; 5] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
];

/// SELinux: no custom user or role, and only the container types.
fn review_selinux(
    who: &str,
    options: Option<&k8s_openapi::api::core::v1::SELinuxOptions>,
    violations: &mut Vec<String>,
) {
    let Some(o) = options else { return };
    if o.user.as_deref().is_some_and(|u| !u.is_empty())
        || o.role.as_deref().is_some_and(|r| !r.is_empty())
    {
        violations.push(format!("{who} sets an SELinux user or role"));
    }
    if let Some(t) = o.type_.as_deref().filter(|t| !t.is_empty())
        && !["container_t", "container_init_t", "container_kvm_t"].contains(&t)
    {
        violations.push(format!("{who} uses SELinux type {t:?}"));
    }
}

fn review_container(
    kind: &str,
    name: &str,
    security: Option<&SecurityContext>,
    ports: Option<&[ContainerPort]>,
    violations: &mut Vec<String>,
) {
    if security.and_then(|s| s.privileged) == Some(true) {
        violations.push(format!("{kind} {name:?} is privileged"));
    }
    let who = format!("{kind} {name:?}");
    review_selinux(
        &who,
        security.and_then(|s| s.se_linux_options.as_ref()),
        violations,
    );
    if security.and_then(|s| s.proc_mount.as_deref()) == Some("Unmasked") {
        violations.push(format!("{who} mounts /proc unmasked"));
    }
    if security
        .and_then(|s| s.seccomp_profile.as_ref())
        .is_some_and(|p| p.type_ == "Unconfined")
    {
        violations.push(format!("{who}'s seccomp profile is Unconfined"));
    }
    if security
        .and_then(|s| s.windows_options.as_ref())
        .and_then(|w| w.host_process)
        == Some(true)
    {
        violations.push(format!("{who} is a Windows hostProcess"));
    }
    let added = security
        .and_then(|s| s.capabilities.as_ref())
        .and_then(|c| c.add.as_deref())
        .unwrap_or_default();
    for cap in added {
        if !BASELINE_CAPABILITIES.contains(&cap.as_str()) {
            violations.push(format!("{kind} {name:?} adds capability {cap:?}"));
        }
    }
    // hostPort 0 means "none" (PSA allows it too).
    for port in ports.unwrap_or_default() {
        if let Some(host_port) = port.host_port.filter(|p| *p != 0) {
            violations.push(format!("{kind} {name:?} uses hostPort {host_port}"));
        }
    }
}

/// The webhook's routes, mergeable into the controller's HTTPS router whatever its state.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(PATH, post(serve_review))
}

/// The webhook alone, as a complete router.
pub fn router() -> Router {
    routes()
}

/// Answers one AdmissionReview. A body the API server could not have sent gets 400: the API
/// server then fails the call, and `failurePolicy: Fail` keeps the pod out.
async fn serve_review(body: Bytes) -> Response {
    let review: AdmissionReview<DynamicObject> = match serde_json::from_slice(&body) {
        Ok(review) => review,
        Err(e) => return bad_request(format!("the body is not an AdmissionReview: {e}")),
    };
    if review.types.api_version != META_API_VERSION_V1 || review.types.kind != META_KIND {
        return bad_request(format!(
            "expected kind {META_KIND} of {META_API_VERSION_V1}, got kind {:?} of {:?}",
            review.types.kind, review.types.api_version
        ));
    }
    let request: AdmissionRequest<DynamicObject> = match review.try_into() {
        Ok(request) => request,
        Err(_) => return bad_request("the AdmissionReview carries no request".to_owned()),
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
    axum::Json(response.into_review()).into_response()
}

fn bad_request(message: String) -> Response {
    tracing::warn!(%message, "refused a malformed admission request");
    (StatusCode::BAD_REQUEST, format!("ike: {message}\n")).into_response()
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

fn deny(response: AdmissionResponse, message: String) -> AdmissionResponse {
    let mut response = response.deny(message);
    response.result.reason = "Forbidden".to_owned();
    response.result.code = 403;
    response
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

/// The `ValidatingWebhookConfiguration` that sends every CREATE and UPDATE of a pod in a tenant
/// namespace to `{url_base}/admission/pods`, trusting `ca_bundle_pem` (PEM) for its certificate.
pub fn webhook_configuration(
    url_base: &str,
    ca_bundle_pem: &str,
) -> ValidatingWebhookConfiguration {
    let strings = |s: &[&str]| Some(s.iter().map(|s| (*s).to_owned()).collect());
    ValidatingWebhookConfiguration {
        metadata: ObjectMeta {
            name: Some(CONFIGURATION_NAME.to_owned()),
            labels: Some(BTreeMap::from([(
                MANAGED_BY_LABEL.to_owned(),
                MANAGED_BY_VALUE.to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        webhooks: Some(vec![ValidatingWebhook {
            name: WEBHOOK_NAME.to_owned(),
            client_config: WebhookClientConfig {
                url: Some(format!("{}{PATH}", url_base.trim_end_matches('/'))),
                ca_bundle: Some(ByteString(ca_bundle_pem.as_bytes().to_vec())),
                service: None,
            },
            rules: Some(vec![RuleWithOperations {
                api_groups: strings(&[""]),
                api_versions: strings(&["v1"]),
                operations: strings(&["CREATE", "UPDATE"]),
                // Rules on "pods" do not match its subresources, and ephemeral containers
                // (`kubectl debug`) are added through one.
                resources: strings(&["pods", "pods/ephemeralcontainers"]),
                scope: Some("Namespaced".to_owned()),
            }]),
            namespace_selector: Some(LabelSelector {
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: ISOLATED_LABEL.to_owned(),
                    operator: "Exists".to_owned(),
                    values: None,
                }]),
                match_labels: None,
            }),
            // A tenant pod must not slip through while the controller is down.
            failure_policy: Some("Fail".to_owned()),
            side_effects: "None".to_owned(),
            admission_review_versions: vec!["v1".to_owned()],
            timeout_seconds: Some(5),
            match_policy: Some("Equivalent".to_owned()),
            ..ValidatingWebhook::default()
        }]),
    }
}

/// Creates or updates `config` with server-side apply as the controller's field manager.
pub async fn install(
    client: &kube::Client,
    config: &ValidatingWebhookConfiguration,
) -> Result<(), kube::Error> {
    let api: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    let name = config.metadata.name.as_deref().unwrap_or_default();
    api.patch(
        name,
        &PatchParams::apply(CONTROLLER_MANAGER).force(),
        &Patch::Apply(config),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{
        Capabilities, Container, HostPathVolumeSource, SecretVolumeSource, Volume,
    };
    use serde_json::{Value, json};
    use tower::ServiceExt;

    use super::*;

    fn container(name: &str) -> Container {
        Container {
            name: name.to_owned(),
            image: Some("nginx".to_owned()),
            ..Container::default()
        }
    }

    fn pod(spec: PodSpec) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some("p".to_owned()),
                namespace: Some("t-a".to_owned()),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
            status: None,
        }
    }

    fn with_containers(containers: Vec<Container>) -> Pod {
        pod(PodSpec {
            containers,
            ..PodSpec::default()
        })
    }

    fn privileged() -> Option<SecurityContext> {
        Some(SecurityContext {
            privileged: Some(true),
            ..SecurityContext::default()
        })
    }

    fn adding(caps: &[&str]) -> Option<SecurityContext> {
        Some(SecurityContext {
            capabilities: Some(Capabilities {
                add: Some(caps.iter().map(|c| (*c).to_owned()).collect()),
                drop: None,
            }),
            ..SecurityContext::default()
        })
    }

    fn ordinary() -> Pod {
        pod(PodSpec {
            containers: vec![Container {
                ports: Some(vec![ContainerPort {
                    container_port: 8080,
                    ..ContainerPort::default()
                }]),
                security_context: Some(SecurityContext {
                    privileged: Some(false),
                    allow_privilege_escalation: Some(false),
                    capabilities: Some(Capabilities {
                        add: None,
                        drop: Some(vec!["ALL".to_owned()]),
                    }),
                    ..SecurityContext::default()
                }),
                ..container("app")
            }],
            volumes: Some(vec![Volume {
                name: "token".to_owned(),
                secret: Some(SecretVolumeSource {
                    secret_name: Some("token".to_owned()),
                    ..SecretVolumeSource::default()
                }),
                ..Volume::default()
            }]),
            host_network: Some(false),
            host_pid: Some(false),
            host_ipc: Some(false),
            ..PodSpec::default()
        })
    }

    #[test]
    fn an_ordinary_pod_is_allowed() {
        assert_eq!(review_pod(&ordinary()), Vec::<String>::new());
    }

    #[test]
    fn a_pod_without_spec_is_allowed() {
        assert!(review_pod(&Pod::default()).is_empty());
    }

    #[test]
    fn host_namespaces_are_refused() {
        let p = pod(PodSpec {
            containers: vec![container("app")],
            host_network: Some(true),
            host_pid: Some(true),
            host_ipc: Some(true),
            ..PodSpec::default()
        });
        assert_eq!(
            review_pod(&p),
            [
                "hostNetwork is not allowed",
                "hostPID is not allowed",
                "hostIPC is not allowed"
            ]
        );
    }

    #[test]
    fn host_path_volumes_are_refused_by_name() {
        let p = pod(PodSpec {
            containers: vec![container("app")],
            volumes: Some(vec![
                Volume {
                    name: "root".to_owned(),
                    host_path: Some(HostPathVolumeSource {
                        path: "/".to_owned(),
                        type_: None,
                    }),
                    ..Volume::default()
                },
                Volume {
                    name: "scratch".to_owned(),
                    empty_dir: Some(Default::default()),
                    ..Volume::default()
                },
            ]),
            ..PodSpec::default()
        });
        assert_eq!(review_pod(&p), [r#"volume "root" is a hostPath"#]);
    }

    #[test]
    fn privileged_containers_of_every_kind_are_refused() {
        let p = pod(PodSpec {
            containers: vec![
                Container {
                    security_context: privileged(),
                    ..container("app")
                },
                container("sidecar"),
            ],
            init_containers: Some(vec![Container {
                security_context: privileged(),
                ..container("setup")
            }]),
            ephemeral_containers: Some(vec![EphemeralContainer {
                name: "debug".to_owned(),
                security_context: privileged(),
                ..EphemeralContainer::default()
            }]),
            ..PodSpec::default()
        });
        assert_eq!(
            review_pod(&p),
            [
                r#"container "app" is privileged"#,
                r#"init container "setup" is privileged"#,
                r#"ephemeral container "debug" is privileged"#,
            ]
        );
    }

    #[test]
    fn host_ports_of_every_kind_are_refused_but_port_zero_is_none() {
        let ports = |host_port| {
            Some(vec![ContainerPort {
                container_port: 80,
                host_port,
                ..ContainerPort::default()
            }])
        };
        let p = pod(PodSpec {
            containers: vec![
                Container {
                    ports: ports(Some(8080)),
                    ..container("web")
                },
                Container {
                    ports: ports(Some(0)),
                    ..container("zero")
                },
            ],
            init_containers: Some(vec![Container {
                ports: ports(Some(81)),
                ..container("setup")
            }]),
            ephemeral_containers: Some(vec![EphemeralContainer {
                name: "debug".to_owned(),
                ports: ports(Some(82)),
                ..EphemeralContainer::default()
            }]),
            ..PodSpec::default()
        });
        assert_eq!(
            review_pod(&p),
            [
                r#"container "web" uses hostPort 8080"#,
                r#"init container "setup" uses hostPort 81"#,
                r#"ephemeral container "debug" uses hostPort 82"#,
            ]
        );
    }

    #[test]
    fn every_baseline_capability_is_allowed() {
        let p = with_containers(vec![Container {
            security_context: adding(&BASELINE_CAPABILITIES),
            ..container("app")
        }]);
        assert!(review_pod(&p).is_empty());
    }

    #[test]
    fn capabilities_beyond_baseline_are_refused_in_every_kind_of_container() {
        let p = pod(PodSpec {
            containers: vec![Container {
                security_context: adding(&["NET_BIND_SERVICE", "SYS_ADMIN", "ALL"]),
                ..container("app")
            }],
            init_containers: Some(vec![Container {
                security_context: adding(&["NET_ADMIN"]),
                ..container("setup")
            }]),
            ephemeral_containers: Some(vec![EphemeralContainer {
                name: "debug".to_owned(),
                security_context: adding(&["SYS_PTRACE"]),
                ..EphemeralContainer::default()
            }]),
            ..PodSpec::default()
        });
        assert_eq!(
            review_pod(&p),
            [
                r#"container "app" adds capability "SYS_ADMIN""#,
                r#"container "app" adds capability "ALL""#,
                r#"init container "setup" adds capability "NET_ADMIN""#,
                r#"ephemeral container "debug" adds capability "SYS_PTRACE""#,
            ]
        );
    }

    #[test]
    fn capabilities_are_compared_exactly_as_pod_security_admission_does() {
        let p = with_containers(vec![Container {
            security_context: adding(&["CAP_CHOWN", "chown"]),
            ..container("app")
        }]);
        assert_eq!(review_pod(&p).len(), 2);
    }

    #[test]
    fn dropping_capabilities_is_always_allowed() {
        let p = with_containers(vec![Container {
            security_context: Some(SecurityContext {
                capabilities: Some(Capabilities {
                    add: None,
                    drop: Some(vec!["ALL".to_owned(), "SYS_ADMIN".to_owned()]),
                }),
                ..SecurityContext::default()
            }),
            ..container("app")
        }]);
        assert!(review_pod(&p).is_empty());
    }

    #[test]
    fn names_are_quoted_so_a_message_stays_on_one_line() {
        let p = with_containers(vec![Container {
            security_context: adding(&["X\nY"]),
            ..container("app")
        }]);
        assert_eq!(
            review_pod(&p),
            [r#"container "app" adds capability "X\nY""#]
        );
    }

    // --- the HTTP handler, driven as the API server drives it ---

    fn review_body(operation: &str, object: Option<&Pod>, old: Option<&Pod>) -> Value {
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
                "requestResource": {"group": "", "version": "v1", "resource": "pods"},
                "name": "p",
                "namespace": "t-a",
                "operation": operation,
                "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
                "object": object,
                "oldObject": old,
                "dryRun": false,
                "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}
            }
        })
    }

    async fn post_raw(body: Vec<u8>) -> (StatusCode, Vec<u8>) {
        let request = axum::http::Request::post(PATH)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .unwrap();
        let response = router().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, body.to_vec())
    }

    async fn post(review: Value) -> Value {
        let (status, body) = post_raw(serde_json::to_vec(&review).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    fn hostile() -> Pod {
        pod(PodSpec {
            containers: vec![Container {
                security_context: privileged(),
                ..container("app")
            }],
            volumes: Some(vec![Volume {
                name: "root".to_owned(),
                host_path: Some(HostPathVolumeSource {
                    path: "/".to_owned(),
                    type_: None,
                }),
                ..Volume::default()
            }]),
            ..PodSpec::default()
        })
    }

    #[tokio::test]
    async fn an_ordinary_pod_is_admitted_with_the_request_uid() {
        let answer = post(review_body("CREATE", Some(&ordinary()), None)).await;
        assert_eq!(answer["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(answer["kind"], "AdmissionReview");
        assert_eq!(
            answer["response"]["uid"],
            "705ab4f5-6393-11e8-b7cc-42010a800002"
        );
        assert_eq!(answer["response"]["allowed"], true);
    }

    #[tokio::test]
    async fn a_pod_reaching_the_host_is_denied_with_one_actionable_line() {
        let answer = post(review_body("CREATE", Some(&hostile()), None)).await;
        let response = &answer["response"];
        assert_eq!(response["allowed"], false);
        assert_eq!(response["status"]["code"], 403);
        assert_eq!(response["status"]["reason"], "Forbidden");
        assert_eq!(
            response["status"]["message"],
            "ike: pods in tenant namespaces cannot reach the host: volume \"root\" is a hostPath; \
             container \"app\" is privileged (ask a platform admin for a dedicated namespace if \
             you really need this)"
        );
    }

    #[tokio::test]
    async fn an_update_adding_host_access_is_denied() {
        let answer = post(review_body("UPDATE", Some(&hostile()), Some(&ordinary()))).await;
        assert_eq!(answer["response"]["allowed"], false);
    }

    #[tokio::test]
    async fn an_update_of_a_pod_that_predates_isolation_is_allowed_with_a_warning() {
        let answer = post(review_body("UPDATE", Some(&hostile()), Some(&hostile()))).await;
        assert_eq!(answer["response"]["allowed"], true);
        let warning = answer["response"]["warnings"][0].as_str().unwrap();
        assert!(
            warning.contains(r#"container "app" is privileged"#),
            "{warning}"
        );
    }

    #[tokio::test]
    async fn an_update_adding_a_second_violation_to_an_old_one_is_denied_for_the_new_one() {
        let mut worse = hostile();
        worse.spec.as_mut().unwrap().host_pid = Some(true);
        let answer = post(review_body("UPDATE", Some(&worse), Some(&hostile()))).await;
        let message = answer["response"]["status"]["message"].as_str().unwrap();
        assert!(message.contains("hostPID is not allowed"), "{message}");
        assert!(!message.contains("privileged"), "{message}");
    }

    #[tokio::test]
    async fn delete_and_connect_are_not_reviewed() {
        for operation in ["DELETE", "CONNECT"] {
            let answer = post(review_body(operation, None, Some(&hostile()))).await;
            assert_eq!(answer["response"]["allowed"], true, "{operation}");
        }
    }

    #[tokio::test]
    async fn a_create_without_an_object_is_denied() {
        let answer = post(review_body("CREATE", None, None)).await;
        assert_eq!(answer["response"]["allowed"], false);
    }

    #[tokio::test]
    async fn an_object_of_another_kind_is_denied_rather_than_waved_through() {
        let mut review = review_body("CREATE", Some(&ordinary()), None);
        review["request"]["kind"]["kind"] = json!("Deployment");
        let answer = post(review).await;
        assert_eq!(answer["response"]["allowed"], false);
        let message = answer["response"]["status"]["message"].as_str().unwrap();
        assert!(message.contains("reviews pods"), "{message}");
    }

    #[tokio::test]
    async fn legacy_ephemeral_containers_objects_are_reviewed() {
        let mut review = review_body("UPDATE", None, None);
        review["request"]["kind"]["kind"] = json!("EphemeralContainers");
        review["request"]["subResource"] = json!("ephemeralcontainers");
        review["request"]["object"] = json!({
            "apiVersion": "v1",
            "kind": "EphemeralContainers",
            "metadata": {"name": "p", "namespace": "t-a"},
            "ephemeralContainers": [{
                "name": "debug",
                "image": "busybox",
                "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}
            }]
        });
        let answer = post(review).await;
        assert_eq!(answer["response"]["allowed"], false);
        let message = answer["response"]["status"]["message"].as_str().unwrap();
        assert!(
            message.contains(r#"ephemeral container "debug" adds capability "SYS_ADMIN""#),
            "{message}"
        );
    }

    #[tokio::test]
    async fn malformed_bodies_get_400_with_a_message() {
        let no_request = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"});
        let mut v1beta1 = review_body("CREATE", Some(&ordinary()), None);
        v1beta1["apiVersion"] = json!("admission.k8s.io/v1beta1");
        let mut bad_pod = review_body("CREATE", None, None);
        bad_pod["request"]["object"] = json!({"kind": "Pod", "spec": {"containers": "nope"}});
        for (body, expected) in [
            (b"not json".to_vec(), "not an AdmissionReview"),
            (b"{}".to_vec(), "not an AdmissionReview"),
            (serde_json::to_vec(&no_request).unwrap(), "no request"),
            (serde_json::to_vec(&v1beta1).unwrap(), "expected kind"),
        ] {
            let (status, body) = post_raw(body).await;
            let text = String::from_utf8(body).unwrap();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
            assert!(
                text.starts_with("ike: ") && text.contains(expected),
                "{text}"
            );
        }
        // Well-formed review, broken pod: an answer, not a failed call.
        let answer = post(bad_pod).await;
        assert_eq!(answer["response"]["allowed"], false);
    }

    #[tokio::test]
    async fn only_post_on_the_admission_path_is_served() {
        let get = axum::http::Request::get(PATH)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = router().oneshot(get).await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[test]
    fn routes_merge_into_a_router_with_state() {
        #[derive(Clone)]
        struct Shared;
        let _: Router = Router::new()
            .route("/healthz", axum::routing::get(|| async { "ok" }))
            .merge(routes())
            .with_state(Shared);
    }

    #[test]
    fn the_webhook_configuration_is_as_documented() {
        let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let config = webhook_configuration("https://127.0.0.1:8443/", ca);
        let value = serde_json::to_value(&config).unwrap();
        assert_eq!(
            value,
            json!({
                "apiVersion": "admissionregistration.k8s.io/v1",
                "kind": "ValidatingWebhookConfiguration",
                "metadata": {
                    "name": "ike-host-isolation",
                    "labels": {"app.kubernetes.io/managed-by": "ike-controller"}
                },
                "webhooks": [{
                    "name": "pods.host-isolation.ike.dev",
                    "clientConfig": {
                        "url": "https://127.0.0.1:8443/admission/pods",
                        "caBundle": base64_of(ca)
                    },
                    "rules": [{
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["pods", "pods/ephemeralcontainers"],
                        "scope": "Namespaced"
                    }],
                    "namespaceSelector": {
                        "matchExpressions": [{"key": "ike.dev/isolated", "operator": "Exists"}]
                    },
                    "failurePolicy": "Fail",
                    "sideEffects": "None",
                    "admissionReviewVersions": ["v1"],
                    "timeoutSeconds": 5,
                    "matchPolicy": "Equivalent"
                }]
            })
        );
    }

    fn base64_of(s: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(s)
    }
}

#[cfg(test)]
mod baseline_tests {
    use super::review_pod;

    fn pod(json: serde_json::Value) -> k8s_openapi::api::core::v1::Pod {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_rest_of_the_baseline_is_refused_too() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}},
            "spec": {
                "securityContext": {
                    "seLinuxOptions": {"type": "spc_t"},
                    "seccompProfile": {"type": "Unconfined"},
                    "sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "net.ipv4.tcp_syncookies", "value": "1"}]
                },
                "containers": [{"name": "app", "image": "x", "securityContext": {
                    "procMount": "Unmasked",
                    "seLinuxOptions": {"user": "root"},
                    "windowsOptions": {"hostProcess": true}
                }}]
            }
        }));
        let v = review_pod(&p).join("; ");
        for expected in [
            "the pod uses SELinux type \"spc_t\"",
            "the pod's seccomp profile is Unconfined",
            "sysctl \"kernel.msgmax\" is not a safe sysctl",
            "AppArmor profile \"unconfined\"",
            "container \"app\" mounts /proc unmasked",
            "container \"app\" sets an SELinux user or role",
            "container \"app\" is a Windows hostProcess",
        ] {
            assert!(v.contains(expected), "missing {expected:?} in {v}");
        }
        assert!(!v.contains("tcp_syncookies"), "{v}");
    }

    #[test]
    fn baseline_friendly_settings_pass() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}},
            "spec": {
                "securityContext": {"seLinuxOptions": {"type": "container_t"}, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "app", "image": "x", "securityContext": {"procMount": "Default"}}]
            }
        }));
        assert!(review_pod(&p).is_empty(), "{:?}", review_pod(&p));
    }
}
