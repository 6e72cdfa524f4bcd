//! Names for shell completion that never get in the way.
//!
//! Every look-up goes through a per-site [`cache`]: fresh names are answered from it with no
//! network at all; stale ones are answered from it too while a detached `ike __complete-refresh`
//! fetches new ones; only a cold cache waits for the network, and at most for the deadline.
//! The client presents the site's certificate directly ([`crate::client::direct`]): nothing
//! here runs the credential plugin, renews, writes the kubeconfig or prompts. An expired
//! certificate means cached names only. A site that did not answer is left alone for
//! [`DOWN_FOR`], so that the next TAB is instant too.

pub mod cache;
mod lookup;
pub mod table;

use std::fmt;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use self::cache::{Cache, Owner};
use super::direct;
use super::identity::Freshness;
use super::site_files::{SiteFiles, SiteStore};

/// The default deadline of a network look-up while the shell waits.
pub const DEADLINE: Duration = Duration::from_millis(250);
/// The deadline of a background refresh.
pub const REFRESH_DEADLINE: Duration = Duration::from_secs(10);
/// How long a site that did not answer is not asked again while the shell waits.
pub const DOWN_FOR: Duration = Duration::from_secs(30);
/// A background refresh started less than this ago is not started again.
const REFRESH_SPACING: Duration = Duration::from_secs(5);

/// What a completion asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// The tenants the account may see, each with the namespaces it holds.
    Tenants,
    /// Accounts (platform admins; nobody else may list them).
    Accounts,
    /// Notification configs (every kind) in a namespace.
    NotifyConfigs(String),
    /// Requests in a namespace, or in every namespace the caller may read (`NAMESPACE/NAME`).
    Requests(Option<String>),
}

impl Key {
    /// How long cached names count as fresh: tenants and accounts change seldom, configs and
    /// requests are made and decided all day.
    pub fn ttl(&self) -> Duration {
        match self {
            Key::Tenants | Key::Accounts => Duration::from_secs(300),
            Key::NotifyConfigs(_) | Key::Requests(_) => Duration::from_secs(30),
        }
    }

    /// The key as text (`tenants`, `notify:shop`), as `ike __complete-refresh --key` takes it.
    pub fn parse(text: &str) -> Option<Self> {
        let checked = |ns: &str| {
            crate::api::names::check_namespace(ns)
                .ok()
                .map(|_| ns.to_string())
        };
        match text.split_once(':') {
            None => match text {
                "tenants" => Some(Key::Tenants),
                "accounts" => Some(Key::Accounts),
                "requests" => Some(Key::Requests(None)),
                _ => None,
            },
            Some(("notify", ns)) => checked(ns).map(Key::NotifyConfigs),
            Some(("requests", ns)) => checked(ns).map(|ns| Key::Requests(Some(ns))),
            Some(_) => None,
        }
    }

    fn file_stem(&self) -> String {
        self.to_string().replace(':', ".")
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Tenants => f.write_str("tenants"),
            Key::Accounts => f.write_str("accounts"),
            Key::NotifyConfigs(ns) => write!(f, "notify:{ns}"),
            Key::Requests(None) => f.write_str("requests"),
            Key::Requests(Some(ns)) => write!(f, "requests:{ns}"),
        }
    }
}

/// One candidate: a name, a word of help, and for a tenant the namespaces it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The name.
    pub name: String,
    /// What the shell shows beside it (zsh, fish).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// A tenant's held namespaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
}

impl Item {
    /// A name and its help.
    pub fn new(name: &str, help: &str) -> Self {
        Self {
            name: name.to_string(),
            help: help.to_string(),
            namespaces: Vec::new(),
        }
    }
}

/// Everything a look-up needs, resolved once by the command line.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The kubeconfig files (the cluster entry of `ike-<site>`).
    pub kubeconfig_paths: Vec<PathBuf>,
    /// The sites' files (the certificate).
    pub sites: SiteStore,
    /// The names cache.
    pub cache: Cache,
    /// How long the shell may wait for the network, counted from `started`.
    pub deadline: Duration,
    /// When the process began to complete: the deadline covers the whole TAB, not only the
    /// look-up (start-up, reading files and the client are inside it too).
    pub started: std::time::Instant,
    /// The `ike` to start for a background refresh; `None`: never start one.
    pub refresher: Option<PathBuf>,
}

/// What a refresh did.
#[derive(Debug, PartialEq, Eq)]
pub enum Refreshed {
    /// New names are cached.
    Names(usize),
    /// Another refresh of the same names is running.
    Busy,
}

impl Lookup {
    /// The names of `key` on `site`, within the deadline, never failing: what cannot be known
    /// now is simply not offered.
    pub fn names(&self, site: &str, key: &Key) -> Vec<Item> {
        let Ok(files) = self.sites.load(site) else {
            return Vec::new();
        };
        let owner = Owner::of(&files.settings);
        let now = SystemTime::now();
        let cached = self.cache.read(site, &owner, key, now);
        if let Some(c) = &cached
            && c.age < key.ttl()
        {
            return c.items.clone();
        }
        let usable = matches!(
            direct::freshness(&files, now),
            Some(Freshness::Fresh | Freshness::RenewalDue)
        );
        if !usable {
            // Never renew here: without a valid certificate only what is known is offered.
            return cached.map(|c| c.items).unwrap_or_default();
        }
        if let Some(c) = cached {
            self.refresh_in_background(site, key);
            return c.items;
        }
        if self.down(site, now) {
            self.refresh_in_background(site, key);
            return Vec::new();
        }
        let left = self.deadline.saturating_sub(self.started.elapsed());
        match self.fetch(&files, key, left) {
            Ok(items) => {
                let _ = self.cache.write(site, &owner, key, &items, now);
                items
            }
            Err(_) => {
                self.mark_down(site);
                self.refresh_in_background(site, key);
                Vec::new()
            }
        }
    }

