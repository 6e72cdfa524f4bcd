//! What a Service's owner sees of its publishing: the condition `ike.dev/DNSPublished` in the
//! Service's status, and an Event each time its reason changes (`kubectl describe service`).

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::{Event, EventType, Recorder};
use kube::{Resource, ResourceExt};

use super::Error;
use crate::api::office::PUBLISHED_CONDITION;
use crate::controller::runtime::kube_err;

/// The verdict on one Service, as its condition says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether every name is published.
    pub published: bool,
    /// One word: Published, NotOwned, Refused, NotHeadless, NotConfigured, DNSError,
    /// PublishingOff, LimitReached.
    pub reason: &'static str,
    /// What happened and what to do, in one line.
    pub message: String,
}

impl Verdict {
    /// A verdict that is not "published".
    pub fn failed(reason: &'static str, message: impl Into<String>) -> Verdict {
        Verdict {
            published: false,
            reason,
            message: message.into(),
        }
    }
}

/// The Service's current condition of ours, if any.
pub fn current(service: &Service) -> Option<&Condition> {
    service
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == PUBLISHED_CONDITION)
}

/// Writes `verdict` as the Service's condition unless it already says so, and records an Event
/// when the reason changes. Returns whether it wrote.
pub async fn record(
    client: &kube::Client,
    recorder: &Recorder,
    service: &Service,
    verdict: &Verdict,
) -> Result<bool, Error> {
    let status = if verdict.published { "True" } else { "False" };
    let previous = current(service);
    if previous.is_some_and(|c| {
        c.status == status && c.reason == verdict.reason && c.message == verdict.message
    }) {
        return Ok(false);
    }
    let reason_changed = previous.is_none_or(|c| c.reason != verdict.reason);
    let condition = Condition {
        type_: PUBLISHED_CONDITION.into(),
        status: status.into(),
        reason: verdict.reason.into(),
        message: verdict.message.clone(),
        observed_generation: service.metadata.generation,
        last_transition_time: match previous {
            Some(c) if c.status == status => c.last_transition_time.clone(),
            _ => Time(k8s_openapi::jiff::Timestamp::now()),
        },
    };
    patch_conditions(client, service, serde_json::to_value(&condition)).await?;
    if reason_changed {
        let event = Event {
            type_: if verdict.published {
                EventType::Normal
            } else {
                EventType::Warning
            },
            reason: verdict.reason.into(),
            note: Some(verdict.message.chars().take(1000).collect()),
            action: "PublishDNS".into(),
            secondary: None,
        };
        // An event that cannot be written is not worth failing the reconcile for.
        if let Err(e) = recorder.publish(&event, &service.object_ref(&())).await {
            tracing::warn!(service = %service.name_any(), error = %e, "cannot record an event");
        }
    }
    Ok(true)
}

/// Takes our condition off the Service (its names are gone), if it has one.
pub async fn clear(client: &kube::Client, service: &Service) -> Result<bool, Error> {
    if current(service).is_none() {
        return Ok(false);
    }
    let delete = serde_json::json!({ "type": PUBLISHED_CONDITION, "$patch": "delete" });
    patch_conditions(client, service, Ok(delete)).await?;
    Ok(true)
}

/// A strategic merge patch of `status.conditions`, merged by `type` so that other conditions
/// stay.
async fn patch_conditions(
    client: &kube::Client,
    service: &Service,
    condition: Result<serde_json::Value, serde_json::Error>,
) -> Result<(), Error> {
    let namespace = service.namespace().unwrap_or_default();
    let name = service.name_any();
    let condition = condition.map_err(|e| Error::Encode(e.to_string()))?;
    let api: Api<Service> = Api::namespaced(client.clone(), &namespace);
    api.patch_status(
        &name,
        &PatchParams::default(),
        &Patch::Strategic(serde_json::json!({ "status": { "conditions": [condition] } })),
    )
    .await
    .map_err(kube_err(format!(
        "updating the status of service {namespace}/{name}"
    )))?;
    Ok(())
}
