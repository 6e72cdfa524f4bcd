//! Connections: the accept loop, the connection cap, and the deadline of each connection's
//! current phase.
//!
//! A connection is in one phase at a time ([`Phase`]). Every phase but `Busy` (a request is
//! being handled: the body and the handler have their own deadlines in [`super::requests`]) has
//! a deadline, enforced where the bytes flow: [`Watched`] wraps the TCP stream under TLS and
//! fails the next read or write once the deadline of the current phase has passed, which makes
//! hyper drop the connection. A client that trickles one byte at a time gains nothing: the
//! headers' deadline runs from their first byte, not from the last one.
//!
//! At the connection cap, a new connection is not refused while a kept-alive one sits idle: the
//! one idle the longest is closed to make room ([`Open::evict_idlest`]). Idle connections cost
//! their clients nothing to lose (they connect again), and a client that keeps many (Alertmanager
//! keeps one per receiver, and new ones after every reload, for five minutes) would otherwise
//! fill the cap with connections that do nothing and lock everyone else out.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum_server::accept::Accept as _;
use axum_server::tls::TlsInfo;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use hyper::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, Sleep};
use tower_service::Service as _;

use super::{Limits, Metrics, Stop};

/// What every connection of one listener shares.
pub(super) struct Shared {
    pub(super) name: &'static str,
    pub(super) app: Router,
    pub(super) tls: RustlsConfig,
    pub(super) limits: Limits,
    pub(super) metrics: Metrics,
    pub(super) stopped: watch::Receiver<Stop>,
    pub(super) open: OpenConnections,
}

/// How long a connection over the cap waits for the idle one closed for it to go.
const EVICTION_WAIT: Duration = Duration::from_secs(2);

/// The clocks of the open connections, to find the one idle the longest.
#[derive(Default)]
pub(super) struct OpenConnections {
    next: AtomicU64,
    clocks: Mutex<HashMap<u64, Arc<Clock>>>,
}

