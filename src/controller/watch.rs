//! Watches kept in reflector stores, shared by the reconcilers and the webhooks.

/// A store of every `K`, and the stream of changed objects that keeps it current (poll it).
///
/// The store keeps objects without managedFields: at hundreds of tenants they are most of the
/// bytes, and nothing in the controller reads them. With `K = PartialObjectMeta<T>` only the
/// metadata is fetched (for objects whose status is large and unread, such as nodes).
pub fn reflect<K>(
    client: &kube::Client,
) -> (
    kube::runtime::reflector::Store<K>,
    impl futures::Stream<Item = Result<K, kube::runtime::watcher::Error>> + Send + 'static,
)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    use kube::runtime::WatchStreamExt;
    let (store, writer) = kube::runtime::reflector::store::<K>();
    let events = kube::runtime::reflector::reflector(
        writer,
        kube::runtime::watcher(kube::Api::<K>::all(client.clone()), Default::default())
            .modify(|o| kube::ResourceExt::managed_fields_mut(o).clear()),
    )
    .default_backoff()
    .touched_objects();
    (store, events)
}

/// A mapper for `Controller::watches_stream`: every object in `store` that a change of `changed`
/// concerns, as `concerns(changed, object)` says.
pub fn concerned<K, O>(
    store: kube::runtime::reflector::Store<K>,
    concerns: impl Fn(&O, &K) -> bool,
) -> impl Fn(O) -> Vec<kube::runtime::reflector::ObjectRef<K>>
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    move |changed| {
        store
            .state()
            .iter()
            .filter(|object| concerns(&changed, object))
            .map(|object| kube::runtime::reflector::ObjectRef::from_obj(&**object))
            .collect()
    }
}
