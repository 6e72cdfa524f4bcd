//! The local IKE: a real Kubernetes control plane on loopback (etcd, kube-apiserver and
//! kube-controller-manager, [`plane`]) and a complete IKE on top of it ([`ike`]: the control plane
//! plus a running `ike-controller`), for development (`ike-controller local ...`) and the e2e
//! tests.
//!
//! Owns installing their binaries (built once from Debian's source, then cached), generating the
//! plane's certificates, starting the processes on free ports, waiting until the apiserver is
//! ready, and stopping them again by pid. Synchronous on purpose: the e2e tests share one plane
//! from plain `#[test]`s, and `ike-controller local up/down` runs before any async runtime.
//!
//! There is no scheduler and no kubelet; see `shared/CONTROL_PLANE.md` for what works.

/// The stand-in for Barry the tests and the local IKE use.
pub mod barry;
/// A real BIND 9 `named` serving one dynamic zone, for the DNS tests and the local IKE.
pub mod bind;
mod build;
mod certs;
mod ike;
mod install;
mod notify;
/// The local IKE's Office DNS: BIND, its key Secret and the Site pointing at it.
pub mod office;
mod plane;
mod ports;
mod probe;
mod process;

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use build::{ike_build_command, nested_cargo_env};
pub use certs::CertAndKey;
pub use ike::{
    LOCAL_ADMIN, LocalCommand, LocalIke, StartOptions, http_get, run, start, start_with_barry,
};
pub use notify::Notifications;
pub use plane::ControlPlane;

/// The Kubernetes version of the control plane (the newest Debian's source can build here).
pub const K8S_VERSION: &str = "v1.20.2";
/// The revision of the build recipe, part of the cache directory's name, so binaries from an
/// older recipe are rebuilt. Revision 3 fixes two Go 1.18+ incompatibilities of the vendored
/// code: reflect2 1.0.1 (kube-apiserver crashed on the first custom resource it stored) and the
/// schema validator reading empty strings as null.
pub const BUILD_REVISION: u32 = 3;

/// How long [`ControlPlane::start`] waits for `/readyz`.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const READY_POLL: Duration = Duration::from_millis(100);
/// How long kube-controller-manager must stay up before the plane counts as started.
const KCM_SETTLE: Duration = Duration::from_millis(300);
/// Lines of a child's log quoted in errors.
const LOG_TAIL: usize = 5;
/// Admission plugins always enabled (the tenant node-selector relies on PodNodeSelector).
const ADMISSION_PLUGINS: &str = "PodNodeSelector";
const ADMISSION_FLAG: &str = "--enable-admission-plugins=";
/// Alpha on 1.20, on by default in the clusters ike runs on (ephemeral containers from 1.23,
/// generic ephemeral volumes from 1.21): on here, so that `kubectl debug` and
/// `volumes[].ephemeral` reach the webhooks as they do there. kube-controller-manager's
/// ephemeral volume controller needs the gate too.
const FEATURE_GATES: &str = "--feature-gates=EphemeralContainers=true,GenericEphemeralVolume=true";
/// Controllers that need nodes, clouds or volumes, none of which exist here.
const KCM_CONTROLLERS: &str = "*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service,-route,\
                               -attachdetach,-persistentvolume-binder,-persistentvolume-expander,-ttl";

const ETCD: &str = "etcd";
const KUBE_APISERVER: &str = "kube-apiserver";
const KUBE_CONTROLLER_MANAGER: &str = "kube-controller-manager";

