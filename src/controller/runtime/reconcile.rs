//! One reconciler skeleton: the error of a Kubernetes call, and [`run`], which runs a
//! kube-runtime `Controller` with bounded concurrency and graceful shutdown and records every
//! reconcile's outcome (ok or error kind, wrote or not, how long) the same way for all.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::runtime::controller::{Action, Controller};

use crate::controller::metrics::Metrics;

/// How many reconciles of one controller run at once. Bounded: each reconcile in flight holds
/// an HTTP/1.1 connection to the API server, and unbounded bursts (a restart with hundreds of
/// tenants) cost memory and API server time.
pub const CONCURRENCY: u16 = 16;

/// A request to the API server that failed, and what it was for.
#[derive(Debug, thiserror::Error)]
#[error("{what} failed")]
pub struct KubeError {
    /// What was being done ("reading namespace x").
    pub what: String,
    /// Why.
    #[source]
    pub source: kube::Error,
}

/// For `map_err`: a failed API request becomes a [`KubeError`] saying what it was for (and
/// `?` makes it the reconciler's error).
pub fn kube_err(what: impl Into<String>) -> impl FnOnce(kube::Error) -> KubeError {
    let what = what.into();
    move |source| KubeError { what, source }
}

/// The error of a reconciler behind kube-runtime's finalizer (tenants, tenant objects): a
/// Kubernetes call, or adding or removing the finalizer.
#[derive(Debug, thiserror::Error)]
pub enum FinalizedError {
    /// A request to the API server failed.
    #[error(transparent)]
    Kube(#[from] KubeError),
    /// Adding or removing the finalizer failed.
    #[error("finalizer")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<FinalizedError>>),
}

impl Failure for FinalizedError {
    fn kind(&self) -> &'static str {
        match self {
            FinalizedError::Kube(_) => "kube",
            FinalizedError::Finalizer(_) => "finalizer",
        }
    }
}

/// A reconciler's error, as the metrics count it.
pub trait Failure: std::error::Error + Send + Sync + 'static {
    /// A short, stable name of what went wrong (`kube`, `finalizer`, ...): the `error` label.
    fn kind(&self) -> &'static str;
}

/// A reconciler whose only failure is a Kubernetes call uses [`KubeError`] as its error.
impl Failure for KubeError {
    fn kind(&self) -> &'static str {
        "kube"
    }
}

tokio::task_local! {
    static WROTE: Cell<bool>;
}

/// Records that the reconcile in progress changed something in the API server (when `wrote`);
/// [`run`] counts it once per reconcile. Outside a reconcile it does nothing.
pub fn wrote(wrote: bool) {
    let _ = WROTE.try_with(|w| w.set(w.get() | wrote));
}

/// When the reconcilers stop: when this replica loses the lease or the process shuts down.
/// Cheap to clone; every clone resolves at once.
pub type Shutdown = futures::future::Shared<futures::future::BoxFuture<'static, ()>>;

/// What the leader gives every reconciler it starts: the stores, the metrics, and when to stop.
#[derive(Clone)]
pub struct Floor {
    /// The process's watch stores.
    pub stores: super::Stores,
    /// The controller's metrics.
    pub metrics: Arc<Metrics>,
    /// When to stop.
    pub shutdown: Shutdown,
}

/// What a reconciler is called, and how soon a failed reconcile is tried again.
#[derive(Debug, Clone, Copy)]
pub struct Reconciler {
    /// The `controller` label of its metrics and logs (`tenant`, `account`, ...).
    pub name: &'static str,
    /// The wait after a failed reconcile.
    pub retry: Duration,
}

/// Runs `controller` with `reconcile` until the floor's shutdown: at most [`CONCURRENCY`]
/// reconciles at once, each counted in the floor's metrics by outcome, failures logged and
/// tried again after `reconciler.retry`.
pub async fn run<K, C, E, Fut>(
    floor: &Floor,
    reconciler: Reconciler,
    controller: Controller<K>,
    reconcile: impl FnMut(Arc<K>, Arc<C>) -> Fut,
    ctx: Arc<C>,
) where
    K: super::Watched,
    C: Send + Sync + 'static,
    E: Failure,
    Fut: Future<Output = Result<Action, E>> + Send + 'static,
{
    let Reconciler { name, retry } = reconciler;
    let metrics = floor.metrics.clone();
    let mut reconcile = reconcile;
    let timed = move |object: Arc<K>, ctx: Arc<C>| {
        let metrics = metrics.clone();
        let reconciling = reconcile(object, ctx);
        WROTE.scope(Cell::new(false), async move {
            let started = Instant::now();
            let result = reconciling.await;
            let wrote = WROTE.with(Cell::get);
            let outcome = result.as_ref().map(|_| ()).map_err(Failure::kind);
            metrics.observe_reconcile(name, started.elapsed(), outcome, wrote);
            result
        })
    };
    let error_policy = move |object: Arc<K>, error: &E, _: Arc<C>| {
        let object = match object.meta().namespace.as_deref() {
            Some(ns) => format!("{ns}/{}", object.meta().name.as_deref().unwrap_or_default()),
            None => object.meta().name.clone().unwrap_or_default(),
        };
        tracing::warn!(controller = name, object, error = %super::chain(error), "reconcile failed");
        Action::requeue(retry)
    };
    controller
        .with_config(kube::runtime::controller::Config::default().concurrency(CONCURRENCY))
        .graceful_shutdown_on(floor.shutdown.clone())
        .run(timed, error_policy, ctx)
        .for_each(|_| async {})
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_are_counted_once_per_reconcile_and_only_inside_one() {
        wrote(true); // outside: nothing to record, no panic
        let seen = WROTE
            .scope(Cell::new(false), async {
                wrote(false);
                assert!(!WROTE.with(Cell::get));
                wrote(true);
                wrote(false);
                WROTE.with(Cell::get)
            })
            .await;
        assert!(
            seen,
            "a write stays recorded after later reconcile steps wrote nothing"
        );
    }

    #[test]
    fn a_kube_error_says_what_it_was_for() {
        let error = kube_err("reading namespace a")(kube::Error::LinesCodecMaxLineLengthExceeded);
        assert_eq!(error.to_string(), "reading namespace a failed");
        assert!(std::error::Error::source(&error).is_some());
    }
}
