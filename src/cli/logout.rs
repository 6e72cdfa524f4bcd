//! `ike logout`: removes ike's own key, certificate and kubeconfig entries for a site, nothing
//! else.

use clap::Args;

use super::WriteArgs;
use super::settings::Settings;
use crate::cli::exit::ExitStatus;

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
pub fn run(args: LogoutArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let files: Vec<&std::path::PathBuf> = settings
        .client
        .kubeconfig_paths
        .iter()
        .filter(|p| p.exists())
        .collect();
    // Read every kubeconfig before removing anything: one ike cannot edit would otherwise fail
    // the command after the site's key and certificate were gone.
    let mut in_kubeconfigs = Vec::new();
    for path in &files {
        in_kubeconfigs.extend(crate::client::kubeconfig::sites_in(path).map_err(|e| {
            anyhow::anyhow!("{e}: fix or move it, then log out again (nothing was removed)")
        })?);
    }
    let sites = if args.all {
        let mut sites = settings.client.sites.sites();
        sites.extend(in_kubeconfigs);
        sites.sort();
        sites.dedup();
        sites
    } else {
        vec![settings.client.site()?]
    };
    if sites.is_empty() {
        eprintln!("Not logged in to any site.");
        return Ok(ExitStatus::Success);
    }
    for site in &sites {
        if args.write.dry_run {
            println!(
                "would remove {} and context {} from {}",
                settings.client.sites.dir(site).display(),
                crate::api::consts::context_name(site),
                files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            continue;
        }
        let mut removed = settings.client.sites.remove(site)?;
        for path in &files {
            removed |= crate::client::kubeconfig::remove_site(path, site)?;
        }
        if removed {
            eprintln!("Logged out of site {site}.");
        } else {
            eprintln!("Not logged in to site {site}; nothing to remove.");
        }
    }
    Ok(ExitStatus::Success)
}
