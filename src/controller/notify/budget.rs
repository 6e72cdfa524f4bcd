//! Budgets of Alertmanager's one configuration, which every tenant shares: it is written into
//! one Secret (1 MiB at most), so one tenant filling it would leave every other tenant's new
//! configs out, or fail the write for all. Instead each tenant has limits, and a tenant beyond
//! one loses only its own newest configs, each left out with `ReceiverConfigured` False, reason
//! `OverBudget`, and a message naming the limit:
//!
//! 1. configs per namespace (`maxConfigsPerNamespace`, default 20): the oldest are kept;
//! 2. bytes per tenant (`maxBytesPerTenant`, default 64 KiB), all its namespaces together;
//! 3. the configuration's own room (1 MiB less the base): when all tenants together still want
//!    more, the room is shared max-min ("water-filling"): every tenant keeps up to the same
//!    level, the level as high as the room allows, so the biggest tenants lose their newest
//!    configs first and a small tenant loses nothing.
//!
//! "Newest" is by creation time (then name), so a config that was in keeps its place when a
//! newer one comes: adding a config never pushes out an older one of the same tenant.

use std::collections::BTreeMap;

use crate::api::{NotificationPolicy, condition};

/// The most bytes the rendered configuration may have: what a Secret holds.
pub const MAX_CONFIGURATION_BYTES: usize = 1024 * 1024;

/// One config that could go into the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its tenant (`tenant/<name>` or `namespace/<ns>`).
    pub tenant: String,
    /// Its namespace.
    pub namespace: String,
    /// Its creation time (Unix seconds).
    pub created: i64,
    /// Its receiver's name (unique).
    pub receiver: String,
    /// The bytes it takes.
    pub cost: usize,
}

/// Why an entry is left out: (reason, message).
pub type LeftOut = Option<(&'static str, String)>;

/// Decides which entries fit: for each entry (in the order given), why it is left out, if it
/// is. `room` is the bytes all tenants' entries may take together.
pub fn select(entries: &[Entry], policy: &NotificationPolicy, room: usize) -> Vec<LeftOut> {
    let mut verdicts: Vec<LeftOut> = vec![None; entries.len()];
    // Oldest first, everywhere.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&entries[a], &entries[b]);
        (&a.created, &a.receiver).cmp(&(&b.created, &b.receiver))
    });

    let per_namespace = policy.max_configs_per_namespace();
    let mut in_namespace: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &order {
        let e = &entries[i];
        let n = in_namespace.entry(&e.namespace).or_default();
        *n += 1;
        if *n > per_namespace {
            verdicts[i] = Some((
                condition::OVER_BUDGET,
                format!(
                    "namespace {} has more notification configs than the {per_namespace} this site allows per namespace (Site notifications.maxConfigsPerNamespace), and this is one of the newest: delete a config you no longer need, or ask a platform admin",
                    e.namespace
                ),
            ));
        }
    }

    let per_tenant = policy.max_bytes_per_tenant();
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    let within: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| verdicts[i].is_none())
        .collect();
    for i in within {
        let e = &entries[i];
        let total = used.entry(&e.tenant).or_default();
        if *total + e.cost > per_tenant {
            verdicts[i] = Some((
                condition::OVER_BUDGET,
                format!(
                    "{} takes more of Alertmanager's configuration than the {per_tenant} bytes this site allows per tenant (Site notifications.maxBytesPerTenant), and this config is one of its newest: remove configs or recipients you no longer need, or ask a platform admin",
                    who(&e.tenant)
                ),
            ));
        } else {
            *total += e.cost;
        }
    }

    let level = water_level(used.values().copied().collect(), room);
    if let Some(level) = level {
        let mut kept: BTreeMap<&str, usize> = BTreeMap::new();
        let within: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| verdicts[i].is_none())
            .collect();
        for i in within {
            let e = &entries[i];
            let total = kept.entry(&e.tenant).or_default();
            if *total + e.cost > level {
                verdicts[i] = Some((
                    condition::OVER_BUDGET,
                    format!(
                        "Alertmanager's configuration, which every tenant shares, is full ({} KiB): each tenant keeps {level} bytes of it now, {} wants more, and this config is one of its newest: remove configs you no longer need, or ask a platform admin",
                        MAX_CONFIGURATION_BYTES / 1024,
                        who(&e.tenant)
                    ),
                ));
            } else {
                *total += e.cost;
            }
        }
    }
    verdicts
}