/// What went wrong installing, starting or stopping the local control plane.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// kube-apiserver or kube-controller-manager is not in the cache directory.
    #[error(
        "{name} {K8S_VERSION} not found in {}: run 'ike-controller local install' (builds it from \
         Debian's kubernetes source, about 6 minutes) or set IKE_K8S_BIN_DIR",
        dir.display()
    )]
    MissingBinary {
        /// File name of the binary.
        name: &'static str,
        /// The cache directory that was searched.
        dir: PathBuf,
    },
    /// etcd is neither on PATH nor at /usr/bin/etcd (and $IKE_ETCD is not set).
    #[error(
        "etcd not found on PATH or at /usr/bin/etcd: run 'ike-controller local install' \
         (installs Debian's etcd-server) or set IKE_ETCD"
    )]
    MissingEtcd,
    /// $IKE_ETCD is set but does not name an executable file.
    #[error("IKE_ETCD={} is not an executable file: point it at etcd or unset it", path.display())]
    BadEtcdPath {
        /// The value of $IKE_ETCD.
        path: PathBuf,
    },
    /// [`Binaries::install`] needs root for apt-get and /etc/apt.
    #[error(
        "installing the control-plane binaries needs root (it runs apt-get): run 'ike-controller \
         local install' as root, or set IKE_K8S_BIN_DIR to a directory holding kube-apiserver and \
         kube-controller-manager {K8S_VERSION}"
    )]
    InstallNeedsRoot,
    /// One step of [`Binaries::install`] failed.
    #[error("install step '{step}' failed: `{command}`: {detail}")]
    InstallStep {
        /// What the step does, e.g. "build kube-apiserver and kube-controller-manager".
        step: &'static str,
        /// The command, as it could be pasted into a shell.
        command: String,
        /// Exit status or spawn error, and where the full output is.
        detail: String,
    },
    /// A file-system operation failed.
    #[error("could not {what}")]
    Io {
        /// The operation, e.g. "write /tmp/x/ca.key".
        what: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Certificates or keys could not be generated or loaded.
    #[error("could not create the control plane's certificates")]
    Pki(#[source] certs::PkiError),
    /// No free port on 127.0.0.1.
    #[error("could not find a free port on 127.0.0.1")]
    NoFreePort(#[source] io::Error),
    /// The readiness-probe TLS client could not be built from the generated certificates.
    #[error("could not build the TLS client for the readiness probe: {0}")]
    ProbeClient(String),
    /// A child process could not be spawned.
    #[error("could not start {name} ({})", path.display())]
    Spawn {
        /// Which component.
        name: &'static str,
        /// Its binary.
        path: PathBuf,
        /// The spawn error.
        #[source]
        source: io::Error,
    },
    /// A child exited while the plane was starting.
    #[error("{name} exited during start-up ({status}); last lines of {}: {tail}", log.display())]
    Exited {
        /// Which component.
        name: &'static str,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// Its log file.
        log: PathBuf,
        /// The last lines of the log, joined with " | ".
        tail: String,
    },
    /// kube-apiserver did not answer `/readyz` with 200 in time.
    #[error(
        "kube-apiserver not ready after {} s (last probe: {last_probe}); last lines of {}: {tail}",
        READY_TIMEOUT.as_secs(),
        log.display()
    )]
    NotReady {
        /// Result of the last probe.
        last_probe: String,
        /// The apiserver's log file.
        log: PathBuf,
        /// The last lines of the log, joined with " | ".
        tail: String,
    },
    /// The directory already hosts a running plane.
    #[error(
        "a control plane is already running in {} (pids {pids}): run 'ike-controller local down' \
         first",
        dir.display()
    )]
    AlreadyRunning {
        /// The plane's directory.
        dir: PathBuf,
        /// Its live pids, comma-separated.
        pids: String,
    },
    /// A pids file has a line that is not a pid.
    #[error("{} line {line}: {text:?} is not a pid", path.display())]
    BadPidsFile {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The offending text.
        text: String,
    },
}

impl Error {
    fn io(what: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let what = what.into();
        move |source| Error::Io { what, source }
    }
}

impl From<certs::PkiError> for Error {
    fn from(e: certs::PkiError) -> Error {
        Error::Pki(e)
    }
}

/// Paths of the three control-plane binaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binaries {
    /// etcd (Debian's etcd-server, 3.4).
    pub etcd: PathBuf,
    /// kube-apiserver v1.20.2.
    pub kube_apiserver: PathBuf,
    /// kube-controller-manager v1.20.2.
    pub kube_controller_manager: PathBuf,
}

