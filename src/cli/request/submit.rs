//! `ike request crd|storageclass -f FILE` and `ike request delete KIND/NAME`: the request is
//! built and checked here, created (the admission webhook refuses what cannot be applied, with
//! the reason), then the controller's checks and the diff are shown.

use std::path::PathBuf;

use clap::Args;
use kube::ResourceExt;

use super::read::{checks_text, print_request};
use crate::api::request::{Action, Kind, ResourceRequestSpec, diff, to_apply};
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Format, print_object};
use crate::cli::settings::Settings;
use crate::cli::{OutputArgs, WriteArgs};
use crate::client::requests::{self, validated};

/// Arguments of `ike request crd` and `ike request storageclass`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The manifest: one object in YAML or JSON ('-': standard input).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    /// Why your tenant needs it, for the reviewers.
    #[arg(long, value_name = "REASON")]
    pub reason: String,
    /// The request's name (default: made from the object's, with a random suffix).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `ike request delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// What to delete: crd/NAME or storageclass/NAME (your tenant's).
    #[arg(value_name = "KIND/NAME")]
    pub object: String,
    /// Why, for the reviewers.
    #[arg(long, value_name = "REASON")]
    pub reason: String,
    /// The request's name (default: made from the object's, with a random suffix).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `ike request crd|storageclass`.
pub async fn submit(
    args: SubmitArgs,
    kind: Kind,
    settings: &Settings,
) -> anyhow::Result<ExitStatus> {
    let manifest = requests::read_manifest(&args.file, kind)?;
    let spec = ResourceRequestSpec {
        action: Action::Apply,
        manifest: Some(manifest),
        reason: args.reason.clone(),
        ..Default::default()
    };
    make(
        spec,
        args.name.as_deref(),
        args.write.dry_run,
        args.output.format,
        settings,
    )
    .await
}

/// Runs `ike request delete`.
pub async fn delete(args: DeleteArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let target = requests::parse_target(&args.object)?;
    let spec = ResourceRequestSpec {
        action: Action::Delete,
        target: Some(target),
        reason: args.reason.clone(),
        ..Default::default()
    };
    make(
        spec,
        args.name.as_deref(),
        args.write.dry_run,
        args.output.format,
        settings,
    )
    .await
}

async fn make(
    spec: ResourceRequestSpec,
    name: Option<&str>,
    dry_run: bool,
    format: Format,
    settings: &Settings,
) -> anyhow::Result<ExitStatus> {
    if spec.reason.trim().is_empty() {
        anyhow::bail!("say why your tenant needs it with --reason: the reviewers read it");
    }
    let cluster = settings.target().await?;
    let (client, namespace) = (&cluster.client, &cluster.namespace);
    let request = requests::new_request(name, namespace, spec)?;
    let target = request.object().map_err(|e| anyhow::anyhow!(e))?;
    let created = requests::create(client, &request, dry_run).await?;
    if dry_run {
        if format != Format::Table {
            print_object(format, &created)?;
        } else {
            let current = requests::existing(client, &target).await?;
            let tenant = requests::tenant_of_namespace(client, namespace).await?;
            let wanted = created.spec.manifest.as_ref().map(|m| {
                to_apply(
                    m,
                    &tenant,
                    &created.reference(),
                    &created.spec_digest(),
                    None,
                )
            });
            let d = diff(current.as_ref(), wanted.as_ref());
            let shown = if d.is_empty() {
                "no change\n".to_string()
            } else {
                d
            };
            crate::cli::output::write_stdout(shown.as_bytes())?;
        }
        eprintln!(
            "A request for {target} would be made in namespace {namespace}: it passes admission, the server's dry run included (dry run)."
        );
        return Ok(ExitStatus::Success);
    }
    let name = created.name_any();
    let (found, checked) = requests::wait_for(client, namespace, &name, validated).await?;
    print_request(format, &found)?;
    if !checked {
        eprintln!(
            "Request {name} in namespace {namespace} is made; ike-controller has not checked it yet: see 'ike request show {name} -n {namespace}'."
        );
        return Ok(ExitStatus::NotDone);
    }
    let failed = found
        .status
        .as_ref()
        .map(|s| s.validation.iter().filter(|c| !c.passed).count())
        .unwrap_or_default();
    if failed > 0 {
        eprintln!("Request {name} does not pass {failed} check(s):");
        eprint!("{}", checks_text(&found));
        return Ok(ExitStatus::NotDone);
    }
    eprintln!(
        "Request {name} for {target} waits for a platform admin: ike request approve {name} -n {namespace}"
    );
    Ok(ExitStatus::Success)
}
