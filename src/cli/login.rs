//! `ike login`: enroll with a one-time token, or renew, and write the site's kubeconfig context.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use clap::Args;

use super::WriteArgs;
use super::settings::Settings;
use crate::cli::exit::ExitStatus;
use crate::client::account_client::AccountClient;
use crate::client::identity::{self, Freshness};
use crate::client::kubeconfig::SiteEntry;

/// Arguments of `ike login`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ike login --site tokyo --server https://accounts.tokyo.example --token-file token.txt   # first login\n  ike login --site tokyo                                                                # renew now\n  ike login --all                                                                       # renew every site"
)]
pub struct LoginArgs {
    /// The site's account API (https://...); remembered after the first login.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// A one-time enrollment token from a platform admin (asked for on a terminal). Prefer
    /// --token-file: a token on the command line shows in ps and in the shell's history.
    #[arg(long, env = "IKE_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Read the one-time enrollment token from FILE, or from standard input with '-' (used
    /// instead of --token and IKE_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The pin of the site's CA (sha256:...), given with the token, for an account API whose
    /// certificate is not publicly trusted.
    #[arg(long, value_name = "PIN")]
    pub ca_pin: Option<String>,
    /// The certificate lifetime (e.g. 30m, 2h), remembered for the site: every renewal asks for
    /// it, and the site's maximum caps it. 'default' goes back to the site's default.
    #[arg(long, value_parser = parse_ttl, value_name = "DURATION|default")]
    pub ttl: Option<TtlChoice>,
    /// Keep the current kubeconfig context instead of switching to the site's.
    #[arg(long)]
    pub no_switch: bool,
    /// Renew the certificate of every site on this machine at once, one line per site; never
    /// switches the context. A site whose certificate expired needs a token and is reported,
    /// the others are renewed all the same (exit status 4 when some failed).
    #[arg(long, conflicts_with_all = ["server", "token", "token_file", "ca_pin", "ttl"])]
    pub all: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// `--ttl`: a lifetime to remember for the site, or back to the site's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtlChoice {
    /// The site's default lifetime.
    SiteDefault,
    /// This lifetime.
    Chosen(Duration),
}

fn parse_ttl(text: &str) -> Result<TtlChoice, String> {
    match text {
        "default" => Ok(TtlChoice::SiteDefault),
        _ => crate::util::time::parse_duration(text).map(TtlChoice::Chosen),
    }
}

/// The longest token file read: a token is about 50 bytes.
const TOKEN_FILE_LIMIT: u64 = 4096;

/// The token in `path` ('-': standard input), trimmed.
fn read_token_file(path: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin()
            .take(TOKEN_FILE_LIMIT)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(TOKEN_FILE_LIMIT).read_to_string(&mut text))
    };
    let from = if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    read.with_context(|| format!("cannot read the enrollment token from {from}"))?;
    let token = text.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        bail!(
            "{from} does not hold one enrollment token: put only the token (ike1_...) a platform admin gave you in it"
        );
    }
    Ok(token.to_string())
}

/// Runs `ike login`.
pub fn run(args: LoginArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    if args.all {
        return super::login_all::run(args.write.dry_run, settings);
    }
    let given_token = match (&args.token, &args.token_file) {
        (_, Some(path)) => Some(read_token_file(path)?),
        (token, None) => token.clone(),
    };
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
    // The lifetime to ask for: chosen now, else the one remembered for this site.
    let ttl_seconds = match args.ttl {
        Some(TtlChoice::Chosen(ttl)) => Some(ttl.as_secs()),
        Some(TtlChoice::SiteDefault) => None,
        None => existing
            .as_ref()
            .filter(|e| e.settings.account_api == server)
            .and_then(|e| e.settings.ttl_seconds),
    };
    let renewable = given_token.is_none()
        && existing.as_ref().is_some_and(|e| {
            e.settings.account_api == server
                && crate::pki::cert_info(&e.cert_pem).is_ok_and(|info| {
                    identity::freshness(info.not_before, info.not_after, SystemTime::now(), None)
                        != Freshness::Expired
                })
        });
    let target = crate::client::kubeconfig::write_target(&settings.client.kubeconfig_paths);
    // The account API uses the token up when it answers, and a renewal replaces the key: make
    // sure the context can be written afterwards before either happens.
    crate::client::kubeconfig::sites_in(&target).map_err(|e| {
        anyhow::anyhow!("{e}: fix or move it, then log in again (no token was used)")
    })?;
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
        return Ok(ExitStatus::Success);
    }
    let token = if renewable {
        None
    } else {
        Some(match &given_token {
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
            (None, Some(files)) => {
                let mut files = files.clone();
                files.settings.ttl_seconds = ttl_seconds;
                identity::renew(&settings.client.sites, &files).await
            }
            (Some(token), _) => {
                let ca = match (&args.ca_pin, &existing) {
                    (Some(pin), _) => {
                        Some(AccountClient::fetch_pinned_ca(&server, pin, identity::TIMEOUT).await?)
                    }
                    (None, Some(e)) if e.settings.account_api == server => Some(e.ca_pem.clone()),
                    _ => first_contact_ca(&server, settings.interactive).await?,
                };
                let ttl = ttl_seconds.map(Duration::from_secs);
                identity::enroll(&site, &server, ca.as_deref(), token, ttl).await
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
    } else if existing.as_ref().map(|e| &e.settings) != Some(&files.settings) {
        settings
            .client
            .sites
            .save_settings(&files.settings)
            .context("cannot save the site's settings")?;
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
    Ok(ExitStatus::Success)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_file_holds_exactly_one_token_and_its_newline_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let file = |text: &str| {
            let path = dir.path().join(format!("t{}", text.len()));
            std::fs::write(&path, text).unwrap();
            path
        };
        assert_eq!(read_token_file(&file("ike1_abc\n")).unwrap(), "ike1_abc");
        for bad in ["", " \n", "ike1_a ike1_b\n"] {
            let err = read_token_file(&file(bad)).unwrap_err().to_string();
            assert!(err.contains("does not hold one enrollment token"), "{err}");
        }
        let err = format!(
            "{:#}",
            read_token_file(&dir.path().join("missing")).unwrap_err()
        );
        assert!(
            err.contains("cannot read the enrollment token from"),
            "{err}"
        );
    }

    #[test]
    fn ttl_is_a_duration_or_default() {
        assert_eq!(parse_ttl("default"), Ok(TtlChoice::SiteDefault));
        assert_eq!(
            parse_ttl("3m"),
            Ok(TtlChoice::Chosen(Duration::from_secs(180)))
        );
        assert!(parse_ttl("soon").is_err());
    }
}
