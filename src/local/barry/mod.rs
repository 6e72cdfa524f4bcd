//! A stand-in for Barry that speaks exactly the contract in `src/controller/notify/barry.rs`:
//! `PUT /api/v1/channels/{name}` (create or get), `PATCH /api/v1/channels/{id}` (`{muted}`),
//! `POST /api/v1/channels/{id}/alerts` (Alertmanager's webhook body, checked field by field),
//! every request with `Authorization: Bearer <token>`. It records what it was asked.
//!
//! One implementation for two users: the tests start it in their own runtime and drive its
//! switches ([`BarryFake::start`]), and the local IKE runs it as a process of its own that takes
//! any token and writes each alert it receives to a file ([`process`]).
//!
//! Each accepted token is its own account with its own channels, as in Barry; a token can be
//! taken "down" (503 for its requests only), so one test's outage does not disturb the others
//! sharing the fake. `GET /` shows the channels and the alerts received (tokens never).

pub mod process;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

/// A channel as the fake holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeChannel {
    /// Its id (`ch-1`, `ch-2`...).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is muted.
    pub muted: bool,
    /// The token (account) it belongs to.
    pub account: String,
}

/// Which bearer tokens the fake accepts.
#[derive(Debug, Clone)]
pub enum Tokens {
    /// These only (more with [`BarryFake::accept`]).
    Only(BTreeSet<String>),
    /// Any token that is not empty, each its own account: the local IKE's, where people make
    /// up the token they pass to `ike notify barry --token-file`.
    Any,
}

#[derive(Default)]
struct Inner {
    tokens: Option<BTreeSet<String>>,
    down: BTreeSet<String>,
    channels: BTreeMap<String, FakeChannel>,
    mutes: Vec<(String, bool)>,
    alerts: Vec<(String, Value)>,
    fail_next: u32,
    unauthorized: bool,
    expired: BTreeSet<String>,
    opened: u32,
    requests: u32,
    /// Channel ids that got an alert while unmuted: somebody was paged.
    paged: Vec<String>,
    /// Where each accepted alert is appended as one JSON line, if anywhere.
    alerts_file: Option<PathBuf>,
}

type Shared = Arc<Mutex<Inner>>;

/// A running fake Barry on 127.0.0.1; stops when dropped.
pub struct BarryFake {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    inner: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for BarryFake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How to start a [`BarryFake`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The tokens it accepts.
    pub tokens: Tokens,
    /// Where it listens; port 0 picks a free one.
    pub listen: std::net::SocketAddr,
    /// A file each accepted alert is appended to as one JSON line (`receivedAt`, `channel`,
    /// `body`), created if missing.
    pub alerts_file: Option<PathBuf>,
}

impl BarryFake {
    /// Starts a fake on a free loopback port that accepts `token` only.
    pub async fn start(token: &str) -> Self {
        Self::start_with(Options {
            tokens: Tokens::Only([token.to_string()].into()),
            listen: (std::net::Ipv4Addr::LOCALHOST, 0).into(),
            alerts_file: None,
        })
        .await
        .expect("a free loopback port for the Barry fake")
    }

