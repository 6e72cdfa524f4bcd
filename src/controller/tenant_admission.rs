//! The Tenant admission webhook: what RBAC cannot say about a Tenant.
//!
//! RBAC lets owners update their own Tenant and, with self-service on, any account create one;
//! this webhook keeps those writes sane: at least one owner, valid and unreserved names, no
//! duplicate members or namespaces; only platform admins may set or change dedicated nodes; a
//! self-service creator must be an owner of what they create.

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    RuleWithOperations, ValidatingWebhook, WebhookClientConfig,
};
use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};
use kube::runtime::reflector::{ObjectRef, Store};

use crate::api::{Account, Role, Tenant};

/// Where the webhook is served.
pub const PATH: &str = "/admission/tenants";
/// The webhook's name in the ValidatingWebhookConfiguration.
pub const WEBHOOK_NAME: &str = "tenants.validation.ike.dev";
pub use crate::consts::RESERVED_NAMESPACES;

/// What the webhook decides with.
#[derive(Clone)]
pub struct Policy {
    /// Every Account, to know who is a platform admin.
    pub accounts: Store<Account>,
    /// Whether any account may create tenants.
    pub self_service: bool,
}

/// Who is asking, as the API server says.
#[derive(Debug, Clone, Default)]
pub struct Requester {
    /// The user name (an account name for people).
    pub username: String,
    /// Whether they are a platform admin (system:masters, a service account, or an admin Account).
    pub admin: bool,
}

fn dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
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
        if let Err(e) = crate::pki::check_account_name(&m.account) {
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
        if !dns_label(ns) {
            problems.push(format!("namespace {ns:?} is not a valid name: lower-case letters, digits and '-', at most 63"));
        } else if RESERVED_NAMESPACES.contains(&ns.as_str()) || ns.starts_with("kube-") {
            problems.push(format!("namespace {ns} is reserved for the platform"));
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

/// The webhook's route.
pub fn routes<S: Clone + Send + Sync + 'static>(policy: Policy) -> Router<S> {
    Router::new().route(PATH, post(serve)).with_state(policy)
}

async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    let review_in: AdmissionReview<Tenant> = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("ike: the body is not an AdmissionReview of a Tenant: {e}\n"),
            )
                .into_response();
        }
    };
    let request: AdmissionRequest<Tenant> = match review_in.try_into() {
        Ok(r) => r,
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                "ike: the AdmissionReview carries no request\n",
            )
                .into_response();
        }
    };
    let mut response = AdmissionResponse::from(&request);
    if let (Operation::Create | Operation::Update, Some(tenant)) =
        (&request.operation, &request.object)
    {
        let groups = request.user_info.groups.clone().unwrap_or_default();
        let username = request.user_info.username.clone().unwrap_or_default();
        let admin = groups.iter().any(|g| g == "system:masters")
            || username.starts_with("system:serviceaccount:")
            || policy
                .accounts
                .get(&ObjectRef::new(&username))
                .is_some_and(|a| a.spec.admin && !a.spec.disabled);
        let who = Requester { username, admin };
        let problems = review(
            &request.operation,
            tenant,
            request.old_object.as_ref(),
            &who,
            policy.self_service,
        );
        if !problems.is_empty() {
            response = response.deny(format!(
                "ike: tenant {}: {}",
                tenant.metadata.name.clone().unwrap_or_default(),
                problems.join("; ")
            ));
            response.result.code = 403;
            response.result.reason = "Forbidden".into();
        }
    }
    axum::Json(response.into_review()).into_response()
}

/// The webhook entry for Tenants, added to the controller's ValidatingWebhookConfiguration.
pub fn webhook(url_base: &str, ca_bundle_pem: &str) -> ValidatingWebhook {
    let strings = |s: &[&str]| Some(s.iter().map(|s| (*s).to_owned()).collect());
    ValidatingWebhook {
        name: WEBHOOK_NAME.into(),
        client_config: WebhookClientConfig {
            url: Some(format!("{}{PATH}", url_base.trim_end_matches('/'))),
            ca_bundle: Some(ByteString(ca_bundle_pem.as_bytes().to_vec())),
            service: None,
        },
        rules: Some(vec![RuleWithOperations {
            api_groups: strings(&[crate::consts::API_GROUP]),
            api_versions: strings(&[crate::consts::API_VERSION]),
            operations: strings(&["CREATE", "UPDATE"]),
            resources: strings(&["tenants"]),
            scope: Some("Cluster".into()),
        }]),
        failure_policy: Some("Fail".into()),
        side_effects: "None".into(),
        admission_review_versions: vec!["v1".into()],
        timeout_seconds: Some(5),
        match_policy: Some("Equivalent".into()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Member, TenantSpec};

    fn tenant(members: &[(&str, Role)], namespaces: &[&str]) -> Tenant {
        Tenant::new(
            "t",
            TenantSpec {
                members: members
                    .iter()
                    .map(|(a, r)| Member {
                        account: a.to_string(),
                        role: *r,
                    })
                    .collect(),
                namespaces: namespaces.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        )
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
    fn a_tenant_needs_an_owner_and_sane_names() {
        let t = tenant(
            &[("bob", Role::Member)],
            &["ok", "Bad_Name", "kube-system", "ok"],
        );
        let p = review(&Operation::Create, &t, None, &admin(), false);
        assert!(p.iter().any(|p| p.contains("at least one owner")), "{p:?}");
        assert!(
            p.iter()
                .any(|p| p.contains("\"Bad_Name\" is not a valid name")),
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
