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
    /// An admin kubeconfig for the cluster (system:masters, not an ike account).
    pub kubeconfig: PathBuf,
    /// `http://127.0.0.1:PORT` of the controller's health and metrics endpoints.
    pub controller_url: String,
    /// `https://127.0.0.1:PORT` of the account API.
    pub account_api: String,
    /// `https://127.0.0.1:PORT` of the admission webhooks (their own listener).
    pub webhooks: String,
    /// `https://127.0.0.1:PORT` of the notification relay (its own listener).
    pub relay: String,
    /// The site name the controller serves.
    pub site: String,
    /// The cluster CA (PEM) and its key, to forge certificates in tests.
    pub ca_cert_pem: String,
    /// The cluster CA's private key (PKCS#8 PEM).
    pub ca_key_pem: String,
    /// The first admin's one-time enrollment token, printed by the controller.
    pub bootstrap_token: String,
    /// The first admin's account name.
    pub admin_account: String,
    /// The local IKE's directory (the controller's log is `ike-controller.log` in it).
    pub dir: PathBuf,
    /// `http://127.0.0.1:PORT` of the local Alertmanager.
    pub alertmanager_url: String,
    /// The maildir of the local SMTP server.
    pub mail_dir: PathBuf,
    /// The Alertmanager configuration file the controller writes.
    pub alertmanager_config: PathBuf,
    /// Keeps the local IKE (control plane + controller) alive until the process exits.
    _local: Option<ike::local::LocalIke>,
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
        let options = ike::local::StartOptions {
            dir,
            detach: false,
            controller_exe: PathBuf::from(env!("CARGO_BIN_EXE_ike-controller")),
            existing_kubeconfig: std::env::var_os("KUBECONFIG").map(PathBuf::from),
            // Unique, so that reruns against an existing cluster bootstrap a fresh admin.
            bootstrap_admin: unique("e2e-admin"),
            existing_ca: match (
                std::env::var_os("IKE_CA_CERT"),
                std::env::var_os("IKE_CA_KEY"),
            ) {
                (Some(c), Some(k)) => Some((PathBuf::from(c), PathBuf::from(k))),
                _ => None,
            },
            site: "e2e".into(),
            extra_controller_args: // Every test enrolls from 127.0.0.1, some with bad tokens on purpose: one source
            // here stands for a whole office. The limit itself is tested in the account API's
            // tests.
            vec!["--enroll-attempts".into(), "100000".into()],
        };
        let local = ike::local::start_with_barry(&options, Some(&barry().url))
            .unwrap_or_else(|e| panic!("cannot start the e2e environment: {e:#}"));
        let read = |p: &PathBuf| {
            std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        };
        Env {
            kubeconfig: local.admin_kubeconfig.clone(),
            controller_url: format!("http://{}", local.controller_addr),
            account_api: local.account_api.clone(),
            webhooks: local.webhooks.clone(),
            relay: local.relay.clone(),
            site: local.site.clone(),
            admin_account: options.bootstrap_admin.clone(),
            dir: options.dir.clone(),
            alertmanager_url: local.notifications.alertmanager_url.clone(),
            mail_dir: local.notifications.mail_dir.clone(),
            alertmanager_config: local.notifications.config_file.clone(),
            ca_cert_pem: read(&local.ca_cert),
            ca_key_pem: read(&local.ca_key),
            bootstrap_token: local
                .bootstrap_token
                .clone()
                .expect("the controller bootstraps the first admin of a fresh cluster"),
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
    ike::local::http_get(&env().controller_url, path).expect("the controller answers HTTP")
}

/// A person on their own machine: own home, XDG directories and kubeconfig.
pub struct User {
    /// The account name.
    pub account: String,
    home: tempfile::TempDir,
}

impl User {
    /// A person with an empty home.
    pub fn new(account: &str) -> Self {
        Self {
            account: account.to_string(),
            home: tempfile::Builder::new()
                .prefix("ike-user-")
                .tempdir()
                .unwrap(),
        }
    }

    /// Their home directory.
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// Their kubeconfig (what kubectl and ike use by default).
    pub fn kubeconfig(&self) -> PathBuf {
        self.home.path().join(".kube/config")
    }

    /// Their site directory for `site`.
    pub fn site_dir(&self, site: &str) -> PathBuf {
        self.home.path().join(".local/share/ike/sites").join(site)
    }

