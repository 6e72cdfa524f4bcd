//! The local IKE's notification pieces: a real Alertmanager (Debian's `prometheus-alertmanager`,
//! one instance: `--cluster.listen-address=` empty) and a real SMTP server that keeps every
//! message in a maildir (Debian's `python3-aiosmtpd`), both on free loopback ports, and what
//! `ike-controller` needs to be told to drive them.
//!
//! Alertmanager starts on the base configuration (global SMTP settings pointing at the local
//! server, short group timings so that alerts show up within seconds); the controller creates
//! the base Secret from the same file and then writes the rendered configuration over it and
//! reloads. The relay token is made here and read by both, Alertmanager through its
//! `credentials_file`.

use std::ffi::OsString;
use std::io::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// Where Debian installs Alertmanager.
const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";
/// The Python that has Debian's aiosmtpd (the first `python3` on PATH may be another one).
const PYTHON: &str = "/usr/bin/python3";
/// How long each process gets to answer.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The running Alertmanager and SMTP server of a local IKE.
#[derive(Debug)]
pub struct Notifications {
    /// `http://127.0.0.1:PORT` of Alertmanager (API and UI).
    pub alertmanager_url: String,
    /// Where the SMTP server keeps what it received (a maildir: new messages in `new/`).
    pub mail_dir: PathBuf,
    /// The configuration file Alertmanager runs and the controller writes.
    pub config_file: PathBuf,
    /// The base configuration the controller seeds its base Secret with.
    pub base_file: PathBuf,
    /// The token Alertmanager presents to the relay.
    pub relay_token_file: PathBuf,
    /// The SMTP server's pid, then Alertmanager's (start order).
    pub pids: Vec<u32>,
    detach: bool,
}

impl Drop for Notifications {
    fn drop(&mut self) {
        if !self.detach {
            super::terminate(&self.pids);
        }
    }
}

/// The local base configuration: every e-mail to the local SMTP server, alerts grouped per
/// namespace and name, sent a second after they arrive and again five seconds after a change
/// or a failed delivery.
pub fn base_config(smtp: SocketAddr) -> String {
    format!(
        "# The local IKE's base Alertmanager configuration (the platform's part); ike-controller
# adds one receiver and route per tenant notification config.
global:
  smtp_smarthost: {smtp}
  smtp_from: alertmanager@ike.local
  smtp_require_tls: false
route:
  receiver: platform
  group_by: [namespace, alertname]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 4h
receivers:
- name: platform
"
    )
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

fn random_token() -> anyhow::Result<String> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("no randomness for the relay token"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn log_file(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

fn require(program: &str) -> anyhow::Result<()> {
    if !Path::new(program).is_file() {
        bail!(
            "{program} not found: run 'ike-controller local install' (installs Debian's prometheus-alertmanager and python3-aiosmtpd)"
        );
    }
    Ok(())
}

/// Starts the SMTP server and Alertmanager in `dir` and waits until both answer.
pub fn start(dir: &Path, detach: bool) -> anyhow::Result<Notifications> {
    require(ALERTMANAGER)?;
    require(PYTHON)?;
    let am_dir = dir.join("alertmanager");
    let mail_dir = dir.join("mail");
    // A maildir is three directories; aiosmtpd makes them only when the maildir is missing.
    let dirs = [
        am_dir.clone(),
        mail_dir.join("new"),
        mail_dir.join("cur"),
        mail_dir.join("tmp"),
    ];
    for d in &dirs {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let smtp = SocketAddr::from(([127, 0, 0, 1], super::free_port()?));
    let am = SocketAddr::from(([127, 0, 0, 1], super::free_port()?));
    let base = base_config(smtp);
    let base_file = am_dir.join("base.yml");
    let config_file = am_dir.join("alertmanager.yml");
    let relay_token_file = dir.join("relay-token");
    write_private(&base_file, &base)?;
    write_private(&config_file, &base)?;
    write_private(&relay_token_file, &random_token()?)?;
    let mut local = Notifications {
        alertmanager_url: format!("http://{am}"),
        mail_dir: mail_dir.clone(),
        config_file: config_file.clone(),
        base_file,
        relay_token_file,
        pids: Vec::new(),
        detach,
    };

    let log = log_file(&dir.join("smtp.log"))?;
    let mut cmd = Command::new(PYTHON);
    cmd.args(["-m", "aiosmtpd", "-n", "-l", &smtp.to_string()])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&mail_dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    local
        .pids
        .push(super::spawn(cmd, detach).context("cannot start the SMTP server")?);
    wait_until(
        "the SMTP server",
        &dir.join("smtp.log"),
        local.pids[0],
        || TcpStream::connect_timeout(&smtp, Duration::from_millis(200)).is_ok(),
    )?;

    let log_path = dir.join("alertmanager.log");
    let log = log_file(&log_path)?;
    let mut cmd = Command::new(ALERTMANAGER);
    cmd.arg(format!("--config.file={}", config_file.display()))
        .arg(format!("--storage.path={}", am_dir.join("data").display()))
        .arg(format!("--web.listen-address={am}"))
        .arg(format!("--web.external-url=http://{am}/"))
        .arg("--cluster.listen-address=")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    local
        .pids
        .push(super::spawn(cmd, detach).context("cannot start Alertmanager")?);
    let base_url = local.alertmanager_url.clone();
    wait_until("Alertmanager", &log_path, local.pids[1], || {
        matches!(super::http_get(&base_url, "/-/ready"), Ok((200, _)))
    })?;
    Ok(local)
}

fn wait_until(what: &str, log: &Path, pid: u32, ready: impl Fn() -> bool) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    while !ready() {
        if !super::is_alive(pid) || Instant::now() > deadline {
            bail!(
                "{what} did not start; last lines of {}: {}",
                log.display(),
                super::log_tail(log)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

impl Notifications {
    /// The `ike-controller run` flags that wire the controller to these, with the relay on its
    /// listener `relay_base` (`https://127.0.0.1:PORT`) whose certificate `ca` signed.
    pub fn controller_args(
        &self,
        relay_base: &str,
        ca: &Path,
        barry: Option<&str>,
    ) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "--alertmanager-config-file".into(),
            self.config_file.clone().into(),
            "--alertmanager-url".into(),
            self.alertmanager_url.clone().into(),
            "--alertmanager-base-seed".into(),
            self.base_file.clone().into(),
            "--relay-url".into(),
            format!("{relay_base}/relay").into(),
            "--relay-token-file".into(),
            self.relay_token_file.clone().into(),
            "--relay-credentials-file".into(),
            self.relay_token_file.clone().into(),
            "--relay-ca-file".into(),
            ca.as_os_str().to_owned(),
        ];
        if let Some(url) = barry {
            args.extend(["--barry-url".into(), url.into()]);
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_base_sends_mail_to_the_local_server() {
        let base = base_config(SocketAddr::from(([127, 0, 0, 1], 2525)));
        assert!(base.contains("smtp_smarthost: 127.0.0.1:2525"));
        assert!(base.contains("smtp_require_tls: false"));
        assert_eq!(random_token().unwrap().len(), 64);
    }
}
