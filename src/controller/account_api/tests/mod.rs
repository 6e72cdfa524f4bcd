//! Tests of the account API over real HTTPS: [`offline`], [`account_endpoints`] (tokens,
//! whoami, account lookups) and [`bound`] (certificates bound to their Account) without a
//! cluster, [`cluster`] against a real control plane.
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
use crate::api::fixtures::account;

mod account_endpoints;
mod bound;
mod cluster;
mod fuzz;
mod offline;

const HOUR: Duration = Duration::from_secs(3600);

pub(super) fn test_ca() -> AccountCa {
    AccountCa::generate("account API test CA", 24 * HOUR, SystemTime::now())
        .unwrap()
        .0
}

/// A client of the account API that trusts `ca_pem` and presents `identity` (cert, key).
pub(super) struct TestClient {
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
pub(super) fn error_message(body: &Value) -> String {
    let message = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error body: {body}"))
        .to_string();
    assert!(!message.contains('\n'), "{message}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    message
}

/// What a certificate for Account `account` with UID `uid` is bound to (nothing revoked).
pub(super) fn bound<'a>(account: &'a str, uid: &'a str) -> pki::AccountBinding<'a> {
    pki::AccountBinding {
        account,
        uid,
        valid_after: None,
    }
}

pub(super) fn renew_body() -> Value {
    json!({ "csr": pki::new_key_and_csr("x").unwrap().1 })
}
