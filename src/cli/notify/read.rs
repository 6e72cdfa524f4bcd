//! `ike notify list` and `ike notify show`: configs as people read them (no Secret value is
//! ever in a config, so none can be shown).

use std::fmt::Write as _;

use clap::Args;
use clap_complete::engine::ArgValueCompleter;
use serde::Serialize;

use super::KindArg;
use crate::api::receiver_name;
use crate::cli::OutputArgs;
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Format, Tabular, namespace_first, print, print_object, write_stdout};
use crate::cli::settings::Settings;
use crate::client::notify::{self, AnyConfig};

/// Arguments of `ike notify list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// List the configs of every namespace you may read.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `ike notify show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The config's name.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::notify_configs))]
    pub name: String,
    /// Its kind, when the name is used by several.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// One config as `list` shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ConfigRow {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// barry, email or teams.
    pub kind: String,
    /// Where it sends.
    pub sends_to: String,
    /// Ready, or the reason of the first condition that is not True.
    pub state: String,
    /// The last delivery's result and time, if any.
    pub last_delivery: Option<String>,
}

/// `list`'s result.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct ConfigList {
    /// The rows.
    pub rows: Vec<ConfigRow>,
    /// Whether rows come from several namespaces (a NAMESPACE column).
    #[serde(skip)]
    pub all_namespaces: bool,
}

impl Tabular for ConfigList {
    fn headers(&self) -> Vec<&'static str> {
        let h = vec!["name", "kind", "sends to", "state", "last delivery"];
        namespace_first(self.all_namespaces, "namespace", h)
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let row = vec![
                    r.name.clone(),
                    r.kind.clone(),
                    r.sends_to.clone(),
                    r.state.clone(),
                    r.last_delivery.clone().unwrap_or_else(|| "-".into()),
                ];
                namespace_first(self.all_namespaces, r.namespace.clone(), row)
            })
            .collect()
    }
}

/// The row of one config.
pub fn row(config: &AnyConfig) -> ConfigRow {
    ConfigRow {
        namespace: config.namespace(),
        name: config.name(),
        kind: config.kind().as_str().into(),
        sends_to: config.target(),
        state: config.state(),
        last_delivery: config
            .last_delivery()
            .map(|d| format!("{:?} {}", d.result, d.time)),
    }
}

/// Runs `ike notify list`.
pub async fn list(args: ListArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let target = settings.target().await?;
    let namespace = (!args.all_namespaces).then(|| target.namespace.clone());
    let configs = notify::list(&target, namespace.as_deref()).await?;
    let list = ConfigList {
        rows: configs.iter().map(row).collect(),
        all_namespaces: args.all_namespaces,
    };
    if list.rows.is_empty() && args.output.format == Format::Table {
        match &namespace {
            Some(ns) => eprintln!("No notification configs in namespace {ns}."),
            None => eprintln!("No notification configs you may read."),
        }
        return Ok(ExitStatus::Success);
    }
    print(args.output.format, &list, settings)?;
    Ok(ExitStatus::Success)
}

/// Runs `ike notify show`.
pub async fn show(args: ShowArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    crate::api::names::check_object("notification config", &args.name)?;
    let target = settings.target().await?;
    let kind = args.kind.map(Into::into);
    let config = notify::get(&target.client, &target.namespace, &args.name, kind).await?;
    print_config(args.output.format, &config)?;
    Ok(ExitStatus::Success)
}

/// Prints one config: a description for people, the object for programs.
pub fn print_config(format: Format, config: &AnyConfig) -> anyhow::Result<()> {
    match format {
        Format::Table => write_stdout(describe(config).as_bytes()),
        Format::Json | Format::Yaml => {
            let mut config = config.clone();
            match &mut config {
                AnyConfig::Barry(c) => c.metadata.managed_fields = None,
                AnyConfig::Email(c) => c.metadata.managed_fields = None,
                AnyConfig::Teams(c) => c.metadata.managed_fields = None,
            }
            print_object(format, &config)
        }
    }
}

/// The description `show` prints.
pub fn describe(config: &AnyConfig) -> String {
    let mut out = String::new();
    let kind = config.kind();
    let field = |out: &mut String, name: &str, value: &str| {
        let _ = writeln!(out, "{:<15}{value}", format!("{name}:"));
    };
    field(&mut out, "Name", &config.name());
    field(&mut out, "Namespace", &config.namespace());
    field(&mut out, "Kind", kind.object_kind());
    let receiver = receiver_name(&config.namespace(), kind.as_str(), &config.name());
    field(&mut out, "Receiver", &receiver);
    field(&mut out, "Sends to", &config.target());
    if let Some(secret) = config.secret_name() {
        let key = match config {
            AnyConfig::Barry(_) => "token",
            _ => "url",
        };
        field(&mut out, "Secret", &format!("{secret} (key {key})"));
    }
    if let AnyConfig::Barry(c) = config {
        let channels: Vec<String> = c
            .status
            .iter()
            .flat_map(|s| &s.channels)
            .map(|ch| {
                let muted = if ch.muted { ", muted" } else { "" };
                format!("{} ({}{muted})", ch.name, ch.channel_id)
            })
            .collect();
        let channels = if channels.is_empty() {
            "none opened yet".to_string()
        } else {
            channels.join(", ")
        };
        field(&mut out, "In Barry", &channels);
    }
    let _ = writeln!(out, "Conditions:");
    if config.conditions().is_empty() {
        let _ = writeln!(out, "  none yet: ike-controller has not seen it");
    }
    for c in config.conditions() {
        let _ = writeln!(
            out,
            "  {:<19}{:<7}{:<21}{}",
            c.type_, c.status, c.reason, c.message
        );
    }
    let delivery = config
        .last_delivery()
        .map(|d| format!("{:?} at {}: {}", d.result, d.time, d.message));
    field(
        &mut out,
        "Last delivery",
        delivery.as_deref().unwrap_or("none"),
    );
    let test = config
        .last_test()
        .map(|t| format!("{:?} at {} (id {}): {}", t.result, t.time, t.id, t.message));
    field(&mut out, "Last test", test.as_deref().unwrap_or("none"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        BarryChannel, BarryChannelStatus, BarryConfig, BarryConfigSpec, NotifyConfig,
    };

    #[test]
    fn show_describes_a_config_without_anything_secret() {
        let mut c = BarryConfig::new(
            "oncall",
            BarryConfigSpec {
                channels: vec![BarryChannel {
                    name: "example-channel".into(),
                    mute: true,
                }],
                token_secret_name: "barrytoken".into(),
            },
        );
        c.metadata.namespace = Some("shop".into());
        c.status_mut().channels = vec![BarryChannelStatus {
            name: "example-channel".into(),
            channel_id: "ch-1".into(),
            muted: true,
        }];
        let text = describe(&AnyConfig::Barry(c.clone()));
        assert!(
            text.contains("Receiver:      tenant/shop/barry/oncall"),
            "{text}"
        );
        assert!(
            text.contains("Secret:        barrytoken (key token)"),
            "{text}"
        );
        assert!(
            text.contains("In Barry:      example-channel (ch-1, muted)"),
            "{text}"
        );
        assert!(text.contains("none yet"), "{text}");
        let list = ConfigList {
            rows: vec![row(&AnyConfig::Barry(c))],
            all_namespaces: true,
        };
        assert_eq!(
            list.rows(),
            [[
                "shop",
                "oncall",
                "barry",
                "example-channel (muted)",
                "Waiting",
                "-"
            ]]
        );
    }
}
