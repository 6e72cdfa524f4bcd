//! `ike whoami`: the account, site, tenants and roles, and the certificate in use.

use clap::Args;
use serde::Serialize;

use super::OutputArgs;
use super::output::Tabular;
use super::settings::Settings;
use crate::api::TenantRole;
use crate::cli::exit::ExitStatus;
use crate::client::Site;

/// Arguments of `ike whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    output: OutputArgs,
}

/// The result of `ike whoami`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Whoami {
    /// The account.
    pub account: String,
    /// Display name.
    pub display_name: String,
    /// Platform admin.
    pub admin: bool,
    /// The site.
    pub site: String,
    /// The kube-apiserver.
    pub server: String,
    /// The account API.
    pub account_api: String,
    /// Tenants and roles.
    pub tenants: Vec<TenantRole>,
    /// The certificate's serial.
    pub serial: String,
    /// The certificate's expiry, RFC 3339.
    pub expires: String,
}

impl Tabular for Whoami {
    fn headers(&self) -> Vec<&'static str> {
        vec!["field", "value"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let tenants = if self.tenants.is_empty() {
            "(none)".to_string()
        } else {
            self.tenants
                .iter()
                .map(|t| format!("{} ({})", t.tenant, t.role))
                .collect::<Vec<_>>()
                .join(", ")
        };
        [
            ("account", self.account.clone()),
            ("name", self.display_name.clone()),
            ("admin", self.admin.to_string()),
            ("site", self.site.clone()),
            ("server", self.server.clone()),
            ("account api", self.account_api.clone()),
            ("tenants", tenants),
            ("certificate", self.serial.clone()),
            ("expires", self.expires.clone()),
        ]
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect()
    }
}

/// Runs `ike whoami`.
pub fn run(args: WhoamiArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let site = Site::resolve(&settings.client)?;
    let files = site.files()?;
    let info = crate::pki::cert_info(&files.cert_pem)?;
    let who = super::runtime()?.block_on(site.whoami())?;
    let result = Whoami {
        account: who.account,
        display_name: who.display_name,
        admin: who.admin,
        site: site.name,
        server: files.settings.api_server,
        account_api: files.settings.account_api,
        tenants: who.tenants,
        serial: info.serial,
        expires: crate::util::time::rfc3339(info.not_after),
    };
    super::output::print(args.output.format, &result, settings)?;
    Ok(ExitStatus::Success)
}
