//! Defaults for tenant pods (a mutating webhook), so that the confined choice is the default one:
//! - seccomp `RuntimeDefault` for a pod that sets no profile anywhere, and AppArmor
//!   `RuntimeDefault` for each container that sets none, in the form the API server takes
//!   ([`AppArmorForm`]: the annotation before 1.30, the `appArmorProfile` field from 1.30, on
//!   the pod when no container chose one), when the site's `defaultConfinement` is on (the
//!   default);
//!   pods that ask for `Unconfined` are left as they are and refused by the baseline rules;
//! - `imagePullPolicy: Always` on every container when the site's `alwaysPullImages` is on, so no
//!   tenant runs another tenant's private image from a node's cache;
//! - a toleration of the tenant's own dedicated-node taint when it has dedicated nodes.
//!
//! Only pod CREATE is mutated (an existing pod's spec cannot change), and the ephemeral
//! containers an UPDATE of `pods/ephemeralcontainers` adds: they get `imagePullPolicy: Always`
//! too, so `kubectl debug` cannot run a cached image either.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::{Container, Pod};
use kube::core::DynamicObject;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, Operation};
use serde_json::{Value, json};

use super::scheduling::DEDICATED_TAINT;
use super::{Hook, Policy, answer, parse, patched};
use crate::api::TenantPolicy;
use crate::api::consts::ISOLATED_LABEL;

/// The webhook: CREATE of pods in tenant namespaces, and the UPDATE that adds ephemeral
/// containers (`kubectl debug`: a rule on "pods" does not match the subresource).
pub const HOOK: Hook = Hook {
    name: "pods.defaults.ike.dev",
    path: "/admission/defaults",
    rule: [&[""], &["v1"], &["pods", "pods/ephemeralcontainers"]],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};

/// How the API server takes an AppArmor profile: the annotation (every version from 1.4; the
/// only form before 1.30, which drops the field as unknown), or the `appArmorProfile` field
/// (1.30 on, where the annotation is deprecated and must agree with the field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppArmorForm {
    /// `container.apparmor.security.beta.kubernetes.io/<container>`.
    Annotation,
    /// `securityContext.appArmorProfile`.
    Field,
}

impl AppArmorForm {
    /// The form of an API server of version `major.minor`.
    pub fn of(major: &str, minor: &str) -> Self {
        let minor: u32 = minor.trim_end_matches('+').parse().unwrap_or(0);
        match major == "1" && minor < 30 {
            true => AppArmorForm::Annotation,
            false => AppArmorForm::Field,
        }
    }
}

