//! ike: the command-line tool and the controller of the IKE multi-tenant Kubernetes platform.
//!
//! Dependencies point one way: `cli` → client logic (`kubeconfig`, `output`, `settings`) → `api`;
//! `controller` → `api`. `local` brings up a real control plane for development and tests.

/// The account API client: enroll, renew, whoami, tokens.
pub mod account_client;
/// CRD and wire types shared by the CLI and the controller.
pub mod api;
/// clap definitions and one module per command noun.
pub mod cli;
/// Names shared by the CLI and the controller: API group, labels, finalizers, field manager.
pub mod consts;
/// The server side: CRD installation, health and metrics, reconcilers.
pub mod controller;
/// The account's certificate on this machine: enrollment, renewal, exec credentials.
pub mod credentials;
/// Publishing names to a site's DNS server: RFC 2136 updates signed with TSIG, with ownership.
pub mod dns;
/// Reading, merging and selecting kubeconfig contexts the way kubectl does.
pub mod kubeconfig;
/// A real local control plane (etcd, kube-apiserver, kube-controller-manager) for development and tests.
pub mod local;
/// Logging to stderr, set by `-v` and `RUST_LOG`.
pub mod logging;
/// Rendering results as tables, JSON or YAML on stdout.
pub mod output;
/// Account certificates: CSR checks, issuing, reading certificates, CA pins.
pub mod pki;
/// Flags, environment and defaults resolved once into the settings commands run with.
pub mod settings;
/// What `ike login` keeps per site under the XDG data directory.
pub mod sites;
/// One-time enrollment tokens: generation, hashing, verification.
pub mod tokens;

/// Installs ring as the process's one rustls crypto provider. Call once at start-up, before
/// anything opens a TLS connection; later calls do nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
/// The complete local IKE (control plane + controller) for development and the e2e tests.
pub mod dev;
