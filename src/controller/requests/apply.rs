//! Applying an approved request: the approval is recorded first (so the audit trail has it
//! whatever happens next), every check runs again against the cluster as it is now, then the
//! object is applied (or deleted) with the requests' own field manager; a CRD is applied once
//! it is Established, with its resources granted to the requesting tenant alone.

use std::time::Duration;

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ObjectMeta, Patch, PatchParams, PostParams, Preconditions};
use kube::core::DynamicObject;
use kube::runtime::controller::Action;

use super::announce::announce;
use super::status::{decided_status, event, make_condition, now, with_condition, write_status};
use super::validate::{api, to_apply};
use super::{Context, Error};
use crate::api::consts::{
    EVERY_VERB, MANAGED_BY_LABEL, MANAGED_BY_VALUE, READ_VERBS, TENANT_LABEL,
};
use crate::api::request::{
    AGGREGATE_LABEL, Action as RequestAction, HistoryEntry, Kind, Phase, REQUEST_MANAGER,
    ResourceRequest, condition, rules,
};
use crate::api::{GRANT_ROLE_PREFIX, Tenant};
use crate::controller::runtime::kube_err;

/// How often a CRD that is not Established yet is looked at again.
const ESTABLISHING: Duration = Duration::from_millis(300);

/// The ClusterRoles granting `tenant` the resources of `crd`: `edit` (every verb, status and
/// scale included, so an owner can hand them to the tenant's own operator) and `view`. They
/// carry the tenant's label and [`AGGREGATE_LABEL`], so only that tenant's aggregated roles
/// (bound in its own namespaces by the tenant reconciler) take them in, and they go with the CRD
/// (owner reference).
pub fn resource_roles(crd: &CustomResourceDefinition, tenant: &str) -> Vec<ClusterRole> {
    let name = crd.name_any();
    let group = crd.spec.group.clone();
    let plural = crd.spec.names.plural.clone();
    let owner = OwnerReference {
        api_version: "apiextensions.k8s.io/v1".into(),
        kind: "CustomResourceDefinition".into(),
        name: name.clone(),
        uid: crd.metadata.uid.clone().unwrap_or_default(),
        ..OwnerReference::default()
    };
    let role = |level: &str, resources: Vec<String>, verbs: &[&str]| ClusterRole {
        metadata: ObjectMeta {
            name: Some(format!("{GRANT_ROLE_PREFIX}{name}:{level}")),
            labels: Some(
                [
                    (TENANT_LABEL.to_string(), tenant.to_string()),
                    (AGGREGATE_LABEL.to_string(), level.to_string()),
                    (MANAGED_BY_LABEL.to_string(), MANAGED_BY_VALUE.to_string()),
                ]
                .into(),
            ),
            owner_references: Some(vec![owner.clone()]),
            ..ObjectMeta::default()
        },
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![group.clone()]),
            resources: Some(resources),
            verbs: verbs.iter().map(|v| v.to_string()).collect(),
            ..PolicyRule::default()
        }]),
        aggregation_rule: None,
    };
    vec![
        role(
            "edit",
            vec![
                plural.clone(),
                format!("{plural}/status"),
                format!("{plural}/scale"),
            ],
            &EVERY_VERB,
        ),
        role(
            "view",
            vec![plural.clone(), format!("{plural}/status")],
            &READ_VERBS,
        ),
    ]
}

/// Whether a CRD's Established condition is True.
fn established(crd: &CustomResourceDefinition) -> bool {
    crd.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
        })
}

/// Why the API server will never serve `crd`, if it will not: its names are refused
/// (NamesAccepted False, e.g. a clash with another CRD of its group) or it is being deleted.
fn names_refused(crd: &CustomResourceDefinition) -> Option<String> {
    if crd.metadata.deletion_timestamp.is_some() {
        return Some(format!("{} is being deleted", crd.name_any()));
    }
    crd.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.type_ == "NamesAccepted" && c.status == "False")
        .map(|c| {
            format!(
                "the API server does not accept its names: {}",
                c.message.as_deref().unwrap_or_default()
            )
        })
}

