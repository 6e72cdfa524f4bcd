//! Each limit of the listener over real TLS on loopback, with deadlines short enough to watch,
//! each attack next to the legitimate use it must not disturb. The clients are blocking
//! sockets run on the blocking pool, as another process would be.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::sync::Notify;

use super::*;
use crate::pki::AccountCa;

const MS: Duration = Duration::from_millis(1);

fn ca() -> Arc<AccountCa> {
    crate::install_crypto_provider();
    Arc::new(
        AccountCa::generate(
            "listener test CA",
            Duration::from_secs(3600),
            SystemTime::now(),
        )
        .unwrap()
        .0,
    )
}

/// Deadlines of half a second to two seconds, and room for everything else.
fn limits() -> Limits {
    Limits {
        max_connections: 64,
        max_requests: 8,
        handshake_timeout: 500 * MS,
        header_timeout: 500 * MS,
        body_timeout: 500 * MS,
        idle_timeout: 2000 * MS,
        handler_timeout: 2000 * MS,
        max_body: 1000,
        body_budget: 4000,
    }
}

struct Server {
    listener: Listener,
    ca: Arc<AccountCa>,
    metrics: Metrics,
    release: Arc<Notify>,
    /// How many `/wait` requests reached their handler.
    entered: Arc<std::sync::atomic::AtomicUsize>,
}

/// `/ok` answers at once, `/echo` returns the body, `/wait` answers when `release` is notified
/// (and counts itself in `entered` first).
async fn serve(limits: Limits) -> Server {
    let ca = ca();
    let metrics = Metrics::default();
    let release = Arc::new(Notify::new());
    let entered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/echo", post(|body: Bytes| async move { body }))
        .route(
            "/wait",
            get(
                |State((release, entered)): State<(
                    Arc<Notify>,
                    Arc<std::sync::atomic::AtomicUsize>,
                )>| async move {
                    let notified = release.notified();
                    entered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    notified.await;
                    "released"
                },
            ),
        )
        .with_state((release.clone(), entered.clone()));
    let listener = Listener::start(
        Spec {
            name: "test",
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: ServingTls::new(
                ca.clone(),
                vec!["127.0.0.1".into()],
                ClientCertificates::None,
            ),
            limits,
            metrics: metrics.clone(),
        },
        app,
    )
    .unwrap();
    Server {
        listener,
        ca,
        metrics,
        release,
        entered,
    }
}

impl Server {
    fn addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    fn timed_out(&self, phase: &str) -> u64 {
        self.metrics
            .connections_timed_out
            .get_or_create(&vec![("phase".to_string(), phase.to_string())])
            .get()
    }

    fn refused(&self, reason: &str) -> u64 {
        self.metrics
            .requests_refused
            .get_or_create(&vec![("reason".to_string(), reason.to_string())])
            .get()
    }
}

type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// A TLS connection whose handshake is complete.
fn connect(addr: SocketAddr, ca_pem: &str) -> Tls {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let server = ServerName::IpAddress(addr.ip().into());
    let connection = rustls::ClientConnection::new(Arc::new(config), server).unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock).unwrap();
    }
    tls
}

/// Reads one response: (status, body).
fn response(stream: &mut impl Read) -> (u16, String) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!("the response ended early ({other:?}): {head:?}"),
        }
    }
    let head = String::from_utf8(head).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|n| n.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get_ok(tls: &mut Tls) -> (u16, String) {
    tls.write_all(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    response(tls)
}

/// Waits until the server closes the stream (end of stream or reset, not a read timeout), and
/// returns how long that took. Whatever the server sends before closing is read and dropped.
fn closed_by_server(stream: &mut impl Read, within: Duration) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return started.elapsed(),
        }
        assert!(
            started.elapsed() < within,
            "the server kept the connection open for {within:?}"
        );
    }
}

