//! The change a request makes, as a reviewer reads it: the object as it exists now and as it
//! would be, both as YAML without what the API server keeps for itself, in a unified diff.

use serde_json::Value;

/// The longest diff kept (status must stay far below etcd's object limit); longer ones end with
/// a line saying so.
const MAX_DIFF: usize = 64 * 1024;

/// `object` without what the API server writes itself (uid, resourceVersion, managedFields,
/// timestamps, status), or what kubectl keeps in an annotation: what a person wrote.
pub fn normalized(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
        if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
            for key in [
                "uid",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "managedFields",
                "selfLink",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
            ] {
                meta.remove(key);
            }
            if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
                if annotations.is_empty() {
                    meta.remove("annotations");
                }
            }
        }
    }
    object
}

fn yaml(value: &Value) -> String {
    serde_saphyr::to_string(value).unwrap_or_else(|e| format!("# cannot show as YAML: {e}\n"))
}

/// The unified diff from `current` (absent: a new object) to `wanted` (absent: deleted), both
/// [`normalized`]; empty when they are the same.
pub fn diff(current: Option<&Value>, wanted: Option<&Value>) -> String {
    let old = current.map(|c| yaml(&normalized(c))).unwrap_or_default();
    let new = wanted.map(|w| yaml(&normalized(w))).unwrap_or_default();
    if old == new {
        return String::new();
    }
    let text = similar::TextDiff::from_lines(&old, &new);
    let mut out = text
        .unified_diff()
        .context_radius(3)
        .header(
            if current.is_some() {
                "current"
            } else {
                "/dev/null"
            },
            if wanted.is_some() {
                "requested"
            } else {
                "/dev/null"
            },
        )
        .to_string();
    if out.len() > MAX_DIFF {
        let mut end = MAX_DIFF;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push_str(
            "\n... (diff cut at 64 KiB: see the manifest with ike request show -o yaml)\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_new_object_is_all_additions_and_the_servers_own_fields_are_left_out() {
        let wanted = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "fast"}, "provisioner": "example.com/fast"});
        let d = diff(None, Some(&wanted));
        assert!(d.starts_with("--- /dev/null\n+++ requested\n"), "{d}");
        assert!(d.contains("+provisioner: example.com/fast"), "{d}");
        assert!(
            !d.lines()
                .any(|l| l.starts_with('-') && !l.starts_with("---"))
        );

        let mut current = wanted.clone();
        current["metadata"]["uid"] = json!("u-1");
        current["metadata"]["resourceVersion"] = json!("42");
        current["metadata"]["managedFields"] = json!([{"manager": "x"}]);
        current["status"] = json!({"x": 1});
        assert_eq!(
            diff(Some(&current), Some(&wanted)),
            "",
            "same object: no diff"
        );
    }

    #[test]
    fn a_change_shows_both_sides_and_a_deletion_only_removals() {
        let current = json!({"kind": "StorageClass", "metadata": {"name": "fast"},
            "allowVolumeExpansion": false});
        let wanted = json!({"kind": "StorageClass", "metadata": {"name": "fast"},
            "allowVolumeExpansion": true});
        let d = diff(Some(&current), Some(&wanted));
        assert!(d.contains("-allowVolumeExpansion: false"), "{d}");
        assert!(d.contains("+allowVolumeExpansion: true"), "{d}");
        let gone = diff(Some(&current), None);
        assert!(gone.contains("+++ /dev/null"), "{gone}");
        assert!(gone.contains("-kind: StorageClass"), "{gone}");
    }

    #[test]
    fn a_huge_diff_is_cut_and_says_so() {
        let big: Vec<String> = (0..20_000).map(|i| format!("line-{i}")).collect();
        let wanted =
            json!({"kind": "StorageClass", "metadata": {"name": "x"}, "mountOptions": big});
        let d = diff(None, Some(&wanted));
        assert!(d.len() < MAX_DIFF + 200);
        assert!(d.ends_with("ike request show -o yaml)\n"));
    }
}
