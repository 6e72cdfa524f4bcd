//! The `ike` command line: clap definitions shared by the binary, the completion scripts and the
//! man pages, plus one module per command noun.
//!
//! Conventions every command keeps: `--site` picks the site (kubeconfig context `ike-<site>`),
//! `-n` the namespace, reading commands take `-o table|json|yaml`, writing commands take
//! `--dry-run`, `-v` sends logs to stderr, results go to stdout only.

use clap::{Args, Parser, Subcommand};
use clap_complete::engine::ArgValueCompleter;

use output::Format;
use settings::{Environment, Settings};

use crate::cli::exit::ExitStatus;

pub mod account;
pub mod complete;
pub mod completion;
pub mod credential;
pub mod doctor;
pub mod exit;
pub mod expose;
pub mod generate;
pub mod get;
pub mod login;
pub mod login_all;
pub mod logout;
pub mod notify;
pub mod ns;
pub mod output;
pub mod pod;
pub mod request;
pub mod resolve;
pub mod settings;
pub mod site;
pub mod tenant;
pub mod version;
pub mod whoami;

/// The command-line tool of the IKE multi-tenant Kubernetes platform.
#[derive(Debug, Parser)]
#[command(
    name = "ike",
    version,
    about = "The command-line tool of the IKE multi-tenant Kubernetes platform",
    long_about = None,
    propagate_version = true,
    after_help = "Start with 'ike login --site SITE'. Every site is one kubeconfig context named ike-SITE,\nso kubectl works with it too: kubectl --context ike-SITE get pods.\n\nExit status: 0 done, 1 error, 2 usage error, 3 'ike resolve' found drift, 4 partly done (some\nsites or namespaces failed, each with a warning line: 'ike login --all', 'ike get'), 5 not done\nor not ready (accepted but not in effect: not ready, not applied, not delivered; the message\nsays what to follow)."
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The site to use (kubeconfig context ike-SITE); defaults to the current context.
    #[arg(long, global = true, env = "IKE_SITE", value_name = "SITE", add = ArgValueCompleter::new(complete::sites))]
    pub site: Option<String>,
    /// The namespace to use instead of the context's default.
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE", add = ArgValueCompleter::new(complete::namespaces))]
    pub namespace: Option<String>,
    /// Log more to stderr (-v info, -vv debug, -vvv trace).
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `-o`, taken by every command that reads.
#[derive(Debug, Clone, Copy, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `--dry-run`, taken by every command that writes.
#[derive(Debug, Clone, Copy, Args)]
pub struct WriteArgs {
    /// Show what would change and change nothing (server-side dry run where the server is asked).
    #[arg(long)]
    pub dry_run: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in to a site: enroll with a one-time token, or renew your certificate.
    Login(login::LoginArgs),
    /// Show your account, site, tenants and certificate.
    Whoami(whoami::WhoamiArgs),
    /// Remove ike's key, certificate and kubeconfig entries for a site.
    Logout(logout::LogoutArgs),
    /// Manage accounts (platform admins).
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Create, list, show and change tenants.
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// List any kind across every namespace of your tenants at once, as one table (-w: watch).
    Get(get::GetArgs),
    /// Create, list and delete a tenant's namespaces.
    #[command(subcommand, visible_alias = "namespace")]
    Ns(ns::NsCommand),
    /// Check what you may and may not do on a site, each check with a one-line explanation.
    Doctor(doctor::DoctorArgs),
    /// Pods' IPs, for a pod network reachable from the office (IKE Office).
    #[command(subcommand)]
    Pod(pod::PodCommand),
    /// Give a workload's pods a DNS name on IKE Office: a headless Service with external-dns'
    /// annotations, the name checked against the site's rules.
    Expose(expose::ExposeArgs),
    /// Check a name (host, svc/NAME, pod/NAME) against the site's nameserver, or find the pod
    /// and tenant behind an IP.
    Resolve(resolve::ResolveArgs),
    /// Say where a namespace's alerts go: Barry, e-mail, Microsoft Teams.
    #[command(subcommand)]
    Notify(notify::NotifyCommand),
    /// Ask for cluster-scoped objects (CRDs, StorageClasses) and decide on requests (admins).
    #[command(subcommand)]
    Request(request::RequestCommand),
    /// The kubeconfig credential plugin kubectl runs (not for people).
    #[command(hide = true)]
    Credential(credential::CredentialArgs),
    /// Print a shell completion script.
    Completion(completion::CompletionArgs),
    /// Show the sites in your kubeconfig.
    #[command(subcommand)]
    Site(site::SiteCommand),
    /// Show the versions of ike and of the site's Kubernetes API server.
    Version(version::VersionArgs),
    /// Refresh completion's cached names of a site (started by completion, not for people).
    #[command(name = "__complete-refresh", hide = true)]
    CompleteRefresh(complete::RefreshArgs),
}

impl Cli {
    /// Runs the parsed command line; results go to stdout.
    pub fn run(self, env: &Environment) -> anyhow::Result<ExitStatus> {
        let settings = Settings::resolve(&self.global, env);
        match self.command {
            Command::Login(args) => login::run(args, &settings),
            Command::Whoami(args) => whoami::run(args, &settings),
            Command::Logout(args) => logout::run(args, &settings),
            Command::Account(cmd) => account::run(cmd, &settings),
            Command::Credential(args) => credential::run(args, &settings),
            Command::Tenant(cmd) => tenant::run(cmd, &settings),
            Command::Ns(cmd) => ns::run(cmd, &settings),
            Command::Get(args) => get::run(args, &settings),
            Command::Doctor(args) => doctor::run(args, &settings),
            Command::Pod(cmd) => pod::run(cmd, &settings),
            Command::Expose(args) => expose::run(args, &settings),
            Command::Resolve(args) => resolve::run(args, &settings),
            Command::Notify(cmd) => notify::run(cmd, &settings),
            Command::Request(cmd) => request::run(cmd, &settings),
            Command::Completion(args) => completion::run(args),
            Command::Site(cmd) => site::run(cmd, &settings),
            Command::Version(args) => version::run(args, &settings),
            Command::CompleteRefresh(args) => complete::refresh(args, &settings, env),
        }
    }
}

/// A tokio runtime for commands that talk to a server; commands that do not never pay for one.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
