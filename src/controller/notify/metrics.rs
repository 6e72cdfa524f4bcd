//! Prometheus metrics of notifications: what the publisher rendered, wrote and reloaded, what
//! the relay delivered, and the status writes, all under `ike_notify_*`.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, &'static str)>;

/// The metrics; register them once with [`NotifyMetrics::register`].
#[derive(Clone, Debug)]
pub struct NotifyMetrics {
    /// Renders of Alertmanager's configuration.
    pub renders: Counter,
    /// How long a render took (every config read, rendered, fingerprinted), in seconds.
    pub render_seconds: Histogram,
    /// Writes of the rendered configuration, by `output` (secret or file).
    pub config_writes: Family<Labels, Counter>,
    /// `POST /-/reload` calls, by `result`.
    pub reloads: Family<Labels, Counter>,
    /// How long writing the configuration to one output took, in seconds.
    pub write_seconds: Histogram,
    /// How long Alertmanager took to reload (the `POST /-/reload` round trip), in seconds.
    pub reload_seconds: Histogram,
    /// The size of the last rendered configuration, in bytes.
    pub config_bytes: Gauge,
    /// Configs in the last render, by `state` (included or left out).
    pub receivers: Family<Labels, Gauge>,
    /// Notifications the relay handled, by `kind` and `result`.
    pub relayed: Family<Labels, Counter>,
    /// Status writes, by `result` (written, or unchanged when someone else got there first).
    pub status_writes: Family<Labels, Counter>,
}

impl Default for NotifyMetrics {
    fn default() -> Self {
        Self {
            renders: Counter::default(),
            render_seconds: Histogram::new(exponential_buckets(0.000_5, 2.0, 14)),
            config_writes: Family::default(),
            reloads: Family::default(),
            write_seconds: Histogram::new(exponential_buckets(0.000_5, 2.0, 14)),
            reload_seconds: Histogram::new(exponential_buckets(0.000_5, 2.0, 14)),
            config_bytes: Gauge::default(),
            receivers: Family::default(),
            relayed: Family::default(),
            status_writes: Family::default(),
        }
    }
}

impl NotifyMetrics {
    /// Registers every metric under `notify_*` (the registry adds `ike_`).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "notify_renders",
            "Renders of Alertmanager's configuration",
            self.renders.clone(),
        );
        registry.register(
            "notify_render_duration_seconds",
            "Time to render Alertmanager's configuration from every notification config",
            self.render_seconds.clone(),
        );
        registry.register(
            "notify_config_writes",
            "Writes of the rendered Alertmanager configuration, by output",
            self.config_writes.clone(),
        );
        registry.register(
            "notify_reloads",
            "Alertmanager reloads asked for, by result",
            self.reloads.clone(),
        );
        registry.register(
            "notify_write_duration_seconds",
            "Time to write the rendered configuration to one output",
            self.write_seconds.clone(),
        );
        registry.register(
            "notify_reload_duration_seconds",
            "Time Alertmanager took to reload its configuration",
            self.reload_seconds.clone(),
        );
        registry.register(
            "notify_config_bytes",
            "Size of the last rendered Alertmanager configuration",
            self.config_bytes.clone(),
        );
        registry.register(
            "notify_receivers",
            "Notification configs in the last render, by state (included or left_out)",
            self.receivers.clone(),
        );
        registry.register(
            "notify_relayed",
            "Notifications the relay handled, by kind and result",
            self.relayed.clone(),
        );
        registry.register(
            "notify_status_writes",
            "Status writes of notification configs, by result",
            self.status_writes.clone(),
        );
    }

    /// Counts one status write (or one found unnecessary on the fresh object).
    pub fn count_status_write(&self, wrote: bool) {
        let result = if wrote { "written" } else { "unchanged" };
        self.status_writes
            .get_or_create(&vec![("result", result)])
            .inc();
    }

    /// Counts one relayed notification.
    pub fn count_relayed(&self, kind: &'static str, result: &'static str) {
        self.relayed
            .get_or_create(&vec![("kind", kind), ("result", result)])
            .inc();
    }
}
