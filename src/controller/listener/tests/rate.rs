//! Attempts per source address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;

use crate::controller::listener::Metrics;
use crate::controller::listener::rate::{self, PerSource, Rate};

fn limiter(burst: u32, refill: Duration, max_sources: usize) -> PerSource {
    PerSource::new(
        "attempts",
        "then try again",
        Rate {
            burst,
            refill,
            max_sources,
        },
        Metrics::default(),
    )
}

#[test]
fn a_source_gets_its_burst_then_one_attempt_per_refill_and_others_are_not_held_back() {
    let limiter = limiter(3, Duration::from_secs(10), 100);
    let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
    let t0 = Instant::now();
    for _ in 0..3 {
        limiter.take(a, t0).unwrap();
    }
    let wait = limiter.take(a, t0).unwrap_err();
    assert_eq!(wait, Duration::from_secs(10));
    limiter.take(b, t0).unwrap();
    assert!(limiter.take(a, t0 + Duration::from_secs(5)).is_err());
    limiter.take(a, t0 + Duration::from_secs(10)).unwrap();
    assert!(limiter.take(a, t0 + Duration::from_secs(11)).is_err());
}

#[test]
fn an_attempt_given_back_is_not_counted() {
    let limiter = limiter(1, Duration::from_secs(60), 100);
    let a: IpAddr = "192.0.2.1".parse().unwrap();
    let t0 = Instant::now();
    for _ in 0..10 {
        limiter.take(a, t0).unwrap();
        limiter.give_back(a);
    }
    limiter.take(a, t0).unwrap();
    assert!(limiter.take(a, t0).is_err());
}

#[test]
fn ipv6_sources_count_per_64_and_mapped_ipv4_as_ipv4() {
    let limiter = limiter(1, Duration::from_secs(60), 100);
    let t0 = Instant::now();
    limiter
        .take("2001:db8:1:2::1".parse().unwrap(), t0)
        .unwrap();
    assert!(
        limiter
            .take("2001:db8:1:2::ffff".parse().unwrap(), t0)
            .is_err()
    );
    limiter
        .take("2001:db8:1:3::1".parse().unwrap(), t0)
        .unwrap();
    limiter.take("192.0.2.7".parse().unwrap(), t0).unwrap();
    assert!(
        limiter
            .take("::ffff:192.0.2.7".parse().unwrap(), t0)
            .is_err()
    );
}

#[test]
fn beyond_the_remembered_sources_new_ones_wait_until_old_ones_refill() {
    let limiter = limiter(2, Duration::from_secs(10), 2);
    let t0 = Instant::now();
    let ip = |n: u8| IpAddr::from([192, 0, 2, n]);
    limiter.take(ip(1), t0).unwrap();
    limiter.take(ip(2), t0).unwrap();
    assert!(limiter.take(ip(3), t0).is_err());
    // After a refill both old buckets are full again and forgotten.
    limiter.take(ip(3), t0 + Duration::from_secs(10)).unwrap();
}

#[tokio::test]
async fn the_rate_limit_middleware_counts_failures_only_and_answers_429_with_retry_after() {
    use axum::extract::ConnectInfo;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt as _;

    let limiter = Arc::new(limiter(2, Duration::from_secs(30), 10));
    let app = Router::new()
        .route("/good", post(|| async { "redeemed" }))
        .route("/bad", post(|| async { StatusCode::UNAUTHORIZED }))
        .route_layer(axum::middleware::from_fn_with_state(limiter, rate::limit));
    let call = |path: &str, from: [u8; 4]| {
        let mut request = Request::post(path).body(axum::body::Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((from, 40000))));
        app.clone().oneshot(request)
    };
    let here = [192, 0, 2, 1];
    for _ in 0..5 {
        assert_eq!(call("/good", here).await.unwrap().status(), StatusCode::OK);
    }
    for _ in 0..2 {
        assert_eq!(
            call("/bad", here).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = call("/good", here).await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "30");
    assert_eq!(
        call("/bad", [192, 0, 2, 2]).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}
