//! Without a cluster: the Account store is fed by hand, as the watch would, and the kube client
//! points at a closed port (nothing these requests do writes to the apiserver).

use super::*;
use crate::api::{AccountStatus, Enrollment};
use crate::controller::account_api::tokens;
use crate::controller::listener::rate;
use crate::util::time::rfc3339;

pub(super) struct Offline {
    pub(super) api: AccountApi,
    pub(super) writer: Writer<Account>,
    pub(super) ca: Arc<AccountCa>,
    /// The CA's key, to sign certificates the account API would not.
    pub(super) ca_key: String,
    metrics: AccountApiMetrics,
}

impl Offline {
    pub(super) async fn start(accounts: &[Account]) -> Self {
        Self::start_with(accounts, |_| {}).await
    }

    async fn start_with(accounts: &[Account], change: impl FnOnce(&mut AccountApiConfig)) -> Self {
        crate::install_crypto_provider();
        let config = kube::Config::new("https://127.0.0.1:1".parse().unwrap());
        let client = kube::Client::try_from(config).unwrap();
        let (ca, ca_key) =
            AccountCa::generate("account API test CA", 24 * HOUR, SystemTime::now()).unwrap();
        let mut config = AccountApiConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            ca,
            "https://127.0.0.1:6443",
            "test-site",
        );
        config.max_ttl = 24 * HOUR;
        // The closed apiserver port makes every status write fail; keep the retries rare.
        config.record_interval = Duration::from_secs(3600);
        change(&mut config);
        let ca = config.ca.clone();
        let metrics = config.metrics.clone();
        let (store, mut writer) = kube::runtime::reflector::store::<Account>();
        for account in accounts {
            writer.apply_watcher_event(&watcher::Event::Apply(account.clone()));
        }
        let api = start_with_store(client, config, store).await.unwrap();
        Self {
            api,
            writer,
            ca,
            ca_key,
            metrics,
        }
    }

    pub(super) fn client(&self, identity: Option<(&str, &str)>) -> TestClient {
        TestClient::new(self.api.local_addr(), self.ca.cert_pem(), identity)
    }

    /// A key and a certificate for `account` (bound to its fixture UID) valid from
    /// `now - 5 min` for `ttl`.
    pub(super) fn identity(
        &self,
        account: &str,
        ttl: Duration,
        now: SystemTime,
    ) -> (String, String) {
        self.identity_bound(&bound(account, &format!("uid-{account}")), ttl, now)
    }

    /// A key and a certificate bound as `to` says.
    pub(super) fn identity_bound(
        &self,
        to: &pki::AccountBinding<'_>,
        ttl: Duration,
        now: SystemTime,
    ) -> (String, String) {
        let (key, csr) = pki::new_key_and_csr(to.account).unwrap();
        let issued = self.ca.issue(&csr, to, ttl, now).unwrap();
        (issued.cert_pem, key)
    }
}