    /// Starts a fake as `options` say.
    pub async fn start_with(options: Options) -> std::io::Result<Self> {
        let inner: Shared = Arc::new(Mutex::new(Inner {
            tokens: match options.tokens {
                Tokens::Only(tokens) => Some(tokens),
                Tokens::Any => None,
            },
            alerts_file: options.alerts_file,
            ..Default::default()
        }));
        let app = Router::new()
            .route("/", get(overview))
            .route("/api/v1/channels/{key}", put(ensure).patch(mute))
            .route("/api/v1/channels/{id}/alerts", post(alerts))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind(options.listen).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the Barry stand-in stopped serving");
            }
        });
        Ok(Self {
            url: format!("http://{addr}"),
            inner,
            task,
        })
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    /// Answers the next `n` requests with 503, doing nothing else.
    pub fn fail_next(&self, n: u32) {
        self.inner().fail_next = n;
    }

    /// Accepts `token` too, as another account.
    pub fn accept(&self, token: &str) {
        if let Some(tokens) = self.inner().tokens.as_mut() {
            tokens.insert(token.to_string());
        }
    }

    /// Answers 503 to every request with `token` while `down` (Barry is down for that account).
    pub fn set_down_for(&self, token: &str, down: bool) {
        let mut inner = self.inner();
        if down {
            inner.down.insert(token.to_string());
        } else {
            inner.down.remove(token);
        }
    }

    /// The channels of `token`'s account.
    pub fn channels_of(&self, token: &str) -> Vec<FakeChannel> {
        self.channels()
            .into_iter()
            .filter(|c| c.account == token)
            .collect()
    }

    /// Every accepted notification to channel `id`.
    pub fn alerts_in(&self, id: &str) -> Vec<Value> {
        self.alerts()
            .into_iter()
            .filter(|(channel, _)| channel == id)
            .map(|(_, body)| body)
            .collect()
    }

    /// Answers every request with 401 while on, whatever its token.
    pub fn set_unauthorized(&self, on: bool) {
        self.inner().unauthorized = on;
    }

    /// Answers every request with `token` with 401 "token <token> has expired": a Barry that
    /// echoes the token back, as the real one does for an expired token. For that token only,
    /// so that the tests sharing the fake are not disturbed.
    pub fn expire(&self, token: &str) {
        self.inner().expired.insert(token.to_string());
    }

    /// Forgets the channel `id`, as when someone deletes it in Barry's UI: its requests get 404.
    pub fn forget_channel(&self, id: &str) {
        self.inner().channels.remove(id);
    }

    /// The channel ids that got an alert while unmuted (people were paged), in order.
    pub fn paged(&self) -> Vec<String> {
        self.inner().paged.clone()
    }

    /// Requests received, failed ones included.
    pub fn requests(&self) -> u32 {
        self.inner().requests
    }

    /// The channels, by id.
    pub fn channels(&self) -> Vec<FakeChannel> {
        self.inner().channels.values().cloned().collect()
    }

    /// Every accepted mute change: (channel id, muted).
    pub fn mutes(&self) -> Vec<(String, bool)> {
        self.inner().mutes.clone()
    }

    /// Every accepted notification: (channel id, body).
    pub fn alerts(&self) -> Vec<(String, Value)> {
        self.inner().alerts.clone()
    }
}

/// The state, also after a handler panicked while holding it (it stays consistent: every
/// change is one assignment or push).
fn lock(inner: &Shared) -> MutexGuard<'_, Inner> {
    inner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// The switches and the token check every request goes through first: the account (token),
/// or the refusal.
fn refusal(inner: &mut Inner, headers: &HeaderMap) -> Result<String, Box<Response>> {
    inner.requests += 1;
    if inner.fail_next > 0 {
        inner.fail_next -= 1;
        return Err(Box::new(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "barry is in maintenance",
        )));
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    if inner.down.contains(&bearer) {
        return Err(Box::new(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "barry is in maintenance",
        )));
    }
    if inner.expired.contains(&bearer) {
        return Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            &format!("token {bearer} has expired"),
        )));
    }
    let accepted = match &inner.tokens {
        Some(tokens) => tokens.contains(&bearer),
        None => !bearer.trim().is_empty(),
    };
    if inner.unauthorized || !accepted {
        return Err(Box::new(error(StatusCode::UNAUTHORIZED, "invalid token")));
    }
    Ok(bearer)
}

fn channel_json(c: &FakeChannel) -> Value {
    json!({ "id": c.id, "name": c.name, "muted": c.muted })
}

async fn ensure(
    State(inner): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = lock(&inner);
    let account = match refusal(&mut inner, &headers) {
        Ok(account) => account,
        Err(r) => return *r,
    };
    if !body.is_object() || name.is_empty() {
        return error(StatusCode::BAD_REQUEST, "expected {} and a channel name");
    }
    let mine = |c: &&FakeChannel| c.name == name && c.account == account;
    if let Some(c) = inner.channels.values().find(mine) {
        return (StatusCode::OK, Json(channel_json(c))).into_response();
    }
    // Ids are never reused, a forgotten channel's neither.
    inner.opened += 1;
    let id = format!("ch-{}", inner.opened);
    let channel = FakeChannel {
        id: id.clone(),
        name,
        muted: false,
        account,
    };
    let answer = channel_json(&channel);
    inner.channels.insert(id, channel);
    (StatusCode::CREATED, Json(answer)).into_response()
}

