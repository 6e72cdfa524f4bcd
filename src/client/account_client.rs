//! The client side of the account API: enroll, renew, whoami and enrollment tokens, over HTTPS
//! with the caller's client certificate.
//!
//! Trust: after the first login the site's CA (saved with the site) is the only root. The first
//! login either trusts the system roots (a server with a public certificate) or, with a CA pin
//! (`sha256:<hex>` of the CA's public key, printed by the admin who made the token), fetches the
//! CA from `/v1/ca` without verification, checks the pin, then connects again verifying normally.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::wire::{
    AccountLookup, EnrollRequest, ErrorResponse, IssueResponse, RenewRequest, TokenRequest,
    TokenResponse, WhoamiResponse,
};

/// Errors talking to the account API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server URL is not an https URL.
    #[error("'{0}' is not an https:// URL of an account API")]
    BadUrl(String),
    /// A PEM certificate or key could not be read.
    #[error("cannot read {what}: {detail}")]
    Pem {
        /// What was read.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// TLS could not be set up with the given roots and identity.
    #[error("cannot set up TLS")]
    Tls(#[source] rustls::Error),
    /// The server's CA does not match the pin.
    #[error(
        "the account API's CA is {actual}, not the pinned {expected}: check the --ca-pin you were given"
    )]
    PinMismatch {
        /// The pin asked for.
        expected: String,
        /// The CA's actual pin.
        actual: String,
    },
    /// The request did not reach the server or got no answer in time.
    #[error("cannot reach the account API at {url}")]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The server answered with an error.
    #[error("{message} (HTTP {status})")]
    Server {
        /// The HTTP status.
        status: StatusCode,
        /// The server's one-line message.
        message: String,
    },
    /// The answer was not what the account API sends.
    #[error("unexpected answer from the account API: {0}")]
    BadAnswer(String),
}

impl Error {
    /// Whether TLS failed because the server's certificate is not signed by a trusted CA (a
    /// site with its own CA, reached without its pin).
    pub fn is_untrusted_server(&self) -> bool {
        let Error::Connect { source, .. } = self else {
            return false;
        };
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
        while let Some(e) = current {
            let rustls_error = e.downcast_ref::<rustls::Error>().or_else(|| {
                e.downcast_ref::<std::io::Error>()
                    .and_then(|io| io.get_ref())
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            });
            if let Some(rustls::Error::InvalidCertificate(cert)) = rustls_error {
                return matches!(
                    cert,
                    rustls::CertificateError::UnknownIssuer
                        | rustls::CertificateError::BadSignature
                );
            }
            // hyper-util wraps the connector's error in ways that hide its type; its text is
            // rustls' own.
            let text = e.to_string();
            if text.contains("invalid peer certificate: UnknownIssuer")
                || text.contains("invalid peer certificate: BadSignature")
            {
                return true;
            }
            current = e.source();
        }
        false
    }

    /// The HTTP status the server answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Server { status, .. } => Some(*status),
            _ => None,
        }
    }
}

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// A connection to one account API.
pub struct AccountClient {
    base: String,
    client: Client<Https, Full<Bytes>>,
    timeout: Duration,
}

/// Who the client is: a PEM certificate and its PKCS#8 key.
pub struct Identity<'a> {
    /// The client certificate, PEM.
    pub cert_pem: &'a str,
    /// Its private key, PEM.
    pub key_pem: &'a str,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn check_url(server: &str) -> Result<String, Error> {
    let base = server.trim_end_matches('/');
    if !base.starts_with("https://") || base.len() <= "https://".len() {
        return Err(Error::BadUrl(server.to_string()));
    }
    Ok(base.to_string())
}

/// Parses every certificate in a PEM bundle.
pub fn certs_from_pem(
    what: &'static str,
    pem: &str,
) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem.as_bytes()).collect();
    match certs {
        Ok(c) if !c.is_empty() => Ok(c),
        Ok(_) => Err(Error::Pem {
            what,
            detail: "no CERTIFICATE block".into(),
        }),
        Err(e) => Err(Error::Pem {
            what,
            detail: e.to_string(),
        }),
    }
}

