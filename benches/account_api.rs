//! Account API benchmark: renewal throughput under load, one renewal with `ike login` beside the
//! Kubernetes CSR API flow for the same kind of certificate, and 50 colleagues behind one office
//! NAT enrolling at the same moment with valid tokens (the enrollment rate limit at its
//! default: none may be refused).
//!
//! Run from the repository root (the release `ike` binary must be built first; this bench runs
//! it as a user would):
//!
//! ```text
//! cargo build --release --bins && cargo bench --bench account_api
//! ```
//!
//! Everything is started here and stopped at the end, on loopback only: a local control plane
//! (`ike::local`, from the cached binaries), the CRDs, Accounts, and the account API in-process on
//! `127.0.0.1:0`. `IKE_BENCH_SECONDS` sets the length of the throughput run (default 10 s); the
//! whole run stays under two minutes by default.
//!
//! The bench fails (exit 1) when it cannot measure: a missing binary, a control plane that does
//! not start, an `ike login` or a CSR that fails. A goal that is missed is reported as `MISSED`
//! and does not fail the run: a benchmark reports; the machine it runs on decides the numbers.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, bail, ensure};
use futures::{StreamExt as _, TryStreamExt as _};
use ike::api::wire::{EnrollRequest, RenewRequest, TokenRequest};
use ike::api::{Account, AccountSpec};
use ike::client::account_client::{AccountClient, Identity};
use ike::controller::account_api::{self, AccountApi, AccountApiConfig};
use ike::local::{Binaries, ControlPlane, Options};
use ike::pki::{self, AccountCa};
use k8s_openapi::api::certificates::v1::{
    CertificateSigningRequest, CertificateSigningRequestSpec,
};
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};

/// Concurrent clients of the throughput run, each with its own account and connection.
const CLIENTS: usize = 64;
/// Runs of each single-renewal flow.
const RUNS: usize = 20;
/// The site name `ike login` uses, and the account API's site.
const SITE: &str = "bench";
/// The account whose certificate both single-renewal flows get.
const USER: &str = "bench-user";
/// The platform admin that makes `USER`'s enrollment token.
const ADMIN: &str = "bench-admin";
/// Colleagues enrolling at once from one address (the account API's enrollment limit is at its
/// default, 10 failures per source).
const NAT_COLLEAGUES: usize = 50;
/// How long one request, one `ike login` or one CSR may take before the bench gives up.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

const GOAL_RATE: f64 = 2_000.0;
const GOAL_P99: Duration = Duration::from_millis(25);
const GOAL_RATIO: f64 = 20.0;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("account_api bench failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let begun = Instant::now();
    let load_average = load_average();
    let seconds = bench_seconds()?;
    let ike = ike_binary()?;
    ike::install_crypto_provider();
    let bins = Binaries::locate()?;

    let work = tempfile::Builder::new().prefix("ike-bench-").tempdir()?;
    progress("starting the local control plane");
    let started = Instant::now();
    let plane = ControlPlane::start(&bins, Options::new(work.path().join("plane")))
        .context("cannot start the local control plane")?;
    let plane_ready = started.elapsed();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let env = rt.block_on(Env::start(&plane))?;

    progress(&format!(
        "throughput: {CLIENTS} clients renewing for {} s",
        seconds.as_secs()
    ));
    // The clients get their own runtime, as if they were other processes: their tasks do not
    // queue behind the server's on the same workers.
    let clients_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let load = clients_rt.block_on(throughput(env.ca.clone(), &env.url, &env.uids, seconds))?;
    drop(clients_rt);
    // Let the background status writes of the load run finish before timing single renewals.
    std::thread::sleep(Duration::from_millis(1500));

    progress(&format!("{RUNS} x ike login --site {SITE}"));
    // Runs on this thread while the runtime's workers serve the account API.
    let login = ike_login_runs(&ike, &env, &rt, work.path())?;

    progress(&format!("{RUNS} x Kubernetes CSR create/approve/wait"));
    let csr = rt.block_on(csr_api_runs(&env))?;

    progress(&format!("{RUNS} x in-process renewal"));
    let in_process = rt.block_on(in_process_runs(&env))?;

    progress(&format!(
        "{NAT_COLLEAGUES} valid enrollments at once from one address"
    ));
    let nat = rt.block_on(behind_one_nat(&env))?;

    progress("stopping");
    let Env { api, .. } = env;
    rt.block_on(api.shutdown())
        .context("the account API did not stop cleanly")?;
    drop(rt);
    drop(plane);

    print_report(&Report {
        seconds,
        plane_ready,
        load,
        login,
        csr,
        in_process,
        nat,
        load_average,
        total: begun.elapsed(),
    });
    Ok(())
}

