//! `ike notify test`: the CLI sets the annotation `monitoring.ike.dev/test: <id>` on a config
//! (RBAC decides who may: whoever may change the config); the config reconciler posts one test
//! alert to Alertmanager for the config's namespace and receiver, and records the outcome in
//! `status.lastTest`. The alert then takes the real path: Alertmanager routes it (to this
//! receiver only, see `alertmanager.rs`), and the relay records `Delivered` or why not when it
//! forwards it to Barry or Teams. Alertmanager sends e-mail itself and reports no result per
//! receiver, so an e-mail test ends at `Routed` once Alertmanager holds it for the receiver.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::Notify;
use crate::api::{
    CommonStatus, NotifyConfig, NotifyTest, TEST_ANNOTATION, TEST_ID_LABEL, TEST_RECEIVER_LABEL,
    TestResult, condition, receiver_name,
};
use crate::util::time::rfc3339;

/// The test alert's name.
pub const ALERT_NAME: &str = "IkeNotificationTest";
/// How long a test alert fires before Alertmanager resolves it.
const FIRING: Duration = Duration::from_secs(300);
/// How long to look for the alert in Alertmanager's groups (e-mail tests).
const ROUTED_WAIT: Duration = Duration::from_secs(5);

/// The test `config` asks for and has no result for yet.
pub fn requested<K: NotifyConfig>(config: &K) -> Option<String> {
    let id = config.meta().annotations.as_ref()?.get(TEST_ANNOTATION)?;
    let done = config
        .status()
        .and_then(|s| s.last_test())
        .is_some_and(|t| t.id == *id);
    (!done).then(|| id.clone())
}

/// A test id: what `ike notify test` makes, 1 to 63 lower-case letters, digits and '-'. It
/// becomes a label value and goes into the status, so nothing else is taken.
fn valid_id(id: &str) -> bool {
    crate::api::names::is_dns_label(id)
}

/// The test alert for `kind/name` in `namespace`, routed to `receiver` only.
pub fn alert(namespace: &str, kind: &str, name: &str, id: &str, now: SystemTime) -> Value {
    json!([{
        "labels": {
            "alertname": ALERT_NAME,
            "namespace": namespace,
            "severity": "info",
            TEST_RECEIVER_LABEL: receiver_name(namespace, kind, name),
            TEST_ID_LABEL: id,
        },
        "annotations": {
            "summary": format!("Test notification for {kind} config {name} in namespace {namespace}"),
            "description": "Sent by 'ike notify test' to check that notifications arrive. Nothing is wrong.",
        },
        "startsAt": rfc3339(now),
        "endsAt": rfc3339(now + FIRING),
    }])
}

fn result(id: &str, result: TestResult, message: String) -> NotifyTest {
    NotifyTest {
        id: id.into(),
        time: rfc3339(SystemTime::now()),
        result,
        message,
    }
}

/// Sends the test `config` asks for and says how far it got.
pub async fn send<K: NotifyConfig>(config: &K, id: &str, ctx: &Notify) -> NotifyTest {
    let namespace = config.meta().namespace.clone().unwrap_or_default();
    let name = config.meta().name.clone().unwrap_or_default();
    let receiver = receiver_name(&namespace, K::KIND, &name);
    let failed = |message: String| result(id, TestResult::Failed, message);
    if !valid_id(id) {
        return failed(format!(
            "'{}' is not a test id: 'ike notify test' sets one",
            id.escape_debug()
        ));
    }
    let Some(alertmanager) = &ctx.alertmanager else {
        return failed(
            "ike-controller does not know Alertmanager's URL (--alertmanager-url), so it cannot \
             send a test alert: ask a platform admin"
                .into(),
        );
    };
    let configured = config
        .status()
        .and_then(|s| s.condition(condition::RECEIVER_CONFIGURED));
    match configured {
        Some(c) if c.status == "True" => {}
        Some(c) => {
            return failed(format!(
                "receiver {receiver} is not in Alertmanager's configuration ({}): {}",
                c.reason, c.message
            ));
        }
        None => {
            return failed(format!(
                "receiver {receiver} is not in Alertmanager's configuration yet: try again in a moment"
            ));
        }
    }
    let alert = alert(&namespace, K::KIND, &name, id, SystemTime::now());
    if let Err(e) = alertmanager.post_alerts(&alert).await {
        return failed(format!(
            "cannot post the test alert to Alertmanager: {}",
            crate::controller::runtime::chain(&e)
        ));
    }
    if K::KIND != "email" {
        return result(
            id,
            TestResult::Sent,
            format!(
                "posted to Alertmanager for receiver {receiver}; it reaches ike-controller's relay after the route's group_wait"
            ),
        );
    }
    let deadline = tokio::time::Instant::now() + ROUTED_WAIT;
    loop {
        match alertmanager.routed(&receiver, TEST_ID_LABEL, id).await {
            Ok(true) => {
                return result(
                    id,
                    TestResult::Routed,
                    format!(
                        "Alertmanager routed the test alert to receiver {receiver} and sends the e-mail itself after the route's group_wait; Alertmanager reports no result per receiver, so check the recipients' mailboxes"
                    ),
                );
            }
            Ok(false) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Ok(false) => {
                return failed(format!(
                    "Alertmanager took the test alert but did not route it to receiver {receiver}"
                ));
            }
            Err(e) => {
                return failed(format!(
                    "cannot ask Alertmanager where the test alert went: {}",
                    crate::controller::runtime::chain(&e)
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{BarryConfig, BarryConfigSpec};

    #[test]
    fn a_test_is_requested_until_the_status_reports_it() {
        let mut config = BarryConfig::new("oncall", BarryConfigSpec::default());
        assert_eq!(requested(&config), None);
        config.metadata.annotations = Some([(TEST_ANNOTATION.into(), "t-1".into())].into());
        assert_eq!(requested(&config).as_deref(), Some("t-1"));
        config.status_mut().last_test = Some(result("t-1", TestResult::Sent, String::new()));
        assert_eq!(requested(&config), None);
    }

    #[test]
    fn the_test_alert_names_its_receiver_and_id_and_resolves_by_itself() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let alert = alert("shop", "barry", "oncall", "t-1", now);
        let labels = &alert[0]["labels"];
        assert_eq!(labels["namespace"], "shop");
        assert_eq!(labels[TEST_RECEIVER_LABEL], "tenant/shop/barry/oncall");
        assert_eq!(labels[TEST_ID_LABEL], "t-1");
        assert_eq!(alert[0]["startsAt"], "2023-11-14T22:13:20Z");
        assert_eq!(alert[0]["endsAt"], "2023-11-14T22:18:20Z");
        assert!(!valid_id("T 1"));
        assert!(valid_id("t-1"));
    }
}
