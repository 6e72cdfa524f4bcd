//! Fakes of the systems ike notifies, for integration and end-to-end tests. Include with
//! `mod support;` (or `#[path = "../support/mod.rs"] mod support;` from `tests/e2e/`).

// Each test binary uses only some of the fakes' switches and records.
#![allow(dead_code)]

pub mod barry_fake;
pub mod teams_fake;

use axum::Router;

/// Serves `app` on 127.0.0.1 at a free port until the returned task is aborted.
pub async fn serve(app: Router) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the fake serves");
    });
    (addr, task)
}
