//! Reading and replacing a kubeconfig file: YAML 1.1 as kubectl reads it, checked to be a
//! kubeconfig, and replaced atomically with mode 0600 (through a symlink, as kubectl does).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::util::fs::{TEMP_SUFFIX, parent, temp_prefix, write_atomic};

/// The lists a kubeconfig keys its named entries in.
pub(super) const LISTS: [&str; 3] = ["clusters", "users", "contexts"];

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
        "kubeconfig {path} stayed locked by {holder} for {seconds}s: delete {lock} if no kubectl or ike is running"
    )]
    Locked {
        /// The kubeconfig.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// Who holds it, as far as the lock file tells.
        holder: String,
        /// How long ike waited.
        seconds: u64,
    },
    /// `<file>.lock` is not a lock kubectl or ike makes (a symbolic link, a directory, a FIFO):
    /// nothing will ever remove it, so waiting is pointless.
    #[error(
        "cannot lock kubeconfig {path}: {lock} is {what}, which neither kubectl nor ike makes: delete it if no kubectl or ike is running"
    )]
    NotALock {
        /// The kubeconfig.
        path: PathBuf,
        /// The lock path.
        lock: PathBuf,
        /// What is there instead.
        what: String,
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

/// The file's content, or `None` when it is missing or empty (kubectl treats an empty file as
/// an empty config).
pub(super) fn read(path: &Path) -> Result<Option<Map<String, Value>>, WriteError> {
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

pub(super) fn parse(yaml: &[u8]) -> Result<Value, serde_saphyr::Error> {
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
pub(super) fn write(target: &Path, config: &Map<String, Value>) -> Result<(), WriteError> {
    // Long strings stay plain scalars rather than folded blocks: kubectl writes certificate
    // data on one line, and the file should read like one kubectl wrote.
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    let yaml = serde_saphyr::to_string_with_options(config, options).map_err(|source| {
        WriteError::Render {
            path: target.to_path_buf(),
            source,
        }
    })?;
    write_atomic(target, yaml.as_bytes()).map_err(|source| WriteError::Write {
        path: target.to_path_buf(),
        source,
    })
}

/// The file to replace: the target of a symlinked kubeconfig (dotfile managers link
/// `~/.kube/config`), as kubectl writes through the link; renaming over the link would turn it
/// into a plain file.
pub(super) fn resolve(file: &Path) -> PathBuf {
    match fs::symlink_metadata(file) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf())
        }
        _ => file.to_path_buf(),
    }
}

/// Removes the temporary files of writers that were killed before their rename or link.
///
/// Runs under the lock. Only the lock holder creates temporary kubeconfigs, so every one found
/// is an orphan. Lock candidates of live contenders may be removed too; their link then fails
/// and they simply try again.
pub(super) fn remove_orphans(kubeconfig: &Path, lock: &Path) {
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

#[cfg(test)]
mod tests {
    use std::fs::Permissions;
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;
    use crate::client::kubeconfig::fixtures::*;
    use crate::client::kubeconfig::{remove_site, sites_in, upsert_site};

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
    fn temporary_files_of_killed_writers_are_removed_by_the_next_one() {
        let (dir, file) = foreign_file();
        fs::write(dir.path().join(".config.ike-AbC123.tmp"), "partial").unwrap();
        fs::write(dir.path().join(".config.lock.ike-XyZ789.tmp"), "ike pid 1").unwrap();
        fs::write(dir.path().join(".other.ike-AbC123.tmp"), "not ours").unwrap();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert_eq!(dir_names(dir.path()), [".other.ike-AbC123.tmp", "config"]);
    }
}
