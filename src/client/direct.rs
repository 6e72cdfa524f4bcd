//! A Kubernetes client for a site that presents the site's own certificate (`identity.pem`)
//! directly, without the kubeconfig's exec credential plugin.
//!
//! kube 5 runs the exec plugin (`ike credential`) three times while it builds one client, and
//! the plugin renews a certificate that is due, over the network. Completion, its background
//! refresh and the probes of `ike site list` must never renew, write or wait for that: they build
//! their client here, and with a certificate that is not valid now they do not build one at all.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use kube::config::KubeConfigOptions;

use super::identity::{self, Freshness};
use super::kubeconfig;
use super::site_files::SiteFiles;

/// Why no direct client could be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The certificate is expired or not yet valid: using it would only be refused.
    #[error(
        "the certificate for site '{site}' is not valid now: run 'ike login --site {site}' with a new token"
    )]
    NotValid {
        /// The site.
        site: String,
    },
    /// The certificate on disk cannot be read.
    #[error("the certificate for site '{site}' cannot be read: run 'ike login --site {site}'")]
    BadCertificate {
        /// The site.
        site: String,
    },
    /// The kubeconfig cannot be read.
    #[error(transparent)]
    Kubeconfig(#[from] kubeconfig::Error),
    /// kube refused the configuration built from the site's files.
    #[error("cannot configure a client for site '{site}'")]
    Config {
        /// The site.
        site: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The state of the site's certificate at `now`, from its files.
pub fn freshness(files: &SiteFiles, now: SystemTime) -> Option<Freshness> {
    let info = crate::pki::cert_info(&files.cert_pem).ok()?;
    Some(identity::freshness(
        info.not_before,
        info.not_after,
        now,
        None,
    ))
}

/// A client of the site's API server that presents `files`' certificate, with every network
/// phase (connect, read, write) bounded by `timeout`. The cluster entry (server, CA, proxy, TLS
/// server name) is the kubeconfig context `ike-<site>`'s, so what the user changed there holds;
/// without that context, the site's files say where the API server is.
pub async fn client(
    kubeconfig_paths: &[PathBuf],
    files: &SiteFiles,
    timeout: Duration,
    now: SystemTime,
) -> Result<kube::Client, Error> {
    let site = &files.settings.site;
    match freshness(files, now) {
        None => return Err(Error::BadCertificate { site: site.clone() }),
        Some(Freshness::Expired) => return Err(Error::NotValid { site: site.clone() }),
        Some(Freshness::Fresh | Freshness::RenewalDue) => {}
    }
    let mut config = config(kubeconfig_paths, files).await?;
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    config.write_timeout = Some(timeout);
    kube::Client::try_from(config).map_err(|e| Error::Config {
        site: site.clone(),
        source: Box::new(e),
    })
}

/// A kubeconfig user that presents the site's certificate and key.
fn certificate_user(files: &SiteFiles) -> Result<kube::config::AuthInfo, serde_json::Error> {
    let b64 = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
    // Deserialized rather than built: kube keeps the key in a `secrecy` type it does not export.
    serde_json::from_value(serde_json::json!({
        "client-certificate-data": b64(&files.cert_pem),
        "client-key-data": b64(&files.key_pem),
    }))
}

async fn config(kubeconfig_paths: &[PathBuf], files: &SiteFiles) -> Result<kube::Config, Error> {
    let auth_info = certificate_user(files).map_err(|e| Error::Config {
        site: files.settings.site.clone(),
        source: Box::new(e),
    })?;
    config_with(
        kubeconfig_paths,
        &files.settings.site,
        Some(files),
        auth_info,
    )
    .await
}

/// The configuration of `site` with `auth_info` as the only credential: the kubeconfig
/// context's cluster entry, else the site's files.
async fn config_with(
    kubeconfig_paths: &[PathBuf],
    site: &str,
    files: Option<&SiteFiles>,
    auth_info: kube::config::AuthInfo,
) -> Result<kube::Config, Error> {
    let bad = |e: Box<dyn std::error::Error + Send + Sync>| Error::Config {
        site: site.to_string(),
        source: e,
    };
    let context = crate::api::consts::context_name(site);
    let mut loaded = kubeconfig::load(kubeconfig_paths)?;
    let user = loaded
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.user.clone().unwrap_or_default());
    let Some(user) = user else {
        let Some(files) = files else {
            return Err(Error::Kubeconfig(kubeconfig::Error::UnknownSite {
                site: site.to_string(),
                context,
            }));
        };
        return site_files_config(files, auth_info).map_err(bad);
    };
    // Only the one user entry is replaced: no exec plugin is left for kube to run.
    let ours: kube::config::NamedAuthInfo = serde_json::from_value(serde_json::json!({
        "name": user,
        "user": {},
    }))
    .map_err(|e| bad(Box::new(e)))?;
    loaded.auth_infos.retain(|a| a.name != user);
    loaded.auth_infos.push(kube::config::NamedAuthInfo {
        auth_info: Some(auth_info),
        ..ours
    });
    let options = KubeConfigOptions {
        context: Some(context),
        ..Default::default()
    };
    kube::Config::from_custom_kubeconfig(loaded, &options)
        .await
        .map_err(|e| bad(Box::new(e)))
}

/// Lets the kubeconfig context `context` present the site's certificate itself when its user
/// is ike's own credential plugin for that site and the certificate is [`Freshness::Fresh`]:
/// kube runs the plugin three times while it builds one client, a process each, for a
/// certificate that needs no renewal. A certificate due for renewal, or a user entry the
/// engineer changed, is left to the plugin. Whether it did.
pub fn present_fresh_certificate(
    loaded: &mut kube::config::Kubeconfig,
    context: &str,
    files: &SiteFiles,
    now: SystemTime,
) -> bool {
    if freshness(files, now) != Some(Freshness::Fresh) {
        return false;
    }
    let site = files.settings.site.as_str();
    let Some(user) = loaded
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref()?.user.clone())
    else {
        return false;
    };
    let Some(entry) = loaded.auth_infos.iter_mut().find(|a| a.name == user) else {
        return false;
    };
    let ours = entry
        .auth_info
        .as_ref()
        .and_then(|a| a.exec.as_ref())
        .and_then(|exec| exec.args.as_deref())
        .is_some_and(|args| args == ["credential", "--site", site]);
    if !ours {
        return false;
    }
    let Ok(auth_info) = certificate_user(files) else {
        return false;
    };
    entry.auth_info = Some(auth_info);
    true
}

