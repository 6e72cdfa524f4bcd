//! A real BIND 9 `named` on loopback serving one dynamic zone, for the tests and the local IKE.
//!
//! Owns writing the server's directory (`named.conf`, the zone file, a TSIG key made by
//! `tsig-keygen`), starting `named` on a free 127.0.0.1 port through [`super::spawn`], waiting
//! until it answers a SOA query for the zone, and stopping it by pid. Synchronous like the rest
//! of `local`: it is started from plain `#[test]`s and from CLI commands before any runtime.
//!
//! The zone accepts RFC 2136 updates signed with the generated key for any name in it
//! (`update-policy { grant KEY zonesub ANY; }`), as the Office site's server is expected to.
//! A directory that already holds a key and a zone keeps both, so a restarted server still
//! has its records (BIND keeps dynamic updates in `<zone>.db.jnl`).

use std::fs;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};

use crate::dns::TsigKey;

/// The Debian packages that provide `named`, `tsig-keygen` (bind9), `nsupdate` and `dig`
/// (bind9-dnsutils).
pub const DEBIAN_PACKAGES: [&str; 2] = ["bind9", "bind9-dnsutils"];
/// The zone served when [`Options::zone`] is left as is.
pub const DEFAULT_ZONE: &str = "office.local";
/// The TSIG key's name when [`Options::key_name`] is left as is.
pub const DEFAULT_KEY_NAME: &str = "ike-office";

/// How long [`Bind::start`] waits for the zone's SOA.
const READY_TIMEOUT: Duration = Duration::from_secs(15);
const READY_POLL: Duration = Duration::from_millis(50);
const PROBE_TIMEOUT: Duration = Duration::from_millis(300);
/// Lines of named's log quoted in errors.
const LOG_TAIL: usize = 5;
/// Where Debian installs named and tsig-keygen; not on a non-root user's PATH.
const SBIN: &str = "/usr/sbin";

/// What went wrong setting up, starting or probing `named`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `named` or `tsig-keygen` is neither on PATH nor in /usr/sbin.
    #[error(
        "{program} not found on PATH or in /usr/sbin: run 'apt-get install -y bind9 \
         bind9-dnsutils' (Debian's BIND 9 server and its tools)"
    )]
    MissingProgram {
        /// The program looked for.
        program: &'static str,
    },
    /// A file-system operation failed.
    #[error("could not {what}")]
    Io {
        /// The operation, e.g. "write /tmp/x/named.conf".
        what: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// `tsig-keygen` did not print a key.
    #[error("'{command}' failed ({status}): {stderr}")]
    Keygen {
        /// The command line.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed on stderr.
        stderr: String,
    },
    /// The key `tsig-keygen` wrote cannot be read back (the source names the file).
    #[error("the server's TSIG key is unusable")]
    Key(#[source] Box<crate::dns::Error>),
    /// No free port on 127.0.0.1.
    #[error("could not find a free port for named")]
    NoFreePort(#[source] super::Error),
    /// `named` could not be spawned.
    #[error("could not start {}", path.display())]
    Spawn {
        /// The binary.
        path: PathBuf,
        /// The spawn error.
        #[source]
        source: io::Error,
    },
    /// `named` exited while starting.
    #[error("named exited during start-up; last lines of {}: {tail}", log.display())]
    Exited {
        /// Its log file.
        log: PathBuf,
        /// The last lines of the log, joined with " | ".
        tail: String,
    },
    /// `named` did not answer a SOA query for the zone in time.
    #[error(
        "named did not serve the SOA of {zone} within {} s (last probe: {last_probe}); last \
         lines of {}: {tail}",
        READY_TIMEOUT.as_secs(),
        log.display()
    )]
    NotReady {
        /// The zone.
        zone: String,
        /// Result of the last probe.
        last_probe: String,
        /// Its log file.
        log: PathBuf,
        /// The last lines of the log, joined with " | ".
        tail: String,
    },
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

/// How to start a [`Bind`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Directory for the configuration, key, zone, journal and log; created if missing.
    pub dir: PathBuf,
    /// The zone served, without the trailing dot (default [`DEFAULT_ZONE`]).
    pub zone: String,
    /// The name of the TSIG key allowed to update the zone (default [`DEFAULT_KEY_NAME`]).
    pub key_name: String,
    /// false: named dies with this process. true: it survives it (see [`super::spawn`]).
    pub detach: bool,
}

