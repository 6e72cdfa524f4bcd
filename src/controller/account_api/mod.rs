//! The account API: HTTPS endpoints that issue each account a short-lived client certificate.
//!
//! - `POST /v1/enroll` redeems a one-time enrollment token (no client certificate needed).
//! - `POST /v1/renew` issues a new certificate to the holder of a current one (mTLS).
//! - `POST /v1/accounts/{name}/token` makes an enrollment token (mTLS, platform admins only).
//! - `GET /v1/whoami` describes the caller's account (mTLS).
//! - `GET /v1/ca` is the account CA, PEM (for `ike login --ca-pin` on first contact).
//! - `GET /healthz` answers `ok`.
//!
//! Accounts are read from a reflector store, not from the apiserver, so renewal costs no
//! apiserver round trip and a disabled or deleted account is refused as soon as the watch event
//! arrives. The certificates issued are recorded in the Account's status in the background,
//! coalesced per account (see [`recorder`]), so issuance is not limited by the apiserver's write
//! rate. Only redeeming a token writes synchronously: it must be single-use.
//!
//! Client certificates are optional at the TLS layer (enrollment has none yet), but one that is
//! presented must chain to the account CA and be valid, or the handshake fails.
//!
//! It serves on a [`listener`](crate::controller::listener) of its own, with the account API's
//! [`Limits`]; enrollment attempts are limited per source address (failures only: a redeemed
//! token gives its attempt back). The admission webhooks have their own listener, so that a
//! flood here cannot stop pods cluster-wide.
//!
//! Lifetimes: a certificate lives `default_ttl` unless the request asks for less with
//! `ttlSeconds`. A request above `max_ttl` gets `max_ttl` (the answer's `notAfter` says what was
//! issued); below 60 s it gets 400. An enrollment token lives 24 h unless the admin asks for
//! 60 s to 7 days (400 outside that).

mod handlers;
pub mod recorder;
pub mod tokens;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kube::Api;
use kube::runtime::reflector::Store;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tokio::task::JoinHandle;

use crate::api::Account;
use crate::controller::listener::{self, ClientCertificates, Limits, Listener, ServingTls, rate};
use crate::pki::{self, AccountCa};

/// The lifetime of a certificate when the request does not ask for one.
pub const DEFAULT_TTL: Duration = Duration::from_secs(12 * 3600);

/// The largest request body accepted; a CSR is about 1 KiB (RSA 8192: about 2.5 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Enrollment attempts per source address: 10 at once, then one every 6 s. Only failures count.
pub const ENROLL_RATE: rate::Rate = rate::Rate {
    burst: 10,
    refill: Duration::from_secs(6),
    max_sources: 100_000,
};

/// What the account API serves with.
pub struct AccountApiConfig {
    /// Where to listen for HTTPS. Port 0 picks a free port ([`AccountApi::local_addr`]).
    pub listen: SocketAddr,
    /// Signs client certificates and the serving certificate; the only trust anchor for client
    /// certificates. It must be the cluster's client CA, so that kube-apiserver accepts what it
    /// issues.
    pub ca: Arc<AccountCa>,
    /// The CA bundle a kubeconfig needs to verify kube-apiserver, sent as `caCertificate`. The
    /// account CA is appended when it is not part of it, so the same bundle verifies the account
    /// API on renewal.
    pub cluster_ca_pem: String,
    /// IP addresses and DNS names of the serving certificate.
    pub server_sans: Vec<String>,
    /// Certificate lifetime when the request does not ask for one.
    pub default_ttl: Duration,
    /// The longest certificate lifetime; longer requests get this.
    pub max_ttl: Duration,
    /// The kube-apiserver URL to put in kubeconfigs.
    pub api_server_url: String,
    /// The site's name.
    pub site: String,
    /// How often issued certificates are written to the Accounts' status.
    pub record_interval: Duration,
    /// Counters and histograms; register them with [`AccountApiMetrics::register`].
    pub metrics: AccountApiMetrics,
    /// What the listener lets clients hold ([`Limits::account_api`]).
    pub limits: Limits,
    /// Enrollment attempts per source address ([`ENROLL_RATE`]).
    pub enroll_rate: rate::Rate,
}

