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
//! - Answers: 200 when delivered (or nothing was left to deliver), 422 when the receiving
//!   system refused it (Alertmanager does not retry a 4xx: retrying would not help), 503 when
//!   it could not be delivered now (Barry down, Secret missing): Alertmanager retries, and
//!   sends again at the next group interval, so nothing is lost.
//! - Every delivery is recorded in the config's status (`lastDelivery`, `Delivered`, and
//!   `lastTest` for test alerts) through the status queue, coalesced, in the background.

use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use kube::Api;

use super::payload::Payload;
use super::status::{Change, ConditionChange, Kind};
use super::{Notify, secrets, teams};
use crate::api::names::{MAX_SUBDOMAIN, is_dns_label, is_dns_subdomain};
use crate::api::{
    BarryConfig, Delivery, DeliveryResult, NotifyTest, TEST_ID_LABEL, TeamsConfig, TestResult,
    condition, receiver_name,
};
use crate::util::time::rfc3339;

/// The relay's path prefix; Alertmanager's webhooks go to `<prefix>/<kind>/<ns>/<name>`.
pub const PREFIX: &str = "/relay";

/// The relay's state.
pub struct Relay {
    notify: Arc<Notify>,
    token: ring::digest::Digest,
}

impl Relay {
    /// The relay of `notify`'s settings.
    pub fn new(notify: Arc<Notify>) -> Arc<Self> {
        let token = digest(notify.settings.relay.token.expose());
        Arc::new(Self { notify, token })
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
    let outcome = match kind {
        Kind::Barry => relay.to_barry(&namespace, &name, &payload).await,
        _ => relay.to_teams(&namespace, &name, &payload).await,
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

    async fn to_barry(&self, namespace: &str, name: &str, payload: &Payload) -> Option<Outcome> {
        let client = &self.notify.client;
        let api: Api<BarryConfig> = Api::namespaced(client.clone(), namespace);
        let config = match api.get_opt(name).await {
            Ok(Some(c)) => c,
            Ok(None) => return None,
            Err(e) => {
                let message = format!(
                    "cannot read the BarryConfig: {}",
                    crate::controller::chain(&e)
                );
                return Some(Outcome::failed(condition::BARRY_UNREACHABLE, message));
            }
        };
        let Some(barry) = &self.notify.barry else {
            return Some(Outcome::failed(
                condition::BARRY_NOT_CONFIGURED,
                "this site's ike-controller has no Barry URL (--barry-url): ask a platform admin"
                    .into(),
            ));
        };
        let secret = &config.spec.token_secret_name;
        let token = match secrets::read(client, namespace, secret, "token").await {
            Ok(token) => token,
            Err(e) => {
                let reason = if e.is_missing() {
                    e.reason("token")
                } else {
                    condition::BARRY_UNREACHABLE
                };
                return Some(Outcome::failed(
                    reason,
                    format!("{e}; Alertmanager will send again"),
                ));
            }
        };
        let known = config.status.iter().flat_map(|s| &s.channels);
        let known: Vec<_> = known.collect();
        let mut delivered = Vec::new();
        let token = token.expose();
        for channel in &config.spec.channels {
            let known = known.iter().find(|k| k.name == channel.name);
            let mut id = match known {
                Some(k) => k.channel_id.clone(),
                // Not opened yet (Barry was down when the config came): open it now.
                None => match barry.ensure_channel(token, &channel.name).await {
                    Ok(c) => c.id,
                    Err(e) => return Some(barry_failure(&channel.name, &delivered, &e)),
                },
            };
            let mut posted = barry.post_alerts(token, &id, payload).await;
            // A channel id in the status that Barry no longer knows: open it by name again.
            if known.is_some() && posted.as_ref().is_err_and(is_unknown_channel) {
                match barry.ensure_channel(token, &channel.name).await {
                    Ok(c) => id = c.id,
                    Err(e) => return Some(barry_failure(&channel.name, &delivered, &e)),
                }
                posted = barry.post_alerts(token, &id, payload).await;
            }
            if let Err(e) = posted {
                return Some(barry_failure(&channel.name, &delivered, &e));
            }
            delivered.push(format!("{} ({id})", channel.name));
        }
        Some(Outcome::delivered(format!(
            "{} {} delivered to Barry channels {}",
            payload.alerts.len(),
            if payload.alerts.len() == 1 {
                "alert"
            } else {
                "alerts"
            },
            delivered.join(", ")
        )))
    }

    async fn to_teams(&self, namespace: &str, name: &str, payload: &Payload) -> Option<Outcome> {
        let client = &self.notify.client;
        let api: Api<TeamsConfig> = Api::namespaced(client.clone(), namespace);
        let config = match api.get_opt(name).await {
            Ok(Some(c)) => c,
            Ok(None) => return None,
            Err(e) => {
                let message = format!(
                    "cannot read the TeamsConfig: {}",
                    crate::controller::chain(&e)
                );
                return Some(Outcome::failed(condition::TEAMS_UNREACHABLE, message));
            }
        };
        let secret = &config.spec.webhook_url_secret_name;
        let url = match secrets::read(client, namespace, secret, "url").await {
            Ok(url) => url,
            Err(e) => {
                let reason = if e.is_missing() {
                    e.reason("url")
                } else {
                    condition::TEAMS_UNREACHABLE
                };
                return Some(Outcome::failed(
                    reason,
                    format!("{e}; Alertmanager will send again"),
                ));
            }
        };
        if let Err(why) = teams::check_webhook_url(url.expose()) {
            return Some(Outcome::failed(condition::INVALID_WEBHOOK_URL, why));
        }
        let card = teams::card(payload);
        match teams::post_card(&self.notify.teams_client, url.expose(), &card).await {
            Ok(()) => Some(Outcome::delivered(format!(
                "{} {} delivered to Teams as an Adaptive Card",
                payload.alerts.len(),
                if payload.alerts.len() == 1 {
                    "alert"
                } else {
                    "alerts"
                },
            ))),
            Err(e) => {
                let message = crate::controller::chain(&e);
                Some(match e {
                    teams::Error::Rejected { .. } => Outcome {
                        result: DeliveryResult::Rejected,
                        reason: condition::REJECTED,
                        message,
                    },
                    _ => Outcome::failed(e.reason(), message),
                })
            }
        }
    }
}

fn is_unknown_channel(e: &super::barry::Error) -> bool {
    matches!(e, super::barry::Error::Rejected { status, .. } if *status == StatusCode::NOT_FOUND)
}

fn barry_failure(channel: &str, delivered: &[String], e: &super::barry::Error) -> Outcome {
    let before = if delivered.is_empty() {
        String::new()
    } else {
        format!(" (delivered to {} before)", delivered.join(", "))
    };
    let message = format!("channel '{channel}': {}{before}", e.hint());
    match e {
        super::barry::Error::Rejected { .. } => Outcome {
            result: DeliveryResult::Rejected,
            reason: condition::REJECTED,
            message,
        },
        _ => Outcome::failed(e.reason(), message),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;
    use crate::controller::notify::alertmanager::TeamsDelivery;
    use crate::controller::notify::metrics::NotifyMetrics;
    use crate::controller::notify::{RelaySettings, Settings};

    const TOKEN: &str = "relay-token-0123456789";

    /// A relay whose API server does not exist: every request here must be answered before
    /// anything is read from it.
    fn relay() -> Router {
        let client =
            kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap()))
                .unwrap();
        let settings = Settings {
            base_namespace: "ike-system".into(),
            base_secret: "alertmanager-base".into(),
            base_seed: None,
            outputs: Vec::new(),
            alertmanager_url: None,
            relay: RelaySettings {
                url: "https://127.0.0.1:8443/relay".into(),
                token: secrets::SecretValue::from_trusted(TOKEN.into()),
                credentials_file: None,
                ca_file: None,
            },
            barry_url: None,
            barry_ca: None,
            teams: TeamsDelivery::Relay,
            resync: std::time::Duration::from_secs(300),
        };
        let metrics = Arc::new(NotifyMetrics::default());
        let controller = Arc::new(crate::controller::metrics::Metrics::new());
        let notify = Notify::new(client, settings, metrics, controller).unwrap();
        routes(Relay::new(notify))
    }

    async fn post(path: &str, token: Option<&str>, body: String) -> (StatusCode, String) {
        let mut request = Request::post(path).header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = relay()
            .oneshot(request.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    fn payload(receiver: &str, namespace: &str) -> String {
        let mut p = crate::controller::notify::payload::tests::sample();
        p.receiver = receiver.into();
        for a in &mut p.alerts {
            a.labels.insert("namespace".into(), namespace.into());
        }
        serde_json::to_string(&p).unwrap()
    }

    #[tokio::test]
    async fn only_alertmanager_with_the_relay_token_is_heard() {
        let body = payload("tenant/shop/barry/oncall", "shop");
        for token in [None, Some("wrong"), Some(&TOKEN[1..])] {
            let (status, _) = post("/relay/barry/shop/oncall", token, body.clone()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        }
    }

    #[tokio::test]
    async fn a_body_for_another_receiver_is_refused() {
        let body = payload("tenant/bank/barry/oncall", "bank");
        let (status, message) = post("/relay/barry/shop/oncall", Some(TOKEN), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(message.contains("tenant/bank/barry/oncall"), "{message}");
    }

    #[tokio::test]
    async fn alerts_of_other_namespaces_are_dropped_before_anything_is_read() {
        // The receiver matches, the alerts are another namespace's: nothing is forwarded (and
        // the API server, which does not exist, is never asked).
        let body = payload("tenant/shop/teams/chat", "bank");
        let (status, _) = post("/relay/teams/shop/chat", Some(TOKEN), body).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn only_barry_and_teams_with_valid_names_are_relayed() {
        let body = payload("tenant/shop/email/ops", "shop");
        let (status, _) = post("/relay/email/shop/ops", Some(TOKEN), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let body = payload("tenant/Shop/barry/x", "Shop");
        let (status, _) = post("/relay/barry/Shop/x", Some(TOKEN), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = post("/relay/barry/shop/x", Some(TOKEN), "{".into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
