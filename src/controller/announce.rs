//! What a feature tells the platform admins, and the one small interface it goes through: the
//! feature says what happened ([`Announcement`]); whoever reaches the admins ([`Announcer`],
//! implemented by notifications) decides how. Requests announce new requests this way, without
//! knowing Alertmanager.

use std::collections::BTreeMap;
use std::time::SystemTime;

use futures::future::BoxFuture;

/// Something the platform admins should hear of, until `ends`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// What kind of news it is, such as `IkeResourceRequest`.
    pub kind: &'static str,
    /// What it is about. With `kind` they name it: a later announcement with the same ones
    /// updates it, one that ends now withdraws it.
    pub about: BTreeMap<&'static str, String>,
    /// One line.
    pub summary: String,
    /// What to do about it.
    pub description: String,
    /// Until when it holds (now: it is over).
    pub ends: SystemTime,
}

/// Why an announcement did not get through (logged; the feature goes on without it).
#[derive(Debug, thiserror::Error)]
#[error("the announcement did not get through")]
pub struct Undelivered(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// Reaches the platform admins.
pub trait Announcer: Send + Sync {
    /// Who hears announcements, for records such as a request's history: "the platform
    /// admins' notification configs in namespace ike-system".
    fn audience(&self) -> String;

    /// Delivers `announcement` (or its update or end).
    fn announce<'a>(
        &'a self,
        announcement: &'a Announcement,
    ) -> BoxFuture<'a, Result<(), Undelivered>>;
}
