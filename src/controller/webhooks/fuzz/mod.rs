//! Fuzzing what tenants hand the webhooks, through their real router: whole AdmissionReview
//! bodies to every webhook (here: parse, then decide), Office host names on Services
//! ([`office_names`]) and ResourceRequests ([`request_manifests`]). A panic is a finding; so is an answer
//! other than a review (200) or a one-line `ike:` refusal of the body (400).

mod fake_api;
mod office_names;
mod request_manifests;

use axum::http::StatusCode;
use tower::ServiceExt as _;

use super::*;
use crate::api::fixtures::account;
use crate::util::fuzz::{campaign, corpus};

const JSON_TOKENS: &[&[u8]] = &[
    b"\"privileged\": true",
    b"\"hostNetwork\": true",
    b"\"hostPath\": {\"path\": \"/\"}",
    b"\"capabilities\": {\"add\": [\"SYS_ADMIN\"]}",
    b"\"operation\": \"DELETE\"",
    b"\"object\": null",
    b"\"username\": \"system:serviceaccount:a:b\"",
    b"\"groups\": [\"system:masters\"]",
    b"\"members\": []",
    b"\"nodeSelector\": {}",
    b"null",
    b"1e400",
    b"\"\\ud800\"",
    b"[[[[[[[[[[[[[[[[",
];

#[test]
fn fuzz_admission_reviews_never_panic_and_are_answered() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (accounts, mut writer) = kube::runtime::reflector::store::<Account>();
    for a in [account("alice", false, false), account("root", true, false)] {
        writer.apply_watcher_event(&kube::runtime::watcher::Event::Apply(a));
    }
    let (sites, _writer) = kube::runtime::reflector::store::<Site>();
    // The policy's kube client needs a runtime to start in.
    let _entered = runtime.enter();
    let mut policy = super::tests::policy();
    policy.accounts = accounts;
    policy.sites = sites;
    policy.self_service = true;
    let router = routes(policy);
    let corpus = corpus("admission_review", Vec::new());
    campaign("admission_review", &corpus, JSON_TOKENS, 2_000, |input| {
        for path in VALIDATING
            .iter()
            .map(|h| h.path)
            .chain([mutate::HOOK.path, requests::DEFAULTS_HOOK.path])
        {
            answered(&runtime, &router, path, input.to_vec());
        }
    });
}

/// A store as a watch leaves it once it has listed `objects`: ready.
fn listed<K>(objects: impl IntoIterator<Item = K>) -> Store<K>
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone,
{
    use kube::runtime::watcher::Event;
    let (store, mut writer) = kube::runtime::reflector::store();
    writer.apply_watcher_event(&Event::Init);
    for object in objects {
        writer.apply_watcher_event(&Event::InitApply(object));
    }
    writer.apply_watcher_event(&Event::InitDone);
    store
}

/// An AdmissionReview of `object` (and `old`) in `namespace` by `username`, as the API server
/// sends it.
fn admission_review(
    resource: (&str, &str, &str, &str),
    namespace: &str,
    operation: &str,
    username: &str,
    object: &serde_json::Value,
    old: Option<&serde_json::Value>,
) -> Vec<u8> {
    let (group, version, kind, plural) = resource;
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    serde_json::to_vec(&serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": plural},
            "name": name,
            "namespace": namespace,
            "operation": operation,
            "userInfo": {"username": username, "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": old,
            "dryRun": false
        }
    }))
    .unwrap()
}

/// The review's response, after checking that the answer is one: a review (200), or a
/// one-line `ike:` refusal of the body (400), then None.
fn answered(
    runtime: &tokio::runtime::Runtime,
    router: &Router,
    path: &str,
    body: Vec<u8>,
) -> Option<serde_json::Value> {
    let request = axum::http::Request::post(path)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .unwrap();
    let (status, body) = runtime.block_on(async {
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .unwrap();
        (status, body)
    });
    match status {
        StatusCode::OK => {
            let review: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let response = review["response"].clone();
            assert!(response["allowed"].is_boolean(), "{review}");
            Some(response)
        }
        StatusCode::BAD_REQUEST => {
            let text = String::from_utf8(body.to_vec()).unwrap();
            assert!(
                text.starts_with("ike: ") && text.trim_end().lines().count() == 1,
                "{text}"
            );
            None
        }
        other => panic!("{path}: {other}"),
    }
}

/// Checks that a review's refusal, if it is one, is one line starting with `ike:` however the
/// tenant's text that it quotes reads. (Not asked of every webhook on any body: names the API
/// server vouches for, a namespace or a user, are quoted as they are.)
fn one_line_refusal(path: &str, response: &serde_json::Value) {
    if response["allowed"] == false {
        let message = response["status"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("ike: ") && !message.contains(char::is_control),
            "{path}: a refusal of more than one line: {message:?}"
        );
    }
}