/// The AppArmor annotation prefix, one per container.
const APPARMOR: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Answers one AdmissionReview of a pod with the patch that sets its defaults.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    let started = std::time::Instant::now();
    let request: AdmissionRequest<DynamicObject> = match parse(&body) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let mut response = AdmissionResponse::from(&request);
    let site = policy.site().tenants;
    let ops = match (&request.operation, request.sub_resource.as_deref()) {
        (Operation::Create, None | Some("")) => request
            .object
            .as_ref()
            .and_then(|o| {
                serde_json::to_value(o)
                    .and_then(serde_json::from_value::<Pod>)
                    .ok()
            })
            .map(|pod| {
                let namespace = request.namespace.as_deref().unwrap_or_default();
                let dedicated_to = policy
                    .tenant_of(namespace)
                    .filter(|t| t.spec.node_selector.as_ref().is_some_and(|s| !s.is_empty()))
                    .and_then(|t| t.metadata.name.clone());
                defaults(&pod, &site, dedicated_to.as_deref(), policy.apparmor)
            })
            .unwrap_or_default(),
        (Operation::Update, Some("ephemeralcontainers")) => match &request.object {
            Some(object) => ephemeral_defaults(
                &request.kind.kind,
                object,
                request.old_object.as_ref(),
                &site,
            ),
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    match patched(response.clone(), ops) {
        Ok(patched) => response = patched,
        Err(e) => tracing::warn!(error = %e, "cannot build the defaults patch"),
    }
    policy.metrics.observe(HOOK.name, response.allowed, started);
    answer(response)
}

/// JSON patch operations setting `pod`'s defaults under `site`; `dedicated_to` is the tenant
/// whose dedicated nodes the pod is bound for, if any.
pub fn defaults(
    pod: &Pod,
    site: &TenantPolicy,
    dedicated_to: Option<&str>,
    apparmor: AppArmorForm,
) -> Vec<Value> {
    let mut ops = Vec::new();
    let Some(spec) = &pod.spec else {
        return ops;
    };
    if site.default_confinement {
        let mut pod_context = spec.security_context.is_some();
        let mut ensure_pod_context = |ops: &mut Vec<Value>| {
            if !pod_context {
                ops.push(json!({"op": "add", "path": "/spec/securityContext", "value": {}}));
                pod_context = true;
            }
        };
        let pod_profile = spec
            .security_context
            .as_ref()
            .and_then(|c| c.seccomp_profile.as_ref())
            .is_some();
        let containers: Vec<(&str, usize, &Container)> = [
            ("containers", Some(&spec.containers)),
            ("initContainers", spec.init_containers.as_ref()),
        ]
        .into_iter()
        .flat_map(|(list, cs)| {
            cs.into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, c)| (list, i, c))
        })
        .collect();
        let container_profile = containers.iter().any(|(_, _, c)| {
            c.security_context
                .as_ref()
                .and_then(|s| s.seccomp_profile.as_ref())
                .is_some()
        });
        let annotations = pod.metadata.annotations.clone().unwrap_or_default();
        let annotated = annotations
            .keys()
            .any(|k| k.starts_with("seccomp.security.alpha.kubernetes.io/"));
        if !pod_profile && !container_profile && !annotated {
            ensure_pod_context(&mut ops);
            ops.push(json!({
                "op": "add",
                "path": "/spec/securityContext/seccompProfile",
                "value": {"type": "RuntimeDefault"}
            }));
        }
        // AppArmor: a profile the pod chose (field or annotation, pod or container) stays.
        let own_apparmor = |c: &Container| {
            annotations.contains_key(&format!("{APPARMOR}{}", c.name))
                || c.security_context
                    .as_ref()
                    .and_then(|s| s.app_armor_profile.as_ref())
                    .is_some()
        };
        let pod_apparmor = spec
            .security_context
            .as_ref()
            .and_then(|c| c.app_armor_profile.as_ref())
            .is_some();
        let missing: Vec<&(&str, usize, &Container)> = containers
            .iter()
            .filter(|(_, _, c)| !own_apparmor(c))
            .collect();
        match apparmor {
            _ if pod_apparmor || missing.is_empty() => {}
            AppArmorForm::Field if missing.len() == containers.len() => {
                ensure_pod_context(&mut ops);
                ops.push(json!({
                    "op": "add",
                    "path": "/spec/securityContext/appArmorProfile",
                    "value": {"type": "RuntimeDefault"}
                }));
            }
            AppArmorForm::Field => {
                for (list, i, c) in missing {
                    if c.security_context.is_none() {
                        ops.push(json!({"op": "add", "path": format!("/spec/{list}/{i}/securityContext"), "value": {}}));
                    }
                    ops.push(json!({
                        "op": "add",
                        "path": format!("/spec/{list}/{i}/securityContext/appArmorProfile"),
                        "value": {"type": "RuntimeDefault"}
                    }));
                }
            }
            AppArmorForm::Annotation => {
                let mut names: Vec<&str> =
                    missing.iter().map(|(_, _, c)| c.name.as_str()).collect();
                names.dedup();
                if pod.metadata.annotations.is_none() {
                    ops.push(json!({"op": "add", "path": "/metadata/annotations", "value": {}}));
                }
                for name in names {
                    ops.push(json!({
                        "op": "add",
                        "path": format!("/metadata/annotations/{}", escape(&format!("{APPARMOR}{name}"))),
                        "value": "runtime/default"
                    }));
                }
            }
        }
    }
    if site.always_pull_images {
        for (list, containers) in [
            ("containers", Some(&spec.containers)),
            ("initContainers", spec.init_containers.as_ref()),
        ] {
            for (i, c) in containers.into_iter().flatten().enumerate() {
                if c.image_pull_policy.as_deref() != Some("Always") {
                    ops.push(json!({
                        "op": "add",
                        "path": format!("/spec/{list}/{i}/imagePullPolicy"),
                        "value": "Always"
                    }));
                }
            }
        }
    }
    if let Some(tenant) = dedicated_to {
        let toleration = json!({"key": DEDICATED_TAINT, "operator": "Equal", "value": tenant, "effect": "NoSchedule"});
        let present = spec.tolerations.iter().flatten().any(|t| {
            t.key.as_deref() == Some(DEDICATED_TAINT) && t.value.as_deref() == Some(tenant)
        });
        if !present {
            if spec.tolerations.is_none() {
                ops.push(json!({"op": "add", "path": "/spec/tolerations", "value": []}));
            }
            ops.push(json!({"op": "add", "path": "/spec/tolerations/-", "value": toleration}));
        }
    }
    ops
}

/// JSON patch operations setting the defaults of the ephemeral containers an UPDATE of
/// `pods/ephemeralcontainers` adds (those not in `old`, by name: existing ones cannot change).
/// `kind` is `Pod` (Kubernetes 1.22 on: the list is under `spec`) or `EphemeralContainers`
/// (1.16 to 1.21: the list is at the top).
pub fn ephemeral_defaults(
    kind: &str,
    object: &DynamicObject,
    old: Option<&DynamicObject>,
    site: &TenantPolicy,
) -> Vec<Value> {
    let pointer = match kind {
        "EphemeralContainers" => "/ephemeralContainers",
        _ => "/spec/ephemeralContainers",
    };
    let list = |o: &DynamicObject| -> Vec<Value> {
        serde_json::to_value(o)
            .ok()
            .and_then(|v| v.pointer(pointer).and_then(Value::as_array).cloned())
            .unwrap_or_default()
    };
    let before: Vec<Value> = old.map(list).unwrap_or_default();
    let existed = |name: &Value| before.iter().any(|c| c["name"] == *name);
    let mut ops = Vec::new();
    if !site.always_pull_images {
        return ops;
    }
    for (i, c) in list(object).iter().enumerate() {
        if !existed(&c["name"]) && c["imagePullPolicy"].as_str() != Some("Always") {
            ops.push(json!({
                "op": "add",
                "path": format!("{pointer}/{i}/imagePullPolicy"),
                "value": "Always"
            }));
        }
    }
    ops
}

