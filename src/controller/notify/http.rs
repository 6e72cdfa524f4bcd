//! One small HTTP client for the receiving systems (Barry, Teams): JSON over hyper and rustls
//! on ring, a time-out per attempt, and retries with exponential backoff for what may pass
//! (connect errors, time-outs, 5xx, 429) but never for other 4xx, which will not.
//!
//! Errors never contain the request URL: a Teams webhook URL is a secret (it carries its own
//! signature), and these errors end up in logs and in status conditions.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

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
}

impl Default for RetryPolicy {
    /// 4 attempts, 0.5 s → 1 s → 2 s apart, 10 s each: under 45 s in all, well inside the
    /// time Alertmanager waits for the relay before it retries the notification itself.
    fn default() -> Self {
        Self {
            attempts: 4,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL is not https (http is allowed to loopback addresses only, for tests).
    #[error("not an https:// URL (http:// is allowed only to 127.0.0.1, ::1 and localhost)")]
    BadUrl,
    /// Every attempt failed to connect, timed out or got a 5xx/429.
    #[error("no answer after {attempts} attempts")]
    Unreachable {
        /// How many attempts were made.
        attempts: u32,
        /// What the last attempt got.
        #[source]
        last: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The server refused the request with a 4xx; retrying would not help.
    #[error("HTTP {status}: {message}")]
    Refused {
        /// The status.
        status: StatusCode,
        /// The server's message (its `error` or `message` field, or the body's first line).
        message: String,
    },
}

/// A 5xx or 429 answer, as the source of [`Error::Unreachable`].
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}: {message}")]
pub struct ServerError {
    /// The status.
    pub status: StatusCode,
    /// The server's message.
    pub message: String,
}

/// A time-out, as the source of [`Error::Unreachable`].
#[derive(Debug, thiserror::Error)]
#[error("no answer within {0:?}")]
pub struct TimedOut(pub Duration);

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// A connection pool with a retry policy.
#[derive(Clone)]
pub struct Client {
    client: hyper_util::client::legacy::Client<Https, Full<Bytes>>,
    policy: RetryPolicy,
    plain_http: bool,
}

impl Client {
    /// A client trusting `roots` (the system's, or a private CA's).
    pub fn new(roots: rustls::RootCertStore, policy: RetryPolicy) -> Self {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client =
            hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector);
        Self {
            client,
            policy,
            plain_http: false,
        }
    }

    /// The same client, also sending to `http://` URLs anywhere: for servers the platform admin
    /// names (Alertmanager in its cluster network), never for URLs a tenant gives.
    pub fn allowing_plain_http(mut self) -> Self {
        self.plain_http = true;
        self
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
        let uri = match check_url(url) {
            Err(Error::BadUrl) if self.plain_http => plain_http_url(url)?,
            other => other?,
        };
        let body = Bytes::from(body.unwrap_or_default());
        let attempts = self.policy.attempts.max(1);
        let mut backoff = self.policy.first_backoff;
        let mut attempt = 1;
        loop {
            let last: Box<dyn std::error::Error + Send + Sync> =
                match self.once(&method, &uri, bearer, body.clone()).await {
                    Ok((status, body)) if status.is_success() => return Ok(body),
                    Ok((status, body)) => {
                        let message = message_of(&body);
                        if !(status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS) {
                            return Err(Error::Refused { status, message });
                        }
                        Box::new(ServerError { status, message })
                    }
                    Err(e) => e,
                };
            tracing::debug!(attempt, error = %last, "request failed");
            if attempt == attempts {
                return Err(Error::Unreachable { attempts, last });
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
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body))
        };
        tokio::time::timeout(self.policy.timeout, exchange)
            .await
            .map_err(|_| TimedOut(self.policy.timeout))?
    }
}

fn check_url(url: &str) -> Result<Uri, Error> {
    let uri: Uri = url.parse().map_err(|_| Error::BadUrl)?;
    let host = uri.host().unwrap_or_default();
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(uri),
        Some("http") if ["127.0.0.1", "[::1]", "localhost"].contains(&host) => Ok(uri),
        _ => Err(Error::BadUrl),
    }
}

fn plain_http_url(url: &str) -> Result<Uri, Error> {
    let uri: Uri = url.parse().map_err(|_| Error::BadUrl)?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http"), Some(host)) if !host.is_empty() => Ok(uri),
        _ => Err(Error::BadUrl),
    }
}

/// The server's one-line message: `error`, `message` or `error.message` (Teams) of a JSON
/// body, else its first line.
fn message_of(body: &[u8]) -> String {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = json.as_ref().and_then(|j| {
        [&j["error"], &j["message"], &j["error"]["message"]]
            .into_iter()
            .find_map(|v| v.as_str().map(String::from))
    });
    let text = field.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let line = text.lines().next().unwrap_or_default().trim();
    line.chars().take(300).collect()
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
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_urls_are_used() {
        assert!(check_url("https://barry.example/api").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("http://[::1]:8080/x").is_ok());
        for bad in ["http://barry.example/api", "ftp://x/", "barry.example", ""] {
            assert!(matches!(check_url(bad), Err(Error::BadUrl)), "{bad}");
        }
    }

    #[test]
    fn path_segments_cannot_escape_their_segment() {
        assert_eq!(path_segment("team-a.prod_1~"), "team-a.prod_1~");
        assert_eq!(path_segment("../x?y#z"), "..%2Fx%3Fy%23z");
        assert_eq!(path_segment("障害"), "%E9%9A%9C%E5%AE%B3");
    }

    #[test]
    fn server_messages_are_one_short_line() {
        assert_eq!(message_of(br#"{"error":"bad token"}"#), "bad token");
        assert_eq!(message_of(br#"{"message":"nope"}"#), "nope");
        assert_eq!(
            message_of(br#"{"error":{"code":"X","message":"bad"}}"#),
            "bad"
        );
        assert_eq!(message_of(b"oops\nstack trace"), "oops");
        assert_eq!(message_of(&[b'x'; 1000]).len(), 300);
    }

    #[tokio::test]
    async fn an_unreachable_server_is_retried_then_reported_without_its_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let policy = RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(30),
            timeout: Duration::from_secs(2),
        };
        let client = Client::new(rustls::RootCertStore::empty(), policy);
        let started = std::time::Instant::now();
        let url = format!("http://127.0.0.1:{port}/hook?sig=SECRET");
        let err = client
            .send(Method::POST, &url, None, None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Unreachable { attempts: 3, .. }),
            "{err:?}"
        );
        // 20 ms, then 30 ms (capped) between the three attempts.
        assert!(started.elapsed() >= Duration::from_millis(50));
        let mut chain = format!("{err:?}");
        let mut source: Option<&dyn std::error::Error> = Some(&err);
        while let Some(e) = source {
            chain.push_str(&e.to_string());
            source = e.source();
        }
        assert!(
            !chain.contains("SECRET") && !chain.contains("/hook"),
            "{chain}"
        );
    }
}
