//! `Site`: the site's own policy, one object named `site` that platform admins edit and every
//! account may read. The controller and its webhooks follow it from a watch, so a change takes
//! effect without a restart. Each capability owns one section.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The name of the one Site object the controller reads.
pub const SITE_NAME: &str = "site";

/// The site's policy. Only the object named `site` counts; without it every default applies.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "ike.dev",
    version = "v1alpha1",
    kind = "Site",
    shortname = "sites"
)]
#[serde(rename_all = "camelCase")]
pub struct SiteSpec {
    /// What tenants may create in their namespaces beyond what RBAC says (admission policy).
    #[serde(default)]
    pub tenants: TenantPolicy,
    /// IKE Office: DNS names for pods, on sites whose pod network reaches the office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<OfficeSpec>,
}

/// The admission policy for tenant namespaces.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantPolicy {}

/// IKE Office.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfficeSpec {}

impl Site {
    /// The site's policy from the objects a store holds: the one named [`SITE_NAME`], else the
    /// defaults.
    pub fn policy<'a>(sites: impl IntoIterator<Item = &'a Site>) -> SiteSpec {
        sites
            .into_iter()
            .find(|s| s.metadata.name.as_deref() == Some(SITE_NAME))
            .map(|s| s.spec.clone())
            .unwrap_or_default()
    }
}
