//! `ike login`: enroll with a one-time token, or renew, and write the site's kubeconfig context.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use clap::Args;

use super::WriteArgs;
use crate::credentials::{self, Freshness};
use crate::kubeconfig::SiteEntry;
use crate::settings::Settings;

/// Arguments of `ike login`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ike login --site tokyo --server https://accounts.tokyo.example --token ike1_...   # first login\n  ike login --site tokyo                                                          # renew now"
)]
pub struct LoginArgs {
    /// The site's account API (https://...); remembered after the first login.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// A one-time enrollment token from a platform admin (asked for on a terminal).
    #[arg(long, env = "IKE_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The pin of the site's CA (sha256:...), given with the token, for an account API whose
    /// certificate is not publicly trusted.
    #[arg(long, value_name = "PIN")]
    pub ca_pin: Option<String>,
    /// A certificate lifetime shorter than the site's default (e.g. 30m, 2h).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub ttl: Option<Duration>,
    /// Keep the current kubeconfig context instead of switching to the site's.
    #[arg(long)]
    pub no_switch: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Parses `90s`, `30m`, `2h`, `1d` (or plain seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration: use e.g. 90s, 30m, 2h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => {
            return Err(format!(
                "unknown unit '{unit}' in '{text}': use s, m, h or d"
            ));
        }
    };
    if secs == 0 {
        return Err("a duration must be more than zero".into());
    }
    Ok(Duration::from_secs(secs))
}

/// Runs `ike login`.
pub fn run(args: LoginArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let site = match &settings.site {
        Some(s) => s.clone(),
        None if settings.interactive => dialoguer::Input::<String>::new()
            .with_prompt("Site")
            .interact_text()?,
        None => bail!("no site given: pass --site SITE (e.g. --site tokyo)"),
    };
    crate::sites::validate_name(&site)?;
    let existing = settings.sites.load(&site).ok();
    let server = match (&args.server, &existing) {
        (Some(s), _) => s.trim_end_matches('/').to_string(),
        (None, Some(e)) => e.settings.account_api.clone(),
        (None, None) if settings.interactive => dialoguer::Input::<String>::new()
            .with_prompt(format!("Account API of site {site} (https://...)"))
            .interact_text()?,
        (None, None) => bail!(
            "first login to site '{site}' needs the account API: pass --server https://... (your platform admin gives it with your token)"
        ),
    };
    let renewable = args.token.is_none()
        && existing.as_ref().is_some_and(|e| {
            e.settings.account_api == server
                && crate::pki::cert_info(&e.cert_pem).is_ok_and(|info| {
                    credentials::freshness(info.not_before, info.not_after, SystemTime::now(), None)
                        != Freshness::Expired
                })
        });
    let target = crate::kubeconfig::write_target(&settings.kubeconfig_paths);
    if args.write.dry_run {
        println!(
            "would {} at {server} for site {site}, write context {} to {}{}",
            if renewable {
                "renew the certificate"
            } else {
                "enroll with a token"
            },
            crate::consts::context_name(&site),
            target.display(),
            if args.no_switch {
                ""
            } else {
                " and make it current"
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let token = if renewable {
        None
    } else {
        Some(match &args.token {
            Some(t) => t.clone(),
            None if settings.interactive => dialoguer::Password::new()
                .with_prompt("Enrollment token")
                .interact()?,
            None => bail!(
                "no valid certificate for site '{site}' and no token: pass --token TOKEN (a platform admin makes one with 'ike account token ACCOUNT')"
            ),
        })
    };
    let (files, issued) = super::runtime()?.block_on(async {
        match (&token, &existing) {
            (None, Some(files)) => credentials::renew(&settings.sites, files, args.ttl).await,
            (Some(token), _) => {
                let ca = match (&args.ca_pin, &existing) {
                    (Some(pin), _) => Some(
                        crate::account_client::AccountClient::fetch_pinned_ca(
                            &server,
                            pin,
                            credentials::TIMEOUT,
                        )
                        .await?,
                    ),
                    (None, Some(e)) if e.settings.account_api == server => Some(e.ca_pem.clone()),
                    _ => None,
                };
                credentials::enroll(&site, &server, ca.as_deref(), token, args.ttl).await
            }
            (None, None) => unreachable!("no token only when renewable"),
        }
    })?;
    // A renewal has saved the new key and certificate already; an enrollment saves everything.
    if token.is_some() {
        settings
            .sites
            .save(&files)
            .context("cannot save the site's key and certificate")?;
    }
    crate::kubeconfig::upsert_site(
        &target,
        &SiteEntry {
            site: site.clone(),
            server: issued.api_server.clone(),
            ca_pem: issued.ca_certificate.clone(),
            namespace: settings.namespace.clone(),
            exec_command: settings.exe.display().to_string(),
            exec_args: vec!["credential".into(), "--site".into(), site.clone()],
        },
        !args.no_switch,
    )?;
    let context = crate::consts::context_name(&site);
    eprintln!(
        "Logged in to site {site} as {} (certificate {} valid until {}).",
        issued.account, issued.serial, issued.not_after
    );
    if args.no_switch {
        eprintln!(
            "Context {context} written to {}; use it with --context {context}.",
            target.display()
        );
    } else {
        eprintln!(
            "Context {context} in {} is now current: kubectl and ike use it.",
            target.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("120"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("2w").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("0s").is_err());
    }
}
