//! What the controller runs with, its files read: the wiring's input, made by
//! [`RunConfig::load`](super::config::RunConfig::load) and taken by [`run`](super::run).

use std::net::SocketAddr;
use std::path::PathBuf;

use super::{account_api, listener, notify, runtime};

/// What `ike-controller run` was asked to do, its files read ([`RunConfig::load`](super::config::RunConfig::load)).
pub struct Options {
    /// Where `/healthz`, `/readyz` and `/metrics` are served.
    pub listen: SocketAddr,
    /// The account API (and, on their own listener, the admission webhooks: they need its CA);
    /// `None` runs without them.
    pub account_api: Option<account_api::AccountApiConfig>,
    /// The admission webhooks' own HTTPS listener; `None` serves no webhooks.
    pub webhooks: Option<HttpsListener>,
    /// The notification relay's own HTTPS listener (Alertmanager calls it); served only with
    /// the account API's CA and notifications on.
    pub relay: Option<HttpsListener>,
    /// The URL kube-apiserver calls the admission webhooks at (their listener); `None` leaves
    /// the webhook configuration alone.
    pub webhook_url: Option<String>,
    /// Create this admin account with a one-time token (written to a file, never logged) if it
    /// does not exist yet.
    pub bootstrap: Option<Bootstrap>,
    /// Any account may create tenants (it must own them); otherwise only platform admins.
    pub self_service: bool,
    /// The ServiceAccounts (user names, `system:serviceaccount:NS:NAME`) the Tenant webhook
    /// counts as platform admins: the controller's own, normally. No other one does.
    pub admin_service_accounts: Vec<String>,
    /// The controller's own namespace: its leader-election Lease (created if missing), the
    /// platform admins' notification configs, the Office TSIG key Secret and name registry.
    pub controller_namespace: String,
    /// The site's name: the owner written into Office DNS ownership claims.
    pub site: String,
    /// Tenant notifications (Alertmanager configuration, Barry, the relay); `None`: off.
    pub notify: Option<notify::Settings>,
    /// What the client counts of its requests (`ike_api_requests_total`).
    pub api_requests: runtime::ApiRequests,
}

/// Where and how the admission webhooks or the notification relay are served: each on a
/// listener of its own, so that a flood on the account API cannot stop pods cluster-wide (the
/// webhooks fail closed), nor a slow Barry hold the webhooks' connections.
pub struct HttpsListener {
    /// Where to listen for HTTPS. Port 0 picks a free port.
    pub listen: SocketAddr,
    /// IP addresses and DNS names of its serving certificate (signed by the account CA).
    pub sans: Vec<String>,
    /// What its clients may hold ([`listener::Limits::webhooks`], [`listener::Limits::relay`]).
    pub limits: listener::Limits,
    /// Its metrics.
    pub metrics: listener::Metrics,
}

/// A platform admin created with a one-time token if it does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bootstrap {
    /// The account.
    pub admin: String,
    /// Where its token is written (0600): the token is never logged.
    pub token_file: PathBuf,
}
