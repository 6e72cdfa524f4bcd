//! `BarryConfig`, `EmailConfig`, `TeamsConfig`: where a tenant's alerts go, declared in the
//! tenant's own namespace.
//!
//! Every config routes the alerts whose `namespace` label is the config's own namespace, and
//! only those. Secrets (Barry's token, the Teams webhook URL) stay in Secrets in the same
//! namespace; the specs only name them.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The API group of the notification CRDs (the `kube` attributes below must repeat it as a
/// literal; a test keeps them equal).
pub const MONITORING_GROUP: &str = "monitoring.ike.dev";

/// Condition types and reasons written into the status of every notification config.
pub mod condition {
    /// Barry: every channel exists in Barry and has the wanted mute state.
    pub const CHANNEL_READY: &str = "ChannelReady";
    /// The config's receiver and route are in Alertmanager's running configuration.
    pub const RECEIVER_CONFIGURED: &str = "ReceiverConfigured";
    /// The last notification reached the receiving system.
    pub const DELIVERED: &str = "Delivered";

    /// Barry could not be reached (connect error, time-out, 5xx after retries).
    pub const BARRY_UNREACHABLE: &str = "BarryUnreachable";
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
    /// The receiving system answered with a 4xx other than 401/403.
    pub const REJECTED: &str = "Rejected";
    /// The receiving system accepted the notification.
    pub const ACCEPTED: &str = "Accepted";
    /// Alertmanager loaded a configuration with this config's receiver.
    pub const CONFIGURED: &str = "Configured";
    /// Alertmanager has no SMTP settings, so no e-mail receiver can be configured.
    pub const SMTP_NOT_CONFIGURED: &str = "SmtpNotConfigured";
}

/// Alerts from this namespace go to channels in Barry, IIJ's incident handling system. The
/// controller opens each channel in Barry with the tenant's token and adds a receiver to
/// Alertmanager; the token never leaves the namespace's Secret and ike-controller.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "monitoring.ike.dev",
    version = "v1alpha1",
    kind = "BarryConfig",
    doc = "Where this namespace's alerts go in Barry: channels opened with the tenant's token.",
    namespaced,
    status = "BarryConfigStatus",
    shortname = "barry",
    category = "notify",
    printcolumn = r#"{"name":"Channels","type":"string","jsonPath":".spec.channels[*].name"}"#,
    printcolumn = r#"{"name":"Channel ready","type":"string","jsonPath":".status.conditions[?(@.type==\"ChannelReady\")].status"}"#,
    printcolumn = r#"{"name":"Configured","type":"string","jsonPath":".status.conditions[?(@.type==\"ReceiverConfigured\")].status"}"#,
    printcolumn = r#"{"name":"Last delivery","type":"string","jsonPath":".status.lastDelivery.result"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct BarryConfigSpec {
    /// The Barry channels that receive this namespace's alerts, each opened by name if it does
    /// not exist yet.
    pub channels: Vec<BarryChannel>,
    /// A Secret in this namespace whose key `token` holds the tenant's Barry API token.
    pub token_secret_name: String,
}

/// One channel in Barry.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BarryChannel {
    /// The channel's name in Barry.
    pub name: String,
    /// Mute the channel: Barry records the alerts but notifies nobody.
    #[serde(default)]
    pub mute: bool,
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

/// Alerts from this namespace go to e-mail addresses, sent by Alertmanager itself.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "monitoring.ike.dev",
    version = "v1alpha1",
    kind = "EmailConfig",
    doc = "Where this namespace's alerts go by e-mail.",
    namespaced,
    status = "NotifyStatus",
    shortname = "email",
    category = "notify",
    printcolumn = r#"{"name":"To","type":"string","jsonPath":".spec.to"}"#,
    printcolumn = r#"{"name":"Configured","type":"string","jsonPath":".status.conditions[?(@.type==\"ReceiverConfigured\")].status"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","jsonPath":".status.conditions[?(@.type==\"ReceiverConfigured\")].reason"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct EmailConfigSpec {
    /// The recipients, each a plain address such as `oncall@example.com` (no display name).
    pub to: Vec<String>,
    /// Also send a message when the alerts are resolved (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_resolved: Option<bool>,
    /// Text put before Alertmanager's subject line, such as `[shop]`. Taken literally: no
    /// templates, no line breaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_prefix: Option<String>,
}

/// The most recipients one EmailConfig may name.
pub const MAX_RECIPIENTS: usize = 50;
/// The longest subject prefix, in characters.
pub const MAX_SUBJECT_PREFIX: usize = 100;

impl EmailConfigSpec {
    /// Checks what Alertmanager cannot be trusted to reject on its own: every recipient is one
    /// plain `local@domain` address (no display name, no list, no header injection) and the
    /// subject prefix is one short line. The message names the bad value for the status.
    pub fn validate(&self) -> Result<(), String> {
        if self.to.is_empty() {
            return Err("spec.to names no recipient".into());
        }
        if self.to.len() > MAX_RECIPIENTS {
            return Err(format!(
                "spec.to names {} recipients, at most {MAX_RECIPIENTS} are allowed",
                self.to.len()
            ));
        }
        for address in &self.to {
            if !is_plain_address(address) {
                return Err(format!(
                    "'{}' is not a plain e-mail address such as oncall@example.com",
                    address.escape_debug()
                ));
            }
        }
        if let Some(prefix) = &self.subject_prefix {
            if prefix.chars().count() > MAX_SUBJECT_PREFIX {
                return Err(format!(
                    "spec.subjectPrefix is longer than {MAX_SUBJECT_PREFIX} characters"
                ));
            }
            if prefix.chars().any(char::is_control) {
                return Err("spec.subjectPrefix contains a line break or control character".into());
            }
        }
        Ok(())
    }
}