impl AccountApiConfig {
    /// A configuration with the defaults: 12 h certificates (at most 24 h), the account CA as the
    /// cluster CA, a serving certificate for `127.0.0.1` and `localhost`, status written every
    /// second.
    pub fn new(listen: SocketAddr, ca: AccountCa, api_server_url: &str, site: &str) -> Self {
        let cluster_ca_pem = ca.cert_pem().to_string();
        Self {
            listen,
            ca: Arc::new(ca),
            cluster_ca_pem,
            server_sans: vec!["127.0.0.1".into(), "localhost".into()],
            default_ttl: DEFAULT_TTL,
            max_ttl: 2 * DEFAULT_TTL,
            api_server_url: api_server_url.to_string(),
            site: site.to_string(),
            record_interval: Duration::from_secs(1),
            metrics: AccountApiMetrics::default(),
            limits: Limits::account_api(),
            enroll_rate: ENROLL_RATE,
        }
    }
}

/// The account API's Prometheus metrics. Clones share the same values.
#[derive(Clone, Debug)]
pub struct AccountApiMetrics {
    /// Certificates issued, by `via` = `enroll` or `renew`.
    pub certificates_issued: Family<Vec<(String, String)>, Counter>,
    /// Requests refused, by HTTP `status`.
    pub requests_refused: Family<Vec<(String, String)>, Counter>,
    /// Time to validate a CSR and sign a certificate, in seconds.
    pub issue_seconds: Histogram,
    /// TLS handshakes that failed (bad, expired or foreign client certificates among them).
    pub tls_handshake_failures: Counter,
    /// Status writes of issued certificates that failed (retried at the next interval).
    pub record_failures: Counter,
    /// The HTTPS listener's (its `handshake_failures` is `tls_handshake_failures`).
    pub listener: listener::Metrics,
}

impl Default for AccountApiMetrics {
    fn default() -> Self {
        let listener = listener::Metrics::default();
        Self {
            certificates_issued: Family::default(),
            requests_refused: Family::default(),
            issue_seconds: Histogram::new(
                prometheus_client::metrics::histogram::exponential_buckets(0.000_1, 2.0, 14),
            ),
            tls_handshake_failures: listener.handshake_failures.clone(),
            record_failures: Counter::default(),
            listener,
        }
    }
}

impl AccountApiMetrics {
    /// Registers every metric under `account_api_*`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "account_api_certificates_issued",
            "Client certificates issued by the account API",
            self.certificates_issued.clone(),
        );
        registry.register(
            "account_api_requests_refused",
            "Account API requests answered with an error",
            self.requests_refused.clone(),
        );
        registry.register(
            "account_api_issue_duration_seconds",
            "Time to validate a CSR and sign its certificate",
            self.issue_seconds.clone(),
        );
        registry.register(
            "account_api_tls_handshake_failures",
            "TLS handshakes refused by the account API",
            self.tls_handshake_failures.clone(),
        );
        registry.register(
            "account_api_record_failures",
            "Failed writes of issued certificates to Account status",
            self.record_failures.clone(),
        );
        self.listener.register(registry, "account-api");
    }
}