/// A JSON pointer token (RFC 6901): `~` and `/` escaped.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(value: Value) -> Pod {
        serde_json::from_value(value).unwrap()
    }

    fn apply(pod_value: Value, site: &TenantPolicy, dedicated: Option<&str>) -> Value {
        apply_as(pod_value, site, dedicated, AppArmorForm::Annotation)
    }

    fn apply_as(
        pod_value: Value,
        site: &TenantPolicy,
        dedicated: Option<&str>,
        form: AppArmorForm,
    ) -> Value {
        let ops = defaults(&pod(pod_value.clone()), site, dedicated, form);
        let patch: json_patch::Patch = serde_json::from_value(Value::Array(ops)).unwrap();
        let mut doc = pod_value;
        json_patch::patch(&mut doc, &patch).unwrap();
        doc
    }

    #[test]
    fn a_pod_without_profiles_gets_runtime_default_seccomp_and_apparmor() {
        let out = apply(
            json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "x"}], "initContainers": [{"name": "init", "image": "x"}]}}),
            &TenantPolicy::default(),
            None,
        );
        assert_eq!(
            out["spec"]["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        assert_eq!(
            out["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/app"],
            "runtime/default"
        );
        assert_eq!(
            out["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/init"],
            "runtime/default"
        );
        assert!(
            out["spec"]["containers"][0]
                .get("imagePullPolicy")
                .is_none()
        );
    }

    #[test]
    fn where_the_api_has_the_field_apparmor_is_set_there_and_never_against_the_pods_choice() {
        assert_eq!(AppArmorForm::of("1", "20"), AppArmorForm::Annotation);
        assert_eq!(AppArmorForm::of("1", "29+"), AppArmorForm::Annotation);
        assert_eq!(AppArmorForm::of("1", "30"), AppArmorForm::Field);
        assert_eq!(AppArmorForm::of("1", "34"), AppArmorForm::Field);
        let site = TenantPolicy::default();
        let plain = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "x"}, {"name": "side", "image": "y"}]}});
        let out = apply_as(plain, &site, None, AppArmorForm::Field);
        assert_eq!(
            out["spec"]["securityContext"]["appArmorProfile"]["type"],
            "RuntimeDefault"
        );
        assert_eq!(
            out["spec"]["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        assert!(
            out["metadata"].get("annotations").is_none(),
            "no deprecated annotation"
        );
        // One container chose its own: the other gets the default on its own, the pod none.
        let mixed = json!({"metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "app", "image": "x", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "mine"}}},
            {"name": "side", "image": "y"}]}});
        let out = apply_as(mixed, &site, None, AppArmorForm::Field);
        assert!(
            out["spec"]["securityContext"]
                .get("appArmorProfile")
                .is_none()
        );
        assert_eq!(
            out["spec"]["containers"][0]["securityContext"]["appArmorProfile"]["type"],
            "Localhost"
        );
        assert_eq!(
            out["spec"]["containers"][1]["securityContext"]["appArmorProfile"]["type"],
            "RuntimeDefault"
        );
        // A pod-level choice covers every container, in either form.
        let chosen = json!({"metadata": {"name": "p"}, "spec": {"securityContext": {"appArmorProfile": {"type": "Unconfined"}, "seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "app", "image": "x"}]}});
        for form in [AppArmorForm::Field, AppArmorForm::Annotation] {
            assert_eq!(
                apply_as(chosen.clone(), &site, None, form),
                chosen,
                "{form:?}"
            );
        }
    }

    #[test]
    fn a_pods_own_choices_are_kept() {
        let value = json!({
            "metadata": {"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "localhost/mine"}},
            "spec": {"securityContext": {"runAsUser": 1000}, "containers": [{"name": "app", "image": "x", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}}]}
        });
        let out = apply(value.clone(), &TenantPolicy::default(), None);
        assert_eq!(out, value, "nothing changed");
    }

    #[test]
    fn the_site_may_force_image_pulls_and_dedicated_pods_tolerate_their_own_taint() {
        let site = TenantPolicy {
            always_pull_images: true,
            default_confinement: false,
            ..Default::default()
        };
        let out = apply(
            json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "x", "imagePullPolicy": "IfNotPresent"}, {"name": "b", "image": "y"}]}}),
            &site,
            Some("team-a"),
        );
        assert_eq!(out["spec"]["containers"][0]["imagePullPolicy"], "Always");
        assert_eq!(out["spec"]["containers"][1]["imagePullPolicy"], "Always");
        assert_eq!(out["spec"]["tolerations"][0]["key"], DEDICATED_TAINT);
        assert_eq!(out["spec"]["tolerations"][0]["value"], "team-a");
        assert!(out["metadata"].get("annotations").is_none());
    }
}
