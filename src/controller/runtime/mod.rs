//! The floor every controller feature stands on, and that uses none of them: the shared
//! watch stores ([`Stores`]: one watch per kind per process, with the views several features
//! derive from them) and the reconciler skeleton ([`reconcile`]: its error type, the run
//! function with concurrency, shutdown and metrics).

pub mod reconcile;
pub mod shared;
pub mod stores;

pub use reconcile::{
    Failure, FinalizedError, Floor, KubeError, Reconciler, Shutdown, kube_err, wrote,
};
pub use shared::{Listed, Shared, Watched, concerned, everything};
pub use stores::{Stores, namespace_tenant, site_policy, tenant_of};
