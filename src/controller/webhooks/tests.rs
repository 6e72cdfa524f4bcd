//! The webhooks driven over HTTP as the API server drives them.

use axum::http::StatusCode;
use k8s_openapi::api::core::v1::Pod;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;

fn router() -> Router {
    routes(policy())
}

/// A policy whose stores never fill and whose client reaches nothing.
pub(super) fn policy() -> Policy {
    let config = kube::Config::new("https://127.0.0.1:1".parse().unwrap());
    let (services, _writer) = kube::runtime::reflector::store();
    let (namespaces, _writer) = kube::runtime::reflector::store();
    Policy {
        accounts: kube::runtime::reflector::store::<Account>().0,
        sites: kube::runtime::reflector::store::<Site>().0,
        tenants: kube::runtime::reflector::store::<Tenant>().0,
        ingresses: kube::runtime::reflector::store::<Ingress>().0,
        nodes: kube::runtime::reflector::store::<PartialObjectMeta<Node>>().0,
        client: kube::Client::try_from(config).unwrap(),
        self_service: false,
        controller_namespace: "ike-system".into(),
        metrics: WebhookMetrics::default(),
        admin_service_accounts: vec!["system:serviceaccount:ike-system:ike-controller".into()],
        office: hostnames::Holders {
            services,
            namespaces,
            listed: crate::controller::runtime::Listed::never(),
        },
        requests: kube::runtime::reflector::store().0,
        apparmor: mutate::AppArmorForm::Annotation,
    }
}

fn pod(spec: Value) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "t-a"},
        "spec": spec
    }))
    .unwrap()
}

fn ordinary() -> Pod {
    pod(json!({"containers": [{"name": "app", "image": "nginx"}]}))
}

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
    post_to(pods::HOOK.path, body).await
}

async fn post_to(path: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let request = axum::http::Request::post(path)
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
    pod(json!({
        "containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}],
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}]
    }))
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
    let get = axum::http::Request::get(pods::HOOK.path)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = router().oneshot(get).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn the_webhook_configuration_is_as_documented() {
    let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let config = configuration("https://127.0.0.1:8443/", ca);
    let mut value = serde_json::to_value(&config).unwrap();
    // The rest have the same shape: each one's name, path and selector are pinned here.
    let rest: Vec<(String, String, bool)> = value["webhooks"].as_array().unwrap()[3..]
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_owned(),
                w["clientConfig"]["url"].as_str().unwrap().to_owned(),
                w["namespaceSelector"]["matchExpressions"][0]["key"] == "ike.dev/isolated"
                    && w["failurePolicy"] == "Fail",
            )
        })
        .collect();
    let url = |p: &str| format!("https://127.0.0.1:8443/admission/{p}");
    assert_eq!(
        rest,
        [
            (
                "workloads.host-isolation.ike.dev".to_owned(),
                url("workloads"),
                true
            ),
            ("services.traffic.ike.dev".to_owned(), url("services"), true),
            (
                "endpoints.traffic.ike.dev".to_owned(),
                url("endpoints"),
                true
            ),
            (
                "ingresses.traffic.ike.dev".to_owned(),
                url("ingresses"),
                true
            ),
            ("volumes.isolation.ike.dev".to_owned(), url("volumes"), true),
            (
                "rolebindings.isolation.ike.dev".to_owned(),
                url("rolebindings"),
                true
            ),
            // Requests live in tenant namespaces, but one anywhere else must be refused too.
            (
                "resourcerequests.validation.ike.dev".to_owned(),
                url("resourcerequests"),
                false
            ),
            // So are tenant-wide objects: refused outside a tenant's namespace with the reason.
            (
                "tenantobjects.validation.ike.dev".to_owned(),
                url("tenantobjects"),
                false
            ),
        ]
    );
    value["webhooks"].as_array_mut().unwrap().truncate(3);
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
            }, {
                "name": "tenants.validation.ike.dev",
                "clientConfig": {
                    "url": "https://127.0.0.1:8443/admission/tenants",
                    "caBundle": base64_of(ca)
                },
                "rules": [{
                    "apiGroups": ["ike.dev"],
                    "apiVersions": ["v1alpha1"],
                    "operations": ["CREATE", "UPDATE"],
                    "resources": ["tenants"],
                    "scope": "Cluster"
                }],
                "failurePolicy": "Fail",
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": 5,
                "matchPolicy": "Equivalent"
            }, {
                "name": "services.hostnames.ike.dev",
                "clientConfig": {
                    "url": "https://127.0.0.1:8443/admission/service-hostnames",
                    "caBundle": base64_of(ca)
                },
                "rules": [{
                    "apiGroups": [""],
                    "apiVersions": ["v1"],
                    "operations": ["CREATE", "UPDATE"],
                    "resources": ["services"],
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

fn service_review(annotations: Value) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "u-s",
            "kind": {"group": "", "version": "v1", "kind": "Service"},
            "resource": {"group": "", "version": "v1", "resource": "services"},
            "name": "web",
            "namespace": "t-a",
            "operation": "CREATE",
            "userInfo": {"username": "alice"},
            "object": {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "namespace": "t-a", "annotations": annotations},
                "spec": {"clusterIP": "None"}
            }
        }
    })
}