impl Options {
    /// An attached server in `dir` for [`DEFAULT_ZONE`] and [`DEFAULT_KEY_NAME`].
    pub fn new(dir: impl Into<PathBuf>) -> Options {
        Options {
            dir: dir.into(),
            zone: DEFAULT_ZONE.into(),
            key_name: DEFAULT_KEY_NAME.into(),
            detach: false,
        }
    }
}

/// A running `named` serving one dynamic zone; dropping an attached one stops it.
///
/// Files in [`Bind::dir`]: `named.conf`, `<key name>.key` (the TSIG key, mode 0600),
/// `<zone>.db` and its journal `<zone>.db.jnl`, `named.log`, `named.pid`.
#[derive(Debug)]
pub struct Bind {
    /// Directory of the server's files (absolute).
    pub dir: PathBuf,
    /// The UDP and TCP port named listens on, on 127.0.0.1.
    pub port: u16,
    /// The zone served, without the trailing dot.
    pub zone: String,
    /// The TSIG key allowed to update the zone, in BIND's `key "..." { ... };` format.
    pub key_file: PathBuf,
    /// named's pid.
    pub pid: u32,
    /// named's log (its stderr: `-g` logs everything there).
    pub log: PathBuf,
    detached: bool,
}

impl Bind {
    /// Writes the configuration (keeping an existing key and zone), starts `named` on a free
    /// port and waits (up to 15 s) until it serves the zone's SOA. If the port was taken in
    /// the meantime, starts once more on another.
    pub fn start(opts: &Options) -> Result<Bind, Error> {
        let named = find_program("named", &search_path())?;
        let keygen = find_program("tsig-keygen", &search_path())?;
        fs::create_dir_all(&opts.dir)
            .map_err(io_error(format!("create {}", opts.dir.display())))?;
        let dir = fs::canonicalize(&opts.dir)
            .map_err(io_error(format!("resolve {}", opts.dir.display())))?;
        let zone = opts.zone.trim_end_matches('.').to_string();
        let key_file = dir.join(format!("{}.key", opts.key_name));
        if !key_file.exists() {
            generate_key(&keygen, &opts.key_name, &key_file)?;
        }
        let zone_file = dir.join(format!("{zone}.db"));
        if !zone_file.exists() {
            write(&zone_file, &zone_text(&zone), 0o644)?;
        }
        match Bind::start_once(&named, opts, &dir, &zone, &key_file) {
            Err(e) if port_was_taken(&dir) => {
                tracing::warn!("{e}; retrying on another port");
                Bind::start_once(&named, opts, &dir, &zone, &key_file)
            }
            other => other,
        }
    }

    fn start_once(
        named: &Path,
        opts: &Options,
        dir: &Path,
        zone: &str,
        key_file: &Path,
    ) -> Result<Bind, Error> {
        let port = super::free_port().map_err(Error::NoFreePort)?;
        let conf = dir.join("named.conf");
        write(
            &conf,
            &named_conf(dir, port, zone, &opts.key_name, key_file),
            0o644,
        )?;
        let log = dir.join("named.log");
        let out = fs::File::create(&log).map_err(io_error(format!("create {}", log.display())))?;
        let err = out
            .try_clone()
            .map_err(io_error(format!("reopen {}", log.display())))?;
        let mut command = Command::new(named);
        // -g: foreground, all logging to stderr. No -u: named keeps the caller's user, which
        // owns the directory (and root stays root, as `-u root` would).
        command
            .arg("-g")
            .arg("-c")
            .arg(&conf)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let pid = super::spawn(command, opts.detach).map_err(|source| Error::Spawn {
            path: named.to_path_buf(),
            source,
        })?;
        let mut bind = Bind {
            dir: dir.to_path_buf(),
            port,
            zone: zone.to_string(),
            key_file: key_file.to_path_buf(),
            pid,
            log,
            detached: opts.detach,
        };
        bind.wait_ready()?;
        tracing::debug!(pid, port, zone, "named ready");
        Ok(bind)
    }