/// Whether an API error means the request cannot be applied as it is (not: try again).
fn permanent(e: &kube::Error) -> Option<String> {
    match e {
        kube::Error::Api(s) if (400..500).contains(&s.code) && ![409, 429].contains(&s.code) => {
            Some(s.message.replace(char::is_control, " "))
        }
        _ => None,
    }
}

/// Marks `request` Failed with `reason`: nothing of it is applied.
pub(super) async fn fail(
    ctx: &Context,
    request: &ResourceRequest,
    reason: &str,
    message: String,
) -> Result<(bool, Action), Error> {
    let mut status = decided_status(
        request,
        Phase::Failed,
        HistoryEntry {
            time: now(),
            event: "Failed".into(),
            by: None,
            message: message.clone(),
        },
    );
    status.conditions = with_condition(
        status.conditions,
        make_condition(
            condition::APPLIED,
            false,
            reason,
            message.clone(),
            &request.status.clone().unwrap_or_default().conditions,
        ),
        request.metadata.generation,
    );
    let wrote = write_status(ctx, request, &status).await?;
    event(ctx, request, true, reason, message).await;
    Ok((wrote, Action::await_change()))
}

/// Applies an approved request; see the module's documentation.
pub(super) async fn apply(
    ctx: &Context,
    request: &ResourceRequest,
    tenant: &Tenant,
) -> Result<(bool, Action), Error> {
    let tenant_name = tenant.name_any();
    let reference = request.reference();
    let review = request
        .spec
        .review
        .clone()
        .unwrap_or_else(|| unreachable!());
    let mut request = request.clone();
    let mut wrote = false;
    if request.phase() != Phase::Approved {
        let status = decided_status(
            &request,
            Phase::Approved,
            HistoryEntry {
                time: review.decided_at.clone().unwrap_or_else(now),
                event: "Approved".into(),
                by: review.reviewer.clone(),
                message: review.comment.clone(),
            },
        );
        wrote |= write_status(ctx, &request, &status).await?;
        request.status = Some(status);
        event(
            ctx,
            &request,
            false,
            "Approved",
            format!(
                "approved by {}: {}",
                review.reviewer.as_deref().unwrap_or("an admin"),
                review.comment
            ),
        )
        .await;
        announce(ctx, &request, &tenant_name, false).await;
    }
    let Ok(target) = request.object() else {
        return fail(
            ctx,
            &request,
            "Invalid",
            "the request names no object".into(),
        )
        .await;
    };
    let validation = ctx.validate(&request, tenant).await?;
    let problems = rules::problems(&validation.checks);
    let gone = request.spec.action == RequestAction::Delete && validation.existing.is_none();
    if !problems.is_empty() && !gone {
        let message = format!("no longer passes its checks: {}", problems.join("; "));
        return fail(ctx, &request, "ValidationFailed", message).await;
    }
    let objects = api(&ctx.client, target.kind);
    let applied = match (request.spec.action, &request.spec.manifest) {
        (RequestAction::Apply, Some(manifest)) => {
            let object = to_apply(
                manifest,
                &tenant_name,
                &reference,
                &request.spec_digest(),
                review.reviewer.as_deref(),
            );
            // A new object is created, never applied over: one that appeared since the checks
            // (someone else's) makes the create fail, and the next checks say whose it is.
            let written = match &validation.existing {
                None => match serde_json::from_value::<DynamicObject>(object.clone()) {
                    Ok(new) => {
                        let params = PostParams {
                            field_manager: Some(REQUEST_MANAGER.into()),
                            ..PostParams::default()
                        };
                        objects.create(&params, &new).await
                    }
                    Err(e) => Err(kube::Error::SerdeError(e)),
                },
                Some(_) => {
                    objects
                        .patch(
                            &target.name,
                            &PatchParams::apply(REQUEST_MANAGER).force(),
                            &Patch::Apply(&object),
                        )
                        .await
                }
            };
            match written {
                Ok(o) => Some(o),
                Err(e) => match permanent(&e) {
                    Some(message) => {
                        return fail(ctx, &request, "ApplyFailed", message).await;
                    }
                    None => return Err(kube_err(format!("applying {target}"))(e)),
                },
            }
        }
        _ => {
            // Only the object that was checked: one re-created since is not the tenant's.
            let uid = validation
                .existing
                .as_ref()
                .and_then(|o| o["metadata"]["uid"].as_str())
                .map(String::from);
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid,
                    resource_version: None,
                }),
                ..DeleteParams::default()
            };
            match objects.delete(&target.name, &params).await {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 404 => {}
                Err(e) => match permanent(&e) {
                    Some(message) => return fail(ctx, &request, "DeleteFailed", message).await,
                    None => return Err(kube_err(format!("deleting {target}"))(e)),
                },
            }
            None
        }
    };
    if let (Kind::CustomResourceDefinition, Some(object)) = (target.kind, applied) {
        let crd: CustomResourceDefinition = serde_json::to_value(object)
            .and_then(serde_json::from_value)
            .map_err(|e| kube_err(format!("reading {target}"))(kube::Error::SerdeError(e)))?;
        if let Some(refused) = names_refused(&crd) {
            return fail(ctx, &request, "NotEstablished", refused).await;
        }
        if !established(&crd) {
            let mut status = request.status.clone().unwrap_or_default();
            let waiting = make_condition(
                condition::APPLIED,
                false,
                "WaitingForEstablished",
                format!("{target} is applied; waiting for the API server to serve it"),
                &status.conditions,
            );
            status.conditions =
                with_condition(status.conditions, waiting, request.metadata.generation);
            wrote |= write_status(ctx, &request, &status).await?;
            return Ok((wrote, Action::requeue(ESTABLISHING)));
        }
        let roles: Api<ClusterRole> = Api::all(ctx.client.clone());
        for role in resource_roles(&crd, &tenant_name) {
            let name = role.name_any();
            roles
                .patch(
                    &name,
                    &PatchParams::apply(REQUEST_MANAGER).force(),
                    &Patch::Apply(&role),
                )
                .await
                .map_err(kube_err(format!("granting {name}")))?;
        }
    }
    let message = match request.spec.action {
        RequestAction::Apply => format!("{target} applied for tenant {tenant_name}"),
        RequestAction::Delete if gone => format!("{target} is gone"),
        RequestAction::Delete => format!("{target} deleted"),
    };
    let mut status = decided_status(
        &request,
        Phase::Applied,
        HistoryEntry {
            time: now(),
            event: "Applied".into(),
            by: None,
            message: message.clone(),
        },
    );
    let applied = make_condition(
        condition::APPLIED,
        true,
        "Applied",
        message.clone(),
        &status.conditions,
    );
    status.conditions = with_condition(status.conditions, applied, request.metadata.generation);
    wrote |= write_status(ctx, &request, &status).await?;
    event(ctx, &request, false, "Applied", message).await;
    Ok((wrote, Action::await_change()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crds_resources_go_to_the_requesting_tenants_aggregated_roles_only() {
        let crd: CustomResourceDefinition = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "widgets.example.com", "uid": "u-1"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget"}, "versions": []}
        }))
        .unwrap();
        let roles = resource_roles(&crd, "a");
        assert_eq!(roles.len(), 2);
        let (edit, view) = (&roles[0], &roles[1]);
        assert_eq!(edit.name_any(), "ike:requested:widgets.example.com:edit");
        for (role, level) in [(edit, "edit"), (view, "view")] {
            let labels = role.labels();
            assert_eq!(labels[TENANT_LABEL], "a");
            assert_eq!(labels[AGGREGATE_LABEL], level);
            assert!(
                !labels
                    .keys()
                    .any(|k| k.starts_with("rbac.authorization.k8s.io/")),
                "never into Kubernetes' admin/edit/view, which every tenant holds"
            );
            assert_eq!(role.owner_references()[0].uid, "u-1");
            let rule = &role.rules.as_ref().unwrap()[0];
            assert_eq!(
                rule.api_groups.as_deref(),
                Some(&["example.com".to_string()][..])
            );
        }
        assert!(
            edit.rules.as_ref().unwrap()[0]
                .verbs
                .contains(&"create".to_string())
        );
        assert_eq!(
            view.rules.as_ref().unwrap()[0].verbs,
            ["get", "list", "watch"]
        );
    }
}
