//! `ike ns`: a tenant's namespaces.
//!
//! A namespace belongs to a tenant by being on the tenant's `spec.namespaces`; the controller
//! creates it and binds the members. So creating and deleting one here means changing that list
//! (see [`crate::client::tenants::update_tenant`]), never touching the Namespace itself.

use clap::{Args, Subcommand};
use clap_complete::engine::ArgValueCompleter;
use kube::ResourceExt;
use serde::Serialize;

use super::output::{Tabular, print};
use super::settings::Settings;
use super::tenant::dry_run_note;
use super::{OutputArgs, WriteArgs};
use crate::api::names;
use crate::api::{Role, Tenant};
use crate::cli::exit::ExitStatus;
use crate::client::tenant_objects;
use crate::client::tenants::{
    self, NamespaceRow, Update, Visible, settled, update_tenant, wait_for,
};

/// `ike ns ...`
#[derive(Debug, Subcommand)]
pub enum NsCommand {
    /// Add a namespace to a tenant and wait until the tenant holds it (owners and admins).
    Create(CreateArgs),
    /// List the namespaces of your tenants (platform admins: of every tenant).
    List(ListArgs),
    /// Take a namespace off its tenant: it is deleted with everything in it, unless the tenant
    /// keeps its namespaces.
    Delete(DeleteArgs),
}

/// Arguments of `ike ns create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The namespace: lower-case letters, digits and '-', at most 63 characters.
    pub name: String,
    /// The tenant that gets it.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::tenants), long, short = 't', value_name = "TENANT")]
    pub tenant: String,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `ike ns list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this tenant's namespaces.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::tenants), long, short = 't', value_name = "TENANT")]
    pub tenant: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Arguments of `ike ns delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The namespace.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::namespaces))]
    pub name: String,
    /// The tenant holding it, when more than one of yours lists it.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::tenants), long, short = 't', value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Also when the namespace is the home of tenant-wide objects (`ike tenant list-objects`),
    /// which then go with it (their copies too, unless the tenant keeps its namespaces).
    #[arg(long)]
    pub with_tenant_objects: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Namespaces as `list` shows them.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct NamespaceList(pub Vec<NamespaceRow>);

impl Tabular for NamespaceList {
    fn headers(&self) -> Vec<&'static str> {
        vec!["namespace", "tenant", "role", "ready"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .iter()
            .map(|r| {
                vec![
                    r.namespace.clone(),
                    r.tenant.clone(),
                    r.role.map_or("-", Role::as_str).to_string(),
                    if r.ready { "True" } else { "False" }.to_string(),
                ]
            })
            .collect()
    }
}

/// Runs `ike ns ...`.
pub fn run(cmd: NsCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    super::runtime()?.block_on(run_async(cmd, settings))
}

async fn run_async(cmd: NsCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    match cmd {
        NsCommand::Create(args) => create(args, settings).await,
        NsCommand::List(args) => {
            if let Some(t) = &args.tenant {
                names::check_tenant(t)?;
            }
            let target = settings.target().await?;
            let visible = match &args.tenant {
                Some(name) => vec![tenants::visible(&target, name).await?],
                None => tenants::visible_tenants(&target).await?,
            };
            print(
                args.output.format,
                &NamespaceList(tenants::namespace_rows(&visible)),
                settings,
            )?;
            Ok(ExitStatus::Success)
        }
        NsCommand::Delete(args) => delete(args, settings).await,
    }
}

