//! `ike site`: the sites this machine knows, each one's account, certificate and whether its API
//! server answers, all probed at once.

use std::time::{Duration, SystemTime};

use clap::{Args, Subcommand};
use serde::Serialize;

use super::OutputArgs;
use super::output::Tabular;
use super::settings::Settings;
use crate::cli::exit::ExitStatus;
use crate::client::every_site::{self, KnownSite};
use crate::client::identity::Freshness;
use crate::util::time::{human, rfc3339};

/// `ike site ...`
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// List your sites: account, certificate expiry and whether each answers.
    List(ListArgs),
}

/// Arguments of `ike site list`.
#[derive(Debug, Args)]
#[command(
    after_help = "A site that does not answer gets a warning line on stderr; listing still succeeds.\nRenew every certificate at once with 'ike login --all'."
)]
pub struct ListArgs {
    /// How long each site's API server may take to answer (all are asked at once).
    #[arg(long, value_parser = crate::util::time::parse_duration, default_value = "2s", value_name = "DURATION")]
    timeout: Duration,
    /// Do not ask the API servers; local files only.
    #[arg(long)]
    offline: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// One site as `ike site list` shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRow {
    /// The site's name.
    pub site: String,
    /// Whether its context is the current one.
    pub current: bool,
    /// The account logged in on this machine, if any.
    pub account: Option<String>,
    /// The certificate's end of validity (RFC 3339), if there is one.
    pub certificate_expires: Option<String>,
    /// `valid 10h 12m`, `renewal due (2h 3m left)`, `expired 3d 2h ago`, `none`.
    pub certificate: String,
    /// The API server.
    pub server: Option<String>,
    /// Whether the API server answered: `None` when it was not asked (`--offline`).
    pub answers: Option<bool>,
    /// `answers (12ms)`, `down: ...`, `not asked`.
    pub api: String,
    /// Its kubeconfig context, if it has one.
    pub context: Option<String>,
}

/// The result of `ike site list`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct SiteList(pub Vec<SiteRow>);

impl Tabular for SiteList {
    fn headers(&self) -> Vec<&'static str> {
        vec![
            "current",
            "site",
            "account",
            "certificate",
            "api",
            "context",
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
        self.0
            .iter()
            .map(|s| {
                vec![
                    if s.current { "*" } else { "" }.to_string(),
                    s.site.clone(),
                    dash(&s.account),
                    s.certificate.clone(),
                    s.api.clone(),
                    dash(&s.context),
                ]
            })
            .collect()
    }
}

/// The certificate column: what a person needs to know at a glance.
fn certificate_state(known: &KnownSite, now: SystemTime) -> String {
    if let Some(why) = &known.damaged {
        return format!("damaged: {why}");
    }
    let Some(info) = known.certificate() else {
        return if known.files.is_some() {
            "unreadable".into()
        } else {
            "none (not logged in here)".into()
        };
    };
    let left = info.not_after.duration_since(now).unwrap_or_default();
    match known.freshness(now) {
        Some(Freshness::Fresh) => format!("valid {}", human(left)),
        Some(Freshness::RenewalDue) => format!("renewal due ({} left)", human(left)),
        _ if info.not_after <= now => format!(
            "expired {} ago",
            human(now.duration_since(info.not_after).unwrap_or_default())
        ),
        _ => "not valid yet".into(),
    }
}

/// Runs `ike site ...`.
pub fn run(cmd: SiteCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let SiteCommand::List(args) = cmd;
    let client = &settings.client;
    let known = every_site::known_sites(&client.sites, &client.kubeconfig_paths);
    let probes = if args.offline || known.is_empty() {
        vec![None; known.len()]
    } else {
        super::runtime()?
            .block_on(every_site::probe_all(
                &known,
                &client.kubeconfig_paths,
                args.timeout,
            ))
            .into_iter()
            .map(Some)
            .collect()
    };
    let now = SystemTime::now();
    let mut rows = Vec::new();
    for (k, probe) in known.iter().zip(probes) {
        let api = match &probe {
            None => "not asked".to_string(),
            Some(Ok(took)) => format!("answers ({})", human(*took)),
            Some(Err(why)) => {
                eprintln!("warning: site {} does not answer: {why}", k.site);
                "down".to_string()
            }
        };
        rows.push(SiteRow {
            site: k.site.clone(),
            current: k.current,
            account: k.files.as_ref().map(|f| f.settings.account.clone()),
            certificate_expires: k.certificate().map(|i| rfc3339(i.not_after)),
            certificate: certificate_state(k, now),
            server: k.server.clone(),
            answers: probe.as_ref().map(Result::is_ok),
            api,
            context: k
                .has_context
                .then(|| crate::api::consts::context_name(&k.site)),
        });
    }
    if rows.is_empty() {
        eprintln!(
            "No sites on this machine yet: log in with 'ike login --site SITE --server URL --token-file FILE'."
        );
    }
    super::output::print(args.output.format, &SiteList(rows), settings)?;
    Ok(ExitStatus::Success)
}
