//! kubectl's lock, `<file>.lock`, so ike and kubectl never interleave their read-modify-write
//! cycles.
//!
//! kubectl creates `<file>.lock` with `O_EXCL`, writes nothing into it, removes it once the file
//! is written, and fails at once if it exists. ike creates the same file just as exclusively,
//! but with `ike pid <pid>` already in it and an exclusive `flock` held on it for as long as it
//! exists: both are put on a temporary file first, which is then hard-linked to `<file>.lock`
//! (a link fails like `O_EXCL` when the lock exists; where hard links are unsupported ike falls
//! back to `O_EXCL`). The kernel drops the flock when its process dies, however it dies, so:
//! - a lock saying `ike pid` whose flock is free was left by a killed ike and is taken over at
//!   once (otherwise every killed `ike login` would block the next one until someone deleted it);
//! - any other lock (kubectl's is empty) is taken over once it is older than
//!   `FOREIGN_LOCK_STALE_AFTER`: kubectl holds its lock for milliseconds;
//! - a live lock is waited for with a short backoff, for up to `LOCK_TIMEOUT`, and then reported
//!   with the lock's path and what to do;
//! - a lock path that is no plain file (a symbolic link, dangling or not, a directory, a FIFO)
//!   is reported at once: neither kubectl nor ike makes one, so none will ever go away. It is
//!   never followed (a dangling link looked absent and was retried forever).
//!
//! A stale lock is only removed by a process holding its flock and only while the path still
//! names the same file, so two writers breaking the same stale lock cannot remove each other's
//! fresh one. Temporary files left by a killed writer are removed by the next one that holds the
//! lock.

use std::fs::{self, File, OpenOptions, Permissions, TryLockError};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::file::{WriteError, remove_orphans};
use crate::util::fs::{TEMP_SUFFIX, parent, temp_prefix};

/// How long a writer waits for someone else's live lock before giving up.
pub(super) const LOCK_TIMEOUT: Duration = Duration::from_secs(10);
/// Age after which a lock not created by ike (kubectl's) counts as abandoned.
const FOREIGN_LOCK_STALE_AFTER: Duration = Duration::from_secs(30);
/// The longest pause between two attempts to take the lock.
const MAX_BACKOFF: Duration = Duration::from_millis(20);
/// What ike writes into its lock file, followed by its pid.
const LOCK_MARKER: &str = "ike pid";

/// kubectl's `<file>.lock`, held by this process until dropped.
#[derive(Debug)]
pub(super) struct Lock {
    path: PathBuf,
    /// The lock file, flocked for as long as this value lives.
    file: File,
}

/// What an existing lock file turned out to be.
enum Existing {
    /// It disappeared before it could be looked at: try again.
    Gone,
    /// It was stale and has been removed: try again.
    Broken,
    /// A live holder, as far as the lock file tells who.
    Held(String),
    /// Not a lock at all: what is there instead.
    NotALock(String),
}

impl Lock {
    /// Takes the lock of `kubeconfig`, waiting up to [`LOCK_TIMEOUT`] for a live holder.
    pub(super) fn acquire(kubeconfig: &Path) -> Result<Self, WriteError> {
        Self::acquire_within(kubeconfig, LOCK_TIMEOUT)
    }