impl OpenConnections {
    fn add(&self, clock: Arc<Clock>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, clock);
        id
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Clock>>> {
        self.clocks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Closes the connection idle the longest, if one is idle; whether one was.
    fn evict_idlest(&self) -> bool {
        let clocks: Vec<Arc<Clock>> = self.lock().values().cloned().collect();
        let idlest = clocks
            .iter()
            .filter_map(|c| c.idle_since().map(|since| (since, c)))
            .min_by_key(|(since, _)| *since);
        idlest.is_some_and(|(_, clock)| clock.evict())
    }
}

/// Accepts until the listener stops; above the connection cap, closes what it accepts.
pub(super) async fn accept_loop(
    socket: TcpListener,
    connections: Arc<Semaphore>,
    shared: Arc<Shared>,
) {
    let mut stopped = shared.stopped.clone();
    loop {
        let accepted = tokio::select! {
            accepted = socket.accept() => accepted,
            _ = stopped.wait_for(|s| *s != Stop::Running) => return,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, most likely: wait for some to close rather than spin.
                tracing::warn!(listener = shared.name, %error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            if shared.open.evict_idlest() {
                // Served once the idle connection closed for it has gone.
                let (connections, shared) = (connections.clone(), shared.clone());
                tokio::spawn(async move {
                    let freed = tokio::time::timeout(EVICTION_WAIT, connections.acquire_owned());
                    match freed.await {
                        Ok(Ok(permit)) => serve(tcp, peer, permit, shared).await,
                        _ => {
                            shared.metrics.connections_refused.inc();
                        }
                    }
                });
                continue;
            }
            // Closed at once rather than left in the kernel's queue: the client learns now.
            shared.metrics.connections_refused.inc();
            tracing::debug!(listener = shared.name, %peer, "connection closed: at the maximum");
            continue;
        };
        tokio::spawn(serve(tcp, peer, permit, shared.clone()));
    }
}

/// Serves one connection until it ends, times out, or the listener stops.
async fn serve(
    tcp: TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    shared: Arc<Shared>,
) {
    let _open = Open::new(&shared.metrics, permit);
    let _ = tcp.set_nodelay(true);
    let clock = Arc::new(Clock::new(&shared.limits));
    let _listed = Listed::new(&shared.open, clock.clone());
    let io = Watched::new(tcp, clock.clone(), shared.metrics.clone());
    // rustls' own limit is a backstop only: the clock closes the connection first, and says so.
    let acceptor = RustlsAcceptor::new(shared.tls.clone())
        .handshake_timeout(shared.limits.handshake_timeout * 2);
    let mut stopped = shared.stopped.clone();
    let handshake = tokio::select! {
        handshake = acceptor.accept(io, ()) => handshake,
        _ = stopped.wait_for(|s| *s != Stop::Running) => return,
    };
    let stream = match handshake {
        Ok((stream, _)) => stream,
        Err(error) => {
            if clock.timed_out().is_none() {
                shared.metrics.handshake_failures.inc();
            }
            tracing::debug!(listener = shared.name, %peer, %error, "TLS handshake failed");
            return;
        }
    };
    clock.handshake_done();
    let (_, session) = stream.get_ref();
    let mut info = TlsInfo::default();
    info.server_name = session.server_name().map(str::to_owned);
    info.alpn_protocol = session.alpn_protocol().map(<[u8]>::to_vec);
    info.peer_certificates = session
        .peer_certificates()
        .map(|chain| chain.iter().map(|c| c.to_vec()).collect())
        .unwrap_or_default();
    let info = Arc::new(info);

    let app = shared.app.clone();
    let requests = clock.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(info.clone());
        request.extensions_mut().insert(ConnectInfo(peer));
        let in_flight = InFlight::new(requests.clone());
        let response = app.clone().call(request);
        async move {
            let response = response.await;
            drop(in_flight);
            response
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        // Headers larger than this are refused (431); bodies stream through in chunks.
        .max_buf_size(64 * 1024)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let stopping = tokio::select! {
        ended = connection.as_mut() => Some(ended),
        _ = stopped.wait_for(|s| *s != Stop::Running) => None,
    };
    let ended = match stopping {
        Some(ended) => ended,
        None => {
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stopped.wait_for(|s| *s == Stop::Now) => Ok(()),
            }
        }
    };
    match (ended, clock.timed_out()) {
        (_, Some(phase)) => {
            tracing::debug!(listener = shared.name, %peer, phase = phase.name(), "connection timed out");
        }
        (Err(error), None) => {
            tracing::debug!(listener = shared.name, %peer, %error, "connection ended with an error");
        }
        (Ok(()), None) => {}
    }
}

/// Keeps a connection's clock in the listener's list while it lives.
struct Listed<'a> {
    open: &'a OpenConnections,
    id: u64,
}

impl<'a> Listed<'a> {
    fn new(open: &'a OpenConnections, clock: Arc<Clock>) -> Self {
        Self {
            id: open.add(clock),
            open,
        }
    }
}

impl Drop for Listed<'_> {
    fn drop(&mut self) {
        self.open.remove(self.id);
    }
}

/// Holds a connection slot and counts the connection as open while it lives.
struct Open {
    metrics: Metrics,
    _permit: OwnedSemaphorePermit,
}

impl Open {
    fn new(metrics: &Metrics, permit: OwnedSemaphorePermit) -> Self {
        metrics.connections_open.inc();
        Self {
            metrics: metrics.clone(),
            _permit: permit,
        }
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.metrics.connections_open.dec();
    }
}

/// What a connection is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// The TLS handshake, from the accept.
    Handshake,
    /// Waiting for the first request's headers, from the end of the handshake.
    FirstRequest,
    /// Reading a later request's headers, from their first byte.
    Headers,
    /// A request is being handled (body, handler): no connection deadline.
    Busy,
    /// Kept alive between requests, or writing a response, since the last handler answered.
    Idle,
    /// Idle, and closed to make room for a new connection at the cap.
    Evicted,
}

impl Phase {
    pub(super) fn name(self) -> &'static str {
        match self {
            Phase::Handshake => "handshake",
            Phase::FirstRequest => "first_request",
            Phase::Headers => "headers",
            Phase::Busy => "busy",
            Phase::Idle => "idle",
            Phase::Evicted => "evicted",
        }
    }
}

/// A connection's phase and since when, shared by its stream and its requests.
pub(super) struct Clock {
    handshake: Duration,
    headers: Duration,
    idle: Duration,
    state: Mutex<ClockState>,
}

struct ClockState {
    phase: Phase,
    since: Instant,
    in_flight: usize,
    /// The connection's task, to wake when a phase with a deadline begins while it waits.
    waker: Option<Waker>,
    timed_out: Option<Phase>,
    evicted: bool,
}

