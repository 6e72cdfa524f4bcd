//! `ike tenant`: create, list, show and change tenants.
//!
//! Also the tenant plumbing `ike ns` shares: who the caller is, which tenants they see, the
//! read-modify-replace of a Tenant's lists and waiting for the controller's verdict.
//!
//! Member and namespace lists are changed by reading the Tenant, changing the list and
//! replacing the object with its resourceVersion: a JSON merge patch would replace the whole
//! list with what this client saw, silently undoing a concurrent change by someone else.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand, ValueEnum};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde::Serialize;

use super::{OutputArgs, WriteArgs};
use crate::api::wire::WhoamiResponse;
use crate::api::{Member, Role, Tenant, TenantSpec};
use crate::output::{Format, Tabular};
use crate::settings::Settings;

/// How long `create` (and `ike ns create`) wait for the controller's verdict.
pub(crate) const WAIT: Duration = Duration::from_secs(10);
/// How often they ask.
const POLL: Duration = Duration::from_millis(200);

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
}

/// Arguments of `ike tenant create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The tenant's name: lower-case letters, digits, '-' and '.', at most 63 characters.
    pub name: String,
    /// An owner: manages members and namespaces, admin in the namespaces (repeatable;
    /// default: you).
    #[arg(long = "owner", value_name = "ACCOUNT")]
    pub owners: Vec<String>,
    /// A member: edits workloads in the namespaces (repeatable).
    #[arg(long = "member", value_name = "ACCOUNT")]
    pub members: Vec<String>,
    /// A viewer: reads the namespaces (repeatable).
    #[arg(long = "viewer", value_name = "ACCOUNT")]
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

/// Arguments of `ike tenant list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    output: OutputArgs,
}

/// Arguments of `ike tenant show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The tenant.
    pub name: String,
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

