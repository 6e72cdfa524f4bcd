//! The per-site cache of names for completion: `<cache dir>/sites/<site>/names/<key>.json`.
//!
//! The `sites` directory is 0700 and every file 0600, written atomically: the names of one
//! account's tenants are nobody else's business. Every file records the account and the account
//! API it was made for; a file made for another account or another site behind the same name is
//! never read, only overwritten. One file per key, so that two refreshes of different keys never
//! overwrite each other's names.

use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{Item, Key};
use crate::client::site_files::SiteSettings;

/// The cache of every site, under the user's cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

/// Who a cached file belongs to: an account on one site's account API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The account.
    pub account: String,
    /// The site's account API.
    pub account_api: String,
}

impl Owner {
    /// The owner of names fetched with the site's files.
    pub fn of(settings: &SiteSettings) -> Self {
        Self {
            account: settings.account.clone(),
            account_api: settings.account_api.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    #[serde(flatten)]
    owner: Owner,
    /// When the names were fetched, in milliseconds since the epoch.
    at_ms: u64,
    items: Vec<Item>,
}

/// Names read from the cache, and how old they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Cached {
    /// The names.
    pub items: Vec<Item>,
    /// Their age.
    pub age: Duration,
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

impl Cache {
    /// The cache under `dir` (ike's cache directory, `~/.cache/ike`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            root: dir.into().join("sites"),
        }
    }

    fn dir(&self, site: &str) -> PathBuf {
        self.root.join(site).join("names")
    }

    /// The file of `key` on `site`.
    pub fn path(&self, site: &str, key: &Key) -> PathBuf {
        self.dir(site).join(format!("{}.json", key.file_stem()))
    }

    /// The lock file the background refresh of `key` on `site` holds.
    pub fn lock_path(&self, site: &str, key: &Key) -> PathBuf {
        self.dir(site).join(format!("{}.lock", key.file_stem()))
    }

    /// The names of `key` on `site` for `owner`, if any were cached for that owner.
    pub fn read(&self, site: &str, owner: &Owner, key: &Key, now: SystemTime) -> Option<Cached> {
        let text = std::fs::read(self.path(site, key)).ok()?;
        let file: File = serde_json::from_slice(&text).ok()?;
        if &file.owner != owner {
            return None;
        }
        Some(Cached {
            items: file.items,
            age: Duration::from_millis(millis(now).saturating_sub(file.at_ms)),
        })
    }

    /// Stores the names of `key` on `site`, fetched at `at` for `owner`.
    pub fn write(
        &self,
        site: &str,
        owner: &Owner,
        key: &Key,
        items: &[Item],
        at: SystemTime,
    ) -> std::io::Result<()> {
        self.ensure_dir(site)?;
        let file = File {
            owner: owner.clone(),
            at_ms: millis(at),
            items: items.to_vec(),
        };
        let bytes = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
        crate::util::fs::write_atomic(&self.path(site, key), &bytes)
    }

    /// Creates the site's directory, with `sites/` 0700 (made so even when it existed wider).
    pub fn ensure_dir(&self, site: &str) -> std::io::Result<()> {
        let dir = self.dir(site);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)?;
        tighten(&self.root)
    }
}

fn tighten(dir: &Path) -> std::io::Result<()> {
    let meta = std::fs::metadata(dir)?;
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(account: &str) -> Owner {
        Owner {
            account: account.into(),
            account_api: "https://accounts.tokyo".into(),
        }
    }

    #[test]
    fn names_are_private_and_only_read_back_for_the_same_account() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let items = vec![Item::new("payments", "owner")];
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        cache
            .write("tokyo", &owner("alice"), &Key::Tenants, &items, t0)
            .unwrap();
        let got = cache
            .read(
                "tokyo",
                &owner("alice"),
                &Key::Tenants,
                t0 + Duration::from_secs(7),
            )
            .unwrap();
        assert_eq!(got.items, items);
        assert_eq!(got.age, Duration::from_secs(7));
        assert_eq!(cache.read("tokyo", &owner("bob"), &Key::Tenants, t0), None);
        assert_eq!(
            cache.read("osaka", &owner("alice"), &Key::Tenants, t0),
            None
        );
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("sites")), 0o700);
        assert_eq!(mode(&cache.path("tokyo", &Key::Tenants)), 0o600);
    }
}
