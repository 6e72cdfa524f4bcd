//! Announcements to the platform admins: an alert to Alertmanager for the controller's
//! namespace, so the notification configs there (the admins' Barry channel, e-mail, Teams) hear
//! of it, and resolved when the announcement ends.

use std::time::SystemTime;

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::alertmanager_api::Alertmanager;
use crate::controller::announce::{Announcement, Announcer, Undelivered};
use crate::util::time::rfc3339;

/// The platform admins as notifications reach them.
pub struct Admins {
    /// Alertmanager.
    pub alertmanager: Alertmanager,
    /// The controller's namespace, where the admins' notification configs live.
    pub controller_namespace: String,
}

impl Admins {
    /// `announcement` as Alertmanager's `POST /api/v2/alerts` takes it.
    pub fn alerts(&self, announcement: &Announcement) -> Value {
        let mut labels = json!({
            "alertname": announcement.kind,
            "namespace": self.controller_namespace,
            "severity": "info",
        });
        for (key, value) in &announcement.about {
            labels[*key] = json!(value);
        }
        json!([{
            "labels": labels,
            "annotations": {
                "summary": announcement.summary,
                "description": announcement.description,
            },
            "startsAt": rfc3339(SystemTime::now()),
            "endsAt": rfc3339(announcement.ends),
        }])
    }
}

impl Announcer for Admins {
    fn audience(&self) -> String {
        format!(
            "the platform admins' notification configs in namespace {}",
            self.controller_namespace
        )
    }

    fn announce<'a>(
        &'a self,
        announcement: &'a Announcement,
    ) -> BoxFuture<'a, Result<(), Undelivered>> {
        Box::pin(async move {
            self.alertmanager
                .post_alerts(&self.alerts(announcement))
                .await
                .map_err(|e| Undelivered(Box::new(e)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_is_an_alert_for_the_admins_namespace() {
        let admins = Admins {
            alertmanager: Alertmanager::new("http://127.0.0.1:1", rustls::RootCertStore::empty()),
            controller_namespace: "ike-system".into(),
        };
        let a = admins.alerts(&Announcement {
            kind: "IkeResourceRequest",
            about: [("tenant", "a".to_string()), ("request", "a-prod/sc".into())].into(),
            summary: "s".into(),
            description: "d".into(),
            ends: SystemTime::now(),
        });
        assert_eq!(a[0]["labels"]["alertname"], "IkeResourceRequest");
        assert_eq!(a[0]["labels"]["namespace"], "ike-system");
        assert_eq!(a[0]["labels"]["severity"], "info");
        assert_eq!(a[0]["labels"]["tenant"], "a");
        assert_eq!(a[0]["labels"]["request"], "a-prod/sc");
        assert_eq!(a[0]["annotations"]["description"], "d");
        assert!(admins.audience().ends_with("in namespace ike-system"));
    }
}
