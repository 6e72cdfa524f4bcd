//! The first platform admin: created with a one-time enrollment token at start-up, and the token
//! handed to whoever started the controller through a 0600 file, never a log (a container's
//! output is a log).

use std::time::SystemTime;

use kube::Api;
use kube::api::PostParams;

use super::account_api::{self, tokens};
use crate::api::consts::CONTROLLER_MANAGER;
use crate::api::names;
use crate::api::{Account, AccountSpec};

/// Makes sure the first admin can log in.
///
/// - No Account `name`: creates it with `admin: true`, stores a new enrollment token's hash (24 h)
///   and returns the token.
/// - An admin Account that has never been issued a certificate (a bootstrap whose token was
///   lost, expired or never stored): replaces its pending token with a new one and returns it,
///   unless `published` (the token handed out before) is still pending and unexpired.
/// - Otherwise (the admin has enrolled, or the Account is not an admin): `None`, nothing changes.
///   Only another admin (`POST /v1/accounts/{name}/token`) can then make a token.
///
/// A restart with nothing to do writes nothing. The token is a secret: hand it out only with
/// [`publish_bootstrap_token`].
pub async fn bootstrap_admin(
    client: kube::Client,
    name: &str,
    published: Option<&str>,
) -> Result<Option<String>, account_api::Error> {
    names::check_account(name).map_err(account_api::Error::InvalidName)?;
    let accounts: Api<Account> = Api::all(client);
    let kube_err = |action: &str| {
        let action = format!("{action} Account {name}");
        move |source| account_api::Error::Kube { action, source }
    };
    let existing = accounts.get_opt(name).await.map_err(kube_err("read"))?;
    match existing {
        Some(account) => {
            let status = account.status.unwrap_or_default();
            if !account.spec.admin || !status.certificates.is_empty() {
                return Ok(None);
            }
            let still_pending = status.enrollment.as_ref().is_some_and(|e| {
                published.is_some_and(|t| tokens::hash_matches(&tokens::hash(t), &e.token_hash))
                    && crate::util::time::parse_rfc3339(&e.expires_at)
                        .is_some_and(|at| at > SystemTime::now())
            });
            if still_pending {
                return Ok(None);
            }
        }
        None => {
            let account = Account::new(
                name,
                AccountSpec {
                    display_name: Some(name.to_string()),
                    admin: true,
                    ..AccountSpec::default()
                },
            );
            let params = PostParams {
                field_manager: Some(CONTROLLER_MANAGER.to_string()),
                ..PostParams::default()
            };
            match accounts.create(&params, &account).await {
                Ok(_) => tracing::info!(account = name, "created the bootstrap admin account"),
                // Another replica created it in the meantime: it owns the token.
                Err(kube::Error::Api(s)) if s.is_already_exists() => return Ok(None),
                Err(e) => return Err(kube_err("create")(e)),
            }
        }
    }
    let (token, enrollment) = tokens::new_enrollment(tokens::DEFAULT_LIFETIME, SystemTime::now())
        .map_err(account_api::Error::Random)?;
    tokens::store_enrollment(&accounts, name, &enrollment)
        .await
        .map_err(kube_err("store the enrollment token of"))?;
    Ok(Some(token))
}

/// The first admin's token could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the bootstrap token to {}", path.display())]
pub struct TokenFileError {
    /// The file.
    pub path: std::path::PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Hands the first admin's token to whoever started the controller: the 0600 file `path`, and
/// only there (the log says where it is, never what it is).
pub fn publish_bootstrap_token(
    name: &str,
    token: Option<&str>,
    path: &std::path::Path,
) -> Result<(), TokenFileError> {
    let Some(token) = token else {
        tracing::info!(
            account = name,
            "bootstrap admin already enrolled or its token still pending; no new token"
        );
        return Ok(());
    };
    crate::util::fs::write_atomic(path, format!("{token}\n").as_bytes()).map_err(|source| {
        TokenFileError {
            path: path.to_path_buf(),
            source,
        }
    })?;
    tracing::info!(account = name, file = %path.display(), "bootstrap admin's one-time token written");
    Ok(())
}

/// The token a previous start wrote to `path`, if any.
pub fn published_token(path: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let token = text.trim();
    (!token.is_empty()).then(|| token.to_string())
}
