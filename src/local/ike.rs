//! The complete local IKE: a real control plane plus a running `ike-controller`, for development
//! (`ike-controller local up`) and for the e2e tests (`tests/e2e/harness.rs`).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Subcommand;

use super::{Binaries, ControlPlane};

/// `ike-controller local ...`
#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Install what a fresh machine lacks: Debian packages and the control-plane build (cached).
    Install,
    /// Start a complete local IKE in the background (installing first if needed) and print how
    /// to use it.
    Up {
        /// Where the local IKE keeps its data, certificates and logs.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Stop the local IKE started by `up`.
    Down {
        /// The directory given to `up`.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Run the local IKE's Barry stand-in (started by `up`).
    #[command(hide = true)]
    Barry {
        /// Where it listens.
        #[arg(long, value_name = "ADDR")]
        listen: SocketAddr,
        /// Where it records the alerts it receives.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
}

/// How to start a local IKE.
#[derive(Clone, Debug)]
pub struct StartOptions {
    /// Data, certificates and logs.
    pub dir: PathBuf,
    /// Survive this process (`local up`) or die with it (tests).
    pub detach: bool,
    /// The `ike-controller` binary to run.
    pub controller_exe: PathBuf,
    /// Use this existing cluster (an admin kubeconfig) instead of starting a control plane.
    pub existing_kubeconfig: Option<PathBuf>,
    /// With an existing cluster: its client CA certificate and key, for the account API.
    pub existing_ca: Option<(PathBuf, PathBuf)>,
    /// The first platform admin the controller creates, with a one-time token.
    pub bootstrap_admin: String,
    /// The site's name.
    pub site: String,
    /// More `ike-controller run` flags (tests: limits made for one machine running everyone).
    pub extra_controller_args: Vec<String>,
}

/// A running local IKE. Dropping it stops what it started, unless it was detached.
pub struct LocalIke {
    /// The control plane, when this process started one.
    pub plane: Option<ControlPlane>,
    /// An admin kubeconfig for the cluster.
    pub admin_kubeconfig: PathBuf,
    /// Where the controller serves /healthz, /readyz and /metrics.
    pub controller_addr: SocketAddr,
    /// The controller process: its pid, and how to start it again.
    controller: std::sync::Mutex<ControllerProcess>,
    /// `https://127.0.0.1:PORT` of the account API.
    pub account_api: String,
    /// `https://127.0.0.1:PORT` of the admission webhooks (a listener of their own).
    pub webhooks: String,
    /// `https://127.0.0.1:PORT` of the notification relay (a listener of its own).
    pub relay: String,
    /// The site's name.
    pub site: String,
    /// The cluster's client CA certificate and key (PEM files).
    pub ca_cert: PathBuf,
    /// See `ca_cert`.
    pub ca_key: PathBuf,
    /// The first admin's one-time token, when the controller created the admin just now.
    pub bootstrap_token: Option<String>,
    /// The Office DNS server (BIND) the controller publishes to.
    pub bind: Option<super::bind::Bind>,
    /// Alertmanager and the SMTP server notifications go through.
    pub notifications: super::Notifications,
    /// The Barry stand-in the controller sends to, when the local IKE runs its own (the tests
    /// bring theirs).
    pub barry: Option<super::barry::process::LocalBarry>,
    detach: bool,
}

impl Drop for LocalIke {
    fn drop(&mut self) {
        if !self.detach {
            super::terminate(&[self.controller_pid()]);
        }
    }
}

/// How `ike-controller` was started, to start it again.
struct ControllerProcess {
    pid: u32,
    exe: PathBuf,
    args: Vec<std::ffi::OsString>,
    log: PathBuf,
    detach: bool,
}

impl ControllerProcess {
    fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let mut cmd = Command::new(&self.exe);
        cmd.args(&self.args)
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        self.pid = super::spawn(cmd, self.detach)
            .with_context(|| format!("cannot start {}", self.exe.display()))?;
        Ok(())
    }

    /// Waits until `/readyz` answers 200; fails with the log's tail if the process dies first.
    fn wait_ready(&self, url: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok((200, _)) = http_get(url, "/readyz") {
                return Ok(());
            }
            if !super::is_alive(self.pid) || Instant::now() > deadline {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                bail!(
                    "ike-controller did not become ready; last log lines:\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl LocalIke {
    /// The controller's pid.
    pub fn controller_pid(&self) -> u32 {
        self.controller.lock().expect("not poisoned").pid
    }

    /// Kills the controller with SIGKILL (wherever it is, mid-reconcile included), starts it
    /// again with the same arguments and waits until it is ready. For tests of convergence.
    pub fn restart_controller(&self) -> anyhow::Result<()> {
        let mut process = self.controller.lock().expect("not poisoned");
        super::process_kill(process.pid);
        process.spawn()?;
        process.wait_ready(&format!("http://{}", self.controller_addr))
    }
}

/// The first platform admin of a local IKE.
pub const LOCAL_ADMIN: &str = "platform-admin";

/// Where a local IKE's controller writes the first admin's one-time token (0600).
fn bootstrap_token_file(dir: &Path) -> PathBuf {
    dir.join("bootstrap-token")
}

/// The pids file of a local IKE's directory.
fn pids_file(dir: &Path) -> PathBuf {
    dir.join("pids")
}

/// Starts the control plane (unless an existing cluster is given) and the controller, and waits
/// until the controller is ready (its CRDs are installed).
pub fn start(options: &StartOptions) -> anyhow::Result<LocalIke> {
    start_with_barry(options, None)
}

/// [`start`], with the controller sending to Barry at `barry_url` (the e2e tests pass their
/// fake's); without one, the local IKE starts its own stand-in ([`super::barry::process`]).
pub fn start_with_barry(
    options: &StartOptions,
    barry_url: Option<&str>,
) -> anyhow::Result<LocalIke> {
    std::fs::create_dir_all(&options.dir)
        .with_context(|| format!("cannot create {}", options.dir.display()))?;
    let (plane, admin_kubeconfig, (ca_cert, ca_key)) = match &options.existing_kubeconfig {
        Some(kubeconfig) => (
            None,
            kubeconfig.clone(),
            options.existing_ca.clone().context(
                "an existing cluster needs its client CA for the account API: set IKE_CA_CERT and IKE_CA_KEY",
            )?,
        ),
        None => {
            let bins = Binaries::locate()?;
            let plane = ControlPlane::start(
                &bins,
                super::Options {
                    dir: options.dir.join("control-plane"),
                    detach: options.detach,
                    // Real clusters allow privileged pods in principle; ike's own admission
                    // webhook is what refuses them in tenant namespaces.
                    extra_apiserver_args: vec!["--allow-privileged=true".into()],
                },
            )?;
            let kubeconfig = plane.admin_kubeconfig.clone();
            let ca = (plane.ca_cert.clone(), plane.ca_key.clone());
            (Some(plane), kubeconfig, ca)
        }
    };
    let controller_addr = SocketAddr::from(([127, 0, 0, 1], super::free_port()?));
    let account_addr = SocketAddr::from(([127, 0, 0, 1], super::free_port()?));
    let account_api = format!("https://{account_addr}");
    let notifications = super::notify::start(&options.dir, options.detach)?;
    let barry = match barry_url {
        Some(_) => None,
        None => Some(super::barry::process::start(
            &options.controller_exe,
            &options.dir.join("barry"),
            options.detach,
        )?),
    };
    let barry_url = barry_url.or(barry.as_ref().map(|b| b.url.as_str()));
    let webhook_addr = SocketAddr::from(([127, 0, 0, 1], super::free_port()?));
    let webhooks = format!("https://{webhook_addr}");
    let relay_addr = SocketAddr::from(([127, 0, 0, 1], super::free_port()?));
    let relay = format!("https://{relay_addr}");
    let token_file = bootstrap_token_file(&options.dir);
    let _ = std::fs::remove_file(&token_file);
    let log = options.dir.join("ike-controller.log");
    let _ = std::fs::remove_file(&log);
    let mut cmd = Command::new(&options.controller_exe);
    cmd.arg("run")
        .arg("--kubeconfig")
        .arg(&admin_kubeconfig)
        .arg("--listen")
        .arg(controller_addr.to_string())
        .arg("--ca-cert")
        .arg(&ca_cert)
        .arg("--ca-key")
        .arg(&ca_key)
        .arg("--account-api-listen")
        .arg(account_addr.to_string())
        .args(["--site", &options.site])
        .arg("--webhook-listen")
        .arg(webhook_addr.to_string())
        .args(["--webhook-url", &webhooks])
        .arg("--relay-listen")
        .arg(relay_addr.to_string())
        .args(["--bootstrap-admin", &options.bootstrap_admin])
        .arg("--bootstrap-token-file")
        .arg(&token_file)
        .args(&options.extra_controller_args)
        .arg("--allow-insecure-destinations")
        .args(notifications.controller_args(&format!("https://{relay_addr}"), &ca_cert, barry_url));
    let mut process = ControllerProcess {
        pid: 0,
        exe: options.controller_exe.clone(),
        args: cmd.get_args().map(|a| a.to_os_string()).collect(),
        log,
        detach: options.detach,
    };
    process.spawn()?;
    let ready = process.wait_ready(&format!("http://{controller_addr}"));
    let controller_pid = process.pid;
    let mut local = LocalIke {
        plane,
        admin_kubeconfig,
        controller_addr,
        controller: std::sync::Mutex::new(process),
        account_api,
        webhooks,
        relay,
        site: options.site.clone(),
        ca_cert,
        ca_key,
        bootstrap_token: None,
        bind: None,
        notifications,
        barry,
        detach: options.detach,
    };
    ready?;
    let bind = super::office::start(
        &options.dir.join("office-dns"),
        options.detach,
        &local.admin_kubeconfig,
    )?;
    let bind_pid = bind.pid;
    local.bind = Some(bind);
    local.bootstrap_token = std::fs::read_to_string(&token_file)
        .ok()
        .map(|t| t.trim().to_string());
    // Processes are stopped last line first: the controller before the control plane.
    let mut pids: Vec<u32> = local.plane.iter().flat_map(|p| p.pids.clone()).collect();
    pids.extend(&local.notifications.pids);
    pids.extend(local.barry.as_ref().map(|b| b.pid));
    pids.push(bind_pid);
    pids.push(controller_pid);
    std::fs::write(
        pids_file(&options.dir),
        pids.iter().map(|p| format!("{p}\n")).collect::<String>(),
    )?;
    Ok(local)
}

/// A plain HTTP/1.1 GET without TLS, returning (status, body). Enough for health checks.
pub fn http_get(base: &str, path: &str) -> std::io::Result<(u16, String)> {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("not an HTTP response"))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or("");
    Ok((status, body.to_string()))
}

fn default_dir() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "ike")
        .context("cannot find the home directory: pass --dir")?;
    Ok(dirs
        .state_dir()
        .unwrap_or_else(|| dirs.data_local_dir())
        .join("local"))
}

/// Runs `ike-controller local ...`.
pub fn run(cmd: LocalCommand) -> anyhow::Result<()> {
    match cmd {
        LocalCommand::Install => {
            let bins = Binaries::install(&mut std::io::stderr())?;
            println!(
                "control plane {} ready: {}, {}, {}",
                super::K8S_VERSION,
                bins.etcd.display(),
                bins.kube_apiserver.display(),
                bins.kube_controller_manager.display()
            );
            Ok(())
        }
        LocalCommand::Up { dir } => {
            let dir = match dir {
                Some(d) => d,
                None => default_dir()?,
            };
            if pids_file(&dir).exists() && !running(&pids_file(&dir)) {
                // Left by a crash or a reboot: nothing of it runs any more.
                std::fs::remove_file(pids_file(&dir))?;
            }
            if pids_file(&dir).exists() {
                bail!(
                    "a local IKE already runs from {}: stop it with 'ike-controller local down{}'",
                    dir.display(),
                    dir_flag(&dir)?
                );
            }
            if Binaries::locate().is_err() {
                eprintln!(
                    "control-plane binaries not cached yet: installing (about 6 minutes, once)"
                );
                Binaries::install(&mut std::io::stderr())?;
            }
            let local = start(&StartOptions {
                dir: dir.clone(),
                detach: true,
                controller_exe: std::env::current_exe()?,
                existing_kubeconfig: None,
                existing_ca: None,
                bootstrap_admin: LOCAL_ADMIN.into(),
                site: "local".into(),
                extra_controller_args: Vec::new(),
            })?;
            let bin_dir = super::build::ike_next_to_controller()?;
            let pin = crate::pki::ca_pin(&std::fs::read_to_string(&local.ca_cert)?)?;
            print!(
                "{}",
                greeting(&Greeting {
                    dir: &dir,
                    bin_dir: &bin_dir,
                    local: &local,
                    ca_pin: &pin,
                    down_flag: &dir_flag(&dir)?,
                })
            );
            Ok(())
        }
        LocalCommand::Barry { listen, dir } => super::barry::process::serve(listen, &dir),
        LocalCommand::Down { dir } => {
            let dir = match dir {
                Some(d) => d,
                None => default_dir()?,
            };
            let pids = pids_file(&dir);
            if !pids.exists() {
                bail!(
                    "no local IKE runs from {} (no {} file)",
                    dir.display(),
                    pids.display()
                );
            }
            ControlPlane::stop_pids_file(&pids)?;
            std::fs::remove_file(&pids)?;
            println!("Local IKE stopped; its data stays in {}.", dir.display());
            Ok(())
        }
    }
}

/// Whether any process listed in a pids file still runs.
fn running(pids: &Path) -> bool {
    std::fs::read_to_string(pids)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .any(super::is_alive)
}

fn dir_flag(dir: &Path) -> anyhow::Result<String> {
    Ok(if *dir == default_dir()? {
        String::new()
    } else {
        format!(" --dir {}", dir.display())
    })
}

/// What `local up` tells the person who ran it.
struct Greeting<'a> {
    dir: &'a Path,
    bin_dir: &'a Path,
    local: &'a LocalIke,
    ca_pin: &'a str,
    down_flag: &'a str,
}

