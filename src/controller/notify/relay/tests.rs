use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt as _;

use super::*;
use crate::controller::notify::alertmanager::TeamsDelivery;
use crate::controller::notify::metrics::NotifyMetrics;
use crate::controller::notify::{RelaySettings, Settings, Stores, secrets};

pub(super) const TOKEN: &str = "relay-token-0123456789";

fn settings() -> Settings {
    Settings {
        controller_namespace: "ike-system".into(),
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
        allow_insecure_destinations: false,
    }
}

fn notify(settings: Settings) -> Result<Arc<Notify>, crate::controller::notify::Error> {
    let client =
        kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
    let metrics = Arc::new(NotifyMetrics::default());
    let controller = Arc::new(crate::controller::metrics::Metrics::new());
    Notify::new(client, settings, metrics, controller, Stores::empty())
}

/// A relay whose API server does not exist: every request here must be answered before
/// anything is read from it (and a delivery that gets that far fails at once).
pub(super) fn relay() -> Router {
    routes(Relay::new(
        notify(settings()).unwrap(),
        fair::Limits::default(),
    ))
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
