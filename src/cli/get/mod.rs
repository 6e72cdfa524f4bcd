//! `ike get`: any kind, across every namespace of your tenants at once, as one table.
//!
//! RESOURCE is resolved as kubectl resolves it (discovery: names, short names, kinds, groups,
//! categories, CRDs included). Namespaced kinds are listed in each namespace the tenants hold,
//! as you (RBAC decides, the audit log names you), at most 16 at once; cluster-scoped ones get
//! the tenant's view: its dedicated nodes, its StorageClasses and CRDs next to the shared ones,
//! its namespaces.

mod print;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail};
use clap::{Args, ValueEnum};
use clap_complete::engine::ArgValueCompleter;

use super::output::Tabular;
use super::settings::Settings;
use crate::api::Role;
use crate::cli::exit::ExitStatus;
use crate::client::get::cluster::{self, View};
use crate::client::get::discovery::{self, ApiKind, DiscoveryCache};
use crate::client::get::fetch::{self, Merged, Outcome, Place, Selectors};
use crate::client::renewing::{Adjust, Renewing};
use crate::client::tenants::Visible;
use crate::client::{Target, api_error, get as tenant_get};
use print::{Grid, Layout};

/// How `ike get` prints (`-o`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum GetFormat {
    /// The server's columns, as kubectl prints them.
    #[default]
    Table,
    /// The server's columns, those kubectl shows with -o wide too.
    Wide,
    /// One JSON List of the objects.
    Json,
    /// One YAML List of the objects.
    Yaml,
    /// KIND/NAME, one a line.
    Name,
}

/// Arguments of `ike get`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  ike get pods                          # pods in every namespace of your tenants
  ike get deploy,svc --tenant payments  # two kinds, one tenant
  ike get widgets.shop.example.com -l app=web -o wide
  ike get pods -w                       # one stream of every namespace's changes
  ike get nodes --tenant payments       # the tenant's dedicated nodes
  ike get crds                          # CRDs applied for your tenants (TENANT) and shared ones (-)

Exit status: 0 done (also when nothing was found: 'No resources found' on stderr), 1 error (every
namespace failed, an unknown resource type, a name found nowhere), 4 partly done (some
namespaces failed, each with a warning line; the others' rows were printed).")]
pub struct GetArgs {
    /// The resource type: name, short name, singular, Kind, kind.group or
    /// resource.version.group, several separated by commas; without it, the types the server
    /// serves are listed.
    #[arg(value_name = "RESOURCE[,RESOURCE...]")]
    pub resource: Option<String>,
    /// Only the objects with these names.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Only this tenant's namespaces (repeatable); default: every tenant you belong to.
    #[arg(long = "tenant", short = 't', value_name = "TENANT", add = ArgValueCompleter::new(crate::cli::complete::tenants))]
    pub tenants: Vec<String>,
    /// A label selector, as kubectl's -l.
    #[arg(short = 'l', long = "selector", value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// A field selector, as kubectl's --field-selector.
    #[arg(long, value_name = "SELECTOR")]
    pub field_selector: Option<String>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = GetFormat::Table)]
    pub output: GetFormat,
    /// After the table, print each change in any of the namespaces as it happens.
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// With -w, an EVENT column first: ADDED, MODIFIED or DELETED.
    #[arg(long, requires = "watch")]
    pub output_watch_events: bool,
}

/// Runs `ike get`.
pub fn run(args: GetArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    super::runtime()?.block_on(get(args, settings))
}

/// One kind's result, ready to print.
struct Section {
    kind: ApiKind,
    merged: Merged,
    layout: Layout,
}

