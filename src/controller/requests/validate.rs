//! A request's checks against the cluster as it is now: what [`rules::checks`] needs read from
//! the API server (the object as it exists, the other CRDs of its group, other tenants' open
//! requests), then the API server's own verdict by a server-side dry run of exactly what the
//! controller would apply. The admission webhook runs this at creation, the reconciler before a
//! review and again before it applies.

use k8s_openapi::api::core::v1::PersistentVolume;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::core::DynamicObject;
use kube::runtime::reflector::Store;
use serde_json::Value;

use crate::api::consts::TENANT_LABEL;
use crate::api::request::rules::{self, Facts};
use crate::api::request::{
    Action, Check, Kind, REQUEST_MANAGER, ResourceRequest, ResourceRequestSpec, Target,
};
pub use crate::api::request::{api_resource, to_apply};
use crate::api::{RequestPolicy, Tenant, request};

/// The cluster-scoped API of a requestable kind.
pub fn api(client: &kube::Client, kind: Kind) -> Api<DynamicObject> {
    Api::all_with(client.clone(), &api_resource(kind))
}

/// The object as it exists now, as JSON.
pub async fn existing(
    client: &kube::Client,
    target: &Target,
) -> Result<Option<Value>, kube::Error> {
    let found = api(client, target.kind).get_opt(&target.name).await?;
    Ok(found.map(|o| serde_json::to_value(o).unwrap_or(Value::Null)))
}

/// Whether `other` is an open request of another tenant for the same object (or CRD group) as
/// `target` / `group`.
/// Whether `other` (not the request `namespace`/`name` itself) may still be applied: not
/// withdrawn, denied, failed or applied already, and an Apply.
fn open_apply(other: &ResourceRequest, namespace: &str, name: &str) -> bool {
    let other_ns = other.namespace().unwrap_or_default();
    !((other_ns == namespace && other.name_any() == name)
        || other.spec.withdrawal.is_some()
        || other.spec.action != Action::Apply
        || other
            .spec
            .review
            .as_ref()
            .is_some_and(|r| r.decision == request::Decision::Deny)
        || other.phase().is_final())
}

fn competes(
    other: &ResourceRequest,
    namespace: &str,
    name: &str,
    tenant: &Tenant,
    target: &Target,
    group: &str,
) -> bool {
    let other_ns = other.namespace().unwrap_or_default();
    if !open_apply(other, namespace, name)
        || tenant.holds_namespace(&other_ns)
        || other.spec.withdrawal.is_some()
        || other.spec.action != Action::Apply
        || other
            .spec
            .review
            .as_ref()
            .is_some_and(|r| r.decision == request::Decision::Deny)
        || matches!(
            other.phase(),
            request::Phase::Denied | request::Phase::Failed | request::Phase::Withdrawn
        )
    {
        return false;
    }
    let Ok(theirs) = other.object() else {
        return false;
    };
    match target.kind {
        Kind::StorageClass => theirs == *target,
        Kind::CustomResourceDefinition => {
            theirs.kind == Kind::CustomResourceDefinition
                && other
                    .spec
                    .manifest
                    .as_ref()
                    .is_some_and(|m| rules::crd_group(m) == group)
        }
    }
}

/// What checks a request: the cluster, every request (other tenants' open ones), and the site's
/// policy for requests.
pub struct Checker<'a> {
    /// The client (the controller's).
    pub client: &'a kube::Client,
    /// Every request.
    pub requests: &'a Store<ResourceRequest>,
    /// The site's policy for requests.
    pub site: RequestPolicy,
}

/// One request to check.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    /// The tenant holding its namespace.
    pub tenant: &'a Tenant,
    /// Its namespace.
    pub namespace: &'a str,
    /// Its name.
    pub name: &'a str,
    /// What it asks for.
    pub spec: &'a ResourceRequestSpec,
}

