//! `ike credential`: the exec credential plugin kubectl runs for an `ike-<site>` context.
//!
//! It never prompts and never blocks for long: it hands kubectl the current certificate, renews
//! it first when renewal is due (within a few seconds, else the current one is still used while
//! valid), and when nothing valid is left says in one line what to run.

use std::time::{Duration, SystemTime};

use clap::Args;

use super::settings::Settings;
use crate::cli::exit::ExitStatus;
use crate::client::identity::{self, ExecCredential, Freshness};

/// Arguments of `ike credential` (run by kubectl, not by people).
#[derive(Debug, Args)]
pub struct CredentialArgs {
    /// Renew when less than this is left, whatever the lifetime (e.g. 1h).
    #[arg(long, env = "IKE_RENEW_WITHIN", value_parser = crate::util::time::parse_duration, value_name = "DURATION")]
    pub renew_within: Option<Duration>,
}

/// Runs `ike credential`.
pub fn run(args: CredentialArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let site = settings.client.site()?;
    let files = settings.client.sites.load(&site)?;
    let mut info = crate::pki::cert_info(&files.cert_pem)?;
    let mut files = files;
    let now = SystemTime::now();
    let state = identity::freshness(info.not_before, info.not_after, now, args.renew_within);
    if state != Freshness::Fresh {
        let renewed = super::runtime()?.block_on(identity::renew(&settings.client.sites, &files));
        match renewed {
            Ok((new_files, _)) => {
                info = crate::pki::cert_info(&new_files.cert_pem)?;
                files = new_files;
            }
            Err(err) if state == Freshness::Expired => {
                anyhow::bail!(
                    "the certificate for site {site} expired at {} and cannot be renewed ({err:#}): run 'ike login --site {site} --token TOKEN'",
                    crate::util::time::rfc3339(info.not_after)
                );
            }
            Err(err) => {
                tracing::warn!(
                    "renewal for site {site} failed, using the current certificate: {err:#}"
                );
            }
        }
    }
    let mut refresh_at = identity::renewal_time(info.not_before, info.not_after);
    if let Some(within) = args.renew_within {
        refresh_at = refresh_at
            .min(info.not_after - within.min(identity::lifetime(info.not_before, info.not_after)));
    }
    // Never hand kubectl a credential that is due already (a renewal window longer than the
    // lifetime makes every renewal due at once): it would ask again before its first request,
    // and again, and fail. It asks again in a while at the earliest, while the certificate holds.
    let earliest = (now + identity::MIN_REFRESH).min(info.not_after);
    let credential = ExecCredential::new(&files.cert_pem, &files.key_pem, refresh_at.max(earliest));
    let mut out = serde_json::to_vec(&credential)?;
    out.push(b'\n');
    super::output::write_stdout(&out)?;
    Ok(ExitStatus::Success)
}
