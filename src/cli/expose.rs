//! `ike expose`: a DNS name for a workload's pods on IKE Office, as a headless Service with
//! external-dns' annotations. The site's admission webhook enforces the name rules; this
//! command checks the same rules first so that a refusal reads the same, sooner.

use std::collections::BTreeMap;

use clap::Args;

use super::output::{Format, print_object, write_stdout};
use super::settings::Settings;
use super::{OutputArgs, WriteArgs};
use crate::api::names;
use crate::api::office::{HOSTNAME_ANNOTATION, TTL_ANNOTATION, exposure, parse_ttl};
use crate::cli::exit::ExitStatus;
use crate::client::office::{
    apply_service, desired_service, parse_workload, selector_of, site_office,
};

/// Arguments of `ike expose`.
#[derive(Debug, Args)]
pub struct ExposeArgs {
    /// What to name: deploy/NAME, sts/NAME or pod/NAME.
    pub target: String,
    /// The DNS name, under a domain the site allows (repeat for several).
    #[arg(long = "hostname", required = true, value_name = "HOST")]
    pub hostnames: Vec<String>,
    /// A port for the Service to list; the name reaches every port of the pods anyway.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// TTL of the records, seconds or e.g. 1m [default: the site's, 30 s unless it says otherwise]
    #[arg(long, value_name = "TTL")]
    pub ttl: Option<String>,
    /// The Service's name [default: the workload's]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `ike expose`.
pub fn run(args: ExposeArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    // Bad input changes nothing and needs no cluster.
    let (workload, workload_name) = parse_workload(&args.target)?;
    let hosts = args
        .hostnames
        .iter()
        .map(|h| names::office_host_name(h))
        .collect::<Result<Vec<_>, _>>()?;
    let service_name = args.name.clone().unwrap_or_else(|| workload_name.clone());
    names::check_namespace(&service_name)
        .map_err(|_| anyhow::anyhow!("{service_name:?} is not a valid Service name: use --name"))?;
    super::runtime()?.block_on(async {
        let target = settings.target().await?;
        let client = &target.client;
        let namespace = &target.namespace;
        let office = site_office(client).await?;
        let ttl = match &args.ttl {
            Some(text) => parse_ttl(text, office.max_ttl())?,
            None => office.default_ttl(),
        };
        let annotations = BTreeMap::from([
            (HOSTNAME_ANNOTATION.to_string(), hosts.join(",")),
            (TTL_ANNOTATION.to_string(), ttl.to_string()),
        ]);
        if let Some(Err(problems)) = exposure(Some(&annotations), &office) {
            anyhow::bail!("{}", problems.join("; "));
        }
        let selector = selector_of(client, namespace, workload, &workload_name).await?;
        let want = desired_service(namespace, &service_name, selector, &hosts, ttl, args.port);
        let mut stored = apply_service(client, &want, args.write.dry_run).await?;
        stored.metadata.managed_fields = None;
        let dry = if args.write.dry_run {
            " (dry run: nothing changed)"
        } else {
            ""
        };
        match args.output.format {
            Format::Table => {
                let publisher = if office.publish {
                    "ike-controller publishes it"
                } else {
                    "the site's external-dns publishes it"
                };
                write_stdout(
                    format!(
                        "service/{service_name} gives the ready pods of {}/{workload_name} the name {} (TTL {ttl} s){dry}.\n{publisher}; check with: ike resolve {}\n",
                        workload.short(),
                        hosts.join(", "),
                        hosts[0],
                    )
                    .as_bytes(),
                )?;
            }
            format => {
                print_object(format, &stored)?;
                if args.write.dry_run {
                    eprintln!("Service {service_name} would be applied (dry run).");
                }
            }
        }
        Ok(ExitStatus::Success)
    })
}
