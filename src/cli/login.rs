//! `ike login`: enroll with a one-time token, or renew, and write the site's kubeconfig context.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use clap::Args;

use super::WriteArgs;
use super::settings::Settings;
use crate::client::account_client::AccountClient;
use crate::client::identity::{self, Freshness};
use crate::client::kubeconfig::SiteEntry;

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
    #[arg(long, value_parser = crate::util::time::parse_duration, value_name = "DURATION")]
    pub ttl: Option<Duration>,
    /// Keep the current kubeconfig context instead of switching to the site's.
    #[arg(long)]
    pub no_switch: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Runs `ike login`.
pub fn run(args: LoginArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    // `--site`, else the site of the current context (a renewal), else ask.
    let site = match settings.client.site() {
        Ok(site) => site,
        Err(e) if settings.client.site.is_some() => return Err(e.into()),
        Err(_) if settings.interactive => dialoguer::Input::<String>::new()
            .with_prompt("Site")
            .interact_text()?,
        Err(_) => bail!("no site given: pass --site SITE (e.g. --site tokyo)"),
    };
    crate::api::names::check_site(&site)?;
    let existing = settings.client.sites.load(&site).ok();
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
                    identity::freshness(info.not_before, info.not_after, SystemTime::now(), None)
                        != Freshness::Expired
                })
        });
    let target = crate::client::kubeconfig::write_target(&settings.client.kubeconfig_paths);
    if args.write.dry_run {
        println!(
            "would {} at {server} for site {site}, write context {} to {}{}",
            if renewable {
                "renew the certificate"
            } else {
                "enroll with a token"
            },
            crate::api::consts::context_name(&site),
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
            (None, Some(files)) => identity::renew(&settings.client.sites, files, args.ttl).await,
            (Some(token), _) => {
                let ca = match (&args.ca_pin, &existing) {
                    (Some(pin), _) => {
                        Some(AccountClient::fetch_pinned_ca(&server, pin, identity::TIMEOUT).await?)
                    }
                    (None, Some(e)) if e.settings.account_api == server => Some(e.ca_pem.clone()),
                    _ => first_contact_ca(&server, settings.interactive).await?,
                };
                identity::enroll(&site, &server, ca.as_deref(), token, args.ttl).await
            }
            (None, None) => unreachable!("no token only when renewable"),
        }
    })?;
    // A renewal has saved the new key and certificate already; an enrollment saves everything.
    if token.is_some() {
        settings
            .client
            .sites
            .save(&files)
            .context("cannot save the site's key and certificate")?;
    }
    crate::client::kubeconfig::upsert_site(
        &target,
        &SiteEntry {
            site: site.clone(),
            server: issued.api_server.clone(),
            ca_pem: issued.ca_certificate.clone(),
            namespace: settings.client.namespace.clone(),
            exec_command: settings.exe.display().to_string(),
            exec_args: vec!["credential".into(), "--site".into(), site.clone()],
        },
        !args.no_switch,
    )?;
    let context = crate::api::consts::context_name(&site);
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

/// The CA to trust on a first login without `--ca-pin`: none (the system's roots) when they
/// trust the account API; otherwise the site's own CA, once the person has typed the pin their
/// platform admin gave them. Without a terminal, says what to pass.
async fn first_contact_ca(server: &str, interactive: bool) -> anyhow::Result<Option<String>> {
    let system = AccountClient::new(server, None, None, identity::TIMEOUT)?;
    match system.ca().await {
        Ok(_) => return Ok(None),
        Err(e) if !e.is_untrusted_server() => return Err(e.into()),
        Err(_) => {}
    }
    let untrusted = format!(
        "the account API at {server} has a certificate from a CA this machine does not trust"
    );
    if !interactive {
        bail!(
            "{untrusted}: pass --ca-pin sha256:... as your platform admin gave it with your token"
        );
    }
    eprintln!("{untrusted}.");
    let pin: String = dialoguer::Input::new()
        .with_prompt("CA pin from your platform admin (sha256:...)")
        .validate_with(|pin: &String| {
            if pin.trim().starts_with("sha256:") {
                Ok(())
            } else {
                Err("a pin starts with sha256:")
            }
        })
        .interact_text()?;
    Ok(Some(
        AccountClient::fetch_pinned_ca(server, pin.trim(), identity::TIMEOUT).await?,
    ))
}
