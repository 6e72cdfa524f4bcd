//! Relay work shared fairly between tenants: a tenant whose receivers hang (100 configs at a
//! server that never answers) or whose alert groups are huge gets its own few deliveries at a
//! time, and every other tenant's go on beside them.
//!
//! - Each tenant (all its namespaces together, read from the namespace's `ike.dev/tenant` label;
//!   a namespace without one counts as a tenant of its own) has at most
//!   [`Limits::per_tenant`] deliveries running, and at most [`Limits::queued_per_tenant`]
//!   waiting. Per tenant, not per namespace: a tenant with fifty namespaces is one tenant.
//! - All tenants together have at most [`Limits::total`] running; a free slot goes to the
//!   tenants with waiting deliveries in turn (round robin), never to whoever asked first.
//! - Beyond its queue, or after [`Limits::max_wait`] in it, a delivery is refused at once: the
//!   relay answers 503 and Alertmanager sends it again later. Nothing waits unbounded, so one
//!   tenant holds at most `per_tenant + queued_per_tenant` of the relay listener's request slots,
//!   far below its 256.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

/// How much of the relay one tenant, and all of them, may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deliveries of one tenant running at once.
    pub per_tenant: usize,
    /// Deliveries of one tenant waiting for a slot; one more is refused at once.
    pub queued_per_tenant: usize,
    /// Deliveries running at once, all tenants together.
    pub total: usize,
    /// The longest a delivery waits for a slot before it is refused.
    pub max_wait: Duration,
}

impl Default for Limits {
    /// 4 per tenant and 8 waiting, 32 in all, 3 s at most in the queue (of the 9 s a delivery
    /// may take).
    fn default() -> Self {
        Self {
            per_tenant: 4,
            queued_per_tenant: 8,
            total: 32,
            max_wait: Duration::from_secs(3),
        }
    }
}

/// Why a delivery got no slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Busy {
    /// The tenant's queue is full.
    #[error(
        "ike-controller is delivering {per_tenant} notifications of this tenant at once and has {queued} more waiting"
    )]
    Queue {
        /// The tenant's limit of running deliveries.
        per_tenant: usize,
        /// How many wait.
        queued: usize,
    },
    /// No slot came free in time.
    #[error("no delivery slot came free for this tenant within {0:?}")]
    Waited(Duration),
}

#[derive(Default)]
struct Tenant {
    running: usize,
    waiting: VecDeque<oneshot::Sender<()>>,
}

#[derive(Default)]
struct State {
    running: usize,
    tenants: HashMap<String, Tenant>,
    /// Tenants with waiting deliveries, in the order their turn comes.
    turn: VecDeque<String>,
}

/// The relay's delivery slots.
pub struct Fair {
    limits: Limits,
    state: Mutex<State>,
}

/// A delivery slot of one tenant; given back when dropped.
pub struct Slot {
    fair: Arc<Fair>,
    tenant: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.fair.release(&self.tenant);
    }
}

impl Fair {
    /// Slots as `limits` say.
    pub fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            state: Mutex::default(),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for `tenant`: at once when it has room, else after its turn comes, or refused.
    pub async fn enter(self: &Arc<Self>, tenant: &str) -> Result<Slot, Busy> {
        let slot = || Slot {
            fair: self.clone(),
            tenant: tenant.to_string(),
        };
        let mut granted = {
            let mut state = self.state();
            let State {
                running,
                tenants,
                turn,
            } = &mut *state;
            let t = tenants.entry(tenant.to_string()).or_default();
            t.waiting.retain(|w| !w.is_closed());
            if t.waiting.is_empty()
                && t.running < self.limits.per_tenant
                && *running < self.limits.total
            {
                t.running += 1;
                *running += 1;
                return Ok(slot());
            }
            if t.waiting.len() >= self.limits.queued_per_tenant {
                return Err(Busy::Queue {
                    per_tenant: self.limits.per_tenant,
                    queued: t.waiting.len(),
                });
            }
            let (tx, rx) = oneshot::channel();
            t.waiting.push_back(tx);
            if !turn.iter().any(|n| n == tenant) {
                turn.push_back(tenant.to_string());
            }
            rx
        };
        match tokio::time::timeout(self.limits.max_wait, &mut granted).await {
            Ok(Ok(())) => Ok(slot()),
            _ => {
                // A slot granted just as the wait ended is taken, not lost.
                granted.close();
                match granted.try_recv() {
                    Ok(()) => Ok(slot()),
                    Err(_) => Err(Busy::Waited(self.limits.max_wait)),
                }
            }
        }
    }