    /// 127.0.0.1:[`Bind::port`].
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The TSIG key allowed to update the zone.
    pub fn key(&self) -> Result<TsigKey, Error> {
        TsigKey::from_file(&self.key_file).map_err(|e| Error::Key(Box::new(e)))
    }

    /// Whether the server was started to outlive this process.
    pub fn is_detached(&self) -> bool {
        self.detached
    }

    /// Stops named (SIGTERM, then SIGKILL after 5 s) and reaps it. Idempotent.
    pub fn stop(&mut self) {
        if self.pid != 0 {
            super::terminate(&[self.pid]);
            self.pid = 0;
        }
    }

    /// On failure the server is stopped (and `self` is dropped by the caller).
    fn wait_ready(&mut self) -> Result<(), Error> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if !super::is_alive(self.pid) {
                self.stop();
                return Err(Error::Exited {
                    tail: log_tail(&self.log),
                    log: self.log.clone(),
                });
            }
            let last_probe = match probe_soa(self.addr(), &self.zone) {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            if Instant::now() >= deadline {
                self.stop();
                return Err(Error::NotReady {
                    zone: self.zone.clone(),
                    last_probe,
                    tail: log_tail(&self.log),
                    log: self.log.clone(),
                });
            }
            std::thread::sleep(READY_POLL);
        }
    }
}

impl Drop for Bind {
    fn drop(&mut self) {
        if !self.detached {
            self.stop();
        }
    }
}

/// The directories searched for BIND's programs: PATH, then /usr/sbin.
fn search_path() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .collect();
    dirs.push(PathBuf::from(SBIN));
    dirs
}

