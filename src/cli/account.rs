//! `ike account`: platform admins manage accounts and hand out enrollment tokens.

use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use clap_complete::engine::ArgValueCompleter;
use serde::Serialize;

use super::output::{Tabular, print, print_object};
use super::settings::Settings;
use super::{OutputArgs, WriteArgs};
use crate::api::names;
use crate::api::wire::{TokenRequest, TokenResponse};
use crate::api::{Account, AccountSpec};
use crate::cli::exit::ExitStatus;
use crate::client::account_client::AccountClient;
use crate::client::{Target, accounts};

/// `ike account ...`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account and print its one-time enrollment token.
    Create(CreateArgs),
    /// List the accounts.
    List(ReadArgs),
    /// Show one account.
    Show(ShowArgs),
    /// Disable an account: no more certificates, every role binding gone at once.
    Disable(NameArgs),
    /// Enable a disabled account again.
    Enable(NameArgs),
    /// Delete an account.
    Delete(DeleteArgs),
    /// Make a new one-time enrollment token for an account.
    Token(TokenArgs),
    /// Revoke every certificate issued to an account until now (a lost or stolen device): none
    /// of them renews any more; each device logs in again with a new token.
    RevokeCertificates(NameArgs),
}

/// Arguments of `ike account create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The account name: the Kubernetes user name (lower-case, e.g. alice).
    pub name: String,
    /// The person's name.
    #[arg(long, value_name = "NAME")]
    pub display_name: Option<String>,
    /// The person's e-mail.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Make the account a platform admin.
    #[arg(long)]
    pub admin: bool,
    /// Enrollment token lifetime (60s to 7d).
    #[arg(long, value_parser = token_ttl, default_value = "24h", value_name = "DURATION")]
    pub token_ttl: Duration,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `-o` only.
#[derive(Debug, Args)]
pub struct ReadArgs {
    #[command(flatten)]
    output: OutputArgs,
}

/// Arguments of `ike account show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The account.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts))]
    pub name: String,
    #[command(flatten)]
    output: OutputArgs,
}

/// An account name and `--dry-run`.
#[derive(Debug, Args)]
pub struct NameArgs {
    /// The account.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts))]
    pub name: String,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `ike account delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The account.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts))]
    pub name: String,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `ike account token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The account.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::accounts))]
    pub name: String,
    /// Token lifetime (60s to 7d).
    #[arg(long, value_parser = token_ttl, default_value = "24h", value_name = "DURATION")]
    pub ttl: Duration,
    /// Also revoke every certificate issued to the account until now (a lost device: the new
    /// token is for its replacement).
    #[arg(long)]
    pub revoke_certificates: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// A token lifetime as given on the command line: a duration the account API accepts.
fn token_ttl(text: &str) -> Result<Duration, String> {
    let ttl = crate::util::time::parse_duration(text)?;
    crate::api::wire::token_ttl(ttl.as_secs()).map_err(String::from)
}

/// Accounts as `list` shows them.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct AccountList(pub Vec<Account>);

impl Tabular for AccountList {
    fn headers(&self) -> Vec<&'static str> {
        vec![
            "name",
            "display name",
            "e-mail",
            "admin",
            "disabled",
            "tenants",
            "cert expires",
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .iter()
            .map(|a| {
                let status = a.status.clone().unwrap_or_default();
                vec![
                    a.metadata.name.clone().unwrap_or_default(),
                    a.spec.display_name.clone().unwrap_or_default(),
                    a.spec.email.clone().unwrap_or_default(),
                    a.spec.admin.to_string(),
                    a.spec.disabled.to_string(),
                    status.tenants.len().to_string(),
                    status
                        .certificates
                        .last()
                        .map(|c| c.not_after.clone())
                        .unwrap_or_else(|| "-".into()),
                ]
            })
            .collect()
    }
}

/// A new token and how to use it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    /// The account.
    pub account: String,
    /// The token (shown once).
    pub token: String,
    /// Its expiry.
    pub expires_at: String,
    /// The command the account's owner runs.
    pub login_command: String,
}

impl Tabular for NewToken {
    fn headers(&self) -> Vec<&'static str> {
        vec!["account", "token expires", "login command"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        vec![vec![
            self.account.clone(),
            self.expires_at.clone(),
            self.login_command.clone(),
        ]]
    }
}

/// Runs `ike account ...`.
pub fn run(cmd: AccountCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    super::runtime()?.block_on(run_async(cmd, settings))
}

