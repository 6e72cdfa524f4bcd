//! Reading, merging and selecting kubeconfig contexts the way kubectl does.
//!
//! kube-rs fails when a file listed in `KUBECONFIG` is missing; kubectl skips it. ike follows
//! kubectl so that both tools see the same contexts.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

use crate::api::consts::{CONTEXT_PREFIX, context_name};
use crate::api::names::{self, NameError};

/// Errors reading kubeconfig files or choosing a context.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A kubeconfig file exists but cannot be read or parsed.
    #[error("cannot read kubeconfig {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: kube::config::KubeconfigError,
    },
    /// None of the kubeconfig files exists.
    #[error("no kubeconfig found (looked at {looked}): run 'ike login --site SITE' first")]
    NoKubeconfig {
        /// The files looked at.
        looked: String,
    },
    /// The site's context is not in the kubeconfig.
    #[error("no context '{context}' in the kubeconfig: run 'ike login --site {site}' first")]
    UnknownSite {
        /// The site asked for.
        site: String,
        /// Its context name.
        context: String,
    },
    /// The kubeconfig has no current context and no site was given.
    #[error("no site given and the kubeconfig has no current context: pass --site SITE")]
    NoCurrentContext,
    /// No site was given and the current context is not an ike site's.
    #[error(
        "the current context '{0}' is not an ike site: pass --site SITE or run 'kubectl config use-context ike-SITE'"
    )]
    NotASite(String),
    /// The site name cannot be a site.
    #[error(transparent)]
    BadSite(#[from] NameError),
    /// The namespace given with `-n` cannot be one.
    #[error(transparent)]
    BadNamespace(NameError),
    /// kube-rs cannot build a client from the context's configuration.
    #[error("cannot make a client for kubeconfig context '{context}'")]
    Client {
        /// The context.
        context: String,
        /// Why.
        source: kube::Error,
    },
    /// The context exists but kube-rs cannot build a client configuration from it.
    #[error("kubeconfig context '{context}' is not usable")]
    Config {
        /// The context.
        context: String,
        /// Why.
        source: kube::config::KubeconfigError,
    },
}

/// The kubeconfig files in the order kubectl reads them: `KUBECONFIG`'s, else `~/.kube/config`.
pub fn paths(kubeconfig_env: Option<&OsStr>, home: Option<&Path>) -> Vec<PathBuf> {
    if let Some(value) = kubeconfig_env.filter(|v| !v.is_empty()) {
        let list: Vec<PathBuf> = std::env::split_paths(value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !list.is_empty() {
            return list;
        }
    }
    let home = home.map(Path::to_path_buf).unwrap_or_default();
    vec![home.join(".kube").join("config")]
}

/// The file kubectl writes a new entry to: the first existing file listed, else the last one
/// (client-go's `GetDefaultFilename`).
pub fn write_target(paths: &[PathBuf]) -> PathBuf {
    paths
        .iter()
        .find(|p| p.exists())
        .or(paths.last())
        .cloned()
        .unwrap_or_default()
}

/// Reads and merges every existing file, first one wins, as kubectl does.
pub fn load(paths: &[PathBuf]) -> Result<Kubeconfig, Error> {
    let mut merged: Option<Kubeconfig> = None;
    for path in paths.iter().filter(|p| p.exists()) {
        let next = Kubeconfig::read_from(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        merged = Some(match merged {
            None => next,
            Some(m) => m.merge(next).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?,
        });
    }
    merged.ok_or_else(|| Error::NoKubeconfig {
        looked: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The context a command should use: `ike-<site>` when a site is given, else the current one.
pub fn context_for(kubeconfig: &Kubeconfig, site: Option<&str>) -> Result<String, Error> {
    match site {
        Some(site) => {
            let context = context_name(site);
            if kubeconfig.contexts.iter().any(|c| c.name == context) {
                Ok(context)
            } else {
                Err(Error::UnknownSite {
                    site: site.to_string(),
                    context,
                })
            }
        }
        None => kubeconfig
            .current_context
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or(Error::NoCurrentContext),
    }
}

/// The site a command is about: `site` (`--site`) when given, else the one the current
/// context names (`ike-<site>`). The one place `--site` is resolved.
pub fn site_for(kubeconfig: &Kubeconfig, site: Option<&str>) -> Result<String, Error> {
    if let Some(site) = site {
        names::check_site(site)?;
        return Ok(site.to_string());
    }
    let current = kubeconfig
        .current_context
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or(Error::NoCurrentContext)?;
    match site_of_context(current) {
        Some(site) => {
            names::check_site(site)?;
            Ok(site.to_string())
        }
        None => Err(Error::NotASite(current.to_string())),
    }
}

/// The site whose context `context` is (`ike-<site>`), if it is one.
pub fn site_of_context(context: &str) -> Option<&str> {
    context
        .strip_prefix(CONTEXT_PREFIX)
        .filter(|site| !site.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_env_lists_files_in_order() {
        let listed = paths(Some(OsStr::new("/a:/b::/c")), Some(Path::new("/home/u")));
        assert_eq!(listed, ["/a", "/b", "/c"].map(PathBuf::from));
    }

    #[test]
    fn without_kubeconfig_env_the_home_file_is_used() {
        let home = [PathBuf::from("/home/u/.kube/config")];
        assert_eq!(paths(None, Some(Path::new("/home/u"))), home);
        assert_eq!(
            paths(Some(OsStr::new("")), Some(Path::new("/home/u"))),
            home
        );
    }

    #[test]
    fn new_entries_go_to_the_first_existing_file_else_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        let c = dir.path().join("c");
        assert_eq!(write_target(&[a.clone(), b.clone(), c.clone()]), c);
        std::fs::write(&b, "").unwrap();
        assert_eq!(write_target(&[a, b.clone(), c]), b);
    }

    #[test]
    fn missing_files_are_skipped_like_kubectl_does() {
        let dir = tempfile::tempdir().unwrap();
        let present = dir.path().join("present");
        std::fs::write(
            &present,
            "apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n",
        )
        .unwrap();
        let kc = load(&[dir.path().join("missing"), present]).unwrap();
        assert_eq!(context_for(&kc, None).unwrap(), "x");
        assert!(matches!(
            context_for(&kc, Some("tokyo")),
            Err(Error::UnknownSite { .. })
        ));
        assert!(matches!(site_for(&kc, None), Err(Error::NotASite(c)) if c == "x"));
        assert_eq!(site_for(&kc, Some("tokyo")).unwrap(), "tokyo");
        assert!(matches!(
            site_for(&kc, Some("../x")),
            Err(Error::BadSite(_))
        ));
    }
}
