//! Dependencies point one way: `cli` → `client` → `pki` → `api` → `util`, and `controller` and
//! `local` reach only `pki`, `api` and `util`. This reads every `crate::` path in `src/` and fails
//! when one runs back up, naming the file, the line and the arrow.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The top-level modules and what each may use (besides itself and the crate root's functions).
const LAYERS: [(&str, &[&str]); 8] = [
    ("util", &[]),
    ("dns", &["util"]),
    ("api", &["util"]),
    ("pki", &["api", "util"]),
    ("client", &["pki", "dns", "api", "util"]),
    ("cli", &["client", "pki", "dns", "api", "util"]),
    ("controller", &["pki", "dns", "api", "util"]),
    ("local", &["pki", "dns", "api", "util"]),
];

/// What test code may use in addition: the controller's tests start a local control plane, the
/// DNS tests a local BIND.
const TEST_EXTRAS: [(&str, &[&str]); 2] = [("controller", &["local"]), ("dns", &["local"])];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::<module>` in `line`.
fn crate_paths(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .filter(|(at, _)| {
            // `crate::` itself, not `ike_crate::` or a word ending in "crate".
            !line[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, m)| {
            let rest = &line[at + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// Whether the whole file is test code (a `tests` module, fixtures, test data).
fn test_file(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "tests")
        || ["tests.rs", "fixtures.rs", "testdata.rs"]
            .iter()
            .any(|name| path.ends_with(name))
}

#[test]
fn dependencies_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layers: BTreeMap<&str, &[&str]> = LAYERS.into_iter().collect();
    let extras: BTreeMap<&str, &[&str]> = TEST_EXTRAS.into_iter().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut checked = 0;
    let mut back_up = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let Some(allowed) = layers.get(top.as_str()) else {
            // lib.rs and bin/: the wiring, allowed everything.
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let mut in_tests = test_file(relative);
        let mut after_cfg_test = false;
        for (number, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed == "#[cfg(test)]" {
                after_cfg_test = true;
                continue;
            }
            if after_cfg_test && trimmed.starts_with("mod ") && trimmed.ends_with('{') {
                in_tests = true;
            }
            after_cfg_test = false;
            if trimmed.starts_with("//") {
                continue;
            }
            for used in crate_paths(line) {
                if used == top || !layers.contains_key(used) {
                    continue;
                }
                checked += 1;
                let extra = in_tests && extras.get(top.as_str()).is_some_and(|e| e.contains(&used));
                if !allowed.contains(&used) && !extra {
                    back_up.push(format!(
                        "src/{}:{}: {top} -> {used}: {}",
                        relative.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} crate:: paths found: is src/ where it was?"
    );
    assert!(
        back_up.is_empty(),
        "{} imports run against the layers (cli -> client -> pki -> api -> util; controller and local -> pki, api, util):\n{}",
        back_up.len(),
        back_up.join("\n")
    );
}

#[test]
fn the_checker_sees_an_arrow_back_up() {
    assert_eq!(
        crate_paths("use crate::cli::output::print; let x = crate::api::names::check(y);"),
        ["cli", "api"]
    );
    assert!(crate_paths("my_crate::cli::x").is_empty());
}

#[test]
fn no_source_file_is_over_600_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > 620).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these by responsibility: {}",
        long.join(", ")
    );
}

/// Inside `src/controller`: the floor every feature stands on, the features, and the wiring.
/// The floor uses no feature; a feature uses the floor and no other feature, but for the
/// exceptions named here with their reason.
const CONTROLLER_FLOOR: [&str; 5] = ["runtime", "metrics", "apply", "listener", "announce"];
const CONTROLLER_FEATURES: [&str; 11] = [
    "accounts",
    "tenants",
    "tenant_objects",
    "requests",
    "office",
    "notify",
    "account_api",
    "webhooks",
    "bootstrap",
    "crds",
    "platform",
];
/// The wiring above them: `mod.rs` (`run`, the composition root) and what only it and the
/// binary use. Neither the floor nor a feature uses the wiring (nor any item of `mod.rs`).
const CONTROLLER_WIRING: [&str; 6] = ["config", "leader", "health", "options", "state", "error"];
/// Feature → feature arrows that are meant: the admission webhook checks a ResourceRequest with
/// the request controller's own checks (one rule, two callers); the bootstrap admin is an
/// account the account API enrols.
const CONTROLLER_EXCEPTIONS: [(&str, &str); 2] =
    [("webhooks", "requests"), ("bootstrap", "account_api")];

/// The controller module a file belongs to (`tenants` for `tenants/revoke.rs`), and its module
/// path below `controller` (`["tenants", "revoke"]`); `None` for `controller/mod.rs`.
fn controller_module(relative: &Path) -> Option<(String, Vec<String>)> {
    let mut path: Vec<String> = relative
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if path.last().is_some_and(|l| l == "mod") {
        path.pop();
    }
    Some((path.first()?.clone(), path))
}

/// The controller modules `line` names, by `crate::controller::X` or by enough `super::` to
/// climb from `path` to `controller`.
fn controller_paths(line: &str, path: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (at, m) in line.match_indices("crate::controller::") {
        if line[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        out.push(word(&line[at + m.len()..]).to_string());
    }
    let mut rest = line;
    while let Some(at) = rest.find("super::") {
        let before_ok = !rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        let mut after = &rest[at..];
        let mut climbs = 0;
        while let Some(next) = after.strip_prefix("super::") {
            climbs += 1;
            after = next;
        }
        if before_ok && climbs == path.len() {
            match after.strip_prefix('{') {
                // `super::{a, b::c}`: each name the braces hold.
                Some(list) => out.extend(
                    list[..list.find('}').unwrap_or(list.len())]
                        .split(',')
                        .map(|item| word(item.trim()).to_string())
                        .filter(|w| !w.is_empty()),
                ),
                None => out.push(word(after).to_string()),
            }
        }
        rest = &rest[at + "super::".len() * climbs..];
    }
    out
}

fn word(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

#[test]
fn controller_features_stand_on_the_floor_and_watch_through_it() {
    let controller = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/controller");
    let mut files = Vec::new();
    rust_files(&controller, &mut files);
    files.sort();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&controller).unwrap();
        let Some((module, path)) = controller_module(relative) else {
            continue;
        };
        let floor = CONTROLLER_FLOOR.contains(&module.as_str());
        let feature = CONTROLLER_FEATURES.contains(&module.as_str());
        if !floor && !feature {
            assert!(
                CONTROLLER_WIRING.contains(&module.as_str()),
                "src/controller/{}: a module neither floor, feature nor wiring: name it in tests/layers.rs",
                relative.display()
            );
            // The wiring, allowed everything.
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let mut in_tests = test_file(relative);
        for (number, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed == "#[cfg(test)]" {
                in_tests = true;
            }
            if trimmed.starts_with("//") {
                continue;
            }
            let at = || format!("src/controller/{}:{}", relative.display(), number + 1);
            for used in controller_paths(line, &path) {
                if used == module {
                    continue;
                }
                if !(CONTROLLER_FLOOR.contains(&used.as_str())
                    || CONTROLLER_FEATURES.contains(&used.as_str()))
                {
                    // A wiring module, or an item of `controller/mod.rs` itself.
                    checked += 1;
                    if !in_tests {
                        let kind = if floor { "floor" } else { "feature" };
                        let what = if CONTROLLER_WIRING.contains(&used.as_str()) {
                            "the wiring module"
                        } else {
                            "controller/mod.rs's"
                        };
                        wrong.push(format!(
                            "{}: {kind} {module} uses {what} {used}: {trimmed}",
                            at()
                        ));
                    }
                    continue;
                }
                checked += 1;
                // The floor and the features alike may use the floor, and only the floor.
                let allowed = in_tests
                    || CONTROLLER_FLOOR.contains(&used.as_str())
                    || CONTROLLER_EXCEPTIONS.contains(&(module.as_str(), used.as_str()));
                if !allowed {
                    let kind = if floor { "floor" } else { "feature" };
                    wrong.push(format!("{}: {kind} {module} -> {used}: {trimmed}", at()));
                }
            }
            // Watches are the floor's: a feature asks `runtime::Stores` for a kind.
            if module != "runtime" && !in_tests {
                // A store shared by several readers wakes only the last waiter of
                // `wait_until_ready`: everyone but the store's own Controller asks `Listed`.
                if line.contains("wait_until_ready") {
                    wrong.push(format!(
                        "{}: {module} waits on a shared store's wait_until_ready: ask Shared::listed",
                        at()
                    ));
                }
                for opens in ["watcher(", "reflector::reflector(", "Controller::new("] {
                    if line.contains(opens) {
                        wrong.push(format!(
                            "{}: {module} opens a watch of its own ({opens}): ask runtime::Stores",
                            at()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} controller paths found: is src/controller where it was?"
    );
    assert!(
        wrong.is_empty(),
        "{} imports or watches break the controller's floor (features -> runtime floor; the floor uses no feature; neither uses the wiring; allowed: {CONTROLLER_EXCEPTIONS:?}):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_controller_checker_resolves_super_from_where_the_file_is() {
    let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        controller_paths("use super::runtime::Stores;", &path(&["tenants"])),
        ["runtime"]
    );
    assert_eq!(
        controller_paths("use super::Error;", &path(&["tenants", "revoke"])),
        Vec::<String>::new()
    );
    assert_eq!(
        controller_paths(
            "use super::super::notify::x; crate::controller::requests::y",
            &path(&["office", "limits"])
        ),
        ["requests", "notify"]
    );
    assert_eq!(
        controller_paths("use super::{Error, runtime::Floor};", &path(&["leader"])),
        ["Error", "runtime"]
    );
}
