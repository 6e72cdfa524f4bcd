//! `Account`: one person who can log in to a site.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Role;

/// A person who can log in to this site. The object's name is the Kubernetes user name: the
/// common name of every certificate issued to the account.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "ike.dev",
    version = "v1alpha1",
    kind = "Account",
    status = "AccountStatus",
    shortname = "acct",
    printcolumn = r#"{"name":"Display name","type":"string","jsonPath":".spec.displayName"}"#,
    printcolumn = r#"{"name":"E-mail","type":"string","jsonPath":".spec.email"}"#,
    printcolumn = r#"{"name":"Admin","type":"boolean","jsonPath":".spec.admin"}"#,
    printcolumn = r#"{"name":"Disabled","type":"boolean","jsonPath":".spec.disabled"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct AccountSpec {
    /// The person's name as shown to other people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Where the platform reaches the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A disabled account gets no certificate and loses every role binding at once.
    #[serde(default)]
    pub disabled: bool,
    /// A platform admin manages accounts and tenants on this site.
    #[serde(default)]
    pub admin: bool,
    /// Certificates issued before this moment (RFC 3339) are neither renewed nor answered by
    /// the account API: `ike account revoke-certificates` sets it to now, to cut off a lost
    /// device. They still work with kube-apiserver until they expire; disabling the account
    /// removes its access at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates_valid_after: Option<String>,
}

/// What the controller observed about an account.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountStatus {
    /// The tenants the account belongs to and its role in each.
    #[serde(default)]
    pub tenants: Vec<TenantRole>,
    /// The certificates issued to the account that have not expired yet, newest last.
    #[serde(default)]
    pub certificates: Vec<IssuedCertificate>,
    /// The pending enrollment token, stored only as a hash; removed when redeemed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment: Option<Enrollment>,
}

/// A one-time enrollment token waiting to be redeemed.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrollment {
    /// SHA-256 of the token, lower-case hex. The token itself is never stored.
    pub token_hash: String,
    /// When the token stops being accepted (RFC 3339).
    pub expires_at: String,
}

/// The account's role in one tenant.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantRole {
    /// The tenant's name.
    pub tenant: String,
    /// The account's role in that tenant.
    pub role: Role,
}

/// One certificate issued to the account.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedCertificate {
    /// Serial number, lower-case hex.
    pub serial: String,
    /// When the certificate stops being valid (RFC 3339).
    pub not_after: String,
}