fn who(tenant: &str) -> String {
    match tenant.split_once('/') {
        Some(("tenant", name)) => format!("tenant {name}"),
        Some((_, namespace)) => format!("namespace {namespace}"),
        None => tenant.to_string(),
    }
}

/// The level every tenant is cut to so that all fit in `room` (max-min fairness); `None` when
/// everything fits as it is.
fn water_level(mut used: Vec<usize>, room: usize) -> Option<usize> {
    if used.iter().sum::<usize>() <= room {
        return None;
    }
    used.sort_unstable();
    let mut left = room;
    let mut tenants = used.len();
    for u in used {
        if u * tenants <= left {
            left -= u;
            tenants -= 1;
        } else {
            return Some(left / tenants);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tenant: &str, namespace: &str, n: usize, cost: usize) -> Entry {
        Entry {
            tenant: format!("tenant/{tenant}"),
            namespace: namespace.into(),
            created: 1_796_000_000 + n as i64,
            receiver: format!("tenant/{namespace}/email/c{n:02}"),
            cost,
        }
    }

    fn left_out(verdicts: &[LeftOut]) -> Vec<usize> {
        (0..verdicts.len())
            .filter(|&i| verdicts[i].is_some())
            .collect()
    }

    #[test]
    fn a_namespace_beyond_its_limit_loses_its_newest_configs_only() {
        let policy = NotificationPolicy {
            max_configs_per_namespace: Some(2),
            ..Default::default()
        };
        // Given newest first: the order given does not matter, creation does.
        let entries = vec![
            entry("a", "a1", 3, 100),
            entry("a", "a1", 1, 100),
            entry("a", "a1", 2, 100),
            entry("b", "b1", 4, 100),
        ];
        let verdicts = select(&entries, &policy, 1 << 20);
        assert_eq!(left_out(&verdicts), [0]);
        let (reason, message) = verdicts[0].clone().unwrap();
        assert_eq!(reason, "OverBudget");
        assert!(
            message.contains("maxConfigsPerNamespace") && message.contains("a1"),
            "{message}"
        );
    }

    #[test]
    fn a_tenant_beyond_its_bytes_loses_its_newest_across_its_namespaces() {
        let policy = NotificationPolicy {
            max_bytes_per_tenant: Some(1000),
            ..Default::default()
        };
        let entries = vec![
            entry("a", "a1", 1, 400),
            entry("a", "a2", 2, 400),
            entry("a", "a1", 3, 400),
            entry("b", "b1", 4, 900),
        ];
        let verdicts = select(&entries, &policy, 1 << 20);
        assert_eq!(left_out(&verdicts), [2]);
        let message = &verdicts[2].as_ref().unwrap().1;
        assert!(
            message.contains("tenant a") && message.contains("maxBytesPerTenant"),
            "{message}"
        );
    }

    #[test]
    fn a_full_configuration_is_shared_so_that_the_biggest_lose_first() {
        let policy = NotificationPolicy::default();
        // A wants 10 × 100, B 3 × 100, C 1 × 100; the room holds 800.
        let mut entries: Vec<Entry> = (0..10).map(|n| entry("a", "a", n, 100)).collect();
        entries.extend((10..13).map(|n| entry("b", "b", n, 100)));
        entries.push(entry("c", "c", 20, 100));
        let verdicts = select(&entries, &policy, 800);
        // Level: (800 - 100 - 300) / 1 = 400 for A; B and C keep everything.
        assert_eq!(left_out(&verdicts), (4..10).collect::<Vec<_>>());
        let message = &verdicts[9].as_ref().unwrap().1;
        assert!(
            message.contains("full") && message.contains("tenant a"),
            "{message}"
        );
        // Everything fits: nothing is left out.
        assert!(left_out(&select(&entries, &policy, 1400)).is_empty());
    }

    #[test]
    fn the_water_level_is_as_high_as_the_room_allows() {
        assert_eq!(water_level(vec![100, 300, 1000], 1400), None);
        assert_eq!(water_level(vec![100, 300, 1000], 800), Some(400));
        assert_eq!(water_level(vec![500, 500], 600), Some(300));
        assert_eq!(water_level(vec![], 0), None);
    }
}