/// Why the account API could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is out of range.
    #[error("invalid account API configuration: {0}")]
    Config(String),
    /// Its HTTPS listener could not start.
    #[error("the account API cannot serve HTTPS")]
    Listener(#[from] listener::Error),
    /// A request to kube-apiserver failed.
    #[error("cannot {action}")]
    Kube {
        /// What was being done.
        action: String,
        /// The client's error.
        #[source]
        source: kube::Error,
    },
    /// The operating system's random source failed.
    #[error("cannot make an enrollment token")]
    Random(#[source] tokens::RandomError),
    /// The name cannot be an account.
    #[error("cannot bootstrap the admin account")]
    InvalidName(#[source] crate::api::names::NameError),
}

/// A running account API. Dropping it does not stop it; call [`AccountApi::shutdown`].
pub struct AccountApi {
    listener: Listener,
    recorder: recorder::Recorder,
    background: Vec<JoinHandle<()>>,
}

impl AccountApi {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    /// Stops accepting, lets requests in flight finish (up to 5 s), writes the certificates
    /// issued since the last status write, and stops the watch.
    pub async fn shutdown(self) -> Result<(), Error> {
        self.listener.shutdown(Duration::from_secs(5)).await;
        self.recorder.flush_now().await;
        for task in &self.background {
            task.abort();
        }
        Ok(())
    }
}

/// Starts serving once `listed` says `accounts` (the process's Account store) holds the first
/// full list.
pub async fn start(
    client: kube::Client,
    config: AccountApiConfig,
    accounts: Store<Account>,
    listed: crate::controller::runtime::Listed,
) -> Result<AccountApi, Error> {
    check_config(&config)?;
    listed.wait().await;
    tracing::info!(accounts = accounts.len(), "Account store ready");
    start_with_store(client, config, accounts).await
}

/// Serves from an existing store; `start` without the watch. Tests feed the store by hand.
async fn start_with_store(
    client: kube::Client,
    config: AccountApiConfig,
    store: Store<Account>,
) -> Result<AccountApi, Error> {
    check_config(&config)?;
    let accounts: Api<Account> = Api::all(client);
    let recorder = recorder::Recorder::new(
        accounts.clone(),
        store.clone(),
        config.metrics.record_failures.clone(),
    );
    let mut ca_bundle = config.cluster_ca_pem.trim_end().to_string();
    ca_bundle.push('\n');
    if !ca_bundle.contains(config.ca.cert_pem().trim()) {
        ca_bundle.push_str(config.ca.cert_pem());
    }
    let shared = Arc::new(handlers::Shared {
        store,
        accounts,
        ca: config.ca.clone(),
        ca_bundle,
        default_ttl: config.default_ttl,
        max_ttl: config.max_ttl,
        api_server_url: config.api_server_url.clone(),
        site: config.site.clone(),
        recorder: recorder.clone(),
        metrics: config.metrics.clone(),
        enroll_limiter: Arc::new(rate::PerSource::new(
            "enrollment attempts",
            "then use the token exactly as a platform admin gave it",
            config.enroll_rate,
            config.metrics.listener.clone(),
        )),
        store_catch_up: handlers::STORE_CATCH_UP,
    });
    let listener = Listener::start(
        listener::Spec {
            name: "account-api",
            listen: config.listen,
            tls: ServingTls::new(
                config.ca.clone(),
                config.server_sans.clone(),
                ClientCertificates::OptionalFromCa,
            ),
            limits: config.limits.clone(),
            metrics: config.metrics.listener.clone(),
        },
        handlers::router(shared),
    )?;

    let background = vec![tokio::spawn(recorder.clone().run(config.record_interval))];
    Ok(AccountApi {
        listener,
        recorder,
        background,
    })
}

fn check_config(config: &AccountApiConfig) -> Result<(), Error> {
    if config.max_ttl < pki::MIN_TTL || config.max_ttl > pki::MAX_TTL {
        return Err(Error::Config(format!(
            "the maximum certificate lifetime must be between 60 s and 366 days, not {} s",
            config.max_ttl.as_secs()
        )));
    }
    if config.default_ttl < pki::MIN_TTL {
        return Err(Error::Config(format!(
            "the default certificate lifetime must be at least 60 s, not {} s",
            config.default_ttl.as_secs()
        )));
    }
    if config.record_interval.is_zero() {
        return Err(Error::Config(
            "the status write interval must not be 0".into(),
        ));
    }
    Ok(())
}
