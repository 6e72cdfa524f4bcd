//! Check 8: what a hostile tenant would try, tried from the caller's own viewpoint with
//! server-side dry runs (nothing is created): a Service with externalIPs, a NodePort Service, a pod
//! tolerating another tenant's dedicated nodes, and a claim on a platform namespace. Each must be
//! refused by ike's admission rules (or, for a role that may not create the object at all, by
//! RBAC). Also shows the tenant's node pool.

use k8s_openapi::api::core::v1::{Node, Pod, Service};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use super::access::{Access, Answer, TryNamespace};
use super::report::{Attempt, timed};
use super::report::{Check, MAX_MESSAGE, one_line, webhook_refusal};
use crate::api::consts::CLI_MANAGER;
use crate::api::{SITE_NAME, Site, Tenant};

/// The taint value tried for "another tenant's dedicated nodes": no tenant can be called this
/// (names are DNS subdomains; `_` is not allowed).
const OTHER_TENANT: &str = "ike_doctor_other";

/// Judges a dry run that ike's admission rules must refuse. `may` is whether RBAC lets the caller
/// make the object at all.
pub fn judge_refused(check: &str, what: &str, may: bool, attempt: &Attempt) -> Check {
    match attempt {
        Attempt::NoAnswer(e) => Check::fail(check, format!("no answer: {e}")),
        Attempt::Refused { code, .. } if !may => Check::pass(
            check,
            format!(
                "forbidden (HTTP {code}): your role may not do this at all, so the rule was not tried"
            ),
        ),
        Attempt::Refused { message, code } => match webhook_refusal(message) {
            Some((webhook, said)) => Check::pass(
                check,
                format!(
                    "{what}: refused by webhook {webhook}: {}",
                    one_line(said, MAX_MESSAGE)
                ),
            ),
            None => Check::warn(
                check,
                format!(
                    "{what}: refused (HTTP {code}) for another reason, so the rule was not tried: {}",
                    one_line(message, MAX_MESSAGE)
                ),
            ),
        },
        Attempt::Allowed => Check::fail(
            check,
            format!("{what} is allowed (server-side dry run): tell a platform admin"),
        ),
    }
}

async fn may(
    client: &kube::Client,
    verb: &str,
    group: &str,
    resource: &str,
    ns: Option<&str>,
) -> bool {
    let answer = Access {
        verb,
        group,
        resource,
        namespace: ns,
    }
    .ask(client)
    .await;
    answer == Answer::Yes
}

async fn dry_create<K>(api: Api<K>, object: &K) -> Attempt
where
    K: kube::Resource + Clone + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let params = PostParams {
        dry_run: true,
        field_manager: Some(CLI_MANAGER.into()),
    };
    match timed(api.create(&params, object)).await {
        Ok(_) => Attempt::Allowed,
        Err(e) => e,
    }
}

/// Every check of this kind in the target namespace.
pub async fn try_admission(client: &kube::Client, target: &TryNamespace) -> Vec<Check> {
    let ns = target.namespace.as_str();
    if target.tenant.is_none() {
        return vec![Check::skip(
            "admission",
            format!("{ns} is not a tenant namespace: ike's tenant rules do not apply there"),
        )];
    }
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let service = |name: &str, spec: serde_json::Value| -> Service {
        serde_json::from_value(json!({"metadata": {"generateName": name}, "spec": spec}))
            .expect("a valid Service")
    };
    let probe_pod: Pod = serde_json::from_value(json!({
        "metadata": {"generateName": "ike-doctor-"},
        "spec": {
            "automountServiceAccountToken": false,
            "containers": [{"name": "probe", "image": "registry.k8s.io/pause:3.9"}],
            "tolerations": [{"key": "ike.dev/dedicated", "value": OTHER_TENANT, "effect": "NoSchedule"}]
        }
    }))
    .expect("a valid Pod");
    let (may_services, may_pods) = futures::join!(
        may(client, "create", "", "services", Some(ns)),
        may(client, "create", "", "pods", Some(ns)),
    );
    let external_ips = service(
        "ike-doctor-",
        json!({"ports": [{"port": 80}], "externalIPs": ["192.0.2.1"]}),
    );
    let node_port = service(
        "ike-doctor-",
        json!({"type": "NodePort", "ports": [{"port": 80}]}),
    );
    let (external, node_port, dedicated, claim, pool) = futures::join!(
        dry_create(services.clone(), &external_ips),
        dry_create(services, &node_port),
        dry_create(pods, &probe_pod),
        try_reserved_claim(client, target),
        node_pool(client, target),
    );
    let mut checks = vec![
        judge_refused(
            "service.external-ips",
            "a Service with externalIPs",
            may_services,
            &external,
        ),
        judge_node_port(&node_port, may_services),
        judge_refused(
            "pod.dedicated-nodes",
            "a pod tolerating another tenant's dedicated nodes",
            may_pods,
            &dedicated,
        ),
    ];
    checks.extend(claim);
    checks.push(pool);
    checks
}

