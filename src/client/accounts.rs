//! Whether an account can be given a role, asked before a command writes it into a tenant, so
//! that naming one that does not exist (or is disabled) changes nothing.
//!
//! Platform admins read the Account itself. Everyone else may not (its status holds enrollment
//! state) and asks the account API (`GET /v1/accounts/{name}`), which answers exists/disabled
//! only. An account API too old to know that question leaves the account unchecked: the command
//! then learns it from the controller's verdict, as before.

use kube::api::Api;

use super::ClientSettings;
use super::account_client;
use crate::api::Account;
use crate::api::wire::AccountLookup;

/// What is known about an account before it is written into a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// It exists and is enabled.
    Usable,
    /// Nobody could say (an older account API): the controller's verdict will.
    Unchecked,
}

/// Why an account cannot be given a role.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// There is no such account.
    #[error(
        "there is no account {0}: a platform admin creates it first with 'ike account create {0} --display-name NAME --email EMAIL'"
    )]
    Missing(String),
    /// The account is disabled or being deleted.
    #[error(
        "account {0} is disabled: a platform admin enables it again with 'ike account enable {0}'"
    )]
    Disabled(String),
}

/// Refuses `account` unless it exists and is enabled; see the module doc for how it is asked.
pub async fn check_usable(
    client: &kube::Client,
    settings: &ClientSettings,
    account: &str,
) -> anyhow::Result<Standing> {
    let accounts: Api<Account> = Api::all(client.clone());
    let lookup = match accounts.get_opt(account).await {
        Ok(found) => AccountLookup {
            account: account.to_string(),
            exists: found.is_some(),
            disabled: found
                .is_some_and(|a| a.spec.disabled || a.metadata.deletion_timestamp.is_some()),
        },
        Err(kube::Error::Api(s)) if s.code == 403 => {
            // Not logged in with ike (a kubeconfig of its own): nobody to ask.
            let Ok((_, _, api)) = settings.account_client() else {
                return Ok(Standing::Unchecked);
            };
            match api.lookup_account(account).await {
                Ok(lookup) => lookup,
                Err(account_client::Error::Server { status, .. }) if status == 404 => {
                    return Ok(Standing::Unchecked);
                }
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "cannot ask the account API about account {account}"
                    )));
                }
            }
        }
        Err(e) => return Err(super::api_error(e, &format!("account {account}"))),
    };
    standing(lookup).map_err(Into::into)
}

/// The answer about an account as a standing or a refusal.
pub fn standing(lookup: AccountLookup) -> Result<Standing, Refusal> {
    match lookup {
        AccountLookup {
            exists: false,
            account,
            ..
        } => Err(Refusal::Missing(account)),
        AccountLookup {
            disabled: true,
            account,
            ..
        } => Err(Refusal::Disabled(account)),
        AccountLookup { .. } => Ok(Standing::Usable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(exists: bool, disabled: bool) -> AccountLookup {
        AccountLookup {
            account: "bob".into(),
            exists,
            disabled,
        }
    }

    #[test]
    fn only_an_existing_enabled_account_may_be_given_a_role() {
        assert_eq!(standing(lookup(true, false)).unwrap(), Standing::Usable);
        assert_eq!(
            standing(lookup(false, false)).unwrap_err().to_string(),
            "there is no account bob: a platform admin creates it first with 'ike account create bob --display-name NAME --email EMAIL'"
        );
        assert_eq!(
            standing(lookup(true, true)).unwrap_err().to_string(),
            "account bob is disabled: a platform admin enables it again with 'ike account enable bob'"
        );
    }
}
