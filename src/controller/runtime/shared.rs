//! One watch of a kind, shared: a reflector store everyone reads, and a fan-out of the objects
//! it touches that any number of controllers subscribe to.
//!
//! kube-runtime's own shared streams (`store_shared`, `Controller::for_shared_stream`) do not
//! pass deletions on (kube-rs/kube#1590) and hold the watch back while one subscriber is slow;
//! a Pod or RoleBinding that goes away must reach the controllers that care. So the fan-out is a
//! broadcast of every touched object, deletions included, and a subscriber that falls behind is
//! given the whole store again rather than holding everyone else up. The subscriber streams are
//! fed to kube-runtime's `Controller::for_shared_stream` and `watches_shared_stream`.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::{Stream, StreamExt};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::broadcast;

/// How many touched objects wait for a slow subscriber before it is given the whole store.
const BACKLOG: usize = 256;

/// What the watch touched, as the fan-out carries it: a changed object by its key (subscribers
/// read it from the store, so the backlog holds no copies of objects), a deleted one whole (the
/// store no longer has it).
#[derive(Clone)]
enum Touched<K: kube::Resource<DynamicType = ()> + 'static> {
    Changed(reflector::ObjectRef<K>),
    Deleted(Arc<K>),
}

/// One watched kind: its store and the objects its watch touches.
pub struct Shared<K: kube::Resource<DynamicType = ()> + 'static> {
    store: Store<K>,
    touched: broadcast::Sender<Touched<K>>,
    listed: tokio::sync::watch::Receiver<bool>,
    watch: tokio::task::JoinHandle<()>,
}

/// Whether some stores hold their first full list; any number may wait on it. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Listed(Vec<tokio::sync::watch::Receiver<bool>>);

impl Listed {
    /// Listed already (for stores fed by hand, in tests).
    pub fn now() -> Self {
        Self(vec![tokio::sync::watch::channel(true).1])
    }

    /// Never listed (for stores that never fill, in tests).
    pub fn never() -> Self {
        Self(vec![tokio::sync::watch::channel(false).1])
    }

    /// Listed when both are.
    #[must_use]
    pub fn and(mut self, other: Listed) -> Self {
        self.0.extend(other.0);
        self
    }

    /// Whether every store holds its first full list.
    pub fn is_listed(&self) -> bool {
        self.0.iter().all(|r| *r.borrow())
    }

    /// Resolves once every store holds its first full list (never, for a watch that stopped
    /// before).
    pub async fn wait(&self) {
        for receiver in &self.0 {
            let mut receiver = receiver.clone();
            if receiver.wait_for(|listed| *listed).await.is_err() {
                futures::future::pending::<()>().await;
            }
        }
    }
}

/// A kind the controller can watch and share: what kube-runtime's reflector needs.
pub trait Watched:
    kube::Resource<DynamicType = ()>
    + Clone
    + serde::de::DeserializeOwned
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
}

impl<K> Watched for K where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static
{
}

