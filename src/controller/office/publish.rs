//! One reconcile of one Service: what its names should say, the DNS updates that make them say
//! it, the finalizer, the registry and the condition. And the sweep for vanished Services.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::api::core::v1::Service;
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::reflector::{ObjectRef, Store};

use super::status::{self, Verdict};
use super::{Context, Error, Published, RESYNC, RETRY, concerns_us, limits};
use crate::api::OfficeSpec;
use crate::api::consts::OFFICE_FINALIZER;
use crate::api::office::{addresses, exposure, is_exposed, is_headless, parse_resource, resource};
use crate::controller::runtime::{self, kube_err};
use crate::dns::{Outcome, Publisher};

/// One reconcile; see the module docs of [`super`].
pub async fn reconcile(service: Arc<Service>, ctx: Arc<Context>) -> Result<Action, Error> {
    if !concerns_us(&service) {
        return Ok(Action::await_change());
    }
    // Until every watch has listed once, pods would look absent (names emptied), the Site would
    // look like publishing is off (finalizers dropped) and tenants' Services would look like the
    // platform's (no limit): decide nothing before.
    if !ctx.listed.is_listed() {
        return Ok(Action::requeue(std::time::Duration::from_millis(200)));
    }
    let (action, wrote) = apply(&service, &ctx).await?;
    runtime::wrote(wrote);
    Ok(action)
}

async fn apply(service: &Service, ctx: &Context) -> Result<(Action, bool), Error> {
    let office = ctx.config.office();
    let id = resource(
        &service.namespace().unwrap_or_default(),
        &service.name_any(),
    );
    let has_finalizer = service.finalizers().iter().any(|f| f == OFFICE_FINALIZER);
    let mut wrote = false;

    if service.metadata.deletion_timestamp.is_some() || !office.publish {
        if service.metadata.deletion_timestamp.is_some() && office.publish {
            wrote |= unpublish_all(ctx, &office, &id).await;
        }
        if has_finalizer {
            set_finalizer(ctx, service, false).await?;
            wrote = true;
        }
        if !office.publish
            && service.metadata.deletion_timestamp.is_none()
            && status::current(service).is_some_and(|c| c.reason != "PublishingOff")
        {
            let off = Verdict::failed(
                "PublishingOff",
                "this site does not publish names from ike-controller (Site office.publish is off)",
            );
            wrote |= status::record(&ctx.client, &ctx.recorder, service, &off).await?;
        }
        return Ok((Action::await_change(), wrote));
    }

    if !is_exposed(service.metadata.annotations.as_ref()) {
        // The annotation went: its names go, then the condition, and the finalizer last (once
        // it is gone, nothing of ours is left on the Service).
        if unpublish_all(ctx, &office, &id).await {
            wrote = true;
        }
        if !ctx.registry.hosts_of(&id).is_empty() {
            return Ok((Action::requeue(RETRY), wrote));
        }
        wrote |= status::clear(&ctx.client, service).await?;
        if has_finalizer {
            set_finalizer(ctx, service, false).await?;
            wrote = true;
        }
        return Ok((Action::await_change(), wrote));
    }

    if !has_finalizer {
        set_finalizer(ctx, service, true).await?;
        wrote = true;
    }
    let publisher = match ctx.config.publisher(&office).await {
        Ok(publisher) => publisher,
        Err(why) => {
            let verdict = Verdict::failed("NotConfigured", format!("not published: {why}"));
            wrote |= status::record(&ctx.client, &ctx.recorder, service, &verdict).await?;
            return Ok((Action::requeue(RESYNC), wrote));
        }
    };
    let (hosts, ttl, refusal) = match exposure(service.metadata.annotations.as_ref(), &office) {
        Some(Ok(e)) if is_headless(service) => (e.hosts, e.ttl, None),
        Some(Ok(_)) => (
            Vec::new(),
            0,
            Some(Verdict::failed(
                "NotHeadless",
                "ike publishes the pod IPs of headless Services only (spec.clusterIP: None)",
            )),
        ),
        Some(Err(problems)) => (
            Vec::new(),
            0,
            Some(Verdict::failed("Refused", problems.join("; "))),
        ),
        None => (Vec::new(), 0, None),
    };
    // The site's name limits: beyond them, the tenant's newest names are left out.
    let allotment = limits::allowance(ctx, service, hosts, &office);
    let hosts = allotment.published;

    let mut errors = Vec::new();
    let stale: Vec<String> = ctx
        .registry
        .hosts_of(&id)
        .into_iter()
        .filter(|h| !hosts.contains(h))
        .collect();
    let freed = !stale.is_empty();
    for host in stale {
        match unpublish(ctx, &publisher, &id, &host).await {
            Ok(changed) => wrote |= changed,
            Err(e) => errors.push(e),
        }
    }
    if freed {
        limits::wake_waiting(ctx, &service.namespace().unwrap_or_default());
    }

    let pods = ctx.pods.state();
    let ips = addresses(service, pods.iter().map(|p| &**p));
    let mut not_owned = Vec::new();
    for host in &hosts {
        wrote |= ctx.registry.add(&id, host).await?;
        match publish(ctx, &publisher, &id, host, &ips, ttl).await {
            Ok((Outcome::NotOwned { holder }, _)) => not_owned.push(match holder {
                Some(h) => format!("{host} is held by {h}"),
                None => format!("{host} holds records ike did not publish"),
            }),
            Ok((_, changed)) => wrote |= changed,
            Err(e) => errors.push(format!("{host}: {e}")),
        }
    }

    let verdict = if !errors.is_empty() {
        Verdict::failed("DNSError", errors.join("; "))
    } else if !not_owned.is_empty() {
        Verdict::failed(
            "NotOwned",
            format!(
                "{}: ike never overwrites a name it did not publish for this Service; choose another name or have those records removed",
                not_owned.join("; ")
            ),
        )
    } else if let Some(refusal) = refusal {
        refusal
    } else if let Some(why) = &allotment.why {
        Verdict::failed(
            limits::LIMIT_REACHED,
            format!(
                "{} left out ({why}){}",
                allotment.left_out.join(", "),
                match hosts.is_empty() {
                    true => String::new(),
                    false => format!("; {} published", hosts.join(", ")),
                }
            ),
        )
    } else {
        Verdict {
            published: true,
            reason: "Published",
            message: match ips.len() {
                0 => format!(
                    "{} kept without addresses (TTL {ttl} s): no ready pod",
                    hosts.join(", ")
                ),
                n => format!(
                    "{} → {n} address{} (TTL {ttl} s)",
                    hosts.join(", "),
                    if n == 1 { "" } else { "es" }
                ),
            },
        }
    };
    wrote |= status::record(&ctx.client, &ctx.recorder, service, &verdict).await?;
    let again = if errors.is_empty() { RESYNC } else { RETRY };
    Ok((Action::requeue(again), wrote))
}

