//! The site's DNS publishing settings turned into a [`Publisher`]: the Site's `office` section
//! and the TSIG key Secret in the controller's namespace, both from watches. Rebuilt only when
//! either changes.

use std::sync::Mutex;

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::runtime::reflector::{ObjectRef, Store};

use crate::api::{OfficeSpec, Site};
use crate::dns::{Publisher, TsigKey};

/// Builds publishers from the site's settings, remembering the last one.
pub struct Config {
    /// The Site objects.
    pub sites: Store<Site>,
    /// Secrets in the controller's namespace.
    pub secrets: Store<Secret>,
    /// The controller's namespace (where the key Secret must be).
    pub namespace: String,
    /// The owner written into every claim: the site's name.
    pub owner: String,
    last: Mutex<Option<(String, Result<Publisher, String>)>>,
}

impl Config {
    /// A config reading `sites` and `secrets` (in `namespace`), claiming names for `owner`.
    pub fn new(sites: Store<Site>, secrets: Store<Secret>, namespace: &str, owner: &str) -> Self {
        Config {
            sites,
            secrets,
            namespace: namespace.into(),
            owner: owner.into(),
            last: Mutex::new(None),
        }
    }

    /// The site's Office policy as it stands now (the defaults without one).
    pub fn office(&self) -> OfficeSpec {
        crate::controller::runtime::site_policy(&self.sites)
            .office
            .unwrap_or_default()
    }

    /// A publisher for `office`, or why there is none, in one sentence an admin can act on.
    pub async fn publisher(&self, office: &OfficeSpec) -> Result<Publisher, String> {
        let secret = office.tsig_key.as_ref().and_then(|r| {
            self.secrets
                .get(&ObjectRef::new(&r.name).within(&self.namespace))
        });
        let fingerprint = format!(
            "{}|{:?}",
            serde_json::to_string(office).unwrap_or_default(),
            secret.as_ref().and_then(|s| s.resource_version())
        );
        if let Some((seen, publisher)) = &*self.lock()
            && *seen == fingerprint
        {
            return publisher.clone();
        }
        let built = self.build(office, secret.as_deref()).await;
        if let Err(why) = &built {
            tracing::warn!(%why, "Office DNS publishing is not configured");
        }
        *self.lock() = Some((fingerprint, built.clone()));
        built
    }

    async fn build(
        &self,
        office: &OfficeSpec,
        secret: Option<&Secret>,
    ) -> Result<Publisher, String> {
        let fix = "set it in the Site object 'site' (kubectl edit site site)";
        let server = office
            .server
            .as_deref()
            .ok_or(format!("the Site has no office.server: {fix}"))?;
        let zone = office.zone().ok_or(format!(
            "the Site has neither office.zone nor office.domains: {fix}"
        ))?;
        let reference = office
            .tsig_key
            .as_ref()
            .ok_or(format!("the Site has no office.tsigKey: {fix}"))?;
        let secret = secret.ok_or(format!(
            "the TSIG key Secret {}/{} does not exist: create it from the key file (kubectl -n {} create secret generic {} --from-file={}=KEYFILE)",
            self.namespace, reference.name, self.namespace, reference.name, reference.key
        ))?;
        let bytes = secret
            .data
            .as_ref()
            .and_then(|d| d.get(&reference.key))
            .ok_or(format!(
                "the Secret {}/{} has no key {:?}",
                self.namespace, reference.name, reference.key
            ))?;
        let key = TsigKey::parse(&String::from_utf8_lossy(&bytes.0))
            .map_err(|e| format!("Secret {}/{}: {e}", self.namespace, reference.name))?;
        let address = crate::dns::server_address(server)
            .await
            .map_err(|e| format!("{e} (office.server)"))?;
        Publisher::new(address, &zone, &key, &self.owner).map_err(|e| e.to_string())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(String, Result<Publisher, String>)>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}