async fn get(args: GetArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    if args.watch && matches!(args.output, GetFormat::Json | GetFormat::Yaml) {
        bail!("-w prints rows: use it with -o wide or -o name, or drop -o");
    }
    let namespace = settings.client.namespace()?;
    // A watch's stream stays quiet for minutes; the server ends it after 290 s.
    let timeout = Duration::from_secs(if args.watch { 300 } else { 30 });
    let adjust: Adjust = Arc::new(move |config: &mut kube::Config| {
        config.connect_timeout = Some(timeout);
        config.read_timeout = Some(timeout);
        config.write_timeout = Some(timeout);
    });
    let target = Target::resolve_with(&settings.client, |config| adjust(config)).await?;
    // Discovery is kept per site for ten minutes (as kubectl keeps its own): asking for it is
    // some thirty requests, more than the read itself.
    let cache = target
        .site
        .as_ref()
        .map(|s| DiscoveryCache::new(&settings.cache_dir, &s.name, &target.server));
    let (client, cache) = (&target.client, cache.as_ref());
    let discover = |again| async move {
        discovery::cached(client, cache, again)
            .await
            .map_err(|e| api_error(e, "the API server's resource types"))
    };
    let (discovered, from_cache) = discover(false).await?;
    let Some(resource) = &args.resource else {
        print::out(&kinds_table(&discovered.kinds()))?;
        return Ok(ExitStatus::Success);
    };
    let kinds = match discovered.resolve(resource) {
        Ok(kinds) => kinds,
        // A type made since the cache was (a CRD approved a moment ago): ask the server again.
        Err(_) if from_cache => discover(true).await?.0.resolve(resource)?,
        Err(e) => return Err(e.into()),
    };
    if let Some(k) = kinds.iter().find(|k| !k.verbs.iter().any(|v| v == "list")) {
        bail!(
            "{} cannot be listed (the server serves no list of it)",
            k.plural
        );
    }
    if args.watch && (kinds.len() != 1 || !kinds[0].namespaced) {
        bail!("-w watches one namespaced kind: name one, such as 'ike get pods -w'");
    }
    let sel = Selectors {
        labels: args.selector.clone(),
        fields: args.field_selector.clone(),
    };
    let needs_tenants = kinds
        .iter()
        .any(|k| k.namespaced || cluster::view(k) != View::Plain);
    let visible = if needs_tenants {
        tenant_get::tenants(&target, &args.tenants).await?
    } else {
        Vec::new()
    };
    let several_kinds = kinds.len() > 1;
    let mut status = ExitStatus::Success;
    let mut sections = Vec::new();
    for kind in &kinds {
        if !kind.namespaced && cluster::view(kind) == View::Namespaces {
            namespaces(&visible, &args)?;
            continue;
        }
        let (section, partial) = section(
            &target,
            kind,
            &visible,
            namespace.as_deref(),
            &sel,
            &args,
            several_kinds,
        )
        .await?;
        if partial {
            status = ExitStatus::Partial;
        }
        sections.push(section);
    }
    let missing = missing_names(&sections, &args.names);
    if args.watch {
        let section = sections.pop().expect("one kind");
        let clients = Renewing::new(&target, settings.client.clone(), adjust);
        return watch::run(
            Arc::new(clients),
            section.kind,
            section.merged,
            section.layout,
            &sel,
            &args,
            status,
        )
        .await;
    }
    print_sections(&target, sections, &args, namespace.as_deref(), &visible).await?;
    if !missing.is_empty() {
        bail!(
            "not found: {} ({})",
            missing.join(", "),
            scope_words(namespace.as_deref(), &visible)
        );
    }
    Ok(status)
}

/// Lists one kind where it belongs; whether some namespaces failed (each with a warning line).
async fn section(
    target: &Target,
    kind: &ApiKind,
    visible: &[Visible],
    namespace: Option<&str>,
    sel: &Selectors,
    args: &GetArgs,
    with_kind: bool,
) -> anyhow::Result<(Section, bool)> {
    let sel = narrowed(sel, &args.names);
    let mut layout = Layout {
        wide: args.output == GetFormat::Wide,
        with_kind,
        events: args.output_watch_events,
        ..Layout::default()
    };
    let merged = if kind.namespaced {
        let places = tenant_get::places(visible, namespace);
        if places.is_empty() {
            bail!("{}", no_namespaces(visible, &args.tenants));
        }
        if args.watch && places.len() > 500 {
            bail!(
                "-w over {} namespaces is too many (at most 500): narrow it with --tenant",
                places.len()
            );
        }
        layout.namespace = true;
        let tenants: std::collections::BTreeSet<&str> =
            places.iter().map(|p| p.tenant.as_str()).collect();
        layout.tenant = tenants.len() > 1;
        fetch::fan_out(&target.client, kind, &places, &sel).await
    } else {
        match cluster::view(kind) {
            View::Nodes => {
                let (merged, shared) = cluster::nodes(&target.client, kind, visible, &sel).await;
                for t in shared {
                    eprintln!("tenant {t} has no dedicated nodes; its pods run on the shared ones");
                }
                layout.tenant = true;
                merged
            }
            View::Labelled => {
                layout.tenant = true;
                cluster::labelled(&target.client, kind, visible, &sel).await
            }
            View::Namespaces | View::Plain => cluster::plain(&target.client, kind, &sel).await,
        }
    };
    let mut merged = merged;
    if !args.names.is_empty() {
        merged.rows.retain(|r| args.names.contains(&r.name));
    }
    let partial = failures(kind, &merged, visible)?;
    Ok((
        Section {
            kind: kind.clone(),
            merged,
            layout,
        },
        partial,
    ))
}

/// One name asks the server for it alone (`metadata.name=`); several are filtered here.
fn narrowed(sel: &Selectors, names: &[String]) -> Selectors {
    let mut sel = sel.clone();
    if let [name] = names {
        sel.fields = Some(cluster::and(
            sel.fields.as_deref(),
            &format!("metadata.name={name}"),
        ));
    }
    sel
}

