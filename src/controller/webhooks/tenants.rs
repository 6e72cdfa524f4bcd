//! The Tenant admission webhook: what RBAC cannot say about a Tenant.
//!
//! RBAC lets owners update their own Tenant and, with self-service on, any account create one;
//! this webhook keeps those writes sane: at least one owner, valid names, no duplicate members or
//! namespaces; no claim on a namespace the platform keeps (its own, the usual platform
//! components', the site's list), outside the tenant's required prefix or beyond its limit; only
//! platform admins may set or change dedicated nodes and the tenant's `policy`; a self-service
//! creator must be an owner of what they create.
//!
//! A platform admin is an enabled admin Account, a member of `system:masters`, or one of the
//! ServiceAccounts the controller was told of (`--admin-service-account`, its own by default).
//! Not every ServiceAccount: a pod's token, stolen or impersonated, must not create tenants with
//! arbitrary owners, dedicated nodes or exceptions to the site's policy.

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

/// Which namespaces the site keeps from tenants.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    /// Reserved besides `default`, `kube-*` and `ike-system`: the site's list, else
    /// [`names::PLATFORM_NAMESPACES`].
    pub reserved: Vec<String>,
    /// The controller's own namespace.
    pub controller_namespace: String,
    /// Namespaces that exist, with the tenant whose label they carry (written by the
    /// controller only), for those a Tenant write names.
    pub owners: std::collections::BTreeMap<String, Option<String>>,
}

impl Claims {
    /// The claims of a site's policy.
    pub fn of(site: &crate::api::TenantPolicy, controller_namespace: &str) -> Self {
        Self {
            reserved: site.reserved_namespaces.clone().unwrap_or_else(|| {
                names::PLATFORM_NAMESPACES
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }),
            controller_namespace: controller_namespace.to_owned(),
            owners: Default::default(),
        }
    }
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
    claims: &Claims,
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
    let held: Vec<&String> = old.iter().flat_map(|o| &o.spec.namespaces).collect();
    let prefix = spec
        .policy
        .namespace_prefix
        .as_deref()
        .filter(|p| !p.is_empty());
    let mut seen = BTreeSet::new();
    for ns in &spec.namespaces {
        if !seen.insert(ns) {
            problems.push(format!("namespace {ns} is listed twice"));
        }
        // Namespaces held before a rule existed stay; only new claims are judged.
        if held.contains(&ns) {
            continue;
        }
        if let Err(e) = names::check_tenant_namespace(ns) {
            problems.push(e.to_string());
        } else if *ns == claims.controller_namespace || claims.reserved.contains(ns) {
            problems.push(format!("namespace {ns} is reserved for the platform"));
        } else if let Some(Some(owner)) = claims.owners.get(ns)
            && Some(owner.as_str()) != tenant.metadata.name.as_deref()
        {
            problems.push(format!(
                "namespace {ns} is tenant {owner}'s: choose another name"
            ));
        } else if let Some(None) = claims.owners.get(ns)
            && !who.admin
        {
            // An existing namespace no tenant holds (made by hand, or released with
            // keepNamespaces) is not anyone's to take by listing it: a platform admin hands it
            // over (labelling it, or listing it themselves).
            problems.push(format!(
                "namespace {ns} exists and is not this tenant's: choose a new name, or ask a platform admin to hand it over"
            ));
        } else if let Some(prefix) = prefix
            && !ns.starts_with(prefix)
        {
            problems.push(format!(
                "namespace {ns} does not start with {prefix}, which every namespace of this tenant must"
            ));
        }
    }
    if let Some(max) = spec.policy.max_namespaces
        && spec.namespaces.len() > max as usize
        && spec.namespaces.len() > held.len()
    {
        problems.push(format!(
            "a tenant of {} namespaces is over its limit of {max} (a platform admin may raise it: spec.policy.maxNamespaces)",
            spec.namespaces.len()
        ));
    }
    if !who.admin {
        let old_selector = old.and_then(|o| o.spec.node_selector.as_ref());
        if spec.node_selector.as_ref() != old_selector {
            problems.push(
                "only a platform admin can set or change a tenant's dedicated nodes (nodeSelector)"
                    .into(),
            );
        }
        let old_policy = old.map(|o| o.spec.policy.clone()).unwrap_or_default();
        if spec.policy != old_policy {
            problems.push("only a platform admin can set or change a tenant's policy".into());
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
        let mut claims = Claims::of(&policy.site().tenants, &policy.controller_namespace);
        claims.owners = tenant
            .spec
            .namespaces
            .iter()
            .filter_map(|ns| {
                let found = policy.office.namespaces.get(&ObjectRef::new(ns))?;
                let owner = found
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(crate::api::consts::TENANT_LABEL).cloned());
                Some((ns.clone(), owner))
            })
            .collect();
        let problems = review(
            &request.operation,
            tenant,
            request.old_object.as_ref(),
            &who,
            policy.self_service,
            &claims,
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

    fn claims() -> Claims {
        Claims::of(&crate::api::TenantPolicy::default(), "ike-system")
    }

    #[test]
    fn a_namespace_another_tenant_holds_cannot_be_claimed() {
        let mut c = claims();
        c.owners.insert("b-prod".into(), Some("b".into()));
        c.owners.insert("t-prod".into(), Some("t".into()));
        c.owners.insert("plain".into(), None);
        let t = tenant(&[("alice", Role::Owner)], &["b-prod", "t-prod", "plain"]);
        let p = review(&Operation::Create, &t, None, &admin(), false, &c);
        assert_eq!(p, ["namespace b-prod is tenant b's: choose another name"]);
    }

    #[test]
    fn an_owner_cannot_list_an_existing_namespace_that_is_not_the_tenants() {
        let mut c = claims();
        c.owners.insert("t-prod".into(), Some("t".into()));
        // Made by hand, or released by a tenant with keepNamespaces: exists, unlabelled.
        c.owners.insert("plain".into(), None);
        let old = tenant(&[("alice", Role::Owner)], &["t-prod"]);
        let mut new = old.clone();
        new.spec.namespaces = vec!["t-prod".into(), "plain".into(), "t-new".into()];
        let p = review(
            &Operation::Update,
            &new,
            Some(&old),
            &person("alice"),
            false,
            &c,
        );
        assert_eq!(
            p,
            [
                "namespace plain exists and is not this tenant's: choose a new name, or ask a platform admin to hand it over"
            ]
        );
        // A name that does not exist yet, and the tenant's own, are fine; an admin may list it.
        new.spec.namespaces = vec!["t-prod".into(), "t-new".into()];
        assert!(
            review(
                &Operation::Update,
                &new,
                Some(&old),
                &person("alice"),
                false,
                &c
            )
            .is_empty()
        );
        new.spec.namespaces = vec!["t-prod".into(), "plain".into()];
        assert!(review(&Operation::Update, &new, Some(&old), &admin(), false, &c).is_empty());
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
        let p = review(&Operation::Create, &t, None, &admin(), false, &claims());
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
                false,
                &claims()
            )
            .is_empty()
        );
    }