/// What every phase runs against.
struct Env {
    client: kube::Client,
    ca: Arc<AccountCa>,
    /// Every Account's UID by name: the certificates are bound to it.
    uids: std::collections::HashMap<String, String>,
    api: AccountApi,
    _stores: ike::controller::runtime::Stores,
    url: String,
}

impl Env {
    /// Installs the CRDs, creates the Accounts, and starts the account API (its store then
    /// holds every Account: `start` waits for the first list).
    async fn start(plane: &ControlPlane) -> anyhow::Result<Self> {
        let kubeconfig = kube::config::Kubeconfig::read_from(&plane.admin_kubeconfig)?;
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await?;
        let client = kube::Client::try_from(config)?;
        ike::controller::crds::install(&client, &ike::controller::metrics::Metrics::new())
            .await
            .context("cannot install the CRDs")?;

        let accounts: Api<Account> = Api::all(client.clone());
        let wanted = (0..CLIENTS)
            .map(|i| (load_account(i), false))
            .chain([(ADMIN.to_string(), true), (USER.to_string(), false)]);
        let created: Vec<Account> = futures::stream::iter(wanted)
            .map(|(name, admin)| {
                let accounts = accounts.clone();
                async move {
                    let account = Account::new(
                        &name,
                        AccountSpec {
                            admin,
                            ..AccountSpec::default()
                        },
                    );
                    accounts
                        .create(&PostParams::default(), &account)
                        .await
                        .with_context(|| format!("cannot create Account {name}"))
                }
            })
            .buffer_unordered(8)
            .try_collect()
            .await?;
        let uids = created
            .into_iter()
            .map(|a| {
                (
                    a.metadata.name.unwrap_or_default(),
                    a.metadata.uid.unwrap_or_default(),
                )
            })
            .collect();

        let read = |f: &Path| {
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))
        };
        let ca = AccountCa::from_pem(&read(&plane.ca_cert)?, &read(&plane.ca_key)?)?;
        let config = AccountApiConfig::new("127.0.0.1:0".parse()?, ca, &plane.server, SITE);
        let ca = config.ca.clone();
        // The Account watch the API serves from, as the controller's stores hold it.
        let stores =
            ike::controller::runtime::Stores::new(client.clone(), "default", Default::default());
        stores.open();
        let accounts = stores.accounts();
        let api = account_api::start(client.clone(), config, accounts.store(), accounts.listed())
            .await
            .context("cannot start the account API")?;
        let url = format!("https://{}", api.local_addr());
        Ok(Self {
            client,
            ca,
            uids,
            api,
            url,
            _stores: stores,
        })
    }

    fn client_for(&self, account: &str) -> anyhow::Result<AccountClient> {
        client_for(&self.ca, &self.url, account, &self.uids)
    }
}

