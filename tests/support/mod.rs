//! Fakes of the systems ike notifies, for integration and end-to-end tests. Include with
//! `mod support;` (or `#[path = "../support/mod.rs"] mod support;` from `tests/e2e/`).

// Each test binary uses only some of the fakes' switches and records.
#![allow(dead_code)]

pub mod barry_fake;
pub mod teams_fake;

use axum::Router;

/// Serves `app` on 127.0.0.1 at a free port until the returned task is aborted.
pub async fn serve(app: Router) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    serve_on([127, 0, 0, 1].into(), app).await
}

/// Serves `app` on `ip` (a loopback address) at a free port until the task is aborted.
pub async fn serve_on(
    ip: std::net::IpAddr,
    app: Router,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind((ip, 0))
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the fake serves");
    });
    (addr, task)
}

/// A server that never answers: it accepts every connection and holds it, reading nothing and
/// writing nothing, until the task is aborted. Counts what it accepted.
pub async fn black_hole() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicU32>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(tcp);
        }
    });
    (addr, accepted, task)
}
