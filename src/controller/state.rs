//! What the running controller's servers and reconcilers share.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::{metrics, notify};

/// Shared state of the running controller.
pub struct State {
    /// Prometheus metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// Set once the CRDs are installed and the controller serves.
    pub ready: AtomicBool,
    /// The site's name (see [`Options::site`](super::options::Options::site)).
    pub site: String,
    /// Tenant notifications, when on.
    pub notify: Option<Arc<notify::Notify>>,
}