    fn prepare(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join(".local/share"))
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("XDG_CACHE_HOME", self.home.path().join(".cache"))
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null());
    }

    /// A command for `ike` as this person (no terminal).
    pub fn ike_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ike"));
        self.prepare(&mut cmd);
        cmd.args(args);
        cmd
    }

    /// Runs `ike` as this person.
    pub fn ike(&self, args: &[&str]) -> Output {
        self.ike_command(args).output().expect("ike runs")
    }

    /// Runs kubectl as this person (their kubeconfig, so ike's credential plugin).
    pub fn kubectl(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("kubectl");
        self.prepare(&mut cmd);
        cmd.args(args).output().expect("kubectl runs")
    }

    /// Logs in to the e2e site with a token.
    pub fn login(&self, token: &str, extra: &[&str]) -> Output {
        let e = env();
        let pin = ike::pki::ca_pin(&e.ca_cert_pem).unwrap();
        let mut args = vec![
            "login",
            "--site",
            &e.site,
            "--server",
            &e.account_api,
            "--ca-pin",
            &pin,
            "--token",
            token,
        ];
        args.extend_from_slice(extra);
        self.ike(&args)
    }
}

/// The platform admin, enrolled with the bootstrap token on first use.
pub fn admin() -> &'static User {
    static ADMIN: OnceLock<User> = OnceLock::new();
    ADMIN.get_or_init(|| {
        let admin = User::new(&env().admin_account);
        ok(admin.login(&env().bootstrap_token, &[]));
        // The account reconciler binds cluster-admin to the admin shortly after it exists.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let can = admin.kubectl(&["auth", "can-i", "create", "accounts.ike.dev"]);
            if String::from_utf8_lossy(&can.stdout).trim() == "yes" {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the admin never got cluster-admin"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        admin
    })
}

/// Creates an account as the admin and returns its one-time token.
pub fn create_account(account: &str, extra: &[&str]) -> String {
    let mut args = vec!["account", "create", account, "-o", "json"];
    args.extend_from_slice(extra);
    let out = ok(admin().ike(&args));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    v["token"].as_str().expect("a token").to_string()
}

/// A person whose account exists and who has logged in.
pub fn enrolled(prefix: &str) -> User {
    let user = User::new(&unique(prefix));
    let token = create_account(&user.account, &[]);
    ok(user.login(&token, &[]));
    user
}

/// Deletes tenant `.0` as the shared cluster's admin when dropped (its namespaces go with it),
/// however the test that made it ends.
pub struct DeletesTenant(pub String);

impl Drop for DeletesTenant {
    fn drop(&mut self) {
        let _ = kubectl(&[
            "delete",
            "tenant",
            &self.0,
            "--wait=false",
            "--ignore-not-found",
        ]);
    }
}

/// A tenant `owner` owns, holding one namespace, made by the platform admin; deleted when
/// dropped.
pub struct OwnedTenant {
    /// The tenant.
    pub tenant: String,
    /// Its namespace.
    pub ns: String,
    _deleted: DeletesTenant,
}

impl OwnedTenant {
    /// Makes it, named from `prefix`.
    pub fn new(prefix: &str, owner: &User) -> Self {
        let tenant = unique(prefix);
        let ns = unique(&format!("{prefix}-ns"));
        ok(admin().ike(&[
            "tenant",
            "create",
            &tenant,
            "--owner",
            &owner.account,
            "--namespace",
            &ns,
        ]));
        Self {
            _deleted: DeletesTenant(tenant.clone()),
            tenant,
            ns,
        }
    }
}

/// stderr of a command that must fail.
pub fn fails(output: Output) -> String {
    assert!(
        !output.status.success(),
        "command unexpectedly succeeded: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The tenant controller's metrics are shared by every test that writes Tenants; the no-op test
/// needs them quiet, so it holds this lock for writing and every other such test for reading.
static TENANT_CONTROLLER: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Taken by every test that creates or changes Tenants.
pub fn sharing_the_tenant_controller() -> std::sync::RwLockReadGuard<'static, ()> {
    TENANT_CONTROLLER.read().unwrap_or_else(|p| p.into_inner())
}

/// Taken by the test that needs the tenant controller to itself.
pub fn the_tenant_controller_to_myself() -> std::sync::RwLockWriteGuard<'static, ()> {
    TENANT_CONTROLLER.write().unwrap_or_else(|p| p.into_inner())
}

/// The token the shared Barry fake accepts from the start.
pub const BARRY_TOKEN: &str = "e2e-barry-token-0f3c";

/// The runtime the fakes of Barry and Teams serve on, for the whole test binary.
pub fn fakes() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the fakes")
    })
}

/// The recording fake of Barry the controller is started with (`--barry-url`).
pub fn barry() -> &'static crate::support::barry_fake::BarryFake {
    static BARRY: OnceLock<crate::support::barry_fake::BarryFake> = OnceLock::new();
    BARRY
        .get_or_init(|| fakes().block_on(crate::support::barry_fake::BarryFake::start(BARRY_TOKEN)))
}

/// A fresh recording fake of a Teams Workflows webhook.
pub fn teams_fake() -> crate::support::teams_fake::TeamsFake {
    fakes().block_on(crate::support::teams_fake::TeamsFake::start())
}