    /// Takes the lock, waiting up to `timeout`.
    pub(super) fn acquire_within(kubeconfig: &Path, timeout: Duration) -> Result<Self, WriteError> {
        let mut path = kubeconfig.as_os_str().to_owned();
        path.push(".lock");
        let path = PathBuf::from(path);
        let failed = |source| WriteError::Lock {
            path: kubeconfig.to_path_buf(),
            lock: path.clone(),
            source,
        };
        let deadline = Instant::now() + timeout;
        let mut backoff = Duration::from_millis(1);
        loop {
            if let Some(file) = create(&path).map_err(failed)? {
                remove_orphans(kubeconfig, &path);
                return Ok(Self { path, file });
            }
            let holder = match inspect(&path).map_err(failed)? {
                // Gone or broken a moment ago: try again, but never past the deadline.
                Existing::Gone | Existing::Broken => "writers that keep replacing it".to_string(),
                Existing::Held(holder) => holder,
                Existing::NotALock(what) => {
                    return Err(WriteError::NotALock {
                        path: kubeconfig.to_path_buf(),
                        lock: path,
                        what,
                    });
                }
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(WriteError::Locked {
                    path: kubeconfig.to_path_buf(),
                    lock: path,
                    holder,
                    seconds: timeout.as_secs(),
                });
            }
            std::thread::sleep(backoff.min(left));
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove the lock only while it is still ours; the flock goes with the file handle.
        if let (Ok(ours), Ok(now)) = (self.file.metadata(), fs::symlink_metadata(&self.path))
            && same_file(&ours, &now)
        {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Creates the lock file, already flocked and holding ike's marker; `None` if it exists.
fn create(path: &Path) -> io::Result<Option<File>> {
    let mut candidate = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .suffix(TEMP_SUFFIX)
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(parent(path))?;
    writeln!(candidate, "{LOCK_MARKER} {}", std::process::id())?;
    // A fresh inode nobody else has opened: this never waits.
    candidate.as_file().lock()?;
    match fs::hard_link(candidate.path(), path) {
        // Dropping the candidate's name leaves the lock file as the only one.
        Ok(()) => Ok(Some(candidate.into_file())),
        // NotFound: a lock holder removed the candidate as an orphan; try again.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::AlreadyExists | io::ErrorKind::NotFound
            ) =>
        {
            Ok(None)
        }
        Err(_) => create_in_place(path),
    }
}

/// kubectl's way, for filesystems without hard links. A writer killed between the create and
/// the flock leaves a lock without ike's marker, which only ages out.
fn create_in_place(path: &Path) -> io::Result<Option<File>> {
    let mut file = match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(None),
        Err(e) => return Err(e),
    };
    let marked = file
        .lock()
        .and_then(|()| writeln!(file, "{LOCK_MARKER} {}", std::process::id()));
    match marked {
        Ok(()) => Ok(Some(file)),
        Err(e) => {
            let _ = fs::remove_file(path);
            Err(e)
        }
    }
}

/// Looks at an existing lock and removes it if it is stale.
fn inspect(path: &Path) -> io::Result<Existing> {
    // Never follow the lock path, and never block opening it (a FIFO would).
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Gone),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            let what = match fs::read_link(path) {
                Ok(target) => format!("a symbolic link to {}", target.display()),
                Err(_) => "a symbolic link".to_string(),
            };
            return Ok(Existing::NotALock(what));
        }
        Err(e) => return Err(e),
    };
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a directory"
        } else {
            "not a plain file"
        };
        return Ok(Existing::NotALock(what.to_string()));
    }
    let flock = file.try_lock();
    let mut content = Vec::new();
    (&file).take(256).read_to_end(&mut content)?;
    let pid = String::from_utf8_lossy(&content)
        .trim()
        .strip_prefix(LOCK_MARKER)
        .and_then(|pid| pid.trim().parse::<u32>().ok());
    let meta = file.metadata()?;
    let age = meta
        .modified()
        .ok()
        .and_then(|modified| modified.elapsed().ok())
        .unwrap_or_default();
    let stale = match (flock, pid) {
        (Err(TryLockError::WouldBlock), _) => false,
        // ike holds the flock on its lock for the lock's whole life: its holder is dead.
        (Ok(()), Some(_)) => true,
        // kubectl's lock, or a filesystem without flock: only age tells.
        _ => age > FOREIGN_LOCK_STALE_AFTER,
    };
    if !stale {
        let holder = match pid {
            Some(pid) => format!("ike (pid {pid})"),
            None => "another program, probably kubectl".to_string(),
        };
        return Ok(Existing::Held(holder));
    }
    match fs::symlink_metadata(path) {
        Ok(now) if same_file(&meta, &now) => match fs::remove_file(path) {
            Ok(()) => Ok(Existing::Broken),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Existing::Gone),
            Err(e) => Err(e),
        },
        Ok(_) => Ok(Existing::Gone),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Existing::Gone),
        Err(e) => Err(e),
    }
}

fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::kubeconfig::fixtures::*;
    use crate::client::kubeconfig::{sites_in, upsert_site};

    #[test]
    fn a_live_lock_is_waited_for_then_reported_with_what_to_do() {
        let (_dir, file) = foreign_file();
        let held = Lock::acquire(&file).unwrap();
        let started = Instant::now();
        let err = Lock::acquire_within(&file, Duration::from_millis(300)).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        let text = chain(&err);
        let lock = format!("{}.lock", file.display());
        assert!(
            text.contains(&format!("ike (pid {})", std::process::id())),
            "{text}"
        );
        assert!(
            text.contains(&format!("delete {lock} if no kubectl or ike is running")),
            "{text}"
        );
        drop(held);
        assert!(!Path::new(&lock).exists());
    }

    #[test]
    fn a_writer_waits_for_a_lock_released_in_time() {
        let (_dir, file) = foreign_file();
        let held = Lock::acquire(&file).unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            drop(held);
        });
        let started = Instant::now();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(150));
        release.join().unwrap();
        assert_eq!(sites_in(&file).unwrap(), ["tokyo"]);
    }

    #[test]
    fn a_lock_left_by_a_killed_ike_is_taken_over_at_once() {
        let (dir, file) = foreign_file();
        // What a SIGKILLed writer leaves: the marker, and no flock since its process is gone.
        fs::write(dir.path().join("config.lock"), "ike pid 4194999\n").unwrap();
        let started = Instant::now();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(dir_names(dir.path()), ["config"]);
    }

    #[test]
    fn a_foreign_lock_is_respected_until_it_is_old() {
        let (dir, file) = foreign_file();
        let lock = dir.path().join("config.lock");
        let kubectl_lock = File::create(&lock).unwrap();
        let err = Lock::acquire_within(&file, Duration::from_millis(100)).unwrap_err();
        assert!(chain(&err).contains("another program, probably kubectl"));
        let old = std::time::SystemTime::now() - FOREIGN_LOCK_STALE_AFTER * 2;
        kubectl_lock.set_modified(old).unwrap();
        drop(Lock::acquire_within(&file, Duration::from_millis(100)).unwrap());
        assert!(!lock.exists());
    }

    #[test]
    fn a_dangling_or_foreign_symlink_lock_is_reported_at_once_and_left_alone() {
        let (dir, file) = foreign_file();
        let lock = dir.path().join("config.lock");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "someone's file\n").unwrap();
        for target in [dir.path().join("nowhere"), elsewhere.clone()] {
            std::os::unix::fs::symlink(&target, &lock).unwrap();
            let started = Instant::now();
            let err = upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap_err();
            assert!(started.elapsed() < Duration::from_secs(1), "waited");
            let text = chain(&err);
            assert!(
                text.contains(&format!("is a symbolic link to {}", target.display())),
                "{text}"
            );
            assert!(text.contains(&format!("{} is a", lock.display())), "{text}");
            assert!(
                text.contains("delete it if no kubectl or ike is running"),
                "{text}"
            );
            // Neither the link nor its target was touched, nor the kubeconfig.
            assert!(
                fs::symlink_metadata(&lock)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(fs::read_to_string(&elsewhere).unwrap(), "someone's file\n");
            assert!(sites_in(&file).unwrap().is_empty());
            fs::remove_file(&lock).unwrap();
        }
        fs::create_dir(&lock).unwrap();
        let err = Lock::acquire(&file).unwrap_err();
        assert!(chain(&err).contains("is a directory"), "{}", chain(&err));
        fs::remove_dir(&lock).unwrap();
        // With the path clear, the write goes through.
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert_eq!(sites_in(&file).unwrap(), ["tokyo"]);
    }

    #[test]
    fn without_hard_links_the_lock_is_created_in_place_with_the_marker() {
        let (dir, _file) = foreign_file();
        let lock = dir.path().join("config.lock");
        let file = create_in_place(&lock).unwrap().unwrap();
        let marker = format!("{LOCK_MARKER} {}\n", std::process::id());
        assert_eq!(fs::read_to_string(&lock).unwrap(), marker);
        assert!(create_in_place(&lock).unwrap().is_none());
        assert!(matches!(inspect(&lock).unwrap(), Existing::Held(_)));
        drop(file);
        assert!(matches!(inspect(&lock).unwrap(), Existing::Broken));
        assert!(!lock.exists());
    }
}