async fn create(args: CreateArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    names::check_namespace(&args.name)?;
    names::check_tenant(&args.tenant)?;
    let target = settings.target().await?;
    let (ns, name) = (&args.name, &args.tenant);
    let update = update_tenant(
        &target,
        name,
        args.write.dry_run,
        "change its namespaces",
        |t| {
            if t.spec.namespaces.contains(ns) {
                return Ok(false);
            }
            t.spec.namespaces.push(ns.clone());
            Ok(true)
        },
    )
    .await?;
    let written = match update {
        Update::Unchanged(t) if t.status.iter().any(|s| s.namespaces.contains(ns)) => {
            eprintln!("Namespace {ns} already belongs to tenant {name}: nothing to change.");
            return Ok(ExitStatus::Success);
        }
        Update::Unchanged(t) | Update::Replaced(t) => t,
    };
    if args.write.dry_run {
        eprintln!("Namespace {ns} would be added to tenant {name} (dry run).");
        return Ok(ExitStatus::Success);
    }
    let generation = written.metadata.generation.unwrap_or_default();
    let (_, verdict) = wait_for(&target, name, |t| {
        if t.status.iter().any(|s| s.namespaces.contains(ns)) {
            return Some(None);
        }
        // Seen by the controller and still not held: it belongs to someone else.
        settled(t, generation).map(Some)
    })
    .await?;
    match verdict {
        Some(None) => {
            eprintln!("Namespace {ns} created in tenant {name}.");
            Ok(ExitStatus::Success)
        }
        Some(Some(condition)) => {
            // Leave the tenant as it was rather than not ready for good.
            let undo = update_tenant(&target, name, false, "change its namespaces", |t| {
                let before = t.spec.namespaces.len();
                t.spec.namespaces.retain(|n| n != ns);
                Ok(t.spec.namespaces.len() != before)
            })
            .await;
            let undone = if undo.is_ok() {
                format!("; it was taken off tenant {name}'s list again")
            } else {
                format!("; take it off with 'ike ns delete {ns} --tenant {name}'")
            };
            let why = if condition.reason == "NamespaceConflict" {
                format!(
                    "namespace {ns} exists and belongs to someone else: choose another name or ask a platform admin"
                )
            } else {
                format!(
                    "tenant {name} does not hold namespace {ns} ({}): {}",
                    condition.reason, condition.message
                )
            };
            crate::not_done!("{why}{undone}")
        }
        None => crate::not_done!(
            "tenant {name} does not hold namespace {ns} after {} s: check 'ike tenant show {name}' and that ike-controller runs",
            tenants::WAIT.as_secs()
        ),
    }
}

async fn delete(args: DeleteArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    names::check_namespace(&args.name)?;
    if let Some(t) = &args.tenant {
        names::check_tenant(t)?;
    }
    if !args.yes && !settings.interactive {
        anyhow::bail!(
            "deleting namespace {} needs confirmation: pass --yes",
            args.name
        );
    }
    let ns = &args.name;
    let target = settings.target().await?;
    let visible = match &args.tenant {
        // Named: one read, and no wait for the account API to learn a new membership.
        Some(name) => vec![Visible {
            tenant: tenants::get(&target, name).await?,
            role: None,
        }],
        None => tenants::visible_tenants(&target).await?,
    };
    let owner = holder(&visible, ns, args.tenant.as_deref())?;
    let name = owner.name_any();
    let keep = owner.spec.keep_namespaces;
    // Tenant-wide objects declared here stop applying to every namespace of the tenant: never
    // without saying so by name.
    let declared = tenant_objects::declared_in(&target, ns).await?;
    if !declared.is_empty() && !args.with_tenant_objects {
        anyhow::bail!(
            "namespace {ns} is the home of tenant {name}'s tenant-wide objects {}, kept in all its namespaces from here: declare them elsewhere first ('ike tenant apply -n OTHER', then 'ike tenant delete-object'), or pass --with-tenant-objects",
            declared.join(", ")
        );
    }
    let mut fate = if keep {
        format!(
            "Namespace {ns} is kept (tenant {name} keeps its namespaces); it loses the tenant's role bindings."
        )
    } else {
        format!("Namespace {ns} and everything in it will be deleted.")
    };
    if !declared.is_empty() {
        fate.push_str(&if keep {
            format!(
                " Its tenant-wide objects {} stay in it and no longer apply to the tenant.",
                declared.join(", ")
            )
        } else {
            format!(
                " Its tenant-wide objects {} go with it, and their copies in the tenant's other namespaces.",
                declared.join(", ")
            )
        });
    }
    if !args.yes {
        let sure = dialoguer::Confirm::new()
            .with_prompt(format!("Take namespace {ns} off tenant {name}? {fate}"))
            .default(false)
            .interact()?;
        if !sure {
            eprintln!("Nothing deleted.");
            return Ok(ExitStatus::Failure);
        }
    }
    let update = update_tenant(
        &target,
        &name,
        args.write.dry_run,
        "change its namespaces",
        |t| {
            let before = t.spec.namespaces.len();
            t.spec.namespaces.retain(|n| n != ns);
            Ok(t.spec.namespaces.len() != before)
        },
    )
    .await?;
    if let Update::Unchanged(_) = update {
        anyhow::bail!("namespace {ns} is no longer on tenant {name}'s list: nothing to delete");
    }
    eprintln!(
        "Namespace {ns} {} taken off tenant {name}{}. {fate}",
        if args.write.dry_run { "would be" } else { "is" },
        dry_run_note(args.write.dry_run)
    );
    Ok(ExitStatus::Success)
}

