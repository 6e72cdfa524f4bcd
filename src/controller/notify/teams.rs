//! Microsoft Teams through a Workflows webhook: the Adaptive Card a notification becomes, the
//! check that a tenant's URL is a Workflows URL and not a retired Office 365 connector, and
//! posting the card.
//!
//! The card is built from the notification alone, never from the URL, which is a secret (it
//! carries its own signature): neither the card nor any error here contains it.

use hyper::{Method, StatusCode, Uri};
use serde_json::{Value, json};

use super::http;
use super::payload::{Alert, Payload, Status};
use crate::api::condition;

/// The most alerts one card lists; Teams refuses cards over about 28 KB.
pub const MAX_ALERTS: usize = 10;
/// The longest annotation or label value on a card, in characters.
const MAX_TEXT: usize = 1000;

/// The Teams message (one Adaptive Card 1.4) for one Alertmanager notification.
pub fn card(payload: &Payload) -> Value {
    let firing = payload.status == Status::Firing;
    let (style, color) = if firing {
        ("attention", "Attention")
    } else {
        ("good", "Good")
    };
    let mut body = vec![json!({
        "type": "Container",
        "style": style,
        "bleed": true,
        "items": [{
            "type": "TextBlock",
            "text": title(payload),
            "size": "Large",
            "weight": "Bolder",
            "color": color,
            "wrap": true,
        }],
    })];
    body.extend(payload.alerts.iter().take(MAX_ALERTS).map(alert));
    if payload.alerts.len() > MAX_ALERTS {
        body.push(json!({
            "type": "TextBlock",
            "text": format!("… and {} more alerts", payload.alerts.len() - MAX_ALERTS),
            "isSubtle": true,
            "wrap": true,
        }));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": { "width": "Full" },
                "body": body,
            },
        }],
    })
}

/// `[FIRING:2] HighLatency`, as Alertmanager's own subject lines read.
fn title(payload: &Payload) -> String {
    let status = match payload.status {
        Status::Firing => {
            let n = payload
                .alerts
                .iter()
                .filter(|a| a.status == Status::Firing)
                .count();
            format!("FIRING:{n}")
        }
        Status::Resolved => "RESOLVED".to_string(),
    };
    let name = payload
        .common_labels
        .get("alertname")
        .cloned()
        .unwrap_or_else(|| {
            let values: Vec<&str> = payload.group_labels.values().map(String::as_str).collect();
            values.join(" ")
        });
    format!("[{status}] {name}")
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

fn alert(alert: &Alert) -> Value {
    let mut items = Vec::new();
    let heading = alert
        .annotations
        .get("summary")
        .or_else(|| alert.labels.get("alertname"));
    if let Some(summary) = heading {
        let color = match alert.status {
            Status::Firing => "Attention",
            Status::Resolved => "Good",
        };
        let text = format!("{}: {}", alert.status.upper(), clip(summary));
        items.push(json!({"type": "TextBlock", "text": text, "weight": "Bolder", "color": color, "wrap": true}));
    }
    if let Some(description) = alert.annotations.get("description") {
        items.push(json!({"type": "TextBlock", "text": clip(description), "wrap": true}));
    }
    let facts: Vec<Value> = alert
        .labels
        .iter()
        .map(|(k, v)| json!({"title": k, "value": clip(v)}))
        .collect();
    items.push(json!({"type": "FactSet", "facts": facts}));
    // Teams drops a whole card whose OpenUrl is not an absolute http(s) URL.
    let link = alert
        .generator_url
        .parse::<Uri>()
        .ok()
        .filter(|u| matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some());
    if link.is_some() {
        items.push(json!({
            "type": "ActionSet",
            "actions": [{"type": "Action.OpenUrl", "title": "Open in Prometheus", "url": alert.generator_url}],
        }));
    }
    json!({"type": "Container", "separator": true, "items": items})
}

pub use crate::api::{check_webhook_url, is_legacy_connector_url};

/// Why a card could not be posted; no variant carries the URL, nor what Teams answered beyond
/// its status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL leads where this site does not send.
    #[error("the Teams webhook URL was not used")]
    Destination(#[source] crate::api::Refusal),
    /// Teams did not answer, timed out or answered 5xx, on every attempt.
    #[error("cannot reach the Teams webhook")]
    Unreachable(#[source] http::Error),
    /// The webhook refused the card (4xx) or redirected it: a deleted workflow, a bad
    /// signature, a bad card.
    #[error("the Teams webhook rejected the card (HTTP {status})")]
    Rejected {
        /// The status.
        status: StatusCode,
    },
}

impl Error {
    /// The condition reason for the tenant's status.
    pub fn reason(&self) -> &'static str {
        match self {
            Error::Destination(_) => condition::DESTINATION_NOT_ALLOWED,
            Error::Unreachable(_) => condition::TEAMS_UNREACHABLE,
            Error::Rejected { .. } => condition::REJECTED,
        }
    }
}

/// Posts `card` to the Workflows webhook at `url` (which answers 202 Accepted).
pub async fn post_card(client: &http::Client, url: &str, card: &Value) -> Result<(), Error> {
    let body = serde_json::to_vec(card).expect("cards serialize");
    match client.send(Method::POST, url, None, Some(body)).await {
        Ok(_) => Ok(()),
        Err(http::Error::Destination(why)) => Err(Error::Destination(why)),
        // A tenant client checks URLs as destinations; an admin client's refusal reads the same.
        Err(http::Error::BadUrl) => Err(Error::Destination(crate::api::Refusal::NotHttps)),
        Err(http::Error::Refused { status }) => Err(Error::Rejected { status }),
        Err(e @ http::Error::Unreachable { .. }) => Err(Error::Unreachable(e)),
    }
}

#[cfg(test)]
mod tests;
