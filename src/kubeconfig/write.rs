//! Writing ike's entries into a kubeconfig file the way kubectl writes its own.
//!
//! `ike login` adds a cluster, a user and a context, all named `ike-<site>`, to a file that
//! people and other tools edit too. So this module:
//! - works on an order-preserving generic value, not on kube-rs's typed `Kubeconfig`, which
//!   drops every field it does not model. Everything ike does not write survives as a value and
//!   in its order; comments and formatting do not (serde-saphyr does not keep them);
//! - takes kubectl's lock, `<file>.lock`, so ike and kubectl never interleave their
//!   read-modify-write cycles;
//! - replaces the file atomically (temporary file in the same directory, fsync, rename, fsync of
//!   the directory), so a crash at any moment leaves the old or the new file, and writes it
//!   0600 as kubectl does.
//!
//! # The lock
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
//!   with the lock's path and what to do.
//!
//! A stale lock is only removed by a process holding its flock and only while the path still
//! names the same file, so two writers breaking the same stale lock cannot remove each other's
//! fresh one. Temporary files left by a killed writer are removed by the next one that holds the
//! lock.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions, TryLockError};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::consts::{CONTEXT_PREFIX, context_name};

/// How long a writer waits for someone else's live lock before giving up.
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);
/// Age after which a lock not created by ike (kubectl's) counts as abandoned.
const FOREIGN_LOCK_STALE_AFTER: Duration = Duration::from_secs(30);
/// The longest pause between two attempts to take the lock.
const MAX_BACKOFF: Duration = Duration::from_millis(20);
/// What ike writes into its lock file, followed by its pid.
const LOCK_MARKER: &str = "ike pid";
/// Suffix of every temporary file ike creates next to a kubeconfig.
const TEMP_SUFFIX: &str = ".tmp";
/// The exec credential API the installed kubectl (1.32) speaks.
const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1";
/// The lists a kubeconfig keys its named entries in.
const LISTS: [&str; 3] = ["clusters", "users", "contexts"];

/// Everything ike writes for one site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteEntry {
    /// The site; its cluster, user and context are all named `ike-<site>`.
    pub site: String,
    /// The kube-apiserver URL.
    pub server: String,
    /// The cluster CA in PEM, written base64-encoded as `certificate-authority-data`.
    pub ca_pem: String,
    /// The context's namespace; `None` keeps whatever namespace the context already has.
    pub namespace: Option<String>,
    /// The absolute path of the ike binary: the user entry is an exec credential plugin, not
    /// embedded certificates.
    pub exec_command: String,
    /// Its arguments, e.g. `["credential", "--site", "<site>"]`.
    pub exec_args: Vec<String>,
}

