//! Every site at once: the sites this machine knows (site files and `ike-*` kubeconfig
//! contexts), each one's certificate, renewing them all in parallel, and probing whether each
//! API server answers. One site's failure is that site's result, never the others'.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::identity::{self, Freshness};
use super::kubeconfig;
use super::site_files::{SiteFiles, SiteStore};
use crate::api::wire::IssueResponse;

/// One site as this machine knows it.
#[derive(Debug, Clone)]
pub struct KnownSite {
    /// The site's name.
    pub site: String,
    /// Its files, if `ike login` was run for it here.
    pub files: Option<SiteFiles>,
    /// Why its files could not be read, when they exist but are damaged.
    pub damaged: Option<String>,
    /// Whether the kubeconfig has its context `ike-<site>`.
    pub has_context: bool,
    /// Whether that context is the current one.
    pub current: bool,
    /// The API server: the context's cluster, else the site's files.
    pub server: Option<String>,
}

impl KnownSite {
    /// The certificate's validity, from its files.
    pub fn certificate(&self) -> Option<crate::pki::CertInfo> {
        crate::pki::cert_info(&self.files.as_ref()?.cert_pem).ok()
    }

    /// The certificate's state at `now`.
    pub fn freshness(&self, now: SystemTime) -> Option<Freshness> {
        let info = self.certificate()?;
        Some(identity::freshness(
            info.not_before,
            info.not_after,
            now,
            None,
        ))
    }
}

/// The sites with files in `store` or a context in the kubeconfig, sorted by name. An
/// unreadable kubeconfig leaves only the sites with files.
pub fn known_sites(store: &SiteStore, kubeconfig_paths: &[PathBuf]) -> Vec<KnownSite> {
    let loaded = kubeconfig::load(kubeconfig_paths).ok();
    let mut names = store.sites();
    if let Some(k) = &loaded {
        names.extend(
            k.contexts
                .iter()
                .filter_map(|c| kubeconfig::site_of_context(&c.name))
                .filter(|s| crate::api::names::check_site(s).is_ok())
                .map(String::from),
        );
    }
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|site| {
            let context = crate::api::consts::context_name(&site);
            let named = loaded
                .as_ref()
                .and_then(|k| k.contexts.iter().find(|c| c.name == context));
            let cluster_server = loaded.as_ref().and_then(|k| {
                let cluster = &named?.context.as_ref()?.cluster;
                k.clusters
                    .iter()
                    .find(|c| &c.name == cluster)?
                    .cluster
                    .as_ref()?
                    .server
                    .clone()
            });
            let (files, damaged) = match store.load(&site) {
                Ok(files) => (Some(files), None),
                Err(super::site_files::Error::NotLoggedIn { .. }) => (None, None),
                Err(e) => (None, Some(e.to_string())),
            };
            KnownSite {
                server: cluster_server
                    .or_else(|| files.as_ref().map(|f| f.settings.api_server.clone())),
                has_context: named.is_some(),
                current: loaded.as_ref().and_then(|k| k.current_context.as_deref())
                    == Some(context.as_str()),
                site,
                files,
                damaged,
            }
        })
        .collect()
}

/// What renewing one site did.
#[derive(Debug)]
pub enum Renewal {
    /// Renewed: the new files (saved) and what the account API issued.
    Renewed(Box<(SiteFiles, IssueResponse)>),
    /// Nothing to renew with: no files here, or a certificate that is no longer valid. Only a
    /// new one-time token helps; the text says which.
    NeedsToken(String),
    /// The renewal failed (site down, account disabled, ...): the error, one line.
    Failed(String),
}

/// Renews the certificate of every site in `sites` at once (on the caller's runtime: the work
/// is waiting on the network), each with its own account API and lifetime. Saves each new key
/// and certificate as it arrives; the kubeconfig is the caller's business.
pub async fn renew_all(store: &SiteStore, sites: &[KnownSite]) -> Vec<Renewal> {
    let now = SystemTime::now();
    let renewals = sites.iter().map(|known| async move {
        let site = &known.site;
        if let Some(why) = &known.damaged {
            return Renewal::Failed(why.clone());
        }
        let Some(files) = &known.files else {
            return Renewal::NeedsToken(format!(
                "not logged in on this machine: run 'ike login --site {site} --token-file FILE'"
            ));
        };
        let expired = match known.certificate() {
            Some(_) if known.freshness(now) != Some(Freshness::Expired) => None,
            Some(info) if info.not_after <= now => Some(format!(
                "certificate expired {}",
                crate::util::time::rfc3339(info.not_after)
            )),
            Some(_) => Some("certificate not valid yet".to_string()),
            None => Some("certificate unreadable".to_string()),
        };
        if let Some(why) = expired {
            return Renewal::NeedsToken(format!(
                "{why}: run 'ike login --site {site} --token-file FILE' with a new token"
            ));
        }
        match identity::renew(store, files).await {
            Ok(renewed) => Renewal::Renewed(Box::new(renewed)),
            Err(e) => Renewal::Failed(format!("{e:#}")),
        }
    });
    futures::future::join_all(renewals).await
}

/// Probes every site's API server at once, each within `timeout`.
pub async fn probe_all(
    sites: &[KnownSite],
    kubeconfig_paths: &[PathBuf],
    timeout: Duration,
) -> Vec<Result<Duration, String>> {
    futures::future::join_all(
        sites
            .iter()
            .map(|s| super::direct::probe(kubeconfig_paths, &s.site, s.files.as_ref(), timeout)),
    )
    .await
}
