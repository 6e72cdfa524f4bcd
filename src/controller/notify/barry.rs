//! Barry, IIJ's incident handling system: the contract ike relies on, the [`Barry`] trait the
//! reconciler and the relay use, and its HTTP implementation.
//!
//! # The contract
//!
//! Barry publishes no API description, so this is the one ike speaks; a fake that speaks it
//! exactly is in `src/local/barry` (the tests' fake and the local IKE's stand-in).
//!
//! - Base URL, such as `https://barry.example/`; every request carries the tenant's token as
//!   `Authorization: Bearer <token>` (from the Secret named by the BarryConfig).
//! - `PUT /api/v1/channels/{name}`, body `{}`: create the channel if the token's account has
//!   none of that name, else return the existing one. `200` or `201` with
//!   `{"id": "...", "name": "...", "muted": false}`. The name is one percent-encoded segment.
//! - `PATCH /api/v1/channels/{id}`, body `{"muted": true}`: `200` with the channel.
//! - `POST /api/v1/channels/{id}/alerts`, body: Alertmanager's webhook JSON as Alertmanager
//!   sent it ([`Payload`]: version "4", groupKey, status, receiver, groupLabels, commonLabels,
//!   commonAnnotations, externalURL, alerts[]). `200`, `201` or `202`, body ignored.
//! - Errors: `401`/`403` the token is not accepted; `404` no such channel (for the token's
//!   account); other `4xx` a bad request; `5xx` Barry is in trouble. A JSON body
//!   `{"error": "..."}` carries the message.
//!
//! ike retries after a 5xx, so a notification Barry stored before failing may arrive twice:
//! the contract asks Barry to treat a repeated notification (same `groupKey`, same alert
//! fingerprints and times) as one, as Alertmanager's own retries already require.

use futures::future::BoxFuture;
use hyper::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::http::{self, path_segment};
use super::payload::Payload;
use crate::api::condition;

/// A channel as Barry returns it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Barry's id of the channel.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is muted.
    #[serde(default)]
    pub muted: bool,
}

/// Why a call to Barry failed. No variant carries what Barry answered beyond its status: an
/// answer may echo the token.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Barry's base URL is not https (http only with --allow-insecure-destinations).
    #[error("Barry's URL is not an https:// URL")]
    BadUrl,
    /// Barry did not answer, timed out or answered 5xx, on every attempt.
    #[error("cannot reach Barry")]
    Unreachable(#[source] http::Error),
    /// Barry did not accept the token (401/403).
    #[error("Barry did not accept the token (HTTP {status})")]
    Unauthorized {
        /// 401 or 403.
        status: StatusCode,
    },
    /// Barry refused the request with another 4xx (404: the channel is gone), or redirected it.
    #[error("Barry rejected the request (HTTP {status})")]
    Rejected {
        /// The status.
        status: StatusCode,
    },
    /// Barry's answer is not the contract's.
    #[error("unexpected answer from Barry: {0}")]
    BadAnswer(&'static str),
}

impl Error {
    /// The condition reason for a tenant's status: BarryUnreachable, TokenRejected or Rejected.
    pub fn reason(&self) -> &'static str {
        match self {
            Error::Unauthorized { .. } => condition::TOKEN_REJECTED,
            Error::Rejected { .. } => condition::REJECTED,
            Error::BadUrl | Error::Unreachable(_) | Error::BadAnswer(_) => {
                condition::BARRY_UNREACHABLE
            }
        }
    }

    /// A message for the tenant's status that says what to do.
    pub fn hint(&self) -> String {
        match self {
            Error::Unauthorized { .. } => format!(
                "{self}: put a valid Barry API token under the key 'token' of the Secret named \
                 by spec.tokenSecretName"
            ),
            Error::Unreachable(_) => {
                let mut text = self.to_string();
                let mut source = std::error::Error::source(self);
                while let Some(e) = source {
                    text = format!("{text}: {e}");
                    source = e.source();
                }
                format!("{text}; ike-controller keeps retrying")
            }
            _ => self.to_string(),
        }
    }
}

impl From<http::Error> for Error {
    fn from(e: http::Error) -> Self {
        match e {
            // Barry is the platform admin's server: no site rule applies to it.
            http::Error::BadUrl | http::Error::Destination(_) => Error::BadUrl,
            http::Error::Refused { status }
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN =>
            {
                Error::Unauthorized { status }
            }
            http::Error::Refused { status } => Error::Rejected { status },
            e @ http::Error::Unreachable { .. } => Error::Unreachable(e),
        }
    }
}