impl Checker<'_> {
    /// Everything [`rules::checks`] reads from the cluster for `request`.
    pub async fn facts(&self, request: Subject<'_>) -> Result<Facts, kube::Error> {
        let client = self.client;
        let mut facts = Facts {
            tenant: request.tenant.name_any(),
            namespaces: request.tenant.held_namespaces().to_vec(),
            provisioners: self.site.storage_provisioners.clone(),
            reserved_groups: self.site.reserved_groups(),
            ..Default::default()
        };
        let probe = ResourceRequest::new(request.name, request.spec.clone());
        let Ok(target) = probe.object() else {
            return Ok(facts);
        };
        facts.existing = existing(client, &target).await?;
        let group = request
            .spec
            .manifest
            .as_ref()
            .map(|m| rules::crd_group(m).to_string())
            .unwrap_or_default();
        if target.kind == Kind::CustomResourceDefinition && !group.is_empty() {
            let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
            for crd in crds.list(&ListParams::default()).await?.items {
                let name = crd.name_any();
                if name == target.name {
                    continue;
                }
                if crd.spec.group == group {
                    facts
                        .group_crds
                        .push((name.clone(), crd.labels().get(TENANT_LABEL).cloned()));
                }
                let as_json = serde_json::to_value(&crd).unwrap_or(Value::Null);
                for served in rules::crd::resource_names(&as_json) {
                    facts.served_names.push((served, name.clone()));
                }
            }
        }
        if target.kind == Kind::CustomResourceDefinition && !group.is_empty() {
            let apiservices: Api<DynamicObject> = Api::all_with(client.clone(), &apiservice());
            for service in apiservices.list(&ListParams::default()).await?.items {
                let as_json = serde_json::to_value(&service).unwrap_or(Value::Null);
                facts
                    .group_apiservices
                    .extend(rules::crd::apiservice_claim(&as_json, &group));
            }
        }
        if let Some(existing) = &facts.existing {
            match outside(client, &target, existing, &facts.namespaces).await {
                Ok(found) => facts.outside = found,
                Err(why) => facts.outside_unknown = Some(why),
            }
        }
        if target.kind == Kind::StorageClass && facts.existing.is_none() {
            let volumes: Api<PersistentVolume> = Api::all(client.clone());
            facts.volumes_of_class = volumes
                .list(&ListParams::default())
                .await?
                .items
                .into_iter()
                .filter(|pv| {
                    pv.spec
                        .as_ref()
                        .and_then(|s| s.storage_class_name.as_deref())
                        == Some(target.name.as_str())
                })
                .map(|pv| pv.name_any())
                .collect();
        }
        // Names another open request (any tenant's) would have a CRD serve: the second of two
        // would fail once the first is applied, so it is refused now.
        if target.kind == Kind::CustomResourceDefinition {
            for other in self.requests.state().iter() {
                if !open_apply(other, request.namespace, request.name) {
                    continue;
                }
                let Some(manifest) = other.spec.manifest.as_ref() else {
                    continue;
                };
                if other
                    .object()
                    .is_ok_and(|t| t.kind == Kind::CustomResourceDefinition && t != target)
                {
                    let by = format!(
                        "request {}/{}",
                        other.namespace().unwrap_or_default(),
                        other.name_any()
                    );
                    for served in rules::crd::resource_names(manifest) {
                        facts.served_names.push((served, by.clone()));
                    }
                }
            }
        }
        facts.competing = self
            .requests
            .state()
            .iter()
            .filter(|other| {
                competes(
                    other,
                    request.namespace,
                    request.name,
                    request.tenant,
                    &target,
                    &group,
                )
            })
            .map(|other| {
                format!(
                    "{}/{}",
                    other.namespace().unwrap_or_default(),
                    other.name_any()
                )
            })
            .collect();
        facts.competing.sort();
        Ok(facts)
    }

    /// Every check of `request`, the dry run last (only when everything else passed: a dry run
    /// of a ClusterRole, or of another tenant's object, is not worth asking for). An API server
    /// that does not answer is an error (try again), never a failed check.
    pub async fn validate(&self, request: Subject<'_>) -> Result<Validation, kube::Error> {
        let facts = self.facts(request).await?;
        let mut checks = rules::checks(request.spec, &facts);
        if checks.iter().all(|c| c.passed) {
            let probe = ResourceRequest::new(request.name, request.spec.clone());
            if let Ok(target) = probe.object() {
                let digest = probe.spec_digest();
                let reference = format!("{}/{}", request.namespace, request.name);
                checks.push(
                    dry_run(
                        self.client,
                        request.spec,
                        &target,
                        &facts.tenant,
                        &reference,
                        &digest,
                    )
                    .await?,
                );
            }
        }
        Ok(Validation {
            checks,
            existing: facts.existing,
        })
    }
}

/// The API server's verdict on applying (or deleting) what `spec` asks for, as ike-controller
/// would: a server-side dry run.
pub async fn dry_run(
    client: &kube::Client,
    spec: &ResourceRequestSpec,
    target: &Target,
    tenant: &str,
    request_ref: &str,
    digest: &str,
) -> Result<Check, kube::Error> {
    let api = api(client, target.kind);
    let result = match (spec.action, &spec.manifest) {
        (Action::Apply, Some(manifest)) => {
            let object = to_apply(manifest, tenant, request_ref, digest, None);
            api.patch(
                &target.name,
                &PatchParams::apply(REQUEST_MANAGER).force().dry_run(),
                &Patch::Apply(&object),
            )
            .await
            .map(|_| ())
        }
        _ => api
            .delete(
                &target.name,
                &DeleteParams {
                    dry_run: true,
                    ..DeleteParams::default()
                },
            )
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Ok(Check {
            name: "dry-run".into(),
            passed: true,
            message: "the API server accepts it (server-side dry run)".into(),
        }),
        // What the API server says about the object; it not answering is no verdict.
        Err(kube::Error::Api(status))
            if (400..500).contains(&status.code) && ![408, 409, 429].contains(&status.code) =>
        {
            Ok(Check {
                name: "dry-run".into(),
                passed: false,
                message: format!(
                    "the API server refuses it: {}",
                    status.message.replace(char::is_control, " ")
                ),
            })
        }
        Err(e) => Err(e),
    }
}

