//! The status of a request: the checks and diff of a pending one, who decided and when, every
//! step in its history, conditions whose transition time moves only when they change; and an
//! Event for each step.

use std::time::SystemTime;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::{Event, EventType};
use kube::{Resource, ResourceExt};
use serde_json::json;

use super::{Context, Error, validate};
use crate::api::request::{
    self, Check, HistoryEntry, Phase, ResourceRequest, ResourceRequestStatus, condition, diff,
    rules,
};
use crate::controller::runtime::kube_err;
use crate::util::time::rfc3339;

pub(super) fn now() -> String {
    rfc3339(SystemTime::now())
}

/// A condition keeping its transition time while nothing about it changed.
pub fn make_condition(
    type_: &str,
    ok: bool,
    reason: &str,
    message: String,
    previous: &[Condition],
) -> Condition {
    let status = if ok { "True" } else { "False" }.to_string();
    let last = previous.iter().find(|c| c.type_ == type_);
    let same =
        last.is_some_and(|c| c.status == status && c.reason == reason && c.message == message);
    Condition {
        type_: type_.into(),
        status,
        reason: reason.into(),
        message,
        observed_generation: None,
        last_transition_time: match (same, last) {
            (true, Some(c)) => c.last_transition_time.clone(),
            _ => Time(k8s_openapi::jiff::Timestamp::now()),
        },
    }
}

/// `conditions` with `new` in place of the one of its type.
pub(super) fn with_condition(
    mut conditions: Vec<Condition>,
    mut new: Condition,
    generation: Option<i64>,
) -> Vec<Condition> {
    new.observed_generation = generation;
    conditions.retain(|c| c.type_ != new.type_);
    conditions.push(new);
    conditions.sort_by(|a, b| a.type_.cmp(&b.type_));
    conditions
}

/// The status of a request checked by `checks` against `current` (the object as it exists).
pub fn pending_status(
    request: &ResourceRequest,
    tenant: &str,
    checks: Vec<Check>,
    current: Option<&serde_json::Value>,
) -> ResourceRequestStatus {
    let old = request.status.clone().unwrap_or_default();
    let wanted = match (request.spec.action, &request.spec.manifest) {
        (request::Action::Apply, Some(m)) => Some(validate::to_apply(
            m,
            tenant,
            &request.reference(),
            &request.spec_digest(),
            None,
        )),
        _ => None,
    };
    let problems = rules::problems(&checks);
    let validated = if problems.is_empty() {
        make_condition(
            condition::VALIDATED,
            true,
            "Valid",
            format!("{} checks passed", checks.len()),
            &old.conditions,
        )
    } else {
        make_condition(
            condition::VALIDATED,
            false,
            "Invalid",
            problems.join("; "),
            &old.conditions,
        )
    };
    let mut history = old.history.clone();
    if history.is_empty() {
        history.push(HistoryEntry {
            time: request
                .metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.to_string())
                .unwrap_or_else(now),
            event: "Submitted".into(),
            by: request.spec.requester.clone(),
            message: request.spec.reason.clone(),
        });
    }
    ResourceRequestStatus {
        phase: Phase::Pending,
        tenant: tenant.into(),
        object: request.object().ok(),
        digest: request.spec_digest(),
        diff: diff(current, wanted.as_ref()),
        validation: checks,
        conditions: with_condition(old.conditions, validated, request.metadata.generation),
        history,
        observed_generation: request.metadata.generation,
        ..old
    }
}

/// Writes `status` unless the request has it already; returns whether it wrote.
pub(super) async fn write_status(
    ctx: &Context,
    request: &ResourceRequest,
    status: &ResourceRequestStatus,
) -> Result<bool, Error> {
    if request.status.as_ref() == Some(status) {
        return Ok(false);
    }
    let namespace = request.namespace().unwrap_or_default();
    let name = request.name_any();
    Api::<ResourceRequest>::namespaced(ctx.client.clone(), &namespace)
        .patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({ "status": status })),
        )
        .await
        .map_err(kube_err(format!("updating request {namespace}/{name}")))?;
    Ok(true)
}

