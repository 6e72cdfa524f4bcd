//! `ike tenant delete`.

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use crate::api::names;
use crate::cli::WriteArgs;
use crate::cli::exit::ExitStatus;
use crate::cli::settings::Settings;
use crate::client::tenants;

/// Arguments of `ike tenant delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The tenant.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::tenants))]
    pub name: String,
    /// Keep the namespaces (they lose the tenant's label and role bindings).
    #[arg(long)]
    pub keep_namespaces: bool,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Runs `ike tenant delete`.
pub async fn run(args: DeleteArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    names::check_tenant(&args.name)?;
    if !args.yes && !settings.interactive {
        anyhow::bail!(
            "deleting tenant {} needs confirmation: pass --yes",
            args.name
        );
    }
    let target = settings.target().await?;
    let tenant = tenants::get(&target, &args.name).await?;
    let namespaces = tenant.all_namespaces();
    let keep = args.keep_namespaces || tenant.spec.keep_namespaces;
    let fate = namespaces_fate(&namespaces, keep);
    if !args.yes {
        let sure = dialoguer::Confirm::new()
            .with_prompt(format!("Delete tenant {}? {fate}", args.name))
            .default(false)
            .interact()?;
        if !sure {
            eprintln!("Nothing deleted.");
            return Ok(ExitStatus::Failure);
        }
    }
    tenants::delete(&target, &tenant, args.keep_namespaces, args.write.dry_run).await?;
    if args.write.dry_run {
        eprintln!("Tenant {} would be deleted (dry run). {fate}", args.name);
    } else {
        eprintln!("Tenant {} deleted. {fate}", args.name);
    }
    Ok(ExitStatus::Success)
}

/// One sentence on what deleting the tenant does to `namespaces`.
fn namespaces_fate(namespaces: &[String], keep: bool) -> String {
    match (namespaces.is_empty(), keep) {
        (true, _) => "It has no namespaces.".into(),
        (false, true) => format!(
            "Its namespaces {} are kept; they lose the tenant's label and role bindings.",
            namespaces.join(", ")
        ),
        (false, false) => format!(
            "Its namespaces {} will be deleted with everything in them.",
            namespaces.join(", ")
        ),
    }
}
