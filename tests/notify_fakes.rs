//! ike's Barry client and Teams poster against the recording fakes in `tests/support`, which
//! also proves the fakes speak the contract the lead's end-to-end tests rely on.

mod support;

use std::time::Duration;

use ike::controller::notify::barry::{self, Barry, HttpBarry};
use std::sync::Arc;

use ike::api::{Destinations, NotificationPolicy};
use ike::controller::notify::http::{Client, Reach, RetryPolicy};
use ike::controller::notify::payload::Payload;
use ike::controller::notify::teams;
use support::barry_fake::BarryFake;
use support::teams_fake::{SIGNATURE, TeamsFake};

const TOKEN: &str = "tenant-token";

const POLICY: RetryPolicy = RetryPolicy {
    attempts: 4,
    first_backoff: Duration::from_millis(10),
    max_backoff: Duration::from_millis(40),
    timeout: Duration::from_secs(5),
    deadline: Duration::from_secs(9),
};

/// Barry's client: the platform's server, plain http to the fake as the local IKE allows.
fn client() -> Client {
    Client::new(
        rustls::RootCertStore::empty(),
        POLICY,
        Reach::Admin { plain_http: true },
    )
}

/// The Teams client: a tenant's URL, under the site's default rules with the local IKE's switch
/// (the fake listens on loopback, without TLS).
fn teams_client() -> Client {
    let rules = Arc::new(|| Destinations::new(&NotificationPolicy::default(), true));
    Client::new(rustls::RootCertStore::empty(), POLICY, Reach::Tenant(rules))
}

fn payload() -> Payload {
    serde_json::from_value(serde_json::json!({
        "version": "4",
        "groupKey": "{}/{namespace=\"shop\"}:{alertname=\"HighLatency\"}",
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "tenant/shop/barry/oncall",
        "groupLabels": {"alertname": "HighLatency"},
        "commonLabels": {"alertname": "HighLatency", "namespace": "shop"},
        "commonAnnotations": {"summary": "p99 above 2 s"},
        "externalURL": "http://alertmanager:9093",
        "alerts": [{
            "status": "firing",
            "labels": {"alertname": "HighLatency", "namespace": "shop"},
            "annotations": {"summary": "p99 above 2 s"},
            "startsAt": "2024-05-01T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": "8f1c4a1b2c3d4e5f"
        }]
    }))
    .unwrap()
}

#[tokio::test]
async fn a_channel_is_created_once_and_found_by_name_afterwards() {
    let fake = BarryFake::start(TOKEN).await;
    let barry = HttpBarry::new(&fake.url, client());
    let name = "障害 / shop #1";
    let first = barry.ensure_channel(TOKEN, name).await.unwrap();
    let again = barry.ensure_channel(TOKEN, name).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.name, name);
    assert_eq!(fake.channels().len(), 1);

    let muted = barry.set_mute(TOKEN, &first.id, true).await.unwrap();
    assert!(muted.muted);
    assert_eq!(fake.mutes(), [(first.id.clone(), true)]);
    assert!(fake.channels()[0].muted);
}

#[tokio::test]
async fn alerts_are_delivered_exactly_once_after_barry_answers_503() {
    let fake = BarryFake::start(TOKEN).await;
    let barry = HttpBarry::new(&fake.url, client());
    let channel = barry.ensure_channel(TOKEN, "oncall").await.unwrap();
    fake.fail_next(2);
    let before = fake.requests();
    barry
        .post_alerts(TOKEN, &channel.id, &payload())
        .await
        .unwrap();
    assert_eq!(fake.requests() - before, 3);
    let delivered = fake.alerts();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].0, channel.id);
    assert_eq!(delivered[0].1, serde_json::to_value(payload()).unwrap());
}

#[tokio::test]
async fn a_rejected_token_is_not_retried_and_says_token_rejected() {
    let fake = BarryFake::start(TOKEN).await;
    let barry = HttpBarry::new(&fake.url, client());
    let err = barry.ensure_channel("wrong", "oncall").await.unwrap_err();
    assert!(matches!(err, barry::Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(err.reason(), "TokenRejected");
    assert_eq!(fake.requests(), 1);

    fake.set_unauthorized(true);
    let err = barry.ensure_channel(TOKEN, "oncall").await.unwrap_err();
    assert_eq!(err.reason(), "TokenRejected");
    assert_eq!(fake.requests(), 2);
    assert!(fake.channels().is_empty());
}

#[tokio::test]
async fn an_unknown_channel_is_rejected_without_retrying() {
    let fake = BarryFake::start(TOKEN).await;
    let barry = HttpBarry::new(&fake.url, client());
    let err = barry
        .post_alerts(TOKEN, "ch-404", &payload())
        .await
        .unwrap_err();
    assert!(
        matches!(err, barry::Error::Rejected { status, .. } if status == 404),
        "{err:?}"
    );
    assert_eq!(err.reason(), "Rejected");
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn barry_down_for_longer_than_the_retries_is_unreachable() {
    let fake = BarryFake::start(TOKEN).await;
    let barry = HttpBarry::new(&fake.url, client());
    fake.fail_next(100);
    let err = barry.ensure_channel(TOKEN, "oncall").await.unwrap_err();
    assert_eq!(err.reason(), "BarryUnreachable");
    assert_eq!(fake.requests(), 4);
    assert!(err.hint().contains("HTTP 503"), "{}", err.hint());
}

#[tokio::test]
async fn a_barry_that_echoes_the_token_is_reported_by_its_status_only() {
    let fake = BarryFake::start(TOKEN).await;
    fake.expire(TOKEN);
    let barry = HttpBarry::new(&fake.url, client());
    let err = barry.ensure_channel(TOKEN, "oncall").await.unwrap_err();
    assert_eq!(err.reason(), "TokenRejected");
    assert!(err.hint().contains("HTTP 401"), "{}", err.hint());
    for text in [err.to_string(), err.hint(), format!("{err:?}")] {
        assert!(!text.contains(TOKEN), "{text}");
    }
}

#[tokio::test]
async fn a_card_is_accepted_by_the_teams_fake_after_one_503() {
    let fake = TeamsFake::start().await;
    let card = teams::card(&payload());
    fake.fail_next(1);
    teams::post_card(&teams_client(), &fake.url, &card)
        .await
        .unwrap();
    assert_eq!(fake.requests(), 2);
    assert_eq!(fake.cards(), [card["attachments"][0]["content"].clone()]);
}

#[tokio::test]
async fn teams_refusals_are_reported_without_the_secret_url() {
    let fake = TeamsFake::start().await;
    let bad_signature = fake.url.replace(SIGNATURE, "forged-S1GNATURE");
    let card = teams::card(&payload());
    // The fake echoes the signature it refused, as a careless server might.
    let err = teams::post_card(&teams_client(), &bad_signature, &card)
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "Rejected");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("forged-S1GNATURE"), "{text}");
    }
    let err = teams::post_card(
        &teams_client(),
        &fake.url,
        &serde_json::json!({"text": "hi"}),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("HTTP 400"), "{err}");
    assert_eq!(fake.requests(), 2);
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains(SIGNATURE) && !text.contains("/workflows/"),
            "{text}"
        );
    }
    assert!(fake.cards().is_empty());
}