/// A client of the account API at `url` presenting a certificate for `account` issued by `ca`
/// directly (as an earlier login would have got it).
fn client_for(
    ca: &AccountCa,
    url: &str,
    account: &str,
    uids: &std::collections::HashMap<String, String>,
) -> anyhow::Result<AccountClient> {
    let (key_pem, csr) = pki::new_key_and_csr(account)?;
    let to = pki::AccountBinding {
        account,
        uid: uids.get(account).context("no such Account")?,
        valid_after: None,
    };
    let issued = ca.issue(&csr, &to, Duration::from_secs(3600), SystemTime::now())?;
    Ok(AccountClient::new(
        url,
        Some(ca.cert_pem()),
        Some(Identity {
            cert_pem: &issued.cert_pem,
            key_pem: &key_pem,
        }),
        STEP_TIMEOUT,
    )?)
}

fn load_account(i: usize) -> String {
    format!("load-{i:02}")
}

// ---------------------------------------------------------------------------------------------
// 1. Throughput.

struct Load {
    issued: usize,
    elapsed: Duration,
    latency: Stats,
    errors: usize,
    first_error: Option<String>,
}

async fn throughput(
    ca: Arc<AccountCa>,
    url: &str,
    uids: &std::collections::HashMap<String, String>,
    seconds: Duration,
) -> anyhow::Result<Load> {
    let mut clients = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let account = load_account(i);
        let client = client_for(&ca, url, &account, uids)?;
        // The CSR is made once per client: key generation is the client's cost, and on two
        // cores it would take CPU from the server being measured.
        let request = RenewRequest {
            csr: pki::new_key_and_csr(&account)?.1,
            ttl_seconds: None,
        };
        clients.push((account, client, request));
    }
    // Open every connection, and check what is issued, before measuring.
    for (account, client, request) in &clients {
        let issued = client
            .renew(request)
            .await
            .with_context(|| format!("warm-up renewal of {account} failed"))?;
        let info = pki::cert_info(&issued.certificate)?;
        ensure!(
            info.common_name.as_deref() == Some(account.as_str()),
            "warm-up renewal of {account} issued a certificate for {:?}",
            info.common_name
        );
    }

    let deadline = Instant::now() + seconds;
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|(_, client, request)| {
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut first_error = None;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match client.renew(&request).await {
                        Ok(_) => latencies.push(sent.elapsed()),
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert_with(|| format!("{e:#}"));
                        }
                    }
                }
                (latencies, errors, first_error)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for task in futures::future::join_all(tasks).await {
        let (l, e, first) = task?;
        latencies.extend(l);
        errors += e;
        first_error = first_error.or(first);
    }
    let elapsed = started.elapsed();
    let issued = latencies.len();
    ensure!(
        issued > 0,
        "no certificate issued under load: {}",
        first_error.unwrap_or_default()
    );
    Ok(Load {
        issued,
        elapsed,
        latency: Stats::of(latencies),
        errors,
        first_error,
    })
}

// ---------------------------------------------------------------------------------------------
// 2a. `ike login --site bench`, as a user runs it.

struct Login {
    enroll: Duration,
    renew: Stats,
}

