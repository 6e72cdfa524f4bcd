//! What the controller reports about a notification config: conditions with reasons a tenant can
//! act on, the Barry channels, the last delivery and the last `ike notify test`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Condition types and reasons written into the status of every notification config.
pub mod condition {
    /// Barry: every channel exists in Barry and has the wanted mute state.
    pub const CHANNEL_READY: &str = "ChannelReady";
    /// Teams: the Secret holds a usable Workflows webhook URL.
    pub const WEBHOOK_READY: &str = "WebhookReady";
    /// The config's receiver and route are in Alertmanager's running configuration.
    pub const RECEIVER_CONFIGURED: &str = "ReceiverConfigured";
    /// The last notification reached the receiving system.
    pub const DELIVERED: &str = "Delivered";

    /// Barry: every channel is open with the wanted mute state.
    pub const CHANNELS_OPEN: &str = "ChannelsOpen";
    /// Teams: the Secret's URL is a Workflows webhook URL.
    pub const WEBHOOK_VALID: &str = "WebhookValid";
    /// Barry could not be reached (connect error, time-out, 5xx after retries).
    pub const BARRY_UNREACHABLE: &str = "BarryUnreachable";
    /// This site's ike-controller has no Barry URL, so no channel can be opened.
    pub const BARRY_NOT_CONFIGURED: &str = "BarryNotConfigured";
    /// Barry refused the tenant's token (401/403).
    pub const TOKEN_REJECTED: &str = "TokenRejected";
    /// The Secret named by the spec, or its `token` key, does not exist.
    pub const TOKEN_SECRET_MISSING: &str = "TokenSecretMissing";
    /// The Teams webhook could not be reached (connect error, time-out, 5xx after retries).
    pub const TEAMS_UNREACHABLE: &str = "TeamsUnreachable";
    /// The Secret named by `webhookUrlSecretName`, or its `url` key, does not exist.
    pub const WEBHOOK_SECRET_MISSING: &str = "WebhookSecretMissing";
    /// The Teams URL is a retired Office 365 connector URL or not an https URL.
    pub const INVALID_WEBHOOK_URL: &str = "InvalidWebhookUrl";
    /// A recipient address is not a plain `local@domain` address.
    pub const INVALID_ADDRESS: &str = "InvalidAddress";
    /// The spec cannot become a receiver (no channel, a bad Secret name...).
    pub const INVALID_SPEC: &str = "InvalidSpec";
    /// The receiving system answered with a 4xx other than 401/403.
    pub const REJECTED: &str = "Rejected";
    /// The receiving system accepted the notification.
    pub const ACCEPTED: &str = "Accepted";
    /// Alertmanager loaded a configuration with this config's receiver.
    pub const CONFIGURED: &str = "Configured";
    /// The configuration with this config's receiver is written; ike-controller cannot see
    /// whether Alertmanager loaded it (it has no Alertmanager URL).
    pub const WRITTEN: &str = "Written";
    /// The configuration with this config's receiver is written; Alertmanager has not loaded
    /// it yet.
    pub const PENDING: &str = "Pending";
    /// Alertmanager has no SMTP settings, so no e-mail receiver can be configured.
    pub const SMTP_NOT_CONFIGURED: &str = "SmtpNotConfigured";
    /// The platform's base configuration is missing or broken, so ike-controller writes no
    /// Alertmanager configuration at all.
    pub const NO_BASE_CONFIGURATION: &str = "NoBaseConfiguration";
    /// Teams: the webhook URL leads where this site does not send (a host it does not allow,
    /// plain http, a loopback, private, link-local or blocked address).
    pub const DESTINATION_NOT_ALLOWED: &str = "DestinationNotAllowed";
    /// E-mail: a recipient is outside the site's e-mail domains.
    pub const DOMAIN_NOT_ALLOWED: &str = "DomainNotAllowed";
    /// The config is beyond a limit of the site (configs per namespace, addresses per config,
    /// the tenant's share of Alertmanager's configuration), so it is left out.
    pub const OVER_BUDGET: &str = "OverBudget";
    /// The relay is delivering as many of this tenant's notifications as it takes at once and
    /// queues no more: Alertmanager sends this one again.
    pub const BUSY: &str = "Busy";
}

/// Sets the condition `type_` in `conditions` and says whether anything changed. The transition
/// time moves only when the status does, as Kubernetes' conventions ask.
pub fn set_condition(
    conditions: &mut Vec<Condition>,
    type_: &str,
    status: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) -> bool {
    let status = if status { "True" } else { "False" };
    let now = || {
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::now())
    };
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c)
            if c.status == status
                && c.reason == reason
                && c.message == message
                && c.observed_generation == generation =>
        {
            false
        }
        Some(c) => {
            if c.status != status {
                c.last_transition_time = now();
            }
            c.status = status.into();
            c.reason = reason.into();
            c.message = message.into();
            c.observed_generation = generation;
            true
        }
        None => {
            conditions.push(Condition {
                type_: type_.into(),
                status: status.into(),
                reason: reason.into(),
                message: message.into(),
                observed_generation: generation,
                last_transition_time: now(),
            });
            true
        }
    }
}

