//! ike's own entries in a kubeconfig: added, replaced and removed on an order-preserving
//! generic value, never on kube-rs's typed `Kubeconfig`, which drops every field it does not
//! model. Everything ike does not write survives as a value and in its order; comments and
//! formatting do not (serde-saphyr does not keep them).

use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt as _;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::file::{LISTS, WriteError, read, resolve, write};
use super::lock::Lock;
use crate::api::consts::{CONTEXT_PREFIX, context_name};
use crate::util::fs::parent;

/// The exec credential API the installed kubectl (1.32) speaks.
const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1";

/// Everything ike writes for one site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteEntry {
    /// The site; its cluster, user and context are all named `ike-<site>`.
    pub site: String,
    /// The kube-apiserver URL.
    pub server: String,
    /// The cluster CA in PEM, written base64-encoded as `certificate-authority-data`.
    pub ca_pem: String,
    /// The context's namespace; `None` keeps whatever namespace the context already has.
    pub namespace: Option<String>,
    /// The absolute path of the ike binary: the user entry is an exec credential plugin, not
    /// embedded certificates.
    pub exec_command: String,
    /// Its arguments, e.g. `["credential", "--site", "<site>"]`.
    pub exec_args: Vec<String>,
}

/// Adds or replaces the cluster, user and context `ike-<site>` in `file`, keeping every other
/// entry, its order and unknown fields; sets current-context to it when `switch` is true.
/// Creates the file (and its directory, 0700) if missing.
///
/// In ike's own entries, fields ike does not write are kept too, except those that would
/// contradict it: `certificate-authority` and `insecure-skip-tls-verify` of the cluster, and
/// every credential of the user (its `user` mapping is replaced whole). Nothing is written when
/// the file already says all of it.
pub fn upsert_site(file: &Path, entry: &SiteEntry, switch: bool) -> Result<(), WriteError> {
    let target = resolve(file);
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(parent(file))
        .map_err(|source| WriteError::Write {
            path: file.to_path_buf(),
            source,
        })?;
    let _lock = Lock::acquire(file)?;
    let original = read(&target)?;
    let mut config = original.clone().unwrap_or_else(new_config);
    upsert(&mut config, entry, switch);
    if original.as_ref() != Some(&config) {
        write(&target, &config)?;
    }
    Ok(())
}

/// Removes the cluster, user and context `ike-<site>` and nothing else; clears current-context
/// only if it pointed at it. Ok(false) if nothing was there.
pub fn remove_site(file: &Path, site: &str) -> Result<bool, WriteError> {
    let target = resolve(file);
    if !target.exists() {
        return Ok(false);
    }
    let _lock = Lock::acquire(file)?;
    let Some(mut config) = read(&target)? else {
        return Ok(false);
    };
    let removed = remove(&mut config, &context_name(site));
    if removed {
        write(&target, &config)?;
    }
    Ok(removed)
}

/// The sites (names after `ike-`) whose context is in `file`, in file order.
pub fn sites_in(file: &Path) -> Result<Vec<String>, WriteError> {
    // No lock: writers replace the file by rename, so a reader sees one whole version.
    let Some(config) = read(file)? else {
        return Ok(Vec::new());
    };
    let mut sites: Vec<String> = Vec::new();
    for context in entries(&config, "contexts") {
        let site = context
            .get("name")
            .and_then(Value::as_str)
            .and_then(|name| name.strip_prefix(CONTEXT_PREFIX))
            .filter(|site| !site.is_empty());
        if let Some(site) = site
            && !sites.iter().any(|s| s == site)
        {
            sites.push(site.to_string());
        }
    }
    Ok(sites)
}

/// What kubectl writes into a new file (its keys in kubectl's order).
fn new_config() -> Map<String, Value> {
    let value = json!({
        "apiVersion": "v1",
        "clusters": [],
        "contexts": [],
        "current-context": "",
        "kind": "Config",
        "preferences": {},
        "users": [],
    });
    match value {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object literal is an object"),
    }
}

