//! `ike pod ip`: the IPs of pods, for a network where pods are reachable directly (IKE Office):
//! `curl http://$(ike pod ip -l app=web)`.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use super::output::{self, Format, Tabular};
use super::settings::Settings;
use crate::cli::exit::ExitStatus;
use crate::client::pods::{self, PodAddresses, Which};

/// `ike pod ...`
#[derive(Debug, Subcommand)]
pub enum PodCommand {
    /// Show pod IPs (IPv4 and IPv6), with phase, readiness and node; one IP per line when
    /// stdout is not a terminal, so that `curl http://$(ike pod ip -l app=web)` works.
    Ip(IpArgs),
}

/// How `ike pod ip` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IpFormat {
    /// A table for people.
    Table,
    /// JSON, one document.
    Json,
    /// YAML, one document.
    Yaml,
    /// One IP per line, nothing else.
    Ip,
}

/// Arguments of `ike pod ip`.
#[derive(Debug, Args)]
pub struct IpArgs {
    /// The pod; without it, every pod the selector picks (all pods without one).
    #[arg(conflicts_with = "selector")]
    pub name: Option<String>,
    /// Only pods with these labels, e.g. app=web or 'app=web,tier!=cache' (kubectl's syntax).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Wait until at least one pod is ready and every ready pod has an IP.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits.
    #[arg(long, default_value = "60s", value_parser = crate::util::time::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// Only IPv4 addresses.
    #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// Only IPv6 addresses.
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,
    /// Output format; default: table on a terminal, else ip (one IP per line).
    #[arg(short = 'o', long = "output", value_enum, value_name = "FORMAT")]
    pub format: Option<IpFormat>,
}

/// Pods as `ike pod ip` shows them.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct PodIps(pub Vec<PodAddresses>);

impl Tabular for PodIps {
    fn headers(&self) -> Vec<&'static str> {
        vec!["name", "ready", "phase", "node", "ips"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .iter()
            .map(|p| {
                let ips: Vec<String> = p.ips.iter().map(IpAddr::to_string).collect();
                vec![
                    p.name.clone(),
                    p.ready.to_string(),
                    p.phase.clone(),
                    p.node.clone().unwrap_or_else(|| "-".into()),
                    if ips.is_empty() {
                        "-".into()
                    } else {
                        ips.join(",")
                    },
                ]
            })
            .collect()
    }
}

/// Runs `ike pod ...`.
pub fn run(cmd: PodCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    match cmd {
        PodCommand::Ip(args) => super::runtime()?.block_on(ip(args, settings)),
    }
}

async fn ip(args: IpArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let which = match (&args.name, &args.selector) {
        (Some(name), _) => Which::Name(name.clone()),
        (None, selector) => Which::Selector(selector.clone().unwrap_or_default()),
    };
    let target = settings.target().await?;
    let found = if args.wait {
        pods::wait(&target, &which, args.timeout).await?
    } else {
        pods::list(&target, &which).await?
    };
    let family = |ip: &IpAddr| (!args.ipv4 || ip.is_ipv4()) && (!args.ipv6 || ip.is_ipv6());
    let shown = PodIps(
        found
            .iter()
            .map(|pod| {
                let mut p = PodAddresses::of(pod);
                p.ips.retain(family);
                p
            })
            .collect(),
    );
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        IpFormat::Table
    } else {
        IpFormat::Ip
    });
    match format {
        IpFormat::Ip => {
            let ips: String = shown
                .0
                .iter()
                .flat_map(|p| &p.ips)
                .map(|ip| format!("{ip}\n"))
                .collect();
            if ips.is_empty() {
                eprintln!(
                    "{which} in namespace {} have no IP yet: add --wait to wait for them",
                    target.namespace
                );
                return Ok(ExitStatus::NotDone);
            }
            output::write_stdout(ips.as_bytes())?;
        }
        IpFormat::Table => output::print(Format::Table, &shown, settings)?,
        IpFormat::Json => output::print(Format::Json, &shown, settings)?,
        IpFormat::Yaml => output::print(Format::Yaml, &shown, settings)?,
    }
    let _ = std::io::stdout().flush();
    Ok(ExitStatus::Success)
}
