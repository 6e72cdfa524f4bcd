//! `BarryConfig`, `EmailConfig`, `TeamsConfig`: where a tenant's alerts go, declared in the
//! tenant's own namespace.
//!
//! Every config routes the alerts whose `namespace` label is the config's own namespace, and
//! only those. Secrets (Barry's token, the Teams webhook URL) stay in Secrets in the same
//! namespace; the specs only name them.

pub mod destination;
mod policy;
mod status;
mod validate;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use destination::{Destinations, Refusal};
pub use policy::{
    DEFAULT_MAX_BYTES_PER_TENANT, DEFAULT_MAX_CONFIGS_PER_NAMESPACE, NotificationPolicy,
};
pub use status::{
    BarryChannelStatus, BarryConfigStatus, CommonStatus, Delivery, DeliveryResult, NotifyStatus,
    NotifyTest, TestResult, condition, set_condition,
};
pub use validate::{
    MAX_RECIPIENTS, NO_TEMPLATE_PATTERN, check_literal, check_webhook_url, is_legacy_connector_url,
};

/// The API group of the notification CRDs (the `kube` attributes below must repeat it as a
/// literal; a test keeps them equal).
pub const MONITORING_GROUP: &str = "monitoring.ike.dev";

/// The annotation `ike notify test` sets on a config to ask ike-controller for a test
/// notification; its value is the test's id, which `status.lastTest` repeats.
pub const TEST_ANNOTATION: &str = "monitoring.ike.dev/test";
/// The label of a test alert that names the one receiver it is for: Alertmanager's tenant
/// routes let it through to that receiver only, and no platform receiver gets it.
pub const TEST_RECEIVER_LABEL: &str = "ike_notify_test";
/// The label of a test alert carrying the test's id (each test is its own alert group).
pub const TEST_ID_LABEL: &str = "ike_notify_test_id";
/// The prefix of every receiver ike renders for tenants; the platform's may not use it.
pub const TENANT_RECEIVER_PREFIX: &str = "tenant/";

/// The name of a config's receiver in Alertmanager: `tenant/<namespace>/<kind>/<name>`.
/// Namespaces and object names hold no `/`, so two configs never share a receiver.
pub fn receiver_name(namespace: &str, kind: &str, name: &str) -> String {
    format!("{TENANT_RECEIVER_PREFIX}{namespace}/{kind}/{name}")
}

/// A notification config of any kind: what the controller, the relay and the CLI do alike for
/// BarryConfig, EmailConfig and TeamsConfig.
pub trait NotifyConfig:
    kube::Resource<DynamicType = (), Scope = kube::core::NamespaceResourceScope>
    + Clone
    + Serialize
    + serde::de::DeserializeOwned
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
    /// `barry`, `email` or `teams`: the kind as receiver names, relay paths and the CLI spell it.
    const KIND: &'static str;
    /// The status type.
    type Status: CommonStatus
        + Default
        + Clone
        + PartialEq
        + Serialize
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync;
    /// The status, if any.
    fn status(&self) -> Option<&Self::Status>;
    /// The status, created empty if missing.
    fn status_mut(&mut self) -> &mut Self::Status;
    /// Checks the spec: why it cannot become a receiver, if it cannot.
    fn validate(&self) -> Result<(), String>;
    /// The Secret the config names, if its kind uses one.
    fn secret_name(&self) -> Option<&str>;
}

macro_rules! notify_config {
    ($t:ty, $kind:literal, $status:ty, $secret:expr) => {
        impl NotifyConfig for $t {
            const KIND: &'static str = $kind;
            type Status = $status;
            fn status(&self) -> Option<&$status> {
                self.status.as_ref()
            }
            fn status_mut(&mut self) -> &mut $status {
                self.status.get_or_insert_with(Default::default)
            }
            fn validate(&self) -> Result<(), String> {
                self.spec.validate()
            }
            fn secret_name(&self) -> Option<&str> {
                let secret: fn(&Self) -> Option<&str> = $secret;
                secret(self)
            }
        }
    };
}

notify_config!(BarryConfig, "barry", BarryConfigStatus, |c| Some(
    &c.spec.token_secret_name
));
notify_config!(EmailConfig, "email", NotifyStatus, |_| None);
notify_config!(TeamsConfig, "teams", NotifyStatus, |c| Some(
    &c.spec.webhook_url_secret_name
));

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
    /// The recipients, each a plain address such as `oncall@example.com` (no display name, no
    /// braces: addresses are data, never Alertmanager templates).
    #[schemars(inner(pattern(NO_TEMPLATE_PATTERN)))]
    pub to: Vec<String>,
    /// Also send a message when the alerts are resolved (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_resolved: Option<bool>,
    /// Text put before Alertmanager's subject line, such as `[shop]`. Taken literally: no
    /// braces (no templates), no line breaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(NO_TEMPLATE_PATTERN))]
    pub subject_prefix: Option<String>,
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
    printcolumn = r#"{"name":"Webhook ready","type":"string","jsonPath":".status.conditions[?(@.type==\"WebhookReady\")].status"}"#,
    printcolumn = r#"{"name":"Configured","type":"string","jsonPath":".status.conditions[?(@.type==\"ReceiverConfigured\")].status"}"#,
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

#[cfg(test)]
mod tests {
    use kube::CustomResourceExt;

    use super::*;

    /// The seed's example, as written apart from the group (the e2e tests apply the same file).
    const SEED_EXAMPLE: &str = include_str!("../../../examples/barryconfig.yaml");

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
    fn the_api_server_refuses_braces_with_the_same_pattern_the_rule_states() {
        let crd = serde_json::to_value(EmailConfig::crd()).unwrap();
        let spec = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
        assert_eq!(spec["to"]["items"]["pattern"], NO_TEMPLATE_PATTERN);
        assert_eq!(spec["subjectPrefix"]["pattern"], NO_TEMPLATE_PATTERN);
    }

    #[test]
    fn every_notify_crd_is_namespaced_in_the_monitoring_group() {
        for crd in [BarryConfig::crd(), EmailConfig::crd(), TeamsConfig::crd()] {
            assert_eq!(crd.spec.group, MONITORING_GROUP);
            assert_eq!(crd.spec.scope, "Namespaced");
            assert_eq!(crd.spec.names.categories, Some(vec!["notify".to_string()]));
        }
    }
}
