//! A listener's TLS: a serving certificate signed by the account CA and renewed in the
//! background, and, where asked, client certificates optional but, when presented, verified
//! against the account CA only.

use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::Error;
use crate::pki::AccountCa;

/// How long a serving certificate lives; it is replaced when a third of that is left.
pub const SERVING_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// Whether clients may present a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientCertificates {
    /// None is asked for (the admission webhooks: kube-apiserver sends none).
    None,
    /// Optional (enrollment comes without one), but one that is presented must chain to the
    /// account CA and be valid, or the handshake fails (the account API).
    OptionalFromCa,
}

/// A listener's serving certificate: who signs it, for which names, and its client policy.
#[derive(Clone)]
pub struct ServingTls {
    /// Signs the serving certificate (and is the only trust anchor for client certificates).
    pub ca: Arc<AccountCa>,
    /// IP addresses and DNS names of the serving certificate.
    pub sans: Vec<String>,
    /// Whether clients may present a certificate.
    pub clients: ClientCertificates,
    /// How long each serving certificate lives.
    pub lifetime: Duration,
}

impl ServingTls {
    /// A serving certificate from `ca` for `sans`, living [`SERVING_TTL`].
    pub fn new(ca: Arc<AccountCa>, sans: Vec<String>, clients: ClientCertificates) -> Self {
        Self {
            ca,
            sans,
            clients,
            lifetime: SERVING_TTL,
        }
    }

    /// A server configuration with a fresh serving certificate.
    pub(super) fn server_config(&self) -> Result<rustls::ServerConfig, Error> {
        let tls = |e: rustls::Error| Error::Tls(Box::new(e));
        let pem = |e: rustls_pki_types::pem::Error| Error::Tls(Box::new(e));
        // The ring provider explicitly, whatever the process default is: no aws-lc-rs anywhere.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(tls)?;
        let builder = match self.clients {
            ClientCertificates::None => builder.with_no_client_auth(),
            ClientCertificates::OptionalFromCa => {
                let ca_der =
                    CertificateDer::from_pem_slice(self.ca.cert_pem().as_bytes()).map_err(pem)?;
                let mut roots = RootCertStore::empty();
                roots.add(ca_der).map_err(tls)?;
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .allow_unauthenticated()
                        .build()
                        .map_err(|e| Error::Tls(Box::new(e)))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let (cert_pem, key_pem) = self
            .ca
            .issue_server(&self.sans, self.lifetime)
            .map_err(Error::ServingCertificate)?;
        let chain = vec![CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(pem)?];
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(pem)?;
        let mut config = builder.with_single_cert(chain, key).map_err(tls)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }

    /// Replaces the serving certificate when a third of its lifetime is left, forever.
    pub(super) async fn renew(self, tls: RustlsConfig, listener: &'static str) {
        let period = self.lifetime.mul_f64(2.0 / 3.0);
        let mut wait = period;
        loop {
            tokio::time::sleep(wait).await;
            match self.server_config() {
                Ok(config) => {
                    tls.reload_from_config(Arc::new(config));
                    tracing::info!(listener, "serving certificate renewed");
                    wait = period;
                }
                // The current certificate still has a third of its lifetime: retry soon.
                Err(e) => {
                    tracing::error!(listener, error = %e, "cannot renew the serving certificate");
                    wait = Duration::from_secs(60);
                }
            }
        }
    }
}
