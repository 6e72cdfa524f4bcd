//! The Tenant admission webhook: what RBAC cannot say about a Tenant.
//!
//! RBAC lets owners update their own Tenant and, with self-service on, any account create one;
//! this webhook keeps those writes sane: at least one owner, valid and unreserved names, no
//! duplicate members or namespaces; only platform admins may set or change dedicated nodes; a
//! self-service creator must be an owner of what they create.
//!
//! A platform admin is an enabled admin Account, a member of `system:masters`, or one of the
//! ServiceAccounts the controller was told of (`--admin-service-account`, its own by default).
//! Not every ServiceAccount: a pod's token, stolen or impersonated, must not create tenants with
//! arbitrary owners or dedicated nodes.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, Operation};
use kube::runtime::reflector::ObjectRef;

use super::{Policy, answer, deny, parse};
use crate::api::consts::{API_GROUP, API_VERSION};
use crate::api::names;
use crate::api::{Role, Tenant};

/// The webhook: every CREATE and UPDATE of a Tenant.
pub const HOOK: super::Hook = super::Hook {
    name: WEBHOOK_NAME,
    path: "/admission/tenants",
    rule: [&[API_GROUP], &[API_VERSION], &["tenants"]],
    scope: "Cluster",
    namespace_label: None,
};
/// The webhook's name in the ValidatingWebhookConfiguration.
pub const WEBHOOK_NAME: &str = "tenants.validation.ike.dev";

/// Who is asking, as the API server says.
#[derive(Debug, Clone, Default)]
pub struct Requester {
    /// The user name (an account name for people).
    pub username: String,
    /// Whether they are a platform admin ([`is_platform_admin`]).
    pub admin: bool,
}

/// Whether the requester `username` in `groups` is a platform admin: in `system:masters`, one
/// of `admin_service_accounts` (user names, `system:serviceaccount:NS:NAME`), or an Account
/// that is an enabled admin.
pub fn is_platform_admin(
    username: &str,
    groups: &[String],
    admin_service_accounts: &[String],
    account: impl Fn(&str) -> Option<std::sync::Arc<crate::api::Account>>,
) -> bool {
    groups.iter().any(|g| g == "system:masters")
        || admin_service_accounts.iter().any(|sa| sa == username)
        || account(username).is_some_and(|a| a.spec.admin && !a.spec.disabled)
}

