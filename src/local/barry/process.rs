//! The local IKE's Barry: the [`BarryFake`](super::BarryFake) as a process of its own
//! (`ike-controller local barry`, started by `local up` like the SMTP server, stopped by
//! `local down`), taking any token, so that `ike notify barry` opens channels and
//! `ike notify test` delivers to them on a machine without the real Barry.
//!
//! What it received is in two places: `GET /` on its URL (channels and alerts, as JSON), and
//! `alerts.jsonl` in its directory, one alert per line, kept across restarts. Its channels live
//! as long as the process: after a restart the controller opens them again by name.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use super::{BarryFake, Options, Tokens};

/// The file in the stand-in's directory that each alert it accepts is appended to.
pub const ALERTS_FILE: &str = "alerts.jsonl";
/// How long the process gets to answer.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The local IKE's running Barry stand-in.
#[derive(Debug)]
pub struct LocalBarry {
    /// `http://127.0.0.1:PORT`: the controller's `--barry-url`, and `GET /` for people.
    pub url: String,
    /// Each alert it accepted, one JSON line each.
    pub alerts_file: PathBuf,
    /// Its pid.
    pub pid: u32,
    detach: bool,
}

impl Drop for LocalBarry {
    fn drop(&mut self) {
        if !self.detach {
            crate::local::terminate(&[self.pid]);
        }
    }
}

/// The `ike-controller` arguments that run the stand-in on `listen`, recording into `dir`.
pub fn args(listen: SocketAddr, dir: &Path) -> Vec<std::ffi::OsString> {
    vec![
        "local".into(),
        "barry".into(),
        "--listen".into(),
        listen.to_string().into(),
        "--dir".into(),
        dir.as_os_str().to_owned(),
    ]
}

/// Starts `controller_exe local barry` on a free port, recording into `dir`, and waits until it
/// answers; its output goes to `barry.log` next to `dir`.
pub fn start(controller_exe: &Path, dir: &Path, detach: bool) -> anyhow::Result<LocalBarry> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let listen = SocketAddr::from(([127, 0, 0, 1], crate::local::free_port()?));
    let log_path = dir.with_extension("log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    let mut cmd = Command::new(controller_exe);
    cmd.args(args(listen, dir))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    let pid = crate::local::spawn(cmd, detach).context("cannot start the Barry stand-in")?;
    let local = LocalBarry {
        url: format!("http://{listen}"),
        alerts_file: dir.join(ALERTS_FILE),
        pid,
        detach,
    };
    let deadline = Instant::now() + READY_TIMEOUT;
    while !matches!(crate::local::http_get(&local.url, "/"), Ok((200, _))) {
        if !crate::local::is_alive(pid) || Instant::now() > deadline {
            bail!(
                "the Barry stand-in did not start; last lines of {}: {}",
                log_path.display(),
                crate::local::log_tail(&log_path)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(local)
}

/// Runs the stand-in on `listen` until SIGTERM or SIGINT (`ike-controller local barry`).
pub fn serve(listen: SocketAddr, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let fake = BarryFake::start_with(Options {
            tokens: Tokens::Any,
            listen,
            alerts_file: Some(dir.join(ALERTS_FILE)),
        })
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
        eprintln!(
            "Barry stand-in on {}: any token is an account of its own",
            fake.url
        );
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(())
    })
}