/// What the controller observed about a BarryConfig.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BarryConfigStatus {
    /// ChannelReady, ReceiverConfigured and Delivered, with reasons such as BarryUnreachable,
    /// TokenSecretMissing, TokenRejected or Rejected when they are not True.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The channels as Barry knows them.
    #[serde(default)]
    pub channels: Vec<BarryChannelStatus>,
    /// The last attempt to deliver alerts to Barry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivery: Option<Delivery>,
    /// The last test notification (`ike notify test`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_test: Option<NotifyTest>,
    /// The generation of the spec this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// One channel as Barry knows it.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BarryChannelStatus {
    /// The channel's name, as in the spec.
    pub name: String,
    /// The channel's id in Barry.
    pub channel_id: String,
    /// Whether Barry has the channel muted.
    #[serde(default)]
    pub muted: bool,
}

/// What the controller observed about an EmailConfig or TeamsConfig.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotifyStatus {
    /// ReceiverConfigured, WebhookReady (Teams) and Delivered (Teams), with reasons such as
    /// InvalidAddress, WebhookSecretMissing, InvalidWebhookUrl or Rejected when they are not
    /// True.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The last attempt to deliver a notification, when ike-controller delivers it (Teams).
    /// Alertmanager sends e-mail itself, so EmailConfigs have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivery: Option<Delivery>,
    /// The last test notification (`ike notify test`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_test: Option<NotifyTest>,
    /// The generation of the spec this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// One delivery attempt.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// When it ended (RFC 3339).
    pub time: String,
    /// Delivered, or why not.
    pub result: DeliveryResult,
    /// What the receiving system said, or why it could not be reached.
    #[serde(default)]
    pub message: String,
}

/// The outcome of a delivery.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum DeliveryResult {
    /// The receiving system accepted the notification.
    Delivered,
    /// The receiving system refused it (4xx); retrying will not help.
    Rejected,
    /// The receiving system could not be reached; Alertmanager retries.
    Failed,
}

/// A test notification asked for with `ike notify test`.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotifyTest {
    /// The test's id, as in the `monitoring.ike.dev/test` annotation that asked for it.
    pub id: String,
    /// When the result was recorded (RFC 3339).
    pub time: String,
    /// How far the test alert got.
    pub result: TestResult,
    /// Where it arrived, or why not.
    #[serde(default)]
    pub message: String,
}

/// How far a test alert got.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum TestResult {
    /// Posted to Alertmanager; the receiving system has not been reached yet.
    Sent,
    /// Alertmanager routed it to this config's receiver and sends it itself (e-mail), without
    /// reporting the outcome per receiver.
    Routed,
    /// The receiving system accepted it.
    Delivered,
    /// It did not arrive; the message says why.
    Failed,
}

impl TestResult {
    /// Whether the test is over: everything but Sent.
    pub fn is_final(self) -> bool {
        self != TestResult::Sent
    }
}

/// The fields every notification status has, whatever its kind.
pub trait CommonStatus {
    /// The conditions.
    fn conditions(&self) -> &[Condition];
    /// The conditions, to change.
    fn conditions_mut(&mut self) -> &mut Vec<Condition>;
    /// The last delivery, to change.
    fn last_delivery_mut(&mut self) -> &mut Option<Delivery>;
    /// The last delivery.
    fn last_delivery(&self) -> Option<&Delivery>;
    /// The last test, to change.
    fn last_test_mut(&mut self) -> &mut Option<NotifyTest>;
    /// The last test.
    fn last_test(&self) -> Option<&NotifyTest>;
    /// The generation the status describes, to change.
    fn observed_generation_mut(&mut self) -> &mut Option<i64>;
    /// The condition of type `type_`, if any.
    fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions().iter().find(|c| c.type_ == type_)
    }
}

macro_rules! common_status {
    ($t:ty) => {
        impl CommonStatus for $t {
            fn conditions(&self) -> &[Condition] {
                &self.conditions
            }
            fn conditions_mut(&mut self) -> &mut Vec<Condition> {
                &mut self.conditions
            }
            fn last_delivery_mut(&mut self) -> &mut Option<Delivery> {
                &mut self.last_delivery
            }
            fn last_delivery(&self) -> Option<&Delivery> {
                self.last_delivery.as_ref()
            }
            fn last_test_mut(&mut self) -> &mut Option<NotifyTest> {
                &mut self.last_test
            }
            fn last_test(&self) -> Option<&NotifyTest> {
                self.last_test.as_ref()
            }
            fn observed_generation_mut(&mut self) -> &mut Option<i64> {
                &mut self.observed_generation
            }
        }
    };
}

common_status!(BarryConfigStatus);
common_status!(NotifyStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_condition_keeps_its_transition_time_until_its_status_changes() {
        let mut conditions = Vec::new();
        assert!(set_condition(
            &mut conditions,
            "A",
            false,
            "X",
            "m",
            Some(1)
        ));
        let first = conditions[0].last_transition_time.clone();
        assert!(!set_condition(
            &mut conditions,
            "A",
            false,
            "X",
            "m",
            Some(1)
        ));
        assert!(set_condition(
            &mut conditions,
            "A",
            false,
            "Y",
            "n",
            Some(2)
        ));
        assert_eq!(conditions[0].last_transition_time, first);
        assert_eq!(conditions[0].reason, "Y");
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(set_condition(&mut conditions, "A", true, "Z", "", Some(2)));
        assert_ne!(conditions[0].last_transition_time, first);
        assert!(set_condition(&mut conditions, "B", true, "Z", "", None));
        assert_eq!(conditions.len(), 2);
    }
}
