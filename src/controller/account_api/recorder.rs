//! Records the certificates issued to each account in its status (`status.certificates`), in the
//! background.
//!
//! A synchronous apiserver write per certificate would cap issuance at the apiserver's write
//! rate, so issuance only queues the record; every interval the queue is written, one merge
//! patch per account however many certificates it got. Each patch carries the resourceVersion
//! it was computed from, so a concurrent writer (a token redeem, another replica) is never
//! overwritten: on conflict the Account is read again and the list recomputed. A failed write is
//! queued again for the next interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use futures::StreamExt as _;
use kube::Api;
use kube::api::{Patch, PatchParams};
use kube::runtime::reflector::{ObjectRef, Store};
use prometheus_client::metrics::counter::Counter;

use crate::api::consts::CONTROLLER_MANAGER;
use crate::api::{Account, IssuedCertificate};
use crate::util::time::parse_rfc3339;

/// How many certificates an Account's status lists: the newest.
pub const KEEP: usize = 10;

/// Accounts written at the same time during one flush.
const CONCURRENT_WRITES: usize = 8;

/// Attempts per account and flush when the Account keeps changing underneath.
const ATTEMPTS: usize = 3;

/// The queue of issued certificates and the writer that empties it. Clones share the queue.
#[derive(Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

struct Inner {
    /// Certificates not yet written, per account, oldest first, at most [`KEEP`] each.
    pending: Mutex<HashMap<String, Vec<IssuedCertificate>>>,
    accounts: Api<Account>,
    store: Store<Account>,
    failures: Counter,
    /// One flush at a time (the interval and the final flush at shutdown).
    flushing: tokio::sync::Mutex<()>,
}

enum WriteError {
    /// The Account is gone: its records are dropped.
    Gone,
    /// Try again at the next interval.
    Retry(String),
}

impl Recorder {
    pub(super) fn new(accounts: Api<Account>, store: Store<Account>, failures: Counter) -> Self {
        Self {
            inner: Arc::new(Inner {
                pending: Mutex::default(),
                accounts,
                store,
                failures,
                flushing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Queues a certificate issued to `account`. Never blocks on the apiserver.
    pub fn record(&self, account: &str, certificate: IssuedCertificate) {
        let mut pending = self.lock();
        let list = pending.entry(account.to_string()).or_default();
        list.push(certificate);
        if list.len() > KEEP {
            list.drain(..list.len() - KEEP);
        }
    }

    /// The number of accounts with certificates waiting to be written.
    pub fn pending_accounts(&self) -> usize {
        self.lock().len()
    }

    /// Writes the queue every `interval`, forever.
    pub(super) async fn run(self, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            self.flush_now().await;
        }
    }

    /// Writes everything queued so far.
    pub async fn flush_now(&self) {
        let _one_at_a_time = self.inner.flushing.lock().await;
        let batch = std::mem::take(&mut *self.lock());
        if batch.is_empty() {
            return;
        }
        futures::stream::iter(batch)
            .map(|(name, certificates)| async move {
                match self.write(&name, &certificates).await {
                    Ok(()) => {}
                    Err(WriteError::Gone) => {
                        tracing::debug!(account = %name, "account gone; its certificate records are dropped");
                    }
                    Err(WriteError::Retry(why)) => {
                        self.inner.failures.inc();
                        tracing::warn!(account = %name, error = %why, "cannot record issued certificates; retrying");
                        self.requeue(name, certificates);
                    }
                }
            })
            .buffer_unordered(CONCURRENT_WRITES)
            .collect::<()>()
            .await;
    }

    fn requeue(&self, name: String, mut certificates: Vec<IssuedCertificate>) {
        let mut pending = self.lock();
        let list = pending.entry(name).or_default();
        certificates.append(list);
        if certificates.len() > KEEP {
            certificates.drain(..certificates.len() - KEEP);
        }
        *list = certificates;
    }

    async fn write(&self, name: &str, new: &[IssuedCertificate]) -> Result<(), WriteError> {
        let mut current = self.inner.store.get(&ObjectRef::new(name));
        for _ in 0..ATTEMPTS {
            let Some(account) = current else {
                return Err(WriteError::Gone);
            };
            let existing = account
                .status
                .as_ref()
                .map(|s| s.certificates.as_slice())
                .unwrap_or_default();
            let merged = merge(existing, new, SystemTime::now());
            if merged == existing {
                return Ok(());
            }
            let patch = serde_json::json!({
                "metadata": { "resourceVersion": account.metadata.resource_version },
                "status": { "certificates": merged },
            });
            let params = PatchParams {
                field_manager: Some(CONTROLLER_MANAGER.to_string()),
                ..PatchParams::default()
            };
            match self
                .inner
                .accounts
                .patch_status(name, &params, &Patch::Merge(&patch))
                .await
            {
                Ok(_) => return Ok(()),
                Err(kube::Error::Api(s)) if s.is_not_found() => return Err(WriteError::Gone),
                Err(kube::Error::Api(s)) if s.is_conflict() => {
                    // The store is behind (perhaps our own last write): read the Account itself.
                    current = match self.inner.accounts.get_opt(name).await {
                        Ok(fresh) => fresh.map(Arc::new),
                        Err(e) => return Err(WriteError::Retry(e.to_string())),
                    };
                }
                Err(e) => return Err(WriteError::Retry(e.to_string())),
            }
        }
        Err(WriteError::Retry("the Account kept changing".into()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<IssuedCertificate>>> {
        // The map stays consistent even if a holder panicked: every update is one push/drain.
        self.inner
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// `existing` followed by `new` (both oldest first), without duplicates (by serial) and expired
/// or unreadable entries, cut to the newest [`KEEP`].
pub fn merge(
    existing: &[IssuedCertificate],
    new: &[IssuedCertificate],
    now: SystemTime,
) -> Vec<IssuedCertificate> {
    let mut out: Vec<IssuedCertificate> = Vec::with_capacity(existing.len() + new.len());
    for certificate in existing.iter().chain(new) {
        let live = parse_rfc3339(&certificate.not_after).is_some_and(|t| t > now);
        if live && !out.iter().any(|c| c.serial == certificate.serial) {
            out.push(certificate.clone());
        }
    }
    if out.len() > KEEP {
        out.drain(..out.len() - KEEP);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(serial: &str, not_after: &str) -> IssuedCertificate {
        IssuedCertificate {
            serial: serial.into(),
            not_after: not_after.into(),
        }
    }

    #[test]
    fn merge_keeps_the_newest_ten_live_certificates_once_each() {
        let now = parse_rfc3339("2030-01-01T00:00:00Z").unwrap();
        let existing = vec![
            cert("01", "2029-12-31T23:59:59Z"),
            cert("02", "2030-01-01T00:00:00Z"),
            cert("03", "2030-01-02T00:00:00Z"),
            cert("04", "garbage"),
        ];
        let new: Vec<_> = (5..=15)
            .map(|i| cert(&format!("{i:02}"), "2030-01-02T00:00:00Z"))
            .chain([cert("03", "2030-01-02T00:00:00Z")])
            .collect();
        let merged = merge(&existing, &new, now);
        let serials: Vec<_> = merged.iter().map(|c| c.serial.as_str()).collect();
        assert_eq!(
            serials,
            ["06", "07", "08", "09", "10", "11", "12", "13", "14", "15"]
        );
        let few = merge(&existing, &[], now);
        assert_eq!(few, [cert("03", "2030-01-02T00:00:00Z")]);
    }
}