    fn release(&self, tenant: &str) {
        let mut state = self.state();
        state.running -= 1;
        if let Some(t) = state.tenants.get_mut(tenant) {
            t.running -= 1;
        }
        self.dispatch(&mut state);
        if state
            .tenants
            .get(tenant)
            .is_some_and(|t| t.running == 0 && t.waiting.is_empty())
        {
            state.tenants.remove(tenant);
        }
    }

    /// Hands free slots to waiting deliveries, one tenant after the other.
    fn dispatch(&self, state: &mut State) {
        let State {
            running,
            tenants,
            turn,
        } = state;
        'slots: while *running < self.limits.total {
            for _ in 0..turn.len() {
                let Some(name) = turn.pop_front() else {
                    break 'slots;
                };
                let Some(t) = tenants.get_mut(&name) else {
                    continue;
                };
                t.waiting.retain(|w| !w.is_closed());
                if t.waiting.is_empty() {
                    continue;
                }
                if t.running >= self.limits.per_tenant {
                    turn.push_back(name);
                    continue;
                }
                let mut given = false;
                while let Some(waiter) = t.waiting.pop_front() {
                    if waiter.send(()).is_ok() {
                        t.running += 1;
                        *running += 1;
                        given = true;
                        break;
                    }
                }
                if !t.waiting.is_empty() {
                    turn.push_back(name);
                }
                if given {
                    continue 'slots;
                }
            }
            break;
        }
    }

    /// Deliveries running now (all tenants), for tests and metrics.
    pub fn running(&self) -> usize {
        self.state().running
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_tenant: usize, queued: usize, total: usize) -> Limits {
        Limits {
            per_tenant,
            queued_per_tenant: queued,
            total,
            max_wait: Duration::from_secs(30),
        }
    }

    fn waiting(fair: &Fair) -> usize {
        fair.state().tenants.values().map(|t| t.waiting.len()).sum()
    }

    #[tokio::test]
    async fn a_flooding_tenant_gets_its_share_and_another_gets_a_slot_at_once() {
        let fair = Fair::new(limits(2, 3, 8));
        let a1 = fair.enter("a").await.unwrap();
        let _a2 = fair.enter("a").await.unwrap();
        // A's third waits, its sixth is refused at once.
        let waiting: Vec<_> = (0..3)
            .map(|_| {
                let fair = fair.clone();
                tokio::spawn(async move { fair.enter("a").await.map(|_| ()) })
            })
            .collect();
        tokio::task::yield_now().await;
        while fair.state().tenants["a"].waiting.len() < 3 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            fair.enter("a").await,
            Err(Busy::Queue {
                per_tenant: 2,
                queued: 3
            })
        ));
        // B is not behind A's queue.
        let b = fair.enter("b").await.unwrap();
        assert_eq!(fair.running(), 3);
        drop((a1, b));
        for w in waiting {
            w.await.unwrap().unwrap();
        }
    }

    #[tokio::test]
    async fn free_slots_go_to_waiting_tenants_in_turn() {
        let fair = Fair::new(limits(4, 8, 2));
        let first = fair.enter("a").await.unwrap();
        let second = fair.enter("a").await.unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        // A queues three, then B and C one each: they are served A, B, C, A, A.
        for (i, tenant) in ["a", "a", "a", "b", "c"].into_iter().enumerate() {
            let (shared, order) = (fair.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let slot = shared.enter(tenant).await.unwrap();
                order.lock().unwrap().push(tenant);
                tokio::time::sleep(Duration::from_millis(5)).await;
                drop(slot);
            }));
            while waiting(&fair) < i + 1 {
                tokio::task::yield_now().await;
            }
        }
        drop(first);
        drop(second);
        for t in tasks {
            t.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        assert_eq!(&order[..3], ["a", "b", "c"], "{order:?}");
        assert_eq!(fair.running(), 0);
        assert!(
            fair.state().tenants.is_empty(),
            "nothing kept after the last slot"
        );
    }

    #[tokio::test]
    async fn a_delivery_waits_no_longer_than_the_limit() {
        let limit = Duration::from_millis(200);
        let fair = Fair::new(Limits {
            max_wait: limit,
            ..limits(1, 4, 4)
        });
        let _held = fair.enter("a").await.unwrap();
        let started = tokio::time::Instant::now();
        assert!(matches!(fair.enter("a").await, Err(Busy::Waited(_))));
        let waited = started.elapsed();
        // Real time: at least the limit, and not much more (a loaded machine adds a little).
        assert!(waited >= limit, "{waited:?}");
        assert!(waited < limit * 10, "{waited:?}");
        // The waiter that gave up holds nothing: the next one gets the slot once it is free.
        drop(_held);
        assert!(fair.enter("a").await.is_ok());
    }
}
