//! The admission webhooks ike-controller serves, and the AdmissionReview plumbing they share.
//!
//! - [`pods`]: host isolation of tenant pods (`pods.host-isolation.ike.dev`), by the rules of
//!   [`pod_security`].
//! - [`tenants`]: what RBAC cannot say about a Tenant (`tenants.validation.ike.dev`).
//!
//! Every webhook is registered in one `ValidatingWebhookConfiguration` ([`configuration`]) with
//! `failurePolicy: Fail`: while the controller is down, nothing it guards slips through. A body
//! the API server could not have sent gets HTTP 400 (the API server then fails the call); every
//! refusal is one line starting with `ike:` that names the rule.

pub mod pod_security;
pub mod pods;
pub mod tenants;

use std::collections::BTreeMap;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    RuleWithOperations, ValidatingWebhook, ValidatingWebhookConfiguration, WebhookClientConfig,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use kube::api::{Api, Patch, PatchParams};
use kube::core::admission::{
    AdmissionRequest, AdmissionResponse, AdmissionReview, META_API_VERSION_V1, META_KIND,
};
use kube::runtime::reflector::Store;
use serde::de::DeserializeOwned;

use crate::api::consts::{CONTROLLER_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE};
use crate::api::{Account, Site, SiteSpec};

/// The name of the `ValidatingWebhookConfiguration` holding every ike webhook.
pub const CONFIGURATION_NAME: &str = "ike-host-isolation";

/// What the webhooks decide with.
#[derive(Clone)]
pub struct Policy {
    /// Every Account, to know who is a platform admin.
    pub accounts: Store<Account>,
    /// The Site objects: the site's admission policy ([`Policy::site`]).
    pub sites: Store<Site>,
    /// Whether any account may create tenants.
    pub self_service: bool,
}

impl Policy {
    /// The site's policy as it stands now.
    pub fn site(&self) -> SiteSpec {
        Site::policy(self.sites.state().iter().map(|s| &**s))
    }
}

/// Every webhook's route, to merge into the controller's HTTPS router.
pub fn routes(policy: Policy) -> Router {
    Router::new()
        .route(pods::HOOK.path, post(pods::serve))
        .route(tenants::HOOK.path, post(tenants::serve))
        .with_state(policy)
}

/// The `ValidatingWebhookConfiguration` sending each webhook's requests to
/// `{url_base}{path}`, trusting `ca_bundle_pem` (PEM) for the serving certificate.
pub fn configuration(url_base: &str, ca_bundle_pem: &str) -> ValidatingWebhookConfiguration {
    ValidatingWebhookConfiguration {
        metadata: ObjectMeta {
            name: Some(CONFIGURATION_NAME.to_owned()),
            labels: Some(BTreeMap::from([(
                MANAGED_BY_LABEL.to_owned(),
                MANAGED_BY_VALUE.to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        webhooks: Some(
            [&pods::HOOK, &tenants::HOOK]
                .iter()
                .map(|hook| hook.entry(url_base, ca_bundle_pem))
                .collect(),
        ),
    }
}

/// Creates or updates `config` with server-side apply as the controller's field manager.
pub async fn install(
    client: &kube::Client,
    config: &ValidatingWebhookConfiguration,
) -> Result<(), kube::Error> {
    let api: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    let name = config.metadata.name.as_deref().unwrap_or_default();
    api.patch(
        name,
        &PatchParams::apply(CONTROLLER_MANAGER).force(),
        &Patch::Apply(config),
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
mod tests;
