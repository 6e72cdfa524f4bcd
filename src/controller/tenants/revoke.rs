//! Access granted by hand does not outlive membership. Owners may make RoleBindings of their
//! own in the tenant's namespaces; a user such a binding names must be an active member of the
//! tenant (listed, Account present and enabled). When a member is removed, or their Account is
//! disabled or deleted, every hand-made binding naming them loses them, so removal leaves no way
//! back in that was set up while they were in; a binding made later for a non-member goes the
//! same way.
//!
//! Removed, not neutralised in place: the user is taken out of the binding's subjects, so the
//! binding and everyone else it names keep working (the owner's binding for a current member is
//! untouched), and a binding left naming nobody is deleted, since it grants nothing (its roleRef
//! is immutable, so there is nothing else to neutralise). A re-enabled account does not get such
//! grants back: an owner makes them again. Only `User` subjects count; `system:` users are no
//! accounts, and groups and ServiceAccounts are reported by `ike tenant show` instead.
//!
//! ike's own bindings (`ike:tenant:<role>`, `ike:tenant:requested-*`) are never touched here: the reconciler writes their
//! subjects from the member list. Every write carries the resourceVersion read, so a binding
//! changed in the meantime is read again at the next reconcile, never overwritten.

use std::collections::BTreeSet;

use k8s_openapi::api::rbac::v1::{RoleBinding, Subject};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, Preconditions};

use super::desired::own_binding_names;
use super::{Error, kube_err};

/// Users to take out of one hand-made RoleBinding.
#[derive(Debug, Clone, PartialEq)]
pub struct Revocation {
    /// The binding's namespace.
    pub namespace: String,
    /// The binding's name.
    pub binding: String,
    /// The resourceVersion the decision was made on.
    pub resource_version: Option<String>,
    /// The users taken out, sorted.
    pub users: Vec<String>,
    /// The subjects that stay; none: the binding is deleted.
    pub remaining: Vec<Subject>,
}

/// Whether `binding` is one the reconciler writes itself.
fn ikes_own(binding: &RoleBinding) -> bool {
    own_binding_names().contains(&binding.name_any())
}

/// Whether a subject names a person who must be an active member to keep it.
fn names_a_person(subject: &Subject) -> bool {
    subject.kind == "User" && !subject.name.starts_with("system:")
}

/// The hand-made bindings in the `held` namespaces naming users for whom `is_active` is false,
/// and what each keeps.
pub fn revocations<'a>(
    held: &[String],
    is_active: impl Fn(&str) -> bool,
    bindings: impl IntoIterator<Item = &'a RoleBinding>,
) -> Vec<Revocation> {
    let mut out: Vec<Revocation> = bindings
        .into_iter()
        .filter(|b| {
            b.namespace().is_some_and(|ns| held.contains(&ns))
                && !ikes_own(b)
                && b.metadata.deletion_timestamp.is_none()
        })
        .filter_map(|b| {
            let subjects = b.subjects.as_deref().unwrap_or_default();
            let (gone, remaining): (Vec<&Subject>, Vec<&Subject>) = subjects
                .iter()
                .partition(|s| names_a_person(s) && !is_active(&s.name));
            if gone.is_empty() {
                return None;
            }
            let users: BTreeSet<String> = gone.iter().map(|s| s.name.clone()).collect();
            Some(Revocation {
                namespace: b.namespace().unwrap_or_default(),
                binding: b.name_any(),
                resource_version: b.resource_version(),
                users: users.into_iter().collect(),
                remaining: remaining.into_iter().cloned().collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.namespace, &a.binding).cmp(&(&b.namespace, &b.binding)));
    out
}

/// Carries out one revocation, on the condition that the binding is still the version read.
pub async fn revoke(client: &kube::Client, tenant: &str, r: &Revocation) -> Result<(), Error> {
    let api: Api<RoleBinding> = Api::namespaced(client.clone(), &r.namespace);
    let what = format!("revoking {} in {}", r.binding, r.namespace);
    let result = if r.remaining.is_empty() {
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                resource_version: r.resource_version.clone(),
                uid: None,
            }),
            ..DeleteParams::default()
        };
        api.delete(&r.binding, &params).await.map(|_| ())
    } else {
        // A merge patch carrying the resourceVersion fails with Conflict if it moved on.
        let patch = serde_json::json!({
            "metadata": { "resourceVersion": r.resource_version },
            "subjects": r.remaining,
        });
        api.patch(&r.binding, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) => {}
        // Deleted meanwhile: nothing left to revoke.
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
        Err(e) => return Err(kube_err(what)(e)),
    }
    tracing::info!(
        tenant,
        namespace = %r.namespace,
        binding = %r.binding,
        users = ?r.users,
        deleted = r.remaining.is_empty(),
        "revoked access granted by hand to users who are not active members"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::rbac::v1::RoleRef;
    use kube::api::ObjectMeta;

    use super::*;
    use crate::controller::tenants::desired::user;

    fn binding(ns: &str, name: &str, subjects: Vec<Subject>) -> RoleBinding {
        RoleBinding {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(ns.into()),
                resource_version: Some("7".into()),
                ..ObjectMeta::default()
            },
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: "edit".into(),
            },
            subjects: Some(subjects),
        }
    }

    fn subject(kind: &str, name: &str) -> Subject {
        Subject {
            kind: kind.into(),
            name: name.into(),
            ..user(name)
        }
    }

    #[test]
    fn hand_made_bindings_lose_every_user_who_is_not_an_active_member_and_keep_the_rest() {
        let held = vec!["a".to_string(), "b".to_string()];
        // carol is a current member; bob was removed, dave disabled, erin's account deleted.
        let active = |name: &str| name == "carol";
        let bindings = [
            binding("a", "bob-debug", vec![user("bob")]),
            binding(
                "a",
                "team",
                vec![
                    user("carol"),
                    user("dave"),
                    subject("Group", "system:authenticated"),
                    subject("ServiceAccount", "deployer"),
                    user("system:kube-scheduler"),
                ],
            ),
            binding("b", "carol-only", vec![user("carol")]),
            binding("b", "erin", vec![user("erin"), user("erin")]),
            // ike's own bindings and bindings outside the tenant's namespaces: not ours to judge.
            binding("a", "ike:tenant:member", vec![user("bob")]),
            binding("elsewhere", "bob", vec![user("bob")]),
        ];
        let got = revocations(&held, active, &bindings);
        let summary: Vec<(&str, &str, Vec<&str>, usize)> = got
            .iter()
            .map(|r| {
                (
                    r.namespace.as_str(),
                    r.binding.as_str(),
                    r.users.iter().map(String::as_str).collect(),
                    r.remaining.len(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("a", "bob-debug", vec!["bob"], 0),
                ("a", "team", vec!["dave"], 4),
                ("b", "erin", vec!["erin"], 0),
            ]
        );
        assert_eq!(got[1].remaining[0], user("carol"));
        assert_eq!(got[1].resource_version.as_deref(), Some("7"));
    }

    #[test]
    fn nothing_is_revoked_while_every_named_user_is_active() {
        let held = vec!["a".to_string()];
        let bindings = [binding("a", "team", vec![user("carol"), user("alice")])];
        assert!(revocations(&held, |_| true, &bindings).is_empty());
    }
}
