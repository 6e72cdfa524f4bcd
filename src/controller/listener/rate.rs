//! Attempts per source address: a token bucket per client address, for endpoints that anyone
//! may call without credentials and that an attacker would call many times (redeeming
//! enrollment tokens).
//!
//! Every attempt takes a token from its source's bucket; an attempt that succeeds gives it back,
//! so that only failures count (a hundred people enrolling from behind one NAT never wait). An
//! empty bucket answers 429 with `Retry-After` without running the handler. IPv6 sources count
//! per /64, the block one host usually holds.
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

    /// Takes one attempt for `source` at `now`, or says how long to wait for one.
    pub fn take(&self, source: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = key(source);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if !buckets.contains_key(&key) && buckets.len() >= self.max_sources {
            // Forget the sources whose buckets are full again: they are as good as new.
            buckets.retain(|_, b| self.refilled(*b, now) < f64::from(self.burst));
            if buckets.len() >= self.max_sources {
                return Err(self.refill);
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: f64::from(self.burst),
            at: now,
        });
        bucket.tokens = self.refilled(*bucket, now);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(self.refill.mul_f64(1.0 - bucket.tokens))
        }
    }

    /// Gives back the attempt taken for `source` (it succeeded).
    pub fn give_back(&self, source: IpAddr) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bucket) = buckets.get_mut(&key(source)) {
            bucket.tokens = (bucket.tokens + 1.0).min(f64::from(self.burst));
        }
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

/// Middleware: the request's source takes an attempt from `limiter`; a success gives it back.
/// Requests without a peer address (none reach a listener so) count as one source.
pub async fn limit(
    State(limiter): State<Arc<PerSource>>,
    request: Request,
    next: Next,
) -> Response {
    let source = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4([0, 0, 0, 0].into()), |c| c.0.ip());
    if let Err(wait) = limiter.take(source, Instant::now()) {
        limiter.metrics.refused("rate_limited");
        let seconds = (wait.as_secs_f64().ceil() as u64).max(1);
        tracing::info!(%source, what = limiter.what, "rate limited");
        let message = format!(
            "too many {} from {source}: wait {seconds} s, {}",
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
        return response;
    }
    let response = next.run(request).await;
    if response.status().is_success() {
        limiter.give_back(source);
    }
    response
}