/// An RFC 5321 `dot-atom@domain` address: what `to:` needs, and nothing that Alertmanager's
/// address-list parser would read as a second recipient, a display name or a header.
fn is_plain_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let atom_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let dot_atom = |s: &str, ok: &dyn Fn(char) -> bool| {
        !s.is_empty()
            && s.split('.')
                .all(|part| !part.is_empty() && part.chars().all(ok))
    };
    let label = |l: &str| {
        l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    local.len() <= 64
        && domain.len() <= 253
        && dot_atom(local, &atom_char)
        && dot_atom(domain, &|c| c.is_ascii_alphanumeric() || c == '-')
        && domain.split('.').all(label)
}

/// Alerts from this namespace go to a Microsoft Teams channel through a Teams Workflows
/// webhook ("Post to a channel when a webhook request is received").
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "monitoring.ike.dev",
    version = "v1alpha1",
    kind = "TeamsConfig",
    doc = "Where this namespace's alerts go in Microsoft Teams (a Workflows webhook).",
    namespaced,
    status = "NotifyStatus",
    shortname = "teams",
    category = "notify",
    printcolumn = r#"{"name":"Configured","type":"string","jsonPath":".status.conditions[?(@.type==\"ReceiverConfigured\")].status"}"#,
    printcolumn = r#"{"name":"Reason","type":"string","jsonPath":".status.conditions[?(@.type==\"ReceiverConfigured\")].reason"}"#,
    printcolumn = r#"{"name":"Last delivery","type":"string","jsonPath":".status.lastDelivery.result"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct TeamsConfigSpec {
    /// A Secret in this namespace whose key `url` holds the Workflows webhook URL. The URL
    /// carries its own signature, so it is a secret and never written into the spec. Office 365
    /// connector URLs (`.../webhookb2/...`) are retired by Microsoft and refused.
    pub webhook_url_secret_name: String,
}

/// What the controller observed about an EmailConfig or TeamsConfig.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotifyStatus {
    /// ReceiverConfigured and Delivered, with reasons such as InvalidAddress,
    /// WebhookSecretMissing, InvalidWebhookUrl or Rejected when they are not True.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The last attempt to deliver a notification, when ike-controller delivers it (Teams).
    /// Alertmanager sends e-mail itself, so EmailConfigs have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivery: Option<Delivery>,
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

#[cfg(test)]
mod tests {
    use kube::CustomResourceExt;

    use super::*;

    /// The seed's example, as written apart from the group.
    const SEED_EXAMPLE: &str = "\
apiVersion: monitoring.ike.dev/v1alpha1
kind: BarryConfig
metadata:
  name: test
  namespace: exmaple
spec:
  channels:
  - mute: true
    name: example-channel
  tokenSecretName: barrytoken
";

    #[test]
    fn the_seed_example_deserializes_into_a_barry_config() {
        let config: BarryConfig = serde_saphyr::from_str(SEED_EXAMPLE).unwrap();
        assert_eq!(config.metadata.name.as_deref(), Some("test"));
        assert_eq!(config.metadata.namespace.as_deref(), Some("exmaple"));
        assert_eq!(
            config.spec.channels,
            vec![BarryChannel {
                name: "example-channel".into(),
                mute: true
            }]
        );
        assert_eq!(config.spec.token_secret_name, "barrytoken");
    }

    #[test]
    fn every_notify_crd_is_namespaced_in_the_monitoring_group() {
        for crd in [BarryConfig::crd(), EmailConfig::crd(), TeamsConfig::crd()] {
            assert_eq!(crd.spec.group, MONITORING_GROUP);
            assert_eq!(crd.spec.scope, "Namespaced");
            assert_eq!(crd.spec.names.categories, Some(vec!["notify".to_string()]));
        }
    }

    fn email(to: &[&str], prefix: Option<&str>) -> EmailConfigSpec {
        EmailConfigSpec {
            to: to.iter().map(|s| s.to_string()).collect(),
            send_resolved: None,
            subject_prefix: prefix.map(String::from),
        }
    }

    #[test]
    fn plain_addresses_and_a_one_line_prefix_are_valid() {
        let spec = email(
            &[
                "oncall@example.com",
                "a.b+alerts@mail.example.co.jp",
                "root@localhost",
            ],
            Some("[shop] {{ not a template }}"),
        );
        assert_eq!(spec.validate(), Ok(()));
    }

    #[test]
    fn lists_display_names_and_header_injection_are_invalid_addresses() {
        for bad in [
            "",
            "oncall",
            "a@b.com, c@d.com",
            "Ops <ops@example.com>",
            "ops@example.com\r\nBcc: x@evil.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example..com",
            "\"quoted\"@example.com",
            "a b@example.com",
        ] {
            let err = email(&[bad], None).validate().unwrap_err();
            assert!(err.contains("not a plain e-mail address"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn no_recipient_too_many_or_a_multi_line_prefix_are_invalid() {
        assert!(email(&[], None).validate().is_err());
        let many: Vec<String> = (0..=MAX_RECIPIENTS)
            .map(|i| format!("u{i}@x.org"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(email(&many, None).validate().is_err());
        let err = email(&["a@x.org"], Some("[a]\nBcc: b@y.org"))
            .validate()
            .unwrap_err();
        assert!(err.contains("line break"), "{err}");
    }
}
