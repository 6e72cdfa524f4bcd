//! `ike tenant show`: a tenant in readable sections for people, the object for programs, and
//! warnings about access that outlives a member's removal (on stderr for programs).

use std::fmt::Write as _;

use clap::Args;
use clap_complete::engine::ArgValueCompleter;
use kube::ResourceExt;

use crate::api::Tenant;
use crate::api::names;
use crate::cli::OutputArgs;
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Format, print_object, table, write_stdout};
use crate::cli::settings::Settings;
use crate::client::{tenant_access, tenants};

/// Arguments of `ike tenant show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The tenant.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::tenants))]
    pub name: String,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `ike tenant show`.
pub async fn run(args: ShowArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    names::check_tenant(&args.name)?;
    let target = settings.target().await?;
    let tenant = tenants::get(&target, &args.name).await?;
    let held = tenant
        .status
        .as_ref()
        .map(|s| s.namespaces.clone())
        .unwrap_or_default();
    let observed = tenant_access::observe(&target.client, &held, true).await?;
    let warnings = describe_warnings(&tenant_access::warnings(&observed), &observed.unreadable);
    print_tenant(args.output.format, &tenant)?;
    match args.output.format {
        Format::Table => write_stdout(warnings.as_bytes())?,
        Format::Json | Format::Yaml => eprint!("{}", warnings.trim_start()),
    }
    Ok(ExitStatus::Success)
}

/// The Warnings section: what outlives a member's removal and the command that ends it. Empty
/// when there is nothing to say.
pub fn describe_warnings(warnings: &[tenant_access::Warning], unreadable: &[String]) -> String {
    let mut out = String::new();
    if !warnings.is_empty() {
        out.push_str(
            "\nWarnings (access that outlives a member's removal; after removing one, run the fix):\n",
        );
        for w in warnings {
            let _ = writeln!(out, "  {}: {}\n    fix: {}", w.namespace, w.risk, w.fix);
        }
    }
    if !unreadable.is_empty() {
        let _ = writeln!(
            out,
            "\nNot checked for access that outlives a member's removal (only owners may list role bindings): {}",
            unreadable.join(", ")
        );
    }
    out
}

/// Writes a tenant: readable sections for people, the object for programs.
pub fn print_tenant(format: Format, tenant: &Tenant) -> anyhow::Result<()> {
    match format {
        Format::Table => write_stdout(describe(tenant).as_bytes()),
        Format::Json | Format::Yaml => {
            print_object(format, &without_managed_fields(tenant.clone()))
        }
    }
}

/// The object as kubectl prints it by default: managed fields are bookkeeping for the server.
pub fn without_managed_fields(mut tenant: Tenant) -> Tenant {
    tenant.metadata.managed_fields = None;
    tenant
}

fn section(out: &mut String, title: &str, headers: Vec<&'static str>, rows: Vec<Vec<String>>) {
    let _ = writeln!(out, "\n{title}:");
    if rows.is_empty() {
        out.push_str("  (none)\n");
        return;
    }
    for line in table(headers, rows, false).lines() {
        let _ = writeln!(out, "  {}", line.trim_end());
    }
}

/// The tenant as `ike tenant show` prints it for people.
pub fn describe(tenant: &Tenant) -> String {
    let spec = &tenant.spec;
    let status = tenant.status.clone().unwrap_or_default();
    let mut out = String::new();
    let ready = tenant.ready_condition();
    let mut fields = vec![("Tenant", tenant.name_any())];
    if let Some(d) = &spec.description {
        fields.push(("Description", d.clone()));
    }
    if let Some(c) = &spec.contact {
        fields.push(("Contact", c.clone()));
    }
    fields.push((
        "Ready",
        match ready {
            Some(c) => format!("{} ({}): {}", c.status, c.reason, c.message),
            None => "Unknown (the controller has not reported yet)".into(),
        },
    ));
    fields.push((
        "Keep namespaces",
        if spec.keep_namespaces {
            "yes: deleting the tenant or dropping a namespace keeps it"
        } else {
            "no: deleting the tenant or dropping a namespace deletes it"
        }
        .into(),
    ));
    for (k, v) in fields {
        let _ = writeln!(out, "{:<16} {v}", format!("{k}:"));
    }
    let mut members = spec.members.clone();
    members.sort_by(|a, b| (a.role, &a.account).cmp(&(b.role, &b.account)));
    section(
        &mut out,
        "Members",
        vec!["account", "role"],
        members
            .iter()
            .map(|m| vec![m.account.clone(), m.role.to_string()])
            .collect(),
    );
    section(
        &mut out,
        "Namespaces",
        vec!["namespace", "listed", "held"],
        tenant
            .all_namespaces()
            .into_iter()
            .map(|ns| {
                let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
                let listed = yes_no(spec.namespaces.contains(&ns));
                let held = yes_no(status.namespaces.contains(&ns));
                vec![ns, listed, held]
            })
            .collect(),
    );
    section(
        &mut out,
        "Node selector",
        vec!["key", "value"],
        spec.node_selector
            .iter()
            .flatten()
            .map(|(k, v)| vec![k.clone(), v.clone()])
            .collect(),
    );
    section(
        &mut out,
        "Conditions",
        vec!["type", "status", "reason", "since", "message"],
        status
            .conditions
            .iter()
            .map(|c| {
                vec![
                    c.type_.clone(),
                    c.status.clone(),
                    c.reason.clone(),
                    c.last_transition_time.0.to_string(),
                    c.message.clone(),
                ]
            })
            .collect(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Role;
    use crate::api::fixtures::spec;

    #[test]
    fn warnings_say_what_outlives_a_removal_and_how_to_end_it() {
        assert_eq!(describe_warnings(&[], &[]), "");
        let w = tenant_access::Warning {
            namespace: "a".into(),
            risk: "ServiceAccount deployer has role edit".into(),
            fix: "kubectl -n a delete secret deployer-token-x".into(),
        };
        let text = describe_warnings(&[w], &["b".into()]);
        assert!(
            text.contains("  a: ServiceAccount deployer has role edit\n    fix: kubectl -n a delete secret deployer-token-x\n"),
            "{text}"
        );
        assert!(
            text.contains("(only owners may list role bindings): b\n"),
            "{text}"
        );
    }

    #[test]
    fn show_prints_every_section() {
        let mut t = Tenant::new("t", spec(&[("bob", Role::Member), ("alice", Role::Owner)]));
        t.spec.namespaces = vec!["a".into(), "b".into()];
        t.status = Some(crate::api::TenantStatus {
            conditions: vec![],
            namespaces: vec!["a".into()],
            observed_generation: None,
        });
        let text = describe(&t);
        assert!(text.starts_with("Tenant:          t\n"), "{text}");
        for want in [
            "Members:\n  ACCOUNT   ROLE\n  alice     owner\n  bob       member\n",
            "Namespaces:\n  NAMESPACE   LISTED   HELD\n  a           yes      yes\n  b           yes      no\n",
            "Node selector:\n  (none)\n",
        ] {
            assert!(text.contains(want), "no {want:?} in\n{text}");
        }
    }
}
