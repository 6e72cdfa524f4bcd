//! The floor every controller feature stands on, and that uses none of them: the shared
//! watch stores ([`Stores`]: one watch per kind per process, with the views several features
//! derive from them) and the reconciler skeleton ([`reconcile`]: its error type, the run
//! function with concurrency, shutdown and metrics), the client's own count of what it asks
//! the API server ([`requests`]), and how errors and Events are reported ([`report`]).

pub mod reconcile;
pub mod report;
pub mod requests;
pub mod shared;
pub mod stores;

pub use reconcile::{
    Failure, FinalizedError, Floor, KubeError, Reconciler, Shutdown, kube_err, wrote,
};
pub use report::{chain, event_recorder};
pub use requests::{ApiRequests, counting_client};
pub use shared::{Listed, Shared, Watched, concerned, everything};
pub use stores::{Stores, namespace_tenant, site_policy, tenant_of};
