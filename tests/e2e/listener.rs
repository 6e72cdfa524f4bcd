//! The account API under a flood of clients without credentials, on the real control plane with
//! the real controller: pod admission (its webhooks are on a listener of their own, failing
//! closed) and renewals carry on, and the server closes every stalled connection itself.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};

use crate::harness::{admin, enrolled, env, kubectl, ok, sharing_the_tenant_controller, unique};

/// Idle TLS connections: handshake done, not a byte of a request.
const IDLE: usize = 500;
/// Connections that sent headers and part of a body, then stall.
const HALF_SENT: usize = 200;
const PODS: usize = 50;
/// The account API's deadlines are 10 s (first request, body); the rest is room for a loaded
/// machine.
const CLOSED_WITHIN: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Idle,
    HalfSent,
}

/// One stalled connection: only the TCP socket is kept (the TLS session was set up and, for a
/// half-sent body, used once); the server's closing is seen as the end of the byte stream.
struct Stalled {
    kind: Kind,
    tcp: TcpStream,
    opened: Instant,
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(env().ca_cert_pem.as_bytes()).unwrap())
        .unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

fn open(addr: SocketAddr, config: &Arc<rustls::ClientConfig>, kind: Kind) -> Stalled {
    let server = ServerName::IpAddress(addr.ip().into());
    let mut conn = rustls::ClientConnection::new(config.clone(), server).unwrap();
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let opened = Instant::now();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)
            .unwrap_or_else(|e| panic!("TLS handshake with the account API failed: {e}"));
    }
    if kind == Kind::HalfSent {
        let head = format!(
            "POST /v1/enroll HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{{\"token\": \"ike1_"
        );
        conn.writer().write_all(head.as_bytes()).unwrap();
        while conn.wants_write() {
            conn.write_tls(&mut tcp).unwrap();
        }
    }
    tcp.set_nonblocking(true).unwrap();
    Stalled { kind, tcp, opened }
}

/// Whether the server has closed `s` (end of stream or reset); what it sent first is dropped.
fn closed(s: &mut Stalled) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match s.tcp.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

/// What the flood saw.
#[derive(Default)]
struct Seen {
    opened: usize,
    closed: Vec<(Kind, Duration)>,
}

/// Keeps IDLE + HALF_SENT stalled connections open (opening a new one for each the server
/// closes) until `stop`, then waits until the server has closed every one of them.
fn flood(addr: SocketAddr, stop: &AtomicBool) -> Seen {
    let config = tls_config();
    let mut seen = Seen::default();
    let mut open_now: Vec<Stalled> = Vec::new();
    let kinds = || {
        std::iter::repeat_n(Kind::Idle, IDLE).chain(std::iter::repeat_n(Kind::HalfSent, HALF_SENT))
    };
    for kind in kinds() {
        open_now.push(open(addr, &config, kind));
        seen.opened += 1;
    }
    let started = Instant::now();
    while !open_now.is_empty() {
        let flooding = !stop.load(Ordering::SeqCst);
        let mut reopen = Vec::new();
        open_now.retain_mut(|s| {
            if closed(s) {
                seen.closed.push((s.kind, s.opened.elapsed()));
                if flooding {
                    reopen.push(s.kind);
                }
                false
            } else {
                assert!(
                    s.opened.elapsed() < CLOSED_WITHIN,
                    "a {:?} connection is still open after {CLOSED_WITHIN:?}",
                    s.kind
                );
                true
            }
        });
        for kind in reopen {
            open_now.push(open(addr, &config, kind));
            seen.opened += 1;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the flood never ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    seen
}

fn pod(name: &str, privileged: bool) -> Value {
    let mut container = json!({ "name": "app", "image": "registry.invalid/app:1" });
    if privileged {
        container["securityContext"] = json!({ "privileged": true });
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": { "name": name },
        "spec": { "containers": [container] },
    })
}

fn file(value: &Value) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    serde_json::to_writer(file.as_file(), value).unwrap();
    file
}