impl Binaries {
    /// Cache dir: $IKE_K8S_BIN_DIR if set, else directories::ProjectDirs cache dir for "ike"
    /// joined with "k8s-v1.20.2-r3" (on this machine ~/.cache/ike/k8s-v1.20.2-r3). The `-r3`
    /// is the build recipe's revision: binaries from an older recipe are rebuilt.
    pub fn cache_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("IKE_K8S_BIN_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        directories::ProjectDirs::from("", "", "ike")
            .map(|dirs| dirs.cache_dir().to_path_buf())
            .unwrap_or_else(|| std::env::temp_dir().join("ike-cache"))
            .join(format!("k8s-{K8S_VERSION}-r{BUILD_REVISION}"))
    }

    /// Finds the binaries without installing anything; Err(Error::Missing..) otherwise.
    ///
    /// etcd: $IKE_ETCD if set, else `etcd` on PATH, else /usr/bin/etcd.
    pub fn locate() -> Result<Binaries, Error> {
        Binaries::locate_in(&Binaries::cache_dir(), find_etcd())
    }

    /// Idempotent installer: returns the binaries if they exist, otherwise builds them (as root)
    /// exactly as `shared/CONTROL_PLANE.md` describes, printing progress lines to `log`.
    ///
    /// Adds a bookworm deb-src entry if no deb-src is configured, installs golang-go,
    /// etcd-server, rsync and make, fetches and unpacks Debian's kubernetes source under
    /// `<cache dir>/build`, builds in GOPATH mode, copies both binaries into the cache dir
    /// atomically and removes the build dir. The commands' output goes to
    /// `<cache dir>/install.log`; a failing step's error names the step and the command.
    pub fn install(log: &mut dyn io::Write) -> Result<Binaries, Error> {
        install::install(&Binaries::cache_dir(), find_etcd, log)
    }

    fn locate_in(dir: &Path, etcd: Result<PathBuf, Error>) -> Result<Binaries, Error> {
        let binary = |name: &'static str| {
            let path = dir.join(name);
            if is_executable(&path) {
                Ok(path)
            } else {
                Err(Error::MissingBinary {
                    name,
                    dir: dir.to_path_buf(),
                })
            }
        };
        Ok(Binaries {
            kube_apiserver: binary(KUBE_APISERVER)?,
            kube_controller_manager: binary(KUBE_CONTROLLER_MANAGER)?,
            etcd: etcd?,
        })
    }
}

fn find_etcd() -> Result<PathBuf, Error> {
    if let Some(path) = std::env::var_os("IKE_ETCD").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(Error::BadEtcdPath { path })
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(ETCD))
        .chain([PathBuf::from("/usr/bin/etcd")])
        .find(|path| is_executable(path))
        .ok_or(Error::MissingEtcd)
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// How to start a [`ControlPlane`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Directory for data, certs, logs; created if missing. Tests use a tempdir.
    pub dir: PathBuf,
    /// false: children die with this process (even on SIGKILL). true: children are started in
    /// their own session (setsid) and survive this process (used by `ike-controller local up`).
    pub detach: bool,
    /// Extra kube-apiserver flags; `--enable-admission-plugins=` lists are merged with the
    /// always-on PodNodeSelector.
    pub extra_apiserver_args: Vec<String>,
}

impl Options {
    /// Attached plane in `dir`, no extra apiserver flags.
    pub fn new(dir: impl Into<PathBuf>) -> Options {
        Options {
            dir: dir.into(),
            detach: false,
            extra_apiserver_args: Vec::new(),
        }
    }
}

/// A free port on 127.0.0.1 (bound, read, released), for other servers started next to the
/// plane.
pub fn free_port() -> Result<u16, Error> {
    let [port] = free_ports()?;
    Ok(port)
}

