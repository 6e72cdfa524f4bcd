//! The ResourceRequest webhooks: who asked and who decided are written by admission, never
//! taken from the request; what cannot be applied is refused at creation, with the reason.
//!
//! - defaults (mutating): on CREATE `spec.requester` is the API server's user; when a decision
//!   (`spec.review`) or a withdrawal is first written, its `reviewer`/`decidedAt` (`by`/`at`)
//!   are the user and now.
//! - validation: a request lives in a namespace of the tenant that asks; on CREATE and on every
//!   edit before a decision it must pass every check of `validate` (the server's dry run
//!   included); only a platform admin decides, never on their own request unless the site allows
//!   it, naming the digest of what they reviewed, which must be the request's now and, for an
//!   approval, the one ike-controller checked (passing) and showed the diff of; never on a
//!   withdrawn one; a decided or withdrawn request cannot change; a withdrawal comes before any
//!   decision.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, Operation};
use kube::runtime::reflector::ObjectRef;
use serde_json::{Value, json};

use super::tenants::is_platform_admin;
use super::{Hook, Policy, patched, review_as};
use crate::api::consts::{API_GROUP, API_VERSION};
use crate::api::request::{Decision, ResourceRequest, ResourceRequestSpec, rules};
use crate::util::time::rfc3339;

/// The validating webhook: CREATE and UPDATE of ResourceRequests, in every namespace.
pub const HOOK: Hook = Hook {
    name: "resourcerequests.validation.ike.dev",
    path: "/admission/resourcerequests",
    rule: [&[API_GROUP], &[API_VERSION], &["resourcerequests"]],
    scope: "Namespaced",
    namespace_label: None,
};

/// The mutating webhook stamping who and when.
pub const DEFAULTS_HOOK: Hook = Hook {
    name: "resourcerequests.defaults.ike.dev",
    path: "/admission/resourcerequests/defaults",
    rule: [&[API_GROUP], &[API_VERSION], &["resourcerequests"]],
    scope: "Namespaced",
    namespace_label: None,
};

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Who {
    /// The user name.
    pub username: String,
    /// Whether they are a platform admin.
    pub admin: bool,
}

/// Whether the request's content (what would be applied, and why) differs.
fn content_changed(new: &ResourceRequestSpec, old: &ResourceRequestSpec) -> bool {
    new.action != old.action
        || new.manifest != old.manifest
        || new.target != old.target
        || new.reason != old.reason
}