#[tokio::test]
async fn a_service_review_is_answered_on_its_own_path_and_fails_closed_without_its_watches() {
    let post_service = |review: Value| async move {
        let (status, body) =
            post_to(hostnames::HOOK.path, serde_json::to_vec(&review).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        serde_json::from_slice::<Value>(&body).unwrap()
    };
    let plain = post_service(service_review(json!({}))).await;
    assert_eq!(plain["response"]["allowed"], true);
    // The test router's stores never fill: a name cannot be checked, so it is refused.
    let named = post_service(service_review(
        json!({"external-dns.alpha.kubernetes.io/hostname": "web.office.local"}),
    ))
    .await;
    assert_eq!(named["response"]["allowed"], false);
    let message = named["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("ike: ike-controller is still reading"),
        "{message}"
    );
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test]
async fn a_tenant_review_is_answered_on_its_own_path() {
    let review = json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "u-1",
            "kind": {"group": "ike.dev", "version": "v1alpha1", "kind": "Tenant"},
            "resource": {"group": "ike.dev", "version": "v1alpha1", "resource": "tenants"},
            "name": "t",
            "operation": "CREATE",
            "userInfo": {"username": "root", "groups": ["system:masters"]},
            "object": {
                "apiVersion": "ike.dev/v1alpha1", "kind": "Tenant",
                "metadata": {"name": "t"},
                "spec": {"members": [{"account": "bob", "role": "member"}]}
            }
        }
    });
    let (status, body) = post_to(tenants::HOOK.path, serde_json::to_vec(&review).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer["response"]["allowed"], false);
    let message = answer["response"]["status"]["message"].as_str().unwrap();
    assert_eq!(message, "ike: tenant t: a tenant needs at least one owner");
}

#[test]
fn the_defaults_are_a_mutating_webhook_on_pod_creation_and_ephemeral_containers_in_tenant_namespaces()
 {
    let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let value = serde_json::to_value(mutating_configuration("https://127.0.0.1:8443", ca)).unwrap();
    assert_eq!(value["kind"], "MutatingWebhookConfiguration");
    assert_eq!(value["metadata"]["name"], "ike-defaults");
    let hook = &value["webhooks"][0];
    assert_eq!(
        hook["clientConfig"]["url"],
        "https://127.0.0.1:8443/admission/defaults"
    );
    assert_eq!(
        hook["rules"][0]["resources"],
        json!(["pods", "pods/ephemeralcontainers"])
    );
    assert_eq!(hook["failurePolicy"], "Fail");
    assert_eq!(hook["reinvocationPolicy"], "IfNeeded");
    assert_eq!(hook["rules"][0]["operations"], json!(["CREATE", "UPDATE"]));
    // Who asked and who decided, stamped on every ResourceRequest wherever it is made.
    let stamps = &value["webhooks"][1];
    assert_eq!(stamps["name"], "resourcerequests.defaults.ike.dev");
    assert_eq!(stamps["rules"][0]["resources"], json!(["resourcerequests"]));
    assert_eq!(
        stamps["rules"][0]["operations"],
        json!(["CREATE", "UPDATE"])
    );
    assert!(stamps["namespaceSelector"].is_null());
    assert_eq!(stamps["failurePolicy"], "Fail");
}

#[tokio::test]
async fn ephemeral_containers_added_by_kubectl_debug_get_always_pull_in_either_form() {
    let (sites, mut writer) = kube::runtime::reflector::store::<Site>();
    let mut site = Site::new("site", SiteSpec::default());
    site.spec.tenants.always_pull_images = true;
    writer.apply_watcher_event(&kube::runtime::watcher::Event::Apply(site));
    let mut policy = policy();
    policy.sites = sites;
    let router = routes(policy);
    let debug = json!({"name": "debug", "image": "busybox", "imagePullPolicy": "IfNotPresent"});
    let earlier = json!({"name": "earlier", "image": "busybox", "imagePullPolicy": "IfNotPresent"});
    // 1.16-1.21: an EphemeralContainers object; 1.22 on: the whole Pod.
    for (kind, new, old, path) in [
        (
            "EphemeralContainers",
            json!({"kind": "EphemeralContainers", "apiVersion": "v1",
                   "metadata": {"name": "p", "namespace": "t-a"},
                   "ephemeralContainers": [earlier.clone(), debug.clone()]}),
            json!({"kind": "EphemeralContainers", "apiVersion": "v1",
                   "metadata": {"name": "p", "namespace": "t-a"},
                   "ephemeralContainers": [earlier.clone()]}),
            "/ephemeralContainers/1/imagePullPolicy",
        ),
        (
            "Pod",
            json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "t-a"},
                   "spec": {"containers": [{"name": "app", "image": "x"}],
                            "ephemeralContainers": [earlier.clone(), debug.clone()]}}),
            json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "t-a"},
                   "spec": {"containers": [{"name": "app", "image": "x"}],
                            "ephemeralContainers": [earlier.clone()]}}),
            "/spec/ephemeralContainers/1/imagePullPolicy",
        ),
    ] {
        let mut review = review_body("UPDATE", None, None);
        review["request"]["subResource"] = json!("ephemeralcontainers");
        review["request"]["kind"]["kind"] = json!(kind);
        review["request"]["object"] = new;
        review["request"]["oldObject"] = old;
        let request = axum::http::Request::post(mutate::HOOK.path)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(serde_json::to_vec(&review).unwrap()))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let answer: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(answer["response"]["allowed"], true, "{answer}");
        // kube-core sends the patch as a list of bytes, which the API server's JSON takes too.
        let patch: Vec<u8> = serde_json::from_value(answer["response"]["patch"].clone())
            .unwrap_or_else(|e| panic!("a patch ({e}): {answer}"));
        let ops: Value = serde_json::from_slice(&patch).unwrap();
        // Only the container this update adds: an existing one cannot change.
        assert_eq!(
            ops,
            json!([{"op": "add", "path": path, "value": "Always"}]),
            "{kind}"
        );
    }
}