fn ike_login_runs(
    ike: &Path,
    env: &Env,
    rt: &tokio::runtime::Runtime,
    work: &Path,
) -> anyhow::Result<Login> {
    let token = rt.block_on(async {
        let admin = env.client_for(ADMIN)?;
        let token = admin
            .create_token(USER, &TokenRequest::default())
            .await
            .with_context(|| format!("{ADMIN} cannot make a token for {USER}"))?;
        anyhow::Ok(token.token)
    })?;
    let pin = pki::ca_pin(env.ca.cert_pem())?;

    let home = work.join("home");
    std::fs::create_dir_all(&home)?;
    let identity = home
        .join(".local/share/ike/sites")
        .join(SITE)
        .join("identity.pem");
    let login = |args: &[&str]| -> anyhow::Result<Duration> {
        let mut command = Command::new(ike);
        command
            .arg("login")
            .arg("--site")
            .arg(SITE)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("KUBECONFIG", home.join(".kube/config"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let output = command
            .output()
            .with_context(|| format!("cannot run {}", ike.display()))?;
        let took = started.elapsed();
        ensure!(
            output.status.success(),
            "`ike login --site {SITE}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
        ensure!(
            took < STEP_TIMEOUT,
            "`ike login` took {took:?}, more than {STEP_TIMEOUT:?}"
        );
        Ok(took)
    };
    let serial = || -> anyhow::Result<String> {
        let pem = std::fs::read_to_string(&identity)
            .with_context(|| format!("ike login wrote no {}", identity.display()))?;
        let info = pki::cert_info(&pem)?;
        ensure!(
            info.common_name.as_deref() == Some(USER),
            "ike login saved a certificate for {:?}, not {USER}",
            info.common_name
        );
        Ok(info.serial)
    };

    let enroll = login(&["--server", &env.url, "--ca-pin", &pin, "--token", &token])?;
    let mut previous = serial()?;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        times.push(login(&[])?);
        let now = serial()?;
        ensure!(now != previous, "ike login did not replace the certificate");
        previous = now;
    }
    Ok(Login {
        enroll,
        renew: Stats::of(times),
    })
}

// ---------------------------------------------------------------------------------------------
// 2b. The Kubernetes CSR API flow for the same kind of certificate.

struct CsrFlow {
    times: Stats,
    /// The lifetime kube-controller-manager gave the certificate.
    lifetime: Duration,
}

async fn csr_api_runs(env: &Env) -> anyhow::Result<CsrFlow> {
    let csrs: Api<CertificateSigningRequest> = Api::all(env.client.clone());
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for i in 0..RUNS {
        let name = format!("{USER}-{i}");
        let started = Instant::now();
        let pem = tokio::time::timeout(STEP_TIMEOUT, csr_flow(&csrs, &name))
            .await
            .with_context(|| format!("CSR {name} not signed within {STEP_TIMEOUT:?}"))??;
        times.push(started.elapsed());
        last = Some(pem);
        csrs.delete(&name, &DeleteParams::default())
            .await
            .with_context(|| format!("cannot delete CSR {name}"))?;
    }
    let info = pki::cert_info(&last.unwrap_or_default())?;
    ensure!(
        info.common_name.as_deref() == Some(USER),
        "kube-controller-manager signed a certificate for {:?}, not {USER}",
        info.common_name
    );
    Ok(CsrFlow {
        times: Stats::of(times),
        lifetime: info
            .not_after
            .duration_since(info.not_before)
            .unwrap_or_default(),
    })
}

/// Creates a CSR for `CN=<USER>` with a fresh key, approves it, and waits for the certificate
/// (a watch from the approval's resourceVersion: no poll interval is added to the time).
async fn csr_flow(csrs: &Api<CertificateSigningRequest>, name: &str) -> anyhow::Result<String> {
    let (_key, csr_pem) = pki::new_key_and_csr(USER)?;
    let csr = CertificateSigningRequest {
        metadata: kube::api::ObjectMeta {
            name: Some(name.to_string()),
            ..Default::default()
        },
        spec: CertificateSigningRequestSpec {
            request: k8s_openapi::ByteString(csr_pem.into_bytes()),
            signer_name: "kubernetes.io/kube-apiserver-client".into(),
            usages: Some(vec!["client auth".into()]),
            // ike's default lifetime; Kubernetes 1.20 ignores the field (it came in 1.22).
            expiration_seconds: Some(12 * 3600),
            ..Default::default()
        },
        status: None,
    };
    csrs.create(&PostParams::default(), &csr)
        .await
        .with_context(|| format!("cannot create CSR {name}"))?;
    let approval = serde_json::json!({ "status": { "conditions": [{
        "type": "Approved",
        "status": "True",
        "reason": "AccountApiBench",
        "message": "approved by benches/account_api.rs",
    }]}});
    let approved = csrs
        .patch_approval(name, &PatchParams::default(), &Patch::Merge(&approval))
        .await
        .with_context(|| format!("cannot approve CSR {name}"))?;
    if let Some(cert) = certificate(&approved) {
        return Ok(cert);
    }
    let version = approved.metadata.resource_version.unwrap_or_default();
    let params = WatchParams::default()
        .fields(&format!("metadata.name={name}"))
        .timeout(STEP_TIMEOUT.as_secs() as u32);
    let mut events = Box::pin(csrs.watch(&params, &version).await?);
    while let Some(event) = events.try_next().await? {
        match event {
            WatchEvent::Added(csr) | WatchEvent::Modified(csr) => {
                if let Some(cert) = certificate(&csr) {
                    return Ok(cert);
                }
                let conditions = csr.status.and_then(|s| s.conditions).unwrap_or_default();
                if let Some(c) = conditions
                    .iter()
                    .find(|c| c.type_ == "Denied" || c.type_ == "Failed")
                {
                    bail!(
                        "CSR {name} {}: {}",
                        c.type_,
                        c.message.clone().unwrap_or_default()
                    );
                }
            }
            WatchEvent::Deleted(_) => bail!("CSR {name} was deleted while waiting"),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(status) => bail!("watching CSR {name} failed: {status}"),
        }
    }
    bail!("the watch of CSR {name} ended before it was signed")
}

fn certificate(csr: &CertificateSigningRequest) -> Option<String> {
    let cert = csr.status.as_ref()?.certificate.as_ref()?;
    (!cert.0.is_empty()).then(|| String::from_utf8_lossy(&cert.0).into_owned())
}

// ---------------------------------------------------------------------------------------------
// 2c. For reference: one ike renewal on the footing of 2b (in-process, warm connection).

async fn in_process_runs(env: &Env) -> anyhow::Result<Stats> {
    let client = env.client_for(USER)?;
    let renew = async || {
        let request = RenewRequest {
            csr: pki::new_key_and_csr(USER)?.1,
            ttl_seconds: None,
        };
        let issued = client.renew(&request).await?;
        let info = pki::cert_info(&issued.certificate)?;
        ensure!(
            info.common_name.as_deref() == Some(USER),
            "the account API issued a certificate for {:?}, not {USER}",
            info.common_name
        );
        anyhow::Ok(())
    };
    // Opens the connection first, as the kube client's is open before 2b.
    renew().await.context("in-process renewal failed")?;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        renew().await.context("in-process renewal failed")?;
        times.push(started.elapsed());
    }
    Ok(Stats::of(times))
}

// ---------------------------------------------------------------------------------------------
// Set-up helpers.

fn bench_seconds() -> anyhow::Result<Duration> {
    match std::env::var("IKE_BENCH_SECONDS") {
        Err(_) => Ok(Duration::from_secs(10)),
        Ok(s) => match s.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(Duration::from_secs(n)),
            _ => bail!("IKE_BENCH_SECONDS={s:?} is not a whole number of seconds above 0"),
        },
    }
}