    /// Fetches the names of `key` on `site` and caches them, unless another refresh of them
    /// runs (the lock file holds its pid). What `ike __complete-refresh` runs.
    pub fn refresh(&self, site: &str, key: &Key) -> anyhow::Result<Refreshed> {
        let files = self.sites.load(site)?;
        self.cache.ensure_dir(site)?;
        let lock = self.cache.lock_path(site, key);
        let Some(_held) = Lock::try_take(&lock)? else {
            return Ok(Refreshed::Busy);
        };
        let at = SystemTime::now();
        match self.fetch(&files, key, REFRESH_DEADLINE) {
            Ok(items) => {
                self.cache
                    .write(site, &Owner::of(&files.settings), key, &items, at)?;
                let _ = std::fs::remove_file(self.down_path(site));
                Ok(Refreshed::Names(items.len()))
            }
            Err(e) => {
                self.mark_down(site);
                Err(e)
            }
        }
    }

    /// One bounded look-up on a runtime of its own. The runtime is shut down without waiting:
    /// a connect or a name lookup that hangs must not hold the shell past the deadline.
    fn fetch(&self, files: &SiteFiles, key: &Key, deadline: Duration) -> anyhow::Result<Vec<Item>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let result = runtime.block_on(async {
            tokio::time::timeout(deadline, async {
                let client =
                    direct::client(&self.kubeconfig_paths, files, deadline, SystemTime::now())
                        .await?;
                lookup::names(&client, files, key).await
            })
            .await
        });
        runtime.shutdown_background();
        result.map_err(|_| anyhow::anyhow!("site did not answer within {deadline:?}"))?
    }

    fn down_path(&self, site: &str) -> PathBuf {
        self.cache.path(site, &Key::Tenants).with_file_name("down")
    }

    fn mark_down(&self, site: &str) {
        if self.cache.ensure_dir(site).is_ok() {
            let _ = std::fs::write(self.down_path(site), b"");
        }
    }

    fn down(&self, site: &str, now: SystemTime) -> bool {
        recent(&self.down_path(site), now, DOWN_FOR)
    }

    /// Starts `ike __complete-refresh` detached: its own session (no terminal to prompt on, no
    /// signal from the shell's), and /dev/null for all three streams. The shell's `$(...)`
    /// waits for every holder of its pipe, so an inherited stdout would hold the TAB until the
    /// refresh ends.
    fn refresh_in_background(&self, site: &str, key: &Key) {
        let Some(exe) = &self.refresher else {
            return;
        };
        let lock = self.cache.lock_path(site, key);
        if recent(&lock, SystemTime::now(), REFRESH_SPACING) || self.cache.ensure_dir(site).is_err()
        {
            return;
        }
        // Touched here, so that TABs in quick succession start one refresh, not one each.
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .and_then(|f| f.set_modified(SystemTime::now()));
        let mut command = Command::new(exe);
        command
            .args([
                "__complete-refresh",
                "--site",
                site,
                "--key",
                &key.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
        unsafe {
            command.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let _ = command.spawn();
    }
}

fn recent(path: &Path, now: SystemTime, within: Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|at| now.duration_since(at).unwrap_or_default() < within)
}

/// An exclusive `flock` on a lock file holding the holder's pid, released on drop (and by the
/// kernel when the holder dies).
struct Lock(std::fs::File);

impl Lock {
    fn try_take(path: &Path) -> std::io::Result<Option<Lock>> {
        use std::io::Write as _;
        use std::os::fd::AsRawFd as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Ok(None);
        }
        file.set_len(0)?;
        write!(file, "{}", std::process::id())?;
        Ok(Some(Lock(file)))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd as _;
        // SAFETY: unlocking the descriptor this lock owns.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_written_and_bad_namespaces_are_refused() {
        for key in [
            Key::Tenants,
            Key::Accounts,
            Key::NotifyConfigs("shop".into()),
            Key::Requests(None),
            Key::Requests(Some("shop".into())),
        ] {
            assert_eq!(Key::parse(&key.to_string()), Some(key));
        }
        assert_eq!(Key::parse("notify:../etc"), None);
        assert_eq!(Key::parse("pods"), None);
    }

    #[test]
    fn a_second_refresh_of_the_same_names_finds_the_lock_taken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenants.lock");
        let first = Lock::try_take(&path).unwrap();
        assert!(first.is_some());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            std::process::id().to_string()
        );
        assert!(Lock::try_take(&path).unwrap().is_none());
        drop(first);
        assert!(Lock::try_take(&path).unwrap().is_some());
    }
}
