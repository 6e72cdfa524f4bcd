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
use kube::ResourceExt;
use serde::Serialize;

pub use create::{CreateArgs, desired_tenant};
pub use delete::DeleteArgs;
pub use members::{AddMemberArgs, RemoveMemberArgs};
pub use objects::{ApplyArgs, DeleteObjectArgs, ListObjectsArgs};
pub use show::{ShowArgs, describe};

use super::OutputArgs;
use super::output::{Tabular, print};
use super::settings::Settings;
use crate::api::{Role, Tenant};
use crate::cli::exit::ExitStatus;
use crate::client::tenants::{Visible, visible_tenants};

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

/// Tenants as `list` shows them; JSON and YAML are the Tenant objects.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct TenantList {
    items: Vec<Tenant>,
    #[serde(skip)]
    roles: Vec<Option<Role>>,
}

impl TenantList {
    fn new(visible: Vec<Visible>) -> Self {
        let (items, roles) = visible
            .into_iter()
            .map(|v| (show::without_managed_fields(v.tenant), v.role))
            .unzip();
        Self { items, roles }
    }
}

impl Tabular for TenantList {
    fn headers(&self) -> Vec<&'static str> {
        vec!["name", "role", "namespaces", "members", "ready", "reason"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.items
            .iter()
            .zip(&self.roles)
            .map(|(t, role)| {
                let ready = t.ready_condition();
                vec![
                    t.name_any(),
                    role.map_or("-", Role::as_str).to_string(),
                    dash_if_empty(t.spec.namespaces.join(",")),
                    t.spec.members.len().to_string(),
                    ready.map_or("Unknown", |c| c.status.as_str()).to_string(),
                    ready.map_or("-", |c| c.reason.as_str()).to_string(),
                ]
            })
            .collect()
    }
}

/// Runs `ike tenant ...`.
pub fn run(cmd: TenantCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    super::runtime()?.block_on(async {
        match cmd {
            TenantCommand::Create(args) => create::run(args, settings).await,
            TenantCommand::List(args) => {
                let visible = visible_tenants(&settings.target().await?).await?;
                print(args.output.format, &TenantList::new(visible), settings)?;
                Ok(ExitStatus::Success)
            }
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
