//! Which names ike-controller may hold for which Service: the ConfigMap `ike-office-names` in
//! the controller's namespace, written before a name is first published and cleared after it
//! is removed. It is how a name is found again once the Service no longer says it (a changed
//! annotation, a Service deleted while the controller was down, a finalizer removed by hand):
//! tenants cannot write it, unlike anything kept on their Services.
//!
//! One entry per (name, Service) pair, keyed by a hash of both (ConfigMap keys are limited to
//! 253 characters of `[-._a-zA-Z0-9]`), valued `NAME service/NS/NAME`. Each change is one JSON
//! merge patch of one key, so concurrent reconciles of different Services never conflict.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams, PostParams};

use super::{Error, kube_err};
use crate::api::consts::{CONTROLLER_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE};

/// The ConfigMap's name.
pub const CONFIGMAP: &str = "ike-office-names";

/// The registry, loaded when leadership starts and written through.
pub struct Registry {
    api: Api<ConfigMap>,
    /// Service resource → its names.
    entries: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

/// The entry's key: 32 hex digits of SHA-256 over the name and the resource.
fn key(host: &str, resource: &str) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{host}\n{resource}").as_bytes(),
    );
    digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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

impl Registry {
    /// Reads the ConfigMap in `namespace`, creating it empty if missing.
    pub async fn load(client: &kube::Client, namespace: &str) -> Result<Registry, Error> {
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
        let existing = api.get_opt(CONFIGMAP).await.map_err(kube_err(format!(
            "reading configmap {namespace}/{CONFIGMAP}"
        )))?;
        let data = match existing {
            Some(cm) => cm.data.unwrap_or_default(),
            None => {
                let cm: ConfigMap = serde_json::from_value(serde_json::json!({
                    "metadata": {
                        "name": CONFIGMAP,
                        "labels": { MANAGED_BY_LABEL: MANAGED_BY_VALUE },
                    },
                }))
                .expect("a valid ConfigMap");
                match api.create(&PostParams::default(), &cm).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(s)) if s.code == 409 => {}
                    Err(e) => {
                        return Err(kube_err(format!("creating configmap {CONFIGMAP}"))(e));
                    }
                }
                BTreeMap::new()
            }
        };
        Ok(Registry {
            api,
            entries: Mutex::new(parse(&data)),
        })
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
        self.patch(host, resource, Some(format!("{host} {resource}")))
            .await?;
        self.lock()
            .entry(resource.to_string())
            .or_default()
            .insert(host.to_string());
        Ok(true)
    }

    /// Forgets `host` of `resource` (after removing it from DNS).
    pub async fn remove(&self, resource: &str, host: &str) -> Result<(), Error> {
        self.patch(host, resource, None).await?;
        let mut entries = self.lock();
        if let Some(hosts) = entries.get_mut(resource) {
            hosts.remove(host);
            if hosts.is_empty() {
                entries.remove(resource);
            }
        }
        Ok(())
    }

    async fn patch(&self, host: &str, resource: &str, value: Option<String>) -> Result<(), Error> {
        let patch = serde_json::json!({ "data": { key(host, resource): value } });
        self.api
            .patch(
                CONFIGMAP,
                &PatchParams {
                    field_manager: Some(CONTROLLER_MANAGER.into()),
                    ..Default::default()
                },
                &Patch::Merge(patch),
            )
            .await
            .map_err(kube_err(format!("recording {host} of {resource}")))?;
        Ok(())
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
}