fn judge_node_port(attempt: &Attempt, may: bool) -> Check {
    const CHECK: &str = "service.node-port";
    match attempt {
        // A platform admin may allow NodePorts for a tenant: allowed is then as it should be.
        Attempt::Allowed => Check::warn(
            CHECK,
            "a NodePort Service is allowed here (server-side dry run): your tenant has an exception (spec.policy.nodePorts), or tell a platform admin",
        ),
        other => judge_refused(CHECK, "a NodePort Service", may, other),
    }
}

/// A dry-run claim on a platform namespace by patching the caller's own Tenant.
async fn try_reserved_claim(client: &kube::Client, target: &TryNamespace) -> Option<Check> {
    const CHECK: &str = "namespace.reserved";
    let tenant = target.tenant.as_deref()?;
    let sites: Api<Site> = Api::all(client.clone());
    let reserved = match timed(sites.get_opt(SITE_NAME)).await {
        Ok(Some(site)) => site
            .spec
            .tenants
            .reserved_namespaces
            .and_then(|r| r.into_iter().next())
            .unwrap_or_else(|| "cert-manager".into()),
        _ => "cert-manager".into(),
    };
    let tenants: Api<Tenant> = Api::all(client.clone());
    let current = match timed(tenants.get(tenant)).await {
        Ok(t) => t,
        Err(e) => {
            return Some(Check::skip(
                CHECK,
                format!("cannot read tenant {tenant}: {e:?}"),
            ));
        }
    };
    let mut namespaces = current.spec.namespaces.clone();
    namespaces.push(reserved.clone());
    let patch = json!({"spec": {"namespaces": namespaces}});
    let params = PatchParams {
        dry_run: true,
        field_manager: Some(CLI_MANAGER.into()),
        ..Default::default()
    };
    let attempt = match timed(tenants.patch(tenant, &params, &Patch::Merge(&patch))).await {
        Ok(_) => Attempt::Allowed,
        Err(e) => e,
    };
    // Only owners may change their Tenant: a refusal by RBAC (not by a webhook) means the
    // caller is not one, and the rule could not be tried.
    let may = !matches!(&attempt, Attempt::Refused { code: 403, message } if !message.contains("admission webhook"));
    Some(judge_refused(
        CHECK,
        &format!("a claim on platform namespace {reserved}"),
        may,
        &attempt,
    ))
}

/// The tenant's node pool: its dedicated nodes, or the shared ones.
async fn node_pool(client: &kube::Client, target: &TryNamespace) -> Check {
    const CHECK: &str = "nodes.pool";
    let Some(tenant) = target.tenant.as_deref() else {
        return Check::skip(CHECK, "not a tenant namespace");
    };
    let tenants: Api<Tenant> = Api::all(client.clone());
    let selector = match timed(tenants.get(tenant)).await {
        Ok(t) => t.spec.node_selector.unwrap_or_default(),
        Err(_) => return Check::skip(CHECK, format!("cannot read tenant {tenant}")),
    };
    if selector.is_empty() {
        return Check::pass(CHECK, format!("tenant {tenant} runs on the shared nodes"));
    }
    let labels = selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let nodes: Api<Node> = Api::all(client.clone());
    match timed(nodes.list(&ListParams::default().labels(&labels))).await {
        Ok(list) if list.items.is_empty() => Check::warn(
            CHECK,
            format!(
                "tenant {tenant}'s pods must run on nodes labelled {labels}, and there are none: its pods will stay Pending; tell a platform admin"
            ),
        ),
        Ok(list) => {
            let names: Vec<String> = list
                .items
                .iter()
                .filter_map(|n| n.metadata.name.clone())
                .collect();
            Check::pass(
                CHECK,
                format!(
                    "tenant {tenant}'s dedicated nodes ({labels}): {}",
                    names.join(", ")
                ),
            )
        }
        Err(e) => Check::warn(CHECK, format!("cannot list nodes: {e:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::Outcome;

    const REFUSED: &str = "admission webhook \"services.traffic.ike.dev\" denied the request: ike: spec.externalIPs is not allowed";

    #[test]
    fn a_rule_passes_when_it_refuses_and_fails_when_it_allows() {
        let refused = Attempt::Refused {
            code: 403,
            message: REFUSED.into(),
        };
        let c = judge_refused("x", "a thing", true, &refused);
        assert_eq!(c.result, Outcome::Pass, "{}", c.detail);
        assert!(
            c.detail.contains("services.traffic.ike.dev"),
            "{}",
            c.detail
        );
        assert_eq!(
            judge_refused("x", "a thing", true, &Attempt::Allowed).result,
            Outcome::Fail
        );
        let rbac = Attempt::Refused {
            code: 403,
            message: "services is forbidden".into(),
        };
        assert_eq!(
            judge_refused("x", "a thing", false, &rbac).result,
            Outcome::Pass
        );
        assert_eq!(
            judge_refused("x", "a thing", true, &rbac).result,
            Outcome::Warn
        );
        assert_eq!(
            judge_node_port(&Attempt::Allowed, true).result,
            Outcome::Warn
        );
    }
}
