//! `ike tenant add-member` and `ike tenant remove-member`.

use std::time::{Duration, Instant};

use clap::Args;
use clap_complete::engine::ArgValueCompleter;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;

use super::{RoleArg, dry_run_note};
use crate::api::Role;
use crate::api::names;
use crate::cli::WriteArgs;
use crate::cli::exit::ExitStatus;
use crate::cli::settings::Settings;
use crate::client::tenants::{
    Update, names as mentions, remove_member, set_member, settled, update_tenant, wait_for,
};
use crate::client::{accounts, tenant_access, tenants};

/// Arguments of `ike tenant add-member`.
#[derive(Debug, Args)]
pub struct AddMemberArgs {
    /// The tenant.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::tenants))]
    pub name: String,
    /// The account to add (or whose role to change).
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts))]
    pub account: String,
    /// The account's role in the tenant.
    #[arg(long, value_enum, default_value_t = RoleArg::Member)]
    pub role: RoleArg,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `ike tenant remove-member`.
#[derive(Debug, Args)]
pub struct RemoveMemberArgs {
    /// The tenant.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::tenants))]
    pub name: String,
    /// The account to remove.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts))]
    pub account: String,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Runs `ike tenant add-member`.
pub async fn add(args: AddMemberArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    names::check_tenant(&args.name)?;
    names::check_account(&args.account)?;
    let role = Role::from(args.role);
    let target = settings.target().await?;
    // Before writing: a member that is no account would leave the tenant not ready.
    accounts::check_usable(&target, &args.account).await?;
    let update = update_tenant(
        &target,
        &args.name,
        args.write.dry_run,
        "change its members",
        |t| set_member(&mut t.spec, &args.name, &args.account, role),
    )
    .await?;
    let role = role.as_str();
    let written = match update {
        Update::Unchanged(_) => {
            eprintln!(
                "{} already is a {role} of tenant {}: nothing to change.",
                args.account, args.name
            );
            return Ok(ExitStatus::Success);
        }
        Update::Replaced(t) => t,
    };
    if !args.write.dry_run {
        // An account API too old to be asked about the account, or an account deleted
        // meanwhile, shows in the controller's verdict: say so here rather than leave the
        // tenant not ready quietly. That verdict follows a watch of Accounts, so an account
        // created a moment ago may look unknown for a moment: only a verdict that lasts 2 s
        // counts.
        let generation = written.metadata.generation.unwrap_or_default();
        let unknown =
            |c: &Condition| c.reason == "UnknownAccount" && mentions(&c.message, &args.account);
        let mut unknown_since = None;
        let (_, verdict) = wait_for(&target, &args.name, |t| {
            let c = settled(t, generation)?;
            if !unknown(&c) {
                return Some(c);
            }
            let since = *unknown_since.get_or_insert_with(Instant::now);
            (since.elapsed() >= Duration::from_secs(2)).then_some(c)
        })
        .await?;
        if verdict.as_ref().is_some_and(unknown) {
            crate::not_done!(
                "there is no account {0}, so tenant {1} is not ready: remove it with 'ike tenant remove-member {1} {0}' or ask a platform admin to create it",
                args.account,
                args.name
            );
        }
    }
    eprintln!(
        "{} {} a {role} of tenant {}{}.",
        args.account,
        if args.write.dry_run {
            "would be"
        } else {
            "is now"
        },
        args.name,
        dry_run_note(args.write.dry_run)
    );
    Ok(ExitStatus::Success)
}

/// Runs `ike tenant remove-member`: removes the account, waits for the controller to apply it,
/// and says which RoleBindings no longer name the account (ike's own, and those made by hand,
/// which the controller strips of users who are not members).
pub async fn remove(args: RemoveMemberArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    names::check_tenant(&args.name)?;
    names::check_account(&args.account)?;
    let target = settings.target().await?;
    // Whatever cannot be read here, the update below reports with its own error.
    let held = match tenants::get(&target, &args.name).await {
        Ok(t) => t.status.map(|s| s.namespaces).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let before = tenant_access::observe(&target.client, &held, false).await?;
    let granted = tenant_access::grants(&before.bindings, &args.account);
    let update = update_tenant(
        &target,
        &args.name,
        args.write.dry_run,
        "change its members",
        |t| remove_member(&mut t.spec, &args.name, &args.account).map(|()| true),
    )
    .await?;
    eprintln!(
        "{} {} removed from tenant {}{}.",
        args.account,
        if args.write.dry_run { "would be" } else { "is" },
        args.name,
        dry_run_note(args.write.dry_run)
    );
    if args.write.dry_run {
        report_grants("Would revoke in", &granted, &args.account);
        report_unreadable(&before.unreadable);
        return Ok(ExitStatus::Success);
    }
    let generation = match update {
        Update::Replaced(t) | Update::Unchanged(t) => t.metadata.generation.unwrap_or_default(),
    };
    let (_, verdict) = wait_for(&target, &args.name, |t| settled(t, generation)).await?;
    if verdict.is_none() {
        eprintln!(
            "The controller has not applied the removal yet; 'ike tenant show {}' tells when it has.",
            args.name
        );
        return Ok(ExitStatus::NotDone);
    }
    // The removal is done: a failure to read what it revoked is no failure of the command.
    let after = match tenant_access::observe(&target.client, &held, false).await {
        Ok(after) => after,
        Err(e) => {
            eprintln!("What was revoked cannot be shown: {e:#}");
            return Ok(ExitStatus::Success);
        }
    };
    let remaining = tenant_access::grants(&after.bindings, &args.account);
    let revoked: Vec<_> = granted
        .into_iter()
        .filter(|g| !remaining.contains(g))
        .collect();
    report_grants("Revoked in", &revoked, &args.account);
    if !remaining.is_empty() {
        let still = format!("Still naming {} in", args.account);
        report_grants(&still, &remaining, &args.account);
    }
    report_unreadable(&before.unreadable);
    Ok(ExitStatus::Success)
}

/// One line per namespace: `{prefix} NS: BINDING, BINDING (made by hand).`
fn report_grants(prefix: &str, grants: &[tenant_access::Grant], account: &str) {
    if grants.is_empty() {
        if !prefix.starts_with("Still") {
            eprintln!("No role binding in the tenant's namespaces names {account}.");
        }
        return;
    }
    let mut by_namespace: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for g in grants {
        let name = if g.hand_made {
            format!("{} (made by hand)", g.binding)
        } else {
            g.binding.clone()
        };
        by_namespace.entry(&g.namespace).or_default().push(name);
    }
    for (ns, bindings) in by_namespace {
        eprintln!("{prefix} {ns}: {}.", bindings.join(", "));
    }
}

fn report_unreadable(namespaces: &[String]) {
    if !namespaces.is_empty() {
        eprintln!(
            "You may not list the role bindings of {}, so what was revoked there is not shown.",
            namespaces.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn unknown_roles_are_refused_by_the_parser() {
        let e = Cli::try_parse_from(["ike", "tenant", "add-member", "t", "bob", "--role", "boss"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid value 'boss'"), "{e}");
        assert!(e.contains("owner, member, viewer"), "{e}");
    }
}
