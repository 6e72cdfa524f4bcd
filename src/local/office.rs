//! The local IKE's Office DNS: a real BIND ([`super::bind`]) serving the zone `office.local`,
//! its TSIG key as a Secret in the controller's namespace, and the Site's `office` section
//! pointing at both with publishing on, so that `ike expose` names pods that `dig` finds.
//!
//! On by default locally (no flag): the local IKE is where people try ike, the e2e tests need
//! it, and `ike-controller local install` installs BIND anyway.

use std::path::Path;

use anyhow::Context as _;
use kube::api::{Api, Patch, PatchParams};

use super::bind::{self, Bind};
use crate::api::{OfficeSpec, SITE_NAME, SecretKeyRef, Site, SiteSpec, TSIG_KEY_FIELD};

/// The Secret holding the local zone's TSIG key.
pub const SECRET: &str = "ike-office-tsig";
/// The namespace of the controller the local IKE runs (its default).
pub const CONTROLLER_NAMESPACE: &str = "ike-system";
/// The field manager of what the local IKE writes into its cluster.
const MANAGER: &str = "ike-local";

/// Starts BIND in `dir` (keeping its key and zone from an earlier run) and points the cluster
/// behind `kubeconfig` at it: the key Secret and the Site's `office` section (server-side
/// apply, so the rest of the Site stays).
pub fn start(dir: &Path, detach: bool, kubeconfig: &Path) -> anyhow::Result<Bind> {
    let bind = Bind::start(&bind::Options {
        detach,
        ..bind::Options::new(dir)
    })
    .context("cannot start the local Office DNS server")?;
    let key = std::fs::read_to_string(&bind.key_file)
        .with_context(|| format!("cannot read {}", bind.key_file.display()))?;
    let office = OfficeSpec {
        domains: vec![bind.zone.clone()],
        publish: true,
        server: Some(bind.addr().to_string()),
        zone: Some(bind.zone.clone()),
        tsig_key: Some(SecretKeyRef {
            name: SECRET.into(),
            key: TSIG_KEY_FIELD.into(),
        }),
        ..OfficeSpec::default()
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(configure(kubeconfig, &key, &office))
        .context("cannot point the local cluster at its Office DNS server")?;
    Ok(bind)
}

async fn configure(kubeconfig: &Path, key: &str, office: &OfficeSpec) -> anyhow::Result<()> {
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(kubeconfig)?,
        &Default::default(),
    )
    .await?;
    let client = kube::Client::try_from(config)?;
    let params = PatchParams::apply(MANAGER).force();
    let secret = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": { "name": SECRET, "namespace": CONTROLLER_NAMESPACE },
        "stringData": { TSIG_KEY_FIELD: key },
    });
    Api::<k8s_openapi::api::core::v1::Secret>::namespaced(client.clone(), CONTROLLER_NAMESPACE)
        .patch(SECRET, &params, &Patch::Apply(&secret))
        .await
        .with_context(|| format!("applying secret {CONTROLLER_NAMESPACE}/{SECRET}"))?;
    let site = Site::new(
        SITE_NAME,
        SiteSpec {
            office: Some(office.clone()),
            ..SiteSpec::default()
        },
    );
    // Only the office section is ours: an empty `tenants` would take that field over.
    let mut value = serde_json::to_value(&site)?;
    if let Some(spec) = value.get_mut("spec").and_then(|s| s.as_object_mut()) {
        spec.remove("tenants");
    }
    Api::<Site>::all(client)
        .patch(SITE_NAME, &params, &Patch::Apply(&value))
        .await
        .context("applying the Site")?;
    Ok(())
}
