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
fn a_source_has_its_burst_of_failures_then_one_per_refill_and_others_are_not_held_back() {
    let limiter = limiter(3, Duration::from_secs(10), 100);
    let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
    let t0 = Instant::now();
    for _ in 0..3 {
        assert_eq!(limiter.exhausted(a, t0), None);
        limiter.charge(a, t0);
    }
    assert_eq!(limiter.exhausted(a, t0), Some(Duration::from_secs(10)));
    assert_eq!(limiter.exhausted(b, t0), None);
    assert!(limiter.exhausted(a, t0 + Duration::from_secs(5)).is_some());
    assert_eq!(limiter.exhausted(a, t0 + Duration::from_secs(10)), None);
    limiter.charge(a, t0 + Duration::from_secs(10));
    assert!(limiter.exhausted(a, t0 + Duration::from_secs(11)).is_some());
    // Charging an empty bucket does not push the wait further out.
    for _ in 0..100 {
        limiter.charge(a, t0 + Duration::from_secs(11));
    }
    assert_eq!(limiter.exhausted(a, t0 + Duration::from_secs(21)), None);
}

#[test]
fn looking_takes_nothing() {
    let limiter = limiter(1, Duration::from_secs(60), 100);
    let a: IpAddr = "192.0.2.1".parse().unwrap();
    let t0 = Instant::now();
    for _ in 0..10 {
        assert_eq!(limiter.exhausted(a, t0), None);
    }
    limiter.charge(a, t0);
    assert!(limiter.exhausted(a, t0).is_some());
}

#[test]
fn ipv6_sources_count_per_64_and_mapped_ipv4_as_ipv4() {
    let limiter = limiter(1, Duration::from_secs(60), 100);
    let t0 = Instant::now();
    let ip = |s: &str| -> IpAddr { s.parse().unwrap() };
    limiter.charge(ip("2001:db8:1:2::1"), t0);
    assert!(limiter.exhausted(ip("2001:db8:1:2::ffff"), t0).is_some());
    assert!(limiter.exhausted(ip("2001:db8:1:3::1"), t0).is_none());
    limiter.charge(ip("192.0.2.7"), t0);
    assert!(limiter.exhausted(ip("::ffff:192.0.2.7"), t0).is_some());
}

#[test]
fn beyond_the_remembered_sources_new_ones_wait_until_old_ones_refill() {
    let limiter = limiter(2, Duration::from_secs(10), 2);
    let t0 = Instant::now();
    let ip = |n: u8| IpAddr::from([192, 0, 2, n]);
    limiter.charge(ip(1), t0);
    limiter.charge(ip(2), t0);
    assert!(limiter.exhausted(ip(3), t0).is_some());
    // After a refill both old buckets are full again and forgotten.
    limiter.charge(ip(3), t0 + Duration::from_secs(10));
    assert!(
        limiter
            .exhausted(ip(1), t0 + Duration::from_secs(10))
            .is_none()
    );
}

#[tokio::test]
async fn the_rate_limit_middleware_counts_failures_only_and_never_refuses_a_success() {
    use axum::extract::ConnectInfo;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt as _;

    let limiter = Arc::new(limiter(2, Duration::from_secs(30), 10));
    let app = Router::new()
        .route(
            "/good",
            post(
                |over: Option<axum::Extension<rate::OverLimit>>| async move {
                    if over.is_some() {
                        "redeemed, over the limit"
                    } else {
                        "redeemed"
                    }
                },
            ),
        )
        .route("/bad", post(|| async { StatusCode::UNAUTHORIZED }))
        .route_layer(axum::middleware::from_fn_with_state(limiter, rate::limit));
    let call = |path: &str, from: [u8; 4]| {
        let mut request = Request::post(path).body(axum::body::Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((from, 40000))));
        app.clone().oneshot(request)
    };
    let body = |response: axum::response::Response| async move {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
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
    let limited = call("/bad", here).await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "30");
    // A valid attempt from the limited source still succeeds (its handler is told).
    let good = call("/good", here).await.unwrap();
    assert_eq!(good.status(), StatusCode::OK);
    assert_eq!(body(good).await, "redeemed, over the limit");
    assert_eq!(
        call("/bad", [192, 0, 2, 2]).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}
