//! Dynamic completion: what each argument completes, and the hidden `ike __complete-refresh`.
//!
//! The shell runs `IKE_COMPLETE=<shell> ike -- <words>` (the registration scripts in
//! `completions/`); clap_complete's engine calls the completers attached to arguments with
//! `add = ArgValueCompleter::new(...)`. A completer sees only the word being completed
//! (clap-rs/clap#5784), so `main` first reads `--site`, `-n` and `--tenant` from the words into
//! a [`Context`] here, leniently and without clap. Completers print nothing: clap writes the
//! candidates, and nothing ever goes to stderr, which bash shows in the middle of the prompt.

use std::ffi::{OsStr, OsString};
use std::sync::OnceLock;

use clap::Args;
use clap_complete::engine::CompletionCandidate;

use super::GlobalArgs;
use super::settings::{Environment, Settings};
use crate::cli::exit::ExitStatus;
use crate::client::kubeconfig;
use crate::client::names::cache::Cache;
use crate::client::names::{Item, Key, Lookup, Refreshed};

/// What the words on the command line say, and what a look-up needs.
#[derive(Debug)]
struct Context {
    /// `--site`, else `IKE_SITE`.
    site: Option<String>,
    /// `-n`/`--namespace`.
    namespace: Option<String>,
    /// `-t`/`--tenant`.
    tenant: Option<String>,
    settings: Settings,
    lookup: Lookup,
}

static CONTEXT: OnceLock<Context> = OnceLock::new();

/// The value of `long`/`short` in `words`: `--long V`, `--long=V`, `-s V`, `-sV`. The last one
/// given wins, as with clap.
fn flag_value(words: &[String], long: &str, short: Option<char>) -> Option<String> {
    let mut found = None;
    let long_eq = format!("--{long}=");
    for (i, word) in words.iter().enumerate() {
        let next = || words.get(i + 1).filter(|v| !v.is_empty()).cloned();
        if word == "--" {
            break;
        } else if *word == format!("--{long}") {
            found = next().or(found);
        } else if let Some(v) = word.strip_prefix(&long_eq) {
            found = Some(v.to_string());
        } else if let Some(s) = short
            && let Some(rest) = word.strip_prefix('-').and_then(|w| w.strip_prefix(s))
            && !word.starts_with("--")
        {
            found = if rest.is_empty() {
                next().or(found)
            } else {
                Some(rest.trim_start_matches('=').to_string())
            };
        }
    }
    found.filter(|v| !v.is_empty())
}

/// Reads the words the shell passes after `--` when `IKE_COMPLETE` is set; does nothing
/// otherwise. Called by `main` before clap_complete takes over.
pub fn init(env: &Environment, args: impl IntoIterator<Item = OsString>) {
    if !env.completing {
        return;
    }
    let words: Vec<String> = args
        .into_iter()
        .skip_while(|a| a != "--")
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let global = GlobalArgs {
        site: flag_value(&words, "site", None).or_else(|| env.site.clone()),
        namespace: flag_value(&words, "namespace", Some('n')),
        verbose: 0,
    };
    let settings = Settings::resolve(&global, env);
    let context = Context {
        site: global.site.clone(),
        namespace: global.namespace.clone(),
        tenant: flag_value(&words, "tenant", Some('t')),
        lookup: lookup(&settings, env),
        settings,
    };
    let _ = CONTEXT.set(context);
}

fn lookup(settings: &Settings, env: &Environment) -> Lookup {
    Lookup {
        kubeconfig_paths: settings.client.kubeconfig_paths.clone(),
        sites: settings.client.sites.clone(),
        cache: Cache::new(env.cache_dir()),
        deadline: env.completion_deadline,
        started: std::time::Instant::now(),
        refresher: env.completion_background.then(|| settings.exe.clone()),
    }
}

/// The site completion is about, and the kubeconfig context's namespace.
fn site_and_namespace(ctx: &Context) -> Option<(String, Option<String>)> {
    let loaded = kubeconfig::load(&ctx.settings.client.kubeconfig_paths).ok();
    let site = match (&ctx.site, &loaded) {
        (Some(site), _) => site.clone(),
        (None, Some(k)) => kubeconfig::site_for(k, None).ok()?,
        (None, None) => return None,
    };
    let context = crate::api::consts::context_name(&site);
    let namespace = loaded.as_ref().and_then(|k| {
        k.contexts
            .iter()
            .find(|c| c.name == context)
            .and_then(|c| c.context.as_ref()?.namespace.clone())
    });
    Some((site, namespace))
}

fn candidates(items: impl IntoIterator<Item = Item>, current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let mut seen = std::collections::BTreeSet::new();
    items
        .into_iter()
        .filter(|i| i.name.starts_with(current.as_ref()) && seen.insert(i.name.clone()))
        .map(|i| {
            let help = (!i.help.is_empty()).then(|| i.help.into());
            CompletionCandidate::new(i.name).help(help)
        })
        .collect()
}

fn names(key: impl FnOnce(&Context, Option<String>) -> Key) -> Vec<Item> {
    let Some(ctx) = CONTEXT.get() else {
        return Vec::new();
    };
    let Some((site, context_ns)) = site_and_namespace(ctx) else {
        return Vec::new();
    };
    ctx.lookup.names(&site, &key(ctx, context_ns))
}