/// `apiregistration.k8s.io/v1` APIServices.
fn apiservice() -> kube::core::ApiResource {
    kube::core::ApiResource {
        group: "apiregistration.k8s.io".into(),
        version: "v1".into(),
        api_version: "apiregistration.k8s.io/v1".into(),
        kind: "APIService".into(),
        plural: "apiservices".into(),
    }
}

/// How many of what lies outside the tenant a check names.
const OUTSIDE_NAMED: usize = 5;

/// What of the existing `target` lies outside the tenant's `namespaces`: a CRD's custom
/// resources in other namespaces, a StorageClass's volumes bound to claims in other namespaces
/// (a few named, then how many more); why it cannot be told (the controller may not list the
/// custom resources, say), as an error.
async fn outside(
    client: &kube::Client,
    target: &Target,
    existing: &Value,
    namespaces: &[String],
) -> Result<Vec<String>, String> {
    let foreign = |ns: &str| !namespaces.iter().any(|n| n == ns);
    let mut found: Vec<String> = match target.kind {
        Kind::CustomResourceDefinition => {
            let spec = &existing["spec"];
            // Any served version lists every object of the resource.
            let Some(version) = spec["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|v| v["served"].as_bool() == Some(true))
                .and_then(|v| v["name"].as_str())
            else {
                return Ok(Vec::new());
            };
            let group = spec["group"].as_str().unwrap_or_default();
            let resource = kube::core::ApiResource {
                group: group.into(),
                version: version.into(),
                api_version: format!("{group}/{version}"),
                kind: spec["names"]["kind"].as_str().unwrap_or_default().into(),
                plural: spec["names"]["plural"].as_str().unwrap_or_default().into(),
            };
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
            match api.list_metadata(&ListParams::default()).await {
                Ok(list) => list
                    .items
                    .iter()
                    .filter_map(|o| {
                        let ns = o.metadata.namespace.clone().unwrap_or_default();
                        foreign(&ns).then(|| format!("{ns}/{}", o.name_any()))
                    })
                    .collect(),
                // Not served (yet, or any more): nothing of it exists.
                Err(kube::Error::Api(s)) if s.code == 404 => Vec::new(),
                Err(e) => return Err(format!("listing its custom resources failed: {e}")),
            }
        }
        Kind::StorageClass => {
            let volumes: Api<PersistentVolume> = Api::all(client.clone());
            let list = volumes
                .list(&ListParams::default())
                .await
                .map_err(|e| format!("listing PersistentVolumes failed: {e}"))?;
            list.items
                .iter()
                .filter(|pv| {
                    pv.spec
                        .as_ref()
                        .and_then(|s| s.storage_class_name.as_deref())
                        == Some(target.name.as_str())
                })
                .filter_map(|pv| {
                    let claim = pv.spec.as_ref()?.claim_ref.as_ref()?;
                    let ns = claim.namespace.clone().unwrap_or_default();
                    foreign(&ns).then(|| {
                        format!(
                            "{} for {ns}/{}",
                            pv.name_any(),
                            claim.name.clone().unwrap_or_default()
                        )
                    })
                })
                .collect()
        }
    };
    found.sort();
    if found.len() > OUTSIDE_NAMED {
        let more = found.len() - OUTSIDE_NAMED;
        found.truncate(OUTSIDE_NAMED);
        found.push(format!("{more} more"));
    }
    Ok(found)
}

/// A request's checks, and the object as it exists now (for the diff).
#[derive(Debug, Clone, Default)]
pub struct Validation {
    /// Every check, the dry run last.
    pub checks: Vec<Check>,
    /// The object as it exists now, if it does.
    pub existing: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kinds_map_to_their_api_resources() {
        let crd = api_resource(Kind::CustomResourceDefinition);
        assert_eq!(
            (
                crd.group.as_str(),
                crd.version.as_str(),
                crd.plural.as_str()
            ),
            ("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        );
        let sc = api_resource(Kind::StorageClass);
        assert_eq!(sc.api_version, "storage.k8s.io/v1");
        assert_eq!(sc.plural, "storageclasses");
    }
}
