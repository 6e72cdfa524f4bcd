//! A recording fake of a Teams Workflows webhook: accepts a POSTed message with an Adaptive
//! Card (202), refuses anything else (400) or a wrong signature (401, echoing the signature it
//! was given, as a careless server might).

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The path a Workflows webhook has.
const PATH: &str = "/workflows/fake/triggers/manual/paths/invoke";
/// The signature the fake's URL carries; the part that makes the URL a secret.
pub const SIGNATURE: &str = "fake-signature-S3CRET";

#[derive(Default)]
struct Inner {
    cards: Vec<Value>,
    fail_next: u32,
    requests: u32,
}

type Shared = Arc<Mutex<Inner>>;

/// A running fake webhook on 127.0.0.1; stops when dropped.
pub struct TeamsFake {
    /// The webhook URL, signature included.
    pub url: String,
    inner: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TeamsFake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TeamsFake {
    /// Starts the fake on 127.0.0.1.
    pub async fn start() -> Self {
        Self::start_on([127, 0, 0, 1].into()).await
    }

    /// Starts the fake on `ip` (a loopback address).
    pub async fn start_on(ip: std::net::IpAddr) -> Self {
        let inner = Shared::default();
        let app = Router::new()
            .route(PATH, post(receive))
            .with_state(inner.clone());
        let (addr, task) = super::serve_on(ip, app).await;
        Self {
            url: format!("http://{addr}{PATH}?api-version=2016-06-01&sig={SIGNATURE}"),
            inner,
            task,
        }
    }

    /// Answers the next `n` requests with 503.
    pub fn fail_next(&self, n: u32) {
        self.inner.lock().unwrap().fail_next = n;
    }

    /// Requests received, failed ones included.
    pub fn requests(&self) -> u32 {
        self.inner.lock().unwrap().requests
    }

    /// The accepted cards (the `content` of each message's attachment).
    pub fn cards(&self) -> Vec<Value> {
        self.inner.lock().unwrap().cards.clone()
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

async fn receive(
    State(inner): State<Shared>,
    Query(query): Query<std::collections::BTreeMap<String, String>>,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.requests += 1;
    if inner.fail_next > 0 {
        inner.fail_next -= 1;
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "try again",
        );
    }
    if query.get("sig").map(String::as_str) != Some(SIGNATURE) {
        // Echoes what it was given, as a careless server might: ike must not pass it on.
        let given = query.get("sig").cloned().unwrap_or_default();
        return error(
            StatusCode::UNAUTHORIZED,
            "DirectApiAuthorizationRequired",
            &format!("the signature '{given}' is not valid"),
        );
    }
    match check_message(&body) {
        Ok(card) => {
            inner.cards.push(card);
            StatusCode::ACCEPTED.into_response()
        }
        Err(problem) => error(
            StatusCode::BAD_REQUEST,
            "TriggerInputSchemaMismatch",
            &problem,
        ),
    }
}

/// A Teams message carrying one Adaptive Card; returns the card.
pub fn check_message(body: &Value) -> Result<Value, String> {
    if body["type"] != "message" {
        return Err("type must be \"message\"".into());
    }
    let attachments = body["attachments"].as_array().ok_or("no attachments")?;
    let [attachment] = attachments.as_slice() else {
        return Err("expected exactly one attachment".into());
    };
    if attachment["contentType"] != "application/vnd.microsoft.card.adaptive" {
        return Err("contentType must be application/vnd.microsoft.card.adaptive".into());
    }
    let card = &attachment["content"];
    if card["type"] != "AdaptiveCard" || !card["version"].is_string() {
        return Err("content must be an AdaptiveCard with a version".into());
    }
    let body = card["body"].as_array().filter(|b| !b.is_empty());
    elements(body.ok_or("the card has no body")?)?;
    Ok(card.clone())
}

fn elements(items: &[Value]) -> Result<(), String> {
    for item in items {
        match item["type"].as_str() {
            Some("TextBlock") if item["text"].is_string() => {}
            Some("Container") => {
                elements(item["items"].as_array().ok_or("Container without items")?)?
            }
            Some("FactSet") => {
                let facts = item["facts"].as_array().ok_or("FactSet without facts")?;
                if !facts
                    .iter()
                    .all(|f| f["title"].is_string() && f["value"].is_string())
                {
                    return Err("a fact needs a title and a value".into());
                }
            }
            Some("ActionSet") => {
                let actions = item["actions"]
                    .as_array()
                    .ok_or("ActionSet without actions")?;
                for action in actions {
                    let url = action["url"].as_str().unwrap_or_default();
                    if action["type"] != "Action.OpenUrl" || !url.starts_with("http") {
                        return Err("only Action.OpenUrl with an http(s) url".into());
                    }
                }
            }
            other => return Err(format!("unexpected element {other:?}")),
        }
    }
    Ok(())
}