impl<K: Watched> Shared<K> {
    /// Starts watching `api` (filtered by `config`, each object trimmed by `trim` before it is
    /// stored) on the current tokio runtime, once `opened` resolves (the CRDs are installed).
    pub fn start(
        api: kube::Api<K>,
        config: watcher::Config,
        trim: impl FnMut(&mut K) + Send + 'static,
        opened: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Self {
        let (store, writer) = reflector::store::<K>();
        let (touched, _) = broadcast::channel(BACKLOG);
        let (listed_tx, listed) = tokio::sync::watch::channel(false);
        let sender = touched.clone();
        let events =
            reflector::reflector(writer, watcher(api, config).modify(trim)).default_backoff();
        let watch = tokio::spawn(async move {
            opened.await;
            futures::pin_mut!(events);
            while let Some(event) = events.next().await {
                match event {
                    // No subscriber yet is fine: the store has it.
                    Ok(watcher::Event::Apply(object) | watcher::Event::InitApply(object)) => {
                        drop(sender.send(Touched::Changed(reflector::ObjectRef::from_obj(&object))))
                    }
                    Ok(watcher::Event::Delete(object)) => {
                        drop(sender.send(Touched::Deleted(Arc::new(object))))
                    }
                    Ok(watcher::Event::InitDone) => drop(listed_tx.send_replace(true)),
                    Ok(watcher::Event::Init) => {}
                    Err(e) => {
                        tracing::warn!(kind = %K::kind(&()), error = %e, "watch failed; retrying")
                    }
                }
            }
        });
        Self {
            store,
            touched,
            listed,
            watch,
        }
    }

    /// The store (cheap to clone; every clone reads the same objects). Ask [`Shared::listed`]
    /// whether it holds the first full list, not `Store::wait_until_ready` (see the module).
    pub fn store(&self) -> Store<K> {
        self.store.clone()
    }

    /// Whether the store holds its first full list.
    pub fn listed(&self) -> Listed {
        Listed(vec![self.listed.clone()])
    }

    /// Every object of the store once it holds the first full list, then each object the watch
    /// touches (applied or deleted); after falling behind, every object of the store again. A
    /// controller that subscribes late (a new leader) so starts as it would with a watch of its
    /// own, without one.
    pub fn subscribe(&self) -> impl Stream<Item = Arc<K>> + Send + 'static {
        let receiver = self.touched.subscribe();
        let store = self.store.clone();
        let first = {
            let store = store.clone();
            let listed = self.listed();
            async move {
                listed.wait().await;
                futures::stream::iter(store.state())
            }
        };
        let then = futures::stream::unfold(
            (receiver, store, VecDeque::new()),
            |(mut receiver, store, mut again)| async move {
                loop {
                    if let Some(object) = again.pop_front() {
                        return Some((object, (receiver, store, again)));
                    }
                    match receiver.recv().await {
                        Ok(Touched::Changed(key)) => {
                            // Gone since: its deletion follows.
                            if let Some(object) = store.get(&key) {
                                return Some((object, (receiver, store, again)));
                            }
                        }
                        Ok(Touched::Deleted(object)) => {
                            return Some((object, (receiver, store, again)));
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            again.extend(store.state());
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            },
        );
        futures::stream::once(first).flatten().chain(then)
    }
}

impl<K: kube::Resource<DynamicType = ()> + 'static> Drop for Shared<K> {
    fn drop(&mut self) {
        self.watch.abort();
    }
}

/// A mapper for `Controller::watches_shared_stream`: every object in `store` that a change of
/// `changed` concerns, as `concerns(changed, object)` says.
pub fn concerned<K, O>(
    store: Store<K>,
    concerns: impl Fn(&O, &K) -> bool,
) -> impl Fn(Arc<O>) -> Vec<reflector::ObjectRef<K>>
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    move |changed| {
        store
            .state()
            .iter()
            .filter(|object| concerns(&changed, object))
            .map(|object| reflector::ObjectRef::from_obj(&**object))
            .collect()
    }
}

/// A mapper for `Controller::watches_shared_stream`: every object in `store`, whatever changed
/// (a change of the site's settings concerns everyone).
pub fn everything<K, O>(store: Store<K>) -> impl Fn(Arc<O>) -> Vec<reflector::ObjectRef<K>>
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    move |_| {
        store
            .state()
            .iter()
            .map(|object| reflector::ObjectRef::from_obj(&**object))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;

    fn config_map(name: &str) -> ConfigMap {
        let mut cm = ConfigMap::default();
        cm.metadata.name = Some(name.into());
        cm.metadata.namespace = Some("ns".into());
        cm
    }

    /// A `Shared` fed by hand instead of by a watch.
    fn by_hand() -> (Shared<ConfigMap>, reflector::store::Writer<ConfigMap>) {
        let (store, writer) = reflector::store::<ConfigMap>();
        let (touched, _) = broadcast::channel(4);
        let shared = Shared {
            store,
            touched,
            listed: tokio::sync::watch::channel(true).1,
            watch: tokio::spawn(async {}),
        };
        (shared, writer)
    }

    fn names(objects: &[Arc<ConfigMap>]) -> Vec<String> {
        let mut names: Vec<String> = objects
            .iter()
            .map(|o| o.metadata.name.clone().unwrap_or_default())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_late_subscriber_gets_the_store_then_changes_deletions_included() {
        let (shared, mut writer) = by_hand();
        writer.apply_watcher_event(&watcher::Event::Init);
        writer.apply_watcher_event(&watcher::Event::InitApply(config_map("a")));
        writer.apply_watcher_event(&watcher::Event::InitApply(config_map("b")));
        writer.apply_watcher_event(&watcher::Event::InitDone);
        let mut stream = Box::pin(shared.subscribe());
        let first: Vec<_> = vec![stream.next().await.unwrap(), stream.next().await.unwrap()];
        assert_eq!(names(&first), ["a", "b"]);
        // A deletion reaches the subscriber with the object as it was.
        writer.apply_watcher_event(&watcher::Event::Delete(config_map("a")));
        let sent = shared
            .touched
            .send(Touched::Deleted(Arc::new(config_map("a"))));
        assert!(sent.is_ok(), "the subscriber is listening");
        assert_eq!(names(&[stream.next().await.unwrap()]), ["a"]);
        assert_eq!(names(&shared.store().state()), ["b"]);
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_gets_the_whole_store_again() {
        let (shared, mut writer) = by_hand();
        writer.apply_watcher_event(&watcher::Event::Init);
        writer.apply_watcher_event(&watcher::Event::InitDone);
        let mut stream = Box::pin(shared.subscribe());
        for i in 0..10 {
            let object = config_map(&format!("cm{i}"));
            writer.apply_watcher_event(&watcher::Event::Apply(object.clone()));
            let _ = shared
                .touched
                .send(Touched::Changed(reflector::ObjectRef::from_obj(&object)));
        }
        // The backlog holds 4; the 6 lost are made up for by the store (all 10).
        let mut seen = Vec::new();
        for _ in 0..14 {
            seen.push(stream.next().await.unwrap());
        }
        let mut got = names(&seen);
        got.dedup();
        assert_eq!(got.len(), 10, "{got:?}");
    }
}

#[cfg(test)]
mod listed {
    use super::*;

    #[tokio::test]
    async fn every_waiter_is_woken_once_the_store_is_listed() {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let listed = Listed(vec![rx]);
        let waiters: Vec<_> = (0..5)
            .map(|_| {
                let listed = listed.clone();
                tokio::spawn(async move { listed.wait().await })
            })
            .collect();
        assert!(!listed.is_listed());
        tokio::task::yield_now().await;
        tx.send_replace(true);
        for waiter in waiters {
            tokio::time::timeout(std::time::Duration::from_secs(1), waiter)
                .await
                .expect("a waiter was never woken")
                .unwrap();
        }
        assert!(listed.and(Listed::now()).is_listed());
    }
}
