//! `ike resolve`: does DNS say what the cluster says? A name, a Service's names or a pod's
//! names checked against the site's nameserver, and an IP traced back to its pod and tenant.

use std::net::IpAddr;

use clap::Args;

use super::OutputArgs;
use super::output::{Tabular, print};
use super::settings::Settings;
use crate::api::names;
use crate::cli::exit::ExitStatus;
use crate::client::resolve::{Resolution, State, What, resolve};

/// Arguments of `ike resolve`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exits 0 when DNS and the cluster agree, 3 when they drift (stale or missing records, another TTL, someone else's records), 1 on errors."
)]
pub struct ResolveArgs {
    /// A host name, svc/NAME, pod/NAME or an IP address.
    pub what: String,
    /// The nameserver to ask [default: the site's Office DNS server]
    #[arg(long, value_name = "HOST:PORT")]
    pub server: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

impl Tabular for Resolution {
    fn headers(&self) -> Vec<&'static str> {
        if !self.holders.is_empty() {
            return vec![
                "ip",
                "pod",
                "namespace",
                "tenant",
                "node",
                "phase",
                "ready",
                "names",
            ];
        }
        vec!["host", "ip", "dns ttl", "pod", "ready", "state"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let dash = || "-".to_string();
        if !self.holders.is_empty() {
            // The names are those of the live pod (the first), which should carry the IP.
            let names: Vec<String> = self
                .hosts
                .iter()
                .map(|h| {
                    let drift = if h.drift() { " (drift)" } else { "" };
                    format!("{}{drift}", h.host)
                })
                .collect();
            return self
                .holders
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let ips: Vec<String> = h.pod.ips.iter().map(IpAddr::to_string).collect();
                    vec![
                        ips.join(","),
                        h.pod.name.clone(),
                        h.pod.namespace.clone(),
                        h.tenant.clone().unwrap_or_else(dash),
                        h.pod.node.clone().unwrap_or_else(dash),
                        h.pod.phase.clone(),
                        h.pod.ready.to_string(),
                        if i == 0 && !names.is_empty() {
                            names.join(",")
                        } else {
                            dash()
                        },
                    ]
                })
                .collect();
        }
        let mut rows = Vec::new();
        for host in &self.hosts {
            if host.rows.is_empty() {
                rows.push(vec![
                    host.host.clone(),
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                    "no address".into(),
                ]);
            }
            for r in &host.rows {
                let state = match (r.state, &r.detail) {
                    (State::Ok, _) => "ok".to_string(),
                    (State::Stale, Some(d)) => format!("stale: {d}"),
                    (State::Stale, None) => "stale".to_string(),
                    (State::Missing, Some(d)) => format!("missing: {d}"),
                    (State::Missing, None) => "missing".to_string(),
                };
                rows.push(vec![
                    r.host.clone(),
                    r.ip.to_string(),
                    r.dns_ttl.map_or_else(dash, |t| t.to_string()),
                    r.pod.clone().unwrap_or_else(dash),
                    r.ready.map_or_else(dash, |t| t.to_string()),
                    state,
                ]);
            }
        }
        rows
    }
}

/// Runs `ike resolve`.
pub fn run(args: ResolveArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let what = if let Ok(ip) = args.what.parse::<IpAddr>() {
        What::Ip(ip)
    } else if let Some((kind, name)) = args.what.split_once('/') {
        names::check_namespace(name)
            .map_err(|_| anyhow::anyhow!("{name:?} is not a valid name"))?;
        match kind {
            "svc" | "service" | "services" => What::Service(name.into()),
            "po" | "pod" | "pods" => What::Pod(name.into()),
            other => anyhow::bail!(
                "ike resolve takes a host name, svc/NAME, pod/NAME or an IP, not a {other:?}"
            ),
        }
    } else {
        What::Host(names::office_host_name(&args.what)?)
    };
    let resolution = super::runtime()?.block_on(async {
        let target = settings.target().await?;
        resolve(&target, what, args.server.as_deref()).await
    })?;
    print(args.output.format, &resolution, settings)?;
    if args.output.format == super::output::Format::Table {
        for host in &resolution.hosts {
            for note in &host.notes {
                eprintln!("{}: {note}", host.host);
            }
        }
    }
    Ok(if resolution.drift() {
        ExitStatus::Drift
    } else {
        ExitStatus::Success
    })
}
