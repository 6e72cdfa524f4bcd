//! `ike logout`: removes ike's own key, certificate and kubeconfig entries for a site, nothing
//! else.

use std::process::ExitCode;

use clap::Args;

use super::WriteArgs;
use super::settings::Settings;

/// Arguments of `ike logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Log out of every site.
    #[arg(long, conflicts_with = "site")]
    pub all: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Runs `ike logout`.
pub fn run(args: LogoutArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let sites = if args.all {
        let mut sites = settings.client.sites.sites();
        for path in settings
            .client
            .kubeconfig_paths
            .iter()
            .filter(|p| p.exists())
        {
            sites.extend(crate::client::kubeconfig::sites_in(path)?);
        }
        sites.sort();
        sites.dedup();
        sites
    } else {
        vec![settings.client.site()?]
    };
    if sites.is_empty() {
        eprintln!("Not logged in to any site.");
        return Ok(ExitCode::SUCCESS);
    }
    for site in &sites {
        let files = settings
            .client
            .kubeconfig_paths
            .iter()
            .filter(|p| p.exists());
        if args.write.dry_run {
            println!(
                "would remove {} and context {} from {}",
                settings.client.sites.dir(site).display(),
                crate::api::consts::context_name(site),
                files
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            continue;
        }
        let mut removed = settings.client.sites.remove(site)?;
        for path in files {
            removed |= crate::client::kubeconfig::remove_site(path, site)?;
        }
        if removed {
            eprintln!("Logged out of site {site}.");
        } else {
            eprintln!("Not logged in to site {site}; nothing to remove.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