/// Records an Event on the request; one that cannot be written is logged, not fatal.
pub(super) async fn event(
    ctx: &Context,
    request: &ResourceRequest,
    warning: bool,
    reason: &str,
    note: String,
) {
    let event = Event {
        type_: if warning {
            EventType::Warning
        } else {
            EventType::Normal
        },
        reason: reason.into(),
        note: Some(note.chars().take(1000).collect()),
        action: "ReviewRequest".into(),
        secondary: None,
    };
    if let Err(e) = ctx.recorder.publish(&event, &request.object_ref(&())).await {
        tracing::warn!(request = %request.reference(), error = %e, "cannot record an event");
    }
}

/// The status after a person's decision or withdrawal: `phase`, with `entry` added once.
pub(super) fn decided_status(
    request: &ResourceRequest,
    phase: Phase,
    entry: HistoryEntry,
) -> ResourceRequestStatus {
    let mut status = request.status.clone().unwrap_or_default();
    status.phase = phase;
    if let Some(review) = &request.spec.review {
        status.reviewer = review.reviewer.clone();
        status.decided_at = review.decided_at.clone();
        status.comment = Some(review.comment.clone()).filter(|c| !c.is_empty());
    }
    if !status.history.iter().any(|h| h.event == entry.event) {
        status.history.push(entry);
    }
    status.observed_generation = request.metadata.generation;
    status
}

#[cfg(test)]
mod tests {
    use super::super::tests::{request, review};
    use super::*;
    use crate::api::request::Decision;

    #[test]
    fn a_pending_status_shows_the_checks_the_diff_and_who_asked() {
        let r = request();
        let checks = vec![Check {
            name: "kind".into(),
            passed: true,
            message: "storageclass/fast".into(),
        }];
        let s = pending_status(&r, "a", checks.clone(), None);
        assert_eq!(s.phase, Phase::Pending);
        assert_eq!(s.tenant, "a");
        assert_eq!(s.digest, r.spec_digest());
        assert!(
            s.diff.contains("+provisioner: example.com/csi"),
            "{}",
            s.diff
        );
        assert!(s.diff.contains("+    ike.dev/tenant: a"), "{}", s.diff);
        assert_eq!(s.history.len(), 1);
        assert_eq!(s.history[0].by.as_deref(), Some("alice"));
        let validated = &s.conditions[0];
        assert_eq!(
            (validated.type_.as_str(), validated.status.as_str()),
            ("Validated", "True")
        );
        // The same again: the same status, transition time included (nothing to write).
        let mut again = r.clone();
        again.status = Some(s.clone());
        assert_eq!(pending_status(&again, "a", checks, None), s);
        let failing = vec![Check {
            name: "group".into(),
            passed: false,
            message: "group apps.k8s.io belongs to Kubernetes".into(),
        }];
        let bad = pending_status(&r, "a", failing, None);
        assert_eq!(bad.conditions[0].status, "False");
        assert!(bad.conditions[0].message.contains("belongs to Kubernetes"));
    }

    #[test]
    fn a_decision_records_who_when_and_why_once() {
        let mut r = request();
        r.spec.review = Some(review(&r, Decision::Deny, None));
        let entry = HistoryEntry {
            time: "t".into(),
            event: "Denied".into(),
            by: Some("root".into()),
            message: "fine".into(),
        };
        let s = decided_status(&r, Phase::Denied, entry.clone());
        assert_eq!(s.reviewer.as_deref(), Some("root"));
        assert_eq!(s.comment.as_deref(), Some("fine"));
        assert_eq!(s.decided_at.as_deref(), Some("2026-12-06T00:00:00Z"));
        let mut again = r.clone();
        again.status = Some(s.clone());
        assert_eq!(
            decided_status(&again, Phase::Denied, entry).history.len(),
            1
        );
    }
}
