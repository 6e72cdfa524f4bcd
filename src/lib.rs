//! ike: the command-line tool and the controller of the IKE multi-tenant Kubernetes platform.
//!
//! Dependencies point one way (`tests/layers.rs` fails when one runs back up):
//!
//! ```text
//! bin/ike ───────────► cli ──► client ──► pki ──► api ──► util
//! bin/ike-controller ─► controller ──────► pki ──► api ──► util
//!                  └──► local ──► (pki, api, util)
//! client, controller, local ──► dns (a leaf: the DNS wire protocol)
//! ```
//!
//! `cli` never reaches the controller, the controller never reaches `cli` or `client`, and
//! `api` and `util` reach nothing above them. Inside the controller:
//!
//! ```text
//! config, mod.rs, leader ──► features (accounts, tenants, requests, office, notify,
//!                            account_api, webhooks, ...) ──► floor (runtime, metrics, apply,
//!                            listener, announce)
//! ```
//!
//! Features share one watch per kind (`controller::runtime::Stores`) and one reconciler
//! skeleton (`controller::runtime::reconcile`).

/// CRD and wire types, the names and rules both sides agree on, constants.
pub mod api;
/// The `ike` command line: clap definitions, settings, printing, one module per noun.
pub mod cli;
/// The client side without a command line: target resolution, kubeconfig, site files, the
/// account API client, certificates on this machine, tenant operations.
pub mod client;
/// The server side: CRDs, reconcilers, the account API and admission webhooks, health and
/// metrics.
pub mod controller;
/// DNS for IKE Office: RFC 2136 updates signed with TSIG, with ownership claims, and lookups.
pub mod dns;
/// A complete local IKE (control plane + controller) for development and the e2e tests.
pub mod local;
/// Account certificates: CA, CSRs, reading certificates, CA pins (no I/O).
pub mod pki;
/// Leaf utilities: atomic files, durations and timestamps, logging.
pub mod util;

/// Installs ring as the process's one rustls crypto provider. Call once at start-up, before
/// anything opens a TLS connection; later calls do nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
