//! Server-side apply that writes only when something would change, for the objects the
//! controller keeps in place at start-up (CRDs, platform RBAC, its namespace, the webhook
//! configuration): a restart with nothing to do writes nothing.
//!
//! What "would change" is asked of the API server itself, with a dry-run apply, and compared
//! with what is stored: a comparison with the object as written here would see every field the
//! server defaults as a difference.

use kube::Resource;
use kube::api::{Api, Patch, PatchParams};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::consts::CONTROLLER_MANAGER;

/// Applies `object` as the controller (taking over fields others set) unless the API server
/// says the apply would leave the stored object as it is. Returns whether it wrote.
pub async fn apply_if_changed<K>(api: &Api<K>, name: &str, object: &K) -> Result<bool, kube::Error>
where
    K: Resource + Clone + Serialize + DeserializeOwned + std::fmt::Debug,
{
    let params = PatchParams::apply(CONTROLLER_MANAGER).force();
    if let Some(stored) = api.get_opt(name).await? {
        let dry_run = PatchParams {
            dry_run: true,
            ..params.clone()
        };
        let would_be = api.patch(name, &dry_run, &Patch::Apply(object)).await?;
        if comparable(&stored) == comparable(&would_be) {
            return Ok(false);
        }
    }
    api.patch(name, &params, &Patch::Apply(object)).await?;
    Ok(true)
}

/// The object without what every write changes by itself (resourceVersion, generation,
/// managedFields) and without its status, which the apply does not set.
fn comparable<K: Serialize>(object: &K) -> serde_json::Value {
    let mut value = serde_json::to_value(object).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("status");
        if let Some(meta) = object.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            for key in ["resourceVersion", "generation", "managedFields"] {
                meta.remove(key);
            }
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookkeeping_and_status_do_not_count_as_changes() {
        let a = serde_json::json!({
            "metadata": {"name": "n", "resourceVersion": "1", "generation": 1, "managedFields": [1]},
            "spec": {"x": 1}, "status": {"y": 1},
        });
        let mut b = a.clone();
        b["metadata"]["resourceVersion"] = "2".into();
        b["metadata"]["generation"] = 2.into();
        b["metadata"]["managedFields"] = serde_json::json!([2]);
        b["status"]["y"] = 2.into();
        assert_eq!(comparable(&a), comparable(&b));
        b["spec"]["x"] = 2.into();
        assert_ne!(comparable(&a), comparable(&b));
        b["spec"]["x"] = 1.into();
        b["metadata"]["labels"] = serde_json::json!({"l": "v"});
        assert_ne!(comparable(&a), comparable(&b));
    }
}
