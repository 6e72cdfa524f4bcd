//! Office host names on Services (`services.hostnames.ike.dev`): external-dns publishes whatever
//! name any Service's annotation asks for, so in tenant namespaces this webhook lets a Service
//! carry `external-dns.alpha.kubernetes.io/hostname` only for names under a domain the Site
//! allows, that no other Service holds, with a TTL the site allows. It reviews every CREATE and
//! UPDATE of a Service, so `kubectl annotate` is reviewed like `ike expose`.
//!
//! One name, one Service: a name another Service of the same tenant holds is refused too (the
//! DNS claim names one Service, `service/NS/NAME`). A write adding names beyond the site's
//! limits (per Service, per tenant: [`limits`]) is refused. Holders are looked up in a watch of every
//! Service, so two creates of one name within the watch's delay may both pass; the DNS claim
//! then goes to the first one published and the other's condition says NotOwned.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use k8s_openapi::api::core::v1::{Namespace, Service};
use kube::ResourceExt;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, Operation};
use kube::runtime::reflector::Store;

use super::{Policy, answer, deny, parse};
use crate::api::OfficeSpec;
use crate::api::consts::ISOLATED_LABEL;
use crate::api::names::parse_host_names;
use crate::api::office::{HOSTNAME_ANNOTATION, TTL_ANNOTATION, exposure, limits};

/// The webhook: every CREATE and UPDATE of a Service in a tenant namespace.
pub const HOOK: super::Hook = super::Hook {
    name: WEBHOOK_NAME,
    path: "/admission/service-hostnames",
    rule: [&[""], &["v1"], &["services"]],
    scope: "Namespaced",
    namespace_label: Some(ISOLATED_LABEL),
};
/// The webhook's name in the ValidatingWebhookConfiguration.
pub const WEBHOOK_NAME: &str = "services.hostnames.ike.dev";
/// How long a review waits for the first list of Services and Namespaces after a start.
const STORES_READY: Duration = Duration::from_secs(3);

/// Who holds which name: every Service and Namespace, from watches every replica keeps.
#[derive(Clone)]
pub struct Holders {
    /// Every Service.
    pub services: Store<Service>,
    /// Every Namespace (for the tenant label).
    pub namespaces: Store<Namespace>,
    /// Whether both hold their first full list.
    pub listed: crate::controller::runtime::Listed,
}

impl Holders {
    fn tenant_of(&self, namespace: &str) -> Option<String> {
        crate::controller::runtime::namespace_tenant(&self.namespaces, namespace)
    }
}

