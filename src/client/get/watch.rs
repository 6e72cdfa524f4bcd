//! `ike get -w`: one Table watch per namespace, merged into one stream of rows.
//!
//! kube-runtime's `watcher` is typed and sends its own Accept, so it cannot ask for the server's
//! rows; this is the raw watch. Each namespace keeps what it printed (name → uid,
//! resourceVersion, cells) and the last resourceVersion seen. A stream that ends (the server's
//! timeout, an API server restart) is watched again from that resourceVersion after a backoff;
//! 410 Gone (the server no longer has it) means a fresh list, diffed against what was printed,
//! so that no change is lost and no line repeats. Each watch is made with a client leased from
//! [`Renewing`], and ends when the lease does: a watch outlives the certificate it began with.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt as _;
use kube::api::WatchParams;
use kube::core::WatchEvent;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::discovery::ApiKind;
use super::fetch::{Place, Selectors, list_at, with_table};
use crate::client::renewing::Renewing;
use crate::client::table::{Row, page};

/// The server ends a watch after this many seconds; it is watched again at once.
const WATCH_TIMEOUT: u32 = 290;
/// The first and the longest wait before watching again after an error.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(100), Duration::from_secs(2));

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// It appeared.
    Added,
    /// It changed.
    Modified,
    /// It is gone (the row is its last known state).
    Deleted,
}

impl Change {
    /// kubectl's word for it (`--output-watch-events`).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "ADDED",
            Change::Modified => "MODIFIED",
            Change::Deleted => "DELETED",
        }
    }
}

/// What a namespace's watcher tells the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A row to print.
    Event(Change, Row),
    /// A line for stderr (a namespace that cannot be watched right now).
    Warning(String),
}

/// What one namespace's watcher printed: its objects by name.
pub type Known = BTreeMap<String, Row>;

/// Applies one watch event to `known`; the row to print, unless it was printed already (the
/// same uid and resourceVersion) or deletes what was never printed.
pub fn apply(known: &mut Known, change: Change, row: Row) -> Option<(Change, Row)> {
    match change {
        Change::Deleted => {
            known.remove(&row.name)?;
            Some((Change::Deleted, row))
        }
        Change::Added | Change::Modified => {
            let change = match known.get(&row.name) {
                Some(k) if k.uid == row.uid && k.resource_version == row.resource_version => {
                    return None;
                }
                Some(k) if k.uid == row.uid => Change::Modified,
                Some(_) => Change::Added,
                None => Change::Added,
            };
            known.insert(row.name.clone(), row.clone());
            Some((change, row))
        }
    }
}

/// The rows a fresh list means against what was printed: new names and new uids as added,
/// a new resourceVersion as modified, names gone as deleted (with their last cells), nothing
/// for what is unchanged. `known` becomes the fresh list.
pub fn relist_diff(known: &mut Known, fresh: Vec<Row>) -> Vec<(Change, Row)> {
    let mut out = Vec::new();
    let fresh_names: std::collections::BTreeSet<String> =
        fresh.iter().map(|r| r.name.clone()).collect();
    let gone: Vec<String> = known
        .keys()
        .filter(|k| !fresh_names.contains(*k))
        .cloned()
        .collect();
    for name in gone {
        if let Some(row) = known.remove(&name) {
            out.push((Change::Deleted, row));
        }
    }
    for row in fresh {
        if let Some(replaced_uid) = known.get(&row.name).map(|k| k.uid != row.uid)
            && replaced_uid
            && let Some(old) = known.remove(&row.name)
        {
            // Deleted and made again while the watch was gone.
            out.push((Change::Deleted, old));
        }
        out.extend(apply(known, Change::Added, row));
    }
    out
}

/// Watches `kind` in `place` from `resource_version`, having printed `initial`, until the
/// printer goes away. Every row goes to `tx`; a namespace that cannot be watched (the
/// certificate expired, access was taken away) is said once on stderr and tried again.
pub async fn watch(
    clients: std::sync::Arc<Renewing>,
    kind: ApiKind,
    place: Place,
    sel: Selectors,
    initial: Vec<Row>,
    mut resource_version: String,
    tx: UnboundedSender<Message>,
) {
    let mut known: Known = initial.into_iter().map(|r| (r.name.clone(), r)).collect();
    let mut backoff = Backoff::default();
    let mut warned = false;
    let mut denied_before = false;
    let mut relist = false;
    let ns = place.namespace.clone();
    let tag = |mut r: Row| {
        r.tenant = place.tenant.clone();
        if r.namespace.is_empty() {
            r.namespace = place.namespace.clone();
        }
        r
    };
    let warn = |warned: &mut bool, line: String| {
        !std::mem::replace(warned, true) && tx.send(Message::Warning(line)).is_err()
    };
    loop {
        let lease = match clients.lease().await {
            Ok(lease) => lease,
            Err(e) => {
                if warn(&mut warned, format!("namespace {ns}: {e}; retrying")) {
                    return;
                }
                tokio::time::sleep(backoff.next()).await;
                continue;
            }
        };
        let client = lease.client;
        if relist {
            // 410 Gone: a fresh list, with a client leased as for a watch (a relist that
            // outlasts a certificate goes on with the renewed one).
            match list_at(&client, &kind, Some(&ns), &sel, None).await {
                Ok(page) => {
                    let fresh = page.rows.into_iter().map(tag).collect();
                    for (change, row) in relist_diff(&mut known, fresh) {
                        if tx.send(Message::Event(change, row)).is_err() {
                            return;
                        }
                    }
                    resource_version = page.resource_version;
                    relist = false;
                }
                Err(e) => {
                    if matches!(&e, kube::Error::Api(s) if s.code == 401) {
                        clients.refused().await;
                    }
                    let line = format!("namespace {ns}: cannot list again: {e}; retrying");
                    if warn(&mut warned, line) {
                        return;
                    }
                    tokio::time::sleep(backoff.next()).await;
                }
            }
            continue;
        }
        match watch_once(
            &client,
            &kind,
            &ns,
            &sel,
            lease.for_at_most,
            &mut resource_version,
            &mut known,
            &tx,
            &tag,
        )
        .await
        {
            Ended::Closed => return,
            Ended::Again { healthy } => {
                if healthy {
                    backoff = Backoff::default();
                    warned = false;
                }
            }
            Ended::Denied(status) => {
                // A certificate renewed elsewhere, or a credential of the engineer's own: a
                // new client first. Said when it happens twice in a row (an API server that is
                // starting refuses for a moment).
                if status.code == 401 {
                    clients.refused().await;
                }
                let line = format!("namespace {ns}: {}; retrying", status.message);
                if denied_before && warn(&mut warned, line) {
                    return;
                }
                denied_before = true;
                tokio::time::sleep(backoff.next()).await;
                continue;
            }
            Ended::Gone => {
                tracing::info!(namespace = %ns, "410 Gone: listing again");
                relist = true;
            }
            Ended::Failed(e) => {
                tracing::debug!(namespace = %ns, error = %e, "watch failed; watching again");
                tokio::time::sleep(backoff.next()).await;
            }
        }
        denied_before = false;
        if tx.is_closed() {
            return;
        }
    }
}