fn upsert(config: &mut Map<String, Value>, entry: &SiteEntry, switch: bool) {
    let name = context_name(&entry.site);

    let cluster = named_entry(list_mut(config, "clusters"), &name, "cluster");
    cluster.shift_remove("certificate-authority");
    cluster.shift_remove("insecure-skip-tls-verify");
    cluster.insert("server".into(), entry.server.clone().into());
    cluster.insert(
        "certificate-authority-data".into(),
        base64(entry.ca_pem.as_bytes()),
    );

    let user = named_entry(list_mut(config, "users"), &name, "user");
    *user = Map::new();
    user.insert(
        "exec".into(),
        json!({
            "apiVersion": EXEC_API_VERSION,
            "command": entry.exec_command,
            "args": entry.exec_args,
            "interactiveMode": "Never",
            "provideClusterInfo": false,
        }),
    );

    let context = named_entry(list_mut(config, "contexts"), &name, "context");
    context.insert("cluster".into(), name.clone().into());
    context.insert("user".into(), name.clone().into());
    if let Some(namespace) = &entry.namespace {
        context.insert("namespace".into(), namespace.clone().into());
    }

    if switch {
        config.insert("current-context".into(), name.into());
    }
}

fn remove(config: &mut Map<String, Value>, name: &str) -> bool {
    let mut removed = false;
    for key in LISTS {
        if let Some(Value::Array(list)) = config.get_mut(key) {
            let before = list.len();
            list.retain(|item| !has_name(item, name));
            removed |= list.len() != before;
        }
    }
    if config.get("current-context").and_then(Value::as_str) == Some(name) {
        config.insert("current-context".into(), "".into());
        removed = true;
    }
    removed
}

/// The list under `key`, made an empty one if absent or null (kubectl writes `users: null`).
fn list_mut<'a>(config: &'a mut Map<String, Value>, key: &str) -> &'a mut Vec<Value> {
    let slot = config.entry(key).or_insert(Value::Null);
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut().expect("just made a list")
}

/// The `field` mapping (`cluster`, `user`, `context`) of the entry named `name`, appended if
/// missing. Later entries of the same name are dropped: they would contradict this one.
fn named_entry<'a>(
    list: &'a mut Vec<Value>,
    name: &str,
    field: &str,
) -> &'a mut Map<String, Value> {
    let index = match list.iter().position(|item| has_name(item, name)) {
        Some(index) => {
            for later in (index + 1..list.len()).rev() {
                if has_name(&list[later], name) {
                    list.remove(later);
                }
            }
            index
        }
        None => {
            let mut item = Map::new();
            item.insert("name".into(), name.into());
            item.insert(field.into(), Value::Object(Map::new()));
            list.push(Value::Object(item));
            list.len() - 1
        }
    };
    let item = list[index]
        .as_object_mut()
        .expect("only mappings have a name");
    let inner = item
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    if !inner.is_object() {
        *inner = Value::Object(Map::new());
    }
    inner.as_object_mut().expect("just made a mapping")
}

pub(super) fn has_name(item: &Value, name: &str) -> bool {
    item.get("name").and_then(Value::as_str) == Some(name)
}