/// Everything wrong with the Office names of a Service write, as sentences; empty = allowed.
///
/// An UPDATE that leaves both annotations as they were is allowed whatever they say: the
/// controller must still be able to take its finalizer off a Service whose name the site no
/// longer allows. Holders are checked for names the write adds.
pub fn review<'a>(
    service: &Service,
    old: Option<&Service>,
    office: &OfficeSpec,
    services: impl IntoIterator<Item = &'a Service>,
    tenant_of: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let annotation = |s: &Service, key: &str| s.annotations().get(key).cloned();
    if let Some(old) = old
        && [HOSTNAME_ANNOTATION, TTL_ANNOTATION]
            .iter()
            .all(|key| annotation(service, key) == annotation(old, key))
    {
        return Vec::new();
    }
    let exposed = match exposure(service.metadata.annotations.as_ref(), office) {
        None => return Vec::new(),
        Some(Err(problems)) => return problems,
        Some(Ok(exposed)) => exposed,
    };
    let had: Vec<String> = old
        .and_then(|o| annotation(o, HOSTNAME_ANNOTATION))
        .and_then(|a| parse_host_names(&a).ok())
        .unwrap_or_default();
    let namespace = service.namespace().unwrap_or_default();
    let name = service.name_any();
    let mine = tenant_of(&namespace);
    let mut holders: Vec<&Service> = services
        .into_iter()
        .filter(|s| !(s.namespace().as_deref() == Some(&namespace) && s.name_any() == name))
        .collect();
    holders.sort_by_key(|s| (s.namespace(), s.name_any()));
    let mut problems = Vec::new();
    // Limits, when the write adds names: a tenant cannot fill what every tenant shares.
    if let Some(tenant) = &mine
        && exposed.hosts.iter().any(|h| !had.contains(h))
    {
        let held: usize = holders
            .iter()
            .filter(|s| tenant_of(&s.namespace().unwrap_or_default()).as_ref() == Some(tenant))
            .filter_map(|s| annotation(s, HOSTNAME_ANNOTATION))
            .filter_map(|a| parse_host_names(&a).ok())
            .map(|hosts| hosts.len())
            .sum();
        problems.extend(limits::admission(&exposed.hosts, held, tenant, office));
    }
    for host in exposed.hosts.iter().filter(|h| !had.contains(h)) {
        let holder = holders.iter().find(|s| {
            annotation(s, HOSTNAME_ANNOTATION)
                .and_then(|a| parse_host_names(&a).ok())
                .is_some_and(|hosts| hosts.contains(host))
        });
        let Some(holder) = holder else { continue };
        let holder_ns = holder.namespace().unwrap_or_default();
        problems.push(match (&mine, tenant_of(&holder_ns)) {
            (Some(mine), Some(theirs)) if *mine == theirs => format!(
                "{host} already names Service {holder_ns}/{} of your tenant: take it off there first",
                holder.name_any()
            ),
            _ => format!("{host} is taken by a Service outside your tenant: choose another name"),
        });
    }
    problems
}

