//! Alertmanager's webhook body (version 4): what Alertmanager POSTs to the relay, what the relay
//! forwards to Barry unchanged, and what the Teams card is rendered from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The body of one Alertmanager webhook notification: a group of alerts for one receiver.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    /// The payload format; Alertmanager sends "4".
    pub version: String,
    /// Identifies the alert group (route and group labels); stable across notifications.
    pub group_key: String,
    /// How many alerts `max_alerts` cut off.
    #[serde(default)]
    pub truncated_alerts: u64,
    /// Firing while any alert in the group fires.
    pub status: Status,
    /// The receiver's name in Alertmanager's configuration.
    pub receiver: String,
    /// The labels the group is grouped by.
    #[serde(default)]
    pub group_labels: BTreeMap<String, String>,
    /// The labels every alert in the group has.
    #[serde(default)]
    pub common_labels: BTreeMap<String, String>,
    /// The annotations every alert in the group has.
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    /// Alertmanager's external URL.
    #[serde(rename = "externalURL", default)]
    pub external_url: String,
    /// The alerts.
    pub alerts: Vec<Alert>,
}

/// One alert in a notification.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Firing or resolved.
    pub status: Status,
    /// The alert's labels (`alertname`, `namespace`, `severity`...).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The alert's annotations (`summary`, `description`...).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// When the alert started firing (RFC 3339).
    pub starts_at: String,
    /// When it resolved (RFC 3339); `0001-01-01T00:00:00Z` while it fires.
    #[serde(default)]
    pub ends_at: String,
    /// Link to the expression that fired, in Prometheus.
    #[serde(rename = "generatorURL", default)]
    pub generator_url: String,
    /// Alertmanager's identifier of the label set.
    #[serde(default)]
    pub fingerprint: String,
}

/// Whether alerts fire.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// At least one alert fires.
    Firing,
    /// Every alert has resolved.
    Resolved,
}

impl Status {
    /// "FIRING" or "RESOLVED", as Alertmanager's own templates write it.
    pub fn upper(self) -> &'static str {
        match self {
            Status::Firing => "FIRING",
            Status::Resolved => "RESOLVED",
        }
    }
}

impl Payload {
    /// Drops every alert whose `namespace` label is not `namespace` and says how many it dropped.
    ///
    /// The route tree already sends a receiver only its own namespace's alerts; the relay calls
    /// this as well so that a wrong route (or a hand-edited configuration) cannot carry one
    /// tenant's alerts into another tenant's Barry channel or Teams chat.
    pub fn retain_namespace(&mut self, namespace: &str) -> usize {
        let before = self.alerts.len();
        self.alerts
            .retain(|a| a.labels.get("namespace").map(String::as_str) == Some(namespace));
        before - self.alerts.len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A payload as Alertmanager 0.25 sends it.
    pub(crate) const SAMPLE: &str = r#"{
      "receiver": "tenant/shop/barry/oncall",
      "status": "firing",
      "alerts": [
        {
          "status": "firing",
          "labels": {"alertname": "HighLatency", "namespace": "shop", "severity": "critical"},
          "annotations": {"summary": "p99 above 2 s", "description": "checkout is slow"},
          "startsAt": "2024-05-01T10:00:00.000Z",
          "endsAt": "0001-01-01T00:00:00Z",
          "generatorURL": "http://prometheus:9090/graph?g0.expr=latency",
          "fingerprint": "8f1c4a1b2c3d4e5f"
        }
      ],
      "groupLabels": {"alertname": "HighLatency"},
      "commonLabels": {"alertname": "HighLatency", "namespace": "shop", "severity": "critical"},
      "commonAnnotations": {"summary": "p99 above 2 s", "description": "checkout is slow"},
      "externalURL": "http://alertmanager:9093",
      "version": "4",
      "groupKey": "{}/{namespace=\"shop\"}:{alertname=\"HighLatency\"}",
      "truncatedAlerts": 0
    }"#;

    /// The sample payload, parsed.
    pub(crate) fn sample() -> Payload {
        serde_json::from_str(SAMPLE).unwrap()
    }

    #[test]
    fn alertmanagers_webhook_body_round_trips_with_its_field_names() {
        let payload = sample();
        assert_eq!(payload.status, Status::Firing);
        assert_eq!(
            payload.alerts[0].generator_url,
            "http://prometheus:9090/graph?g0.expr=latency"
        );
        let back: serde_json::Value = serde_json::to_value(&payload).unwrap();
        let original: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn alerts_of_another_namespace_are_dropped_before_forwarding() {
        let mut payload = sample();
        let mut foreign = payload.alerts[0].clone();
        foreign.labels.insert("namespace".into(), "bank".into());
        let mut unlabelled = payload.alerts[0].clone();
        unlabelled.labels.remove("namespace");
        payload.alerts.extend([foreign, unlabelled]);
        assert_eq!(payload.retain_namespace("shop"), 2);
        assert_eq!(payload.alerts.len(), 1);
    }
}
