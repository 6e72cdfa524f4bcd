//! The site's name limits where names are published: which of a Service's names it may publish
//! now, given its tenant's other Services ([`crate::api::office::limits::allot`]: the oldest keep
//! theirs), and waking the Services that wait for room once a tenant's names go.

use k8s_openapi::api::core::v1::Service;
use kube::ResourceExt;
use kube::runtime::reflector::ObjectRef;

use super::Context;
use super::status::current;
use crate::api::OfficeSpec;
use crate::api::office::limits::{Allotment, Candidate, allot};
use crate::api::office::{exposure, is_headless, resource};

/// The reason of the condition of a Service waiting for room.
pub const LIMIT_REACHED: &str = "LimitReached";

/// The tenant whose namespace `namespace` is, as the controller recorded it.
fn tenant_of(ctx: &Context, namespace: &str) -> Option<String> {
    crate::controller::runtime::tenant_of(&ctx.tenants, namespace).map(|t| t.name_any())
}

fn created(service: &Service) -> i64 {
    service
        .metadata
        .creation_timestamp
        .as_ref()
        .map_or(i64::MAX, |t| t.0.as_second())
}

/// The names of `service` (its `hosts`, checked already) it may publish under `office`'s
/// limits, with its tenant's other Services as the store has them; a Service of no tenant may
/// publish them all.
pub fn allowance(
    ctx: &Context,
    service: &Service,
    hosts: Vec<String>,
    office: &OfficeSpec,
) -> Allotment {
    let namespace = service.namespace().unwrap_or_default();
    let Some(tenant) = tenant_of(ctx, &namespace) else {
        return Allotment {
            published: hosts,
            ..Allotment::default()
        };
    };
    let id = resource(&namespace, &service.name_any());
    let mut candidates = vec![Candidate {
        resource: id.clone(),
        created: created(service),
        hosts,
    }];
    for other in ctx.services.state() {
        let ns = other.namespace().unwrap_or_default();
        let other_id = resource(&ns, &other.name_any());
        if other_id == id
            || other.metadata.deletion_timestamp.is_some()
            || !is_headless(&other)
            || tenant_of(ctx, &ns).as_deref() != Some(tenant.as_str())
        {
            continue;
        }
        if let Some(Ok(e)) = exposure(other.metadata.annotations.as_ref(), office) {
            candidates.push(Candidate {
                resource: other_id,
                created: created(&other),
                hosts: e.hosts,
            });
        }
    }
    allot(&tenant, candidates, office)
        .remove(&id)
        .unwrap_or_default()
}

/// Reconciles again the Services of `namespace`'s tenant that wait for room (their condition
/// says [`LIMIT_REACHED`]), after names of that tenant went.
pub fn wake_waiting(ctx: &Context, namespace: &str) {
    let Some(tenant) = tenant_of(ctx, namespace) else {
        return;
    };
    for other in ctx.services.state() {
        let ns = other.namespace().unwrap_or_default();
        if current(&other).is_some_and(|c| c.reason == LIMIT_REACHED)
            && tenant_of(ctx, &ns).as_deref() == Some(tenant.as_str())
        {
            let _ = ctx.again.unbounded_send(ObjectRef::from_obj(&*other));
        }
    }
}