    #[test]
    fn only_admins_create_tenants_unless_self_service_and_then_the_creator_owns_it() {
        let t = tenant(&[("alice", Role::Owner)], &["a"]);
        assert!(
            !review(
                &Operation::Create,
                &t,
                None,
                &person("alice"),
                false,
                &claims()
            )
            .is_empty()
        );
        assert!(
            review(
                &Operation::Create,
                &t,
                None,
                &person("alice"),
                true,
                &claims()
            )
            .is_empty()
        );
        let p = review(
            &Operation::Create,
            &t,
            None,
            &person("mallory"),
            true,
            &claims(),
        );
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
            &claims(),
        );
        assert!(p.iter().any(|p| p.contains("dedicated nodes")), "{p:?}");
        assert!(
            review(
                &Operation::Update,
                &new,
                Some(&old),
                &admin(),
                false,
                &claims()
            )
            .is_empty()
        );
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
                false,
                &claims()
            )
            .is_empty()
        );
    }

    #[test]
    fn platform_namespaces_are_not_for_tenants_to_claim() {
        for reserved in [
            "cert-manager",
            "monitoring",
            "ingress-nginx",
            "ike-system",
            "kube-x",
        ] {
            let t = tenant(&[("alice", Role::Owner)], &[reserved]);
            let p = review(&Operation::Create, &t, None, &admin(), false, &claims());
            assert!(
                p.iter().any(|p| p.contains("is reserved for the platform")),
                "{reserved}: {p:?}"
            );
        }
        let site = Claims {
            reserved: vec!["shared-db".into()],
            controller_namespace: "ike-ctl".into(),
            owners: Default::default(),
        };
        for (ns, ok) in [
            ("monitoring", true),
            ("shared-db", false),
            ("ike-ctl", false),
        ] {
            let t = tenant(&[("alice", Role::Owner)], &[ns]);
            let p = review(&Operation::Create, &t, None, &admin(), false, &site);
            assert_eq!(p.is_empty(), ok, "{ns}: {p:?}");
        }
        // A namespace held before it became reserved stays held.
        let old = tenant(&[("alice", Role::Owner)], &["monitoring"]);
        let mut new = old.clone();
        new.spec.description = Some("x".into());
        assert!(
            review(
                &Operation::Update,
                &new,
                Some(&old),
                &person("alice"),
                false,
                &claims()
            )
            .is_empty()
        );
    }

    #[test]
    fn the_prefix_and_the_limit_hold_and_only_admins_change_them() {
        let mut old = tenant(&[("alice", Role::Owner)], &["team-a-web"]);
        old.spec.policy.namespace_prefix = Some("team-a-".into());
        old.spec.policy.max_namespaces = Some(2);
        let with = |nss: &[&str]| {
            let mut t = old.clone();
            t.spec.namespaces = nss.iter().map(|s| s.to_string()).collect();
            t
        };
        let alice = person("alice");
        let ok = with(&["team-a-web", "team-a-db"]);
        assert!(
            review(
                &Operation::Update,
                &ok,
                Some(&old),
                &alice,
                false,
                &claims()
            )
            .is_empty()
        );
        let p = review(
            &Operation::Update,
            &with(&["team-a-web", "web"]),
            Some(&old),
            &alice,
            false,
            &claims(),
        );
        assert!(p[0].contains("does not start with team-a-"), "{p:?}");
        let p = review(
            &Operation::Update,
            &with(&["team-a-web", "team-a-db", "team-a-x"]),
            Some(&old),
            &alice,
            false,
            &claims(),
        );
        assert!(p[0].contains("over its limit of 2"), "{p:?}");
        let mut raised = old.clone();
        raised.spec.policy.max_namespaces = Some(10);
        let p = review(
            &Operation::Update,
            &raised,
            Some(&old),
            &alice,
            false,
            &claims(),
        );
        assert!(
            p[0].contains("only a platform admin can set or change a tenant's policy"),
            "{p:?}"
        );
        assert!(
            review(
                &Operation::Update,
                &raised,
                Some(&old),
                &admin(),
                false,
                &claims()
            )
            .is_empty()
        );
    }
}