/// Publishes one name unless the last publish of it said exactly this within [`RESYNC`];
/// returns the outcome and whether DNS changed.
async fn publish(
    ctx: &Context,
    publisher: &Publisher,
    id: &str,
    host: &str,
    ips: &[IpAddr],
    ttl: u32,
) -> Result<(Outcome, bool), crate::dns::Error> {
    let fresh = ctx.published().get(host).is_some_and(|p| {
        p.resource == id && p.ips == ips && p.ttl == ttl && p.at.elapsed() < RESYNC
    });
    if fresh {
        return Ok((Outcome::Unchanged, false));
    }
    let outcome = publisher.publish(host, ips, ttl, id).await?;
    let mut published = ctx.published();
    match outcome {
        Outcome::NotOwned { .. } => {
            published.remove(host);
        }
        _ => {
            published.insert(
                host.to_string(),
                Published {
                    resource: id.to_string(),
                    ips: ips.to_vec(),
                    ttl,
                    at: Instant::now(),
                },
            );
        }
    }
    tracing::debug!(host, resource = id, ?ips, %outcome, "published");
    let changed = matches!(outcome, Outcome::Created | Outcome::Updated);
    Ok((outcome, changed))
}

/// Removes one name of `id` from DNS (if `id` holds it) and from the registry.
async fn unpublish(
    ctx: &Context,
    publisher: &Publisher,
    id: &str,
    host: &str,
) -> Result<bool, String> {
    let outcome = publisher
        .remove(host, id)
        .await
        .map_err(|e| format!("{host}: {e}"))?;
    ctx.published().remove(host);
    ctx.registry
        .remove(id, host)
        .await
        .map_err(|e| format!("{host}: {}", crate::controller::runtime::chain(&e)))?;
    tracing::info!(host, resource = id, %outcome, "unpublished");
    Ok(outcome == Outcome::Removed)
}

/// Removes every registered name of `id`; returns whether DNS changed. Failures are logged and
/// left to the sweep: a Service must not wait on an unreachable DNS server to be deleted.
async fn unpublish_all(ctx: &Context, office: &OfficeSpec, id: &str) -> bool {
    let hosts: BTreeSet<String> = ctx.registry.hosts_of(id);
    if hosts.is_empty() {
        return false;
    }
    let publisher = match ctx.config.publisher(office).await {
        Ok(p) => p,
        Err(why) => {
            tracing::warn!(resource = id, %why, "cannot remove names now; the sweep will");
            return false;
        }
    };
    let mut changed = false;
    for host in hosts {
        match unpublish(ctx, &publisher, id, &host).await {
            Ok(c) => changed |= c,
            Err(e) => {
                tracing::warn!(resource = id, error = %e, "cannot remove a name now; the sweep will")
            }
        }
    }
    if let Some((namespace, _)) = parse_resource(id) {
        limits::wake_waiting(ctx, namespace);
    }
    changed
}

/// Adds or removes the finalizer. The patch carries the resourceVersion read, so a list
/// changed meanwhile by someone else fails (409) instead of being overwritten; the reconcile is
/// then retried on the newer object.
async fn set_finalizer(ctx: &Context, service: &Service, present: bool) -> Result<(), Error> {
    let namespace = service.namespace().unwrap_or_default();
    let name = service.name_any();
    let mut wanted: Vec<String> = service
        .finalizers()
        .iter()
        .filter(|f| *f != OFFICE_FINALIZER)
        .cloned()
        .collect();
    if present {
        wanted.push(OFFICE_FINALIZER.into());
    }
    let patch = serde_json::json!({
        "metadata": { "finalizers": wanted, "resourceVersion": service.resource_version() }
    });
    let api: Api<Service> = Api::namespaced(ctx.client.clone(), &namespace);
    api.patch(&name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .map_err(kube_err(format!(
            "updating the finalizers of service {namespace}/{name}"
        )))?;
    Ok(())
}

/// Removes the names of Services that no longer exist (deleted while the controller was down,
/// or with the finalizer removed by hand), when publishing is on.
pub async fn sweep(ctx: &Arc<Context>, services: &Store<Service>) {
    let office = ctx.config.office();
    if !office.publish || !ctx.listed.is_listed() {
        return;
    }
    for id in ctx.registry.resources() {
        let Some((namespace, name)) = parse_resource(&id) else {
            continue;
        };
        if services
            .get(&ObjectRef::new(name).within(namespace))
            .is_none()
        {
            tracing::info!(resource = %id, "removing the names of a vanished Service");
            unpublish_all(ctx, &office, &id).await;
        }
    }
}