/// Spawns `command` like the plane's own processes: with `detach`, in a new session that
/// survives this process; without, as a child that dies with this process (see
/// [`ControlPlane`]). Returns its pid; stop it with [`terminate`].
pub fn spawn(command: Command, detach: bool) -> io::Result<u32> {
    let child = if detach {
        process::spawn_detached(command)
    } else {
        process::spawn_attached(command)
    }?;
    // Dropping a Child neither kills nor waits: `terminate` or the exit handler reaps it.
    Ok(child.id())
}

/// Stops processes by pid, one at a time in reverse order (list them in start order): SIGTERM,
/// up to 5 s, then SIGKILL. Reaps those that are our children.
pub fn terminate(pids: &[u32]) {
    process::terminate_pids(pids);
    for &pid in pids {
        process::unregister(pid);
    }
}

/// Kills `pid` with SIGKILL at once (no chance to clean up) and reaps it.
pub fn process_kill(pid: u32) {
    process::signal(pid, libc::SIGKILL);
    let deadline = Instant::now() + Duration::from_secs(5);
    while is_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    process::unregister(pid);
}

/// Whether `pid` is running (a zombie waiting to be reaped is not).
pub fn is_alive(pid: u32) -> bool {
    process::is_alive(pid)
}

/// `n` distinct free ports on 127.0.0.1, below the kernel's ephemeral range ([`ports`]).
fn free_ports<const N: usize>() -> Result<[u16; N], Error> {
    ports::free_ports().map_err(Error::NoFreePort)
}

/// Extra apiserver flags with every `--enable-admission-plugins=` merged into one flag that also
/// holds the always-on plugins.
fn merge_admission_plugins(extra: &[String]) -> Vec<String> {
    let mut plugins = vec![ADMISSION_PLUGINS.to_string()];
    let mut args = Vec::new();
    for arg in extra {
        match arg.strip_prefix(ADMISSION_FLAG) {
            Some(list) => plugins.extend(
                list.split(',')
                    .filter(|p| !p.is_empty() && !plugins.iter().any(|q| q == p))
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            ),
            None => args.push(arg.clone()),
        }
    }
    args.insert(0, format!("{ADMISSION_FLAG}{}", plugins.join(",")));
    args
}

fn refuse_if_running(dir: &Path) -> Result<(), Error> {
    let path = dir.join("pids");
    if !path.exists() {
        return Ok(());
    }
    let live = read_pids_file(&path)?;
    if live.is_empty() {
        return Ok(());
    }
    Err(Error::AlreadyRunning {
        dir: dir.to_path_buf(),
        pids: live
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The pids in a pids file that are still running the processes the file was written for:
/// alive, and started before the file was last written (or within a second after, the
/// precision of `/proc`'s boot time).
fn read_pids_file(path: &Path) -> Result<Vec<u32>, Error> {
    let text = read_text(path)?;
    let written = fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(Error::io(format!(
            "read the modification time of {}",
            path.display()
        )))?;
    let mut pids = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let pid: u32 = line.parse().map_err(|_| Error::BadPidsFile {
            path: path.to_path_buf(),
            line: index + 1,
            text: line.to_string(),
        })?;
        let ours = process::started_at(pid)
            .is_some_and(|started| started <= written + Duration::from_secs(1));
        if ours && is_alive(pid) {
            pids.push(pid);
        }
    }
    Ok(pids)
}

/// The last [`LOG_TAIL`] non-empty lines of `log`, joined with " | ".
fn log_tail(log: &Path) -> String {
    let text = match fs::read(log) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => return format!("(unreadable: {e})"),
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(LOG_TAIL)..];
    if tail.is_empty() {
        "(empty)".into()
    } else {
        tail.join(" | ")
    }
}

fn read_text(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(Error::io(format!("read {}", path.display())))
}

/// Writes `contents` to `path` with permissions `mode`, also when the file already existed.
fn write_file(path: &Path, contents: &str, mode: u32) -> Result<(), Error> {
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(path)?;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.write_all(contents.as_bytes())
    };
    write().map_err(Error::io(format!("write {}", path.display())))
}

#[cfg(test)]
mod tests;