/// Errors writing or reading a kubeconfig file. Whenever one is returned the file is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The kubeconfig exists but cannot be read.
    #[error("cannot read kubeconfig {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The kubeconfig is not YAML.
    #[error("kubeconfig {path} is not valid YAML (left unchanged)")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and why parsing failed (boxed: it is large, and errors are rare).
        source: Box<serde_saphyr::Error>,
    },
    /// The kubeconfig is YAML but not a kubeconfig: not a mapping, another `kind`, or a list
    /// that is not a list.
    #[error("kubeconfig {path} is not a kubeconfig: {reason} (left unchanged)")]
    NotKubeconfig {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Another kubectl or ike held the lock for longer than ike waits.
    #[error(
        "kubeconfig {path} stayed locked by {holder} for {}s: delete {lock} if no kubectl or ike is running",
        LOCK_TIMEOUT.as_secs()
    )]
    Locked {
        /// The kubeconfig.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// Who holds it, as far as the lock file tells.
        holder: String,
    },
    /// The lock file cannot be created, inspected or removed.
    #[error("cannot lock kubeconfig {path} with {lock}")]
    Lock {
        /// The kubeconfig.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The new content cannot be rendered as YAML.
    #[error("cannot render kubeconfig {path} as YAML")]
    Render {
        /// The kubeconfig.
        path: PathBuf,
        /// Why.
        source: serde_saphyr::SerializeError,
    },
    /// The directory, the temporary file or the rename failed.
    #[error("cannot write kubeconfig {path}")]
    Write {
        /// The kubeconfig.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// Adds or replaces the cluster, user and context `ike-<site>` in `file`, keeping every other
/// entry, its order and unknown fields; sets current-context to it when `switch` is true.
/// Creates the file (and its directory, 0700) if missing.
///
/// In ike's own entries, fields ike does not write are kept too, except those that would
/// contradict it: `certificate-authority` and `insecure-skip-tls-verify` of the cluster, and
/// every credential of the user (its `user` mapping is replaced whole). Nothing is written when
/// the file already says all of it.
pub fn upsert_site(file: &Path, entry: &SiteEntry, switch: bool) -> Result<(), WriteError> {
    let target = resolve(file);
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(parent(file))
        .map_err(|source| WriteError::Write {
            path: file.to_path_buf(),
            source,
        })?;
    let _lock = Lock::acquire(file, LOCK_TIMEOUT)?;
    let original = read(&target)?;
    let mut config = original.clone().unwrap_or_else(new_config);
    upsert(&mut config, entry, switch);
    if original.as_ref() != Some(&config) {
        write(&target, &config)?;
    }
    Ok(())
}

/// Removes the cluster, user and context `ike-<site>` and nothing else; clears current-context
/// only if it pointed at it. Ok(false) if nothing was there.
pub fn remove_site(file: &Path, site: &str) -> Result<bool, WriteError> {
    let target = resolve(file);
    if !target.exists() {
        return Ok(false);
    }
    let _lock = Lock::acquire(file, LOCK_TIMEOUT)?;
    let Some(mut config) = read(&target)? else {
        return Ok(false);
    };
    let removed = remove(&mut config, &context_name(site));
    if removed {
        write(&target, &config)?;
    }
    Ok(removed)
}

/// The sites (names after `ike-`) whose context is in `file`, in file order.
pub fn sites_in(file: &Path) -> Result<Vec<String>, WriteError> {
    // No lock: writers replace the file by rename, so a reader sees one whole version.
    let Some(config) = read(file)? else {
        return Ok(Vec::new());
    };
    let mut sites: Vec<String> = Vec::new();
    for context in entries(&config, "contexts") {
        let site = context
            .get("name")
            .and_then(Value::as_str)
            .and_then(|name| name.strip_prefix(CONTEXT_PREFIX))
            .filter(|site| !site.is_empty());
        if let Some(site) = site
            && !sites.iter().any(|s| s == site)
        {
            sites.push(site.to_string());
        }
    }
    Ok(sites)
}

/// What kubectl writes into a new file (its keys in kubectl's order).
fn new_config() -> Map<String, Value> {
    let value = json!({
        "apiVersion": "v1",
        "clusters": [],
        "contexts": [],
        "current-context": "",
        "kind": "Config",
        "preferences": {},
        "users": [],
    });
    match value {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object literal is an object"),
    }
}

fn upsert(config: &mut Map<String, Value>, entry: &SiteEntry, switch: bool) {
    let name = context_name(&entry.site);

    let cluster = named_entry(list_mut(config, "clusters"), &name, "cluster");
    cluster.shift_remove("certificate-authority");
    cluster.shift_remove("insecure-skip-tls-verify");
    cluster.insert("server".into(), entry.server.clone().into());
    cluster.insert(
        "certificate-authority-data".into(),
        base64(entry.ca_pem.as_bytes()),
    );

    let user = named_entry(list_mut(config, "users"), &name, "user");
    *user = Map::new();
    user.insert(
        "exec".into(),
        json!({
            "apiVersion": EXEC_API_VERSION,
            "command": entry.exec_command,
            "args": entry.exec_args,
            "interactiveMode": "Never",
            "provideClusterInfo": false,
        }),
    );

    let context = named_entry(list_mut(config, "contexts"), &name, "context");
    context.insert("cluster".into(), name.clone().into());
    context.insert("user".into(), name.clone().into());
    if let Some(namespace) = &entry.namespace {
        context.insert("namespace".into(), namespace.clone().into());
    }

    if switch {
        config.insert("current-context".into(), name.into());
    }
}

fn remove(config: &mut Map<String, Value>, name: &str) -> bool {
    let mut removed = false;
    for key in LISTS {
        if let Some(Value::Array(list)) = config.get_mut(key) {
            let before = list.len();
            list.retain(|item| !has_name(item, name));
            removed |= list.len() != before;
        }
    }
    if config.get("current-context").and_then(Value::as_str) == Some(name) {
        config.insert("current-context".into(), "".into());
        removed = true;
    }
    removed
}

/// The list under `key`, made an empty one if absent or null (kubectl writes `users: null`).
fn list_mut<'a>(config: &'a mut Map<String, Value>, key: &str) -> &'a mut Vec<Value> {
    let slot = config.entry(key).or_insert(Value::Null);
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut().expect("just made a list")
}

