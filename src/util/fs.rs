//! Files that hold secrets or that other programs read: written whole or not at all.

use std::fs::{File, Permissions};
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::Path;

/// Suffix of every temporary file ike creates next to a file it replaces.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Replaces `path` by a file holding `bytes`, atomically and with mode 0600: a temporary file in
/// the same directory ([`temp_prefix`] + [`TEMP_SUFFIX`]), fsync, rename, fsync of the directory.
///
/// A crash at any moment leaves the old file or the new one, never a mix; the rename is durable
/// once the directory is synced. The temporary file is created 0600 from the start, so a secret
/// is never readable by others, not even for a moment.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .suffix(TEMP_SUFFIX)
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    File::open(dir).and_then(|dir| dir.sync_all())
}

/// Prefix of ike's temporary files for `path`: hidden, and named after the file they replace,
/// so that a later writer can recognise and remove the ones a killed writer left.
pub fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}.ike-")
}

/// The directory of `path`; `.` for a bare file name.
pub fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Creates `dir` and its missing parents, the last one 0700.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_whole_file_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "old old old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["secret"], "no temporary file is left behind");
    }

    #[test]
    fn temporary_files_are_named_after_the_file_they_replace() {
        assert_eq!(temp_prefix(Path::new("/a/config")), ".config.ike-");
        assert_eq!(parent(Path::new("config")), Path::new("."));
        assert_eq!(parent(Path::new("/a/config")), Path::new("/a"));
    }
}
