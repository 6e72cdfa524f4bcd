//! Prometheus metrics of the controller, rendered in the text exposition format on `/metrics`.

use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, &'static str)>;

/// Every metric the controller exports.
pub struct Metrics {
    registry: Registry,
    /// CRD applies done since start.
    pub crds_applied: Counter,
    reconciles: Family<Labels, Counter>,
    reconcile_writes: Family<Labels, Counter>,
    reconcile_seconds: Family<Labels, Histogram>,
    leader: Gauge,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("ike");
        let info = Family::<Vec<(String, String)>, Gauge>::default();
        info.get_or_create(&vec![(
            "version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        )])
        .set(1);
        registry.register(
            "controller_info",
            "Version of the running ike-controller",
            info,
        );
        let crds_applied = Counter::default();
        registry.register(
            "crd_applies",
            "CRD server-side applies since start",
            crds_applied.clone(),
        );
        let reconciles = Family::<Labels, Counter>::default();
        registry.register(
            "reconciles",
            "Reconciles by controller and result (ok or error)",
            reconciles.clone(),
        );
        let reconcile_writes = Family::<Labels, Counter>::default();
        registry.register(
            "reconcile_writes",
            "Reconciles that changed something in the API server, by controller",
            reconcile_writes.clone(),
        );
        let reconcile_seconds = Family::<Labels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 14))
        });
        registry.register(
            "reconcile_duration_seconds",
            "How long successful reconciles took, by controller",
            reconcile_seconds.clone(),
        );
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this replica holds the lease and runs the reconcilers",
            leader.clone(),
        );
        Self {
            leader,
            registry,
            crds_applied,
            reconciles,
            reconcile_writes,
            reconcile_seconds,
        }
    }

    /// Records one reconcile of `controller`.
    pub fn observe_reconcile(
        &self,
        controller: &'static str,
        took: Duration,
        ok: bool,
        wrote: bool,
    ) {
        let result = if ok { "ok" } else { "error" };
        self.reconciles
            .get_or_create(&vec![("controller", controller), ("result", result)])
            .inc();
        if ok {
            self.reconcile_seconds
                .get_or_create(&vec![("controller", controller)])
                .observe(took.as_secs_f64());
        }
        if wrote {
            self.reconcile_writes
                .get_or_create(&vec![("controller", controller)])
                .inc();
        }
    }

    /// Counts a reconcile of `controller` that changed something (the reconcile itself is
    /// counted by `observe_reconcile`).
    pub fn count_write(&self, controller: &'static str, wrote: bool) {
        if wrote {
            self.reconcile_writes
                .get_or_create(&vec![("controller", controller)])
                .inc();
        }
    }

    /// Records whether this replica leads.
    pub fn set_leader(&self, leader: bool) {
        self.leader.set(i64::from(leader));
    }

    /// Registers more metrics (the account API's) in the same registry.
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("encoding into a String cannot fail");
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
