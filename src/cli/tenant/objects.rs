//! `ike tenant apply`, `ike tenant list-objects`, `ike tenant delete-object`: objects an owner
//! declares once for the whole tenant, kept by ike-controller in every namespace it holds.

use std::path::PathBuf;

use clap::Args;
use clap_complete::engine::ArgValueCompleter;
use kube::ResourceExt;
use serde::Serialize;

use crate::api::TenantObject;
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Format, Tabular, print};
use crate::cli::settings::Settings;
use crate::cli::{OutputArgs, WriteArgs};
use crate::client::tenant_objects::{self, Change};

/// Arguments of `ike tenant apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The objects to keep in every namespace of the tenant (YAML, one or more; '-': standard
    /// input): Roles, RoleBindings, NetworkPolicies, LimitRanges, ConfigMaps, Secrets.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    /// The tenant (default: the one you own).
    #[arg(long, value_name = "TENANT", add = ArgValueCompleter::new(crate::cli::complete::tenants))]
    pub tenant: Option<String>,
    /// Keep them only in these namespaces of the tenant (repeat; default: all, present and
    /// future).
    #[arg(long = "only-in", value_name = "NAMESPACE")]
    pub only_in: Vec<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `ike tenant list-objects`.
#[derive(Debug, Args)]
pub struct ListObjectsArgs {
    /// The tenant (default: the one you own).
    #[arg(long, value_name = "TENANT", add = ArgValueCompleter::new(crate::cli::complete::tenants))]
    pub tenant: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `ike tenant delete-object`.
#[derive(Debug, Args)]
pub struct DeleteObjectArgs {
    /// The tenant-wide object (as 'ike tenant list-objects' names it); its copies go with it.
    pub name: String,
    /// The tenant (default: the one you own).
    #[arg(long, value_name = "TENANT", add = ArgValueCompleter::new(crate::cli::complete::tenants))]
    pub tenant: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Runs `ike tenant apply`.
pub async fn apply(args: ApplyArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    // Bad input changes nothing: the whole file is read and checked before any write.
    let declarations = tenant_objects::read(&args.file, &args.only_in)?;
    let target = settings.target().await?;
    let tenant = tenant_objects::tenant(&target, args.tenant.as_deref()).await?;
    for ns in &args.only_in {
        tenant_objects::home(&tenant, Some(ns))?;
    }
    // `-n`: where the declarations live (default: the tenant's first namespace).
    let home = tenant_objects::home(&tenant, settings.client.namespace()?.as_deref())?;
    let dry_run = args.write.dry_run;
    let mut status = ExitStatus::Success;
    for declared in &declarations {
        if let Some(secret) = &declared.secret {
            tenant_objects::apply_secret(&target, &home, secret, dry_run).await?;
        }
        let object = tenant_objects::apply(&target, &home, declared, dry_run).await?;
        if !dry_run {
            let applied = tenant_objects::wait_applied(&target, &object).await?;
            eprintln!(
                "Tenant object {home}/{} is {applied}: ike-controller keeps it in every namespace of tenant {}{}.",
                declared.name,
                tenant.name_any(),
                only(&args.only_in)
            );
            continue;
        }
        println!("{home}/{} (dry run):", declared.name);
        for Change {
            namespace,
            change,
            detail,
        } in tenant_objects::plan(&target, &object, &tenant).await?
        {
            if change == "refused" || change == "conflict" {
                status = ExitStatus::Failure;
            }
            println!("  {namespace}: {change}: {detail}");
        }
    }
    Ok(status)
}

fn only(namespaces: &[String]) -> String {
    if namespaces.is_empty() {
        String::new()
    } else {
        format!(" (only {})", namespaces.join(", "))
    }
}

/// TenantObjects as `list-objects` shows them; JSON and YAML are the objects.
#[derive(Debug, Serialize)]
#[serde(transparent)]
struct ObjectList {
    items: Vec<TenantObject>,
}

impl Tabular for ObjectList {
    fn headers(&self) -> Vec<&'static str> {
        vec!["name", "namespace", "kind", "copies", "ready", "message"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.items
            .iter()
            .map(|o| {
                let status = o.status.clone().unwrap_or_default();
                let ready = status.conditions.iter().find(|c| c.type_ == "Ready");
                let applied = status
                    .namespaces
                    .iter()
                    .filter(|n| n.state == "Applied")
                    .count();
                let trouble: Vec<String> = status
                    .namespaces
                    .iter()
                    .filter(|n| n.state != "Applied")
                    .map(|n| format!("{}: {}", n.namespace, n.state))
                    .collect();
                vec![
                    o.name_any(),
                    o.namespace().unwrap_or_default(),
                    format!(
                        "{}/{}",
                        status.kind.unwrap_or_else(|| "-".into()),
                        status.name.unwrap_or_else(|| "-".into())
                    ),
                    format!("{applied}/{}", status.namespaces.len()),
                    ready.map_or("Unknown", |c| c.status.as_str()).to_string(),
                    match (trouble.is_empty(), ready) {
                        (false, _) => trouble.join(", "),
                        (true, Some(c)) => c.message.clone(),
                        (true, None) => "-".into(),
                    },
                ]
            })
            .collect()
    }
}

/// Runs `ike tenant list-objects`.
pub async fn list(args: ListObjectsArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let target = settings.target().await?;
    let tenant = tenant_objects::tenant(&target, args.tenant.as_deref()).await?;
    let mut items = tenant_objects::list(&target, &tenant).await?;
    for item in &mut items {
        item.metadata.managed_fields = None;
    }
    let list = ObjectList { items };
    if args.output.format == Format::Table && list.items.is_empty() {
        eprintln!(
            "Tenant {} has no tenant-wide objects: declare one with 'ike tenant apply -f FILE'.",
            tenant.name_any()
        );
        return Ok(ExitStatus::Success);
    }
    print(args.output.format, &list, settings)?;
    Ok(ExitStatus::Success)
}

/// Runs `ike tenant delete-object`.
pub async fn delete(args: DeleteObjectArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    crate::api::names::check_object("tenant object", &args.name)?;
    let target = settings.target().await?;
    let tenant = tenant_objects::tenant(&target, args.tenant.as_deref()).await?;
    let namespace = settings.client.namespace()?;
    let dry_run = args.write.dry_run;
    let home =
        tenant_objects::delete(&target, &tenant, &args.name, namespace.as_deref(), dry_run).await?;
    eprintln!(
        "Tenant object {home}/{} deleted{}: its copies in tenant {}'s namespaces go with it.",
        args.name,
        super::dry_run_note(dry_run),
        tenant.name_any()
    );
    Ok(ExitStatus::Success)
}
