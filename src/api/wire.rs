//! The account API's JSON bodies, shared by the server (`controller::account_api`) and the
//! client (`account_client`) so the two cannot disagree.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::TenantRole;

/// `POST /v1/enroll`: redeem a one-time token for a first certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollRequest {
    /// The enrollment token an admin handed out.
    pub token: String,
    /// A PEM certificate signing request; its key never leaves the user's machine.
    pub csr: String,
    /// Ask for a shorter lifetime than the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
}

/// `POST /v1/renew`: a new certificate for the caller's current one (mTLS).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewRequest {
    /// A PEM certificate signing request.
    pub csr: String,
    /// Ask for a shorter lifetime than the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
}

/// The answer to enroll and renew.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueResponse {
    /// The account the certificate is for (its CN).
    pub account: String,
    /// The client certificate, PEM.
    pub certificate: String,
    /// The cluster CA, PEM: it signs the API server's certificate and the client certificates.
    pub ca_certificate: String,
    /// The kube-apiserver URL for the kubeconfig.
    pub api_server: String,
    /// The site's name.
    pub site: String,
    /// Serial number, lower-case hex.
    pub serial: String,
    /// Expiry, RFC 3339.
    pub not_after: String,
}

/// The shortest lifetime of an enrollment token.
pub const MIN_TOKEN_TTL: Duration = Duration::from_secs(60);
/// The longest lifetime of an enrollment token an admin can ask for.
pub const MAX_TOKEN_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// An enrollment token's lifetime of `seconds`, if a token may live that long. The account API
/// refuses any other, and `ike` before it asks, so that `ike account create` does not create an
/// account it then cannot make a token for.
pub fn token_ttl(seconds: u64) -> Result<Duration, &'static str> {
    let ttl = Duration::from_secs(seconds);
    if (MIN_TOKEN_TTL..=MAX_TOKEN_TTL).contains(&ttl) {
        Ok(ttl)
    } else {
        Err("a token lives from 60 s to 7 days")
    }
}

/// `POST /v1/accounts/{name}/token`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    /// Token lifetime; default 24 h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
}

/// A new enrollment token. Shown once; the server keeps only its hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// The token.
    pub token: String,
    /// When it stops being accepted, RFC 3339.
    pub expires_at: String,
}

/// `GET /v1/whoami`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoamiResponse {
    /// The caller's account.
    pub account: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Platform admin.
    #[serde(default)]
    pub admin: bool,
    /// Disabled.
    #[serde(default)]
    pub disabled: bool,
    /// Tenants and roles.
    #[serde(default)]
    pub tenants: Vec<TenantRole>,
}

/// `GET /v1/accounts/{name}`: whether an account can be given a role, for a tenant owner adding
/// a member (owners may not read Accounts, whose status holds enrollment state). Any logged-in
/// account may ask; the answer says nothing else about the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountLookup {
    /// The account asked about.
    pub account: String,
    /// Whether it exists.
    pub exists: bool,
    /// Whether it is disabled or being deleted: it gets no roles.
    #[serde(default)]
    pub disabled: bool,
}

/// Every error the account API returns: one line that says what to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The message.
    pub error: String,
}
