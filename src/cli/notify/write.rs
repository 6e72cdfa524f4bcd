//! `ike notify barry|email|teams NAME ...`: the config (and, from a file, its Secret) built and
//! checked here, applied, then the controller's verdict.

use std::io::Read as _;
use std::path::PathBuf;

use clap::Args;
use kube::Resource;

use super::read::print_config;
use crate::api::names::check_object;
use crate::api::{
    BarryChannel, BarryConfig, BarryConfigSpec, Destinations, EmailConfig, EmailConfigSpec,
    NotificationPolicy, NotifyConfig, TeamsConfig, TeamsConfigSpec, check_webhook_url,
    is_legacy_connector_url,
};
use crate::cli::exit::ExitStatus;
use crate::cli::output::print_object;
use crate::cli::settings::Settings;
use crate::cli::{OutputArgs, WriteArgs};
use crate::client::Target;
use crate::client::notify::{self, AnyConfig, Kind, WAIT, has_verdict};

/// Arguments of `ike notify barry`.
#[derive(Debug, Args)]
pub struct BarryArgs {
    /// The config's name.
    pub name: String,
    /// A Barry channel that gets the alerts, opened if it does not exist (repeatable).
    #[arg(long = "channel", value_name = "CHANNEL")]
    pub channels: Vec<String>,
    /// A channel that gets them muted: Barry records the alerts and notifies nobody
    /// (repeatable).
    #[arg(long = "mute", value_name = "CHANNEL")]
    pub muted: Vec<String>,
    /// The Secret whose key 'token' holds your Barry API token (default with --token-file:
    /// NAME-barry-token).
    #[arg(long, value_name = "SECRET")]
    pub token_secret: Option<String>,
    /// Write that Secret from this file ('-': standard input).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `ike notify email`.
#[derive(Debug, Args)]
pub struct EmailArgs {
    /// The config's name.
    pub name: String,
    /// A recipient: a plain address such as oncall@example.com (repeatable).
    #[arg(long = "to", value_name = "ADDRESS", required = true, num_args = 1..)]
    pub to: Vec<String>,
    /// Also send a message when the alerts resolve.
    #[arg(long)]
    pub send_resolved: bool,
    /// Text put before the subject line, such as '[shop]'.
    #[arg(long, value_name = "TEXT")]
    pub subject_prefix: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `ike notify teams`.
#[derive(Debug, Args)]
pub struct TeamsArgs {
    /// The config's name.
    pub name: String,
    /// Write the Teams Workflows webhook URL from this file ('-': standard input) into the
    /// Secret.
    #[arg(long, value_name = "FILE")]
    pub webhook_url_file: Option<PathBuf>,
    /// The Secret whose key 'url' holds the webhook URL (default: NAME-teams-webhook).
    #[arg(long, value_name = "SECRET")]
    pub webhook_url_secret: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// A secret value from a file or standard input, trimmed; never echoed.
fn read_secret(path: &PathBuf, what: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| anyhow::anyhow!("cannot read the {what} from standard input: {e}"))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the {what} from {}: {e}", path.display()))?;
    }
    let text = text.trim().to_string();
    if text.is_empty() || text.contains(['\n', '\r']) {
        anyhow::bail!(
            "{} does not hold one {what} on one line",
            if path.as_os_str() == "-" {
                "standard input".into()
            } else {
                path.display().to_string()
            }
        );
    }
    Ok(text)
}

/// The channels of `--channel` and `--mute`, in the order given, each once.
fn channels(args: &BarryArgs) -> Vec<BarryChannel> {
    let mut out: Vec<BarryChannel> = Vec::new();
    for name in args.channels.iter().chain(&args.muted) {
        if !out.iter().any(|c| c.name == *name) {
            out.push(BarryChannel {
                name: name.clone(),
                mute: args.muted.contains(name),
            });
        }
    }
    out
}

/// The BarryConfig `ike notify barry` applies, and the Secret name it writes the token to.
pub fn barry_config(args: &BarryArgs, namespace: &str) -> anyhow::Result<(BarryConfig, String)> {
    check_object("notification config", &args.name)?;
    let secret = match (&args.token_secret, &args.token_file) {
        (Some(s), _) => s.clone(),
        (None, Some(_)) => format!("{}-barry-token", args.name),
        (None, None) => anyhow::bail!(
            "BarryConfig {} needs your Barry token: pass --token-secret SECRET (its key 'token' holds it) or --token-file FILE",
            args.name
        ),
    };
    check_object("Secret", &secret)?;
    let spec = BarryConfigSpec {
        channels: channels(args),
        token_secret_name: secret.clone(),
    };
    if spec.channels.is_empty() {
        anyhow::bail!(
            "BarryConfig {} needs a channel: pass --channel CHANNEL (or --mute CHANNEL)",
            args.name
        );
    }
    spec.validate().map_err(anyhow::Error::msg)?;
    Ok((
        in_namespace(BarryConfig::new(&args.name, spec), namespace),
        secret,
    ))
}

/// The EmailConfig `ike notify email` applies.
pub fn email_config(args: &EmailArgs, namespace: &str) -> anyhow::Result<EmailConfig> {
    check_object("notification config", &args.name)?;
    let spec = EmailConfigSpec {
        to: args.to.clone(),
        send_resolved: args.send_resolved.then_some(true),
        subject_prefix: args.subject_prefix.clone(),
    };
    spec.validate().map_err(anyhow::Error::msg)?;
    Ok(in_namespace(EmailConfig::new(&args.name, spec), namespace))
}

/// The TeamsConfig `ike notify teams` applies, and its Secret's name.
pub fn teams_config(args: &TeamsArgs, namespace: &str) -> anyhow::Result<(TeamsConfig, String)> {
    check_object("notification config", &args.name)?;
    if args.webhook_url_file.is_none() && args.webhook_url_secret.is_none() {
        anyhow::bail!(
            "TeamsConfig {} needs the webhook URL: pass --webhook-url-file FILE (or --webhook-url-secret SECRET whose key 'url' holds it)",
            args.name
        );
    }
    let secret = args
        .webhook_url_secret
        .clone()
        .unwrap_or_else(|| format!("{}-teams-webhook", args.name));
    check_object("Secret", &secret)?;
    let spec = TeamsConfigSpec {
        webhook_url_secret_name: secret.clone(),
    };
    Ok((
        in_namespace(TeamsConfig::new(&args.name, spec), namespace),
        secret,
    ))
}

fn in_namespace<K: Resource>(mut config: K, namespace: &str) -> K {
    config.meta_mut().namespace = Some(namespace.to_string());
    config
}

/// Runs `ike notify barry`.
pub async fn barry(args: BarryArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let (namespace, target) = super::place(settings).await?;
    let (config, secret) = barry_config(&args, &namespace)?;
    let token = match &args.token_file {
        Some(path) => Some(read_secret(path, "Barry token")?),
        None => None,
    };
    let secret = token.map(|t| (secret, "token", t));
    let no_site_rule = |_: &NotificationPolicy| Ok(());
    let output = (args.write, args.output);
    apply(config, secret, no_site_rule, output, target, settings).await
}

/// Runs `ike notify email`.
pub async fn email(args: EmailArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let (namespace, target) = super::place(settings).await?;
    let config = email_config(&args, &namespace)?;
    let to = config.spec.to.clone();
    let site_rules = move |policy: &NotificationPolicy| {
        policy
            .check_email_domains(&to)
            .map_err(anyhow::Error::msg)?;
        let most = policy.max_addresses_per_config();
        if to.len() > most {
            anyhow::bail!(
                "--to names {} recipients, more than the {most} this site allows per config: send to a mailing list, or ask a platform admin (Site notifications.maxAddressesPerConfig)",
                to.len()
            );
        }
        Ok(())
    };
    let output = (args.write, args.output);
    apply(config, None, site_rules, output, target, settings).await
}

/// Runs `ike notify teams`.
pub async fn teams(args: TeamsArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let (namespace, target) = super::place(settings).await?;
    let (config, secret) = teams_config(&args, &namespace)?;
    let url = match &args.webhook_url_file {
        Some(path) => {
            let url = read_secret(path, "webhook URL")?;
            if is_legacy_connector_url(&url) {
                anyhow::bail!(
                    "the URL is an Office 365 connector webhook, which Microsoft retired: in Teams, create a Workflows webhook ('Post to a channel when a webhook request is received') and pass its URL"
                );
            }
            check_webhook_url(&url).map_err(anyhow::Error::msg)?;
            Some((secret, "url", url))
        }
        None => None,
    };
    let given = url.as_ref().map(|(_, _, url)| url.clone());
    // Where the URL may lead is the site's rule; the controller applies it with its own
    // --allow-insecure-destinations, which this machine cannot know: loopback and http pass
    // here and are refused there on a real site.
    let site_rules = move |policy: &NotificationPolicy| match &given {
        Some(url) => Destinations::new(policy, true)
            .check_url(url)
            .map(|_| ())
            .map_err(|why| anyhow::anyhow!("{why}")),
        None => Ok(()),
    };
    let output = (args.write, args.output);
    apply(config, url, site_rules, output, target, settings).await
}

async fn apply<K>(
    config: K,
    secret: Option<(String, &'static str, String)>,
    site_rules: impl FnOnce(&NotificationPolicy) -> anyhow::Result<()>,
    (write, output): (WriteArgs, OutputArgs),
    target: Option<Target>,
    settings: &Settings,
) -> anyhow::Result<ExitStatus>
where
    K: NotifyConfig,
    AnyConfig: From<K>,
{
    let kind = AnyConfig::from(config.clone()).kind();
    let (name, namespace) = (
        config.meta().name.clone().unwrap_or_default(),
        config.meta().namespace.clone().unwrap_or_default(),
    );
    let what = format!("{} {name}", kind.object_kind());
    if write.dry_run {
        // Built here, not by a server: exactly what would be sent, ready for Git. The Secret is
        // never printed.
        print_object(output.format, &config)?;
        if let Some((secret, key, _)) = &secret {
            eprintln!(
                "Secret {secret} (key {key}) would be written from the file; its value is not shown."
            );
        }
        eprintln!("{what} would be applied in namespace {namespace} (dry run).");
        return Ok(ExitStatus::Success);
    }
    // Resolved here only when `-n` named the namespace (a dry run needs no cluster).
    let target = match target {
        Some(target) => target,
        None => settings.target().await?,
    };
    let client = &target.client;
    // Checked before anything is written, so that a refusal changes nothing.
    site_rules(&notify::site_policy(client).await?)?;
    if let Some((secret, key, value)) = &secret {
        // The Secret is written first so that the config finds it; ask the API server about
        // the config before, so that a config it refuses leaves no Secret behind.
        notify::apply(client, &config, true).await?;
        notify::apply_secret(client, &namespace, secret, key, value, false).await?;
    }
    let applied = notify::apply(client, &config, false).await?;
    let generation = applied.meta().generation;
    let (last, reported) = notify::wait_for(client, &namespace, &name, kind, WAIT, |c| {
        c.generation() == generation && has_verdict(c)
    })
    .await?;
    print_config(output.format, &last)?;
    verdict(&what, &last, reported, kind)
}

/// What the controller said, as the command's outcome.
fn verdict(
    what: &str,
    config: &AnyConfig,
    reported: bool,
    kind: Kind,
) -> anyhow::Result<ExitStatus> {
    let condition = config.condition(config.verdict_type());
    match condition {
        Some(c) if reported && c.status == "True" => {
            eprintln!("{what} is ready: {}.", c.message);
            Ok(ExitStatus::Success)
        }
        Some(c) if reported && c.reason == crate::api::condition::PENDING => {
            eprintln!("{what} is applied: {}.", c.message);
            Ok(ExitStatus::Success)
        }
        Some(c) if reported => crate::not_done!(
            "{what} was applied but is not ready ({}): {}",
            c.reason,
            c.message
        ),
        _ => crate::not_done!(
            "{what} was applied but ike-controller did not report on it within {} s: check 'ike notify show {} --kind {}' and that ike-controller runs",
            WAIT.as_secs(),
            config.name(),
            kind.as_str()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn barry_args(channels: &[&str], muted: &[&str]) -> BarryArgs {
        BarryArgs {
            name: "oncall".into(),
            channels: channels.iter().map(|s| s.to_string()).collect(),
            muted: muted.iter().map(|s| s.to_string()).collect(),
            token_secret: None,
            token_file: Some("-".into()),
            write: WriteArgs { dry_run: true },
            output: OutputArgs {
                format: crate::cli::output::Format::Yaml,
            },
        }
    }

    #[test]
    fn muted_channels_are_channels_too_and_each_is_listed_once() {
        let (config, secret) = barry_config(&barry_args(&["a", "b"], &["b", "c"]), "shop").unwrap();
        assert_eq!(secret, "oncall-barry-token");
        let got: Vec<(&str, bool)> = config
            .spec
            .channels
            .iter()
            .map(|c| (c.name.as_str(), c.mute))
            .collect();
        assert_eq!(got, [("a", false), ("b", true), ("c", true)]);
        assert_eq!(config.metadata.namespace.as_deref(), Some("shop"));
    }

    #[test]
    fn bad_input_is_refused_with_what_to_pass() {
        let err = barry_config(&barry_args(&[], &[]), "shop")
            .unwrap_err()
            .to_string();
        assert!(err.contains("--channel"), "{err}");
        let mut no_token = barry_args(&["a"], &[]);
        no_token.token_file = None;
        let err = barry_config(&no_token, "shop").unwrap_err().to_string();
        assert!(err.contains("--token-secret"), "{err}");
        let email = EmailArgs {
            name: "ops".into(),
            to: vec!["Ops <ops@example.com>".into()],
            send_resolved: false,
            subject_prefix: None,
            write: WriteArgs { dry_run: true },
            output: OutputArgs {
                format: crate::cli::output::Format::Yaml,
            },
        };
        let err = email_config(&email, "shop").unwrap_err().to_string();
        assert!(err.contains("not a plain e-mail address"), "{err}");
    }
}
