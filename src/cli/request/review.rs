//! `ike request approve|deny|withdraw NAME`: a decision on the request as it is read now (its
//! digest goes with the decision; a request changed in between is refused, not decided), then
//! what the controller made of it.

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use super::read::{describe, print_request};
use crate::api::request::{Decision, Phase};
use crate::cli::exit::ExitStatus;
use crate::cli::output::Format;
use crate::cli::settings::Settings;
use crate::cli::{OutputArgs, WriteArgs};
use crate::client::requests;

/// Arguments of `ike request approve` and `ike request deny`.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The request: NAME (in -n's namespace) or NAMESPACE/NAME.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::pending_requests))]
    pub name: String,
    /// Why, for the requester and the audit trail (required to deny).
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// The digest of the version you reviewed, as 'ike request show' prints it (required to
    /// approve without a terminal; on one, ike shows the request and asks).
    #[arg(long, value_name = "DIGEST")]
    pub digest: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `ike request withdraw`.
#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// The request: NAME (in -n's namespace) or NAMESPACE/NAME.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::requests))]
    pub name: String,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `ike request approve|deny`.
pub async fn decide(
    args: DecideArgs,
    decision: Decision,
    settings: &Settings,
) -> anyhow::Result<ExitStatus> {
    let comment = args.comment.clone().unwrap_or_default();
    if decision == Decision::Deny && comment.trim().is_empty() {
        anyhow::bail!("say why with --comment: the requester reads it");
    }
    let target = settings.target().await?;
    let (namespace, name) = super::locate(&args.name, &target)?;
    let client = &target.client;
    let request = requests::get(client, &namespace, &name).await?;
    let reviewed = match (&args.digest, decision) {
        (Some(digest), _) => digest.clone(),
        (None, Decision::Deny) => request.spec_digest(),
        (None, Decision::Approve) if settings.interactive => {
            eprint!("{}", describe(&request));
            let sure = dialoguer::Confirm::new()
                .with_prompt(format!("Approve request {name} as shown above?"))
                .default(false)
                .interact()?;
            if !sure {
                eprintln!("Nothing decided.");
                return Ok(ExitStatus::Failure);
            }
            request.spec_digest()
        }
        (None, Decision::Approve) => anyhow::bail!(
            "name the version you reviewed: ike request approve {name} -n {namespace} --digest DIGEST ('ike request show' prints the command)"
        ),
    };
    if decision == Decision::Approve && !requests::checked_and_passing(&request) {
        anyhow::bail!(
            "ike-controller has not checked this version of request {name}, or it does not pass its checks: see 'ike request show {name} -n {namespace}'"
        );
    }
    let decided = requests::decide(
        client,
        &request,
        &reviewed,
        decision,
        &comment,
        args.write.dry_run,
    )
    .await?;
    let verb = match decision {
        Decision::Approve => "approved",
        Decision::Deny => "denied",
    };
    if args.write.dry_run {
        if args.output.format != Format::Table {
            print_request(args.output.format, &decided)?;
        }
        eprintln!("Request {name} would be {verb} (dry run).");
        return Ok(ExitStatus::Success);
    }
    let object = decided.object().map(|t| t.to_string()).unwrap_or_default();
    if decision == Decision::Deny {
        if args.output.format != Format::Table {
            print_request(args.output.format, &decided)?;
        }
        eprintln!("Request {name} for {object} is denied: {comment}");
        return Ok(ExitStatus::Success);
    }
    eprintln!("Request {name} for {object} is approved; ike-controller applies it...");
    let (found, done) = requests::wait_for(client, &namespace, &name, |r| {
        matches!(r.phase(), Phase::Applied | Phase::Failed)
    })
    .await?;
    if args.output.format != Format::Table {
        print_request(args.output.format, &found)?;
    }
    let status = found.status.clone().unwrap_or_default();
    let applied = status.conditions.iter().find(|c| c.type_ == "Applied");
    match (found.phase(), done) {
        (Phase::Applied, _) => {
            eprintln!(
                "Applied: {}.",
                applied.map(|c| c.message.as_str()).unwrap_or(&object)
            );
            Ok(ExitStatus::Success)
        }
        (Phase::Failed, _) => {
            eprintln!(
                "Not applied: {}",
                applied
                    .map(|c| c.message.as_str())
                    .unwrap_or("see ike request show")
            );
            Ok(ExitStatus::NotDone)
        }
        _ => {
            eprintln!(
                "Not applied yet{}: see 'ike request show {name} -n {namespace}'.",
                applied
                    .map(|c| format!(" ({})", c.message))
                    .unwrap_or_default()
            );
            Ok(ExitStatus::NotDone)
        }
    }
}

/// Runs `ike request withdraw`.
pub async fn withdraw(args: WithdrawArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let target = settings.target().await?;
    let (namespace, name) = super::locate(&args.name, &target)?;
    let withdrawn =
        requests::withdraw(&target.client, &namespace, &name, args.write.dry_run).await?;
    if args.output.format != Format::Table {
        print_request(args.output.format, &withdrawn)?;
    }
    match args.write.dry_run {
        true => eprintln!("Request {name} would be withdrawn (dry run)."),
        false => eprintln!("Request {name} is withdrawn."),
    }
    Ok(ExitStatus::Success)
}