pub(super) fn entries<'a>(
    config: &'a Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a Value> {
    config
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// `certificate-authority-data` holds the PEM in standard, padded base64.
fn base64(bytes: &[u8]) -> Value {
    // k8s-openapi's ByteString is Go's []byte on the wire; reusing it saves a base64 dependency.
    serde_json::to_value(k8s_openapi::ByteString(bytes.to_vec()))
        .expect("a byte string serializes as a string")
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::client::kubeconfig::file::LISTS;
    use crate::client::kubeconfig::fixtures::*;

    #[test]
    fn merging_keeps_every_other_entry_its_order_and_unknown_fields() {
        let (dir, file) = foreign_file();
        let before = parse(&file);
        upsert_site(&file, &entry("tokyo", "https://tokyo.example:6443"), true).unwrap();
        let after = parse(&file);

        for key in LISTS {
            assert_eq!(
                without_ike(&after, key),
                before[key].as_array().unwrap().clone()
            );
            assert_eq!(names(&after, key).last().unwrap(), "ike-tokyo");
        }
        let keys = |config: &Map<String, Value>| config.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&after), keys(&before));
        for (key, value) in &before {
            if !LISTS.contains(&key.as_str()) && key != "current-context" {
                assert_eq!(&after[key], value, "{key}");
            }
        }
        // YAML 1.1 as kubectl reads it: octal and `off` keep the values kubectl saw.
        let extension = &before["clusters"][0]["cluster"]["extensions"][0]["extension"];
        assert_eq!(extension["mode"], json!(0o755));
        assert_eq!(extension["on"], json!(false));
        assert_eq!(before["users"][2]["user"], before["users"][0]["user"]);
        assert_eq!(after["current-context"], "ike-tokyo");
        assert_eq!(dir_names(dir.path()), ["config"]);
    }

    #[test]
    fn the_entries_are_those_kubectl_expects_for_an_exec_plugin() {
        let (_dir, file) = foreign_file();
        let mut tokyo = entry("tokyo", "https://tokyo.example:6443");
        tokyo.namespace = Some("team-a".into());
        upsert_site(&file, &tokyo, true).unwrap();
        let config = parse(&file);
        assert_eq!(
            *named(&config, "clusters", "ike-tokyo"),
            json!({"name": "ike-tokyo", "cluster": {
                "server": "https://tokyo.example:6443",
                "certificate-authority-data":
                    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCnRva3lvCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K",
            }})
        );
        assert_eq!(
            *named(&config, "users", "ike-tokyo"),
            json!({"name": "ike-tokyo", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": "/usr/local/bin/ike",
                "args": ["credential", "--site", "tokyo"],
                "interactiveMode": "Never",
                "provideClusterInfo": false,
            }}})
        );
        assert_eq!(
            *named(&config, "contexts", "ike-tokyo"),
            json!({"name": "ike-tokyo", "context": {
                "cluster": "ike-tokyo", "user": "ike-tokyo", "namespace": "team-a",
            }})
        );
    }

    #[test]
    fn a_new_file_reads_like_one_kubectl_wrote_in_a_private_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("home/.kube/config");
        upsert_site(&file, &entry("tokyo", "https://tokyo.example:6443"), false).unwrap();
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            "apiVersion: v1
clusters:
- name: ike-tokyo
  cluster:
    server: https://tokyo.example:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCnRva3lvCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
contexts:
- name: ike-tokyo
  context:
    cluster: ike-tokyo
    user: ike-tokyo
current-context: \"\"
kind: Config
preferences: {}
users:
- name: ike-tokyo
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/local/bin/ike
      args:
      - credential
      - --site
      - tokyo
      interactiveMode: Never
      provideClusterInfo: false
