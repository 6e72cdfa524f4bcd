//! `ike tenant create`: the Tenant to send, built and checked here, then the controller's
//! verdict.

use std::collections::{BTreeMap, BTreeSet};

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use super::show::print_tenant;
use crate::api::names::{self, parse_node_label};
use crate::api::{Member, Role, Tenant, TenantSpec};
use crate::cli::exit::ExitStatus;
use crate::cli::output::print_object;
use crate::cli::settings::Settings;
use crate::cli::{OutputArgs, WriteArgs};
use crate::client::accounts;
use crate::client::tenants::{self, WAIT, settled, wait_for};

/// Arguments of `ike tenant create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The tenant's name: lower-case letters, digits, '-' and '.', at most 63 characters.
    pub name: String,
    /// An owner: manages members and namespaces, admin in the namespaces (repeatable;
    /// default: you).
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts), long = "owner", value_name = "ACCOUNT")]
    pub owners: Vec<String>,
    /// A member: edits workloads in the namespaces (repeatable).
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts), long = "member", value_name = "ACCOUNT")]
    pub members: Vec<String>,
    /// A viewer: reads the namespaces (repeatable).
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts), long = "viewer", value_name = "ACCOUNT")]
    pub viewers: Vec<String>,
    /// A namespace the tenant holds; the controller creates it (repeatable).
    // The id is the global `-n/--namespace`'s on purpose: clap then lets this argument take
    // its place in this command instead of refusing a second `--namespace`.
    #[arg(
        id = "namespace",
        short = 'n',
        long = "namespace",
        value_name = "NAMESPACE"
    )]
    pub namespaces: Vec<String>,
    /// Dedicated nodes: a node label every pod of the tenant must match (repeatable; platform
    /// admins only).
    #[arg(long = "node-selector", value_name = "KEY=VALUE")]
    pub node_selector: Vec<String>,
    /// What the tenant is for.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Whom to ask about the tenant.
    #[arg(long, value_name = "TEXT")]
    pub contact: Option<String>,
    /// Keep the namespaces when the tenant is deleted or drops them.
    #[arg(long)]
    pub keep_namespaces: bool,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `ike tenant create`.
pub async fn run(args: CreateArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    check_create_input(&args)?;
    // With owners given, the object is complete without asking anyone: built and checked
    // before any cluster is, and a dry run needs none.
    let given = match args.owners.is_empty() {
        true => None,
        false => Some(desired_tenant(&args, None)?),
    };
    if let (Some(tenant), true) = (&given, args.write.dry_run) {
        return dry_run(&args, tenant);
    }
    let needs_owner = |e: anyhow::Error| {
        anyhow::anyhow!(
            "tenant {} needs an owner: pass --owner ACCOUNT (without it you are the owner, but {e:#})",
            args.name
        )
    };
    let (target, tenant, caller) = match given {
        Some(tenant) => (settings.target().await?, tenant, None),
        None => {
            let target = settings.target().await.map_err(|e| needs_owner(e.into()))?;
            let site = target.site().map_err(|e| needs_owner(e.into()))?;
            let caller = site.whoami().await.map_err(needs_owner)?.account;
            let tenant = desired_tenant(&args, Some(&caller))?;
            (target, tenant, Some(caller))
        }
    };
    if args.write.dry_run {
        return dry_run(&args, &tenant);
    }
    // Before writing: a member that is no account would leave the tenant not ready.
    for member in &tenant.spec.members {
        if caller.as_deref() != Some(member.account.as_str()) {
            accounts::check_usable(&target, &member.account).await?;
        }
    }
    let created = tenants::create(&target, &tenant).await?;
    // Progress only for a person watching: to a script the result (or one error line) is all.
    if settings.interactive {
        eprintln!(
            "Tenant {} created, waiting for the controller...",
            args.name
        );
    }
    let generation = created.metadata.generation.unwrap_or(1);
    // The creator may not read the tenant until the controller has bound them to it.
    let (last, verdict) = wait_for(&target, &args.name, |t| settled(t, generation)).await?;
    let shown = last.unwrap_or(created);
    print_tenant(args.output.format, &shown)?;
    match verdict {
        Some(c) if c.status == "True" => {
            eprintln!("Tenant {} is ready: {}.", args.name, c.message);
            Ok(ExitStatus::Success)
        }
        Some(c) => crate::not_done!(
            "tenant {} was created but is not ready ({}): {}",
            args.name,
            c.reason,
            c.message
        ),
        None => crate::not_done!(
            "tenant {} was created but the controller did not report on it within {} s: check 'ike tenant show {}' and that ike-controller runs",
            args.name,
            WAIT.as_secs(),
            args.name
        ),
    }
}