/// Arguments of `ike tenant add-member`.
#[derive(Debug, Args)]
pub struct AddMemberArgs {
    /// The tenant.
    pub name: String,
    /// The account to add (or whose role to change).
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
    pub name: String,
    /// The account to remove.
    pub account: String,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `ike tenant delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The tenant.
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

/// A tenant and the caller's role in it, if any.
#[derive(Debug, Clone)]
pub(crate) struct Visible {
    /// The tenant.
    pub tenant: Tenant,
    /// The caller's role.
    pub role: Option<Role>,
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
            .map(|v| (without_managed_fields(v.tenant), v.role))
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
                let ready = ready_condition(t);
                vec![
                    t.name_any(),
                    role.map_or("-", role_name).to_string(),
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
pub fn run(cmd: TenantCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(run_async(cmd, settings))
}

async fn run_async(cmd: TenantCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    match cmd {
        TenantCommand::Create(args) => return create(args, settings).await,
        TenantCommand::List(args) => {
            let api = tenants(settings).await?;
            let visible = visible_tenants(&api, settings).await?;
            super::print(args.output.format, &TenantList::new(visible), settings)?;
        }
        TenantCommand::Show(args) => {
            check_tenant_name(&args.name)?;
            let tenant = tenants(settings)
                .await?
                .get(&args.name)
                .await
                .map_err(|e| super::kube_error(e, &format!("tenant {}", args.name)))?;
            print_tenant(args.output.format, &tenant)?;
        }
        TenantCommand::AddMember(args) => {
            check_tenant_name(&args.name)?;
            crate::pki::check_account_name(&args.account)?;
            let role = Role::from(args.role);
            let api = tenants(settings).await?;
            let update = update_tenant(
                &api,
                &args.name,
                args.write.dry_run,
                "change its members",
                |t| set_member(&mut t.spec, &args.name, &args.account, role),
            )
            .await?;
            let role = role_name(role);
            let written = match update {
                Update::Unchanged(_) => {
                    eprintln!(
                        "{} already is a {role} of tenant {}: nothing to change.",
                        args.account, args.name
                    );
                    return Ok(ExitCode::SUCCESS);
                }
                Update::Replaced(t) => t,
            };
            if !args.write.dry_run {
                // Only admins may read Accounts, so a mistyped name shows first in the
                // controller's verdict: say so here rather than leave the tenant not ready.
                // That verdict follows a watch of Accounts, so an account created a moment ago
                // may look unknown for a moment: only a verdict that lasts 2 s counts.
                let generation = written.metadata.generation.unwrap_or_default();
                let unknown = |c: &Condition| {
                    c.reason == "UnknownAccount" && names(&c.message, &args.account)
                };
                let mut unknown_since = None;
                let (_, verdict) = wait_for(&api, &args.name, |t| {
                    let c = settled(t, generation)?;
                    if !unknown(&c) {
                        return Some(c);
                    }
                    let since = *unknown_since.get_or_insert_with(Instant::now);
                    (since.elapsed() >= Duration::from_secs(2)).then_some(c)
                })
                .await?;
                if verdict.as_ref().is_some_and(unknown) {
                    anyhow::bail!(
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
        }
        TenantCommand::RemoveMember(args) => {
            check_tenant_name(&args.name)?;
            crate::pki::check_account_name(&args.account)?;
            let api = tenants(settings).await?;
            update_tenant(
                &api,
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
        }
        TenantCommand::Delete(args) => return delete(args, settings).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn create(args: CreateArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let caller = if args.owners.is_empty() {
        // Check the input first: asking who the caller is should not hide a typo.
        check_create_input(&args)?;
        let who = whoami(settings).await.map_err(|e| {
            anyhow::anyhow!(
                "tenant {} needs an owner: pass --owner ACCOUNT (without it you are the owner, but {e:#})",
                args.name
            )
        })?;
        Some(who.account)
    } else {
        None
    };
    let tenant = desired_tenant(&args, caller.as_deref())?;
    if args.write.dry_run {
        // Built here, not by a server-side dry run: the object is exactly what would be sent,
        // without server-added fields, so it can go into Git, and no cluster is needed.
        super::print_object(args.output.format, &tenant)?;
        eprintln!("Tenant {} would be created (dry run).", args.name);
        return Ok(ExitCode::SUCCESS);
    }
    let api = tenants(settings).await?;
    let params = PostParams {
        dry_run: false,
        field_manager: Some(crate::consts::CLI_MANAGER.into()),
    };
    let created = api.create(&params, &tenant).await.map_err(|e| match &e {
        kube::Error::Api(s) if s.code == 409 => {
            anyhow::anyhow!("tenant {} already exists: pick another name", args.name)
        }
        kube::Error::Api(s) if refused_by_rbac(&e) => anyhow::anyhow!(
            "your account may not create tenants on this site: {} (ask a platform admin)",
            s.message
        ),
        kube::Error::Api(s) if s.code == 403 => {
            anyhow::anyhow!("tenant {} refused: {}", args.name, s.message)
        }
        _ => super::kube_error(e, &format!("tenant {}", args.name)),
    })?;
    // Progress only for a person watching: to a script the result (or one error line) is all.
    if settings.interactive {
        eprintln!(
            "Tenant {} created, waiting for the controller...",
            args.name
        );
    }
    let generation = created.metadata.generation.unwrap_or(1);
    // The creator may not read the tenant until the controller has bound them to it.
    let (last, verdict) = wait_for(&api, &args.name, |t| settled(t, generation)).await?;
    let shown = last.unwrap_or(created);
    print_tenant(args.output.format, &shown)?;
    match verdict {
        Some(c) if c.status == "True" => {
            eprintln!("Tenant {} is ready: {}.", args.name, c.message);
            Ok(ExitCode::SUCCESS)
        }
        Some(c) => anyhow::bail!(
            "tenant {} was created but is not ready ({}): {}",
            args.name,
            c.reason,
            c.message
        ),
        None => anyhow::bail!(
            "tenant {} was created but the controller did not report on it within {} s: check 'ike tenant show {}' and that ike-controller runs",
            args.name,
            WAIT.as_secs(),
            args.name
        ),
    }
}

async fn delete(args: DeleteArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    check_tenant_name(&args.name)?;
    if !args.yes && !settings.interactive {
        anyhow::bail!(
            "deleting tenant {} needs confirmation: pass --yes",
            args.name
        );
    }
    let api = tenants(settings).await?;
    let what = format!("tenant {}", args.name);
    let tenant = api
        .get(&args.name)
        .await
        .map_err(|e| super::kube_error(e, &what))?;
    let namespaces = all_namespaces(&tenant);
    let keep = args.keep_namespaces || tenant.spec.keep_namespaces;
    let fate = namespaces_fate(&namespaces, keep);
    if !args.yes {
        let sure = dialoguer::Confirm::new()
            .with_prompt(format!("Delete tenant {}? {fate}", args.name))
            .default(false)
            .interact()?;
        if !sure {
            eprintln!("Nothing deleted.");
            return Ok(ExitCode::FAILURE);
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
            .map_err(|e| super::kube_error(e, &what))?;
        // Set before the delete: the controller's cleanup reads it from the deleted object.
        let patch = serde_json::json!({ "spec": { "keepNamespaces": true } });
        let params = PatchParams {
            dry_run: args.write.dry_run,
            field_manager: Some(crate::consts::CLI_MANAGER.into()),
            ..Default::default()
        };
        api.patch(&args.name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| super::kube_error(e, &what))?;
    }
    let params = DeleteParams {
        dry_run: args.write.dry_run,
        ..Default::default()
    };
    api.delete(&args.name, &params)
        .await
        .map_err(|e| super::kube_error(e, &what))?;
    if args.write.dry_run {
        eprintln!("Tenant {} would be deleted (dry run). {fate}", args.name);
    } else {
        eprintln!("Tenant {} deleted. {fate}", args.name);
    }
    Ok(ExitCode::SUCCESS)
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

/// The namespaces a tenant lists or still holds, sorted.
pub(crate) fn all_namespaces(tenant: &Tenant) -> Vec<String> {
    let held = tenant.status.iter().flat_map(|s| &s.namespaces);
    tenant
        .spec
        .namespaces
        .iter()
        .chain(held)
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

pub(crate) fn dry_run_note(dry_run: bool) -> &'static str {
    if dry_run { " (dry run)" } else { "" }
}

fn dash_if_empty(s: String) -> String {
    if s.is_empty() { "-".into() } else { s }
}

/// The Tenant API, cluster-scoped.
pub(crate) async fn tenants(settings: &Settings) -> anyhow::Result<Api<Tenant>> {
    let (config, _) = crate::kubeconfig::client_config(settings).await?;
    Ok(Api::all(kube::Client::try_from(config)?))
}

/// The caller's account, tenants and roles, from the site's account API.
pub(crate) async fn whoami(settings: &Settings) -> anyhow::Result<WhoamiResponse> {
    let site = super::current_site(settings)?;
    let files = settings.sites.load(&site)?;
    let who = crate::credentials::client(&files)?.whoami().await;
    who.map_err(|e| match e.status() {
        Some(_) => anyhow::Error::new(e),
        None => anyhow::Error::new(e).context(format!(
            "cannot ask site {site} who you are; if your certificate expired, run 'ike login --site {site}'"
        )),
    })
}

/// The account this machine is logged in as on the current site, from local files only.
pub(crate) fn local_account(settings: &Settings) -> Option<String> {
    let site = super::current_site(settings).ok()?;
    Some(settings.sites.load(&site).ok()?.settings.account)
}

/// The tenants the caller may see, sorted by name: every tenant for whoever may list them
/// (platform admins), else the caller's own, as the account API names them.
pub(crate) async fn visible_tenants(
    api: &Api<Tenant>,
    settings: &Settings,
) -> anyhow::Result<Vec<Visible>> {
    // Listing first costs an admin one request and no account API call; everyone else pays one
    // refused request before asking the account API.
    match api.list(&ListParams::default()).await {
        Ok(list) => {
            let me = local_account(settings);
            let mut out: Vec<Visible> = list
                .items
                .into_iter()
                .map(|tenant| Visible {
                    role: me.as_deref().and_then(|me| role_of(&tenant.spec, me)),
                    tenant,
                })
                .collect();
            out.sort_by_key(|v| v.tenant.name_any());
            Ok(out)
        }
        Err(kube::Error::Api(s)) if s.code == 403 => {
            let who = whoami(settings).await?;
            let gets = who.tenants.iter().map(|t| api.get(&t.tenant));
            let got = futures::future::join_all(gets).await;
            let mut out = Vec::new();
            for (tr, result) in who.tenants.into_iter().zip(got) {
                match result {
                    Ok(tenant) => out.push(Visible {
                        tenant,
                        role: Some(tr.role),
                    }),
                    // Deleted meanwhile, or the controller has not bound the caller yet.
                    Err(kube::Error::Api(s)) if s.code == 404 || s.code == 403 => {
                        tracing::warn!(tenant = %tr.tenant, code = s.code, "cannot read tenant");
                    }
                    Err(e) => return Err(super::kube_error(e, &format!("tenant {}", tr.tenant))),
                }
            }
            out.sort_by_key(|v| v.tenant.name_any());
            Ok(out)
        }
        Err(e) => Err(super::kube_error(e, "tenants")),
    }
}

/// Whether RBAC refused the request. The API server answers 403 for an admission webhook's
/// refusal too, but that one says what is wrong with the object, not who may change it.
fn refused_by_rbac(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 403 && !s.message.contains("admission webhook"))
}

/// The result of [`update_tenant`].
#[derive(Debug)]
pub(crate) enum Update {
    /// The change was already there; nothing was written.
    Unchanged(Tenant),
    /// The tenant as the server stored it (or would have, in a dry run).
    Replaced(Tenant),
}

/// Reads tenant `name`, applies `change` (which returns whether it changed anything) and
/// replaces the object at the version read, trying once more if someone else changed it
/// meanwhile. A refusal becomes "only an owner of tenant NAME can `refused`".
pub(crate) async fn update_tenant(
    api: &Api<Tenant>,
    name: &str,
    dry_run: bool,
    refused: &str,
    mut change: impl FnMut(&mut Tenant) -> anyhow::Result<bool>,
) -> anyhow::Result<Update> {
    let map = |e: kube::Error| match &e {
        _ if refused_by_rbac(&e) => {
            anyhow::anyhow!("only an owner of tenant {name} can {refused}")
        }
        kube::Error::Api(s) if s.code == 403 => {
            anyhow::anyhow!("tenant {name} refused the change: {}", s.message)
        }
        _ => super::kube_error(e, &format!("tenant {name}")),
    };
    let params = PostParams {
        dry_run,
        field_manager: Some(crate::consts::CLI_MANAGER.into()),
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tenant = api.get(name).await.map_err(map)?;
        if !change(&mut tenant)? {
            return Ok(Update::Unchanged(tenant));
        }
        match api.replace(name, &params, &tenant).await {
            Ok(t) => return Ok(Update::Replaced(t)),
            Err(kube::Error::Api(s)) if s.code == 409 && attempt < 2 => {}
            Err(e) => return Err(map(e)),
        }
    }
}

/// Asks for tenant `name` every 200 ms for up to 10 s until `done` says something. Returns the
/// last tenant read and what `done` said, if it did. Refusals and "not found" count as "not
/// yet": the controller may not have bound the caller to a tenant just created.
pub(crate) async fn wait_for<T>(
    api: &Api<Tenant>,
    name: &str,
    mut done: impl FnMut(&Tenant) -> Option<T>,
) -> anyhow::Result<(Option<Tenant>, Option<T>)> {
    let deadline = Instant::now() + WAIT;
    let mut last = None;
    loop {
        match api.get(name).await {
            Ok(tenant) => {
                let verdict = done(&tenant);
                let found = verdict.is_some();
                last = Some(tenant);
                if found {
                    return Ok((last, verdict));
                }
            }
            Err(kube::Error::Api(s)) if s.code == 403 || s.code == 404 => {}
            Err(e) => return Err(super::kube_error(e, &format!("tenant {name}"))),
        }
        if Instant::now() + POLL > deadline {
            return Ok((last, None));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether `message` names `account` as a word (not as part of a longer name).
fn names(message: &str, account: &str) -> bool {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .any(|word| word.trim_end_matches('.') == account)
}

/// The tenant's Ready condition.
pub(crate) fn ready_condition(tenant: &Tenant) -> Option<&Condition> {
    tenant
        .status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
}

/// The Ready condition once the controller has seen `generation` of the spec (or a later one).
pub(crate) fn settled(tenant: &Tenant, generation: i64) -> Option<Condition> {
    let status = tenant.status.as_ref()?;
    let c = ready_condition(tenant)?;
    let observed = c.observed_generation.or(status.observed_generation)?;
    (observed >= generation).then(|| c.clone())
}

/// A role as the API spells it.
pub(crate) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Member => "member",
        Role::Viewer => "viewer",
    }
}

pub(crate) fn role_of(spec: &TenantSpec, account: &str) -> Option<Role> {
    // The strongest role wins if an account is listed twice (Role orders owner first).
    spec.members
        .iter()
        .filter(|m| m.account == account)
        .map(|m| m.role)
        .min()
}

/// Writes a tenant: readable sections for people, the object for programs.
fn print_tenant(format: Format, tenant: &Tenant) -> anyhow::Result<()> {
    match format {
        Format::Table => super::write_stdout(describe(tenant).as_bytes()),
        Format::Json | Format::Yaml => {
            super::print_object(format, &without_managed_fields(tenant.clone()))
        }
    }
}

/// The object as kubectl prints it by default: managed fields are bookkeeping for the server.
fn without_managed_fields(mut tenant: Tenant) -> Tenant {
    tenant.metadata.managed_fields = None;
    tenant
}

fn section(out: &mut String, title: &str, headers: Vec<&'static str>, rows: Vec<Vec<String>>) {
    let _ = writeln!(out, "\n{title}:");
    if rows.is_empty() {
        out.push_str("  (none)\n");
        return;
    }
    for line in crate::output::table(headers, rows, false).lines() {
        let _ = writeln!(out, "  {}", line.trim_end());
    }
}

/// The tenant as `ike tenant show` prints it for people.
pub fn describe(tenant: &Tenant) -> String {
    let spec = &tenant.spec;
    let status = tenant.status.clone().unwrap_or_default();
    let mut out = String::new();
    let ready = ready_condition(tenant);
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
            .map(|m| vec![m.account.clone(), role_name(m.role).into()])
            .collect(),
    );
    section(
        &mut out,
        "Namespaces",
        vec!["namespace", "listed", "held"],
        all_namespaces(tenant)
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

// ---------------------------------------------------------------------------------------------
// Local checks: bad input gets one line and no request is made.

/// Whether `s` is a DNS-1123 label: lower-case letters, digits and '-', alphanumeric at both
/// ends, at most 63 characters.
fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// Checks a tenant name: a DNS-1123 subdomain of at most 63 characters (it is also a label
/// value on every namespace the tenant holds, and those stop at 63).
pub(crate) fn check_tenant_name(name: &str) -> anyhow::Result<()> {
    if name.len() <= 63 && name.split('.').all(is_dns_label) {
        return Ok(());
    }
    anyhow::bail!(
        "'{}' is not a valid tenant name: use at most 63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        name.escape_debug()
    )
}

/// Checks a namespace name: a DNS-1123 label.
pub(crate) fn check_namespace_name(name: &str) -> anyhow::Result<()> {
    if is_dns_label(name) {
        return Ok(());
    }
    anyhow::bail!(
        "'{}' is not a valid namespace name: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit",
        name.escape_debug()
    )
}

/// Whether `s` is a label name or value part: at most 63 letters, digits, '-', '_' and '.',
/// alphanumeric at both ends.
fn is_label_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// Parses `KEY=VALUE` into a node label Kubernetes accepts.
pub(crate) fn parse_node_label(s: &str) -> anyhow::Result<(String, String)> {
    let Some((key, value)) = s.split_once('=') else {
        anyhow::bail!("'{s}' is not a node selector: write KEY=VALUE, e.g. pool=gpu");
    };
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|p| p.len() <= 253 && p.split('.').all(is_dns_label));
    if !prefix_ok || !is_label_part(name) {
        anyhow::bail!(
            "'{key}' is not a valid node label key in '{s}': use [PREFIX/]NAME, NAME at most 63 letters, digits, '-', '_' and '.'"
        );
    }
    if !value.is_empty() && !is_label_part(value) {
        anyhow::bail!(
            "'{value}' is not a valid node label value in '{s}': use at most 63 letters, digits, '-', '_' and '.'"
        );
    }
    Ok((key.to_string(), value.to_string()))
}

/// Checks everything of `create` that does not depend on who the caller is.
fn check_create_input(args: &CreateArgs) -> anyhow::Result<()> {
    check_tenant_name(&args.name)?;
    for account in args.owners.iter().chain(&args.members).chain(&args.viewers) {
        crate::pki::check_account_name(account)?;
    }
    let mut seen = BTreeSet::new();
    for ns in &args.namespaces {
        check_namespace_name(ns)?;
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
                    role_name(m.role),
                    role_name(role),
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
        .collect::<anyhow::Result<_>>()?;
    let mut tenant = Tenant::new(
        &args.name,
        TenantSpec {
            members,
            namespaces: args.namespaces.clone(),
            node_selector: (!node_selector.is_empty()).then_some(node_selector),
            description: args.description.clone(),
            contact: args.contact.clone(),
            keep_namespaces: args.keep_namespaces,
        },
    );
    tenant.metadata.labels = None;
    Ok(tenant)
}

/// Gives `account` `role` in the tenant; returns whether anything changed. Refuses to leave the
/// tenant without an owner.
pub fn set_member(
    spec: &mut TenantSpec,
    tenant: &str,
    account: &str,
    role: Role,
) -> anyhow::Result<bool> {
    let have: Vec<Role> = spec
        .members
        .iter()
        .filter(|m| m.account == account)
        .map(|m| m.role)
        .collect();
    if have == [role] {
        return Ok(false);
    }
    let mut new = spec.clone();
    match new.members.iter().position(|m| m.account == account) {
        Some(i) => {
            new.members[i].role = role;
            let mut seen = false;
            new.members.retain(|m| {
                let dup = m.account == account && seen;
                seen |= m.account == account;
                !dup
            });
        }
        None => new.members.push(Member {
            account: account.to_string(),
            role,
        }),
    }
    check_owner_left(&new, tenant, account)?;
    *spec = new;
    Ok(true)
}

/// Takes `account` out of the tenant. Refuses an account that is not a member and the last
/// owner.
pub fn remove_member(spec: &mut TenantSpec, tenant: &str, account: &str) -> anyhow::Result<()> {
    if !spec.members.iter().any(|m| m.account == account) {
        anyhow::bail!("{account} is not a member of tenant {tenant}: nothing to remove");
    }
    let mut new = spec.clone();
    new.members.retain(|m| m.account != account);
    check_owner_left(&new, tenant, account)?;
    *spec = new;
    Ok(())
}

fn check_owner_left(spec: &TenantSpec, tenant: &str, account: &str) -> anyhow::Result<()> {
    if spec.members.iter().any(|m| m.role == Role::Owner) {
        return Ok(());
    }
    anyhow::bail!(
        "{account} is the last owner of tenant {tenant}: make someone else an owner first ('ike tenant add-member {tenant} ACCOUNT --role owner')"
    )
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
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

    fn spec(members: &[(&str, Role)]) -> TenantSpec {
        TenantSpec {
            members: members
                .iter()
                .map(|(a, r)| Member {
                    account: a.to_string(),
                    role: *r,
                })
                .collect(),
            ..Default::default()
        }
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
    fn node_selectors_must_be_key_equals_value() {
        assert_eq!(
            parse_node_label("pool=gpu").unwrap(),
            ("pool".into(), "gpu".into())
        );
        assert_eq!(
            parse_node_label("example.com/pool=").unwrap(),
            ("example.com/pool".into(), String::new())
        );
        for (bad, want) in [
            ("pool", "'pool' is not a node selector: write KEY=VALUE"),
            ("=gpu", "'' is not a valid node label key"),
            ("po ol=gpu", "'po ol' is not a valid node label key"),
            ("Bad_Prefix/pool=gpu", "is not a valid node label key"),
            ("pool=gpu!", "'gpu!' is not a valid node label value"),
            ("pool=-gpu", "'-gpu' is not a valid node label value"),
        ] {
            let e = parse_node_label(bad).unwrap_err().to_string();
            assert!(e.contains(want), "{bad}: {e}");
        }
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
    fn unknown_roles_are_refused_by_the_parser() {
        let e = Cli::try_parse_from(["ike", "tenant", "add-member", "t", "bob", "--role", "boss"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid value 'boss'"), "{e}");
        assert!(e.contains("owner, member, viewer"), "{e}");
    }

    #[test]
    fn adding_an_existing_member_changes_its_role() {
        let mut s = spec(&[("alice", Role::Owner), ("bob", Role::Viewer)]);
        assert!(set_member(&mut s, "t", "bob", Role::Member).unwrap());
        assert_eq!(s, spec(&[("alice", Role::Owner), ("bob", Role::Member)]));
        assert!(!set_member(&mut s, "t", "bob", Role::Member).unwrap());
        assert!(set_member(&mut s, "t", "carol", Role::Viewer).unwrap());
        assert_eq!(s.members.len(), 3);
    }

    #[test]
    fn the_last_owner_cannot_leave_or_step_down() {
        let mut s = spec(&[("alice", Role::Owner), ("bob", Role::Member)]);
        let e = remove_member(&mut s, "t", "alice").unwrap_err().to_string();
        assert!(e.starts_with("alice is the last owner of tenant t"), "{e}");
        let e = set_member(&mut s, "t", "alice", Role::Viewer)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("alice is the last owner of tenant t"), "{e}");
        assert_eq!(s, spec(&[("alice", Role::Owner), ("bob", Role::Member)]));
        set_member(&mut s, "t", "bob", Role::Owner).unwrap();
        remove_member(&mut s, "t", "alice").unwrap();
        assert_eq!(s, spec(&[("bob", Role::Owner)]));
        let e = remove_member(&mut s, "t", "zed").unwrap_err().to_string();
        assert_eq!(e, "zed is not a member of tenant t: nothing to remove");
    }

    #[test]
    fn an_unknown_account_is_found_in_the_message_by_its_whole_name() {
        let m = "no account named bob, carol.x: create it with 'ike account create'";
        assert!(names(m, "bob"));
        assert!(names(m, "carol.x"));
        assert!(!names(m, "bo"));
        assert!(!names(m, "carol"));
    }

    #[test]
    fn a_verdict_counts_only_for_the_current_generation() {
        let mut t = Tenant::new("t", spec(&[("a", Role::Owner)]));
        t.metadata.generation = Some(2);
        assert!(settled(&t, 2).is_none());
        let condition = |g| Condition {
            type_: "Ready".into(),
            status: "True".into(),
            reason: "Ready".into(),
            message: "m".into(),
            observed_generation: Some(g),
            last_transition_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
            ),
        };
        t.status = Some(crate::api::TenantStatus {
            conditions: vec![condition(1)],
            namespaces: vec![],
            observed_generation: Some(1),
        });
        assert!(settled(&t, 2).is_none());
        t.status.as_mut().unwrap().conditions = vec![condition(2)];
        assert_eq!(settled(&t, 2).unwrap().reason, "Ready");
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
