//! The admission webhooks ike-controller serves, and the AdmissionReview plumbing they share.
//!
//! In tenant namespaces (labelled `ike.dev/isolated`):
//! - [`pods`]: no pod reaches the host ([`pod_security`], the Pod Security Standards baseline),
//!   another tenant's dedicated nodes, the control plane, or a PriorityClass not allowed for the
//!   tenant ([`scheduling`]);
//! - [`workloads`]: the same rules on the pod templates of Deployments, StatefulSets, DaemonSets,
//!   ReplicaSets, Jobs, CronJobs and ReplicationControllers, so `kubectl apply` itself answers;
//! - [`services`]: no externalIPs, NodePorts or LoadBalancers beyond what the tenant is allowed,
//!   no ExternalName outside its domains;
//! - [`endpoints`]: hand-made Endpoints and EndpointSlices point at pods of their own namespace;
//! - [`ingresses`]: an Ingress host held by someone else's Ingress stays theirs;
//! - [`volumes`]: a claim binds only a volume provisioned for its tenant, and uses no other
//!   tenant's StorageClass;
//! - [`bindings`]: a RoleBinding references no other tenant's ike roles;
//! - [`mutate`] (mutating): seccomp and AppArmor defaults, `imagePullPolicy: Always` when the
//!   site asks.
//! - [`hostnames`]: Office host names on Services: under the site's domains, held by one
//!   Service only.
//!
//! Cluster-wide: [`tenants`], what RBAC cannot say about a Tenant (names, reserved namespaces,
//! admin-only fields); [`tenant_objects`], tenant-wide objects: declared by owners, within the
//! rules, who declared them stamped at admission (mutating); [`requests`], ResourceRequests: who asked and who decided stamped at
//! admission (mutating), what cannot be applied refused at creation, decisions by platform
//! admins only.
//!
//! Every webhook fails closed (`failurePolicy: Fail`): while the controller is down, nothing it
//! guards slips through. A body the API server could not have sent gets HTTP 400 (the API server
//! then fails the call); every refusal is one line starting with `ike:` that names the rule.

pub mod bindings;
pub mod endpoints;
pub mod hostnames;
pub mod ingresses;
pub mod mutate;
pub mod pod_security;
pub mod pods;
pub mod requests;
pub mod scheduling;
pub mod services;
pub mod tenant_objects;
pub mod tenants;
pub mod volumes;
pub mod workloads;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhook, MutatingWebhookConfiguration, RuleWithOperations, ValidatingWebhook,
    ValidatingWebhookConfiguration, WebhookClientConfig,
};
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use kube::api::Api;
use kube::core::admission::{
    AdmissionRequest, AdmissionResponse, AdmissionReview, META_API_VERSION_V1, META_KIND, Operation,
};
use kube::core::{DynamicObject, PartialObjectMeta};
use kube::runtime::reflector::Store;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde::de::DeserializeOwned;

use crate::api::consts::{MANAGED_BY_LABEL, MANAGED_BY_VALUE};
use crate::api::{Account, Site, SiteSpec, Tenant};

/// The name of the `ValidatingWebhookConfiguration` holding every validating ike webhook.
pub const CONFIGURATION_NAME: &str = "ike-host-isolation";

/// The name of the `MutatingWebhookConfiguration` holding ike's defaults.
pub const MUTATING_CONFIGURATION_NAME: &str = "ike-defaults";

/// What the webhooks decide with: watched stores, so that a review makes no API call except
/// where it must read one object (a pod behind an Endpoints address, a PersistentVolume).
#[derive(Clone)]
pub struct Policy {
    /// Every Account, to know who is a platform admin.
    pub accounts: Store<Account>,
    /// The Site objects: the site's admission policy ([`Policy::site`]).
    pub sites: Store<Site>,
    /// Every Tenant: who holds which namespace, and their exceptions.
    pub tenants: Store<Tenant>,
    /// Every Ingress: which hosts are held.
    pub ingresses: Store<Ingress>,
    /// Every Node's metadata: dedicated pools and the control plane, by label.
    pub nodes: Store<PartialObjectMeta<Node>>,
    /// For the few reviews that must read one object.
    pub client: kube::Client,
    /// Whether any account may create tenants.
    pub self_service: bool,
    /// The controller's own namespace (its lease lives there): never a tenant's.
    pub controller_namespace: String,
    /// How long each review took.
    pub metrics: WebhookMetrics,
    /// The ServiceAccounts that count as platform admins, as user names
    /// (`system:serviceaccount:NS:NAME`).
    pub admin_service_accounts: Vec<String>,
    /// Who holds which Office host name.
    pub office: hostnames::Holders,
    /// Every ResourceRequest: other tenants' open requests for the same object.
    pub requests: Store<crate::api::ResourceRequest>,
    /// How this API server takes an AppArmor profile (the defaults webhook sets it that way).
    pub apparmor: mutate::AppArmorForm,
}

