//! Fuzzing AdmissionReview bodies through the webhooks' real router (parse, then decide): every
//! input goes to the pod and the Tenant webhook. A panic is a finding; so is an answer other
//! than a review (200) or a one-line `ike:` refusal of the body (400).

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
            let request = axum::http::Request::post(path)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(input.to_vec()))
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
                    assert!(review["response"]["allowed"].is_boolean(), "{review}");
                }
                StatusCode::BAD_REQUEST => {
                    let text = String::from_utf8(body.to_vec()).unwrap();
                    assert!(
                        text.starts_with("ike: ") && text.trim_end().lines().count() == 1,
                        "{text}"
                    );
                }
                other => panic!("{path}: {other}"),
            }
        }
    });
}