impl Clock {
    pub(super) fn new(limits: &Limits) -> Self {
        Self {
            handshake: limits.handshake_timeout,
            headers: limits.header_timeout,
            idle: limits.idle_timeout,
            state: Mutex::new(ClockState {
                phase: Phase::Handshake,
                since: Instant::now(),
                in_flight: 0,
                waker: None,
                timed_out: None,
                evicted: false,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current phase's deadline, if it has one; remembers `waker` to wake on a change.
    fn deadline(&self, waker: &Waker) -> Option<(Instant, Phase)> {
        let mut state = self.state();
        if !state.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            state.waker = Some(waker.clone());
        }
        if state.evicted {
            return Some((state.since, Phase::Evicted));
        }
        let limit = match state.phase {
            Phase::Handshake => self.handshake,
            Phase::FirstRequest | Phase::Headers => self.headers,
            Phase::Idle => self.idle,
            Phase::Busy | Phase::Evicted => return None,
        };
        Some((state.since + limit, state.phase))
    }

    fn enter(state: &mut ClockState, phase: Phase) {
        state.phase = phase;
        state.since = Instant::now();
        if let Some(waker) = &state.waker {
            waker.wake_by_ref();
        }
    }

    /// Since when the connection is idle, if it is (and not closed already).
    fn idle_since(&self) -> Option<Instant> {
        let state = self.state();
        (state.phase == Phase::Idle && !state.evicted).then_some(state.since)
    }

    /// Closes the connection if it is idle: its next read or write fails at once. Whether it was.
    fn evict(&self) -> bool {
        let mut state = self.state();
        if state.phase != Phase::Idle || state.evicted {
            return false;
        }
        state.evicted = true;
        state.since = Instant::now();
        if let Some(waker) = &state.waker {
            waker.wake_by_ref();
        }
        true
    }

    pub(super) fn handshake_done(&self) {
        Self::enter(&mut self.state(), Phase::FirstRequest);
    }

    /// Bytes arrived: on an idle connection, a request begins.
    fn bytes_read(&self) {
        let mut state = self.state();
        if state.phase == Phase::Idle {
            Self::enter(&mut state, Phase::Headers);
        }
    }

    fn request_started(&self) {
        let mut state = self.state();
        state.in_flight += 1;
        state.phase = Phase::Busy;
    }

    fn request_finished(&self) {
        let mut state = self.state();
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight == 0 {
            Self::enter(&mut state, Phase::Idle);
        }
    }

    fn expire(&self, phase: Phase) -> bool {
        let mut state = self.state();
        let first = state.timed_out.is_none();
        state.timed_out.get_or_insert(phase);
        first
    }

    pub(super) fn timed_out(&self) -> Option<Phase> {
        self.state().timed_out
    }
}

/// A request being handled: the connection is `Busy` until it is dropped.
struct InFlight(Arc<Clock>);

impl InFlight {
    fn new(clock: Arc<Clock>) -> Self {
        clock.request_started();
        Self(clock)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

/// A stream that fails once the deadline of its connection's phase has passed.
pub(super) struct Watched<T> {
    io: T,
    clock: Arc<Clock>,
    metrics: Metrics,
    sleep: Pin<Box<Sleep>>,
    armed: Option<Instant>,
}

impl<T> Watched<T> {
    pub(super) fn new(io: T, clock: Arc<Clock>, metrics: Metrics) -> Self {
        Self {
            io,
            clock,
            metrics,
            sleep: Box::pin(tokio::time::sleep(Duration::ZERO)),
            armed: None,
        }
    }

    /// The error to fail with once the current phase's deadline has passed.
    fn expired(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        let (deadline, phase) = self.clock.deadline(cx.waker())?;
        if self.armed != Some(deadline) {
            self.sleep.as_mut().reset(deadline);
            self.armed = Some(deadline);
        }
        self.sleep.as_mut().poll(cx).is_ready().then(|| {
            if self.clock.expire(phase) {
                self.metrics.timed_out(phase.name());
            }
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the {} deadline passed", phase.name()),
            )
        })
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(error) = this.expired(cx) {
            return Poll::Ready(Err(error));
        }
        let before = buf.filled().len();
        let read = Pin::new(&mut this.io).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.clock.bytes_read();
        }
        read
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(error) = this.expired(cx) {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(error) = this.expired(cx) {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