/// Whether the site's API server answers: an anonymous `GET /version` (any HTTP answer counts,
/// a refusal too), within `timeout`. Its round trip, or why there was none.
pub async fn probe(
    kubeconfig_paths: &[PathBuf],
    site: &str,
    files: Option<&SiteFiles>,
    timeout: Duration,
) -> Result<Duration, String> {
    let mut config = config_with(
        kubeconfig_paths,
        site,
        files,
        kube::config::AuthInfo::default(),
    )
    .await
    .map_err(|e| e.to_string())?;
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    let server = config.cluster_url.to_string();
    let client = kube::Client::try_from(config).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    match tokio::time::timeout(timeout, client.apiserver_version()).await {
        Ok(Ok(_) | Err(kube::Error::Api(_))) => Ok(started.elapsed()),
        Ok(Err(e)) => Err(format!(
            "cannot reach {}: {}",
            server.trim_end_matches('/'),
            innermost(&e)
        )),
        Err(_) => Err(format!(
            "{} did not answer within {}",
            server.trim_end_matches('/'),
            crate::util::time::human(timeout)
        )),
    }
}

/// The last cause in an error's chain: "connection refused", not "client error (Connect)".
pub fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// The configuration the site's files alone give: its API server and the cluster CA.
fn site_files_config(
    files: &SiteFiles,
    auth_info: kube::config::AuthInfo,
) -> Result<kube::Config, Box<dyn std::error::Error + Send + Sync>> {
    use rustls_pki_types::pem::PemObject as _;
    let mut config = kube::Config::new(files.settings.api_server.parse()?);
    let roots = rustls_pki_types::CertificateDer::pem_slice_iter(files.ca_pem.as_bytes())
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()?;
    config.root_cert = Some(roots);
    config.auth_info = auth_info;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::client::site_files::SiteSettings;

    const H: Duration = Duration::from_secs(3600);

    fn files(site: &str, now: SystemTime) -> SiteFiles {
        let (ca, _key) = crate::pki::AccountCa::generate("test-ca", 100 * H, now).unwrap();
        let (key_pem, csr) = crate::pki::new_key_and_csr("alice").unwrap();
        let to = crate::pki::AccountBinding {
            account: "alice",
            uid: "test-uid",
            valid_after: None,
        };
        SiteFiles {
            settings: SiteSettings {
                site: site.into(),
                account_api: "https://127.0.0.1:1".into(),
                api_server: "https://127.0.0.1:2".into(),
                account: "alice".into(),
                ttl_seconds: None,
            },
            ca_pem: ca.cert_pem().to_string(),
            key_pem,
            cert_pem: ca.issue(&csr, &to, 12 * H, now).unwrap().cert_pem,
        }
    }

    fn kubeconfig(args: &[&str]) -> kube::config::Kubeconfig {
        serde_json::from_value(serde_json::json!({
            "clusters": [{"name": "ike-tokyo", "cluster": {"server": "https://127.0.0.1:6443"}}],
            "users": [{"name": "ike-tokyo", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": "/usr/bin/ike",
                "args": args,
            }}}],
            "contexts": [{"name": "ike-tokyo", "context": {"cluster": "ike-tokyo", "user": "ike-tokyo"}}],
        }))
        .unwrap()
    }

    fn user(kc: &kube::config::Kubeconfig) -> &kube::config::AuthInfo {
        kc.auth_infos[0].auth_info.as_ref().unwrap()
    }

    #[test]
    fn a_fresh_certificate_replaces_only_ikes_own_plugin_for_that_site() {
        let now = SystemTime::now();
        let tokyo = files("tokyo", now);
        let mut kc = kubeconfig(&["credential", "--site", "tokyo"]);
        assert!(present_fresh_certificate(
            &mut kc,
            "ike-tokyo",
            &tokyo,
            now + H
        ));
        assert!(user(&kc).exec.is_none());
        assert!(user(&kc).client_certificate_data.is_some());
        assert!(user(&kc).client_key_data.is_some());

        // Due for renewal (the plugin renews it), or not valid yet: the plugin stays.
        let mut kc = kubeconfig(&["credential", "--site", "tokyo"]);
        assert!(!present_fresh_certificate(
            &mut kc,
            "ike-tokyo",
            &tokyo,
            now + 11 * H
        ));
        assert!(user(&kc).exec.is_some());
        assert!(!present_fresh_certificate(
            &mut kc,
            "ike-tokyo",
            &tokyo,
            now - 2 * H
        ));
        assert!(user(&kc).exec.is_some());

        // A user entry the engineer changed, or another site's: left as it is.
        for args in [&["credential", "--site", "osaka"][..], &["get-token"][..]] {
            let mut kc = kubeconfig(args);
            assert!(!present_fresh_certificate(
                &mut kc,
                "ike-tokyo",
                &tokyo,
                now + H
            ));
            assert!(user(&kc).exec.is_some(), "{args:?}");
        }
        let mut kc = kubeconfig(&["credential", "--site", "tokyo"]);
        assert!(!present_fresh_certificate(
            &mut kc,
            "ike-osaka",
            &tokyo,
            now + H
        ));
    }
}