impl AccountClient {
    /// A client that trusts `ca_pem` (or the system roots when `None`) and presents `identity`.
    pub fn new(
        server: &str,
        ca_pem: Option<&str>,
        identity: Option<Identity<'_>>,
        timeout: Duration,
    ) -> Result<Self, Error> {
        let base = check_url(server)?;
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(Error::Tls)?;
        let builder = match ca_pem {
            Some(pem) => {
                let mut roots = rustls::RootCertStore::empty();
                for cert in certs_from_pem("the site's CA certificate", pem)? {
                    roots.add(cert).map_err(Error::Tls)?;
                }
                builder.with_root_certificates(roots)
            }
            None => {
                let mut roots = rustls::RootCertStore::empty();
                let native = rustls_native_roots();
                roots.add_parsable_certificates(native);
                builder.with_root_certificates(roots)
            }
        };
        let config = match identity {
            Some(id) => {
                let chain = certs_from_pem("your certificate", id.cert_pem)?;
                let key = PrivateKeyDer::from_pem_slice(id.key_pem.as_bytes()).map_err(|e| {
                    Error::Pem {
                        what: "your private key",
                        detail: e.to_string(),
                    }
                })?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(Error::Tls)?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(Self::from_config(base, config, timeout))
    }

    fn from_config(base: String, config: rustls::ClientConfig, timeout: Duration) -> Self {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_only()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Self {
            base,
            client,
            timeout,
        }
    }

    /// The site's CA as the account API serves it (`/v1/ca`), over a connection verified with
    /// this client's roots.
    pub async fn ca(&self) -> Result<String, Error> {
        let ca = self.send_raw(Method::GET, "/v1/ca", None).await?;
        String::from_utf8(ca).map_err(|_| Error::BadAnswer("CA is not UTF-8".into()))
    }

    /// Fetches the site's CA from `/v1/ca` and accepts it only if it matches `pin`.
    pub async fn fetch_pinned_ca(
        server: &str,
        pin: &str,
        timeout: Duration,
    ) -> Result<String, Error> {
        let base = check_url(server)?;
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(Error::Tls)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyServer(provider())))
            .with_no_client_auth();
        let client = Self::from_config(base, config, timeout);
        let ca = client.send_raw(Method::GET, "/v1/ca", None).await?;
        let ca = String::from_utf8(ca).map_err(|_| Error::BadAnswer("CA is not UTF-8".into()))?;
        let actual = crate::pki::ca_pin(&ca).map_err(|e| Error::BadAnswer(e.to_string()))?;
        if !actual.eq_ignore_ascii_case(pin) {
            return Err(Error::PinMismatch {
                expected: pin.to_string(),
                actual,
            });
        }
        Ok(ca)
    }

    /// Redeems an enrollment token.
    pub async fn enroll(&self, request: &EnrollRequest) -> Result<IssueResponse, Error> {
        self.call(Method::POST, "/v1/enroll", Some(request)).await
    }

    /// Renews the presented certificate.
    pub async fn renew(&self, request: &RenewRequest) -> Result<IssueResponse, Error> {
        self.call(Method::POST, "/v1/renew", Some(request)).await
    }

    /// The caller's account.
    pub async fn whoami(&self) -> Result<WhoamiResponse, Error> {
        self.call::<(), _>(Method::GET, "/v1/whoami", None).await
    }

    /// Whether `account` exists and may be given roles (any logged-in account may ask).
    pub async fn lookup_account(&self, account: &str) -> Result<AccountLookup, Error> {
        self.call::<(), _>(Method::GET, &format!("/v1/accounts/{account}"), None)
            .await
    }

    /// A new enrollment token for `account` (admins only).
    pub async fn create_token(
        &self,
        account: &str,
        request: &TokenRequest,
    ) -> Result<TokenResponse, Error> {
        self.call(
            Method::POST,
            &format!("/v1/accounts/{account}/token"),
            Some(request),
        )
        .await
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let body = body.map(|b| serde_json::to_vec(b).expect("request bodies always serialize"));
        let bytes = self.send_raw(method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| Error::BadAnswer(e.to_string()))
    }

    async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, Error> {
        let url = format!("{}{path}", self.base);
        let mut request = Request::builder().method(method).uri(&url);
        if body.is_some() {
            request = request.header(hyper::header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| Error::BadUrl(format!("{url}: {e}")))?;
        let connect_err = |source: Box<dyn std::error::Error + Send + Sync>| Error::Connect {
            url: self.base.clone(),
            source,
        };
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| connect_err(Box::new(e)))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| connect_err(Box::new(e)))?
                .to_bytes();
            Ok::<_, Error>((status, body))
        };
        let (status, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|e| connect_err(Box::new(e)))??;
        if !status.is_success() {
            let message = serde_json::from_slice::<ErrorResponse>(&body)
                .map(|e| e.error)
                .unwrap_or_else(|_| String::from_utf8_lossy(&body).trim().to_string());
            return Err(Error::Server { status, message });
        }
        Ok(body.to_vec())
    }
}

/// The system's trust anchors, for account APIs with a publicly trusted certificate.
fn rustls_native_roots() -> Vec<CertificateDer<'static>> {
    let bundle = std::fs::read("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
    CertificateDer::pem_slice_iter(&bundle)
        .filter_map(Result::ok)
        .collect()
}

/// Accepts any server certificate. Used only to fetch the CA whose pin is then checked; nothing
/// secret is sent on that connection.
#[derive(Debug)]
struct AcceptAnyServer(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyServer {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