"
        );
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("home/.kube")), 0o700);
        assert_eq!(mode(&dir.path().join("home")), 0o700);
    }

    #[test]
    fn an_empty_file_is_treated_as_an_empty_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        fs::write(&file, "# nothing yet\n").unwrap();
        assert_eq!(sites_in(&file).unwrap(), Vec::<String>::new());
        assert!(!remove_site(&file, "tokyo").unwrap());
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert_eq!(sites_in(&file).unwrap(), ["tokyo"]);
    }

    #[test]
    fn login_again_replaces_only_its_own_entries_in_place() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("tokyo", "https://old.example"), true).unwrap();
        upsert_site(&file, &entry("osaka", "https://osaka.example"), true).unwrap();
        // Someone tweaks ike's entries by hand between two logins.
        let mut config = parse(&file);
        let tokyo = list_mut(&mut config, "clusters")
            .iter_mut()
            .find(|item| has_name(item, "ike-tokyo"))
            .unwrap();
        tokyo["cluster"]["insecure-skip-tls-verify"] = json!(true);
        tokyo["cluster"]["proxy-url"] = json!("http://proxy:3128");
        let user = list_mut(&mut config, "users")
            .iter_mut()
            .find(|item| has_name(item, "ike-tokyo"))
            .unwrap();
        user["user"]["client-certificate-data"] = json!("old");
        let context = list_mut(&mut config, "contexts")
            .iter_mut()
            .find(|item| has_name(item, "ike-tokyo"))
            .unwrap();
        context["context"]["namespace"] = json!("chosen-by-hand");
        write(&file, &config).unwrap();
        let before = parse(&file);

        let mut again = entry("tokyo", "https://new.example");
        again.exec_command = "/opt/ike".into();
        upsert_site(&file, &again, true).unwrap();
        let after = parse(&file);

        for key in LISTS {
            assert_eq!(names(&after, key), names(&before, key), "{key}");
            for item in entries(&before, key).filter(|item| !has_name(item, "ike-tokyo")) {
                let name = item["name"].as_str().unwrap();
                assert_eq!(named(&after, key, name), item);
            }
        }
        let cluster = &named(&after, "clusters", "ike-tokyo")["cluster"];
        assert_eq!(cluster["server"], "https://new.example");
        assert_eq!(cluster["proxy-url"], "http://proxy:3128");
        assert!(cluster.get("insecure-skip-tls-verify").is_none());
        let user = &named(&after, "users", "ike-tokyo")["user"];
        assert_eq!(user.as_object().unwrap().len(), 1, "{user}");
        assert_eq!(user["exec"]["command"], "/opt/ike");
        // No namespace given: the one chosen by hand stays.
        let context = &named(&after, "contexts", "ike-tokyo")["context"];
        assert_eq!(context["namespace"], "chosen-by-hand");
        assert_eq!(after["current-context"], "ike-tokyo");
    }

    #[test]
    fn login_without_switch_keeps_the_current_context() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("tokyo", "https://t"), false).unwrap();
        assert_eq!(parse(&file)["current-context"], "prod");
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        upsert_site(&file, &entry("osaka", "https://o"), false).unwrap();
        assert_eq!(parse(&file)["current-context"], "ike-tokyo");
    }

    #[test]
    fn login_that_changes_nothing_writes_nothing() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        let rewritten = format!("# kept comment\n{}", fs::read_to_string(&file).unwrap());
        fs::write(&file, &rewritten).unwrap();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), rewritten);
    }

    #[test]
    fn remove_site_removes_only_its_three_entries() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("osaka", "https://o"), false).unwrap();
        let only_osaka = parse(&file);
        upsert_site(&file, &entry("tokyo", "https://t"), false).unwrap();
        assert!(remove_site(&file, "tokyo").unwrap());
        assert_eq!(parse(&file), only_osaka);

        let unchanged = fs::read(&file).unwrap();
        assert!(!remove_site(&file, "tokyo").unwrap());
        assert!(!remove_site(&file, "prod").unwrap(), "not an ike site");
        assert_eq!(fs::read(&file).unwrap(), unchanged);
        assert!(!remove_site(&file.with_file_name("missing"), "tokyo").unwrap());
    }

    #[test]
    fn remove_site_clears_the_current_context_only_if_it_was_that_site() {
        let (_dir, file) = foreign_file();
        upsert_site(&file, &entry("tokyo", "https://t"), true).unwrap();
        upsert_site(&file, &entry("osaka", "https://o"), false).unwrap();
        assert!(remove_site(&file, "osaka").unwrap());
        assert_eq!(parse(&file)["current-context"], "ike-tokyo");
        assert!(remove_site(&file, "tokyo").unwrap());
        assert_eq!(parse(&file)["current-context"], "");
        for key in LISTS {
            assert_eq!(parse(&file)[key], parse_str(FOREIGN)[key]);
        }
    }

    #[test]
    fn sites_lists_the_ike_contexts_in_file_order() {
        let (_dir, file) = foreign_file();
        assert_eq!(sites_in(&file).unwrap(), Vec::<String>::new());
        for site in ["tokyo", "osaka", "kyoto"] {
            upsert_site(&file, &entry(site, "https://s"), false).unwrap();
        }
        remove_site(&file, "osaka").unwrap();
        assert_eq!(sites_in(&file).unwrap(), ["tokyo", "kyoto"]);
        assert_eq!(
            sites_in(&file.with_file_name("missing")).unwrap(),
            Vec::<String>::new()
        );
    }
}