enum Ended {
    /// The printer is gone.
    Closed,
    /// The stream ended; `healthy` when it delivered anything (the backoff starts over).
    Again { healthy: bool },
    /// 410 Gone: list again.
    Gone,
    /// 401 or 403: the credentials are refused, or no longer allow the watch.
    Denied(Box<kube::core::Status>),
    /// No stream (the API server is down or restarting).
    Failed(kube::Error),
}

#[allow(clippy::too_many_arguments)]
async fn watch_once(
    client: &kube::Client,
    kind: &ApiKind,
    ns: &str,
    sel: &Selectors,
    for_at_most: Option<Duration>,
    resource_version: &mut String,
    known: &mut Known,
    tx: &UnboundedSender<Message>,
    tag: &impl Fn(Row) -> Row,
) -> Ended {
    let params = WatchParams {
        label_selector: sel.labels.clone(),
        field_selector: sel.fields.clone(),
        // Ends when the client's lease does, so that the next is made with a renewed one.
        timeout: Some(for_at_most.map_or(WATCH_TIMEOUT, |d| {
            u32::try_from(d.as_secs()).map_or(WATCH_TIMEOUT, |s| s.clamp(1, WATCH_TIMEOUT))
        })),
        // A bookmark's Table is not one kube's `Bookmark` is sure to parse; a quiet namespace
        // whose resourceVersion is too old after a restart gets 410 and a re-list instead.
        bookmarks: false,
        ..WatchParams::default()
    };
    let mut request = match kube::core::Request::new(kind.path(Some(ns)))
        .watch(&params, resource_version)
        .map_err(kube::Error::BuildRequest)
    {
        Ok(r) => r,
        Err(e) => return Ended::Failed(e),
    };
    if let Err(e) = with_table(&mut request) {
        return Ended::Failed(e);
    }
    let stream = match client.request_events::<Value>(request).await {
        Ok(s) => s,
        Err(kube::Error::Api(s)) if s.code == 410 => return Ended::Gone,
        Err(kube::Error::Api(s)) if s.code == 401 || s.code == 403 => return Ended::Denied(s),
        Err(e) => return Ended::Failed(e),
    };
    let mut stream = std::pin::pin!(stream);
    let mut healthy = false;
    while let Some(item) = stream.next().await {
        let (change, table) = match item {
            Ok(WatchEvent::Added(t)) => (Change::Added, t),
            Ok(WatchEvent::Modified(t)) => (Change::Modified, t),
            Ok(WatchEvent::Deleted(t)) => (Change::Deleted, t),
            Ok(WatchEvent::Bookmark(b)) => {
                *resource_version = b.metadata.resource_version;
                continue;
            }
            Ok(WatchEvent::Error(s)) if s.code == 410 => return Ended::Gone,
            Ok(WatchEvent::Error(s)) => {
                tracing::debug!(namespace = %ns, status = ?s, "watch error event");
                return Ended::Again { healthy };
            }
            Err(e) => {
                tracing::debug!(namespace = %ns, error = %e, "watch stream broke");
                return Ended::Again { healthy };
            }
        };
        healthy = true;
        let page = page(&table);
        for row in page.rows {
            let row = tag(row);
            if !row.resource_version.is_empty() {
                resource_version.clone_from(&row.resource_version);
            } else if !page.resource_version.is_empty() {
                resource_version.clone_from(&page.resource_version);
            }
            if let Some((change, row)) = apply(known, change, row)
                && tx.send(Message::Event(change, row)).is_err()
            {
                return Ended::Closed;
            }
        }
    }
    Ended::Again { healthy }
}

/// 100 ms doubling to 2 s, each wait ±20 % so that 50 watchers do not come back in step.
#[derive(Debug)]
struct Backoff(Duration);

impl Default for Backoff {
    fn default() -> Self {
        Backoff(BACKOFF.0)
    }
}

impl Backoff {
    fn next(&mut self) -> Duration {
        let now = self.0;
        self.0 = (self.0 * 2).min(BACKOFF.1);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        // 0.8 .. 1.2
        let factor = 0.8 + f64::from(nanos % 1000) / 2500.0;
        now.mul_f64(factor)
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
