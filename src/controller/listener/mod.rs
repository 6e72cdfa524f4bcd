//! An HTTPS listener that a client without credentials cannot exhaust.
//!
//! The account API and the admission webhooks each run one ([`Listener::start`]), with their
//! own serving certificate from the account CA ([`tls`]) and their own [`Limits`]; another
//! internal service (the notification relay) can be a third. What it holds against:
//!
//! - many connections: at most [`Limits::max_connections`] are open; one more closes the
//!   connection idle the longest to make room, or, with none idle, is closed as soon as it is
//!   accepted (counted in `https_connections_refused`);
//! - slow or silent clients: every connection is in one phase at a time, and each phase but the
//!   handling of a request has a deadline ([`conn`]): the TLS handshake, the first request, the
//!   headers of each request (from its first byte), the body ([`requests`]), and keep-alive
//!   idleness. A connection past its deadline is closed by the server;
//! - big or many bodies: a body above [`Limits::max_body`] gets 413, and all bodies held at once
//!   share [`Limits::body_budget`] (503 beyond it);
//! - many requests: at most [`Limits::max_requests`] are handled at once, counted only once their
//!   body has arrived (a half-sent body holds a connection, never a request slot); one more
//!   gets 503 with `Retry-After`;
//! - guessing: [`rate`] limits attempts per source address (the account API's enrollment).
//!
//! HTTP/1.1 only (ALPN `http/1.1`): kube-apiserver and `ike` speak it, and one protocol keeps
//! the deadlines simple.

mod conn;
pub mod rate;
mod requests;
pub mod tls;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum_server::tls_rustls::RustlsConfig;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

pub use tls::{ClientCertificates, ServingTls};

/// How much one listener lets its clients hold. Every field is a hard limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once; one more closes the connection idle the longest, or, with none
    /// idle, is closed as soon as it is accepted.
    pub max_connections: usize,
    /// Requests handled at once (counted once their body has arrived); one more gets 503.
    pub max_requests: usize,
    /// Time for the TLS handshake, from the accept.
    pub handshake_timeout: Duration,
    /// Time for a request's headers: from the end of the handshake to the end of the first
    /// request's headers, and from the first byte of each later request to the end of its
    /// headers.
    pub header_timeout: Duration,
    /// Time for a request's whole body, from the end of its headers.
    pub body_timeout: Duration,
    /// Time a kept-alive connection may wait for its next request, and a response may take to
    /// be written. Longer than the clients' own idle timeout (Go's: 90 s), so that they close
    /// first: a server closing a pooled connection as the client reuses it fails that request.
    pub idle_timeout: Duration,
    /// Time for a handler to answer once the body has arrived (503 after it).
    pub handler_timeout: Duration,
    /// The largest request body, in bytes (413 above it).
    pub max_body: usize,
    /// Bytes of request bodies held at once, all connections together (503 beyond it).
    pub body_budget: usize,
}

impl Limits {
    /// The account API's: small bodies (a CSR is about 1 KiB), short idleness (`ike` is a
    /// short-lived process; its renewals do not wait on a kept-alive connection).
    pub fn account_api() -> Self {
        Self {
            max_connections: 1024,
            max_requests: 128,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            handler_timeout: Duration::from_secs(30),
            max_body: 64 * 1024,
            body_budget: 16 * 1024 * 1024,
        }
    }

    /// The admission webhooks': bodies as large as kube-apiserver sends (an object and its old
    /// version, each up to etcd's 1.5 MiB, in JSON), connections kept alive longer than
    /// kube-apiserver's 90 s idle timeout, answers within its 5 s webhook timeout.
    pub fn webhooks() -> Self {
        Self {
            max_connections: 1024,
            max_requests: 256,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            handler_timeout: Duration::from_secs(5),
            max_body: 8 * 1024 * 1024,
            body_budget: 64 * 1024 * 1024,
        }
    }

    /// The notification relay's: Alertmanager's webhook bodies (a group of at most 200 alerts,
    /// commonly a few KiB), connections kept alive longer than Go's 90 s, and request slots
    /// enough that the relay's own fair queue (`notify::fair`: 4 running and 8 waiting per
    /// tenant, 503 beyond) decides who waits, not this listener: twenty tenants flooding at
    /// once leave slots for the others. Alertmanager keeps a connection per receiver, so
    /// connections are many more than requests. A delivery ends within 9 s; the handler's
    /// deadline is a backstop.
    pub fn relay() -> Self {
        Self {
            max_connections: 1024,
            max_requests: 256,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            handler_timeout: Duration::from_secs(15),
            max_body: 4 * 1024 * 1024,
            body_budget: 64 * 1024 * 1024,
        }
    }

    fn check(&self) -> Result<(), Error> {
        let positive = [
            ("max_connections", self.max_connections),
            ("max_requests", self.max_requests),
            ("max_body", self.max_body),
            ("body_budget", self.body_budget),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(Error::Config(format!("{name} must not be 0")));
            }
        }
        if self.body_budget < self.max_body {
            return Err(Error::Config(format!(
                "body_budget ({}) must hold at least one body of max_body ({})",
                self.body_budget, self.max_body
            )));
        }
        if self.max_connections > Semaphore::MAX_PERMITS || self.max_requests > u32::MAX as usize {
            return Err(Error::Config("max_connections is too large".into()));
        }
        let timeouts = [
            ("handshake_timeout", self.handshake_timeout),
            ("header_timeout", self.header_timeout),
            ("body_timeout", self.body_timeout),
            ("idle_timeout", self.idle_timeout),
            ("handler_timeout", self.handler_timeout),
        ];
        for (name, value) in timeouts {
            if value.is_zero() {
                return Err(Error::Config(format!("{name} must not be 0")));
            }
        }
        Ok(())
    }
}