#[tokio::test]
async fn health_and_ca_are_served_without_a_client_certificate() {
    let server = Offline::start(&[]).await;
    let client = server.client(None);
    let (status, body) = client
        .send(Method::GET, "/healthz", None, Bytes::new())
        .await
        .unwrap();
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"ok"[..]));
    let (status, body) = client
        .send(Method::GET, "/v1/ca", None, Bytes::new())
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let pem = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(
        pki::ca_pin(&pem).unwrap(),
        pki::ca_pin(server.ca.cert_pem()).unwrap()
    );
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn renewal_issues_a_certificate_for_the_callers_account_only() {
    let server = Offline::start(&[account("alice", false, false)]).await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let client = server.client(Some((&cert, &key)));

    // The CSR asks for CN=admin, O=system:masters; the server decides.
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "admin");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "system:masters");
    let key_pair = rcgen::KeyPair::generate().unwrap();
    let csr = params.serialize_request(&key_pair).unwrap().pem().unwrap();
    let before = SystemTime::now();
    let (status, body) = client.post("/v1/renew", &json!({ "csr": csr })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["account"], "alice");
    assert_eq!(body["site"], "test-site");
    assert_eq!(body["apiServer"], "https://127.0.0.1:6443");
    assert_eq!(body["caCertificate"], server.ca.cert_pem());
    let info = pki::cert_info(body["certificate"].as_str().unwrap()).unwrap();
    assert_eq!(info.common_name.as_deref(), Some("alice"));
    assert!(info.organizations.is_empty());
    assert_eq!(body["serial"], info.serial.as_str());
    assert_eq!(body["notAfter"], rfc3339(info.not_after).as_str());
    // The default lifetime: 12 h.
    let lifetime = info.not_after.duration_since(before).unwrap();
    assert!(
        lifetime.abs_diff(DEFAULT_TTL) <= Duration::from_secs(2),
        "{lifetime:?}"
    );
    assert_eq!(server.api.recorder.pending_accounts(), 1);
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_requested_lifetime_can_only_shorten_the_certificate() {
    let server = Offline::start(&[account("alice", false, false)]).await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let client = server.client(Some((&cert, &key)));
    let csr = pki::new_key_and_csr("alice").unwrap().1;
    let lifetime = |body: &Value| {
        let info = pki::cert_info(body["certificate"].as_str().unwrap()).unwrap();
        info.not_after
            .duration_since(SystemTime::now())
            .unwrap_or_default()
    };

    let (status, body) = client
        .post("/v1/renew", &json!({ "csr": csr, "ttlSeconds": 120 }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        lifetime(&body) <= Duration::from_secs(121) && lifetime(&body) > Duration::from_secs(100)
    );

    // Above the maximum (24 h here): the maximum.
    let (status, body) = client
        .post(
            "/v1/renew",
            &json!({ "csr": csr, "ttlSeconds": 7 * 24 * 3600 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(lifetime(&body).abs_diff(24 * HOUR) <= Duration::from_secs(2));

    let (status, body) = client
        .post("/v1/renew", &json!({ "csr": csr, "ttlSeconds": 59 }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).contains("at least 60"));
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_disabled_or_deleted_account_gets_no_certificate_from_the_next_event_on() {
    let server = Offline::start(&[account("alice", false, false)]).await;
    let mut server = server;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let client = server.client(Some((&cert, &key)));
    let (status, _) = client.post("/v1/renew", &renew_body()).await;
    assert_eq!(status, StatusCode::OK);

    server
        .writer
        .apply_watcher_event(&watcher::Event::Apply(account("alice", false, true)));
    let (status, body) = client.post("/v1/renew", &renew_body()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        error_message(&body),
        "account alice is disabled: ask a platform admin"
    );
    // It may still ask who it is.
    let (status, body) = client.get("/v1/whoami").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["disabled"], true);

    server
        .writer
        .apply_watcher_event(&watcher::Event::Delete(account("alice", false, true)));
    let (status, body) = client.post("/v1/renew", &renew_body()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_message(&body).contains("does not exist"));
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn endpoints_that_need_a_certificate_refuse_callers_without_one() {
    let server = Offline::start(&[account("alice", true, false)]).await;
    let client = server.client(None);
    let (status, body) = client.post("/v1/renew", &renew_body()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_message(&body).contains("ike login"));
    let (status, _) = client.get("/v1/whoami").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = client.post("/v1/accounts/alice/token", &json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn expired_and_foreign_certificates_fail_the_handshake() {
    let server = Offline::start(&[account("alice", false, false)]).await;
    let long_ago = SystemTime::now() - 48 * HOUR;
    let (expired, expired_key) = server.identity("alice", HOUR, long_ago);
    let client = server.client(Some((&expired, &expired_key)));
    let result = client
        .send(Method::GET, "/v1/whoami", None, Bytes::new())
        .await;
    assert!(
        result.is_err(),
        "an expired certificate was accepted: {result:?}"
    );

    let foreign = test_ca();
    let (key, csr) = pki::new_key_and_csr("alice").unwrap();
    let forged = foreign
        .issue(&csr, &bound("alice", "uid-alice"), HOUR, SystemTime::now())
        .unwrap();
    let client = server.client(Some((&forged.cert_pem, &key)));
    let result = client
        .send(Method::GET, "/v1/whoami", None, Bytes::new())
        .await;
    assert!(
        result.is_err(),
        "a foreign certificate was accepted: {result:?}"
    );

    // The server refused them at TLS and keeps serving.
    let metrics_seen = server.metrics.tls_handshake_failures.get();
    assert!(metrics_seen >= 2, "{metrics_seen}");
    let (status, _) = server.client(None).get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_requests_get_one_line_json_errors_and_the_server_keeps_serving() {
    let server = Offline::start(&[account("alice", false, false)]).await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let client = server.client(Some((&cert, &key)));
    let csr = pki::new_key_and_csr("alice").unwrap().1;
    let json_body = serde_json::to_vec(&json!({ "csr": csr })).unwrap();

    /// What is sent, with which content type, and the status and hint expected.
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            "no content type",
            None,
            json_body.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: application/json",
        ),
        (
            "text/plain",
            Some("text/plain"),
            json_body.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
        ),
        (
            "not JSON",
            Some("application/json"),
            b"{csr: nope".to_vec(),
            StatusCode::BAD_REQUEST,
            "not valid JSON",
        ),
        (
            "empty",
            Some("application/json"),
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "JSON",
        ),
        (
            "binary",
            Some("application/json"),
            vec![0xff, 0x00, 0xfe, 0x13],
            StatusCode::BAD_REQUEST,
            "JSON",
        ),
        (
            "missing csr",
            Some("application/json"),
            b"{}".to_vec(),
            StatusCode::BAD_REQUEST,
            "csr",
        ),
        (
            "wrong type",
            Some("application/json"),
            br#"{"csr": 5}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "csr",
        ),
        (
            "negative ttl",
            Some("application/json"),
            br#"{"csr": "x", "ttlSeconds": -1}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "ttlSeconds",
        ),
        (
            "garbage CSR",
            Some("application/json"),
            br#"{"csr": "garbage"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "PEM",
        ),
        (
            "truncated CSR",
            Some("application/json"),
            serde_json::to_vec(&json!({ "csr": &csr[..csr.len() / 2] })).unwrap(),
            StatusCode::BAD_REQUEST,
            "CSR",
        ),
        (
            "too big",
            Some("application/json"),
            serde_json::to_vec(&json!({ "csr": "A".repeat(100 * 1024) })).unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "64 KiB",
        ),
    ];
    for (what, content_type, body, expected, hint) in cases {
        let (status, body) = client
            .send(Method::POST, "/v1/renew", content_type, body)
            .await
            .unwrap();
        assert_eq!(status, expected, "{what}: {body:?}");
        let body: Value =
            serde_json::from_slice(&body).unwrap_or_else(|_| panic!("{what}: {body:?}"));
        let message = error_message(&body);
        assert!(message.contains(hint), "{what}: {message}");
    }

    let (status, body) = client.get("/v1/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_message(&body);
    let (status, body) = client.get("/v1/renew").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    error_message(&body);

    let (status, body) = client.post("/v1/renew", &json!({ "csr": csr })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refused: u64 = [400, 404, 405, 413, 415]
        .iter()
        .map(|code| {
            server
                .metrics
                .requests_refused
                .get_or_create(&vec![("status".to_string(), code.to_string())])
                .get()
        })
        .sum();
    assert_eq!(refused, 12);
    // The body above the limit never reached the account API: its listener refused it.
    let too_large = server
        .metrics
        .listener
        .requests_refused
        .get_or_create(&vec![("reason".to_string(), "body_too_large".to_string())])
        .get();
    assert_eq!(too_large, 1);
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn enrollment_refuses_bad_unknown_expired_and_disabled_tokens() {
    let live = tokens::generate().unwrap();
    let expired = tokens::generate().unwrap();
    let disabled = tokens::generate().unwrap();
    let with_token = |name: &str, token: &str, expires: SystemTime, is_disabled: bool| {
        let mut a = account(name, false, is_disabled);
        a.status = Some(AccountStatus {
            enrollment: Some(Enrollment {
                token_hash: tokens::hash(token),
                expires_at: rfc3339(expires),
            }),
            ..AccountStatus::default()
        });
        a
    };
    let now = SystemTime::now();
    let server = Offline::start(&[
        with_token("live", &live, now + HOUR, false),
        with_token("late", &expired, now - Duration::from_secs(1), false),
        with_token("off", &disabled, now + HOUR, true),
    ])
    .await;
    let client = server.client(None);
    let csr = pki::new_key_and_csr("someone").unwrap().1;
    let enroll = |token: String| {
        let client = &client;
        let csr = csr.clone();
        async move {
            client
                .post("/v1/enroll", &json!({ "token": token, "csr": csr }))
                .await
        }
    };

    let (status, body) = enroll("hello".into()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_message(&body).contains("ike1_"));
    let (status, body) = enroll(tokens::generate().unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_message(&body).contains("unknown"));
    let (status, body) = enroll(expired).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error_message(&body).contains("expired"));
    let (status, body) = enroll(disabled).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        error_message(&body),
        "account off is disabled: ask a platform admin"
    );
    // A bad CSR is refused before the token is used.
    let (status, body) = client
        .post("/v1/enroll", &json!({ "token": live, "csr": "garbage" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).contains("CSR"));
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn failed_enrollments_are_limited_per_source_while_valid_ones_and_renewal_go_on() {
    let live = tokens::generate().unwrap();
    let mut alice = account("alice", false, false);
    alice.status = Some(AccountStatus {
        enrollment: Some(Enrollment {
            token_hash: tokens::hash(&live),
            expires_at: rfc3339(SystemTime::now() + HOUR),
        }),
        ..AccountStatus::default()
    });
    let server = Offline::start_with(&[alice, account("bob", false, false)], |config| {
        config.enroll_rate = rate::Rate {
            burst: 3,
            refill: HOUR,
            max_sources: 10,
        };
    })
    .await;
    let client = server.client(None);
    let csr = pki::new_key_and_csr("alice").unwrap().1;
    for _ in 0..3 {
        let (status, body) = client
            .post("/v1/enroll", &json!({ "token": "ike1_guess", "csr": csr }))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    // The next failure is refused as too many, and answered at once (no wait for the store).
    let started = std::time::Instant::now();
    let (status, body) = client
        .send(
            Method::POST,
            "/v1/enroll",
            Some("application/json"),
            serde_json::to_vec(&json!({ "token": "ike1_guess", "csr": csr })).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(started.elapsed() < std::time::Duration::from_millis(900));
    let body: Value = serde_json::from_slice(&body).unwrap();
    let message = error_message(&body);
    assert!(
        message.starts_with("too many failed enrollment attempts from 127.0.0.1: wait 3600 s"),
        "{message}"
    );
    // The right token is never refused by the limit: only failures are limited. (Here it
    // gets as far as redeeming the token, which needs the API server this test has not: a
    // server error, not counted; tests/cluster.rs redeems for real.)
    let (status, body) = client
        .post("/v1/enroll", &json!({ "token": live, "csr": csr }))
        .await;
    assert!(status.is_server_error(), "{status} {body}");
    let (status, body) = client
        .post("/v1/enroll", &json!({ "token": live, "csr": csr }))
        .await;
    assert!(
        status.is_server_error(),
        "a server error was counted: {status} {body}"
    );
    // The neighbour: a renewal from the same address is not an enrollment.
    let (cert, key) = server.identity("bob", HOUR, SystemTime::now());
    let (status, body) = server
        .client(Some((&cert, &key)))
        .post("/v1/renew", &renew_body())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let limited = server
        .metrics
        .listener
        .requests_refused
        .get_or_create(&vec![("reason".to_string(), "rate_limited".to_string())])
        .get();
    assert_eq!(limited, 1);
    server.api.shutdown().await.unwrap();
}

#[test]
fn the_configuration_is_checked() {
    let mut config =
        AccountApiConfig::new("127.0.0.1:0".parse().unwrap(), test_ca(), "https://x", "s");
    assert!(check_config(&config).is_ok());
    config.max_ttl = Duration::from_secs(30);
    assert!(matches!(check_config(&config), Err(Error::Config(_))));
    config.max_ttl = HOUR;
    config.default_ttl = Duration::ZERO;
    assert!(matches!(check_config(&config), Err(Error::Config(_))));
}

#[test]
fn metrics_register_under_account_api_names() {
    let metrics = AccountApiMetrics::default();
    let mut registry = Registry::with_prefix("ike");
    metrics.register(&mut registry);
    metrics
        .certificates_issued
        .get_or_create(&vec![("via".into(), "renew".into())])
        .inc();
    metrics.issue_seconds.observe(0.001);
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    assert!(
        text.contains("ike_account_api_certificates_issued_total{via=\"renew\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("ike_account_api_issue_duration_seconds_count 1"),
        "{text}"
    );
}
