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
//!
//! Nor may any binding in the tenant's namespaces, whatever its name, reference another
//! tenant's ike roles ([`crate::api::foreign_role`], refused at admission by
//! [`crate::controller::webhooks::bindings`]): one made before that webhook, or while it was
//! not there, is deleted ([`foreign_bindings`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::rbac::v1::{RoleBinding, Subject};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, Preconditions};
use kube::runtime::reflector::ObjectRef;

use super::desired::{active_members, own_binding_names};
use super::{Context, Error};
use crate::api::consts::TENANT_LABEL;
use crate::api::request::AGGREGATE_LABEL;
use crate::api::{Account, Tenant, foreign_role, role_tenant};
use crate::controller::runtime::kube_err;

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

/// Takes users who are not active members out of hand-made RoleBindings in the `held`
/// namespaces; returns whether it wrote. The stores may lag (a member added a moment ago), so
/// what they suggest is confirmed with the Tenant and the Accounts as the API server has them
/// now before anything is revoked.
pub async fn revoke_hand_made_access(
    ctx: &Context,
    tenant: &Tenant,
    held: &[String],
) -> Result<bool, Error> {
    let active_in = |tenant: &Tenant, account: &dyn Fn(&str) -> Option<Arc<Account>>| {
        let (members, _) = active_members(tenant, account);
        members
            .into_values()
            .flatten()
            .collect::<BTreeSet<String>>()
    };
    let bindings = ctx.role_bindings.state();
    let active = active_in(tenant, &|a| ctx.accounts.get(&ObjectRef::new(a)));
    let suggested = revocations(held, |u| active.contains(u), bindings.iter().map(|b| &**b));
    if suggested.is_empty() {
        return Ok(false);
    }
    let name = tenant.name_any();
    tracing::debug!(tenant = %name, ?suggested, "hand-made access to confirm against the API server");
    let fresh = Api::<Tenant>::all(ctx.client.clone())
        .get_opt(&name)
        .await
        .map_err(kube_err(format!("reading tenant {name}")))?;
    let Some(fresh) = fresh else {
        return Ok(false);
    };
    let accounts: Api<Account> = Api::all(ctx.client.clone());
    let mut fetched = std::collections::BTreeMap::new();
    for user in suggested.iter().flat_map(|r| &r.users) {
        if fetched.contains_key(user) {
            continue;
        }
        let account = accounts
            .get_opt(user)
            .await
            .map_err(kube_err(format!("reading account {user}")))?;
        fetched.insert(user.clone(), account.map(Arc::new));
    }
    let active = active_in(&fresh, &|a| {
        fetched
            .get(a)
            .cloned()
            .unwrap_or_else(|| ctx.accounts.get(&ObjectRef::new(a)))
    });
    let confirmed = revocations(held, |u| active.contains(u), bindings.iter().map(|b| &**b));
    for revocation in &confirmed {
        revoke(&ctx.client, &name, revocation).await?;
    }
    Ok(!confirmed.is_empty())
}

/// A binding in a namespace of the tenant referencing another tenant's ike role: deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct Foreign {
    /// The binding's namespace.
    pub namespace: String,
    /// The binding's name.
    pub binding: String,
    /// The resourceVersion the decision was made on.
    pub resource_version: Option<String>,
    /// Why, in one sentence.
    pub why: String,
}

