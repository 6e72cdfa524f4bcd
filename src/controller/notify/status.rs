//! Writing the status of notification configs. Three writers share it (the config reconciler,
//! the Alertmanager publisher and the relay, which runs on every replica), so every write reads
//! the object, changes only its own fields and replaces the status at the version it read; a
//! conflict means someone else wrote meanwhile, and the change is made again on the new version.
//!
//! The publisher and the relay queue their changes in a [`Queue`], which coalesces them per
//! config and writes in the background: a burst of notifications, or a render touching a
//! thousand configs, costs one write per config and never holds up delivery or rendering.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt as _;
use kube::api::{Api, PostParams};

use super::metrics::NotifyMetrics;
use crate::api::{
    BarryConfig, CommonStatus, Delivery, EmailConfig, NotifyConfig, NotifyTest, TEST_ANNOTATION,
    TeamsConfig, set_condition,
};

/// Attempts of one status write when others keep changing the object.
const ATTEMPTS: usize = 5;
/// Status writes in flight at once during a flush.
const CONCURRENT_WRITES: usize = 16;

/// Changes `namespace/name`'s status with `change` (which says whether it changed anything)
/// and writes it at the version it was read at, again on conflict. Returns whether it wrote;
/// a config that is gone is not an error.
pub async fn update<K: NotifyConfig>(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    change: impl Fn(&mut K) -> bool,
) -> Result<bool, kube::Error> {
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    for attempt in 1..=ATTEMPTS {
        let Some(mut object) = api.get_opt(name).await? else {
            return Ok(false);
        };
        if !change(&mut object) {
            return Ok(false);
        }
        match api
            .replace_status(name, &PostParams::default(), &object)
            .await
        {
            Ok(_) => return Ok(true),
            Err(kube::Error::Api(s)) if s.code == 409 && attempt < ATTEMPTS => {}
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    unreachable!("the last attempt returns")
}

/// A condition to set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionChange {
    /// Its type.
    pub type_: &'static str,
    /// True or False.
    pub status: bool,
    /// Its reason.
    pub reason: &'static str,
    /// Its message.
    pub message: String,
    /// The generation it describes; `None`: whatever the object's is when written.
    pub generation: Option<i64>,
}

/// What one writer wants changed in one config's status; later changes replace earlier ones
/// field by field (conditions by type).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// Conditions to set.
    pub conditions: Vec<ConditionChange>,
    /// The last delivery.
    pub last_delivery: Option<Delivery>,
    /// A test result, written only while the config still asks for that test or already
    /// reports it (a newer test is never overwritten by an older one).
    pub last_test: Option<NotifyTest>,
}

impl Change {
    fn merge(&mut self, later: Change) {
        for c in later.conditions {
            self.conditions.retain(|old| old.type_ != c.type_);
            self.conditions.push(c);
        }
        if later.last_delivery.is_some() {
            self.last_delivery = later.last_delivery;
        }
        if later.last_test.is_some() {
            self.last_test = later.last_test;
        }
    }

    /// Applies the change to `config`; whether it changed anything.
    pub fn apply<K: NotifyConfig>(&self, config: &mut K) -> bool {
        let generation = config.meta().generation;
        let asked = config
            .meta()
            .annotations
            .as_ref()
            .and_then(|a| a.get(TEST_ANNOTATION))
            .cloned();
        let status = config.status_mut();
        let mut changed = false;
        for c in &self.conditions {
            changed |= set_condition(
                status.conditions_mut(),
                c.type_,
                c.status,
                c.reason,
                &c.message,
                c.generation.or(generation),
            );
        }
        if let Some(delivery) = &self.last_delivery
            && status.last_delivery() != Some(delivery)
        {
            *status.last_delivery_mut() = Some(delivery.clone());
            changed = true;
        }
        if let Some(test) = &self.last_test {
            let current = status.last_test().map(|t| t.id.clone());
            let ours = asked.as_deref() == Some(&test.id) || current.as_deref() == Some(&test.id);
            if ours && status.last_test() != Some(test) {
                *status.last_test_mut() = Some(test.clone());
                changed = true;
            }
        }
        changed
    }
}

/// The three kinds, for the queue's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// BarryConfig.
    Barry,
    /// EmailConfig.
    Email,
    /// TeamsConfig.
    Teams,
}

impl Kind {
    /// The kind as receiver names spell it.
    pub fn of<K: NotifyConfig>() -> Kind {
        Self::parse(K::KIND).expect("every NotifyConfig is one of the three kinds")
    }

    /// `barry`, `email` or `teams`.
    pub fn parse(kind: &str) -> Option<Kind> {
        match kind {
            "barry" => Some(Kind::Barry),
            "email" => Some(Kind::Email),
            "teams" => Some(Kind::Teams),
            _ => None,
        }
    }
}

