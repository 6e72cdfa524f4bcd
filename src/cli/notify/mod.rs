//! `ike notify`: where a namespace's alerts go. Each config lives in the namespace whose alerts
//! it receives (`-n`), and only that namespace's alerts reach it.
//!
//! - `barry|email|teams NAME ...` create or change a config (and the Secret it names, from a
//!   file), then wait for the controller's verdict;
//! - `list`, `show` read them; `test` sends a test alert through Alertmanager and says where it
//!   arrived; `delete` removes one.

mod read;
mod test;
mod write;

use clap::{Subcommand, ValueEnum};

use super::settings::Settings;
use crate::cli::exit::ExitStatus;
use crate::client::Target;
use crate::client::notify::Kind;

pub use read::{ListArgs, ShowArgs};
pub use test::{DeleteArgs, TestArgs};
pub use write::{BarryArgs, EmailArgs, TeamsArgs};

/// `ike notify ...`
#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send this namespace's alerts to channels in Barry (opened with your token).
    Barry(BarryArgs),
    /// Send this namespace's alerts by e-mail.
    Email(EmailArgs),
    /// Send this namespace's alerts to a Microsoft Teams channel (a Workflows webhook).
    Teams(TeamsArgs),
    /// List the notification configs of a namespace (-A: of every namespace you may read).
    List(ListArgs),
    /// Show one notification config: where it sends, its conditions, its last delivery.
    Show(ShowArgs),
    /// Send a test alert through Alertmanager and report where it arrived, or why not.
    Test(TestArgs),
    /// Delete a notification config (its Secret is kept).
    Delete(DeleteArgs),
}

/// The kind of a config, when a name is used by several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// BarryConfig.
    Barry,
    /// EmailConfig.
    Email,
    /// TeamsConfig.
    Teams,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Barry => Kind::Barry,
            KindArg::Email => Kind::Email,
            KindArg::Teams => Kind::Teams,
        }
    }
}

/// Runs `ike notify ...`.
pub fn run(cmd: NotifyCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    super::runtime()?.block_on(async {
        match cmd {
            NotifyCommand::Barry(args) => write::barry(args, settings).await,
            NotifyCommand::Email(args) => write::email(args, settings).await,
            NotifyCommand::Teams(args) => write::teams(args, settings).await,
            NotifyCommand::List(args) => read::list(args, settings).await,
            NotifyCommand::Show(args) => read::show(args, settings).await,
            NotifyCommand::Test(args) => test::test(args, settings).await,
            NotifyCommand::Delete(args) => test::delete(args, settings).await,
        }
    })
}

/// The namespace a writing command works in, and the target if knowing it took one: `-n`
/// needs no cluster (a dry run, or input refused before anything is sent, works offline);
/// without it the context's namespace comes from the target, resolved here once and handed on.
async fn place(settings: &Settings) -> anyhow::Result<(String, Option<Target>)> {
    match settings.client.namespace()? {
        Some(ns) => Ok((ns, None)),
        None => {
            let target = settings.target().await?;
            Ok((target.namespace.clone(), Some(target)))
        }
    }
}