impl Policy {
    /// The site's policy as it stands now.
    pub fn site(&self) -> SiteSpec {
        crate::controller::runtime::site_policy(&self.sites)
    }

    /// The tenant holding `namespace`, if any: the one the controller recorded it for. A
    /// tenant that merely lists it (another tenant's, say) gets nothing from that.
    pub fn tenant_of(&self, namespace: &str) -> Option<Arc<Tenant>> {
        crate::controller::runtime::tenant_of(&self.tenants, namespace)
    }
}

/// The webhooks' Prometheus metrics. Clones share the same values.
#[derive(Clone, Debug)]
pub struct WebhookMetrics {
    /// Time from a review's arrival to its answer, by `webhook` and `allowed`.
    pub review_seconds: Family<Vec<(String, String)>, Histogram>,
}

impl Default for WebhookMetrics {
    fn default() -> Self {
        Self {
            review_seconds: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
            }),
        }
    }
}

impl WebhookMetrics {
    /// Registers under `webhook_review_duration_seconds`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "webhook_review_duration_seconds",
            "Time to review one admission request, by webhook and verdict",
            self.review_seconds.clone(),
        );
    }

    fn observe(&self, webhook: &str, allowed: bool, started: Instant) {
        self.review_seconds
            .get_or_create(&vec![
                ("webhook".to_owned(), webhook.to_owned()),
                ("allowed".to_owned(), allowed.to_string()),
            ])
            .observe(started.elapsed().as_secs_f64());
    }
}

/// Every webhook's route, to merge into the controller's HTTPS router.
pub fn routes(policy: Policy) -> Router {
    Router::new()
        .route(pods::HOOK.path, post(pods::serve))
        .route(workloads::HOOK.path, post(workloads::serve))
        .route(services::HOOK.path, post(services::serve))
        .route(endpoints::HOOK.path, post(endpoints::serve))
        .route(ingresses::HOOK.path, post(ingresses::serve))
        .route(volumes::HOOK.path, post(volumes::serve))
        .route(bindings::HOOK.path, post(bindings::serve))
        .route(tenants::HOOK.path, post(tenants::serve))
        .route(mutate::HOOK.path, post(mutate::serve))
        .route(hostnames::HOOK.path, post(hostnames::serve))
        .route(requests::HOOK.path, post(requests::serve))
        .route(requests::DEFAULTS_HOOK.path, post(requests::serve_defaults))
        .route(tenant_objects::HOOK.path, post(tenant_objects::serve))
        .route(
            tenant_objects::DEFAULTS_HOOK.path,
            post(tenant_objects::serve_defaults),
        )
        .with_state(policy)
}

/// The validating hooks, in the order the configuration lists them.
const VALIDATING: [&Hook; 11] = [
    &pods::HOOK,
    &tenants::HOOK,
    &hostnames::HOOK,
    &workloads::HOOK,
    &services::HOOK,
    &endpoints::HOOK,
    &ingresses::HOOK,
    &volumes::HOOK,
    &bindings::HOOK,
    &requests::HOOK,
    &tenant_objects::HOOK,
];

fn managed(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        labels: Some(BTreeMap::from([(
            MANAGED_BY_LABEL.to_owned(),
            MANAGED_BY_VALUE.to_owned(),
        )])),
        ..ObjectMeta::default()
    }
}

/// The `ValidatingWebhookConfiguration` sending each webhook's requests to
/// `{url_base}{path}`, trusting `ca_bundle_pem` (PEM) for the serving certificate.
pub fn configuration(url_base: &str, ca_bundle_pem: &str) -> ValidatingWebhookConfiguration {
    ValidatingWebhookConfiguration {
        metadata: managed(CONFIGURATION_NAME),
        webhooks: Some(
            VALIDATING
                .iter()
                .map(|hook| hook.entry(url_base, ca_bundle_pem))
                .collect(),
        ),
    }
}