/// What is wrong with an UPDATE or CREATE apart from the content checks, and whether the content
/// must be checked (a new request, or an edit before a decision).
pub fn review_transition(
    new: &ResourceRequest,
    old: Option<&ResourceRequest>,
    who: &Who,
    self_approval: bool,
) -> (Vec<String>, bool) {
    let mut problems = Vec::new();
    let spec = &new.spec;
    // An owner reference would let the garbage collector delete the record, a finalizer keep it
    // from being deleted: both are the platform's.
    let lifecycle = |r: Option<&ResourceRequest>| {
        r.map(|r| {
            (
                r.metadata.owner_references.clone().unwrap_or_default(),
                r.metadata.finalizers.clone().unwrap_or_default(),
            )
        })
        .unwrap_or_default()
    };
    if !who.admin && lifecycle(Some(new)) != lifecycle(old) {
        problems.push(
            "a request's ownerReferences and finalizers are the platform's: it is the audit trail"
                .into(),
        );
    }
    let Some(old) = old else {
        if spec.requester.as_deref() != Some(who.username.as_str()) {
            problems.push(format!(
                "spec.requester is written at admission: it must be you ({})",
                who.username
            ));
        }
        if spec.review.is_some() {
            problems.push("a new request cannot carry a decision (spec.review)".into());
        }
        if spec.withdrawal.is_some() {
            problems.push("a new request cannot be withdrawn already".into());
        }
        return (problems, true);
    };
    let name = new.metadata.name.clone().unwrap_or_default();
    if spec.requester != old.spec.requester {
        problems.push("spec.requester cannot change".into());
    }
    if let Some(review) = &old.spec.review {
        if *spec != old.spec {
            problems.push(format!(
                "request {name} was decided ({:?} by {}): it cannot change; make a new request",
                review.decision,
                review.reviewer.as_deref().unwrap_or("an admin")
            ));
        }
        return (problems, false);
    }
    if old.spec.withdrawal.is_some() {
        if *spec != old.spec {
            problems.push(format!(
                "request {name} was withdrawn: it cannot change; make a new request"
            ));
        }
        return (problems, false);
    }
    let changed = content_changed(spec, &old.spec);
    if changed && !who.admin && old.spec.requester.as_deref() != Some(who.username.as_str()) {
        problems.push(format!(
            "only {} (who asked) or a platform admin changes request {name}: make a request of your own",
            old.spec.requester.as_deref().unwrap_or("the requester")
        ));
    }
    if let Some(review) = &spec.review {
        if changed {
            problems.push("change a request and decide on it in two steps".into());
        }
        if spec.withdrawal.is_some() {
            problems.push("a request is either withdrawn or decided, not both".into());
        }
        if !who.admin {
            problems.push("only platform admins decide on requests".into());
        } else if spec.requester.as_deref() == Some(who.username.as_str()) && !self_approval {
            problems.push(format!(
                "you ({}) asked for this: another platform admin must decide (the site's requests.selfApproval is off)",
                who.username
            ));
        }
        let digest = new.spec_digest();
        match review.digest.as_deref() {
            None => problems.push(format!(
                "a decision names the digest of what was reviewed (spec.review.digest; ike request show {name} prints it)"
            )),
            Some(seen) if seen != digest => problems.push(format!(
                "the request changed since it was reviewed (reviewed {seen}, now {digest}): look at it again with ike request show {name}"
            )),
            Some(_) => {}
        }
        // An approval is of what ike-controller checked and showed (its diff): this very
        // version, passing every check.
        let checked = old.status.as_ref().filter(|s| {
            s.observed_generation == old.metadata.generation
                && !s.validation.is_empty()
                && s.validation.iter().all(|c| c.passed)
        });
        if review.decision == Decision::Approve && checked.is_none_or(|s| s.digest != digest) {
            problems.push(format!(
                "ike-controller has not checked this version of request {name}, or it does not pass its checks: see ike request show {name}"
            ));
        }
        if review.reviewer.as_deref() != Some(who.username.as_str()) {
            problems.push(format!(
                "spec.review.reviewer is written at admission: it must be you ({})",
                who.username
            ));
        }
        return (problems, false);
    }
    if let Some(withdrawal) = &spec.withdrawal {
        if changed {
            problems.push("change a request and withdraw it in two steps".into());
        }
        if withdrawal.by.as_deref() != Some(who.username.as_str()) {
            problems.push("spec.withdrawal.by is written at admission".into());
        }
        return (problems, false);
    }
    (problems, changed)
}

fn who(policy: &Policy, request: &AdmissionRequest<ResourceRequest>) -> Who {
    let groups = request.user_info.groups.clone().unwrap_or_default();
    let username = request.user_info.username.clone().unwrap_or_default();
    let admin = is_platform_admin(&username, &groups, &policy.admin_service_accounts, |name| {
        policy.accounts.get(&ObjectRef::new(name))
    });
    Who { username, admin }
}

/// Answers one AdmissionReview of a ResourceRequest.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    review_as(&policy, HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        let problems = match &request.object {
            Some(new) => review(&policy, &request, new).await,
            None => Vec::new(),
        };
        (response, problems)
    })
    .await
}

