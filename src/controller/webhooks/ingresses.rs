//! An Ingress host is its first holder's: an Ingress in a tenant namespace may not use a host (or
//! a wildcard covering it, or one it covers) that an Ingress outside the tenant's namespaces
//! already uses, so no tenant takes another's traffic or a platform host. The refusal does not
//! say whose it is: other tenants' namespaces are not everyone's to know.
//!
//! Two tenants creating the same new host in the same instant can both pass (the store has not
//! seen either yet); the ingress controller then decides, as it would without ike.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::networking::v1::Ingress;
use kube::core::admission::AdmissionResponse;

use super::{Hook, Policy, review_namespaced, typed};
use crate::api::Tenant;
use crate::api::consts::ISOLATED_LABEL;

/// The webhook: CREATE and UPDATE of Ingresses in tenant namespaces (older API versions are
/// converted to `networking.k8s.io/v1` by the API server).
pub const HOOK: Hook = Hook {
    name: "ingresses.traffic.ike.dev",
    path: "/admission/ingresses",
    rule: [&["networking.k8s.io"], &["v1"], &["ingresses"]],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};

/// Answers one AdmissionReview of an Ingress.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    review_namespaced(&policy, HOOK.name, &body, async |request| {
        let response = AdmissionResponse::from(&request);
        let namespace = request.namespace.clone().unwrap_or_default();
        let problems = match typed::<Ingress>(request.object.as_ref()) {
            Ok(ingress) => {
                let tenant = policy.tenant_of(&namespace);
                let others = policy.ingresses.state();
                review(&ingress, &namespace, tenant.as_deref(), &others)
            }
            Err(e) => vec![e],
        };
        (response, problems)
    })
    .await
}

/// The hosts an Ingress routes (its rules' hosts).
pub fn hosts(ingress: &Ingress) -> Vec<String> {
    ingress
        .spec
        .iter()
        .flat_map(|s| s.rules.iter().flatten())
        .filter_map(|r| r.host.clone())
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect()
}

/// Whether two hosts, either possibly `*.domain`, can name the same name.
pub fn overlap(a: &str, b: &str) -> bool {
    let covers = |wild: &str, name: &str| {
        wild.strip_prefix("*.").is_some_and(|domain| {
            name.strip_suffix(domain)
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.contains('.'))
                || name.strip_prefix("*.") == Some(domain)
        })
    };
    a == b || covers(a, b) || covers(b, a)
}

/// Everything wrong with `ingress` in `namespace` (of `tenant`), given every Ingress there is.
pub fn review(
    ingress: &Ingress,
    namespace: &str,
    tenant: Option<&Tenant>,
    all: &[Arc<Ingress>],
) -> Vec<String> {
    // Whose a namespace is comes from what the controller recorded, never from a tenant's
    // own list: a Tenant may list a namespace it does not hold (NamespaceConflict), and that
    // must not make the hosts of Ingresses there its to take.
    let ours = |ns: &str| ns == namespace || tenant.is_some_and(|t| t.holds_namespace(ns));
    let mut problems = Vec::new();
    for host in hosts(ingress) {
        let held = all.iter().any(|other| {
            let other_ns = other.metadata.namespace.as_deref().unwrap_or_default();
            !ours(other_ns) && hosts(other).iter().any(|h| overlap(h, &host))
        });
        if held {
            problems.push(format!(
                "host {host} is already used by an Ingress outside your tenant: choose another host or ask a platform admin"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Role;
    use crate::api::fixtures::{status, tenant};

    fn ingress(ns: &str, hosts: &[&str]) -> Arc<Ingress> {
        let rules: Vec<serde_json::Value> = hosts
            .iter()
            .map(|h| serde_json::json!({"host": h}))
            .collect();
        Arc::new(
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": "i", "namespace": ns},
                "spec": {"rules": rules}
            }))
            .unwrap(),
        )
    }

    #[test]
    fn wildcards_overlap_one_label_deep() {
        assert!(overlap("shop.example.com", "shop.example.com"));
        assert!(overlap("*.example.com", "shop.example.com"));
        assert!(overlap("shop.example.com", "*.example.com"));
        assert!(overlap("*.example.com", "*.example.com"));
        assert!(!overlap("*.example.com", "a.b.example.com"));
        assert!(!overlap("*.example.com", "example.com"));
        assert!(!overlap("shop.example.com", "shop.example.org"));
    }

    #[test]
    fn a_host_held_outside_the_tenant_is_refused_and_a_free_one_allowed() {
        let mut a = tenant("a", &[("o", Role::Owner)], &["a-web", "a-api"]);
        a.status = Some(status(&["a-web", "a-api"], None));
        let all = vec![
            ingress("b-web", &["shop.example.com"]),
            ingress("platform", &["*.ops.example.com"]),
            ingress("a-api", &["api.example.com"]),
        ];
        let free = ingress("a-web", &["blog.example.com"]);
        assert!(review(&free, "a-web", Some(&a), &all).is_empty());
        // The tenant's own host in another of its namespaces is its to share.
        assert!(
            review(
                &ingress("a-web", &["api.example.com"]),
                "a-web",
                Some(&a),
                &all
            )
            .is_empty()
        );
        for taken in [
            "shop.example.com",
            "SHOP.example.com.",
            "grafana.ops.example.com",
            "*.example.com",
        ] {
            let p = review(&ingress("a-web", &[taken]), "a-web", Some(&a), &all);
            assert_eq!(p.len(), 1, "{taken}: {p:?}");
            assert!(!p[0].contains("b-web"), "does not name the holder: {p:?}");
        }
    }

    #[test]
    fn a_namespace_the_tenant_lists_but_does_not_hold_lends_it_no_hosts() {
        // Tenant a lists b-web (another tenant's, or an unlabelled namespace): the controller
        // reports NamespaceConflict and records only a-web as held.
        let mut a = tenant("a", &[("o", Role::Owner)], &["a-web", "b-web"]);
        a.status = Some(status(&["a-web"], None));
        let all = vec![ingress("b-web", &["shop.example.com"])];
        let p = review(
            &ingress("a-web", &["shop.example.com"]),
            "a-web",
            Some(&a),
            &all,
        );
        assert_eq!(p.len(), 1, "{p:?}");
        // Once it holds b-web (the controller recorded it), the host is its own to share.
        a.status = Some(status(&["a-web", "b-web"], None));
        assert!(
            review(
                &ingress("a-web", &["shop.example.com"]),
                "a-web",
                Some(&a),
                &all
            )
            .is_empty()
        );
    }
}