/// The `field` mapping (`cluster`, `user`, `context`) of the entry named `name`, appended if
/// missing. Later entries of the same name are dropped: they would contradict this one.
fn named_entry<'a>(
    list: &'a mut Vec<Value>,
    name: &str,
    field: &str,
) -> &'a mut Map<String, Value> {
    let index = match list.iter().position(|item| has_name(item, name)) {
        Some(index) => {
            for later in (index + 1..list.len()).rev() {
                if has_name(&list[later], name) {
                    list.remove(later);
                }
            }
            index
        }
        None => {
            let mut item = Map::new();
            item.insert("name".into(), name.into());
            item.insert(field.into(), Value::Object(Map::new()));
            list.push(Value::Object(item));
            list.len() - 1
        }
    };
    let item = list[index]
        .as_object_mut()
        .expect("only mappings have a name");
    let inner = item
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    if !inner.is_object() {
        *inner = Value::Object(Map::new());
    }
    inner.as_object_mut().expect("just made a mapping")
}

fn has_name(item: &Value, name: &str) -> bool {
    item.get("name").and_then(Value::as_str) == Some(name)
}

fn entries<'a>(config: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a Value> {
    config
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// `certificate-authority-data` holds the PEM in standard, padded base64.
fn base64(bytes: &[u8]) -> Value {
    // k8s-openapi's ByteString is Go's []byte on the wire; reusing it saves a base64 dependency.
    serde_json::to_value(k8s_openapi::ByteString(bytes.to_vec()))
        .expect("a byte string serializes as a string")
}

/// The file's content, or `None` when it is missing or empty (kubectl treats an empty file as
/// an empty config).
fn read(path: &Path) -> Result<Option<Map<String, Value>>, WriteError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(WriteError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let value = parse(&bytes).map_err(|source| WriteError::Parse {
        path: path.to_path_buf(),
        source: Box::new(source),
    })?;
    let not_kubeconfig = |reason: String| WriteError::NotKubeconfig {
        path: path.to_path_buf(),
        reason,
    };
    let config = match value {
        Value::Null => return Ok(None),
        Value::Object(config) => config,
        other => {
            return Err(not_kubeconfig(format!(
                "it is {} instead of a mapping",
                type_name(&other)
            )));
        }
    };
    for (key, expected) in [("kind", "Config"), ("apiVersion", "v1")] {
        if let Some(found) = config.get(key)
            && found.as_str() != Some(expected)
        {
            return Err(not_kubeconfig(format!(
                "{key} is {found} instead of \"{expected}\""
            )));
        }
    }
    for key in LISTS {
        if let Some(found) = config.get(key)
            && !(found.is_array() || found.is_null())
        {
            return Err(not_kubeconfig(format!(
                "{key} is {} instead of a list",
                type_name(found)
            )));
        }
    }
    if let Some(found) = config.get("current-context")
        && !(found.is_string() || found.is_null())
    {
        return Err(not_kubeconfig(format!(
            "current-context is {} instead of a string",
            type_name(found)
        )));
    }
    Ok(Some(config))
}

fn parse(yaml: &[u8]) -> Result<Value, serde_saphyr::Error> {
    // One line per error (no source snippet): the message names the file, the chain says where.
    // kubectl reads YAML 1.1 (go-yaml v2), where `0755` is octal: reading it that way keeps the
    // value kubectl sees when it is written back.
    let options = serde_saphyr::options! {
        with_snippet: false,
        legacy_octal_numbers: true,
    };
    serde_saphyr::from_slice_with_options(yaml, options)
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Replaces `target` by a file holding `config`, atomically, mode 0600.
fn write(target: &Path, config: &Map<String, Value>) -> Result<(), WriteError> {
    // Long strings stay plain scalars rather than folded blocks: kubectl writes certificate
    // data on one line, and the file should read like one kubectl wrote.
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    let yaml = serde_saphyr::to_string_with_options(config, options).map_err(|source| {
        WriteError::Render {
            path: target.to_path_buf(),
            source,
        }
    })?;
    let failed = |source| WriteError::Write {
        path: target.to_path_buf(),
        source,
    };
    let dir = parent(target);
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(target))
        .suffix(TEMP_SUFFIX)
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(failed)?;
    temp.write_all(yaml.as_bytes()).map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    temp.persist(target).map_err(|e| failed(e.error))?;
    // The rename itself is durable only once the directory is.
    File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(failed)
}