/// The bindings in `tenant`'s `held` namespaces that reference another tenant's ike role;
/// `label_of` gives the `ike.dev/tenant` label of a ClusterRole (for the grants of requested
/// CRDs, which carry it).
pub fn foreign_bindings<'a>(
    tenant: &str,
    held: &[String],
    label_of: impl Fn(&str) -> Option<String>,
    bindings: impl IntoIterator<Item = &'a RoleBinding>,
) -> Vec<Foreign> {
    let mut out: Vec<Foreign> = bindings
        .into_iter()
        .filter(|b| {
            b.namespace().is_some_and(|ns| held.contains(&ns))
                && b.metadata.deletion_timestamp.is_none()
                && b.role_ref.kind == "ClusterRole"
        })
        .filter_map(|b| {
            let role = &b.role_ref.name;
            let owner = role_tenant(role, label_of(role).as_deref());
            let why = foreign_role(Some(tenant), role, owner.as_deref())?;
            Some(Foreign {
                namespace: b.namespace().unwrap_or_default(),
                binding: b.name_any(),
                resource_version: b.resource_version(),
                why,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.namespace, &a.binding).cmp(&(&b.namespace, &b.binding)));
    out
}

/// Deletes the bindings [`foreign_bindings`] finds for `tenant` in `held` (each on the condition
/// that it is still the version read); returns whether it deleted any.
pub async fn remove_foreign_bindings(
    ctx: &Context,
    tenant: &str,
    held: &[String],
) -> Result<bool, Error> {
    // Grants only (the ClusterRoles of CRDs approved for a tenant).
    let label_of = |role: &str| {
        ctx.cluster_roles
            .get(&ObjectRef::new(role))
            .filter(|g| g.labels().contains_key(AGGREGATE_LABEL))
            .and_then(|g| g.labels().get(TENANT_LABEL).cloned())
    };
    let bindings = ctx.role_bindings.state();
    let foreign = foreign_bindings(tenant, held, label_of, bindings.iter().map(|b| &**b));
    for f in &foreign {
        let api: Api<RoleBinding> = Api::namespaced(ctx.client.clone(), &f.namespace);
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                resource_version: f.resource_version.clone(),
                uid: None,
            }),
            ..DeleteParams::default()
        };
        match api.delete(&f.binding, &params).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => continue,
            Err(e) => {
                return Err(
                    kube_err(format!("deleting {} in {}", f.binding, f.namespace))(e).into(),
                );
            }
        }
        tracing::warn!(
            tenant,
            namespace = %f.namespace,
            binding = %f.binding,
            why = %f.why,
            "deleted a binding to another tenant's role"
        );
    }
    Ok(!foreign.is_empty())
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
        Err(e) => return Err(kube_err(what)(e).into()),
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
    fn bindings_to_another_tenants_roles_are_found_whatever_their_name() {
        let held = vec!["a-prod".to_string()];
        let to = |ns: &str, name: &str, role: &str| {
            let mut b = binding(ns, name, vec![user("mallory")]);
            b.role_ref.name = role.into();
            b
        };
        let label_of = |role: &str| {
            (role == "ike:requested:gadgets.example.com:edit").then(|| "b".to_string())
        };
        let bindings = [
            to("a-prod", "steal", "ike:tenant:b:requested-edit"),
            // Named as ike names its own: still not the tenant's role.
            to(
                "a-prod",
                "ike:tenant:requested-edit",
                "ike:tenant:b:requested-edit",
            ),
            to("a-prod", "grant", "ike:requested:gadgets.example.com:edit"),
            // The tenant's own roles, Kubernetes' roles, other namespaces: left alone.
            to("a-prod", "mine", "ike:tenant:a:requested-edit"),
            to("a-prod", "plain", "edit"),
            to("b-prod", "theirs", "ike:tenant:b:requested-edit"),
        ];
        let found = foreign_bindings("a", &held, label_of, &bindings);
        let names: Vec<&str> = found.iter().map(|f| f.binding.as_str()).collect();
        assert_eq!(names, ["grant", "ike:tenant:requested-edit", "steal"]);
        assert!(found[0].why.contains("is tenant b's"), "{:?}", found[0]);
        assert_eq!(found[0].resource_version.as_deref(), Some("7"));
    }

    #[test]
    fn nothing_is_revoked_while_every_named_user_is_active() {
        let held = vec!["a".to_string()];
        let bindings = [binding("a", "team", vec![user("carol"), user("alice")])];
        assert!(revocations(&held, |_| true, &bindings).is_empty());
    }
}