async fn review(
    policy: &Policy,
    request: &AdmissionRequest<ResourceRequest>,
    new: &ResourceRequest,
) -> Vec<String> {
    let namespace = request.namespace.clone().unwrap_or_default();
    let Some(tenant) = policy.tenant_of(&namespace) else {
        return vec![format!(
            "namespace {namespace} is no tenant's: make the request in a namespace of the tenant that needs it"
        )];
    };
    let who = who(policy, request);
    let self_approval = policy.site().requests.self_approval;
    let (mut problems, check_content) =
        review_transition(new, request.old_object.as_ref(), &who, self_approval);
    if check_content && problems.is_empty() {
        let checker = crate::controller::requests::validate::Checker {
            client: &policy.client,
            requests: &policy.requests,
            site: policy.site().requests,
        };
        let subject = crate::controller::requests::validate::Subject {
            tenant: &tenant,
            namespace: &namespace,
            name: &request.name,
            spec: &new.spec,
        };
        match checker.validate(subject).await {
            Ok(validation) => problems.extend(rules::problems(&validation.checks)),
            Err(e) => problems.push(format!("cannot check the request ({e}): try again")),
        }
    }
    problems
}

/// The JSON patch stamping who and when on a request.
pub fn stamps(
    operation: &Operation,
    new: &ResourceRequest,
    old: Option<&ResourceRequest>,
    username: &str,
    now: &str,
) -> Vec<Value> {
    let mut ops = Vec::new();
    if *operation == Operation::Create {
        ops.push(json!({"op": "add", "path": "/spec/requester", "value": username}));
        return ops;
    }
    let old_spec = old.map(|o| &o.spec);
    if new.spec.review.is_some() && old_spec.is_none_or(|o| o.review.is_none()) {
        ops.push(json!({"op": "add", "path": "/spec/review/reviewer", "value": username}));
        ops.push(json!({"op": "add", "path": "/spec/review/decidedAt", "value": now}));
    }
    if new.spec.withdrawal.is_some() && old_spec.is_none_or(|o| o.withdrawal.is_none()) {
        ops.push(json!({"op": "add", "path": "/spec/withdrawal/by", "value": username}));
        ops.push(json!({"op": "add", "path": "/spec/withdrawal/at", "value": now}));
    }
    ops
}