/// The `MutatingWebhookConfiguration` of ike's defaults: tenant pods' confinement (on CREATE: an
/// existing pod's spec cannot change; and ephemeral containers as they are added), and who and
/// when on ResourceRequests.
pub fn mutating_configuration(url_base: &str, ca_bundle_pem: &str) -> MutatingWebhookConfiguration {
    let mutating = |hook: &Hook, operations: &[&str]| {
        let mut v = hook.entry(url_base, ca_bundle_pem);
        for rule in v.rules.iter_mut().flatten() {
            rule.operations = Some(operations.iter().map(|o| o.to_string()).collect());
        }
        MutatingWebhook {
            name: v.name,
            client_config: v.client_config,
            rules: v.rules,
            namespace_selector: v.namespace_selector,
            failure_policy: v.failure_policy,
            side_effects: v.side_effects,
            admission_review_versions: v.admission_review_versions,
            timeout_seconds: v.timeout_seconds,
            match_policy: v.match_policy,
            // Ours is the only mutation that matters here; run again if a later one adds a
            // container.
            reinvocation_policy: Some("IfNeeded".to_owned()),
            ..MutatingWebhook::default()
        }
    };
    MutatingWebhookConfiguration {
        metadata: managed(MUTATING_CONFIGURATION_NAME),
        webhooks: Some(vec![
            // UPDATE for the ephemeral containers `kubectl debug` adds through a subresource.
            mutating(&mutate::HOOK, &["CREATE", "UPDATE"]),
            mutating(&requests::DEFAULTS_HOOK, &["CREATE", "UPDATE"]),
            mutating(&tenant_objects::DEFAULTS_HOOK, &["CREATE", "UPDATE"]),
        ]),
    }
}

/// Creates or updates both configurations with server-side apply as the controller's field
/// manager; writes nothing when they are in place already.
pub async fn install(
    client: &kube::Client,
    url_base: &str,
    ca_bundle_pem: &str,
) -> Result<(), kube::Error> {
    let validating: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    super::apply::apply_if_changed(
        &validating,
        CONFIGURATION_NAME,
        &configuration(url_base, ca_bundle_pem),
    )
    .await?;
    let mutating: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    super::apply::apply_if_changed(
        &mutating,
        MUTATING_CONFIGURATION_NAME,
        &mutating_configuration(url_base, ca_bundle_pem),
    )
    .await?;
    Ok(())
}

/// One of ike's webhooks: where it is served and what it reviews.
pub struct Hook {
    /// Its name in the configuration; the API server quotes it in every refusal.
    pub name: &'static str,
    /// Where it is served, below the controller's HTTPS base URL.
    pub path: &'static str,
    /// The API groups, versions and resources whose CREATE and UPDATE it reviews.
    pub rule: [&'static [&'static str]; 3],
    /// `Namespaced` or `Cluster`.
    pub scope: &'static str,
    /// Only objects in namespaces with this label, when set.
    pub namespace_label: Option<&'static str>,
}

impl Hook {
    /// The webhook entry: CREATE and UPDATE of the rule's resources sent to `{url_base}{path}`,
    /// failing closed, within 5 s.
    pub fn entry(&self, url_base: &str, ca_bundle_pem: &str) -> ValidatingWebhook {
        let strings = |s: &[&str]| Some(s.iter().map(|s| (*s).to_owned()).collect());
        let [groups, versions, resources] = self.rule;
        ValidatingWebhook {
            name: self.name.to_owned(),
            client_config: WebhookClientConfig {
                url: Some(format!("{}{}", url_base.trim_end_matches('/'), self.path)),
                ca_bundle: Some(ByteString(ca_bundle_pem.as_bytes().to_vec())),
                service: None,
            },
            rules: Some(vec![RuleWithOperations {
                api_groups: strings(groups),
                api_versions: strings(versions),
                operations: strings(&["CREATE", "UPDATE"]),
                resources: strings(resources),
                scope: Some(self.scope.to_owned()),
            }]),
            namespace_selector: self.namespace_label.map(|label| LabelSelector {
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: label.to_owned(),
                    operator: "Exists".to_owned(),
                    values: None,
                }]),
                match_labels: None,
            }),
            // What a webhook guards must not slip through while the controller is down.
            failure_policy: Some("Fail".to_owned()),
            side_effects: "None".to_owned(),
            admission_review_versions: vec!["v1".to_owned()],
            timeout_seconds: Some(5),
            match_policy: Some("Equivalent".to_owned()),
            ..ValidatingWebhook::default()
        }
    }
}

