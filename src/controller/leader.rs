//! Leader election with a Lease: every replica serves the account API and the webhooks, only
//! the leader runs the reconcilers, so two replicas never write the same objects.

use std::net::SocketAddr;
use std::sync::Arc;

use super::{Error, State, accounts, office, requests, tenants};

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
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let notify = state.notify.clone();
        let announcer = notify.as_ref().and_then(|n| n.announcer());
        let controllers = tokio::spawn(futures::future::join5(
            accounts::run(
                stores.clone(),
                state.metrics.clone(),
                stopped(stop_rx.clone()),
            ),
            tenants::run(
                stores.clone(),
                state.metrics.clone(),
                stopped(stop_rx.clone()),
            ),
            office::run(
                stores.clone(),
                state.metrics.clone(),
                state.site.clone(),
                stopped(stop_rx.clone()),
            ),
            requests::run(
                stores.clone(),
                state.metrics.clone(),
                announcer,
                stopped(stop_rx.clone()),
            ),
            {
                let stores = stores.clone();
                async move {
                    if let Some(notify) = notify {
                        super::notify::run(notify, stores, stop_rx.clone()).await;
                    }
                }
            },
        ));
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