async fn mute(
    State(inner): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = lock(&inner);
    let account = match refusal(&mut inner, &headers) {
        Ok(account) => account,
        Err(r) => return *r,
    };
    let Some(muted) = body.get("muted").and_then(Value::as_bool) else {
        return error(StatusCode::BAD_REQUEST, "expected {\"muted\": bool}");
    };
    let Some(channel) = inner.channels.get_mut(&id).filter(|c| c.account == account) else {
        return error(StatusCode::NOT_FOUND, "no such channel");
    };
    channel.muted = muted;
    let answer = channel_json(channel);
    inner.mutes.push((id, muted));
    (StatusCode::OK, Json(answer)).into_response()
}

async fn alerts(
    State(inner): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = lock(&inner);
    let account = match refusal(&mut inner, &headers) {
        Ok(account) => account,
        Err(r) => return *r,
    };
    let Some(channel) = inner.channels.get(&id).filter(|c| c.account == account) else {
        return error(StatusCode::NOT_FOUND, "no such channel");
    };
    if let Err(problem) = check_webhook_body(&body) {
        return error(StatusCode::BAD_REQUEST, &problem);
    }
    let muted = channel.muted;
    if let Some(file) = &inner.alerts_file {
        let line = received(channel, &body);
        if let Err(e) = append_line(file, &line) {
            // Barry in trouble: Alertmanager will send again.
            let message = format!("cannot record the alert in {}: {e}", file.display());
            return error(StatusCode::INTERNAL_SERVER_ERROR, &message);
        }
    }
    if !muted {
        inner.paged.push(id.clone());
    }
    inner.alerts.push((id, body));
    (StatusCode::ACCEPTED, Json(json!({}))).into_response()
}

/// An alert as `GET /` and the alerts file show it: when, to which channel, what.
fn received(channel: &FakeChannel, body: &Value) -> Value {
    json!({
        "receivedAt": crate::util::time::rfc3339(std::time::SystemTime::now()),
        "channel": { "id": channel.id, "name": channel.name },
        "body": body,
    })
}

fn append_line(file: &std::path::Path, value: &Value) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?;
    writeln!(f, "{value}")
}

/// `GET /`: the channels and the alerts received, for people (no token is shown).
async fn overview(State(inner): State<Shared>) -> Response {
    let inner = lock(&inner);
    let channels: Vec<Value> = inner.channels.values().map(channel_json).collect();
    let alerts: Vec<Value> = inner
        .alerts
        .iter()
        .map(|(id, body)| {
            let name = inner.channels.get(id).map(|c| c.name.clone());
            json!({ "channel": { "id": id, "name": name }, "body": body })
        })
        .collect();
    let text = serde_json::to_string_pretty(&json!({ "channels": channels, "alerts": alerts }))
        .unwrap_or_default();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text + "\n",
    )
        .into_response()
}

/// Alertmanager's webhook body, version 4, field by field.
pub fn check_webhook_body(body: &Value) -> Result<(), String> {
    let is = |v: &Value, key: &str, check: fn(&Value) -> bool| {
        v.get(key)
            .filter(|x| check(x))
            .map(|_| ())
            .ok_or_else(|| format!("missing or mistyped '{key}'"))
    };
    if body.get("version").and_then(Value::as_str) != Some("4") {
        return Err("version must be \"4\"".into());
    }
    let status = |v: &Value| matches!(v.as_str(), Some("firing" | "resolved"));
    for key in ["groupKey", "receiver", "externalURL"] {
        is(body, key, Value::is_string)?;
    }
    is(body, "status", status)?;
    for key in ["groupLabels", "commonLabels", "commonAnnotations"] {
        is(body, key, Value::is_object)?;
    }
    let Some(alerts) = body.get("alerts").and_then(Value::as_array) else {
        return Err("missing or mistyped 'alerts'".into());
    };
    for alert in alerts {
        is(alert, "status", status)?;
        is(alert, "labels", Value::is_object)?;
        is(alert, "annotations", Value::is_object)?;
        for key in ["startsAt", "endsAt", "generatorURL", "fingerprint"] {
            is(alert, key, Value::is_string)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
