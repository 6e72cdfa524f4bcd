//! Attempts per source address: a token bucket per client address, for endpoints that anyone
//! may call without credentials and that an attacker would call many times (redeeming
//! enrollment tokens).
//!
//! Only failures count: an attempt is judged first, and one that fails takes a token from its
//! source's bucket once it has failed. A valid attempt is never refused, however many arrive at
//! once from one address (a hundred people enrolling from behind one office NAT), and an attempt
//! that never finishes (a client that hangs up) costs nothing. Once a source's bucket is empty,
//! its failures are answered 429 with `Retry-After` instead of their own error, and the handler
//! is told ([`OverLimit`]) so that it can skip work a failure would cost (the enrollment handler's
//! wait for a token its store may not have seen yet). Enrollment tokens carry enough entropy
//! that guessing is hopeless at any rate; the limit bounds the work guesses cost and marks the
//! guesser in the metrics and the log. IPv6 sources count per /64, the block one host usually
//! holds.
//!
//! The address is the TCP peer's: a proxy in front of the listener makes every client one
//! source (the limit then holds for all of them together), and `X-Forwarded-For` is not trusted.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Metrics;
use crate::api::wire::ErrorResponse;

/// How many attempts a source may make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Attempts at once.
    pub burst: u32,
    /// One more attempt every this long.
    pub refill: Duration,
    /// Sources remembered at most; beyond that, new sources are refused until old ones refill.
    pub max_sources: usize,
}

/// A token bucket per source address.
pub struct PerSource {
    /// What the refusal says is being limited ("enrollment attempts").
    what: &'static str,
    /// What the refusal tells the client to do besides waiting.
    hint: &'static str,
    burst: u32,
    refill: Duration,
    max_sources: usize,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    metrics: Metrics,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl PerSource {
    /// A limiter of `what` at `rate` whose refusals end with `hint`.
    pub fn new(what: &'static str, hint: &'static str, rate: Rate, metrics: Metrics) -> Self {
        Self {
            what,
            hint,
            burst: rate.burst.max(1),
            refill: rate.refill.max(Duration::from_millis(1)),
            max_sources: rate.max_sources.max(1),
            buckets: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    /// How long `source` must wait for an attempt at `now` when its bucket is empty; `None`
    /// when it has one. Takes nothing.
    pub fn exhausted(&self, source: IpAddr, now: Instant) -> Option<Duration> {
        let key = key(source);
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        match buckets.get(&key) {
            Some(bucket) => {
                let tokens = self.refilled(*bucket, now);
                (tokens < 1.0).then(|| self.refill.mul_f64(1.0 - tokens))
            }
            // A new source when the table is full of sources that have not refilled yet.
            None if buckets.len() >= self.max_sources => Some(self.refill),
            None => None,
        }
    }

    /// Counts one failed attempt of `source` at `now` (an empty bucket stays empty).
    pub fn charge(&self, source: IpAddr, now: Instant) {
        let key = key(source);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if !buckets.contains_key(&key) && buckets.len() >= self.max_sources {
            // Forget the sources whose buckets are full again: they are as good as new.
            buckets.retain(|_, b| self.refilled(*b, now) < f64::from(self.burst));
            if buckets.len() >= self.max_sources {
                return;
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: f64::from(self.burst),
            at: now,
        });
        bucket.tokens = (self.refilled(*bucket, now) - 1.0).max(0.0);
        bucket.at = now;
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let earned =
            now.saturating_duration_since(bucket.at).as_secs_f64() / self.refill.as_secs_f64();
        (bucket.tokens + earned).min(f64::from(self.burst))
    }
}

/// The bucket a source counts in: IPv4 addresses one by one, IPv6 by /64.
fn key(source: IpAddr) -> IpAddr {
    match source {
        IpAddr::V4(_) => source,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Marks a request whose source has used up its failures: the handler may refuse a failing
/// attempt without the work it would otherwise do (a valid one still succeeds).
#[derive(Clone, Copy, Debug)]
pub struct OverLimit;

/// Middleware: the request runs; when it fails for the client's fault (4xx), its source is
/// charged one attempt, and a source that had none left gets 429 with `Retry-After` instead of
/// the failure. A success is never refused or counted. Requests without a peer address (none reach a listener so) count as one
/// source.
pub async fn limit(
    State(limiter): State<Arc<PerSource>>,
    mut request: Request,
    next: Next,
) -> Response {
    let source = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4([0, 0, 0, 0].into()), |c| c.0.ip());
    let over = limiter.exhausted(source, Instant::now());
    if over.is_some() {
        request.extensions_mut().insert(OverLimit);
    }
    let response = next.run(request).await;
    // The client's failures count; the server's own (5xx: the API server unreachable, say) do
    // not, and are never turned into a 429.
    if !response.status().is_client_error() {
        return response;
    }
    limiter.charge(source, Instant::now());
    let Some(wait) = over else {
        return response;
    };
    limiter.metrics.refused("rate_limited");
    let seconds = (wait.as_secs_f64().ceil() as u64).max(1);
    tracing::info!(%source, what = limiter.what, "rate limited");
    let message = format!(
        "too many failed {} from {source}: wait {seconds} s, {}",
        limiter.what, limiter.hint
    );
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(ErrorResponse { error: message }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}
