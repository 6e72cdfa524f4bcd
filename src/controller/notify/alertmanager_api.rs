//! What ike-controller asks of a running Alertmanager over its HTTP API: reload the
//! configuration file, tell which receivers its running configuration has (`GET
//! /api/v2/receivers`: the names only, where `/api/v2/status` would re-encode the whole
//! configuration, half a megabyte at a thousand tenants, on every look), take a test alert, and
//! say whether an alert group reached a receiver.

use std::collections::BTreeSet;
use std::time::Duration;

use hyper::Method;
use serde::Deserialize;
use serde_json::Value;

use super::http::{self, Client, RetryPolicy};

/// Why Alertmanager could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No answer, or a 5xx, after retries (a failed reload answers 500; its reason is in
    /// Alertmanager's log, never in tenants' statuses).
    #[error("Alertmanager did not do it")]
    Http(#[from] http::Error),
    /// An answer that is not what Alertmanager 0.25 sends.
    #[error("unexpected answer from Alertmanager: {0}")]
    BadAnswer(&'static str),
}

/// One Alertmanager.
#[derive(Clone)]
pub struct Alertmanager {
    base: String,
    client: Client,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

impl Alertmanager {
    /// Alertmanager at `url` (`http://` is fine: it is the platform's, in its network).
    pub fn new(url: &str, roots: rustls::RootCertStore) -> Self {
        let policy = RetryPolicy {
            attempts: 2,
            first_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(25),
        };
        // Plain http whatever --allow-insecure-destinations says: Alertmanager serves http in
        // its cluster network by default, and nothing secret is sent to it.
        let reach = http::Reach::Admin { plain_http: true };
        Self {
            base: url.trim_end_matches('/').to_string(),
            client: Client::new(roots, policy, reach),
        }
    }

    /// Its base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// `POST /-/reload`: Alertmanager reads its configuration file again. A configuration it
    /// refuses is an error (HTTP 500; the reason is in Alertmanager's log), and Alertmanager
    /// keeps running the old one.
    pub async fn reload(&self) -> Result<(), Error> {
        let url = format!("{}/-/reload", self.base);
        self.client.send(Method::POST, &url, None, None).await?;
        Ok(())
    }

    /// The receivers of the configuration Alertmanager runs now.
    pub async fn running_receivers(&self) -> Result<BTreeSet<String>, Error> {
        let url = format!("{}/api/v2/receivers", self.base);
        let body = self.client.send(Method::GET, &url, None, None).await?;
        let receivers: Vec<Named> = serde_json::from_slice(&body)
            .map_err(|_| Error::BadAnswer("not a list of receivers"))?;
        Ok(receivers.into_iter().map(|r| r.name).collect())
    }

    /// `POST /api/v2/alerts`.
    pub async fn post_alerts(&self, alerts: &Value) -> Result<(), Error> {
        let url = format!("{}/api/v2/alerts", self.base);
        let body = serde_json::to_vec(alerts).expect("JSON values serialize");
        self.client
            .send(Method::POST, &url, None, Some(body))
            .await?;
        Ok(())
    }

    /// Whether Alertmanager holds an alert group for `receiver` with an alert labelled
    /// `label="value"`: the alert was routed there.
    pub async fn routed(&self, receiver: &str, label: &str, value: &str) -> Result<bool, Error> {
        let filter = super::alertmanager::equality_matcher(label, value);
        let url = format!(
            "{}/api/v2/alerts/groups?filter={}&receiver={}",
            self.base,
            http::path_segment(&filter),
            http::path_segment(&regex_literal(receiver)),
        );
        let body = self.client.send(Method::GET, &url, None, None).await?;
        let groups: Vec<Value> =
            serde_json::from_slice(&body).map_err(|_| Error::BadAnswer("not a list of groups"))?;
        Ok(groups.iter().any(|g| {
            g["receiver"]["name"] == receiver
                && g["alerts"]
                    .as_array()
                    .is_some_and(|alerts| alerts.iter().any(|a| a["labels"][label] == value))
        }))
    }
}

/// `receiver` as a regular expression matching exactly it (the `receiver` query parameter is
/// one); receiver names hold no metacharacter but `.`.
fn regex_literal(receiver: &str) -> String {
    receiver.replace('.', "\\.")
}
