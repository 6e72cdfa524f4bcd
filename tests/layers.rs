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