/// Answers one AdmissionReview of a ResourceRequest with the patch stamping who and when.
pub(super) async fn serve_defaults(State(policy): State<Policy>, body: Bytes) -> Response {
    review_as(&policy, DEFAULTS_HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        let Some(new) = &request.object else {
            return (response, Vec::new());
        };
        let username = request.user_info.username.clone().unwrap_or_default();
        let now = rfc3339(std::time::SystemTime::now());
        let ops = stamps(
            &request.operation,
            new,
            request.old_object.as_ref(),
            &username,
            &now,
        );
        match patched(response.clone(), ops) {
            Ok(patched) => (patched, Vec::new()),
            // Without the stamps, validation refuses the request: fail closed.
            Err(e) => (response, vec![format!("cannot stamp the request: {e}")]),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::request::{Decision, Review, Withdrawal};

    use crate::api::request::{Check, ResourceRequestStatus};

    /// A request of `requester` as ike-controller left it after checking it (all passed).
    fn request(requester: &str) -> ResourceRequest {
        let mut r = crate::api::fixtures::storage_class_request(requester);
        r.status = Some(ResourceRequestStatus {
            digest: r.spec_digest(),
            validation: vec![Check {
                name: "dry-run".into(),
                passed: true,
                message: "fine".into(),
            }],
            observed_generation: r.metadata.generation,
            ..Default::default()
        });
        r
    }

    fn decided(mut r: ResourceRequest, by: &str, decision: Decision) -> ResourceRequest {
        let digest = r.spec_digest();
        r.spec.review = Some(Review {
            decision,
            comment: "ok".into(),
            digest: Some(digest),
            reviewer: Some(by.into()),
            decided_at: Some("2026-12-06T00:00:00Z".into()),
        });
        r
    }

    fn who(name: &str, admin: bool) -> Who {
        Who {
            username: name.into(),
            admin,
        }
    }

    #[test]
    fn a_new_request_is_the_askers_own_and_undecided() {
        let r = request("alice");
        assert_eq!(
            review_transition(&r, None, &who("alice", false), false),
            (vec![], true)
        );
        let (p, _) = review_transition(&r, None, &who("mallory", false), false);
        assert!(p[0].contains("must be you (mallory)"), "{p:?}");
        let pre_decided = decided(request("alice"), "alice", Decision::Approve);
        let (p, _) = review_transition(&pre_decided, None, &who("alice", true), true);
        assert!(p.iter().any(|p| p.contains("cannot carry a decision")));
    }

    #[test]
    fn only_another_platform_admin_decides_and_only_on_what_they_reviewed() {
        let old = request("alice");
        let (p, _) = review_transition(
            &decided(old.clone(), "alice", Decision::Approve),
            Some(&old),
            &who("alice", false),
            false,
        );
        assert_eq!(p, ["only platform admins decide on requests"]);
        let (p, _) = review_transition(
            &decided(old.clone(), "root", Decision::Approve),
            Some(&old),
            &who("root", true),
            false,
        );
        assert!(p.is_empty(), "{p:?}");

        // An admin who asked needs a second admin, unless the site allows it.
        let own = request("root");
        let approval = decided(own.clone(), "root", Decision::Approve);
        let (p, _) = review_transition(&approval, Some(&own), &who("root", true), false);
        assert!(p[0].contains("another platform admin must decide"), "{p:?}");
        let (p, _) = review_transition(&approval, Some(&own), &who("root", true), true);
        assert!(p.is_empty());

        // A decision on another manifest than the one in the spec.
        let mut stale = decided(old.clone(), "root", Decision::Approve);
        stale.spec.review.as_mut().unwrap().digest = Some("sha256:seen-before".into());
        let (p, _) = review_transition(&stale, Some(&old), &who("root", true), false);
        assert!(p[0].contains("changed since it was reviewed"), "{p:?}");

        // An approval names a digest, and only of a version ike-controller checked and passed.
        let mut nameless = decided(old.clone(), "root", Decision::Approve);
        nameless.spec.review.as_mut().unwrap().digest = None;
        let (p, _) = review_transition(&nameless, Some(&old), &who("root", true), false);
        assert!(p[0].contains("names the digest"), "{p:?}");
        let mut unchecked = old.clone();
        unchecked.status.as_mut().unwrap().observed_generation = Some(0);
        let approval = decided(unchecked.clone(), "root", Decision::Approve);
        let (p, _) = review_transition(&approval, Some(&unchecked), &who("root", true), false);
        assert!(p[0].contains("has not checked this version"), "{p:?}");
        let mut failing = old.clone();
        failing.status.as_mut().unwrap().validation[0].passed = false;
        let approval = decided(failing.clone(), "root", Decision::Approve);
        let (p, _) = review_transition(&approval, Some(&failing), &who("root", true), false);
        assert!(p[0].contains("does not pass its checks"), "{p:?}");
        // Denying needs no passing checks.
        let denial = decided(failing.clone(), "root", Decision::Deny);
        assert!(
            review_transition(&denial, Some(&failing), &who("root", true), false)
                .0
                .is_empty()
        );

        // Changing the manifest and deciding at once.
        let mut both = decided(old.clone(), "root", Decision::Approve);
        both.spec.reason = "something else".into();
        let (p, _) = review_transition(&both, Some(&old), &who("root", true), false);
        assert!(p.iter().any(|p| p.contains("two steps")), "{p:?}");
    }

    #[test]
    fn a_decided_or_withdrawn_request_cannot_change_and_withdrawal_comes_first() {
        let old = decided(request("alice"), "root", Decision::Deny);
        let mut edited = old.clone();
        edited.spec.manifest.as_mut().unwrap()["provisioner"] = json!("other");
        let (p, check) = review_transition(&edited, Some(&old), &who("alice", false), false);
        assert!(p[0].contains("was decided (Deny by root)"), "{p:?}");
        assert!(!check);
        let mut withdrawn_late = old.clone();
        withdrawn_late.spec.withdrawal = Some(Withdrawal::default());
        let (p, _) = review_transition(&withdrawn_late, Some(&old), &who("alice", false), false);
        assert!(!p.is_empty(), "withdrawal after a decision is refused");
        // Unchanged (a no-op update, labels) is fine.
        assert!(
            review_transition(&old, Some(&old), &who("alice", false), false)
                .0
                .is_empty()
        );

        let pending = request("alice");
        let mut withdrawn = pending.clone();
        withdrawn.spec.withdrawal = Some(Withdrawal {
            by: Some("alice".into()),
            at: Some("now".into()),
        });
        assert_eq!(
            review_transition(&withdrawn, Some(&pending), &who("alice", false), false),
            (vec![], false)
        );
        let approved_after = decided(withdrawn.clone(), "root", Decision::Approve);
        let (p, _) =
            review_transition(&approved_after, Some(&withdrawn), &who("root", true), false);
        assert!(p[0].contains("was withdrawn"), "{p:?}");
    }

    #[test]
    fn an_edit_before_a_decision_is_the_requesters_and_checked_again_and_the_requester_stays() {
        let old = request("alice");
        let mut edited = old.clone();
        edited.spec.manifest.as_mut().unwrap()["provisioner"] = json!("example.com/other");
        assert_eq!(
            review_transition(&edited, Some(&old), &who("alice", false), false),
            (vec![], true)
        );
        let (p, _) = review_transition(&edited, Some(&old), &who("bob", false), false);
        assert!(p[0].contains("only alice (who asked)"), "{p:?}");
        // A member may withdraw someone else's request (it is stamped with who did).
        let mut withdrawn = old.clone();
        withdrawn.spec.withdrawal = Some(Withdrawal {
            by: Some("bob".into()),
            at: Some("now".into()),
        });
        assert!(
            review_transition(&withdrawn, Some(&old), &who("bob", false), false)
                .0
                .is_empty()
        );
        // The record's lifecycle is the platform's.
        let mut owned = old.clone();
        owned.metadata.owner_references = Some(vec![Default::default()]);
        let (p, _) = review_transition(&owned, Some(&old), &who("alice", false), false);
        assert!(
            p[0].contains("ownerReferences and finalizers are the platform's"),
            "{p:?}"
        );
        let mut kept = request("alice");
        kept.metadata.finalizers = Some(vec!["example.com/keep".into()]);
        let (p, _) = review_transition(&kept, None, &who("alice", false), false);
        assert!(!p.is_empty());
        assert!(
            review_transition(&owned, Some(&old), &who("root", true), false)
                .0
                .is_empty()
        );
        let mut renamed = old.clone();
        renamed.spec.requester = Some("bob".into());
        let (p, _) = review_transition(&renamed, Some(&old), &who("bob", false), false);
        assert_eq!(p, ["spec.requester cannot change"]);
    }

    #[test]
    fn admission_stamps_the_requester_the_reviewer_and_the_withdrawer() {
        let new = request("whoever-they-claim");
        let ops = stamps(&Operation::Create, &new, None, "alice", "T");
        assert_eq!(
            ops,
            [json!({"op": "add", "path": "/spec/requester", "value": "alice"})]
        );
        let old = request("alice");
        let mut review = old.clone();
        review.spec.review = Some(Review {
            decision: Decision::Approve,
            comment: String::new(),
            digest: None,
            reviewer: Some("forged".into()),
            decided_at: None,
        });
        let ops = stamps(&Operation::Update, &review, Some(&old), "root", "T");
        assert_eq!(
            ops.len(),
            2,
            "the digest is the reviewer's to name, never filled in"
        );
        assert_eq!(ops[0]["value"], "root");
        assert_eq!(ops[1]["path"], "/spec/review/decidedAt");
        // Once decided, nothing is stamped again.
        assert!(stamps(&Operation::Update, &review, Some(&review), "x", "T").is_empty());
        let mut withdrawn = old.clone();
        withdrawn.spec.withdrawal = Some(Withdrawal::default());
        let ops = stamps(&Operation::Update, &withdrawn, Some(&old), "bob", "T");
        assert_eq!(ops[0]["path"], "/spec/withdrawal/by");
        assert_eq!(ops[0]["value"], "bob");
    }
}
