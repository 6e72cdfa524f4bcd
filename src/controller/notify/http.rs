//! One small HTTP client for the receiving systems (Barry, Teams) and Alertmanager: JSON over
//! hyper and rustls on ring, a time-out per attempt and a deadline for all of them, and retries
//! with exponential backoff for what may pass (connect errors, time-outs, 5xx, 429) but never
//! for other 4xx, which will not.
//!
//! What it tells back: an answer's status only, never its body. A remote system may echo what
//! it was sent (Barry answering 401 "token <value> has expired"), and these errors end up in
//! tenants' statuses, Events and the log; a body is read and dropped. Errors never contain the
//! request URL either: a Teams webhook URL is a secret (it carries its own signature).
//!
//! Where it connects: a client for URLs a tenant gives ([`Reach::Tenant`]) checks each URL and
//! every address it resolves to with the site's rules ([`super::guard`]); one for the servers
//! the platform admin names ([`Reach::Admin`]) goes anywhere, over https unless plain http is
//! allowed. It never follows a redirect: a 3xx is a refusal like a 4xx.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::time::Instant;

use super::guard::{self, GuardedResolver, Rules};
use crate::api::Refusal;

/// How hard to try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub attempts: u32,
    /// The wait before the second attempt; it doubles after each failed attempt.
    pub first_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// The longest one attempt (connect, send, read the answer) may take.
    pub timeout: Duration,
    /// The longest all attempts and the waits between them may take together: no attempt starts
    /// or runs past it.
    pub deadline: Duration,
}

/// The time one delivery may take, retries included: shorter than the least Alertmanager waits
/// for a webhook (its `group_interval`, at least 10 s), so that ike gives up and answers before
/// Alertmanager does, and Alertmanager's own retry is what comes next.
pub const DELIVERY_DEADLINE: Duration = Duration::from_secs(9);

impl Default for RetryPolicy {
    /// 4 attempts of at most 5 s, 0.5 s → 1 s → 2 s apart, 9 s in all.
    fn default() -> Self {
        Self {
            attempts: 4,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            deadline: DELIVERY_DEADLINE,
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An admin-given URL is not https (http only with --allow-insecure-destinations).
    #[error("not an https:// URL (http:// only with --allow-insecure-destinations)")]
    BadUrl,
    /// A tenant's URL leads where the site does not send; nothing was sent.
    #[error("not sent")]
    Destination(#[source] Refusal),
    /// Every attempt failed to connect, timed out or got a 5xx/429, until the attempts or the
    /// deadline ran out.
    #[error("no answer after {attempts} attempts")]
    Unreachable {
        /// How many attempts were made.
        attempts: u32,
        /// What the last attempt got.
        #[source]
        last: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The server refused the request with a 4xx or redirected it (3xx); retrying would not
    /// help. Its body is not kept.
    #[error("HTTP {status}")]
    Refused {
        /// The status.
        status: StatusCode,
    },
}

/// A 5xx or 429 answer, as the source of [`Error::Unreachable`]. Its body is not kept.
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}")]
pub struct ServerError {
    /// The status.
    pub status: StatusCode,
}

/// A time-out, as the source of [`Error::Unreachable`].
#[derive(Debug, thiserror::Error)]
#[error("no answer within {0:?}")]
pub struct TimedOut(pub Duration);

/// Where a client may connect.
#[derive(Clone)]
pub enum Reach {
    /// Servers the platform admin names (Barry, Alertmanager): any address; `http://` only
    /// when `plain_http`.
    Admin {
        /// Whether `http://` URLs are used.
        plain_http: bool,
    },
    /// URLs a tenant gives: the site's rules, for the URL and every address it resolves to.
    Tenant(Rules),
}

type Https = hyper_rustls::HttpsConnector<HttpConnector<GuardedResolver>>;

/// A connection pool with a retry policy.
#[derive(Clone)]
pub struct Client {
    client: hyper_util::client::legacy::Client<Https, Full<Bytes>>,
    policy: RetryPolicy,
    reach: Reach,
}

impl Client {
    /// A client trusting `roots` (the system's, or a private CA's), connecting where `reach`
    /// allows.
    pub fn new(roots: rustls::RootCertStore, policy: RetryPolicy, reach: Reach) -> Self {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let rules = match &reach {
            Reach::Tenant(rules) => Some(rules.clone()),
            Reach::Admin { .. } => None,
        };
        let mut http = HttpConnector::new_with_resolver(GuardedResolver::new(rules));
        http.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client =
            hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector);
        Self {
            client,
            policy,
            reach,
        }
    }

    /// Checks `url` as this client's reach says, before anything is sent.
    fn check(&self, url: &str) -> Result<Uri, Error> {
        match &self.reach {
            Reach::Tenant(rules) => rules().check_url(url).map_err(Error::Destination),
            Reach::Admin { plain_http } => admin_url(url, *plain_http),
        }
    }

    /// Sends `body` (JSON) with an optional bearer token and returns the 2xx answer's body,
    /// retrying per the policy.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        bearer: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, Error> {
        let uri = self.check(url)?;
        let body = Bytes::from(body.unwrap_or_default());
        let deadline = Instant::now() + self.policy.deadline;
        let attempts = self.policy.attempts.max(1);
        let mut backoff = self.policy.first_backoff;
        let mut attempt = 1;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let timeout = self.policy.timeout.min(left);
            let last: Box<dyn std::error::Error + Send + Sync> = match self
                .once(&method, &uri, bearer, body.clone(), timeout)
                .await
            {
                Ok((status, body)) if status.is_success() => return Ok(body),
                Ok((status, _)) => {
                    if !(status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS) {
                        return Err(Error::Refused { status });
                    }
                    Box::new(ServerError { status })
                }
                Err(e) => match guard::refusal(e.as_ref()) {
                    Some(why) => return Err(Error::Destination(why)),
                    None => e,
                },
            };
            tracing::debug!(attempt, error = %last, "request failed");
            let out_of_time = Instant::now() + backoff >= deadline;
            if attempt == attempts || out_of_time {
                return Err(Error::Unreachable {
                    attempts: attempt,
                    last,
                });
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(self.policy.max_backoff);
            attempt += 1;
        }
    }

    async fn once(
        &self,
        method: &Method,
        uri: &Uri,
        bearer: Option<&str>,
        body: Bytes,
        timeout: Duration,
    ) -> Result<(StatusCode, Bytes), Box<dyn std::error::Error + Send + Sync>> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(uri.clone())
            .header(hyper::header::ACCEPT, "application/json");
        if !body.is_empty() {
            request = request.header(hyper::header::CONTENT_TYPE, "application/json");
        }
        if let Some(token) = bearer {
            request = request.header(hyper::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request.body(Full::new(body))?;
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            // A success's body is the answer; any other's is read to keep the connection and
            // dropped unread by anyone.
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body))
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| TimedOut(timeout))?
    }
}

/// An admin-given URL: https, or http when allowed.
fn admin_url(url: &str, plain_http: bool) -> Result<Uri, Error> {
    let uri: Uri = url.parse().map_err(|_| Error::BadUrl)?;
    let host = uri.host().unwrap_or_default();
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(uri),
        Some("http") if plain_http && !host.is_empty() => Ok(uri),
        _ => Err(Error::BadUrl),
    }
}

/// Percent-encodes one URL path segment (everything but RFC 3986's unreserved characters).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests;
