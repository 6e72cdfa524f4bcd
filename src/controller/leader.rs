//! Leader election with a Lease: every replica serves the account API and the webhooks, only
//! the leader runs the reconcilers, so two replicas never write the same objects.

use std::net::SocketAddr;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;

use super::error::Error;
use super::runtime::Floor;
use super::state::State;
use super::{accounts, office, requests, tenant_objects, tenants};

/// Runs the reconcilers while this replica holds the `ike-controller` Lease, until a signal.
///
/// Every replica serves the account API and the webhooks; only the leader reconciles, so two
/// replicas never write the same objects.
pub async fn lead(
    client: &kube::Client,
    listen: SocketAddr,
    controller_namespace: &str,
    state: &Arc<State>,
    stores: &super::runtime::Stores,
    signalled: &mut impl AsyncFnMut(),
) -> Result<(), Error> {
    let lease = kube_lease_manager::LeaseManagerBuilder::new(client.clone(), "ike-controller")
        .with_namespace(controller_namespace)
        .with_identity(identity(listen))
        .with_duration(15)
        .with_grace(5)
        .with_field_manager(crate::api::consts::CONTROLLER_MANAGER)
        .build()
        .await
        .map_err(Error::Lease)?;
    let (mut leader, lease_task) = lease.watch().await;
    loop {
        tokio::select! {
            r = leader.wait_for(|l| *l) => if r.is_err() { break },
            () = signalled() => break,
        }
        tracing::info!("holding the lease: running the reconcilers");
        state.metrics.set_leader(true);
        let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
        let floor = Floor {
            stores: stores.clone(),
            metrics: state.metrics.clone(),
            shutdown: async move {
                let _ = stop_rx.wait_for(|s| *s).await;
            }
            .boxed()
            .shared(),
        };
        let announcer = state.notify.as_ref().and_then(|n| n.announcer());
        // The reconcilers this replica runs while it leads.
        let mut reconcilers: Vec<BoxFuture<'static, ()>> = vec![
            accounts::run(floor.clone()).boxed(),
            tenants::run(floor.clone()).boxed(),
            office::run(floor.clone(), state.site.clone()).boxed(),
            requests::run(floor.clone(), announcer).boxed(),
            tenant_objects::run(floor.clone()).boxed(),
        ];
        if let Some(notify) = state.notify.clone() {
            reconcilers.push(super::notify::run(notify, floor.clone()).boxed());
        }
        let controllers = tokio::spawn(futures::future::join_all(reconcilers));
        let shutting_down = tokio::select! {
            r = leader.wait_for(|l| !*l) => r.is_err(),
            () = signalled() => true,
        };
        let _ = stop_tx.send(true);
        let _ = controllers.await;
        state.metrics.set_leader(false);
        if shutting_down {
            break;
        }
        tracing::warn!("lost the lease: reconcilers stopped until it is won back");
    }
    drop(leader);
    if let Ok(Ok(manager)) = lease_task.await {
        let _ = manager.release().await;
    }
    Ok(())
}

/// This replica's name in the Lease: the pod name in a cluster, else host and pid.
///
/// Stable across restarts on purpose: a replica that crashed and comes back is still the holder
/// and reconciles at once, instead of waiting for its own old lease to expire. Two replicas on
/// one host differ by their listen address.
fn identity(listen: SocketAddr) -> String {
    match std::env::var("POD_NAME") {
        Ok(pod) => pod,
        Err(_) => {
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
            format!("{host}-{}", listen.port())
        }
    }
}
