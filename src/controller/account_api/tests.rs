//! Tests of the account API over real HTTPS.
//!
//! The first group needs no cluster: the Account store is fed by hand, as the watch would, and the
//! kube client points at a closed port (nothing these requests do writes to the apiserver). The
//! second group runs against a real control plane: one started here from the cached binaries, or
//! the one whose directory `IKE_TEST_CONTROL_PLANE` names (`ca.crt`, `ca.key` of the cluster CA,
//! `admin.kubeconfig`, as `ike-controller local` lays it out).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};

use super::*;
use crate::api::{AccountStatus, Enrollment};

const HOUR: Duration = Duration::from_secs(3600);

fn test_ca() -> AccountCa {
    AccountCa::generate("account API test CA", 24 * HOUR, SystemTime::now())
        .unwrap()
        .0
}

fn account(name: &str, admin: bool, disabled: bool) -> Account {
    let mut account = Account::new(
        name,
        AccountSpec {
            display_name: Some(format!("{name} display")),
            email: Some(format!("{name}@example.com")),
            admin,
            disabled,
        },
    );
    account.metadata.resource_version = Some("1".into());
    account
}

/// A client of the account API that trusts `ca_pem` and presents `identity` (cert, key).
struct TestClient {
    base: String,
    client: HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl TestClient {
    fn new(addr: SocketAddr, ca_pem: &str, identity: Option<(&str, &str)>) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let config = match identity {
            Some((cert, key)) => builder
                .with_client_auth_cert(
                    vec![CertificateDer::from_pem_slice(cert.as_bytes()).unwrap()],
                    PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
                )
                .unwrap(),
            None => builder.with_no_client_auth(),
        };
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_only()
            .enable_http1()
            .build();
        Self {
            base: format!("https://{addr}"),
            client: HyperClient::builder(TokioExecutor::new()).build(connector),
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Bytes>,
    ) -> Result<(StatusCode, Bytes), String> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(ct) = content_type {
            request = request.header(hyper::header::CONTENT_TYPE, ct);
        }
        let request = request.body(Full::new(body.into())).unwrap();
        let response = tokio::time::timeout(Duration::from_secs(10), self.client.request(request))
            .await
            .map_err(|_| "timed out".to_string())?
            .map_err(|e| format!("{e:?}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }

    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let (status, body) = self
            .send(
                Method::POST,
                path,
                Some("application/json"),
                serde_json::to_vec(body).unwrap(),
            )
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (status, body) = self
            .send(Method::GET, path, None, Bytes::new())
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
}

/// The error message of an error answer, asserting its shape: one line in `{"error": ...}`.
fn error_message(body: &Value) -> String {
    let message = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error body: {body}"))
        .to_string();
    assert!(!message.contains('\n'), "{message}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    message
}

// ---------------------------------------------------------------------------------------------
// Without a cluster.

struct Offline {
    api: AccountApi,
    writer: Writer<Account>,
    ca: Arc<AccountCa>,
    metrics: AccountApiMetrics,
}

impl Offline {
    async fn start(accounts: &[Account]) -> Self {
        crate::install_crypto_provider();
        let config = kube::Config::new("https://127.0.0.1:1".parse().unwrap());
        let client = kube::Client::try_from(config).unwrap();
        let mut config = AccountApiConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            test_ca(),
            "https://127.0.0.1:6443",
            "test-site",
        );
        config.max_ttl = 24 * HOUR;
        // The closed apiserver port makes every status write fail; keep the retries rare.
        config.record_interval = Duration::from_secs(3600);
        let ca = config.ca.clone();
        let metrics = config.metrics.clone();
        let (store, mut writer) = reflector::store::<Account>();
        for account in accounts {
            writer.apply_watcher_event(&watcher::Event::Apply(account.clone()));
        }
        let api = start_with_store(client, config, store).await.unwrap();
        Self {
            api,
            writer,
            ca,
            metrics,
        }
    }

    fn client(&self, identity: Option<(&str, &str)>) -> TestClient {
        TestClient::new(self.api.local_addr(), self.ca.cert_pem(), identity)
    }

    /// A key and a certificate for `account` valid from `now - 5 min` for `ttl`.
    fn identity(&self, account: &str, ttl: Duration, now: SystemTime) -> (String, String) {
        let (key, csr) = pki::new_key_and_csr(account).unwrap();
        let issued = self.ca.issue(&csr, account, ttl, now).unwrap();
        (issued.cert_pem, key)
    }
}

fn renew_body() -> Value {
    json!({ "csr": pki::new_key_and_csr("x").unwrap().1 })
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
        .issue(&csr, "alice", HOUR, SystemTime::now())
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
    assert_eq!(refused, 13);
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
async fn only_active_admins_make_tokens() {
    let server =
        Offline::start(&[account("alice", false, false), account("root", true, true)]).await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let (status, body) = server
        .client(Some((&cert, &key)))
        .post("/v1/accounts/alice/token", &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_message(&body).contains("only platform admins"));
    let (cert, key) = server.identity("root", HOUR, SystemTime::now());
    let (status, body) = server
        .client(Some((&cert, &key)))
        .post("/v1/accounts/alice/token", &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_message(&body).contains("disabled"));
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn whoami_describes_the_caller_and_its_certificate() {
    let mut alice = account("alice", true, false);
    alice.status = Some(AccountStatus {
        tenants: vec![crate::api::TenantRole {
            tenant: "shop".into(),
            role: crate::api::Role::Owner,
        }],
        ..AccountStatus::default()
    });
    let server = Offline::start(&[alice]).await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let info = pki::cert_info(&cert).unwrap();
    let (status, body) = server.client(Some((&cert, &key))).get("/v1/whoami").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "account": "alice",
            "displayName": "alice display",
            "email": "alice@example.com",
            "admin": true,
            "disabled": false,
            "tenants": [{ "tenant": "shop", "role": "owner" }],
            "certificate": { "serial": info.serial, "notAfter": rfc3339(info.not_after) },
        })
    );
    // The shared wire type reads it.
    let parsed: crate::api::wire::WhoamiResponse = serde_json::from_value(body).unwrap();
    assert_eq!(parsed.account, "alice");
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

// ---------------------------------------------------------------------------------------------
// Against a real control plane.

/// One control plane for these tests, started from the cached binaries (it dies with the test
/// process); a missing binary fails the test with what to run.
fn shared_plane() -> &'static crate::local::ControlPlane {
    static PLANE: std::sync::OnceLock<crate::local::ControlPlane> = std::sync::OnceLock::new();
    PLANE.get_or_init(|| {
        let bins = crate::local::Binaries::locate().unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::Builder::new()
            .prefix("ike-account-api-")
            .tempdir()
            .unwrap()
            .keep();
        crate::local::ControlPlane::start(&bins, crate::local::Options::new(dir))
            .unwrap_or_else(|e| panic!("cannot start a control plane: {e}"))
    })
}

/// The control plane named by `IKE_TEST_CONTROL_PLANE`, else one started here.
struct Cluster {
    client: kube::Client,
    dir: PathBuf,
    server_url: String,
}

impl Cluster {
    async fn connect() -> Self {
        crate::install_crypto_provider();
        let dir = match std::env::var_os("IKE_TEST_CONTROL_PLANE") {
            Some(dir) => PathBuf::from(dir),
            None => shared_plane().dir.clone(),
        };
        let kubeconfig = kube::config::Kubeconfig::read_from(dir.join("admin.kubeconfig")).unwrap();
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .unwrap();
        let server_url = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        let client = kube::Client::try_from(config).unwrap();
        install_crds(&client).await;
        Self {
            client,
            dir,
            server_url,
        }
    }

    fn ca(&self) -> AccountCa {
        let read = |f: &str| std::fs::read_to_string(self.dir.join(f)).unwrap();
        AccountCa::from_pem(&read("ca.crt"), &read("ca.key")).unwrap()
    }

    async fn start(&self) -> (AccountApi, Arc<AccountCa>) {
        let mut config = AccountApiConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            self.ca(),
            &self.server_url,
            "test-site",
        );
        config.record_interval = Duration::from_millis(500);
        let ca = config.ca.clone();
        (start(self.client.clone(), config).await.unwrap(), ca)
    }

    fn accounts(&self) -> Api<Account> {
        Api::all(self.client.clone())
    }

    async fn create_account(&self, name: &str, admin: bool) {
        let account = Account::new(
            name,
            AccountSpec {
                admin,
                ..AccountSpec::default()
            },
        );
        self.accounts()
            .create(&PostParams::default(), &account)
            .await
            .unwrap();
    }

    /// Runs kubectl with `cert`/`key` as the user; returns (success, stdout + stderr).
    fn kubectl_as(&self, cert: &str, key: &str, args: &[&str]) -> (bool, String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.crt"), cert).unwrap();
        std::fs::write(dir.path().join("c.key"), key).unwrap();
        let output = std::process::Command::new("kubectl")
            .arg(format!("--server={}", self.server_url))
            .arg(format!(
                "--certificate-authority={}",
                self.dir.join("ca.crt").display()
            ))
            .arg(format!(
                "--client-certificate={}",
                dir.path().join("c.crt").display()
            ))
            .arg(format!(
                "--client-key={}",
                dir.path().join("c.key").display()
            ))
            .arg("--kubeconfig=/dev/null")
            .args(args)
            .output()
            .expect("kubectl is installed");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// Runs kubectl as the cluster admin.
    fn kubectl(&self, args: &[&str]) -> String {
        let output = std::process::Command::new("kubectl")
            .arg(format!(
                "--kubeconfig={}",
                self.dir.join("admin.kubeconfig").display()
            ))
            .args(args)
            .output()
            .expect("kubectl is installed");
        assert!(output.status.success(), "kubectl {args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

async fn install_crds(client: &kube::Client) {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in crate::api::crds() {
        let name = crd.metadata.name.clone().unwrap();
        crds.patch(
            &name,
            &PatchParams::apply("ike-account-api-tests").force(),
            &Patch::Apply(&crd),
        )
        .await
        .unwrap();
        kube::runtime::wait::await_condition(
            crds.clone(),
            &name,
            kube::runtime::conditions::is_crd_established(),
        )
        .await
        .unwrap();
    }
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

async fn enroll(client: &TestClient, token: &str) -> (StatusCode, Value, String) {
    let (key, csr) = pki::new_key_and_csr("x").unwrap();
    let (status, body) = client
        .post("/v1/enroll", &json!({ "token": token, "csr": csr }))
        .await;
    (status, body, key)
}

/// Polls `check` every 50 ms for up to `limit`; returns how long it took to become true.
async fn within(limit: Duration, mut check: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_works_once_and_the_certificate_authenticates_as_the_account() {
    let cluster = Cluster::connect().await;
    let (api, ca) = cluster.start().await;
    let anonymous = TestClient::new(api.local_addr(), ca.cert_pem(), None);

    // The bootstrap admin gets a token; enrolling with it works once.
    let admin = unique("admin");
    let token = bootstrap_admin(cluster.client.clone(), &admin)
        .await
        .unwrap()
        .expect("a new admin gets a token");
    let stored = cluster.accounts().get_status(&admin).await.unwrap();
    let enrollment = stored.status.unwrap().enrollment.unwrap();
    assert_eq!(enrollment.token_hash, tokens::hash(&token));
    // The watch must deliver the status before the token is usable from the store.
    within(Duration::from_secs(5), async || {
        anonymous
            .post("/v1/enroll", &json!({ "token": token, "csr": "garbage" }))
            .await
            .0
            == StatusCode::BAD_REQUEST
    })
    .await
    .expect("the token reached the store");
    let (status, body, admin_key) = enroll(&anonymous, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["account"], admin.as_str());
    let admin_cert = body["certificate"].as_str().unwrap().to_string();
    let serial = body["serial"].as_str().unwrap().to_string();

    let (status, body, _) = enroll(&anonymous, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a replayed token: {body}");
    assert!(error_message(&body).contains("already used"));

    // kube-apiserver takes the certificate as user <admin>, with no groups beyond the defaults.
    let (ok, text) = cluster.kubectl_as(&admin_cert, &admin_key, &["get", "namespaces"]);
    assert!(!ok);
    assert!(
        text.contains(&format!(
            "User \"{admin}\" cannot list resource \"namespaces\""
        )),
        "{text}"
    );

    // The issued certificate is recorded in the background; the token is gone.
    let recorded = within(Duration::from_secs(5), async || {
        let status = cluster
            .accounts()
            .get_status(&admin)
            .await
            .unwrap()
            .status
            .unwrap_or_default();
        status.enrollment.is_none() && status.certificates.iter().any(|c| c.serial == serial)
    })
    .await;
    assert!(recorded.is_some(), "the certificate was not recorded");
    assert_eq!(
        bootstrap_admin(cluster.client.clone(), &admin)
            .await
            .unwrap(),
        None
    );

    // The admin makes a token for a new account, which enrolls with it.
    let admin_client = TestClient::new(
        api.local_addr(),
        ca.cert_pem(),
        Some((&admin_cert, &admin_key)),
    );
    let (status, body) = admin_client.get("/v1/whoami").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["account"].as_str(), body["admin"].as_bool()),
        (Some(admin.as_str()), Some(true))
    );
    assert_eq!(body["certificate"]["serial"], serial.as_str());

    let bob = unique("bob");
    let (status, body) = admin_client
        .post(&format!("/v1/accounts/{bob}/token"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    cluster.create_account(&bob, false).await;
    within(Duration::from_secs(5), async || {
        admin_client
            .post(
                &format!("/v1/accounts/{bob}/token"),
                &json!({ "ttlSeconds": 600 }),
            )
            .await
            .0
            == StatusCode::OK
    })
    .await
    .expect("bob reached the store");
    // A second token replaces the first.
    let (status, body) = admin_client
        .post(
            &format!("/v1/accounts/{bob}/token"),
            &json!({ "ttlSeconds": 600 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bob_token = body["token"].as_str().unwrap().to_string();
    let expires = parse_rfc3339(body["expiresAt"].as_str().unwrap()).unwrap();
    assert!(expires.duration_since(SystemTime::now()).unwrap() <= Duration::from_secs(600));
    let enrolled = within(Duration::from_secs(5), async || {
        enroll(&anonymous, &bob_token).await.0 == StatusCode::OK
    })
    .await;
    assert!(enrolled.is_some());
    let (status, body, _) = enroll(&anonymous, &bob_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // Renewal, and the renewed certificate works too.
    let (key, csr) = pki::new_key_and_csr("x").unwrap();
    let (status, body) = admin_client.post("/v1/renew", &json!({ "csr": csr })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = body["certificate"].as_str().unwrap();
    let (ok, text) = cluster.kubectl_as(renewed, &key, &["get", "pods", "-n", "default"]);
    assert!(!ok);
    assert!(
        text.contains(&format!("User \"{admin}\" cannot list resource \"pods\"")),
        "{text}"
    );

    cluster
        .accounts()
        .delete(&admin, &Default::default())
        .await
        .unwrap();
    cluster
        .accounts()
        .delete(&bob, &Default::default())
        .await
        .unwrap();
    api.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_redeems_of_one_token_issue_exactly_one_certificate() {
    let cluster = Cluster::connect().await;
    let (api, ca) = cluster.start().await;
    let name = unique("race");
    cluster.create_account(&name, false).await;
    let (token, enrollment) = new_enrollment(HOUR, SystemTime::now()).unwrap();
    store_enrollment(&cluster.accounts(), &name, &enrollment)
        .await
        .unwrap();
    let client = TestClient::new(api.local_addr(), ca.cert_pem(), None);
    within(Duration::from_secs(5), async || {
        client
            .post("/v1/enroll", &json!({ "token": token, "csr": "x" }))
            .await
            .0
            == StatusCode::BAD_REQUEST
    })
    .await
    .expect("the token reached the store");

    let attempts = (0..8).map(|_| {
        let client = TestClient::new(api.local_addr(), ca.cert_pem(), None);
        let token = token.clone();
        tokio::spawn(async move { enroll(&client, &token).await.0 })
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    cluster
        .accounts()
        .delete(&name, &Default::default())
        .await
        .unwrap();
    api.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_account_is_refused_renewal_within_a_second() {
    let cluster = Cluster::connect().await;
    let (api, ca) = cluster.start().await;
    let name = unique("carol");
    cluster.create_account(&name, false).await;
    let (key, csr) = pki::new_key_and_csr(&name).unwrap();
    let cert = ca
        .issue(&csr, &name, HOUR, SystemTime::now())
        .unwrap()
        .cert_pem;
    let client = TestClient::new(api.local_addr(), ca.cert_pem(), Some((&cert, &key)));
    within(Duration::from_secs(5), async || {
        client.post("/v1/renew", &renew_body()).await.0 == StatusCode::OK
    })
    .await
    .expect("the account reached the store");

    // kubectl, the independent client, disables the account.
    cluster.kubectl(&[
        "patch",
        "accounts.ike.dev",
        &name,
        "--type=merge",
        "-p",
        r#"{"spec":{"disabled":true}}"#,
    ]);
    let refused_after = within(Duration::from_secs(5), async || {
        client.post("/v1/renew", &renew_body()).await.0 == StatusCode::FORBIDDEN
    })
    .await
    .expect("renewal refused");
    eprintln!("renewal refused {refused_after:?} after the patch returned");
    assert!(refused_after < Duration::from_secs(1), "{refused_after:?}");
    let (_, body) = client.post("/v1/renew", &renew_body()).await;
    assert_eq!(
        error_message(&body),
        format!("account {name} is disabled: ask a platform admin")
    );

    // A token of a disabled account is refused too, and stays unused.
    let (token, enrollment) = new_enrollment(HOUR, SystemTime::now()).unwrap();
    store_enrollment(&cluster.accounts(), &name, &enrollment)
        .await
        .unwrap();
    let anonymous = TestClient::new(api.local_addr(), ca.cert_pem(), None);
    let refused = within(Duration::from_secs(5), async || {
        enroll(&anonymous, &token).await.0 == StatusCode::FORBIDDEN
    })
    .await;
    assert!(refused.is_some());

    // Deleted: refused as well.
    cluster.kubectl(&[
        "patch",
        "accounts.ike.dev",
        &name,
        "--type=merge",
        "-p",
        r#"{"spec":{"disabled":false}}"#,
    ]);
    within(Duration::from_secs(5), async || {
        client.post("/v1/renew", &renew_body()).await.0 == StatusCode::OK
    })
    .await
    .expect("enabled again");
    cluster.kubectl(&["delete", "accounts.ike.dev", &name]);
    let gone_after = within(Duration::from_secs(5), async || {
        client.post("/v1/renew", &renew_body()).await.0 == StatusCode::FORBIDDEN
    })
    .await
    .expect("renewal refused after deletion");
    assert!(gone_after < Duration::from_secs(1), "{gone_after:?}");
    api.shutdown().await.unwrap();
}

/// 64 clients renewing at once over kept-alive connections: no errors, and every account's
/// status ends with its newest certificates. (A correctness test; throughput is measured by
/// `benches/account_api.rs`.)
#[tokio::test(flavor = "multi_thread")]
async fn sixty_four_clients_renewing_at_once_all_succeed_and_are_recorded() {
    const CLIENTS: usize = 64;
    let seconds: u64 = std::env::var("IKE_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let cluster = Cluster::connect().await;
    let (api, ca) = cluster.start().await;
    let mut clients = Vec::new();
    let mut names = Vec::new();
    for i in 0..CLIENTS {
        let name = unique(&format!("load{i}"));
        cluster.create_account(&name, false).await;
        let (key, csr) = pki::new_key_and_csr(&name).unwrap();
        let cert = ca
            .issue(&csr, &name, HOUR, SystemTime::now())
            .unwrap()
            .cert_pem;
        clients.push((
            TestClient::new(api.local_addr(), ca.cert_pem(), Some((&cert, &key))),
            serde_json::to_vec(&json!({ "csr": pki::new_key_and_csr(&name).unwrap().1 })).unwrap(),
        ));
        names.push(name);
    }
    // Every account in the store, and every connection open, before measuring.
    for (client, body) in &clients {
        within(Duration::from_secs(10), async || {
            client
                .send(
                    Method::POST,
                    "/v1/renew",
                    Some("application/json"),
                    body.clone(),
                )
                .await
                .is_ok_and(|(s, _)| s == StatusCode::OK)
        })
        .await
        .expect("warm-up");
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks = clients.into_iter().map(|(client, body)| {
        tokio::spawn(async move {
            let body = Bytes::from(body);
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let started = Instant::now();
                match client
                    .send(
                        Method::POST,
                        "/v1/renew",
                        Some("application/json"),
                        body.clone(),
                    )
                    .await
                {
                    Ok((StatusCode::OK, _)) => latencies.push(started.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        })
    });
    let started = Instant::now();
    let results = futures::future::join_all(tasks).await;
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut errors = 0;
    for result in results {
        let (l, e) = result.unwrap();
        latencies.extend(l);
        errors += e;
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let rate = latencies.len() as f64 / elapsed.as_secs_f64();
    eprintln!(
        "load: {} certificates in {:.1} s = {rate:.0}/s with {CLIENTS} clients; errors {errors}; latency p50 {:?} p99 {:?} max {:?}",
        latencies.len(),
        elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        latencies.last().unwrap(),
    );
    // Let the recorder write, then check one account's status.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let status = cluster
        .accounts()
        .get_status(&names[0])
        .await
        .unwrap()
        .status
        .unwrap_or_default();
    eprintln!(
        "{} lists {} certificates",
        names[0],
        status.certificates.len()
    );
    assert_eq!(status.certificates.len(), recorder::KEEP);
    assert_eq!(errors, 0);
    api.shutdown().await.unwrap();
    for name in names {
        cluster
            .accounts()
            .delete(&name, &Default::default())
            .await
            .unwrap();
    }
}