/// Everything wrong with a Tenant write, as sentences; empty = allowed.
pub fn review(
    operation: &Operation,
    tenant: &Tenant,
    old: Option<&Tenant>,
    who: &Requester,
    self_service: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    let spec = &tenant.spec;
    if !spec.members.iter().any(|m| m.role == Role::Owner) {
        problems.push("a tenant needs at least one owner".to_string());
    }
    let mut seen = BTreeSet::new();
    for m in &spec.members {
        if let Err(e) = names::check_account(&m.account) {
            problems.push(format!("member {:?}: {e}", m.account));
        }
        if !seen.insert(&m.account) {
            problems.push(format!(
                "account {} is listed twice: give it one role",
                m.account
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for ns in &spec.namespaces {
        if let Err(e) = names::check_tenant_namespace(ns) {
            problems.push(e.to_string());
        }
        if !seen.insert(ns) {
            problems.push(format!("namespace {ns} is listed twice"));
        }
    }
    if !who.admin {
        let old_selector = old.and_then(|o| o.spec.node_selector.as_ref());
        if spec.node_selector.as_ref() != old_selector {
            problems.push(
                "only a platform admin can set or change a tenant's dedicated nodes (nodeSelector)"
                    .into(),
            );
        }
        if *operation == Operation::Create {
            if !self_service {
                problems.push("only platform admins create tenants on this site".into());
            } else if !spec
                .members
                .iter()
                .any(|m| m.role == Role::Owner && m.account == who.username)
            {
                problems.push(format!(
                    "you ({}) must be an owner of a tenant you create",
                    who.username
                ));
            }
        }
    }
    problems
}

/// Answers one AdmissionReview of a Tenant.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    let request: AdmissionRequest<Tenant> = match parse(&body) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let mut response = AdmissionResponse::from(&request);
    if let (Operation::Create | Operation::Update, Some(tenant)) =
        (&request.operation, &request.object)
    {
        let groups = request.user_info.groups.clone().unwrap_or_default();
        let username = request.user_info.username.clone().unwrap_or_default();
        let admin = is_platform_admin(&username, &groups, &policy.admin_service_accounts, |name| {
            policy.accounts.get(&ObjectRef::new(name))
        });
        let who = Requester { username, admin };
        let problems = review(
            &request.operation,
            tenant,
            request.old_object.as_ref(),
            &who,
            policy.self_service,
        );
        if !problems.is_empty() {
            response = deny(
                response,
                format!(
                    "ike: tenant {}: {}",
                    tenant.metadata.name.clone().unwrap_or_default(),
                    problems.join("; ")
                ),
            );
        }
    }
    answer(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Member;

    fn tenant(members: &[(&str, Role)], namespaces: &[&str]) -> Tenant {
        crate::api::fixtures::tenant("t", members, namespaces)
    }

    fn person(name: &str) -> Requester {
        Requester {
            username: name.into(),
            admin: false,
        }
    }

    fn admin() -> Requester {
        Requester {
            username: "root".into(),
            admin: true,
        }
    }

    #[test]
    fn platform_admins_are_admin_accounts_masters_and_the_listed_service_accounts_only() {
        let controller = ["system:serviceaccount:ike-system:ike-controller".to_string()];
        let accounts = [
            crate::api::fixtures::account("root", true, false),
            crate::api::fixtures::account("gone", true, true),
            crate::api::fixtures::account("alice", false, false),
        ];
        let account = |name: &str| {
            accounts
                .iter()
                .find(|a| a.metadata.name.as_deref() == Some(name))
                .cloned()
                .map(std::sync::Arc::new)
        };
        let admin = |user: &str, groups: &[&str]| {
            let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
            is_platform_admin(user, &groups, &controller, account)
        };
        assert!(admin("root", &[]));
        assert!(admin("kubernetes-admin", &["system:masters"]));
        assert!(admin(
            "system:serviceaccount:ike-system:ike-controller",
            &[]
        ));
        // A disabled admin, an ordinary account, any other pod's token: no.
        assert!(!admin("gone", &[]));
        assert!(!admin("alice", &["system:authenticated"]));
        assert!(!admin(
            "system:serviceaccount:team:builder",
            &["system:serviceaccounts", "system:serviceaccounts:team"]
        ));
        assert!(!admin("system:serviceaccount:ike-system:other", &[]));
    }

    #[test]
    fn a_tenant_needs_an_owner_and_sane_names() {
        let t = tenant(
            &[("bob", Role::Member)],
            &["ok", "Bad_Name", "kube-system", "ok"],
        );
        let p = review(&Operation::Create, &t, None, &admin(), false);
        assert!(p.iter().any(|p| p.contains("at least one owner")), "{p:?}");
        assert!(
            p.iter()
                .any(|p| p.contains("'Bad_Name' is not a valid namespace name")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|p| p.contains("kube-system is reserved")),
            "{p:?}"
        );
        assert!(p.iter().any(|p| p.contains("ok is listed twice")), "{p:?}");
        assert!(
            review(
                &Operation::Create,
                &tenant(&[("alice", Role::Owner)], &["a"]),
                None,
                &admin(),
                false
            )
            .is_empty()
        );
    }

    #[test]
    fn only_admins_create_tenants_unless_self_service_and_then_the_creator_owns_it() {
        let t = tenant(&[("alice", Role::Owner)], &["a"]);
        assert!(!review(&Operation::Create, &t, None, &person("alice"), false).is_empty());
        assert!(review(&Operation::Create, &t, None, &person("alice"), true).is_empty());
        let p = review(&Operation::Create, &t, None, &person("mallory"), true);
        assert!(p.iter().any(|p| p.contains("must be an owner")), "{p:?}");
    }

    #[test]
    fn only_admins_set_dedicated_nodes() {
        let old = tenant(&[("alice", Role::Owner)], &["a"]);
        let mut new = old.clone();
        new.spec.node_selector = Some([("pool".to_string(), "gpu".to_string())].into());
        let p = review(
            &Operation::Update,
            &new,
            Some(&old),
            &person("alice"),
            false,
        );
        assert!(p.iter().any(|p| p.contains("dedicated nodes")), "{p:?}");
        assert!(review(&Operation::Update, &new, Some(&old), &admin(), false).is_empty());
        // Unchanged selector: an owner may still edit members.
        let mut more = new.clone();
        more.spec.members.push(Member {
            account: "bob".into(),
            role: Role::Member,
        });
        assert!(
            review(
                &Operation::Update,
                &more,
                Some(&new),
                &person("alice"),
                false
            )
            .is_empty()
        );
    }
}