/// One listener's metrics. Clones share the same values; register them with
/// [`Metrics::register`] under the listener's name.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Connections open now.
    pub connections_open: Gauge,
    /// Connections closed at once because [`Limits::max_connections`] were open.
    pub connections_refused: Counter,
    /// Connections closed by the server at a deadline, by `phase` (`handshake`, `first_request`,
    /// `headers`, `idle`), or to make room at the cap (`evicted`).
    pub connections_timed_out: Family<Vec<(String, String)>, Counter>,
    /// TLS handshakes that failed (bad, expired or foreign client certificates among them).
    pub handshake_failures: Counter,
    /// Requests refused by a limit, by `reason` (`busy`, `body_timeout`, `body_too_large`,
    /// `body_budget`, `handler_timeout`, `rate_limited`).
    pub requests_refused: Family<Vec<(String, String)>, Counter>,
}

impl Metrics {
    /// Registers every metric under `https_*` with the label `listener="<name>"`.
    pub fn register(&self, registry: &mut Registry, name: &'static str) {
        let registry = registry.sub_registry_with_label(("listener".into(), name.into()));
        registry.register(
            "https_connections_open",
            "HTTPS connections open now",
            self.connections_open.clone(),
        );
        registry.register(
            "https_connections_refused",
            "HTTPS connections closed at once because the listener held its maximum",
            self.connections_refused.clone(),
        );
        registry.register(
            "https_connections_timed_out",
            "HTTPS connections closed by the server at a deadline, by phase",
            self.connections_timed_out.clone(),
        );
        registry.register(
            "https_handshake_failures",
            "TLS handshakes that failed",
            self.handshake_failures.clone(),
        );
        registry.register(
            "https_requests_limited",
            "HTTPS requests refused by a limit, by reason",
            self.requests_refused.clone(),
        );
    }

    pub(crate) fn refused(&self, reason: &str) {
        self.requests_refused
            .get_or_create(&vec![("reason".to_string(), reason.to_string())])
            .inc();
    }

    fn timed_out(&self, phase: &str) {
        self.connections_timed_out
            .get_or_create(&vec![("phase".to_string(), phase.to_string())])
            .inc();
    }
}

/// Why a listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A limit is out of range.
    #[error("invalid listener limits: {0}")]
    Config(String),
    /// The serving certificate could not be made.
    #[error("cannot make the serving certificate")]
    ServingCertificate(#[source] crate::pki::PkiError),
    /// rustls refused the TLS configuration.
    #[error("cannot set up TLS")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What a listener serves with.
pub struct Spec {
    /// Its name in logs and metrics (`account-api`, `webhooks`).
    pub name: &'static str,
    /// Where to listen. Port 0 picks a free port ([`Listener::local_addr`]).
    pub listen: SocketAddr,
    /// Its serving certificate, and whether clients may present one.
    pub tls: ServingTls,
    /// What clients may hold.
    pub limits: Limits,
    /// Its metrics.
    pub metrics: Metrics,
}

/// Where a listener is in its life: connections watch this to finish and to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    Running,
    /// Finish the request in flight, then close.
    Graceful,
    /// Close now.
    Now,
}

/// A running listener. Dropping it does not stop it; call [`Listener::shutdown`].
pub struct Listener {
    name: &'static str,
    local_addr: SocketAddr,
    stop: watch::Sender<Stop>,
    connections: Arc<Semaphore>,
    max_connections: u32,
    accept: JoinHandle<()>,
    renew: JoinHandle<()>,
}

impl Listener {
    /// Binds `spec.listen` and serves `app` on it, with a serving certificate renewed in the
    /// background. Must be called within a Tokio runtime.
    pub fn start(spec: Spec, app: Router) -> Result<Self, Error> {
        spec.limits.check()?;
        let config = spec.tls.server_config()?;
        let tls = RustlsConfig::from_config(Arc::new(config));
        let socket = bind(spec.listen).map_err(|source| Error::Listen {
            addr: spec.listen,
            source,
        })?;
        let local_addr = socket.local_addr().map_err(|source| Error::Listen {
            addr: spec.listen,
            source,
        })?;
        let (stop, stopped) = watch::channel(Stop::Running);
        let connections = Arc::new(Semaphore::new(spec.limits.max_connections));
        let shared = Arc::new(conn::Shared {
            name: spec.name,
            app: requests::limited(app, &spec.limits, &spec.metrics),
            tls: tls.clone(),
            limits: spec.limits.clone(),
            metrics: spec.metrics,
            stopped,
            open: conn::OpenConnections::default(),
        });
        let accept = tokio::spawn(conn::accept_loop(socket, connections.clone(), shared));
        let renew = tokio::spawn(spec.tls.renew(tls, spec.name));
        tracing::info!(listener = spec.name, addr = %local_addr, "serving HTTPS");
        Ok(Self {
            name: spec.name,
            local_addr,
            stop,
            connections,
            max_connections: spec.limits.max_connections as u32,
            accept,
            renew,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets the requests in flight finish for up to `grace`, then closes every
    /// connection left.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(Stop::Graceful);
        let _ = self.accept.await;
        self.renew.abort();
        let all = self.connections.acquire_many(self.max_connections);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(
                listener = self.name,
                "requests still in flight after {grace:?}: closing their connections"
            );
            let _ = self.stop.send(Stop::Now);
            let _ = self.connections.acquire_many(self.max_connections).await;
        }
    }
}

/// A listening socket with a backlog deep enough for a burst of connections: the accept loop
/// decides what to refuse, not the kernel's queue.
fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}
