//! The relay: Alertmanager's webhook → ike-controller → Barry or Teams, with the tenant's
//! Secret read at delivery time.
//!
//! `POST /relay/{barry|teams}/{namespace}/{name}`, Alertmanager's webhook body (version 4).
//!
//! - Only Alertmanager may call it: the request must carry the relay token as a bearer token
//!   (Alertmanager's `http_config.authorization`), compared in constant time; 401 otherwise.
//! - The body's `receiver` must be the receiver rendered for that path, and only alerts whose
//!   `namespace` label is the path's namespace are forwarded (`retain_namespace`): a wrong
//!   route or a hand-edited configuration cannot carry one tenant's alerts to another's.
//! - The config is read from the API server and its Secret too, at every delivery: nothing of
//!   a tenant's Secret is kept, copied into Alertmanager's configuration or logged.
//! - Tenants share the relay fairly ([`super::fair`]): a few deliveries per tenant at once, a
//!   short queue, and 503 beyond it; each delivery, its wait and its retries included, ends
//!   within [`DEADLINE`], before Alertmanager stops waiting for the answer.
//! - Answers: 200 when delivered (or nothing was left to deliver), 422 when the receiving
//!   system refused it (Alertmanager does not retry a 4xx: retrying would not help), 503 when
//!   it could not be delivered now (Barry down, Secret missing, the tenant's deliveries
//!   queued up, the deadline passed): Alertmanager retries, and sends again at the next group
//!   interval, so nothing is lost.
//! - What the receiving system answered goes nowhere but its status code: a status, an Event
//!   or a log line never carries its body, and every message is redacted of the token, the URL
//!   and the relay token as well ([`super::secrets::Redactor`]).
//! - Every delivery is recorded in the config's status (`lastDelivery`, `Delivered`, and
//!   `lastTest` for test alerts) through the status queue, coalesced, in the background.

mod deliver;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::Notify;
use super::fair::{self, Fair};
use super::payload::Payload;
use super::status::{Change, ConditionChange, Kind};
use crate::api::names::{MAX_SUBDOMAIN, is_dns_label, is_dns_subdomain};
use crate::api::{
    Delivery, DeliveryResult, NotifyTest, TEST_ID_LABEL, TestResult, condition, receiver_name,
};
use crate::util::time::rfc3339;

/// The relay's path prefix; Alertmanager's webhooks go to `<prefix>/<kind>/<ns>/<name>`.
pub const PREFIX: &str = "/relay";

/// The longest one delivery takes from its arrival, its wait for a slot and every retry
/// included: the receiving systems' deadline ([`super::http::DELIVERY_DEADLINE`]). Alertmanager
/// waits at least 10 s (its `group_interval`, at least that) before it gives up on the relay.
pub const DEADLINE: Duration = super::http::DELIVERY_DEADLINE;

/// The relay's state.
pub struct Relay {
    notify: Arc<Notify>,
    token: ring::digest::Digest,
    fair: Arc<Fair>,
}

impl Relay {
    /// The relay of `notify`'s settings, its slots shared as `limits` say.
    pub fn new(notify: Arc<Notify>, limits: fair::Limits) -> Arc<Self> {
        let token = digest(notify.settings.relay.token.expose());
        Arc::new(Self {
            notify,
            token,
            fair: Fair::new(limits),
        })
    }
}

fn digest(s: &str) -> ring::digest::Digest {
    ring::digest::digest(&ring::digest::SHA256, s.as_bytes())
}

/// The relay's route.
pub fn routes(relay: Arc<Relay>) -> Router {
    Router::new()
        .route(
            &format!("{PREFIX}/{{kind}}/{{namespace}}/{{name}}"),
            post(deliver),
        )
        .with_state(relay)
}

fn answer(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": message.into() })),
    )
        .into_response()
}

/// How a delivery ended, for the answer, the status and the metrics.
struct Outcome {
    result: DeliveryResult,
    reason: &'static str,
    message: String,
}

impl Outcome {
    fn delivered(message: String) -> Self {
        Self {
            result: DeliveryResult::Delivered,
            reason: condition::ACCEPTED,
            message,
        }
    }

    fn failed(reason: &'static str, message: String) -> Self {
        Self {
            result: DeliveryResult::Failed,
            reason,
            message,
        }
    }

    fn rejected(message: String) -> Self {
        Self {
            result: DeliveryResult::Rejected,
            reason: condition::REJECTED,
            message,
        }
    }

