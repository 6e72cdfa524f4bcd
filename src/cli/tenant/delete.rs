//! `ike tenant delete`.

use crate::cli::exit::ExitStatus;

use clap::Args;
use clap_complete::engine::ArgValueCompleter;
use kube::api::{Api, DeleteParams, Patch};

use crate::api::Tenant;
use crate::api::names;
use crate::cli::WriteArgs;
use crate::cli::settings::Settings;
use crate::client::api_error;

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
    let api: Api<Tenant> = settings.target().await?.all();
    let what = format!("tenant {}", args.name);
    let tenant = api.get(&args.name).await.map_err(|e| api_error(e, &what))?;
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
    if args.keep_namespaces && !tenant.spec.keep_namespaces {
        // Owners may patch their tenant but not delete it: ask first, so that a refused delete
        // leaves the tenant as it was.
        let probe = DeleteParams {
            dry_run: true,
            ..Default::default()
        };
        api.delete(&args.name, &probe)
            .await
            .map_err(|e| api_error(e, &what))?;
        // Set before the delete: the controller's cleanup reads it from the deleted object.
        let patch = serde_json::json!({ "spec": { "keepNamespaces": true } });
        let params = crate::client::patch_params(args.write.dry_run);
        api.patch(&args.name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| api_error(e, &what))?;
    }
    let params = DeleteParams {
        dry_run: args.write.dry_run,
        ..Default::default()
    };
    api.delete(&args.name, &params)
        .await
        .map_err(|e| api_error(e, &what))?;
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