/// The file to replace: the target of a symlinked kubeconfig (dotfile managers link
/// `~/.kube/config`), as kubectl writes through the link; renaming over the link would turn it
/// into a plain file.
fn resolve(file: &Path) -> PathBuf {
    match fs::symlink_metadata(file) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf())
        }
        _ => file.to_path_buf(),
    }
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Prefix of ike's temporary files for `path`: hidden, and named after the file they replace.
fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}.ike-")
}

/// Removes the temporary files of writers that were killed before their rename or link.
///
/// Runs under the lock. Only the lock holder creates temporary kubeconfigs, so every one found
/// is an orphan. Lock candidates of live contenders may be removed too; their link then fails
/// and they simply try again.
fn remove_orphans(kubeconfig: &Path, lock: &Path) {
    let target = resolve(kubeconfig);
    for path in [target.as_path(), lock] {
        let prefix = temp_prefix(path);
        let Ok(names) = fs::read_dir(parent(path)) else {
            continue;
        };
        for entry in names.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name.ends_with(TEMP_SUFFIX) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// kubectl's `<file>.lock`, held by this process until dropped.
#[derive(Debug)]
struct Lock {
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
}

impl Lock {
    fn acquire(kubeconfig: &Path, timeout: Duration) -> Result<Self, WriteError> {
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
            match inspect(&path).map_err(failed)? {
                Existing::Gone | Existing::Broken => {}
                Existing::Held(holder) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(WriteError::Locked {
                            path: kubeconfig.to_path_buf(),
                            lock: path,
                            holder,
                        });
                    }
                    std::thread::sleep(backoff.min(left));
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
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
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Gone),
        Err(e) => return Err(e),
    };
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
    use std::error::Error as _;

    use super::*;

    /// Someone else's kubeconfig: entries in a non-alphabetical order, fields ike does not know
    /// at every level, a YAML 1.1 octal and boolean, an anchor.
    const FOREIGN: &str = r#"# my clusters
apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority: /etc/prod-ca.crt
    proxy-url: socks5://localhost:1080
    extensions:
    - name: vendor
      extension: {region: "eu-1", replicas: 3, mode: 0755, "on": off, empty: ""}
- name: dev
  cluster:
    server: https://dev.example:6443
    insecure-skip-tls-verify: true
users:
- name: alice
  user: &alice
    token: secret-token
    x-unknown-user-field: [1, "two", {three: 3.5}]
- name: bob
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token]
      env:
      - {name: AWS_PROFILE, value: "123"}
- name: alice-again
  user: *alice
contexts:
- name: prod
  context: {cluster: prod, user: alice, namespace: web}
  x-entry-level: kept
- name: dev
  context:
    cluster: dev
    user: bob
current-context: prod
extensions:
- name: top
  extension: {anything: [goes, null, "multi\nline"]}
x-vendor-top-level: {keep: me}
"#;

    fn entry(site: &str, server: &str) -> SiteEntry {
        SiteEntry {
            site: site.into(),
            server: server.into(),
            ca_pem: format!("-----BEGIN CERTIFICATE-----\n{site}\n-----END CERTIFICATE-----\n"),
            namespace: None,
            exec_command: "/usr/local/bin/ike".into(),
            exec_args: vec!["credential".into(), "--site".into(), site.into()],
        }
    }

    fn parse(file: &Path) -> Map<String, Value> {
        read(file).unwrap().expect("a kubeconfig")
    }

    fn foreign_file() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        fs::write(&file, FOREIGN).unwrap();
        (dir, file)
    }

    /// The list under `key` without ike's entries.
    fn without_ike(config: &Map<String, Value>, key: &str) -> Vec<Value> {
        entries(config, key)
            .filter(|item| {
                !item["name"]
                    .as_str()
                    .is_some_and(|name| name.starts_with(CONTEXT_PREFIX))
            })
            .cloned()
            .collect()
    }

    fn named<'a>(config: &'a Map<String, Value>, key: &str, name: &str) -> &'a Value {
        entries(config, key)
            .find(|item| has_name(item, name))
            .unwrap_or_else(|| panic!("no {name} in {key}"))
    }

    fn names(config: &Map<String, Value>, key: &str) -> Vec<String> {
        entries(config, key)
            .map(|item| item["name"].as_str().unwrap().to_string())
            .collect()
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// The error and its sources, as the chain printer shows them.
    fn chain(err: &WriteError) -> String {
        let mut text = err.to_string();
        let mut source = err.source();
        while let Some(next) = source {
            text = format!("{text}: {next}");
            source = next.source();
        }
        text
    }

    fn dir_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn merging_keeps_every_other_entry_its_order_and_unknown_fields() {
        let (dir, file) = foreign_file();
        let before = parse(&file);
        upsert_site(&file, &entry("tokyo", "https://tokyo.example:6443"), true).unwrap();
        let after = parse(&file);

        for key in LISTS {
            assert_eq!(
                without_ike(&after, key),
                before[key].as_array().unwrap().clone()
            );
            assert_eq!(names(&after, key).last().unwrap(), "ike-tokyo");
        }
        let keys = |config: &Map<String, Value>| config.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&after), keys(&before));
        for (key, value) in &before {
            if !LISTS.contains(&key.as_str()) && key != "current-context" {
                assert_eq!(&after[key], value, "{key}");
            }
        }
        // YAML 1.1 as kubectl reads it: octal and `off` keep the values kubectl saw.
        let extension = &before["clusters"][0]["cluster"]["extensions"][0]["extension"];
        assert_eq!(extension["mode"], json!(0o755));
        assert_eq!(extension["on"], json!(false));
        assert_eq!(before["users"][2]["user"], before["users"][0]["user"]);
        assert_eq!(after["current-context"], "ike-tokyo");
        assert_eq!(dir_names(dir.path()), ["config"]);
    }

    #[test]
    fn the_entries_are_those_kubectl_expects_for_an_exec_plugin() {
        let (_dir, file) = foreign_file();
        let mut tokyo = entry("tokyo", "https://tokyo.example:6443");
        tokyo.namespace = Some("team-a".into());
        upsert_site(&file, &tokyo, true).unwrap();
        let config = parse(&file);
        assert_eq!(
            *named(&config, "clusters", "ike-tokyo"),
            json!({"name": "ike-tokyo", "cluster": {
                "server": "https://tokyo.example:6443",
                "certificate-authority-data":
                    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCnRva3lvCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K",
            }})
        );
        assert_eq!(
            *named(&config, "users", "ike-tokyo"),
            json!({"name": "ike-tokyo", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": "/usr/local/bin/ike",
                "args": ["credential", "--site", "tokyo"],
                "interactiveMode": "Never",
                "provideClusterInfo": false,
            }}})
        );
        assert_eq!(
            *named(&config, "contexts", "ike-tokyo"),
            json!({"name": "ike-tokyo", "context": {
                "cluster": "ike-tokyo", "user": "ike-tokyo", "namespace": "team-a",
            }})
        );
    }

    #[test]
    fn a_new_file_reads_like_one_kubectl_wrote_in_a_private_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("home/.kube/config");
        upsert_site(&file, &entry("tokyo", "https://tokyo.example:6443"), false).unwrap();
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            "apiVersion: v1
clusters:
- name: ike-tokyo
  cluster:
    server: https://tokyo.example:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCnRva3lvCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
