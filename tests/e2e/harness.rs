//! The e2e harness: one ready local IKE per test binary, unique names, and helpers to run `ike`
//! and kubectl against it.
//!
//! With `KUBECONFIG` set, the tests use that existing cluster instead of starting one (its
//! current context must be a cluster admin); `ike-controller` is still started here, against it.
//! Without it, a control plane is started from the cached binaries; when they are missing the
//! first test fails with what is missing and how to get it (`ike-controller local install`).

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The shared environment of one test binary.
pub struct Env {
    /// An admin kubeconfig for the cluster.
    pub kubeconfig: PathBuf,
    /// `http://127.0.0.1:PORT` of the controller's health and metrics endpoints.
    pub controller_url: String,
    /// Keeps the local IKE (control plane + controller) alive until the process exits.
    _local: Option<ike::dev::LocalIke>,
}

static ENV: OnceLock<Env> = OnceLock::new();

/// The shared environment, started on first use.
pub fn env() -> &'static Env {
    ENV.get_or_init(|| {
        ike::install_crypto_provider();
        let dir = tempfile::Builder::new()
            .prefix("ike-e2e-")
            .tempdir()
            .expect("a temp dir for the e2e control plane")
            .keep();
        let options = ike::dev::StartOptions {
            dir,
            detach: false,
            controller_exe: PathBuf::from(env!("CARGO_BIN_EXE_ike-controller")),
            existing_kubeconfig: std::env::var_os("KUBECONFIG").map(PathBuf::from),
        };
        let local = ike::dev::start(&options)
            .unwrap_or_else(|e| panic!("cannot start the e2e environment: {e:#}"));
        Env {
            kubeconfig: local.admin_kubeconfig.clone(),
            controller_url: format!("http://{}", local.controller_addr),
            _local: Some(local),
        }
    })
}

/// A name no other test (or earlier run against the same cluster) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Runs kubectl, the independent client, as the cluster admin.
pub fn kubectl(args: &[&str]) -> Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&env().kubeconfig)
        .args(args)
        .output()
        .expect("kubectl must be installed (Debian package kubernetes-client)")
}

/// Runs the `ike` binary with the admin kubeconfig.
pub fn ike(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ike"))
        .env("KUBECONFIG", &env().kubeconfig)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the ike binary runs")
}

/// stdout of a command that must succeed; panics with its stderr otherwise.
pub fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "command failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// A plain HTTP GET to the controller, returning (status, body).
pub fn controller_get(path: &str) -> (u16, String) {
    ike::dev::http_get(&env().controller_url, path).expect("the controller answers HTTP")
}