/// The release `ike` next to this bench (`target/release/deps/account_api-*` →
/// `target/release/ike`), so `CARGO_TARGET_DIR` is honoured.
fn ike_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .context("cannot tell the target directory from this bench's path")?;
    let ike = profile_dir.join("ike");
    ensure!(
        ike.is_file(),
        "{} not found: build it first with `cargo build --release --bins`",
        ike.display()
    );
    if let Some(newer) = newer_source(&ike) {
        eprintln!(
            "warning: {} is older than {}: run `cargo build --release --bins` to measure the current code",
            ike.display(),
            newer.display()
        );
    }
    Ok(ike)
}

/// A source file changed after `binary` was built, if any.
fn newer_source(binary: &Path) -> Option<PathBuf> {
    let built = std::fs::metadata(binary).and_then(|m| m.modified()).ok()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pending = vec![root.join("src")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|m| m > built)
            {
                return Some(path);
            }
        }
    }
    None
}

/// The 1-minute load average when the bench starts, if the system tells it.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn progress(what: &str) {
    eprintln!("account_api bench: {what} ...");
}

// ---------------------------------------------------------------------------------------------
// 3. Colleagues behind one office NAT.

struct Nat {
    /// Each enrollment's latency, every one of which succeeded.
    latency: Stats,
    /// From the first request sent to the last answer.
    wall: Duration,
}

