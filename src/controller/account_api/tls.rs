//! The account API's rustls configuration: a serving certificate signed by the account CA, and
//! client certificates optional but, when presented, verified against the account CA only.

use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::Error;
use crate::pki::AccountCa;

/// A server configuration with a fresh serving certificate for `sans`.
pub(super) fn server_config(
    ca: &AccountCa,
    sans: &[String],
    ttl: Duration,
) -> Result<rustls::ServerConfig, Error> {
    // The ring provider explicitly, whatever the process default is: no aws-lc-rs anywhere.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let ca_der = CertificateDer::from_pem_slice(ca.cert_pem().as_bytes())
        .map_err(|e| Error::Tls(Box::new(e)))?;
    let mut roots = RootCertStore::empty();
    roots.add(ca_der).map_err(|e| Error::Tls(Box::new(e)))?;
    // Optional client certificates: enrollment comes without one. A certificate that is
    // presented must still chain to the CA and be valid now, or the handshake fails.
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(|e| Error::Tls(Box::new(e)))?;

    let (cert_pem, key_pem) = ca
        .issue_server(sans, ttl)
        .map_err(Error::ServingCertificate)?;
    let chain = vec![
        CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| Error::Tls(Box::new(e)))?,
    ];
    let key =
        PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| Error::Tls(Box::new(e)))?;

    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(Box::new(e)))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| Error::Tls(Box::new(e)))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Replaces the serving certificate when a third of its lifetime is left, forever.
pub(super) async fn renew_serving_certificate(
    tls: RustlsConfig,
    ca: Arc<AccountCa>,
    sans: Vec<String>,
    ttl: Duration,
) {
    let period = ttl.mul_f64(2.0 / 3.0);
    let mut wait = period;
    loop {
        tokio::time::sleep(wait).await;
        match server_config(&ca, &sans, ttl) {
            Ok(config) => {
                tls.reload_from_config(Arc::new(config));
                tracing::info!("account API serving certificate renewed");
                wait = period;
            }
            // The current certificate still has a third of its lifetime: retry soon.
            Err(e) => {
                tracing::error!(error = %e, "cannot renew the account API serving certificate");
                wait = Duration::from_secs(60);
            }
        }
    }
}
