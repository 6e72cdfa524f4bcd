//! Fuzzing the account API's JSON bodies through its real router and handlers: every input is
//! posted to `/v1/enroll` (no certificate), `/v1/renew` (as an account) and
//! `/v1/accounts/{name}/token` (as a platform admin). Nothing may panic (the router's guard
//! turns a panic into a 500, so a 500 is a finding too), and every refusal is a one-line JSON
//! error. The enrollment's wait for the store is off: an unknown token is unknown at once.

use axum::http::Request;
use axum_server::tls::TlsInfo;
use tower::ServiceExt as _;

use super::*;
use crate::api::{AccountStatus, Enrollment};
use crate::controller::account_api::{handlers, tokens};
use crate::controller::listener::rate;
use crate::util::fuzz::{campaign, corpus};
use crate::util::time::rfc3339;

const JSON_TOKENS: &[&[u8]] = &[
    b"\"csr\"",
    b"\"token\"",
    b"\"ttlSeconds\"",
    b"ike1_",
    b"null",
    b"true",
    b"-1",
    b"1e400",
    b"18446744073709551616",
    b"\"\\u0000\"",
    b"\\ud800",
    b"{}",
    b"[]",
    b"-----BEGIN CERTIFICATE REQUEST-----",
];

/// An identity as the TLS handshake would have verified it.
fn tls_of(ca: &AccountCa, account: &str) -> Arc<TlsInfo> {
    let (_, csr) = pki::new_key_and_csr(account).unwrap();
    let uid = format!("uid-{account}");
    let issued = ca
        .issue(&csr, &super::bound(account, &uid), HOUR, SystemTime::now())
        .unwrap();
    let mut info = TlsInfo::default();
    info.peer_certificates = vec![
        CertificateDer::from_pem_slice(issued.cert_pem.as_bytes())
            .unwrap()
            .to_vec(),
    ];
    Arc::new(info)
}

#[test]
fn fuzz_account_api_bodies_never_panic_and_are_answered_in_one_line() {
    crate::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    let ca = Arc::new(test_ca());
    let token = tokens::generate().unwrap();
    let mut alice = account("alice", false, false);
    alice.status = Some(AccountStatus {
        enrollment: Some(Enrollment {
            token_hash: tokens::hash(&token),
            expires_at: rfc3339(SystemTime::now() + HOUR),
        }),
        ..AccountStatus::default()
    });
    let (store, mut writer) = kube::runtime::reflector::store::<Account>();
    for a in [
        alice,
        account("bob", false, false),
        account("root", true, false),
    ] {
        writer.apply_watcher_event(&watcher::Event::Apply(a));
    }
    // Nothing listens here: every apiserver write fails at once (503), as when it is down.
    let client =
        kube::Client::try_from(kube::Config::new("https://127.0.0.1:1".parse().unwrap())).unwrap();
    let accounts: Api<Account> = Api::all(client);
    let metrics = AccountApiMetrics::default();
    let shared = Arc::new(handlers::Shared {
        store,
        accounts: accounts.clone(),
        ca: ca.clone(),
        ca_bundle: ca.cert_pem().to_string(),
        default_ttl: DEFAULT_TTL,
        max_ttl: 2 * DEFAULT_TTL,
        api_server_url: "https://127.0.0.1:6443".into(),
        site: "fuzz".into(),
        recorder: recorder::Recorder::new(
            accounts,
            kube::runtime::reflector::store::<Account>().0,
            Counter::default(),
        ),
        metrics: metrics.clone(),
        enroll_limiter: Arc::new(rate::PerSource::new(
            "attempts",
            "",
            rate::Rate {
                burst: u32::MAX,
                refill: Duration::from_millis(1),
                max_sources: 1,
            },
            metrics.listener.clone(),
        )),
        store_catch_up: Duration::ZERO,
    });
    let router = handlers::router(shared);
    let (bob, root) = (tls_of(&ca, "bob"), tls_of(&ca, "root"));

    let mut extra =
        vec![serde_json::to_vec(&json!({ "token": token, "csr": renew_body()["csr"] })).unwrap()];
    extra.push(serde_json::to_vec(&renew_body()).unwrap());
    let corpus = corpus("account_api_body", extra);
    campaign("account_api_body", &corpus, JSON_TOKENS, 1_000, |input| {
        for (path, identity) in [
            ("/v1/enroll", None),
            ("/v1/renew", Some(&bob)),
            ("/v1/accounts/alice/token", Some(&root)),
        ] {
            let mut request = Request::post(path)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(input.to_vec()))
                .unwrap();
            if let Some(tls) = identity {
                request.extensions_mut().insert(tls.clone());
            }
            let (status, body) = runtime.block_on(async {
                let response = router.clone().oneshot(request).await.unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .unwrap();
                (status, body)
            });
            assert_ne!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{path}: {body:?}"
            );
            if !status.is_success() {
                let body: Value = serde_json::from_slice(&body).unwrap();
                error_message(&body);
            }
        }
    });
}
