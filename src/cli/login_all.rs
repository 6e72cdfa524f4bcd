//! `ike login --all`: renew every site's certificate at once, one line per site.
//!
//! Renewals need no token, only a certificate that is still valid; they run concurrently (each
//! waits on its own account API), so ten sites take about as long as one. A site that is down
//! or needs a token is a `warning:` line and exit status 4; the others are renewed all the same.
//! The kubeconfig is written only for a site whose API server or CA changed, or that has no
//! context yet, and the current context never changes.

use anyhow::Context as _;

use super::settings::Settings;
use crate::cli::exit::ExitStatus;
use crate::client::every_site::{self, Renewal};
use crate::client::kubeconfig::{self, SiteEntry};

/// Runs `ike login --all`.
pub fn run(dry_run: bool, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let client = &settings.client;
    let known = every_site::known_sites(&client.sites, &client.kubeconfig_paths);
    if known.is_empty() {
        anyhow::bail!(
            "no sites on this machine to renew: log in first with 'ike login --site SITE --server URL --token-file FILE'"
        );
    }
    if dry_run {
        for k in &known {
            let what = match &k.files {
                Some(f) => format!("would renew at {}", f.settings.account_api),
                None => "not logged in on this machine: would skip".into(),
            };
            eprintln!("{}: {what}", k.site);
        }
        return Ok(ExitStatus::Success);
    }
    let results = super::runtime()?.block_on(every_site::renew_all(&client.sites, &known));
    let target = kubeconfig::write_target(&client.kubeconfig_paths);
    let width = known.iter().map(|k| k.site.len()).max().unwrap_or(0);
    let (mut renewed, mut failed) = (0, 0);
    for (k, result) in known.iter().zip(results) {
        let site = &k.site;
        match result {
            Renewal::Renewed(done) => {
                let (files, issued) = *done;
                let old = k.files.as_ref().expect("renewed sites have files");
                let moved = issued.api_server != old.settings.api_server
                    || issued.ca_certificate != old.ca_pem;
                if moved || !k.has_context {
                    update_kubeconfig(settings, &target, &files, &issued, moved)
                        .with_context(|| format!("site {site} was renewed, but"))?;
                }
                renewed += 1;
                eprintln!(
                    "{site:width$}  renewed as {}, valid until {}",
                    issued.account, issued.not_after
                );
            }
            Renewal::NeedsToken(why) => {
                failed += 1;
                eprintln!("warning: site {site} needs a token: {why}");
            }
            Renewal::Failed(why) => {
                failed += 1;
                eprintln!("warning: site {site} not renewed: {why}");
            }
        }
    }
    let status = match (renewed, failed) {
        (_, 0) => ExitStatus::Success,
        (0, _) => ExitStatus::Failure,
        _ => ExitStatus::Partial,
    };
    if failed > 0 {
        eprintln!(
            "Renewed {renewed} of {} sites; the others are above.",
            renewed + failed
        );
    }
    Ok(status)
}

/// Writes the site's kubeconfig entry (never switching to it), and the site's settings when
/// the account API named another API server.
fn update_kubeconfig(
    settings: &Settings,
    target: &std::path::Path,
    files: &crate::client::site_files::SiteFiles,
    issued: &crate::api::wire::IssueResponse,
    moved: bool,
) -> anyhow::Result<()> {
    let site = &files.settings.site;
    if moved {
        let mut changed = files.clone();
        changed.settings.api_server = issued.api_server.clone();
        changed.ca_pem = issued.ca_certificate.clone();
        settings
            .client
            .sites
            .save(&changed)
            .context("cannot save the site's settings")?;
    }
    kubeconfig::upsert_site(
        target,
        &SiteEntry {
            site: site.clone(),
            server: issued.api_server.clone(),
            ca_pem: issued.ca_certificate.clone(),
            namespace: None,
            exec_command: settings.exe.display().to_string(),
            exec_args: vec!["credential".into(), "--site".into(), site.clone()],
        },
        false,
    )?;
    Ok(())
}
