//! Whether an account can be given a role, asked before a command writes it into a tenant, so
//! that naming one that does not exist (or is disabled) changes nothing.
//!
//! Platform admins read the Account itself. Everyone else may not (its status holds enrollment
//! state) and asks the account API (`GET /v1/accounts/{name}`), which answers exists/disabled
//! only. An account API too old to know that question leaves the account unchecked: the command
//! then learns it from the controller's verdict, as before.

use kube::ResourceExt as _;
use kube::api::{Api, DeleteParams, ListParams, Patch};

use super::Target;
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
pub async fn check_usable(target: &Target, account: &str) -> anyhow::Result<Standing> {
    let accounts: Api<Account> = target.all();
    let lookup = match accounts.get_opt(account).await {
        Ok(found) => AccountLookup {
            account: account.to_string(),
            exists: found.is_some(),
            disabled: found
                .is_some_and(|a| a.spec.disabled || a.metadata.deletion_timestamp.is_some()),
        },
        Err(kube::Error::Api(s)) if s.code == 403 => {
            // Not logged in with ike (a kubeconfig of its own): nobody to ask.
            let Some(Ok((_, api))) = target.site.as_ref().map(|s| s.account_client()) else {
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

/// Creates `account` (or checks it, with a server-side dry run).
pub async fn create(target: &Target, account: &Account, dry_run: bool) -> anyhow::Result<Account> {
    let name = account.name_any();
    target
        .all::<Account>()
        .create(&crate::client::post_params(dry_run), account)
        .await
        .map_err(|e| super::api_error(e, &format!("account {name}")))
}

/// Every account (platform admins).
pub async fn list(target: &Target) -> anyhow::Result<Vec<Account>> {
    let list = target
        .all::<Account>()
        .list(&ListParams::default())
        .await
        .map_err(|e| super::api_error(e, "accounts"))?;
    Ok(list.items)
}

/// Account `name`.
pub async fn get(target: &Target, name: &str) -> anyhow::Result<Account> {
    target
        .all::<Account>()
        .get(name)
        .await
        .map_err(|e| super::api_error(e, &format!("account {name}")))
}

/// Disables or enables account `name`.
pub async fn set_disabled(
    target: &Target,
    name: &str,
    disabled: bool,
    dry_run: bool,
) -> anyhow::Result<()> {
    let patch = serde_json::json!({ "spec": { "disabled": disabled } });
    target
        .all::<Account>()
        .patch(
            name,
            &crate::client::patch_params(dry_run),
            &Patch::Merge(&patch),
        )
        .await
        .map_err(|e| super::api_error(e, &format!("account {name}")))?;
    Ok(())
}

/// Deletes account `name`.
pub async fn delete(target: &Target, name: &str, dry_run: bool) -> anyhow::Result<()> {
    let params = DeleteParams {
        dry_run,
        ..Default::default()
    };
    target
        .all::<Account>()
        .delete(name, &params)
        .await
        .map_err(|e| super::api_error(e, &format!("account {name}")))?;
    Ok(())
}

/// Moves the account's `certificatesValidAfter` past every certificate issued until now (see
/// [`crate::pki::revoking_valid_after`]) and returns it; the account API dates the ones it
/// issues from then on no earlier. The patch names the resourceVersion it read, so two
/// revocations at once cannot both start from the same old value.
pub async fn revoke_certificates(
    target: &Target,
    name: &str,
    dry_run: bool,
) -> anyhow::Result<String> {
    let api: Api<Account> = target.all();
    // A status write (a renewal being recorded) between the read and the patch makes the
    // precondition fail: read again and start from the new value, a few times.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let account = api
            .get(name)
            .await
            .map_err(|e| super::api_error(e, &format!("account {name}")))?;
        let current = account
            .spec
            .certificates_valid_after
            .as_deref()
            .and_then(crate::util::time::parse_rfc3339);
        let at = crate::util::time::rfc3339(crate::pki::revoking_valid_after(
            current,
            std::time::SystemTime::now(),
        ));
        let patch = serde_json::json!({
            "metadata": { "resourceVersion": account.metadata.resource_version },
            "spec": { "certificatesValidAfter": at },
        });
        match api
            .patch(
                name,
                &crate::client::patch_params(dry_run),
                &Patch::Merge(&patch),
            )
            .await
        {
            Ok(_) => return Ok(at),
            Err(kube::Error::Api(e)) if e.code == 409 && attempts < 5 => continue,
            Err(e) => return Err(super::api_error(e, &format!("account {name}"))),
        }
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
