//! The one place where `--site`, `-n` and `KUBECONFIG` become a site, a kubeconfig context and a
//! Kubernetes client.

use std::path::PathBuf;

use kube::config::KubeConfigOptions;

use super::account_client::AccountClient;
use super::identity;
use super::kubeconfig;
use super::site_files::{SiteFiles, SiteStore};
use crate::api::wire::WhoamiResponse;

/// What the command line and the environment tell the client layer, resolved once by the CLI.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// The site asked for (`--site`, `IKE_SITE`); `None` means the current context's.
    pub site: Option<String>,
    /// The namespace asked for (`-n`), if any.
    pub namespace: Option<String>,
    /// The kubeconfig files in the order kubectl reads them (`KUBECONFIG`, else
    /// `~/.kube/config`).
    pub kubeconfig_paths: Vec<PathBuf>,
    /// Where `ike login` keeps each site's key, certificate and settings.
    pub sites: SiteStore,
}

impl ClientSettings {
    /// The site a command is about: `--site`, else the one the current context names.
    pub fn site(&self) -> Result<String, kubeconfig::Error> {
        if let Some(site) = &self.site {
            crate::api::names::check_site(site)?;
            return Ok(site.clone());
        }
        let loaded = kubeconfig::load(&self.kubeconfig_paths)?;
        kubeconfig::site_for(&loaded, None)
    }

    /// The site and the files `ike login` keeps for it.
    pub fn site_files(&self) -> anyhow::Result<(String, SiteFiles)> {
        let site = self.site()?;
        let files = self.sites.load(&site)?;
        Ok((site, files))
    }

    /// The account this machine is logged in as on the site, from local files only.
    pub fn local_account(&self) -> Option<String> {
        Some(self.site_files().ok()?.1.settings.account)
    }

    /// A client of the site's account API presenting the account's certificate.
    pub fn account_client(&self) -> anyhow::Result<(String, SiteFiles, AccountClient)> {
        let (site, files) = self.site_files()?;
        let client = identity::client(&files)?;
        Ok((site, files, client))
    }

    /// The caller's account, tenants and roles, from the site's account API.
    pub async fn whoami(&self) -> anyhow::Result<WhoamiResponse> {
        let (site, _, client) = self.account_client()?;
        client.whoami().await.map_err(|e| match e.status() {
            Some(_) => anyhow::Error::new(e),
            None => anyhow::Error::new(e).context(format!(
                "cannot ask site {site} who you are; if your certificate expired, run 'ike login --site {site}'"
            )),
        })
    }
}

/// The cluster a command talks to: the kubeconfig context of `--site` (else the current one)
/// and a client for it, with `-n` as the default namespace.
#[derive(Clone)]
pub struct Target {
    /// The kubeconfig context.
    pub context: String,
    /// The default namespace: `-n`, else the context's, else `default`.
    pub namespace: String,
    /// A client for the context.
    pub client: kube::Client,
}

impl Target {
    /// Resolves the context and connects (lazily: no request is made here).
    pub async fn resolve(settings: &ClientSettings) -> Result<Self, kubeconfig::Error> {
        Self::resolve_with(settings, |_| {}).await
    }

    /// Like [`Target::resolve`], letting `adjust` change the client configuration (timeouts)
    /// first.
    pub async fn resolve_with(
        settings: &ClientSettings,
        adjust: impl FnOnce(&mut kube::Config),
    ) -> Result<Self, kubeconfig::Error> {
        let (mut config, context) = client_config(settings).await?;
        adjust(&mut config);
        let namespace = config.default_namespace.clone();
        let client =
            kube::Client::try_from(config).map_err(|source| kubeconfig::Error::Client {
                context: context.clone(),
                source,
            })?;
        Ok(Self {
            context,
            namespace,
            client,
        })
    }

    /// An API of cluster-scoped objects of kind `K`.
    pub fn all<K>(&self) -> kube::Api<K>
    where
        K: kube::Resource<Scope = kube::core::ClusterResourceScope>,
        K::DynamicType: Default,
    {
        kube::Api::all(self.client.clone())
    }
}

/// The client configuration of the settings' site (or the current context), and its context.
async fn client_config(
    settings: &ClientSettings,
) -> Result<(kube::Config, String), kubeconfig::Error> {
    let loaded = kubeconfig::load(&settings.kubeconfig_paths)?;
    let context = kubeconfig::context_for(&loaded, settings.site.as_deref())?;
    let options = KubeConfigOptions {
        context: Some(context.clone()),
        ..Default::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(loaded, &options)
        .await
        .map_err(|source| kubeconfig::Error::Config {
            context: context.clone(),
            source,
        })?;
    if let Some(ns) = &settings.namespace {
        config.default_namespace = ns.clone();
    }
    Ok((config, context))
}
