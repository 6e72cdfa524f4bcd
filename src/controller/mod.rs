//! The server side of ike: installs the CRDs, serves health and metrics, and (in later modules)
//! runs the reconcilers and the account API.

pub mod crds;
pub mod metrics;
pub mod server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::signal::unix::{SignalKind, signal};

/// What `ike-controller run` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    pub listen: SocketAddr,
}

/// Shared state of the running controller.
pub struct State {
    /// Prometheus metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// Set once the CRDs are installed and the controller serves.
    pub ready: AtomicBool,
}

/// Errors that stop the controller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Installing or upgrading a CRD failed.
    #[error("cannot install the CRDs")]
    Crds(#[from] crds::Error),
    /// The health/metrics listener could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the health/metrics server failed")]
    Serve(#[source] std::io::Error),
    /// The signal handlers could not be installed.
    #[error("cannot install signal handlers")]
    Signals(#[source] std::io::Error),
}

/// Runs the controller until SIGTERM or SIGINT, then shuts down cleanly.
pub async fn run(client: kube::Client, options: Options) -> Result<(), Error> {
    let state = Arc::new(State {
        metrics: Arc::new(metrics::Metrics::new()),
        ready: AtomicBool::new(false),
    });
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| Error::Listen {
            addr: options.listen,
            source,
        })?;
    tracing::info!(addr = %listener.local_addr().map_err(Error::Serve)?, "serving /healthz, /readyz and /metrics");

    let mut sigterm = signal(SignalKind::terminate()).map_err(Error::Signals)?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(Error::Signals)?;
    let mut signalled = async move || {
        tokio::select! {
            _ = sigterm.recv() => tracing::info!("SIGTERM: shutting down"),
            _ = sigint.recv() => tracing::info!("SIGINT: shutting down"),
        }
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let server = tokio::spawn(server::serve(
        listener,
        state.clone(),
        stopped(stop_rx.clone()),
    ));

    let installed = tokio::select! {
        r = crds::install(&client, &state.metrics) => Some(r),
        () = signalled() => None,
    };
    let result = match installed {
        None => Ok(()),
        Some(Err(e)) => Err(Error::Crds(e)),
        Some(Ok(())) => {
            state.ready.store(true, Ordering::SeqCst);
            tracing::info!("CRDs installed; ready");
            signalled().await;
            Ok(())
        }
    };
    let _ = stop_tx.send(true);
    match server.await {
        Ok(Ok(())) => result,
        Ok(Err(e)) => result.and(Err(Error::Serve(e))),
        Err(join) => result.and(Err(Error::Serve(std::io::Error::other(join)))),
    }
}

/// An error and its sources on one line, for logs.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
