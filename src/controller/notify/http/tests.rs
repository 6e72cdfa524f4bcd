use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::*;
use crate::api::{Destinations, NotificationPolicy};

fn quick() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        first_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(30),
        timeout: Duration::from_secs(2),
        deadline: Duration::from_secs(5),
    }
}

fn admin(plain_http: bool) -> Client {
    Client::new(
        rustls::RootCertStore::empty(),
        quick(),
        Reach::Admin { plain_http },
    )
}

/// A tenant client under `policy`, with or without `--allow-insecure-destinations`.
fn tenant(policy: NotificationPolicy, insecure: bool) -> Client {
    let rules: Rules = Arc::new(move || Destinations::new(&policy, insecure));
    Client::new(
        rustls::RootCertStore::empty(),
        quick(),
        Reach::Tenant(rules),
    )
}

/// A one-route HTTP server on 127.0.0.1 answering every request with `answer` (a whole HTTP/1.1
/// response), counting the connections it accepted.
async fn server(answer: &'static str) -> (u16, Arc<AtomicU32>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicU32::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = tcp.read(&mut buf).await;
                let _ = tcp.write_all(answer.as_bytes()).await;
            });
        }
    });
    (port, accepted)
}

/// Every message in `err`'s chain, its Debug form included.
fn chain(err: &Error) -> String {
    let mut text = format!("{err:?}");
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = source {
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[test]
fn admin_urls_are_https_unless_plain_http_is_allowed() {
    assert!(admin_url("https://barry.example/api", false).is_ok());
    assert!(admin_url("http://127.0.0.1:8080/x", true).is_ok());
    assert!(admin_url("http://alertmanager.monitoring:9093", true).is_ok());
    for bad in [
        "http://127.0.0.1:8080/x",
        "http://barry.example/api",
        "ftp://x/",
        "x",
        "",
    ] {
        assert!(matches!(admin_url(bad, false), Err(Error::BadUrl)), "{bad}");
    }
}

#[test]
fn path_segments_cannot_escape_their_segment() {
    assert_eq!(path_segment("team-a.prod_1~"), "team-a.prod_1~");
    assert_eq!(path_segment("../x?y#z"), "..%2Fx%3Fy%23z");
    assert_eq!(path_segment("障害"), "%E9%9A%9C%E5%AE%B3");
}

#[tokio::test]
async fn an_unreachable_server_is_retried_then_reported_without_its_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let started = std::time::Instant::now();
    let url = format!("http://127.0.0.1:{port}/hook?sig=SECRET");
    let err = admin(true)
        .send(Method::POST, &url, None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Unreachable { attempts: 3, .. }),
        "{err:?}"
    );
    // 20 ms, then 30 ms (capped) between the three attempts.
    assert!(started.elapsed() >= Duration::from_millis(50));
    let chain = chain(&err);
    assert!(
        !chain.contains("SECRET") && !chain.contains("/hook"),
        "{chain}"
    );
}

#[tokio::test]
async fn an_answer_that_echoes_a_secret_is_reported_by_its_status_only() {
    let (port, _) = server(
        "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 44\r\n\r\n{\"error\":\"token S3CRET-T0KEN has expired\"}  ",
    )
    .await;
    let url = format!("http://127.0.0.1:{port}/api");
    let err = admin(true)
        .send(Method::POST, &url, Some("S3CRET-T0KEN"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Refused { status } if status == StatusCode::UNAUTHORIZED),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "HTTP 401 Unauthorized");
    assert!(!chain(&err).contains("S3CRET"));
}

#[tokio::test]
async fn a_redirect_is_not_followed_but_refused() {
    let (target, reached) = server("HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n").await;
    let redirect: &'static str = Box::leak(
        format!(
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:{target}/meta-data\r\ncontent-length: 0\r\n\r\n"
        )
        .into_boxed_str(),
    );
    let (port, _) = server(redirect).await;
    let client = tenant(NotificationPolicy::default(), true);
    let err = client
        .send(
            Method::POST,
            &format!("http://127.0.0.1:{port}/hook"),
            None,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Refused { status } if status.as_u16() == 307),
        "{err:?}"
    );
    // The client has answered: had it followed the redirect, the target would have a connection.
    assert_eq!(reached.load(Ordering::SeqCst), 0);
    // The legitimate neighbour: the same client reaches the target itself.
    let url = format!("http://127.0.0.1:{target}/hook");
    client.send(Method::POST, &url, None, None).await.unwrap();
    assert_eq!(reached.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_tenant_url_whose_name_resolves_to_loopback_reaches_nothing() {
    // The site allows the host name, and the URL is https: only the address DNS gives for it
    // (loopback) stops it, before a connection is made.
    let (port, reached) = server("HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n").await;
    let policy = NotificationPolicy {
        allowed_hosts: Some(vec!["localhost".into()]),
        ..Default::default()
    };
    let err = tenant(policy.clone(), false)
        .send(
            Method::POST,
            &format!("https://localhost:{port}/hook"),
            None,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Destination(Refusal::Address("loopback"))),
        "{err:?}"
    );
    // An IP literal is refused with the URL, as hyper connects to it without DNS.
    let err = tenant(policy, false)
        .send(
            Method::POST,
            &format!("https://127.0.0.1:{port}/hook"),
            None,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Destination(Refusal::Address("loopback"))),
        "{err:?}"
    );
    assert_eq!(reached.load(Ordering::SeqCst), 0, "nothing connected");
    // With the switch of the local IKE and the tests, the same name is reached.
    let allowed = NotificationPolicy::default();
    tenant(allowed, true)
        .send(
            Method::POST,
            &format!("http://localhost:{port}/hook"),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(reached.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_server_that_never_answers_costs_the_deadline_and_no_more() {
    // A black hole: accepts, reads, never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    let policy = RetryPolicy {
        attempts: 10,
        timeout: Duration::from_secs(5),
        deadline: Duration::from_millis(600),
        ..quick()
    };
    let client = Client::new(
        rustls::RootCertStore::empty(),
        policy,
        Reach::Admin { plain_http: true },
    );
    let started = std::time::Instant::now();
    let err = client
        .send(
            Method::POST,
            &format!("http://127.0.0.1:{port}/"),
            None,
            None,
        )
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    assert!(
        took >= Duration::from_millis(550) && took < Duration::from_millis(1500),
        "{took:?}"
    );
}