/// Prints a warning line per failed namespace; whether some failed and some answered. When
/// all failed: one error (for refusals, naming the caller's roles).
fn failures(kind: &ApiKind, merged: &Merged, visible: &[Visible]) -> anyhow::Result<bool> {
    let what = |p: &Place| {
        if p.namespace.is_empty() {
            kind.plural.clone()
        } else {
            format!("{} in namespace {}", kind.plural, p.namespace)
        }
    };
    match fetch::outcome(merged.versions.len(), merged.failed.len()) {
        Outcome::Complete => Ok(false),
        Outcome::Failed
            if merged
                .failed
                .iter()
                .all(|(_, e)| matches!(e, kube::Error::Api(s) if s.code == 403)) =>
        {
            let roles: Vec<String> = visible
                .iter()
                .map(|v| {
                    let role = v.role.map_or("no role", Role::as_str);
                    format!("{role} in {}", kube::ResourceExt::name_any(&v.tenant))
                })
                .collect();
            Err(anyhow!(
                "you may not list {} in any of the {} namespace(s) asked (your role: {}); 'ike whoami' shows your roles",
                kind.plural,
                merged.failed.len(),
                if roles.is_empty() {
                    "none".to_string()
                } else {
                    roles.join(", ")
                }
            ))
        }
        outcome => {
            for (place, e) in &merged.failed {
                let line = api_error(clone_error(e), &what(place));
                eprintln!("warning: {line:#}");
            }
            if outcome == Outcome::Failed {
                bail!(
                    "every one of the {} namespace(s) failed (see the warnings)",
                    merged.failed.len()
                );
            }
            Ok(true)
        }
    }
}

/// kube errors do not clone; an API refusal keeps its status, anything else its text.
fn clone_error(e: &kube::Error) -> kube::Error {
    match e {
        kube::Error::Api(s) => kube::Error::Api(s.clone()),
        other => kube::Error::Api(Box::new(
            kube::core::Status::failure(&crate::client::direct::innermost(other), "").with_code(0),
        )),
    }
}

fn no_namespaces(visible: &[Visible], named: &[String]) -> String {
    if visible.is_empty() {
        "you belong to no tenant on this site: ask a tenant's owner to add you, or name a tenant with --tenant".into()
    } else if named.is_empty() {
        "your tenants hold no namespace yet: 'ike ns list' shows what they ask for".into()
    } else {
        "the tenant holds no namespace (or not the one asked): 'ike ns list' shows them".into()
    }
}

fn scope_words(namespace: Option<&str>, visible: &[Visible]) -> String {
    if let Some(ns) = namespace {
        return format!("in namespace {ns}");
    }
    let names: Vec<String> = visible
        .iter()
        .map(|v| kube::ResourceExt::name_any(&v.tenant))
        .collect();
    match names.as_slice() {
        [] => "on the cluster".into(),
        [one] => format!("in tenant {one}"),
        many => format!("in tenants {}", many.join(", ")),
    }
}

/// The names asked for that no section found.
fn missing_names(sections: &[Section], names: &[String]) -> Vec<String> {
    if sections.is_empty() {
        // `ike get ns NAME`: the namespaces' own rows said what they found.
        return Vec::new();
    }
    names
        .iter()
        .filter(|n| {
            !sections
                .iter()
                .any(|s| s.merged.rows.iter().any(|r| &r.name == *n))
        })
        .cloned()
        .collect()
}

async fn print_sections(
    target: &Target,
    sections: Vec<Section>,
    args: &GetArgs,
    namespace: Option<&str>,
    visible: &[Visible],
) -> anyhow::Result<()> {
    let total: usize = sections.iter().map(|s| s.merged.rows.len()).sum();
    if total == 0 && !sections.is_empty() {
        let any_namespaced = sections.iter().any(|s| s.kind.namespaced);
        if any_namespaced {
            eprintln!("No resources found {}.", scope_words(namespace, visible));
        } else {
            eprintln!("No resources found");
        }
        if matches!(args.output, GetFormat::Json | GetFormat::Yaml) {
            return write_list(args.output, Vec::new());
        }
        return Ok(());
    }
    match args.output {
        GetFormat::Json | GetFormat::Yaml => {
            let mut items = Vec::new();
            for s in &sections {
                let found = fetch::objects(&target.client, &s.kind, &s.merged.rows).await;
                items.extend(found.map_err(|(ns, e)| {
                    api_error(e, &format!("{} in namespace {ns}", s.kind.plural))
                })?);
            }
            write_list(args.output, items)
        }
        GetFormat::Name => {
            let lines: Vec<String> = sections
                .iter()
                .flat_map(|s| s.merged.rows.iter().map(|r| print::name_line(&s.kind, r)))
                .collect();
            ok_pipe(print::out(&lines))
        }
        GetFormat::Table | GetFormat::Wide => {
            let mut lines = Vec::new();
            for s in sections.iter().filter(|s| !s.merged.rows.is_empty()) {
                if !lines.is_empty() {
                    lines.push(String::new());
                }
                let grid = Grid::new(&s.kind, &s.merged.columns, &s.merged.rows, s.layout);
                lines.extend(grid.lines(&s.merged.columns, &s.merged.rows));
            }
            ok_pipe(print::out(&lines))
        }
    }
}