/// The first executable `program` in `dirs`.
fn find_program(program: &'static str, dirs: &[PathBuf]) -> Result<PathBuf, Error> {
    use std::os::unix::fs::PermissionsExt as _;
    dirs.iter()
        .map(|dir| dir.join(program))
        .find(|path| {
            fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .ok_or(Error::MissingProgram { program })
}

fn generate_key(keygen: &Path, key_name: &str, key_file: &Path) -> Result<(), Error> {
    let output = Command::new(keygen)
        .args(["-a", "hmac-sha256", key_name])
        .stdin(Stdio::null())
        .output()
        .map_err(io_error(format!("run {}", keygen.display())))?;
    if !output.status.success() || output.stdout.is_empty() {
        return Err(Error::Keygen {
            command: format!("{} -a hmac-sha256 {key_name}", keygen.display()),
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    write(key_file, &String::from_utf8_lossy(&output.stdout), 0o600)
}

/// named.conf for one primary zone on 127.0.0.1:`port`, nothing else: no recursion (it is an
/// authoritative server), no rndc channel (Debian's default one on port 953 would clash
/// between servers), no DNSSEC validation (there is no network to fetch trust anchors from).
fn named_conf(dir: &Path, port: u16, zone: &str, key_name: &str, key_file: &Path) -> String {
    let dir = dir.display();
    let key_file = key_file.display();
    format!(
        r#"options {{
    directory "{dir}";
    pid-file "{dir}/named.pid";
    session-keyfile "{dir}/session.key";
    managed-keys-directory "{dir}";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    notify no;
    allow-transfer {{ key "{key_name}"; }};
}};
controls {{ }};
include "{key_file}";
zone "{zone}" {{
    type primary;
    file "{zone}.db";
    update-policy {{ grant "{key_name}" zonesub ANY; }};
}};
"#
    )
}

/// The zone's SOA and NS. The SOA's last field (the negative-answer TTL) is 30 s like the
/// Office records, so that a name looked up before it was published appears within 30 s.
fn zone_text(zone: &str) -> String {
    format!(
        "$TTL 300\n\
         @ IN SOA ns.{zone}. hostmaster.{zone}. ( 1 3600 600 86400 30 )\n\
         @ IN NS ns.{zone}.\n\
         ns IN A 127.0.0.1\n"
    )
}

/// One UDP SOA query for `zone`: Ok once the answer is authoritative and NOERROR.
fn probe_soa(addr: SocketAddr, zone: &str) -> Result<(), String> {
    let name = Name::from_ascii(format!("{zone}.")).map_err(|e| e.to_string())?;
    let mut query = Message::query();
    query.metadata.op_code = OpCode::Query;
    query.add_query(Query::query(name, RecordType::SOA));
    let bytes = query.to_vec().map_err(|e| e.to_string())?;
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    socket
        .set_read_timeout(Some(PROBE_TIMEOUT))
        .map_err(|e| e.to_string())?;
    socket.connect(addr).map_err(|e| e.to_string())?;
    socket.send(&bytes).map_err(|e| e.to_string())?;
    let mut buf = [0u8; 4096];
    let n = socket.recv(&mut buf).map_err(|e| e.to_string())?;
    let answer = Message::from_vec(&buf[..n]).map_err(|e| e.to_string())?;
    match answer.metadata.response_code {
        ResponseCode::NoError if answer.metadata.authoritative && !answer.answers.is_empty() => {
            Ok(())
        }
        code => Err(format!("SOA query answered {code}")),
    }
}

/// Whether named's log says its port was in use (someone took it after `free_port`).
fn port_was_taken(dir: &Path) -> bool {
    fs::read_to_string(dir.join("named.log")).is_ok_and(|log| log.contains("address in use"))
}

fn log_tail(log: &Path) -> String {
    let text = match fs::read(log) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => return format!("(unreadable: {e})"),
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    match &lines[lines.len().saturating_sub(LOG_TAIL)..] {
        [] => "(empty)".into(),
        tail => tail.join(" | "),
    }
}

fn write(path: &Path, contents: &str, mode: u32) -> Result<(), Error> {
    use std::io::Write as _;
    let write = || -> io::Result<()> {
        fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(path)?
            .write_all(contents.as_bytes())
    };
    write().map_err(io_error(format!("write {}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_named_names_the_debian_package_in_one_line() {
        let empty = tempfile::tempdir().unwrap();
        let err = find_program("named", &[empty.path().to_path_buf()]).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("apt-get install -y bind9"), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }

    #[test]
    fn started_server_answers_for_its_zone_and_dies_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let bind = Bind::start(&Options::new(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        let pid = bind.pid;
        assert!(super::super::is_alive(pid));
        probe_soa(bind.addr(), DEFAULT_ZONE).unwrap();
        let key = bind.key().unwrap();
        assert_eq!(key.name, DEFAULT_KEY_NAME);
        drop(bind);
        assert!(
            !super::super::is_alive(pid),
            "named {pid} outlived its handle"
        );
    }

    #[test]
    fn a_restarted_server_keeps_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let opts = Options {
            zone: "restart.test".into(),
            key_name: "restart-key".into(),
            ..Options::new(dir.path())
        };
        let first = Bind::start(&opts).unwrap_or_else(|e| panic!("{e}"));
        let key = first.key().unwrap();
        drop(first);
        let second = Bind::start(&opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(second.key().unwrap(), key);
        probe_soa(second.addr(), "restart.test").unwrap();
    }
}
