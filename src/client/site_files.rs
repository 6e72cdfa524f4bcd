//! What `ike login` keeps for each site, under the XDG data directory
//! (`~/.local/share/ike/sites/<site>/`): the site's settings, its CA, and `identity.pem`, the
//! account's current certificate followed by its private key (0600, never leaves the machine).
//!
//! Every file is written atomically (temp file in the same directory + rename), so a login
//! killed mid-way leaves the previous files whole. Certificate and key share one file so that
//! two renewals racing (two kubectl calls at once) can never leave a key beside another key's
//! certificate: whichever rename lands last wins, whole.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::names::{self, NameError};

/// Errors reading or writing a site's files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The site was never logged in to on this machine.
    #[error("not logged in to site '{site}': run 'ike login --site {site}'")]
    NotLoggedIn {
        /// The site.
        site: String,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {path}")]
    Io {
        /// read or write.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A settings file is not what ike writes.
    #[error("{path} is damaged ({detail}): run 'ike logout --site {site}' and log in again")]
    Damaged {
        /// The site.
        site: String,
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The site name cannot be used as a name.
    #[error(transparent)]
    BadName(#[from] NameError),
}

/// A site's settings, as learned at the first login.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SiteSettings {
    /// The site's name.
    pub site: String,
    /// The account API's URL.
    pub account_api: String,
    /// The kube-apiserver's URL.
    pub api_server: String,
    /// The account logged in.
    pub account: String,
    /// The certificate lifetime chosen with `ike login --ttl`, in seconds: every renewal asks
    /// for it (the site's maximum still caps it). Absent: the site's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
}

impl SiteSettings {
    /// The lifetime to ask for at renewal: the one chosen at login, else the site's default.
    pub fn ttl(&self) -> Option<std::time::Duration> {
        self.ttl_seconds.map(std::time::Duration::from_secs)
    }
}

/// The directory holding every site's files.
#[derive(Debug, Clone)]
pub struct SiteStore {
    root: PathBuf,
}

/// A site's files as loaded.
#[derive(Debug, Clone)]
pub struct SiteFiles {
    /// Its settings.
    pub settings: SiteSettings,
    /// The cluster CA, PEM.
    pub ca_pem: String,
    /// The account's private key, PEM.
    pub key_pem: String,
    /// The account's current certificate, PEM.
    pub cert_pem: String,
}

const SETTINGS: &str = "site.json";
const CA: &str = "ca.pem";
const IDENTITY: &str = "identity.pem";

impl SiteStore {
    /// The store under `root` (normally the XDG data dir's `ike/sites`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory of one site.
    pub fn dir(&self, site: &str) -> PathBuf {
        self.root.join(site)
    }

    /// The sites with files here, sorted.
    pub fn sites(&self) -> Vec<String> {
        let mut sites: Vec<String> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.path().join(SETTINGS).exists())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        sites.sort();
        sites
    }

    /// Loads a site's files.
    pub fn load(&self, site: &str) -> Result<SiteFiles, Error> {
        names::check_site(site)?;
        let dir = self.dir(site);
        if !dir.join(SETTINGS).exists() {
            return Err(Error::NotLoggedIn {
                site: site.to_string(),
            });
        }
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| Error::Io {
                action: "read",
                path,
                source,
            })
        };
        let settings_text = read(SETTINGS)?;
        let settings = serde_json::from_str(&settings_text).map_err(|e| Error::Damaged {
            site: site.to_string(),
            path: dir.join(SETTINGS),
            detail: e.to_string(),
        })?;
        let identity = read(IDENTITY)?;
        let (cert_pem, key_pem) = split_identity(&identity).ok_or_else(|| Error::Damaged {
            site: site.to_string(),
            path: dir.join(IDENTITY),
            detail: "no certificate and key in it".into(),
        })?;
        Ok(SiteFiles {
            settings,
            ca_pem: read(CA)?,
            key_pem,
            cert_pem,
        })
    }

    /// Saves a site's files: key first (0600), then certificate, CA and settings.
    pub fn save(&self, files: &SiteFiles) -> Result<(), Error> {
        let site = &files.settings.site;
        names::check_site(site)?;
        let dir = self.dir(site);
        create_private_dir(&dir)?;
        let settings =
            serde_json::to_string_pretty(&files.settings).expect("settings always serialize");
        self.save_identity(site, &files.key_pem, &files.cert_pem)?;
        write_atomic(&dir.join(CA), files.ca_pem.as_bytes())?;
        write_atomic(&dir.join(SETTINGS), settings.as_bytes())
    }

    /// Replaces a site's settings (a new chosen lifetime).
    pub fn save_settings(&self, settings: &SiteSettings) -> Result<(), Error> {
        names::check_site(&settings.site)?;
        let text = serde_json::to_string_pretty(settings).expect("settings always serialize");
        write_atomic(&self.dir(&settings.site).join(SETTINGS), text.as_bytes())
    }

    /// Replaces the key and certificate after a renewal.
    pub fn save_identity(&self, site: &str, key_pem: &str, cert_pem: &str) -> Result<(), Error> {
        let mut identity = cert_pem.trim_end().to_string();
        identity.push('\n');
        identity.push_str(key_pem.trim_end());
        identity.push('\n');
        write_atomic(&self.dir(site).join(IDENTITY), identity.as_bytes())
    }

    /// Removes a site's files; `Ok(false)` if there were none.
    pub fn remove(&self, site: &str) -> Result<bool, Error> {
        names::check_site(site)?;
        let dir = self.dir(site);
        if !dir.exists() {
            return Ok(false);
        }
        std::fs::remove_dir_all(&dir).map_err(|source| Error::Io {
            action: "remove",
            path: dir,
            source,
        })?;
        Ok(true)
    }
}