async fn run_async(cmd: AccountCommand, settings: &Settings) -> anyhow::Result<ExitStatus> {
    match cmd {
        AccountCommand::Create(args) => {
            names::check_account(&args.name)?;
            let target = settings.target().await?;
            let mut account = Account::new(
                &args.name,
                AccountSpec {
                    display_name: args.display_name,
                    email: args.email,
                    disabled: false,
                    admin: args.admin,
                    certificates_valid_after: None,
                },
            );
            account.metadata.labels = None;
            // The token is made by the account API once the account exists: find it (and its CA
            // for the login command) before writing, so that a command that fails here changes
            // nothing.
            let tokens = TokenMaker::new(&target).map_err(|e| {
                anyhow::anyhow!(
                    "account {} would get no enrollment token, so nothing was created: {e:#}",
                    args.name
                )
            })?;
            let created = accounts::create(&target, &account, args.write.dry_run).await?;
            if args.write.dry_run {
                print_object(args.output.format, &created)?;
                return Ok(ExitStatus::Success);
            }
            eprintln!("Account {} created.", args.name);
            let token = tokens
                .make(&args.name, args.token_ttl)
                .await
                .with_context(|| {
                    format!(
                        "account {0} was created without a token: make one with 'ike account token {0}'",
                        args.name
                    )
                })?;
            print(args.output.format, &token, settings)?;
        }
        AccountCommand::List(args) => {
            let list = accounts::list(&settings.target().await?).await?;
            print(args.output.format, &AccountList(list), settings)?;
        }
        AccountCommand::Show(args) => {
            let account = accounts::get(&settings.target().await?, &args.name).await?;
            print_object(args.output.format, &account)?;
        }
        AccountCommand::Disable(args) => set_disabled(settings, &args, true).await?,
        AccountCommand::Enable(args) => set_disabled(settings, &args, false).await?,
        AccountCommand::Delete(args) => {
            if !args.yes {
                if !settings.interactive {
                    anyhow::bail!(
                        "deleting account {} needs confirmation: pass --yes",
                        args.name
                    );
                }
                let sure = dialoguer::Confirm::new()
                    .with_prompt(format!(
                        "Delete account {}? It loses every certificate renewal and role.",
                        args.name
                    ))
                    .default(false)
                    .interact()?;
                if !sure {
                    eprintln!("Nothing deleted.");
                    return Ok(ExitStatus::Failure);
                }
            }
            let target = settings.target().await?;
            accounts::delete(&target, &args.name, args.write.dry_run).await?;
            eprintln!(
                "Account {} {}.",
                args.name,
                if args.write.dry_run {
                    "would be deleted (dry run)"
                } else {
                    "deleted"
                }
            );
        }
        AccountCommand::Token(args) => {
            let target = settings.target().await?;
            // Before the revocation writes: the account API that makes the token.
            let tokens = TokenMaker::new(&target)?;
            if args.revoke_certificates {
                revoke_certificates(&target, &args.name, false).await?;
            }
            let token = tokens.make(&args.name, args.ttl).await?;
            print(args.output.format, &token, settings)?;
        }
        AccountCommand::RevokeCertificates(args) => {
            names::check_account(&args.name)?;
            let target = settings.target().await?;
            revoke_certificates(&target, &args.name, args.write.dry_run).await?;
        }
    }
    Ok(ExitStatus::Success)
}

async fn set_disabled(settings: &Settings, args: &NameArgs, disabled: bool) -> anyhow::Result<()> {
    let target = settings.target().await?;
    accounts::set_disabled(&target, &args.name, disabled, args.write.dry_run).await?;
    let verb = if disabled { "disabled" } else { "enabled" };
    if args.write.dry_run {
        eprintln!("Account {} would be {verb} (dry run).", args.name);
    } else {
        eprintln!("Account {} {verb}.", args.name);
    }
    Ok(())
}

/// Revokes the certificates of account `name` issued until now, and says what that means.
async fn revoke_certificates(target: &Target, name: &str, dry_run: bool) -> anyhow::Result<()> {
    names::check_account(name)?;
    let at = accounts::revoke_certificates(target, name, dry_run).await?;
    if dry_run {
        eprintln!("Certificates of account {name} issued before {at} would be revoked (dry run).");
    } else {
        eprintln!(
            "Certificates of account {name} issued before {at} are revoked: they renew no more. One already issued still works with the cluster until it expires; to cut the account off at once, run 'ike account disable {name}'."
        );
    }
    Ok(())
}

/// What makes enrollment tokens and the login command that goes with one: the account API of
/// the site ike is logged in to, and the pin of its CA.
struct TokenMaker {
    site: String,
    account_api: String,
    ca_pin: String,
    client: AccountClient,
}

impl TokenMaker {
    fn new(target: &Target) -> anyhow::Result<Self> {
        let site = target.site()?;
        let (files, client) = site.account_client()?;
        let site = site.name.clone();
        Ok(Self {
            ca_pin: crate::pki::ca_pin(&files.ca_pem)?,
            account_api: files.settings.account_api,
            site,
            client,
        })
    }

    /// A new enrollment token for `account`, living `ttl`.
    async fn make(&self, account: &str, ttl: Duration) -> anyhow::Result<NewToken> {
        let TokenResponse { token, expires_at } = self
            .client
            .create_token(
                account,
                &TokenRequest {
                    ttl_seconds: Some(ttl.as_secs()),
                },
            )
            .await
            .with_context(|| format!("cannot make an enrollment token for {account}"))?;
        Ok(NewToken {
            account: account.to_string(),
            login_command: format!(
                "ike login --site {} --server {} --ca-pin {} --token {token}",
                self.site, self.account_api, self.ca_pin
            ),
            token,
            expires_at,
        })
    }
}
