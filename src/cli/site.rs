//! `ike site`: the sites (kubeconfig contexts named `ike-<site>`) the user can reach.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::OutputArgs;
use super::output::Tabular;
use super::settings::Settings;

/// `ike site ...`
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// List the sites in your kubeconfig.
    List(ListArgs),
}

/// Arguments of `ike site list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    output: OutputArgs,
}

/// One site as `ike site list` shows it.
#[derive(Debug, Serialize)]
pub struct SiteRow {
    /// The site's name.
    pub site: String,
    /// Its kubeconfig context.
    pub context: String,
    /// Its API server.
    pub server: String,
    /// Whether it is the current context.
    pub current: bool,
}

/// The result of `ike site list`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct SiteList(pub Vec<SiteRow>);

impl Tabular for SiteList {
    fn headers(&self) -> Vec<&'static str> {
        vec!["current", "site", "context", "server"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .iter()
            .map(|s| {
                vec![
                    if s.current { "*" } else { "" }.to_string(),
                    s.site.clone(),
                    s.context.clone(),
                    s.server.clone(),
                ]
            })
            .collect()
    }
}

/// Runs `ike site ...`.
pub fn run(cmd: SiteCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    match cmd {
        SiteCommand::List(args) => {
            let kubeconfig = crate::client::kubeconfig::load(&settings.client.kubeconfig_paths)?;
            let sites = SiteList(
                kubeconfig
                    .contexts
                    .iter()
                    .filter_map(|named| {
                        let site = crate::client::kubeconfig::site_of_context(&named.name)?;
                        let cluster = named.context.as_ref().map(|c| c.cluster.as_str());
                        let server = kubeconfig
                            .clusters
                            .iter()
                            .find(|c| Some(c.name.as_str()) == cluster)
                            .and_then(|c| c.cluster.as_ref()?.server.clone())
                            .unwrap_or_default();
                        Some(SiteRow {
                            site: site.to_string(),
                            context: named.name.clone(),
                            server,
                            current: kubeconfig.current_context.as_deref()
                                == Some(named.name.as_str()),
                        })
                    })
                    .collect(),
            );
            super::output::print(args.output.format, &sites, settings)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