    fn status(&self) -> StatusCode {
        match self.result {
            DeliveryResult::Delivered => StatusCode::OK,
            DeliveryResult::Rejected => StatusCode::UNPROCESSABLE_ENTITY,
            DeliveryResult::Failed => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

async fn deliver(
    State(relay): State<Arc<Relay>>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(digest);
    // Digests are compared, not tokens: how long the comparison takes tells nothing about
    // the token, and its length is not told either.
    let authorized = bearer.is_some_and(|b| b.as_ref() == relay.token.as_ref());
    if !authorized {
        return answer(
            StatusCode::UNAUTHORIZED,
            "the relay takes requests from Alertmanager only",
        );
    }
    let Some(kind) = Kind::parse(&kind).filter(|k| *k != Kind::Email) else {
        return answer(
            StatusCode::NOT_FOUND,
            "the relay delivers to barry and teams only",
        );
    };
    if !is_dns_label(&namespace) || !is_dns_subdomain(&name, MAX_SUBDOMAIN) {
        return answer(StatusCode::NOT_FOUND, "not a namespace and config name");
    }
    let mut payload: Payload = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            return answer(
                StatusCode::BAD_REQUEST,
                format!("not Alertmanager's webhook body: {e}"),
            );
        }
    };
    let kind_name = match kind {
        Kind::Barry => "barry",
        _ => "teams",
    };
    let receiver = receiver_name(&namespace, kind_name, &name);
    if payload.receiver != receiver {
        tracing::warn!(path_receiver = %receiver, body_receiver = %payload.receiver, "relay: receiver does not match the path; refused");
        relay.notify.metrics.count_relayed(kind_name, "refused");
        return answer(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is for receiver '{}', the path for '{receiver}'",
                payload.receiver
            ),
        );
    }
    let dropped = payload.retain_namespace(&namespace);
    if dropped > 0 {
        tracing::warn!(receiver = %receiver, dropped, "relay: dropped alerts of other namespaces");
    }
    if payload.alerts.is_empty() {
        relay.notify.metrics.count_relayed(kind_name, "empty");
        return StatusCode::OK.into_response();
    }
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let tenant = relay.notify.tenant_of(&namespace);
    let _slot = match relay.fair.enter(&tenant).await {
        Ok(slot) => slot,
        Err(busy) => {
            relay.notify.metrics.count_relayed(kind_name, "busy");
            let outcome = Outcome::failed(
                condition::BUSY,
                format!("{busy}: this notification waits for Alertmanager to send it again"),
            );
            relay.record(kind, &namespace, &name, &payload, &outcome);
            let mut response = answer(StatusCode::SERVICE_UNAVAILABLE, outcome.message);
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
            return response;
        }
    };
    let delivery = async {
        match kind {
            Kind::Barry => relay.to_barry(&namespace, &name, &payload).await,
            _ => relay.to_teams(&namespace, &name, &payload).await,
        }
    };
    let outcome = match tokio::time::timeout_at(deadline, delivery).await {
        Ok(outcome) => outcome,
        Err(_) => Some(Outcome::failed(
            match kind {
                Kind::Barry => condition::BARRY_UNREACHABLE,
                _ => condition::TEAMS_UNREACHABLE,
            },
            format!(
                "not delivered within {} s; Alertmanager will send it again",
                DEADLINE.as_secs()
            ),
        )),
    };
    let Some(outcome) = outcome else {
        relay.notify.metrics.count_relayed(kind_name, "no_config");
        return answer(
            StatusCode::NOT_FOUND,
            format!("no {receiver}: the config is gone"),
        );
    };
    let label = match outcome.result {
        DeliveryResult::Delivered => "delivered",
        DeliveryResult::Rejected => "rejected",
        DeliveryResult::Failed => "failed",
    };
    relay.notify.metrics.count_relayed(kind_name, label);
    if outcome.result != DeliveryResult::Delivered {
        tracing::warn!(receiver = %receiver, reason = outcome.reason, message = %outcome.message, "relay: not delivered");
    }
    relay.record(kind, &namespace, &name, &payload, &outcome);
    let status = outcome.status();
    if status == StatusCode::OK {
        return status.into_response();
    }
    answer(status, outcome.message)
}

impl Relay {
    /// Queues the delivery for the config's status.
    fn record(
        &self,
        kind: Kind,
        namespace: &str,
        name: &str,
        payload: &Payload,
        outcome: &Outcome,
    ) {
        let now = rfc3339(SystemTime::now());
        let test = payload
            .alerts
            .iter()
            .find_map(|a| a.labels.get(TEST_ID_LABEL))
            .map(|id| NotifyTest {
                id: id.clone(),
                time: now.clone(),
                result: match outcome.result {
                    DeliveryResult::Delivered => TestResult::Delivered,
                    _ => TestResult::Failed,
                },
                message: outcome.message.clone(),
            });
        let change = Change {
            conditions: vec![ConditionChange {
                type_: condition::DELIVERED,
                status: outcome.result == DeliveryResult::Delivered,
                reason: outcome.reason,
                message: outcome.message.clone(),
                generation: None,
            }],
            last_delivery: Some(Delivery {
                time: now,
                result: outcome.result,
                message: outcome.message.clone(),
            }),
            last_test: test,
        };
        self.notify
            .statuses
            .push((kind, namespace.to_string(), name.to_string()), change);
    }
}