/// Runs a blocking client on the blocking pool.
async fn client<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_above_the_cap_is_closed_at_once_and_one_below_is_served() {
    let server = serve(Limits {
        max_connections: 2,
        handshake_timeout: Duration::from_secs(5),
        header_timeout: Duration::from_secs(5),
        ..limits()
    })
    .await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let (first, second) = client({
        let ca = ca.clone();
        move || (connect(addr, &ca), connect(addr, &ca))
    })
    .await;
    let took = client(move || {
        let mut third = TcpStream::connect(addr).unwrap();
        third
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        closed_by_server(&mut third, Duration::from_secs(2))
    })
    .await;
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(server.metrics.connections_refused.get(), 1);
    assert_eq!(server.metrics.connections_open.get(), 2);

    drop(first);
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.metrics.connections_open.get() != 1 {
        assert!(
            Instant::now() < deadline,
            "the closed connection was never released"
        );
        tokio::time::sleep(10 * MS).await;
    }
    let (status, body) = client(move || get_ok(&mut connect(addr, &ca))).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    drop(second);
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_the_connection_idle_longest_makes_room_for_a_new_one() {
    let server = serve(Limits {
        max_connections: 2,
        idle_timeout: Duration::from_secs(60),
        ..limits()
    })
    .await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    // Two kept-alive connections, each idle after a request: the first longer.
    let (mut older, newer) = client({
        let ca = ca.clone();
        move || {
            let mut older = connect(addr, &ca);
            assert_eq!(get_ok(&mut older).0, 200);
            std::thread::sleep(Duration::from_millis(50));
            let mut newer = connect(addr, &ca);
            assert_eq!(get_ok(&mut newer).0, 200);
            (older, newer)
        }
    })
    .await;
    // A third is served, and the older idle one is what made room.
    let (status, body) = client({
        let ca = ca.clone();
        move || get_ok(&mut connect(addr, &ca))
    })
    .await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let took = client(move || {
        older
            .sock
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        closed_by_server(&mut older, Duration::from_secs(2))
    })
    .await;
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(server.timed_out("evicted"), 1);
    assert_eq!(server.metrics.connections_refused.get(), 0);
    drop(newer);
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_closed_at_the_handshake_deadline_and_a_prompt_one_is_served() {
    let server = serve(limits()).await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let took = client(move || {
        let mut silent = TcpStream::connect(addr).unwrap();
        silent
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        closed_by_server(&mut silent, Duration::from_secs(5))
    })
    .await;
    assert!(took >= 400 * MS && took < 2000 * MS, "{took:?}");
    assert_eq!(server.timed_out("handshake"), 1);
    assert_eq!(server.metrics.handshake_failures.get(), 0);
    let (status, _) = client(move || get_ok(&mut connect(addr, &ca))).await;
    assert_eq!(status, 200);
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_no_request_is_closed_at_the_first_request_deadline() {
    let server = serve(limits()).await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let took = client(move || {
        let mut idle = connect(addr, &ca);
        idle.sock
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        closed_by_server(&mut idle, Duration::from_secs(5))
    })
    .await;
    assert!(took >= 400 * MS && took < 2000 * MS, "{took:?}");
    assert_eq!(server.timed_out("first_request"), 1);
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_trickled_a_byte_at_a_time_are_cut_at_the_header_deadline_but_idleness_is_not() {
    let server = serve(limits()).await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    // The neighbour: kept alive for longer than the header deadline (but within the idle one),
    // the next request is served.
    let (status, _) = client({
        let ca = ca.clone();
        move || {
            let mut tls = connect(addr, &ca);
            assert_eq!(get_ok(&mut tls).0, 200);
            std::thread::sleep(1000 * MS);
            get_ok(&mut tls)
        }
    })
    .await;
    assert_eq!(status, 200);
    // The attack: a request begun after a first one, one byte every 50 ms.
    let took = client(move || {
        let mut tls = connect(addr, &ca);
        assert_eq!(get_ok(&mut tls).0, 200);
        tls.sock
            .set_read_timeout(Some(Duration::from_millis(1)))
            .unwrap();
        let started = Instant::now();
        for byte in b"GET /ok HTTP/1.1\r\nX-Slow: "
            .iter()
            .chain([b'a'; 200].iter())
        {
            if tls.write_all(&[*byte]).and_then(|()| tls.flush()).is_err() {
                break;
            }
            let mut buf = [0u8; 64];
            match tls.read(&mut buf) {
                Ok(0) => break,
                Err(e) if e.kind() != std::io::ErrorKind::WouldBlock => break,
                _ => {}
            }
            std::thread::sleep(50 * MS);
            assert!(started.elapsed() < Duration::from_secs(5), "never cut");
        }
        started.elapsed()
    })
    .await;
    assert!(took >= 400 * MS && took < 2000 * MS, "{took:?}");
    assert_eq!(server.timed_out("headers"), 1);
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_is_closed_at_the_idle_deadline() {
    let server = serve(limits()).await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let took = client(move || {
        let mut tls = connect(addr, &ca);
        assert_eq!(get_ok(&mut tls).0, 200);
        tls.sock
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        closed_by_server(&mut tls, Duration::from_secs(6))
    })
    .await;
    assert!(took >= 1900 * MS && took < 4000 * MS, "{took:?}");
    assert_eq!(server.timed_out("idle"), 1);
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_request_in_flight_finish() {
    let server = serve(limits()).await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let waiting = tokio::task::spawn_blocking(move || {
        let mut tls = connect(addr, &ca);
        tls.write_all(b"GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        response(&mut tls)
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.metrics.connections_open.get() != 1 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(10 * MS).await;
    }
    tokio::time::sleep(100 * MS).await;
    let release = server.release.clone();
    let stopping = tokio::spawn(server.listener.shutdown(Duration::from_secs(5)));
    tokio::time::sleep(100 * MS).await;
    release.notify_one();
    assert_eq!(waiting.await.unwrap(), (200, "released".to_string()));
    stopping.await.unwrap();
    assert!(
        TcpStream::connect(addr).is_err(),
        "still accepting after shutdown"
    );
}

#[test]
fn limits_out_of_range_are_refused_with_the_field_named() {
    let zero = Limits {
        max_requests: 0,
        ..Limits::account_api()
    };
    assert!(
        zero.check()
            .unwrap_err()
            .to_string()
            .contains("max_requests")
    );
    let small_budget = Limits {
        body_budget: 10,
        ..Limits::account_api()
    };
    assert!(
        small_budget
            .check()
            .unwrap_err()
            .to_string()
            .contains("body_budget")
    );
    Limits::account_api().check().unwrap();
    Limits::webhooks().check().unwrap();
    // The webhooks' connections outlive kube-apiserver's idle ones (90 s).
    assert!(Limits::webhooks().idle_timeout > Duration::from_secs(90));
}

mod rate;
mod requests;