/// What ike asks of Barry, each call with the tenant's token. Object-safe, so the reconciler
/// and the relay can hold an `Arc<dyn Barry>` and tests can substitute their own.
pub trait Barry: Send + Sync {
    /// The channel named `name`, created if the token's account has none.
    fn ensure_channel<'a>(
        &'a self,
        token: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Channel, Error>>;

    /// Mutes or unmutes the channel `id`.
    fn set_mute<'a>(
        &'a self,
        token: &'a str,
        id: &'a str,
        muted: bool,
    ) -> BoxFuture<'a, Result<Channel, Error>>;

    /// Posts one Alertmanager notification to the channel `id`.
    fn post_alerts<'a>(
        &'a self,
        token: &'a str,
        id: &'a str,
        payload: &'a Payload,
    ) -> BoxFuture<'a, Result<(), Error>>;
}

/// Barry over HTTPS.
#[derive(Clone)]
pub struct HttpBarry {
    base: String,
    client: http::Client,
}

impl HttpBarry {
    /// Barry at `base_url` (`https://`, or `http://` when the client allows it).
    pub fn new(base_url: &str, client: http::Client) -> Self {
        Self {
            base: base_url.trim_end_matches('/').to_string(),
            client,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Vec<u8>,
    ) -> Result<bytes::Bytes, Error> {
        let url = format!("{}{path}", self.base);
        Ok(self
            .client
            .send(method, &url, Some(token), Some(body))
            .await?)
    }

    async fn channel(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> Result<Channel, Error> {
        let body = serde_json::to_vec(&body).expect("JSON values serialize");
        let answer = self.call(method, path, token, body).await?;
        // serde's messages quote the values they could not read: the answer's text stays out.
        serde_json::from_slice(&answer).map_err(|_| Error::BadAnswer("not a channel"))
    }
}

impl Barry for HttpBarry {
    fn ensure_channel<'a>(
        &'a self,
        token: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Channel, Error>> {
        Box::pin(async move {
            let path = format!("/api/v1/channels/{}", path_segment(name));
            let channel = self
                .channel(Method::PUT, &path, token, serde_json::json!({}))
                .await?;
            if channel.name != name {
                return Err(Error::BadAnswer("a channel of another name"));
            }
            Ok(channel)
        })
    }

    fn set_mute<'a>(
        &'a self,
        token: &'a str,
        id: &'a str,
        muted: bool,
    ) -> BoxFuture<'a, Result<Channel, Error>> {
        Box::pin(async move {
            let path = format!("/api/v1/channels/{}", path_segment(id));
            let body = serde_json::json!({ "muted": muted });
            self.channel(Method::PATCH, &path, token, body).await
        })
    }

    fn post_alerts<'a>(
        &'a self,
        token: &'a str,
        id: &'a str,
        payload: &'a Payload,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let path = format!("/api/v1/channels/{}/alerts", path_segment(id));
            let body = serde_json::to_vec(payload).expect("payloads serialize");
            self.call(Method::POST, &path, token, body).await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16) -> http::Error {
        http::Error::Refused {
            status: StatusCode::from_u16(status).unwrap(),
        }
    }

    #[test]
    fn http_failures_map_to_the_reasons_a_tenant_sees() {
        assert_eq!(Error::from(refused(401)).reason(), "TokenRejected");
        assert_eq!(Error::from(refused(403)).reason(), "TokenRejected");
        assert_eq!(Error::from(refused(404)).reason(), "Rejected");
        let down = http::Error::Unreachable {
            attempts: 4,
            last: Box::new(http::ServerError {
                status: StatusCode::SERVICE_UNAVAILABLE,
            }),
        };
        let err = Error::from(down);
        assert_eq!(err.reason(), "BarryUnreachable");
        assert!(err.hint().contains("HTTP 503"), "{}", err.hint());
        assert!(
            Error::from(refused(401))
                .hint()
                .contains("spec.tokenSecretName")
        );
    }

    #[test]
    fn channels_read_barrys_answer() {
        let c: Channel = serde_json::from_str(r#"{"id":"c-1","name":"x","muted":true}"#).unwrap();
        assert_eq!(
            c,
            Channel {
                id: "c-1".into(),
                name: "x".into(),
                muted: true
            }
        );
    }
}

#[cfg(test)]
#[path = "barry_memory.rs"]
pub(crate) mod memory;