contexts:
- name: ike-tokyo
  context:
    cluster: ike-tokyo
    user: ike-tokyo
current-context: \"\"
kind: Config
preferences: {}
users:
- name: ike-tokyo
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/local/bin/ike
      args:
      - credential
      - --site
      - tokyo
      interactiveMode: Never
      provideClusterInfo: false
"
        );
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("home/.kube")), 0o700);
        assert_eq!(mode(&dir.path().join("home")), 0o700);
    }

    #[test]
    fn an_empty_file_is_treated_as_an_empty_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        fs::write(&file, "# nothing yet\n").unwrap();
        assert_eq!(sites_in(&file).unwrap(), Vec::<String>::new());
        assert!(!remove_site(&file, "tokyo").unwrap());
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert_eq!(sites_in(&file).unwrap(), ["tokyo"]);
    }

    #[test]
    fn login_again_replaces_only_its_own_entries_in_place() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("tokyo", "https://old.example"), true).unwrap();
        upsert_site(&file, &entry("osaka", "https://osaka.example"), true).unwrap();
        // Someone tweaks ike's entries by hand between two logins.
        let mut config = parse(&file);
        let tokyo = list_mut(&mut config, "clusters")
            .iter_mut()
            .find(|item| has_name(item, "ike-tokyo"))
            .unwrap();
        tokyo["cluster"]["insecure-skip-tls-verify"] = json!(true);
        tokyo["cluster"]["proxy-url"] = json!("http://proxy:3128");
        let user = list_mut(&mut config, "users")
            .iter_mut()
            .find(|item| has_name(item, "ike-tokyo"))
            .unwrap();
        user["user"]["client-certificate-data"] = json!("old");
        let context = list_mut(&mut config, "contexts")
            .iter_mut()
            .find(|item| has_name(item, "ike-tokyo"))
            .unwrap();
        context["context"]["namespace"] = json!("chosen-by-hand");
        write(&file, &config).unwrap();
        let before = parse(&file);

        let mut again = entry("tokyo", "https://new.example");
        again.exec_command = "/opt/ike".into();
        upsert_site(&file, &again, true).unwrap();
        let after = parse(&file);

        for key in LISTS {
            assert_eq!(names(&after, key), names(&before, key), "{key}");
            for item in entries(&before, key).filter(|item| !has_name(item, "ike-tokyo")) {
                let name = item["name"].as_str().unwrap();
                assert_eq!(named(&after, key, name), item);
            }
        }
        let cluster = &named(&after, "clusters", "ike-tokyo")["cluster"];
        assert_eq!(cluster["server"], "https://new.example");
        assert_eq!(cluster["proxy-url"], "http://proxy:3128");
        assert!(cluster.get("insecure-skip-tls-verify").is_none());
        let user = &named(&after, "users", "ike-tokyo")["user"];
        assert_eq!(user.as_object().unwrap().len(), 1, "{user}");
        assert_eq!(user["exec"]["command"], "/opt/ike");
        // No namespace given: the one chosen by hand stays.
        let context = &named(&after, "contexts", "ike-tokyo")["context"];
        assert_eq!(context["namespace"], "chosen-by-hand");
        assert_eq!(after["current-context"], "ike-tokyo");
    }

    #[test]
    fn login_without_switch_keeps_the_current_context() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("tokyo", "https://t"), false).unwrap();
        assert_eq!(parse(&file)["current-context"], "prod");
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        upsert_site(&file, &entry("osaka", "https://o"), false).unwrap();
        assert_eq!(parse(&file)["current-context"], "ike-tokyo");
    }

    #[test]
    fn login_that_changes_nothing_writes_nothing() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        let rewritten = format!("# kept comment\n{}", fs::read_to_string(&file).unwrap());
        fs::write(&file, &rewritten).unwrap();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), rewritten);
    }

    #[test]
    fn remove_site_removes_only_its_three_entries() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("osaka", "https://o"), false).unwrap();
        let only_osaka = parse(&file);
        upsert_site(&file, &entry("tokyo", "https://t"), false).unwrap();
        assert!(remove_site(&file, "tokyo").unwrap());
        assert_eq!(parse(&file), only_osaka);

        let unchanged = fs::read(&file).unwrap();
        assert!(!remove_site(&file, "tokyo").unwrap());
        assert!(!remove_site(&file, "prod").unwrap(), "not an ike site");
        assert_eq!(fs::read(&file).unwrap(), unchanged);
        assert!(!remove_site(&file.with_file_name("missing"), "tokyo").unwrap());
    }

    #[test]
    fn remove_site_clears_the_current_context_only_if_it_was_that_site() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        upsert_site(&file, &entry("osaka", "https://o"), false).unwrap();
        assert!(remove_site(&file, "osaka").unwrap());
        assert_eq!(parse(&file)["current-context"], "ike-tokyo");
        assert!(remove_site(&file, "tokyo").unwrap());
        assert_eq!(parse(&file)["current-context"], "");
        for key in LISTS {
            assert_eq!(parse(&file)[key], parse_str(FOREIGN)[key]);
        }
    }

    fn parse_str(yaml: &str) -> Map<String, Value> {
        match super::parse(yaml.as_bytes()).unwrap() {
            Value::Object(config) => config,
            other => panic!("not a mapping: {other}"),
        }
    }

    #[test]
    fn sites_lists_the_ike_contexts_in_file_order() {
        let (_dir, file) = foreign_file();
        assert_eq!(sites_in(&file).unwrap(), Vec::<String>::new());
        for site in ["tokyo", "osaka", "kyoto"] {
            upsert_site(&file, &entry(site, "https://s"), false).unwrap();
        }
        remove_site(&file, "osaka").unwrap();
        assert_eq!(sites_in(&file).unwrap(), ["tokyo", "kyoto"]);
        assert_eq!(
            sites_in(&file.with_file_name("missing")).unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_bad_kubeconfig_is_reported_in_one_line_and_left_unchanged() {
        let cases = [
            ("clusters: [\n  - name: a\n", "is not valid YAML"),
            ("a: 1\na: 2\n", "is not valid YAML"),
            ("- apiVersion: v1\n", "it is a list instead of a mapping"),
            ("just text\n", "it is a string instead of a mapping"),
            (
                "apiVersion: v1\nkind: Pod\n",
                r#"kind is "Pod" instead of "Config""#,
            ),
            (
                "apiVersion: v2\nkind: Config\n",
                r#"apiVersion is "v2" instead of "v1""#,
            ),
            (
                "clusters: {a: b}\n",
                "clusters is a mapping instead of a list",
            ),
            (
                "current-context: [a]\n",
                "current-context is a list instead",
            ),
        ];
        for (content, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("config");
            fs::write(&file, content).unwrap();
            fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
            let errors = [
                upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap_err(),
                remove_site(&file, "tokyo").unwrap_err(),
                sites_in(&file).unwrap_err(),
            ];
            for err in errors {
                let text = chain(&err);
                assert!(text.contains(expected), "{content:?}: {text}");
                assert!(text.contains(&file.display().to_string()), "{text}");
                assert!(!text.contains('\n'), "{text}");
            }
            assert_eq!(fs::read(&file).unwrap(), content.as_bytes());
            assert_eq!(mode(&file), 0o644);
            assert_eq!(
                dir_names(dir.path()),
                ["config"],
                "no lock or temp file left"
            );
        }
    }

    #[test]
    fn the_file_is_0600_after_a_write_even_if_it_was_0644() {
        let (_dir, file) = foreign_file();
        fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert_eq!(mode(&file), 0o600);
        fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        remove_site(&file, "tokyo").unwrap();
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn a_symlinked_kubeconfig_stays_a_symlink() {
        let (dir, real) = foreign_file();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        upsert_site(&link, &entry("tokyo", "https://t"), true).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(sites_in(&real).unwrap(), ["tokyo"]);
        assert_eq!(dir_names(dir.path()), ["config", "link"]);
    }

    #[test]
    fn a_live_lock_is_waited_for_then_reported_with_what_to_do() {
        let (_dir, file) = foreign_file();
        let held = Lock::acquire(&file, LOCK_TIMEOUT).unwrap();
        let started = Instant::now();
        let err = Lock::acquire(&file, Duration::from_millis(300)).unwrap_err();
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
        let held = Lock::acquire(&file, LOCK_TIMEOUT).unwrap();
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
        let err = Lock::acquire(&file, Duration::from_millis(100)).unwrap_err();
        assert!(chain(&err).contains("another program, probably kubectl"));
        let old = std::time::SystemTime::now() - FOREIGN_LOCK_STALE_AFTER * 2;
        kubectl_lock.set_modified(old).unwrap();
        drop(Lock::acquire(&file, Duration::from_millis(100)).unwrap());
        assert!(!lock.exists());
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

    #[test]
    fn temporary_files_of_killed_writers_are_removed_by_the_next_one() {
        let (dir, file) = foreign_file();
        fs::write(dir.path().join(".config.ike-AbC123.tmp"), "partial").unwrap();
        fs::write(dir.path().join(".config.lock.ike-XyZ789.tmp"), "ike pid 1").unwrap();
        fs::write(dir.path().join(".other.ike-AbC123.tmp"), "not ours").unwrap();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert_eq!(dir_names(dir.path()), [".other.ike-AbC123.tmp", "config"]);
    }
}
