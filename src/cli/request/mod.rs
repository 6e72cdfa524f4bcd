//! `ike request`: tenants ask for the cluster-scoped objects they cannot write themselves (a
//! CustomResourceDefinition, a StorageClass, or the deletion of one they own); platform admins
//! decide; ike-controller applies what was approved.
//!
//! - `crd|storageclass -f FILE --reason R`, `delete KIND/NAME --reason R` make a request in a
//!   namespace of your tenant (`-n`) and show the controller's checks and the diff;
//!   `--dry-run` shows both and makes nothing;
//! - `list [--pending] [-A]`, `show NAME` read them; `approve|deny NAME --comment C` decide
//!   (platform admins); `withdraw NAME` takes one back before a decision.

mod read;
mod review;
mod submit;

use clap::Subcommand;

use super::settings::Settings;
use crate::cli::exit::ExitStatus;
use crate::client::Target;

pub use read::{ListArgs, ShowArgs};
pub use review::{DecideArgs, WithdrawArgs};
pub use submit::{DeleteArgs, SubmitArgs};

/// `ike request ...`
#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Ask for a CustomResourceDefinition (created, or updated if your tenant owns it).
    Crd(SubmitArgs),
    /// Ask for a StorageClass (created, or updated if your tenant owns it).
    #[command(name = "storageclass", visible_alias = "sc")]
    StorageClass(SubmitArgs),
    /// Ask for the deletion of a CRD or StorageClass your tenant owns.
    Delete(DeleteArgs),
    /// List requests (--pending: those waiting for a decision, in every namespace you may read).
    List(ListArgs),
    /// Show one request: what it asks for, the checks, the diff, the decision and its history.
    Show(ShowArgs),
    /// Approve a request (platform admins; someone else's).
    Approve(DecideArgs),
    /// Deny a request, saying why (platform admins).
    Deny(DecideArgs),
    /// Withdraw a request before it is decided.
    Withdraw(WithdrawArgs),
}

/// Runs `ike request ...`.
pub fn run(cmd: RequestCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    use crate::api::request::{Decision, Kind};
    super::runtime()?.block_on(async {
        match cmd {
            RequestCommand::Crd(args) => {
                submit::submit(args, Kind::CustomResourceDefinition, settings).await
            }
            RequestCommand::StorageClass(args) => {
                submit::submit(args, Kind::StorageClass, settings).await
            }
            RequestCommand::Delete(args) => submit::delete(args, settings).await,
            RequestCommand::List(args) => read::list(args, settings).await,
            RequestCommand::Show(args) => read::show(args, settings).await,
            RequestCommand::Approve(args) => {
                review::decide(args, Decision::Approve, settings).await
            }
            RequestCommand::Deny(args) => review::decide(args, Decision::Deny, settings).await,
            RequestCommand::Withdraw(args) => review::withdraw(args, settings).await,
        }
    })
}

/// Where request `text` (`NAME` or `NAMESPACE/NAME`) is: a bare name is in the target's
/// namespace.
fn locate(text: &str, target: &Target) -> anyhow::Result<(String, String)> {
    crate::client::requests::locate(text, Some(&target.namespace))
}