/// The text `local up` prints: how to put both programs on PATH, the ready `ike login` command
/// of the first admin, and what to try next. README's Usage shows it, and a test keeps the two
/// equal.
fn greeting(g: &Greeting<'_>) -> String {
    let mut out = format!(
        "Local IKE is up ({dir}).\n\nPut ike and ike-controller on your PATH:\n\n  export PATH={bin}:$PATH\n\n",
        dir = g.dir.display(),
        bin = g.bin_dir.display(),
    );
    match &g.local.bootstrap_token {
        // The token stays in its 0600 file: not on the screen, in ps or in the shell's history.
        Some(_) => out.push_str(&format!(
            "Log in as the platform admin '{LOCAL_ADMIN}' (the token in the file works once):\n\n  ike login --site {site} --server {api} --ca-pin {pin} --token-file {file}\n\n",
            site = g.local.site,
            api = g.local.account_api,
            pin = g.ca_pin,
            file = bootstrap_token_file(g.dir).display(),
        )),
        None => out.push_str(&format!(
            "The platform admin '{LOCAL_ADMIN}' has logged in before; renew with:\n\n  ike login --site {}\n\n",
            g.local.site
        )),
    }
    out.push_str(&format!(
        "Then:\n\n  ike whoami                           # you, as the site knows you\n  kubectl get crd                      # ike's CRDs, installed by the controller\n  curl http://{}/metrics   # the controller's metrics\n\n",
        g.local.controller_addr
    ));
    if let Some(bind) = &g.local.bind {
        out.push_str(&format!(
            "Office DNS: BIND serves {zone} on {addr}; ike-controller publishes there:\n\n  ike expose deploy/web --hostname web.{zone}\n  dig @127.0.0.1 -p {port} web.{zone}\n\n",
            zone = bind.zone,
            addr = bind.addr(),
            port = bind.port,
        ));
    }
    out.push_str(&format!(
        "Notifications (ike notify ...) go through a local Alertmanager and SMTP server:\n\n  Alertmanager's UI:   {}/\n  Mail it sent:        ls {}/new\n\n",
        g.local.notifications.alertmanager_url,
        g.local.notifications.mail_dir.display()
    ));
    if let Some(barry) = &g.local.barry {
        out.push_str(&format!(
            "Barry (ike notify barry ...) is a local stand-in that takes any token:\n\n  Its channels and alerts: curl {}/\n  Alerts it received:      {}\n\n",
            barry.url,
            barry.alerts_file.display()
        ));
    }
    out.push_str(&format!(
        "The cluster's own admin kubeconfig (system:masters) is {}.\nLogs are in {}. Stop everything with: ike-controller local down{}\n",
        g.local.admin_kubeconfig.display(),
        g.dir.display(),
        g.down_flag
    ));
    out
}