/// Prints the Tenant a dry run would create. Built here, not by a server-side dry run: the
/// object is exactly what would be sent, without server-added fields, so it can go into Git,
/// and no cluster is needed.
fn dry_run(args: &CreateArgs, tenant: &Tenant) -> anyhow::Result<ExitStatus> {
    print_object(args.output.format, tenant)?;
    eprintln!("Tenant {} would be created (dry run).", args.name);
    Ok(ExitStatus::Success)
}

/// Checks everything of `create` that does not depend on who the caller is.
fn check_create_input(args: &CreateArgs) -> anyhow::Result<()> {
    names::check_tenant(&args.name)?;
    for account in args.owners.iter().chain(&args.members).chain(&args.viewers) {
        names::check_account(account)?;
    }
    let mut seen = BTreeSet::new();
    for ns in &args.namespaces {
        names::check_namespace(ns)?;
        if !seen.insert(ns) {
            anyhow::bail!("namespace {ns} is given twice");
        }
    }
    let mut keys = BTreeSet::new();
    for s in &args.node_selector {
        let (key, _) = parse_node_label(s)?;
        if !keys.insert(key.clone()) {
            anyhow::bail!("node label {key} is given twice in --node-selector");
        }
    }
    Ok(())
}

/// The Tenant `create` sends: checked, with `caller` as the owner when no `--owner` is given.
pub fn desired_tenant(args: &CreateArgs, caller: Option<&str>) -> anyhow::Result<Tenant> {
    check_create_input(args)?;
    let owners: Vec<&str> = if args.owners.is_empty() {
        caller.into_iter().collect()
    } else {
        args.owners.iter().map(String::as_str).collect()
    };
    if owners.is_empty() {
        anyhow::bail!(
            "tenant {} needs at least one owner: pass --owner ACCOUNT",
            args.name
        );
    }
    let mut members: Vec<Member> = Vec::new();
    for (accounts, role) in [
        (owners, Role::Owner),
        (
            args.members.iter().map(String::as_str).collect(),
            Role::Member,
        ),
        (
            args.viewers.iter().map(String::as_str).collect(),
            Role::Viewer,
        ),
    ] {
        for account in accounts {
            match members.iter().find(|m| m.account == account) {
                Some(m) if m.role == role => {}
                Some(m) => anyhow::bail!(
                    "account {account} is given as both {} and {}{}",
                    m.role,
                    role,
                    if args.owners.is_empty() && m.role == Role::Owner {
                        " (without --owner you are the owner)"
                    } else {
                        ""
                    }
                ),
                None => members.push(Member {
                    account: account.to_string(),
                    role,
                }),
            }
        }
    }
    let node_selector: BTreeMap<String, String> = args
        .node_selector
        .iter()
        .map(|s| parse_node_label(s))
        .collect::<Result<_, _>>()?;
    let mut tenant = Tenant::new(
        &args.name,
        TenantSpec {
            members,
            namespaces: args.namespaces.clone(),
            node_selector: (!node_selector.is_empty()).then_some(node_selector),
            description: args.description.clone(),
            contact: args.contact.clone(),
            keep_namespaces: args.keep_namespaces,
            policy: Default::default(),
        },
    );
    tenant.metadata.labels = None;
    Ok(tenant)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::tenant::TenantCommand;
    use crate::cli::{Cli, Command};

    fn create_args(line: &[&str]) -> CreateArgs {
        let mut argv = vec!["ike", "tenant", "create"];
        argv.extend_from_slice(line);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Tenant(TenantCommand::Create(args)) => args,
            other => panic!("{other:?}"),
        }
    }

    fn error(line: &[&str]) -> String {
        format!(
            "{:#}",
            desired_tenant(&create_args(line), None).unwrap_err()
        )
    }

    #[test]
    fn dry_run_yaml_is_exactly_the_object_to_create() {
        let args = create_args(&[
            "team-a",
            "--owner",
            "alice",
            "--member",
            "bob",
            "--viewer",
            "carol",
            "--namespace",
            "team-a",
            "-n",
            "team-a-dev",
            "--node-selector",
            "pool=gpu",
            "--node-selector",
            "ike.dev/zone=b",
            "--description",
            "Team A: the web shop",
            "--contact",
            "a@example.com",
            "--keep-namespaces",
            "--dry-run",
            "-o",
            "yaml",
        ]);
        let tenant = desired_tenant(&args, Some("ignored-because-owners-given")).unwrap();
        assert_eq!(
            serde_saphyr::to_string(&tenant).unwrap(),
            "\
apiVersion: ike.dev/v1alpha1
kind: Tenant
metadata:
  name: team-a
spec:
  members:
  - account: alice
    role: owner
  - account: bob
    role: member
  - account: carol
    role: viewer
  namespaces:
  - team-a
  - team-a-dev
  nodeSelector:
    ike.dev/zone: b
    pool: gpu
  description: \"Team A: the web shop\"
  contact: a@example.com
  keepNamespaces: true
"
        );
    }

    #[test]
    fn the_caller_owns_a_tenant_created_without_owners() {
        let tenant = desired_tenant(&create_args(&["t", "--member", "bob"]), Some("me")).unwrap();
        assert_eq!(
            serde_saphyr::to_string(&tenant).unwrap(),
            "\
apiVersion: ike.dev/v1alpha1
kind: Tenant
metadata:
  name: t
spec:
  members:
  - account: me
    role: owner
  - account: bob
    role: member
  namespaces: []
  keepNamespaces: false
"
        );
    }

    #[test]
    fn a_tenant_without_any_owner_is_refused() {
        assert_eq!(
            error(&["t", "--member", "bob"]),
            "tenant t needs at least one owner: pass --owner ACCOUNT"
        );
    }

    #[test]
    fn invalid_names_are_refused_in_one_line() {
        for (line, want) in [
            (vec!["Team"], "'Team' is not a valid tenant name"),
            (
                vec!["t-", "--owner", "a"],
                "'t-' is not a valid tenant name",
            ),
            (
                vec!["a..b", "--owner", "a"],
                "'a..b' is not a valid tenant name",
            ),
            (
                vec!["t", "--owner", "a", "--namespace", "a.b"],
                "'a.b' is not a valid namespace name",
            ),
            (
                vec!["t", "--owner", "a", "--namespace", "Ns"],
                "'Ns' is not a valid namespace name",
            ),
            (
                vec!["t", "--owner", "Alice"],
                "'Alice' is not a valid account name",
            ),
            (
                vec!["t", "--owner", "system:admin"],
                "names starting with 'system:' are reserved",
            ),
        ] {
            let e = error(&line);
            assert!(e.contains(want), "{line:?}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        let long = "a".repeat(64);
        assert!(error(&[&long, "--owner", "a"]).contains("not a valid tenant name"));
        assert!(desired_tenant(&create_args(&["a.b-c.d", "--owner", "a"]), None).is_ok());
    }

    #[test]
    fn duplicate_namespaces_and_conflicting_roles_are_refused() {
        assert_eq!(
            error(&["t", "--owner", "a", "-n", "x", "--namespace", "x"]),
            "namespace x is given twice"
        );
        assert_eq!(
            error(&["t", "--owner", "a", "--viewer", "a"]),
            "account a is given as both owner and viewer"
        );
        let e = desired_tenant(&create_args(&["t", "--member", "me"]), Some("me")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "account me is given as both owner and member (without --owner you are the owner)"
        );
        // The same account twice in the same role is harmless.
        let t = desired_tenant(&create_args(&["t", "--owner", "a", "--owner", "a"]), None).unwrap();
        assert_eq!(t.spec.members.len(), 1);
    }

    #[test]
    fn a_node_label_given_twice_is_refused() {
        assert_eq!(
            error(&[
                "t",
                "--owner",
                "a",
                "--node-selector",
                "x=1",
                "--node-selector",
                "x=2"
            ]),
            "node label x is given twice in --node-selector"
        );
    }
}