/// Tokens for `NAT_COLLEAGUES` accounts, then every enrollment at once from 127.0.0.1 on a
/// connection of its own, as `ike login` makes them. Any refusal fails the bench.
async fn behind_one_nat(env: &Env) -> anyhow::Result<Nat> {
    let admin = env.client_for(ADMIN)?;
    let mut tokens = Vec::with_capacity(NAT_COLLEAGUES);
    for i in 0..NAT_COLLEAGUES {
        let account = load_account(i);
        let token = admin
            .create_token(&account, &TokenRequest::default())
            .await
            .with_context(|| format!("{ADMIN} cannot make a token for {account}"))?;
        let (_, csr) = pki::new_key_and_csr(&account)?;
        tokens.push((account, token.token, csr));
    }
    let url = env.url.clone();
    let ca_pem = env.ca.cert_pem().to_string();
    let started = Instant::now();
    let runs = tokens.into_iter().map(|(account, token, csr)| {
        let (url, ca_pem) = (url.clone(), ca_pem.clone());
        tokio::spawn(async move {
            let client = AccountClient::new(&url, Some(&ca_pem), None, STEP_TIMEOUT)?;
            let began = Instant::now();
            let issued = client
                .enroll(&EnrollRequest {
                    token,
                    csr,
                    ttl_seconds: None,
                })
                .await
                .with_context(|| format!("{account}'s valid enrollment was refused"))?;
            ensure!(issued.account == account, "issued for {}", issued.account);
            anyhow::Ok(began.elapsed())
        })
    });
    let mut latency = Vec::with_capacity(NAT_COLLEAGUES);
    for run in futures::future::join_all(runs).await {
        latency.push(run??);
    }
    Ok(Nat {
        latency: Stats::of(latency),
        wall: started.elapsed(),
    })
}

// ---------------------------------------------------------------------------------------------
// The report.

/// Latencies, sorted; percentiles by nearest rank.
struct Stats(Vec<Duration>);

impl Stats {
    fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Self(samples)
    }

    fn pct(&self, p: f64) -> Duration {
        let n = self.0.len();
        let rank = ((p / 100.0 * n as f64).ceil() as usize).clamp(1, n);
        self.0[rank - 1]
    }

    fn min(&self) -> Duration {
        self.0[0]
    }

    fn max(&self) -> Duration {
        self.0[self.0.len() - 1]
    }
}