fn wait_until(what: &str, mut probe: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !probe() {
        assert!(Instant::now() < deadline, "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The value of `name` with the labels `labels` (in any order) on the controller's /metrics,
/// 0 when absent.
fn metric(name: &str, labels: &[&str]) -> f64 {
    let (status, body) = crate::harness::controller_get("/metrics");
    assert_eq!(status, 200);
    body.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[test]
fn a_flood_on_the_account_api_stops_no_pod_and_the_server_closes_every_stalled_connection() {
    let _shared = sharing_the_tenant_controller();
    let e = env();
    // The webhooks are not where the flood goes.
    assert_ne!(e.account_api, e.webhooks);
    admin();
    let owner = enrolled("flood-owner");
    let name = unique("flood");
    let ns = format!("{name}-ns");
    let tenant = json!({
        "apiVersion": "ike.dev/v1alpha1",
        "kind": "Tenant",
        "metadata": { "name": name },
        "spec": {
            "members": [{ "account": owner.account, "role": "owner" }],
            "namespaces": [ns],
        },
    });
    ok(kubectl(&[
        "apply",
        "-f",
        file(&tenant).path().to_str().unwrap(),
    ]));
    wait_until(
        "the tenant is Ready and its namespace has a default ServiceAccount",
        || {
            let ready = kubectl(&[
                "get",
                "tenant",
                &name,
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}",
            ]);
            String::from_utf8_lossy(&ready.stdout) == "True"
                && kubectl(&["get", "serviceaccount", "default", "-n", &ns])
                    .status
                    .success()
        },
    );
    let timed_out_before = metric(
        "ike_https_connections_timed_out_total",
        &["listener=\"account-api\"", "phase=\"first_request\""],
    );
    let body_timeouts_before = metric(
        "ike_https_requests_limited_total",
        &["listener=\"account-api\"", "reason=\"body_timeout\""],
    );

    let addr: SocketAddr = e
        .account_api
        .trim_start_matches("https://")
        .parse()
        .unwrap();
    let stop = AtomicBool::new(false);
    let (seen, pods, renewal, privileged) = std::thread::scope(|scope| {
        let flood = scope.spawn(|| flood(addr, &stop));
        // Give the flood its full size before the pods come.
        std::thread::sleep(Duration::from_secs(3));
        let creators: Vec<_> = (0..5)
            .map(|batch| {
                let (owner, ns, name) = (&owner, &ns, &name);
                scope.spawn(move || {
                    let items: Vec<Value> = (0..PODS / 5)
                        .map(|i| pod(&format!("{name}-{batch}-{i}"), false))
                        .collect();
                    let list = file(&json!({ "apiVersion": "v1", "kind": "List", "items": items }));
                    owner.kubectl(&["create", "-n", ns, "-f", list.path().to_str().unwrap()])
                })
            })
            .collect();
        // The webhooks still refuse what they must, and a renewal still goes through.
        let privileged = owner.kubectl(&[
            "create",
            "-n",
            &ns,
            "-f",
            file(&pod(&format!("{name}-privileged"), true))
                .path()
                .to_str()
                .unwrap(),
        ]);
        let renewal = owner.ike(&["login", "--site", &e.site]);
        let pods: Vec<_> = creators.into_iter().map(|c| c.join().unwrap()).collect();
        stop.store(true, Ordering::SeqCst);
        (flood.join().unwrap(), pods, renewal, privileged)
    });

    for out in &pods {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && !stderr.contains("rror"), "{stderr}");
    }
    let listed = ok(kubectl(&["get", "pods", "-n", &ns, "-o", "name"]));
    let created = listed.lines().filter(|l| l.contains(&name)).count();
    assert_eq!(created, PODS, "{listed}");
    let refused = String::from_utf8_lossy(&privileged.stderr);
    assert!(
        !privileged.status.success() && refused.contains("ike:"),
        "a privileged pod was not refused by the webhook during the flood: {refused}"
    );
    ok(renewal);

    // Every stalled connection was closed by the server, within its deadline and room.
    assert!(seen.opened >= IDLE + HALF_SENT);
    assert_eq!(seen.closed.len(), seen.opened);
    let longest = seen.closed.iter().map(|(_, d)| *d).max().unwrap();
    assert!(longest < CLOSED_WITHIN, "{longest:?}");
    let idle_closed = seen.closed.iter().filter(|(k, _)| *k == Kind::Idle).count();
    let half_closed = seen.closed.len() - idle_closed;
    assert!(idle_closed >= IDLE && half_closed >= HALF_SENT);
    // ... and it says so in its metrics.
    let timed_out = metric(
        "ike_https_connections_timed_out_total",
        &["listener=\"account-api\"", "phase=\"first_request\""],
    ) - timed_out_before;
    let body_timeouts = metric(
        "ike_https_requests_limited_total",
        &["listener=\"account-api\"", "reason=\"body_timeout\""],
    ) - body_timeouts_before;
    assert!(timed_out >= IDLE as f64, "{timed_out}");
    assert!(body_timeouts >= HALF_SENT as f64, "{body_timeouts}");
    eprintln!(
        "flood: {} connections opened and closed by the server (longest {longest:?}); {PODS} pods admitted",
        seen.opened
    );
    let _ = kubectl(&["delete", "tenant", &name, "--wait=false"]);
}
