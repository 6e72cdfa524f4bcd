//! `ike tenant`: create, list, show and change tenants, one file per verb.
//!
//! The tenant plumbing these share with `ike ns` (which tenants the caller sees, safe updates,
//! waiting for the controller) lives in [`crate::client::tenants`].

mod create;
mod delete;
mod members;
mod objects;
mod show;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

pub use create::{CreateArgs, desired_tenant};
pub use delete::DeleteArgs;
pub use members::{AddMemberArgs, RemoveMemberArgs};
pub use objects::{ApplyArgs, DeleteObjectArgs, ListObjectsArgs};
pub use show::{ShowArgs, describe};

use super::OutputArgs;
use super::output::{Format, Tabular, print, print_object};
use super::settings::Settings;
use crate::api::{Role, Tenant};
use crate::cli::exit::ExitStatus;
use crate::client::tenants::{self, Summary, visible_tenants};

/// `ike tenant ...`
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant and wait until it is ready.
    Create(CreateArgs),
    /// List your tenants (platform admins: every tenant).
    List(ListArgs),
    /// Show a tenant: members, namespaces, node selector and conditions.
    Show(ShowArgs),
    /// Add an account to a tenant, or change its role (owners and admins).
    AddMember(AddMemberArgs),
    /// Remove an account from a tenant (owners and admins).
    RemoveMember(RemoveMemberArgs),
    /// Delete a tenant and, unless kept, its namespaces with everything in them.
    Delete(DeleteArgs),
    /// Keep objects in every namespace of the tenant, present and future (owners).
    Apply(ApplyArgs),
    /// List the tenant's tenant-wide objects and where their copies are.
    ListObjects(ListObjectsArgs),
    /// Delete a tenant-wide object and its copies (owners).
    DeleteObject(DeleteObjectArgs),
}

/// Arguments of `ike tenant list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    output: OutputArgs,
}

/// A role as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Manages members and namespaces; admin in the namespaces.
    Owner,
    /// Edits workloads in the namespaces.
    Member,
    /// Reads the namespaces.
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Owner => Role::Owner,
            RoleArg::Member => Role::Member,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

/// Tenants as `list` shows them in a table.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct TenantTable(Vec<Summary>);

impl Tabular for TenantTable {
    fn headers(&self) -> Vec<&'static str> {
        vec!["name", "role", "namespaces", "members", "ready", "reason"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    t.role.map_or("-", Role::as_str).to_string(),
                    dash_if_empty(t.namespaces.join(",")),
                    t.members.to_string(),
                    t.ready.0.clone(),
                    t.ready.1.clone(),
                ]
            })
            .collect()
    }
}

/// `ike tenant list`: a table of summaries, or (JSON, YAML) the Tenant objects.
async fn list(args: ListArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let target = settings.target().await?;
    match args.output.format {
        Format::Table => {
            let table = TenantTable(tenants::summaries(&target).await?);
            print(Format::Table, &table, settings)?;
        }
        format => {
            let items: Vec<Tenant> = visible_tenants(&target)
                .await?
                .into_iter()
                .map(|v| show::without_managed_fields(v.tenant))
                .collect();
            print_object(format, &items)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// Runs `ike tenant ...`.
pub fn run(cmd: TenantCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    super::runtime()?.block_on(async {
        match cmd {
            TenantCommand::Create(args) => create::run(args, settings).await,
            TenantCommand::List(args) => list(args, settings).await,
            TenantCommand::Show(args) => show::run(args, settings).await,
            TenantCommand::AddMember(args) => members::add(args, settings).await,
            TenantCommand::RemoveMember(args) => members::remove(args, settings).await,
            TenantCommand::Delete(args) => delete::run(args, settings).await,
            TenantCommand::Apply(args) => objects::apply(args, settings).await,
            TenantCommand::ListObjects(args) => objects::list(args, settings).await,
            TenantCommand::DeleteObject(args) => objects::delete(args, settings).await,
        }
    })
}

/// " (dry run)" after a sentence about a dry run.
pub(crate) fn dry_run_note(dry_run: bool) -> &'static str {
    if dry_run { " (dry run)" } else { "" }
}

fn dash_if_empty(s: String) -> String {
    if s.is_empty() { "-".into() } else { s }
}
