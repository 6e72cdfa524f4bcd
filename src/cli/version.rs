//! `ike version`: the versions of ike and of the site's API server.

use clap::Args;
use serde::Serialize;

use super::OutputArgs;
use super::output::Tabular;
use super::settings::Settings;
use crate::cli::exit::ExitStatus;

/// Arguments of `ike version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Show only ike's own version; do not contact the site.
    #[arg(long)]
    pub client: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// The result of `ike version`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Versions {
    /// ike's version.
    pub client: String,
    /// The kubeconfig context asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The API server's git version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

impl Tabular for Versions {
    fn headers(&self) -> Vec<&'static str> {
        vec!["component", "version"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![vec!["ike".to_string(), self.client.clone()]];
        if let (Some(context), Some(server)) = (&self.context, &self.server) {
            rows.push(vec![format!("kube-apiserver ({context})"), server.clone()]);
        }
        rows
    }
}

/// Runs `ike version`.
pub fn run(args: VersionArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let mut versions = Versions {
        client: env!("CARGO_PKG_VERSION").to_string(),
        context: None,
        server: None,
    };
    if !args.client {
        let (context, server) = super::runtime()?.block_on(async {
            let target = settings.target().await?;
            let info = target.client.apiserver_version().await?;
            anyhow::Ok((target.context, info.git_version))
        })?;
        versions.context = Some(context);
        versions.server = Some(server);
    }
    super::output::print(args.output.format, &versions, settings)?;
    Ok(ExitStatus::Success)
}