/// The request of an AdmissionReview body, or the 400 answer for a body the API server could
/// not have sent (the API server then fails the call, and `failurePolicy: Fail` keeps the object
/// out).
fn parse<T>(body: &[u8]) -> Result<AdmissionRequest<T>, Box<Response>>
where
    T: kube::Resource + DeserializeOwned,
{
    let review: AdmissionReview<T> = serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("the body is not an AdmissionReview: {e}")))?;
    if review.types.api_version != META_API_VERSION_V1 || review.types.kind != META_KIND {
        return Err(bad_request(format!(
            "expected kind {META_KIND} of {META_API_VERSION_V1}, got kind {:?} of {:?}",
            review.types.kind, review.types.api_version
        )));
    }
    review
        .try_into()
        .map_err(|_| bad_request("the AdmissionReview carries no request".to_owned()))
}

fn bad_request(message: String) -> Box<Response> {
    // serde quotes the offending input, which may hold line breaks: one line all the same.
    let message = message.replace(char::is_control, " ");
    tracing::warn!(%message, "refused a malformed admission request");
    Box::new((StatusCode::BAD_REQUEST, format!("ike: {message}\n")).into_response())
}

/// Refuses with `message` (one line, starting with `ike:`) as 403 Forbidden.
fn deny(response: AdmissionResponse, message: String) -> AdmissionResponse {
    let mut response = response.deny(message);
    response.result.reason = "Forbidden".to_owned();
    response.result.code = 403;
    response
}

/// The HTTP answer carrying `response`.
fn answer(response: AdmissionResponse) -> Response {
    axum::Json(response.into_review()).into_response()
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

/// Whether the API server's user is a cluster administrator by certificate group
/// (`system:masters`): kube-controller-manager runs as one on the local plane.
fn is_system_master(request: &AdmissionRequest<DynamicObject>) -> bool {
    request
        .user_info
        .groups
        .iter()
        .flatten()
        .any(|g| g == "system:masters")
}

/// Serves one namespaced webhook: parses the review, asks `review` for the problems of a CREATE or
/// UPDATE (none: allowed), refuses with one line `ike: <problems>` otherwise, and times it.
async fn review_namespaced<F>(policy: &Policy, webhook: &str, body: &[u8], review: F) -> Response
where
    F: AsyncFnOnce(AdmissionRequest<DynamicObject>) -> (AdmissionResponse, Vec<String>),
{
    review_as(policy, webhook, body, review).await
}

/// [`review_namespaced`] of a review whose objects are read as `K` (an ike kind).
async fn review_as<K, F>(policy: &Policy, webhook: &str, body: &[u8], review: F) -> Response
where
    K: kube::Resource + DeserializeOwned,
    F: AsyncFnOnce(AdmissionRequest<K>) -> (AdmissionResponse, Vec<String>),
{
    let started = Instant::now();
    let request: AdmissionRequest<K> = match parse(body) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let reviewed = matches!(request.operation, Operation::Create | Operation::Update)
        && request.object.is_some();
    let (uid, namespace, name) = (
        request.uid.clone(),
        request.namespace.clone().unwrap_or_default(),
        request.name.clone(),
    );
    let (mut response, problems) = if reviewed {
        review(request).await
    } else {
        (AdmissionResponse::from(&request), Vec::new())
    };
    if !problems.is_empty() {
        response = deny(response, format!("ike: {}", problems.join("; ")));
    }
    tracing::info!(%uid, %namespace, %name, webhook, allowed = response.allowed, "reviewed");
    policy.metrics.observe(webhook, response.allowed, started);
    answer(response)
}

/// `response` carrying the JSON patch `ops` (none: `response` as it is), or why it cannot.
fn patched(
    response: AdmissionResponse,
    ops: Vec<serde_json::Value>,
) -> Result<AdmissionResponse, String> {
    if ops.is_empty() {
        return Ok(response);
    }
    serde_json::from_value::<json_patch::Patch>(serde_json::Value::Array(ops))
        .map_err(|e| e.to_string())
        .and_then(|p| response.with_patch(p).map_err(|e| e.to_string()))
}

/// The object under review as a typed `K`, or why it is not one.
fn typed<K: DeserializeOwned>(object: Option<&DynamicObject>) -> Result<K, String> {
    let object = object.ok_or("the admission request carries no object to review")?;
    serde_json::to_value(object)
        .and_then(serde_json::from_value)
        .map_err(|e| format!("cannot review this object: {e}"))
}

/// Whether the user is one of the cluster's own controllers: a `system:masters` certificate
/// (kube-controller-manager on the local plane), kube-controller-manager's own user, or a
/// kube-system ServiceAccount (its controllers with `--use-service-account-credentials`).
fn is_cluster_controller(request: &AdmissionRequest<DynamicObject>) -> bool {
    let user = request.user_info.username.as_deref().unwrap_or_default();
    is_system_master(request)
        || user == "system:kube-controller-manager"
        || user.starts_with("system:serviceaccount:kube-system:")
}
