//! Which names ike-controller may hold for which Service: ConfigMaps in the controller's
//! namespace, written before a name is first published and cleared after it is removed. It is
//! how a name is found again once the Service no longer says it (a changed annotation, a Service
//! deleted while the controller was down, a finalizer removed by hand): tenants cannot write
//! them, unlike anything kept on their Services.
//!
//! One entry per (name, Service) pair, keyed by a hash of both (ConfigMap keys are limited to
//! 253 characters of `[-._a-zA-Z0-9]`), valued `NAME service/NS/NAME`. Each change is one JSON
//! merge patch of one key, so concurrent reconciles of different Services never conflict.
//!
//! The entries are split over [`SHARDS`] ConfigMaps by a hash of the Service's namespace
//! (`ike-office-names-00` to `-3f`, labelled [`SHARD_LABEL`], each made on its first entry), so
//! that the registry grows with the site instead of against one object's 1 MiB (about 8,000
//! entries each: half a million names over the shards, where each tenant may have 100 by
//! default).
//! Earlier versions kept every entry in one ConfigMap, [`LEGACY_CONFIGMAP`]: [`Registry::load`]
//! moves its entries into the shards and deletes it, so no published name is forgotten.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, Preconditions};

use super::Error;
use crate::api::consts::{CONTROLLER_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE};
use crate::api::office::parse_resource;
use crate::controller::runtime::kube_err;

/// The single ConfigMap of earlier versions, migrated into the shards at start.
pub const LEGACY_CONFIGMAP: &str = "ike-office-names";
/// The label of the shards (value: [`MANAGED_BY_VALUE`]).
pub const SHARD_LABEL: &str = "ike.dev/office-names";
/// How many shards the entries are split over. Fixed: an entry's shard is a function of it.
pub const SHARDS: u8 = 64;

/// The registry, loaded when leadership starts and written through.
pub struct Registry {
    api: Api<ConfigMap>,
    /// Service resource → its names.
    entries: Mutex<BTreeMap<String, BTreeSet<String>>>,
    /// The shards that exist.
    shards: Mutex<BTreeSet<String>>,
}

/// The entry's key: 32 hex digits of SHA-256 over the name and the resource.
fn key(host: &str, resource: &str) -> String {
    hex(&digest(&format!("{host}\n{resource}"))[..16])
}

fn digest(text: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, text.as_bytes())
        .as_ref()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The shard (ConfigMap name) of `resource`: by its namespace, so that one namespace's names
/// stay together.
pub fn shard_of(resource: &str) -> String {
    let namespace = parse_resource(resource).map_or(resource, |(ns, _)| ns);
    format!("{LEGACY_CONFIGMAP}-{:02x}", digest(namespace)[0] % SHARDS)
}

/// The entries of a ConfigMap's data; values that are not `NAME RESOURCE` are skipped.
fn parse(data: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut entries: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for value in data.values() {
        if let Some((host, resource)) = value.split_once(' ') {
            entries
                .entry(resource.to_string())
                .or_default()
                .insert(host.to_string());
        }
    }
    entries
}

/// `entries` as the data of each shard they belong to.
fn by_shard(
    entries: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut shards: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (resource, hosts) in entries {
        let data = shards.entry(shard_of(resource)).or_default();
        for host in hosts {
            data.insert(key(host, resource), format!("{host} {resource}"));
        }
    }
    shards
}

impl Registry {
    /// Reads the shards in `namespace`, moving the entries of [`LEGACY_CONFIGMAP`] into them
    /// first if it exists (then deleting it, on the condition that it is still the version
    /// read).
    pub async fn load(client: &kube::Client, namespace: &str) -> Result<Registry, Error> {
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
        let listed = api
            .list(&ListParams::default().labels(SHARD_LABEL))
            .await
            .map_err(kube_err(format!(
                "listing the Office name registry in {namespace}"
            )))?;
        let mut entries: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut shards = BTreeSet::new();
        for cm in listed.items {
            shards.insert(cm.name_any());
            for (resource, hosts) in parse(&cm.data.unwrap_or_default()) {
                entries.entry(resource).or_default().extend(hosts);
            }
        }
        let registry = Registry {
            api,
            entries: Mutex::new(entries),
            shards: Mutex::new(shards),
        };
        registry.migrate().await?;
        Ok(registry)
    }