/// Splits `identity.pem` into (certificate PEM, private key PEM).
fn split_identity(text: &str) -> Option<(String, String)> {
    let key_start = text
        .find("-----BEGIN PRIVATE KEY-----")
        .or_else(|| text.find("-----BEGIN EC PRIVATE KEY-----"))
        .or_else(|| text.find("-----BEGIN RSA PRIVATE KEY-----"))?;
    let (cert, key) = text.split_at(key_start);
    if !cert.contains("-----BEGIN CERTIFICATE-----") {
        return None;
    }
    Some((cert.to_string(), key.to_string()))
}

fn create_private_dir(dir: &Path) -> Result<(), Error> {
    crate::util::fs::create_private_dir(dir).map_err(|source| Error::Io {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes `bytes` to `path` atomically with mode 0600.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::util::fs::write_atomic(path, bytes).map_err(|source| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn files(site: &str) -> SiteFiles {
        SiteFiles {
            settings: SiteSettings {
                site: site.into(),
                account_api: "https://127.0.0.1:1".into(),
                api_server: "https://127.0.0.1:2".into(),
                account: "alice".into(),
                ttl_seconds: Some(180),
            },
            ca_pem: "ca".into(),
            key_pem: "-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n".into(),
            cert_pem: "-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n".into(),
        }
    }

    #[test]
    fn saved_site_loads_back_and_its_key_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = SiteStore::new(dir.path());
        store.save(&files("tokyo")).unwrap();
        let loaded = store.load("tokyo").unwrap();
        assert_eq!(loaded.settings, files("tokyo").settings);
        assert_eq!(
            loaded.settings.ttl(),
            Some(std::time::Duration::from_secs(180))
        );
        let mut forgotten = loaded.settings.clone();
        forgotten.ttl_seconds = None;
        store.save_settings(&forgotten).unwrap();
        assert_eq!(store.load("tokyo").unwrap().settings, forgotten);
        // Settings written before the lifetime was remembered still load.
        std::fs::write(
            store.dir("tokyo").join(SETTINGS),
            r#"{"site":"tokyo","accountApi":"https://a","apiServer":"https://b","account":"alice"}"#,
        )
        .unwrap();
        assert_eq!(store.load("tokyo").unwrap().settings.ttl(), None);
        assert_eq!(loaded.key_pem, files("tokyo").key_pem);
        assert_eq!(loaded.cert_pem, files("tokyo").cert_pem);
        let mode = |n: &str| {
            std::fs::metadata(store.dir("tokyo").join(n))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode(IDENTITY), 0o600);
        assert_eq!(
            std::fs::metadata(store.dir("tokyo"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        assert_eq!(store.sites(), ["tokyo"]);
        assert!(store.remove("tokyo").unwrap());
        assert!(matches!(
            store.load("tokyo"),
            Err(Error::NotLoggedIn { .. })
        ));
        assert!(matches!(store.load("../x"), Err(Error::BadName(_))));
    }
}
