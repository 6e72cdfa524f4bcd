//! Fuzzing the relay's request bodies through its real router (token check, path, parse,
//! receiver and namespace checks, the fair queue, the delivery): every input is posted, with
//! Alertmanager's token, to a Barry and a Teams path. A panic is a finding; so is an answer
//! other than 200 with nothing, or 400/404/422/503 with a one-line JSON error that holds no
//! secret.

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt as _;

use super::tests::{TOKEN, relay};
use crate::util::fuzz::{campaign, corpus};

const JSON_TOKENS: &[&[u8]] = &[
    b"\"receiver\": \"tenant/shop/barry/oncall\"",
    b"\"receiver\": \"tenant/shop/teams/chat\"",
    b"\"namespace\": \"shop\"",
    b"\"namespace\": \"bank\"",
    b"\"status\": \"resolved\"",
    b"\"alerts\": []",
    b"\"ike_notify_test_id\": \"t-1\"",
    b"\"truncatedAlerts\": 18446744073709551615",
    b"null",
    b"1e400",
    b"\"\\ud800\"",
    b"\"\\u0000\"",
    b"{{ .CommonLabels }}",
    b"[[[[[[[[[[[[[[[[",
];

#[test]
fn fuzz_relay_bodies_never_panic_and_are_answered_in_one_line() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The relay's status queue and kube client start on this runtime.
    let _entered = runtime.enter();
    let router = relay();
    let corpus = corpus("relay_body", Vec::new());
    campaign("relay_body", &corpus, JSON_TOKENS, 2_000, |input| {
        for path in ["/relay/barry/shop/oncall", "/relay/teams/shop/chat"] {
            let request = Request::post(path)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::from(input.to_vec()))
                .unwrap();
            let (status, body) = runtime.block_on(async {
                let response = router.clone().oneshot(request).await.unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1 << 24)
                    .await
                    .unwrap();
                (status, body)
            });
            match status.as_u16() {
                200 => assert!(body.is_empty(), "{path}: 200 with a body"),
                400 | 404 | 422 | 503 => {
                    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let text = answer["error"].as_str().unwrap();
                    assert!(!text.is_empty() && !text.contains(TOKEN), "{text}");
                }
                other => panic!("{path}: {other}"),
            }
        }
    });
}
