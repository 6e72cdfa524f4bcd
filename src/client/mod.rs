//! The client side of ike, without a command line: which site and cluster a command talks to
//! ([`Target`], resolved once), the kubeconfig, the files `ike login` keeps per site, the
//! account API client, the account's certificate, and the tenant operations several commands
//! share. No clap and no printing: results, and errors that say in one line what to do, go back
//! to the caller.

pub mod account_client;
pub mod accounts;
pub mod direct;
pub mod every_site;
pub mod get;
pub mod identity;
pub mod kubeconfig;
pub mod names;
pub mod notify;
pub mod office;
pub mod pods;
pub mod renewing;
pub mod requests;
pub mod resolve;
pub mod site_files;
pub mod table;
pub mod target;
pub mod tenant_access;
pub mod tenant_objects;
pub mod tenants;

use kube::api::{PatchParams, PostParams};

pub use target::{ClientSettings, Site, Target};

/// A change was accepted but what it asked for is not in effect: the controller reported it not
/// ready or not applied, or did not report within the wait. Not an error of the call; the
/// command ends with exit status 5 (`cli::exit::ExitStatus::NotDone`) instead of 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotDone(String);

impl NotDone {
    /// What is not done, and how to follow it, in one line.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Returns early with a [`NotDone`] error built like `format!`.
#[macro_export]
macro_rules! not_done {
    ($($arg:tt)*) => {
        return Err($crate::client::NotDone::new(format!($($arg)*)).into())
    };
}

/// Parameters of a create or replace by ike: its field manager, and a server-side dry run when
/// asked.
pub fn post_params(dry_run: bool) -> PostParams {
    PostParams {
        dry_run,
        field_manager: Some(crate::api::consts::CLI_MANAGER.into()),
    }
}

/// Parameters of a patch by ike: its field manager, and a server-side dry run when asked.
pub fn patch_params(dry_run: bool) -> PatchParams {
    PatchParams {
        dry_run,
        field_manager: Some(crate::api::consts::CLI_MANAGER.into()),
        ..Default::default()
    }
}

/// Turns an API error into one line a user can act on.
pub fn api_error(err: kube::Error, what: &str) -> anyhow::Error {
    match &err {
        kube::Error::Api(status) => match status.code {
            401 => anyhow::anyhow!(
                "{what}: {} (run 'ike login' to renew your certificate)",
                status.message
            ),
            403 => anyhow::anyhow!(
                "{what}: {} (your account may not do this; 'ike whoami' shows your roles)",
                status.message
            ),
            404 => anyhow::anyhow!("{what} not found"),
            409 => anyhow::anyhow!(
                "{what} already exists or was changed meanwhile: {}",
                status.message
            ),
            _ => anyhow::anyhow!("{what}: {}", status.message),
        },
        _ => anyhow::Error::new(err).context(format!("cannot reach the cluster for {what}")),
    }
}

/// Whether RBAC refused the request. The API server answers 403 for an admission webhook's
/// refusal too, but that one says what is wrong with the object, not who may change it.
pub fn refused_by_rbac(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 403 && !s.message.contains("admission webhook"))
}