/// A closed pipe (`ike get pods | head`) is not an error.
fn ok_pipe(r: std::io::Result<()>) -> anyhow::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn write_list(format: GetFormat, items: Vec<serde_json::Value>) -> anyhow::Result<()> {
    let list = serde_json::json!({
        "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items,
    });
    let text = if format == GetFormat::Json {
        serde_json::to_string_pretty(&list)? + "\n"
    } else {
        serde_saphyr::to_string(&list)?
    };
    super::output::write_stdout(text.as_bytes())
}

/// `ike get ns`: the rows of `ike ns list`.
fn namespaces(visible: &[Visible], args: &GetArgs) -> anyhow::Result<()> {
    let mut rows = crate::client::tenants::namespace_rows(visible);
    if !args.names.is_empty() {
        rows.retain(|r| args.names.contains(&r.namespace));
    }
    if rows.is_empty() {
        eprintln!("No resources found");
        return Ok(());
    }
    match args.output {
        GetFormat::Json => {
            super::output::write_stdout((serde_json::to_string_pretty(&rows)? + "\n").as_bytes())
        }
        GetFormat::Yaml => super::output::write_stdout(serde_saphyr::to_string(&rows)?.as_bytes()),
        GetFormat::Name => ok_pipe(print::out(
            &rows
                .iter()
                .map(|r| format!("namespace/{}", r.namespace))
                .collect::<Vec<_>>(),
        )),
        GetFormat::Table | GetFormat::Wide => {
            let list = super::ns::NamespaceList(rows);
            let t = super::output::table(list.headers(), list.rows(), false);
            let lines: Vec<String> = t.lines().map(|l| l.trim_end().to_string()).collect();
            ok_pipe(print::out(&lines))
        }
    }
}

/// `ike get` without RESOURCE: what the server serves, as `kubectl api-resources` shows it.
fn kinds_table(kinds: &[&ApiKind]) -> Vec<String> {
    let mut rows: Vec<Vec<String>> = kinds
        .iter()
        .map(|k| {
            vec![
                k.plural.clone(),
                k.short_names.join(","),
                k.api_version(),
                k.namespaced.to_string(),
                k.kind.clone(),
            ]
        })
        .collect();
    rows.sort();
    let t = super::output::table(
        vec!["name", "shortnames", "apiversion", "namespaced", "kind"],
        rows,
        false,
    );
    t.lines().map(|l| l.trim_end().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::get::fetch::merge;
    use crate::client::table::Page;

    fn refused(code: u16) -> kube::Error {
        kube::Error::Api(Box::new(
            kube::core::Status::failure("secrets is forbidden", "Forbidden").with_code(code),
        ))
    }

    fn merged(answers: &[(&str, Option<u16>)]) -> Merged {
        merge(
            answers
                .iter()
                .map(|(ns, failed)| {
                    let place = Place {
                        tenant: "t".into(),
                        namespace: ns.to_string(),
                    };
                    (
                        place,
                        failed.map_or(Ok(Page::default()), |c| Err(refused(c))),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn some_namespaces_failing_is_partial_and_all_refused_is_one_error_naming_the_role() {
        let kind = ApiKind {
            group: String::new(),
            version: "v1".into(),
            plural: "secrets".into(),
            singular: "secret".into(),
            kind: "Secret".into(),
            short_names: Vec::new(),
            categories: Vec::new(),
            namespaced: true,
            verbs: Vec::new(),
        };
        assert!(!failures(&kind, &merged(&[("a", None), ("b", None)]), &[]).unwrap());
        assert!(failures(&kind, &merged(&[("a", None), ("b", Some(403))]), &[]).unwrap());
        let all = failures(&kind, &merged(&[("a", Some(403)), ("b", Some(403))]), &[]);
        let line = format!("{:#}", all.unwrap_err());
        assert!(
            line.starts_with("you may not list secrets in any of the 2 namespace(s)"),
            "{line}"
        );
        assert_eq!(ExitStatus::of_error(&anyhow!(line)), ExitStatus::Failure);
        let broken = failures(&kind, &merged(&[("a", Some(500)), ("b", Some(403))]), &[]);
        assert!(format!("{:#}", broken.unwrap_err()).contains("every one of the 2"));
    }
}