/// `--site`: the sites logged in to on this machine and the `ike-*` contexts; local only.
pub fn sites(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(ctx) = CONTEXT.get() else {
        return Vec::new();
    };
    let client = &ctx.settings.client;
    let mut items: Vec<Item> = client
        .sites
        .sites()
        .into_iter()
        .map(|site| {
            let account = client.sites.load(&site).map(|f| f.settings.account);
            Item::new(
                &site,
                &account.map(|a| format!("as {a}")).unwrap_or_default(),
            )
        })
        .collect();
    if let Ok(k) = kubeconfig::load(&client.kubeconfig_paths) {
        items.extend(
            k.contexts
                .iter()
                .filter_map(|c| kubeconfig::site_of_context(&c.name))
                .map(|site| Item::new(site, "not logged in on this machine")),
        );
    }
    candidates(items, current)
}

/// Tenants: the caller's (platform admins: every tenant).
pub fn tenants(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(names(|_, _| Key::Tenants), current)
}

/// Namespaces the caller may use: those held by the caller's tenants (by `--tenant`'s only,
/// when given). Never a list of namespaces: that would offer other tenants' too.
pub fn namespaces(current: &OsStr) -> Vec<CompletionCandidate> {
    let tenant = CONTEXT.get().and_then(|c| c.tenant.clone());
    let items = names(|_, _| Key::Tenants)
        .into_iter()
        .filter(|t| tenant.as_ref().is_none_or(|want| *want == t.name))
        .flat_map(|t| {
            t.namespaces
                .iter()
                .map(|ns| Item::new(ns, &format!("tenant {}", t.name)))
                .collect::<Vec<_>>()
        });
    candidates(items, current)
}

/// Accounts (platform admins; nobody else may list them, so others get none).
pub fn accounts(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(names(|_, _| Key::Accounts), current)
}

fn namespace_of(ctx: &Context, context_ns: Option<String>) -> String {
    ctx.namespace
        .clone()
        .or(context_ns)
        .unwrap_or_else(|| "default".into())
}

/// Notification configs in `-n`'s namespace (else the context's).
pub fn notify_configs(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(
        names(|ctx, ns| Key::NotifyConfigs(namespace_of(ctx, ns))),
        current,
    )
}

fn requests_key(ctx: &Context, _: Option<String>) -> Key {
    Key::Requests(ctx.namespace.clone())
}

/// Requests: by name in `-n`'s namespace, else `NAMESPACE/NAME` in every namespace one may read.
pub fn requests(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(names(requests_key), current)
}

/// Requests that wait for a decision (`approve`, `deny`).
pub fn pending_requests(current: &OsStr) -> Vec<CompletionCandidate> {
    let pending = names(requests_key)
        .into_iter()
        .filter(|i| i.help == "Pending");
    candidates(pending, current)
}

/// Arguments of the hidden `ike __complete-refresh` (the site is the global `--site`).
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// What to refresh (tenants, accounts, notify:NS, requests, requests:NS).
    #[arg(long, value_name = "KEY")]
    key: String,
}

/// Runs `ike __complete-refresh`: fetches one key's names for the cache, in the background of
/// a completion (stdin, stdout and stderr are /dev/null then). Never renews.
pub fn refresh(
    args: RefreshArgs,
    settings: &Settings,
    env: &Environment,
) -> anyhow::Result<ExitStatus> {
    let site = settings.client.site()?;
    let key = Key::parse(&args.key).ok_or_else(|| {
        anyhow::anyhow!(
            "'{}' is not a completion key: use tenants, accounts, notify:NAMESPACE, requests or requests:NAMESPACE",
            args.key
        )
    })?;
    match lookup(settings, env).refresh(&site, &key)? {
        Refreshed::Names(n) => eprintln!("{n} names of {key} cached for site {site}"),
        Refreshed::Busy => eprintln!("another refresh of {key} on site {site} runs"),
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split(' ').map(String::from).collect()
    }

    #[test]
    fn flags_are_read_in_every_spelling_and_the_last_one_wins() {
        let w = words("ike --site tokyo notify show -n shop x");
        assert_eq!(flag_value(&w, "site", None).as_deref(), Some("tokyo"));
        assert_eq!(
            flag_value(&w, "namespace", Some('n')).as_deref(),
            Some("shop")
        );
        let w = words("ike --site=osaka -nshop --namespace=web ns list -t pay");
        assert_eq!(flag_value(&w, "site", None).as_deref(), Some("osaka"));
        assert_eq!(
            flag_value(&w, "namespace", Some('n')).as_deref(),
            Some("web")
        );
        assert_eq!(flag_value(&w, "tenant", Some('t')).as_deref(), Some("pay"));
        // The flag being completed has no value yet.
        let w = words("ike tenant show -n ");
        assert_eq!(flag_value(&w, "namespace", Some('n')), None);
        // `--namespace` is not `-n` followed by "amespace".
        let w = words("ike --nothing x");
        assert_eq!(flag_value(&w, "namespace", Some('n')), None);
    }
}
