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
    reconcile_errors: Family<Labels, Counter>,
    watches: Family<Labels, Gauge>,
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
        let reconcile_errors = Family::<Labels, Counter>::default();
        registry.register(
            "reconcile_errors",
            "Failed reconciles by controller and error kind",
            reconcile_errors.clone(),
        );
        let watches = Family::<Labels, Gauge>::default();
        registry.register(
            "watches",
            "Watches this process holds, by kind (one store per kind, shared by everyone)",
            watches.clone(),
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
            reconcile_errors,
            watches,
        }
    }

    /// The `ike_watches` gauge, for the stores (see `runtime::Stores`).
    pub fn watches(&self) -> Family<Labels, Gauge> {
        self.watches.clone()
    }

    /// Records one reconcile of `controller`: its outcome (`Err` names the error's kind),
    /// whether it wrote, and how long a successful one took.
    pub fn observe_reconcile(
        &self,
        controller: &'static str,
        took: Duration,
        outcome: Result<(), &'static str>,
        wrote: bool,
    ) {
        let result = if outcome.is_ok() { "ok" } else { "error" };
        self.reconciles
            .get_or_create(&vec![("controller", controller), ("result", result)])
            .inc();
        match outcome {
            Ok(()) => {
                self.reconcile_seconds
                    .get_or_create(&vec![("controller", controller)])
                    .observe(took.as_secs_f64());
            }
            Err(kind) => {
                self.reconcile_errors
                    .get_or_create(&vec![("controller", controller), ("error", kind)])
                    .inc();
            }
        }
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