/// Identifies one config.
pub type Key = (Kind, String, String);

/// Status changes waiting to be written, coalesced per config. Clones share the queue.
#[derive(Clone)]
pub struct Queue {
    inner: Arc<Inner>,
}

struct Inner {
    client: kube::Client,
    pending: Mutex<BTreeMap<Key, Change>>,
    wake: tokio::sync::Notify,
    metrics: Arc<NotifyMetrics>,
}

impl Queue {
    /// An empty queue; [`Queue::run`] writes it.
    pub fn new(client: kube::Client, metrics: Arc<NotifyMetrics>) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                pending: Mutex::default(),
                wake: tokio::sync::Notify::new(),
                metrics,
            }),
        }
    }

    /// Queues `change` for `key`. Never waits for the API server.
    pub fn push(&self, key: Key, change: Change) {
        let mut pending = self
            .inner
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        pending.entry(key).or_default().merge(change);
        drop(pending);
        self.inner.wake.notify_one();
    }

    /// Writes what is queued whenever something is, at most once per `interval`, forever.
    pub async fn run(self, interval: Duration) {
        loop {
            self.inner.wake.notified().await;
            self.flush().await;
            tokio::time::sleep(interval).await;
        }
    }

    /// Writes everything queued so far; a failed write is queued again.
    pub async fn flush(&self) {
        let batch = std::mem::take(
            &mut *self
                .inner
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        futures::stream::iter(batch)
            .map(|(key, change)| async move {
                let (kind, namespace, name) = &key;
                let client = &self.inner.client;
                let written = match kind {
                    Kind::Barry => {
                        update::<BarryConfig>(client, namespace, name, |c| change.apply(c)).await
                    }
                    Kind::Email => {
                        update::<EmailConfig>(client, namespace, name, |c| change.apply(c)).await
                    }
                    Kind::Teams => {
                        update::<TeamsConfig>(client, namespace, name, |c| change.apply(c)).await
                    }
                };
                match written {
                    Ok(wrote) => self.inner.metrics.count_status_write(wrote),
                    Err(e) => {
                        tracing::warn!(namespace = %namespace, name = %name, error = %crate::controller::runtime::chain(&e), "cannot write a notification status; retrying");
                        let mut pending =
                            self.inner.pending.lock().unwrap_or_else(PoisonError::into_inner);
                        let mut again = change;
                        if let Some(newer) = pending.remove(&key) {
                            again.merge(newer);
                        }
                        pending.insert(key, again);
                        drop(pending);
                        self.inner.wake.notify_one();
                    }
                }
            })
            .buffer_unordered(CONCURRENT_WRITES)
            .collect::<()>()
            .await;
    }

    /// How many configs have changes waiting.
    pub fn len(&self) -> usize {
        self.inner
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{BarryConfigSpec, TestResult, condition};

    fn config(annotation: Option<&str>) -> BarryConfig {
        let mut c = BarryConfig::new("oncall", BarryConfigSpec::default());
        c.metadata.namespace = Some("shop".into());
        c.metadata.generation = Some(3);
        if let Some(id) = annotation {
            c.metadata.annotations = Some([(TEST_ANNOTATION.to_string(), id.to_string())].into());
        }
        c
    }

    fn test(id: &str, result: TestResult) -> NotifyTest {
        NotifyTest {
            id: id.into(),
            time: "2024-01-01T00:00:00Z".into(),
            result,
            message: String::new(),
        }
    }

    #[test]
    fn later_changes_replace_earlier_ones_per_condition_type() {
        let condition = |status, reason| ConditionChange {
            type_: condition::DELIVERED,
            status,
            reason,
            message: String::new(),
            generation: None,
        };
        let mut change = Change {
            conditions: vec![condition(false, condition::BARRY_UNREACHABLE)],
            ..Default::default()
        };
        change.merge(Change {
            conditions: vec![condition(true, condition::ACCEPTED)],
            ..Default::default()
        });
        assert_eq!(
            change.conditions,
            vec![condition(true, condition::ACCEPTED)]
        );
        let mut c = config(None);
        assert!(change.apply(&mut c));
        assert!(!change.apply(&mut c), "applying twice changes nothing");
        let written = &c.status.unwrap().conditions[0];
        assert_eq!(written.observed_generation, Some(3));
    }

    #[test]
    fn a_test_result_lands_only_on_the_test_the_config_asks_for() {
        let mut c = config(Some("t2"));
        let old = Change {
            last_test: Some(test("t1", TestResult::Delivered)),
            ..Default::default()
        };
        assert!(!old.apply(&mut c), "an older test does not overwrite");
        let current = Change {
            last_test: Some(test("t2", TestResult::Delivered)),
            ..Default::default()
        };
        assert!(current.apply(&mut c));
        assert_eq!(c.status.unwrap().last_test.unwrap().id, "t2");
    }
}
