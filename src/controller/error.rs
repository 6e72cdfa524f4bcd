//! The errors that stop the controller.

use std::net::SocketAddr;

use super::{account_api, bootstrap, crds, listener, notify};

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
    /// The account API failed to start or stopped.
    #[error("the account API failed")]
    AccountApi(#[from] account_api::Error),
    /// The admission webhooks' listener could not start.
    #[error("the admission webhooks cannot serve HTTPS")]
    Webhooks(#[from] listener::Error),
    /// Platform RBAC or the webhook configuration could not be applied.
    #[error("cannot apply {what}")]
    Apply {
        /// What.
        what: &'static str,
        /// Why.
        source: kube::Error,
    },
    /// Leader election could not start.
    #[error("leader election failed")]
    Lease(#[source] kube_lease_manager::LeaseManagerError),
    /// The bootstrap token could not be written.
    #[error(transparent)]
    BootstrapToken(#[from] bootstrap::TokenFileError),
    /// The signal handlers could not be installed.
    #[error("cannot install signal handlers")]
    Signals(#[source] std::io::Error),
    /// Notifications could not be set up.
    #[error("cannot set up notifications")]
    Notify(#[from] notify::Error),
}