/// Answers one AdmissionReview of a Service.
pub(super) async fn serve(State(policy): State<Policy>, body: Bytes) -> Response {
    let request: AdmissionRequest<Service> = match parse(&body) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let response = AdmissionResponse::from(&request);
    let (Operation::Create | Operation::Update, Some(service)) =
        (&request.operation, &request.object)
    else {
        return answer(response);
    };
    if !crate::api::office::is_exposed(service.metadata.annotations.as_ref()) {
        return answer(response);
    }
    let holders = &policy.office;
    if tokio::time::timeout(STORES_READY, holders.listed.wait())
        .await
        .is_err()
    {
        return answer(deny(
            response,
            "ike: ike-controller is still reading the cluster's Services: try again in a few seconds"
                .into(),
        ));
    }
    let site = crate::controller::runtime::site_policy(&policy.sites);
    let office = site.office.unwrap_or_default();
    let services = holders.services.state();
    let problems = review(
        service,
        request.old_object.as_ref(),
        &office,
        services.iter().map(|s| &**s),
        |ns| holders.tenant_of(ns),
    );
    tracing::info!(
        uid = %request.uid,
        namespace = request.namespace.as_deref().unwrap_or_default(),
        name = %request.name,
        allowed = problems.is_empty(),
        "reviewed a Service's Office host names"
    );
    if problems.is_empty() {
        return answer(response);
    }
    answer(deny(
        response,
        format!(
            "ike: Service {}: {}",
            service.name_any(),
            problems.join("; ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn service(ns: &str, name: &str, annotations: serde_json::Value) -> Service {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": ns, "annotations": annotations},
            "spec": {"clusterIP": "None", "selector": {"app": name}}
        }))
        .unwrap()
    }

    fn office() -> OfficeSpec {
        OfficeSpec {
            domains: vec!["office.local".into()],
            ..OfficeSpec::default()
        }
    }

    fn tenants(ns: &str) -> Option<String> {
        match ns {
            "a-prod" | "a-dev" => Some("a".into()),
            "b-prod" => Some("b".into()),
            _ => None,
        }
    }

    fn named(host: &str) -> serde_json::Value {
        json!({ HOSTNAME_ANNOTATION: host })
    }

    #[test]
    fn a_free_name_under_an_allowed_domain_is_admitted() {
        let s = service("a-prod", "web", named("web.office.local"));
        assert!(review(&s, None, &office(), [], tenants).is_empty());
    }

    #[test]
    fn another_tenants_name_is_refused_without_naming_its_service() {
        let theirs = service("a-prod", "web", named("web.office.local"));
        let mine = service("b-prod", "web", named("Web.Office.Local."));
        let p = review(&mine, None, &office(), [&theirs], tenants);
        assert_eq!(
            p,
            ["web.office.local is taken by a Service outside your tenant: choose another name"]
        );
    }

    #[test]
    fn a_name_held_in_the_same_tenant_names_the_holder() {
        let first = service("a-prod", "web", named("web.office.local"));
        let second = service("a-dev", "web2", named("x.office.local,web.office.local"));
        let p = review(&second, None, &office(), [&first], tenants);
        assert_eq!(
            p,
            [
                "web.office.local already names Service a-prod/web of your tenant: take it off there first"
            ]
        );
    }

    #[test]
    fn a_service_does_not_hold_a_name_against_itself() {
        let before = service("a-prod", "web", named("web.office.local"));
        let after = service(
            "a-prod",
            "web",
            json!({ HOSTNAME_ANNOTATION: "web.office.local", TTL_ANNOTATION: "60" }),
        );
        assert!(review(&after, Some(&before), &office(), [&before], tenants).is_empty());
    }

    #[test]
    fn names_outside_the_allowed_domains_are_refused_on_create_and_annotate() {
        let outside = service("b-prod", "web", named("web.example.com"));
        let p = review(&outside, None, &office(), [], tenants);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("use a name ending in .office.local"), "{p:?}");
        let plain = service("b-prod", "web", json!({}));
        assert_eq!(review(&outside, Some(&plain), &office(), [], tenants), p);
    }

    #[test]
    fn an_update_leaving_the_annotations_alone_is_admitted_even_when_the_policy_changed() {
        let s = service("b-prod", "web", named("web.example.com"));
        let mut with_finalizer = s.clone();
        with_finalizer.metadata.finalizers = Some(vec!["x/y".into()]);
        assert!(review(&s, Some(&with_finalizer), &office(), [], tenants).is_empty());
    }

    #[test]
    fn names_beyond_the_sites_limits_are_refused_and_a_write_adding_none_is_not() {
        let limited = OfficeSpec {
            max_names_per_service: Some(2),
            max_names_per_tenant: Some(3),
            ..office()
        };
        let held = [
            service("a-prod", "one", named("one.office.local,two.office.local")),
            // Another tenant's names do not count against a.
            service(
                "b-prod",
                "b",
                named("b1.office.local,b2.office.local,b3.office.local"),
            ),
        ];
        let third = service("a-dev", "third", named("three.office.local"));
        assert!(review(&third, None, &limited, &held, tenants).is_empty());
        let fourth = service(
            "a-dev",
            "third",
            named("three.office.local,four.office.local"),
        );
        let p = review(&fourth, None, &limited, &held, tenants);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("maxNamesPerTenant"), "{p:?}");
        let many = service(
            "b-prod",
            "more",
            named("m1.office.local,m2.office.local,m3.office.local"),
        );
        let p = review(&many, None, &limited, [], tenants);
        assert!(p[0].contains("maxNamesPerService"), "{p:?}");
        // Over the limit already (it was lowered): a write that adds no name passes.
        let mut longer_ttl = fourth.clone();
        longer_ttl
            .metadata
            .annotations
            .as_mut()
            .unwrap()
            .insert(TTL_ANNOTATION.into(), "60".into());
        assert!(review(&longer_ttl, Some(&fourth), &limited, &held, tenants).is_empty());
        // Outside tenant namespaces: the platform's, no limit.
        let platform = service(
            "ops",
            "many",
            named("p1.office.local,p2.office.local,p3.office.local"),
        );
        assert!(review(&platform, None, &limited, &held, tenants).is_empty());
    }

    #[test]
    fn a_service_without_the_annotation_is_none_of_this_webhooks_business() {
        let s = service("b-prod", "web", json!({}));
        assert!(review(&s, None, &OfficeSpec::default(), [], tenants).is_empty());
    }
}