    /// Moves the entries of [`LEGACY_CONFIGMAP`] into the shards and deletes it.
    async fn migrate(&self) -> Result<(), Error> {
        let Some(legacy) = self
            .api
            .get_opt(LEGACY_CONFIGMAP)
            .await
            .map_err(kube_err(format!("reading configmap {LEGACY_CONFIGMAP}")))?
        else {
            return Ok(());
        };
        let old = parse(&legacy.data.clone().unwrap_or_default());
        for (shard, data) in by_shard(&old) {
            self.write(&shard, serde_json::to_value(&data).unwrap_or_default())
                .await?;
        }
        {
            let mut entries = self.lock();
            for (resource, hosts) in &old {
                entries
                    .entry(resource.clone())
                    .or_default()
                    .extend(hosts.iter().cloned());
            }
        }
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                resource_version: legacy.resource_version(),
                uid: None,
            }),
            ..DeleteParams::default()
        };
        match self.api.delete(LEGACY_CONFIGMAP, &params).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => {
                return Err(kube_err(format!("deleting configmap {LEGACY_CONFIGMAP}"))(e).into());
            }
        }
        tracing::info!(
            names = old.values().map(BTreeSet::len).sum::<usize>(),
            "moved the Office name registry into its shards"
        );
        Ok(())
    }

    /// The names registered for `resource`, sorted.
    pub fn hosts_of(&self, resource: &str) -> BTreeSet<String> {
        self.lock().get(resource).cloned().unwrap_or_default()
    }

    /// Every resource with a name registered.
    pub fn resources(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Records that `resource` may hold `host` (before publishing it). Writes only if new.
    pub async fn add(&self, resource: &str, host: &str) -> Result<bool, Error> {
        if self.lock().get(resource).is_some_and(|h| h.contains(host)) {
            return Ok(false);
        }
        let data = serde_json::json!({ key(host, resource): format!("{host} {resource}") });
        self.write(&shard_of(resource), data).await?;
        self.lock()
            .entry(resource.to_string())
            .or_default()
            .insert(host.to_string());
        Ok(true)
    }

    /// Forgets `host` of `resource` (after removing it from DNS).
    pub async fn remove(&self, resource: &str, host: &str) -> Result<(), Error> {
        let shard = shard_of(resource);
        if self.has_shard(&shard) {
            let data = serde_json::json!({ key(host, resource): null });
            self.write(&shard, data).await?;
        }
        let mut entries = self.lock();
        if let Some(hosts) = entries.get_mut(resource) {
            hosts.remove(host);
            if hosts.is_empty() {
                entries.remove(resource);
            }
        }
        Ok(())
    }

    /// Merges `data` (keys to values, or to null to remove) into `shard`, making it first if
    /// it does not exist.
    async fn write(&self, shard: &str, data: serde_json::Value) -> Result<(), Error> {
        let what = || format!("writing the Office name registry ({shard})");
        if !self.has_shard(shard) {
            let cm: ConfigMap = serde_json::from_value(serde_json::json!({
                "metadata": {
                    "name": shard,
                    "labels": { MANAGED_BY_LABEL: MANAGED_BY_VALUE, SHARD_LABEL: MANAGED_BY_VALUE },
                },
            }))
            .map_err(|e| Error::Encode(e.to_string()))?;
            let params = PostParams {
                field_manager: Some(CONTROLLER_MANAGER.into()),
                ..PostParams::default()
            };
            match self.api.create(&params, &cm).await {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 409 => {}
                Err(e) => return Err(kube_err(what())(e).into()),
            }
            self.shards
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(shard.to_string());
        }
        self.api
            .patch(
                shard,
                &PatchParams {
                    field_manager: Some(CONTROLLER_MANAGER.into()),
                    ..Default::default()
                },
                &Patch::Merge(serde_json::json!({ "data": data })),
            )
            .await
            .map_err(kube_err(what()))?;
        Ok(())
    }

    fn has_shard(&self, shard: &str) -> bool {
        self.shards
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(shard)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, BTreeSet<String>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_valid_configmap_keys_for_any_pair() {
        let long_host = format!("{}.office.local", "a".repeat(240));
        let k = key(&long_host, "service/team-a/web");
        assert_eq!(k.len(), 32);
        assert!(k.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(k, key(&long_host, "service/team-a/web2"));
    }

    #[test]
    fn entries_group_names_by_service_and_skip_garbage() {
        let data: BTreeMap<String, String> = [
            ("k1", "a.office.local service/t/web"),
            ("k2", "b.office.local service/t/web"),
            ("k3", "c.office.local service/t/db"),
            ("k4", "garbage"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let entries = parse(&data);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries["service/t/web"].len(), 2);
    }

    #[test]
    fn a_namespaces_names_share_one_of_the_fixed_shards_and_the_legacy_entries_move_there() {
        assert_eq!(
            shard_of("service/team-a/web"),
            shard_of("service/team-a/db")
        );
        let shards: BTreeSet<String> = (0..2000)
            .map(|i| shard_of(&format!("service/ns-{i}/web")))
            .collect();
        assert_eq!(shards.len(), SHARDS as usize, "every shard is used");
        for shard in &shards {
            let suffix = shard.strip_prefix("ike-office-names-").unwrap();
            assert!(u8::from_str_radix(suffix, 16).unwrap() < SHARDS);
        }
        // The legacy ConfigMap's data, moved: each entry keeps its key and value, in its shard.
        let legacy: BTreeMap<String, String> = [
            ("x", "a.office.local service/team-a/web"),
            ("y", "b.office.local service/team-b/web"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let moved = by_shard(&parse(&legacy));
        let in_shards: BTreeMap<&String, &String> =
            moved.values().flat_map(|data| data.iter()).collect();
        assert_eq!(in_shards.len(), 2);
        assert_eq!(
            moved[&shard_of("service/team-a/web")][&key("a.office.local", "service/team-a/web")],
            "a.office.local service/team-a/web"
        );
        let reread: BTreeMap<String, BTreeSet<String>> = moved.values().flat_map(parse).collect();
        assert_eq!(reread, parse(&legacy), "nothing lost");
    }
}