/// The tenant among `visible` whose list has `ns` (`only`, if given): the one holding it when
/// several list it.
pub fn holder<'a>(
    visible: &'a [Visible],
    ns: &str,
    only: Option<&str>,
) -> anyhow::Result<&'a crate::api::Tenant> {
    let listing: Vec<&Tenant> = visible
        .iter()
        .map(|v| &v.tenant)
        .filter(|t| only.is_none_or(|o| t.name_any() == o))
        .filter(|t| t.spec.namespaces.iter().any(|n| n == ns))
        .collect();
    let holding: Vec<&Tenant> = listing
        .iter()
        .copied()
        .filter(|t| {
            t.status
                .iter()
                .any(|s| s.namespaces.iter().any(|n| n == ns))
        })
        .collect();
    match (listing.as_slice(), holding.as_slice()) {
        ([], _) => match only {
            Some(t) => anyhow::bail!("namespace {ns} is not on tenant {t}'s list"),
            None => anyhow::bail!("namespace {ns} belongs to none of your tenants"),
        },
        ([one], _) | (_, [one]) => Ok(one),
        (many, _) => anyhow::bail!(
            "namespace {ns} is listed by tenants {}: pass --tenant TENANT",
            many.iter()
                .map(|t| t.name_any())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Member, TenantSpec, TenantStatus};

    fn visible(name: &str, listed: &[&str], held: &[&str], role: Option<Role>) -> Visible {
        let mut tenant = Tenant::new(
            name,
            TenantSpec {
                members: vec![Member {
                    account: "a".into(),
                    role: Role::Owner,
                }],
                namespaces: listed.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        );
        tenant.status = Some(TenantStatus {
            namespaces: held.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        });
        Visible { tenant, role }
    }

    #[test]
    fn list_shows_each_listed_namespace_with_whether_it_is_held() {
        let v = [
            visible("t2", &["b", "a"], &["b"], Some(Role::Viewer)),
            visible("t1", &["c"], &["c", "gone"], None),
        ];
        let list = NamespaceList(tenants::namespace_rows(&v));
        assert_eq!(
            list.rows(),
            [
                ["a", "t2", "viewer", "False"],
                ["b", "t2", "viewer", "True"],
                ["c", "t1", "-", "True"],
            ]
        );
        assert_eq!(
            serde_json::to_value(&list).unwrap()[0],
            serde_json::json!({"namespace": "a", "tenant": "t2", "role": "viewer", "ready": false})
        );
    }

    #[test]
    fn delete_finds_the_tenant_holding_the_namespace() {
        let v = [
            visible("mine", &["x"], &["x"], Some(Role::Owner)),
            visible("late", &["x"], &[], Some(Role::Owner)),
            visible("other", &["y"], &["y"], Some(Role::Owner)),
        ];
        assert_eq!(holder(&v, "x", None).unwrap().name_any(), "mine");
        assert_eq!(holder(&v, "x", Some("late")).unwrap().name_any(), "late");
        assert_eq!(
            holder(&v, "z", None).unwrap_err().to_string(),
            "namespace z belongs to none of your tenants"
        );
        assert_eq!(
            holder(&v, "y", Some("mine")).unwrap_err().to_string(),
            "namespace y is not on tenant mine's list"
        );
        let both = [
            visible("p", &["x"], &[], None),
            visible("q", &["x"], &[], None),
        ];
        assert_eq!(
            holder(&both, "x", None).unwrap_err().to_string(),
            "namespace x is listed by tenants p, q: pass --tenant TENANT"
        );
    }
}
