//! A recording fake of Barry that speaks exactly the contract in `src/controller/notify/barry.rs`:
//! `PUT /api/v1/channels/{name}` (create or get), `PATCH /api/v1/channels/{id}` (`{muted}`),
//! `POST /api/v1/channels/{id}/alerts` (Alertmanager's webhook body, checked field by field),
//! every request with `Authorization: Bearer <token>`.
//!
//! Each accepted token is its own account with its own channels, as in Barry; a token can be
//! taken "down" (503 for its requests only), so one test's outage does not disturb the others
//! sharing the fake.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
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

#[derive(Default)]
struct Inner {
    tokens: BTreeSet<String>,
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

impl BarryFake {
    /// Starts a fake that accepts `token` only.
    pub async fn start(token: &str) -> Self {
        let inner: Shared = Arc::new(Mutex::new(Inner {
            tokens: [token.to_string()].into(),
            ..Default::default()
        }));
        let app = Router::new()
            .route("/api/v1/channels/{key}", put(ensure).patch(mute))
            .route("/api/v1/channels/{id}/alerts", post(alerts))
            .with_state(inner.clone());
        let (addr, task) = super::serve(app).await;
        Self {
            url: format!("http://{addr}"),
            inner,
            task,
        }
    }

    /// Answers the next `n` requests with 503, doing nothing else.
    pub fn fail_next(&self, n: u32) {
        self.inner.lock().unwrap().fail_next = n;
    }

    /// Accepts `token` too, as another account.
    pub fn accept(&self, token: &str) {
        self.inner.lock().unwrap().tokens.insert(token.to_string());
    }

    /// Answers 503 to every request with `token` while `down` (Barry is down for that account).
    pub fn set_down_for(&self, token: &str, down: bool) {
        let mut inner = self.inner.lock().unwrap();
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
        self.inner.lock().unwrap().unauthorized = on;
    }

    /// Answers every request with `token` with 401 "token <token> has expired": a Barry that
    /// echoes the token back, as the real one does for an expired token. For that token only,
    /// so that the tests sharing the fake are not disturbed.
    pub fn expire(&self, token: &str) {
        self.inner.lock().unwrap().expired.insert(token.to_string());
    }

    /// Forgets the channel `id`, as when someone deletes it in Barry's UI: its requests get 404.
    pub fn forget_channel(&self, id: &str) {
        self.inner.lock().unwrap().channels.remove(id);
    }

    /// The channel ids that got an alert while unmuted (people were paged), in order.
    pub fn paged(&self) -> Vec<String> {
        self.inner.lock().unwrap().paged.clone()
    }

    /// Requests received, failed ones included.
    pub fn requests(&self) -> u32 {
        self.inner.lock().unwrap().requests
    }

    /// The channels, by id.
    pub fn channels(&self) -> Vec<FakeChannel> {
        self.inner
            .lock()
            .unwrap()
            .channels
            .values()
            .cloned()
            .collect()
    }

    /// Every accepted mute change: (channel id, muted).
    pub fn mutes(&self) -> Vec<(String, bool)> {
        self.inner.lock().unwrap().mutes.clone()
    }

    /// Every accepted notification: (channel id, body).
    pub fn alerts(&self) -> Vec<(String, Value)> {
        self.inner.lock().unwrap().alerts.clone()
    }
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
    if inner.unauthorized || !inner.tokens.contains(&bearer) {
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
    let mut inner = inner.lock().unwrap();
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
    let mut inner = inner.lock().unwrap();
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
    let mut inner = inner.lock().unwrap();
    let account = match refusal(&mut inner, &headers) {
        Ok(account) => account,
        Err(r) => return *r,
    };
    let Some(muted) = inner
        .channels
        .get(&id)
        .filter(|c| c.account == account)
        .map(|c| c.muted)
    else {
        return error(StatusCode::NOT_FOUND, "no such channel");
    };
    if let Err(problem) = check_webhook_body(&body) {
        return error(StatusCode::BAD_REQUEST, &problem);
    }
    if !muted {
        inner.paged.push(id.clone());
    }
    inner.alerts.push((id, body));
    (StatusCode::ACCEPTED, Json(json!({}))).into_response()
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
    is(body, "alerts", Value::is_array)?;
    for alert in body["alerts"].as_array().unwrap() {
        is(alert, "status", status)?;
        is(alert, "labels", Value::is_object)?;
        is(alert, "annotations", Value::is_object)?;
        for key in ["startsAt", "endsAt", "generatorURL", "fingerprint"] {
            is(alert, key, Value::is_string)?;
        }
    }
    Ok(())
}