struct Report {
    seconds: Duration,
    plane_ready: Duration,
    load: Load,
    login: Login,
    csr: CsrFlow,
    in_process: Stats,
    nat: Nat,
    load_average: Option<f64>,
    total: Duration,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// `12345` → `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print_report(r: &Report) {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = &r.load;
    let rate = load.issued as f64 / load.elapsed.as_secs_f64();
    let p99 = load.latency.pct(99.0);
    println!();
    println!("== ike account API benchmark");
    println!(
        "Kubernetes {} local control plane (ready in {:.1} s), {cpus} CPUs, release build, \
         account API in-process on loopback",
        ike::local::K8S_VERSION,
        r.plane_ready.as_secs_f64()
    );
    if let Some(avg) = r.load_average {
        println!(
            "Load average when started: {avg:.2}{}",
            if avg >= 1.0 {
                " (other processes were using the CPUs: the numbers below are pessimistic)"
            } else {
                ""
            }
        );
    }
    println!();
    println!(
        "1. Renewal throughput: {CLIENTS} clients, each with its own account, client certificate \
         and kept-alive connection, POST /v1/renew for {} s",
        r.seconds.as_secs()
    );
    println!(
        "   certificates issued  {} in {:.1} s = {}/s   (goal >= {}/s: {})",
        thousands(load.issued as u64),
        load.elapsed.as_secs_f64(),
        thousands(rate.round() as u64),
        thousands(GOAL_RATE as u64),
        verdict(rate >= GOAL_RATE)
    );
    println!(
        "   latency              p50 {}, p90 {}, p99 {}, max {}   (goal p99 < {}: {})",
        ms(load.latency.pct(50.0)),
        ms(load.latency.pct(90.0)),
        ms(p99),
        ms(load.latency.max()),
        ms(GOAL_P99),
        verdict(p99 < GOAL_P99)
    );
    println!(
        "   errors               {}{}",
        load.errors,
        load.first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    println!(
        "   closed loop, so mean latency = {CLIENTS} / rate; the clients (own runtime, same \
         process) share the CPUs with the account API, kube-apiserver and etcd"
    );
    println!();
    println!("2. One renewal of the same certificate (CN={USER}, client auth), {RUNS} runs each");
    println!(
        "   {:<48} {:>9} {:>9} {:>9} {:>9}",
        "", "median", "p90", "min", "max"
    );
    let row = |what: &str, s: &Stats| {
        println!(
            "   {what:<48} {:>9} {:>9} {:>9} {:>9}",
            ms(s.pct(50.0)),
            ms(s.pct(90.0)),
            ms(s.min()),
            ms(s.max())
        );
    };
    row(
        &format!("(a) ike login --site {SITE} (process wall time)"),
        &r.login.renew,
    );
    row(
        "(b) Kubernetes CSR API: create, approve, wait",
        &r.csr.times,
    );
    row("(c) for reference: ike renewal in-process", &r.in_process);
    let median = |s: &Stats| s.pct(50.0).as_secs_f64();
    let ratio = median(&r.csr.times) / median(&r.login.renew);
    println!(
        "   (b) / (a), medians: {ratio:.1}x   (goal: ike login >= {GOAL_RATIO:.0}x faster: {})",
        verdict(ratio >= GOAL_RATIO)
    );
    println!(
        "   (b) / (c), medians: {:.1}x   (same footing: no process start, connection already \
         open)",
        median(&r.csr.times) / median(&r.in_process)
    );
    let notes = [
        "(a) the release ike binary, HOME, XDG_* and KUBECONFIG in a temporary directory:"
            .to_string(),
        "    process start, a new key, the mTLS request on a new connection, key, certificate"
            .to_string(),
        format!(
            "    and kubeconfig written (the first login, with the token and CA pin: {})",
            ms(r.login.enroll)
        ),
        "(b) cluster admin, kube-rs client with its connection open: a new key and CSR, create"
            .to_string(),
        "    a certificates.k8s.io/v1 CSR (signer kubernetes.io/kube-apiserver-client, usage"
            .to_string(),
        "    client auth), PATCH its /approval (Approved), watch it until kube-controller-manager"
            .to_string(),
        "    sets status.certificate. It asks for expirationSeconds 43200 (ike's 12 h), which"
            .to_string(),
        format!(
            "    Kubernetes 1.20 ignores (added in 1.22): the certificate lives {:.0} days",
            r.csr.lifetime.as_secs_f64() / 86_400.0
        ),
        "(c) AccountClient in this process, connection open: a new key and CSR, POST /v1/renew"
            .to_string(),
    ];
    for note in notes {
        println!("   {note}");
    }
    println!();
    println!(
        "3. {NAT_COLLEAGUES} colleagues behind one NAT: valid enrollments at once from 127.0.0.1, \
         each on its own connection, the enrollment limit at its default"
    );
    println!(
        "   all {NAT_COLLEAGUES} issued in {:.1} s; latency p50 {}, p99 {}, max {}",
        r.nat.wall.as_secs_f64(),
        ms(r.nat.latency.pct(50.0)),
        ms(r.nat.latency.pct(99.0)),
        ms(r.nat.latency.max())
    );
    println!();
    println!("Total run time {:.1} s", r.total.as_secs_f64());
}
