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
    /// The site a command is about: `--site`, else the one the current context names. For
    /// commands that talk to the site's account API only; those that talk to the cluster get it
    /// from their [`Target`].
    pub fn site(&self) -> Result<String, kubeconfig::Error> {
        if let Some(site) = &self.site {
            crate::api::names::check_site(site)?;
            return Ok(site.clone());
        }
        let loaded = kubeconfig::load(&self.kubeconfig_paths)?;
        kubeconfig::site_for(&loaded, None)
    }

    /// The namespace `-n` asks for, checked; `None` when none is given (the context's then).
    pub fn namespace(&self) -> Result<Option<String>, kubeconfig::Error> {
        match &self.namespace {
            Some(ns) => {
                crate::api::names::check_namespace(ns).map_err(kubeconfig::Error::BadNamespace)?;
                Ok(Some(ns.clone()))
            }
            None => Ok(None),
        }
    }
}

/// A site and where `ike login` keeps its files: what talks to the site's account API.
#[derive(Clone, Debug)]
pub struct Site {
    /// The site's name.
    pub name: String,
    store: SiteStore,
}

impl Site {
    /// The site `settings` name (see [`ClientSettings::site`]).
    pub fn resolve(settings: &ClientSettings) -> Result<Self, kubeconfig::Error> {
        Ok(Self {
            name: settings.site()?,
            store: settings.sites.clone(),
        })
    }

    /// The files `ike login` keeps for the site.
    pub fn files(&self) -> anyhow::Result<SiteFiles> {
        Ok(self.store.load(&self.name)?)
    }

    /// The account this machine is logged in as on the site, from local files only.
    pub fn local_account(&self) -> Option<String> {
        Some(self.files().ok()?.settings.account)
    }

    /// A client of the site's account API presenting the account's certificate.
    pub fn account_client(&self) -> anyhow::Result<(SiteFiles, AccountClient)> {
        let files = self.files()?;
        let client = identity::client(&files)?;
        Ok((files, client))
    }

    /// The caller's account, tenants and roles, from the site's account API.
    pub async fn whoami(&self) -> anyhow::Result<WhoamiResponse> {
        let site = &self.name;
        let (_, client) = self.account_client()?;
        client.whoami().await.map_err(|e| match e.status() {
            Some(_) => anyhow::Error::new(e),
            None => anyhow::Error::new(e).context(format!(
                "cannot ask site {site} who you are; if your certificate expired, run 'ike login --site {site}'"
            )),
        })
    }
}

/// The cluster a command talks to, resolved once per command and passed down: the site, the
/// kubeconfig context of `--site` (else the current one), the namespace (`-n`, else the
/// context's) and a client for it.
#[derive(Clone)]
pub struct Target {
    /// The site: `--site`, else the one the context names; `None` when the context is not an
    /// ike site's (a kubeconfig of its own).
    pub site: Option<Site>,
    /// The kubeconfig context.
    pub context: String,
    /// The default namespace: `-n`, else the context's, else `default`.
    pub namespace: String,
    /// The API server the client talks to.
    pub server: String,
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
        let namespace = settings.namespace()?;
        let loaded = kubeconfig::load(&settings.kubeconfig_paths)?;
        let context = kubeconfig::context_for(&loaded, settings.site.as_deref())?;
        let site = kubeconfig::site_for(&loaded, settings.site.as_deref())
            .ok()
            .map(|name| Site {
                name,
                store: settings.sites.clone(),
            });
        let mut loaded = loaded;
        if let Some(files) = site.as_ref().and_then(|s| s.files().ok()) {
            super::direct::present_fresh_certificate(
                &mut loaded,
                &context,
                &files,
                std::time::SystemTime::now(),
            );
        }
        let mut config = client_config(loaded, &context).await?;
        if let Some(ns) = namespace {
            config.default_namespace = ns;
        }
        adjust(&mut config);
        let namespace = config.default_namespace.clone();
        let server = config.cluster_url.to_string();
        let client =
            kube::Client::try_from(config).map_err(|source| kubeconfig::Error::Client {
                context: context.clone(),
                source,
            })?;
        Ok(Self {
            site,
            context,
            namespace,
            server,
            client,
        })
    }

    /// The site, or why the context is none (a kubeconfig of its own).
    pub fn site(&self) -> Result<&Site, kubeconfig::Error> {
        self.site
            .as_ref()
            .ok_or_else(|| kubeconfig::Error::NotASite(self.context.clone()))
    }

    /// The account this machine is logged in as on the site, from local files only.
    pub fn local_account(&self) -> Option<String> {
        self.site.as_ref()?.local_account()
    }

    /// An API of cluster-scoped objects of kind `K`.
    pub fn all<K>(&self) -> kube::Api<K>
    where
        K: kube::Resource<Scope = kube::core::ClusterResourceScope>,
        K::DynamicType: Default,
    {
        kube::Api::all(self.client.clone())
    }

    /// An API of objects of kind `K` in `namespace`.
    pub fn namespaced<K>(&self, namespace: &str) -> kube::Api<K>
    where
        K: kube::Resource<Scope = kube::core::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        kube::Api::namespaced(self.client.clone(), namespace)
    }
}

/// The client configuration of kubeconfig context `context`.
async fn client_config(
    loaded: kube::config::Kubeconfig,
    context: &str,
) -> Result<kube::Config, kubeconfig::Error> {
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    kube::Config::from_custom_kubeconfig(loaded, &options)
        .await
        .map_err(|source| kubeconfig::Error::Config {
            context: context.to_string(),
            source,
        })
}
