//! One rule for where a Kubernetes API call lives: in `src/client`, never in `src/cli`, which
//! parses, resolves the target once, calls the client layer and prints. This fails naming the
//! file and line of a `kube::Api` used in `src/cli`.
//!
//! Named exception: `ike doctor`, whose checks are API calls made to see how they are answered
//! (a refusal is a finding, not an error), each with its own timeout.

use std::path::{Path, PathBuf};

/// Files of `src/cli` that may call the API themselves, and why.
const EXCEPTIONS: [(&str, &str); 1] = [(
    "src/cli/doctor/",
    "its checks are the calls: a refusal is a finding",
)];

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

/// Whether `line` uses kube's typed API handle.
fn calls_the_api(line: &str) -> bool {
    let code = line.split("//").next().unwrap_or("");
    [
        "kube::Api",
        "kube::api::Api",
        "Api::<",
        "Api<",
        "Api::all",
        "Api::namespaced",
    ]
    .iter()
    .any(|needle| code.contains(needle))
        || (code.starts_with("use kube::api::{") && code.contains("Api,"))
}

#[test]
fn the_cli_calls_the_kubernetes_api_only_through_the_client_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/cli"), &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if EXCEPTIONS
            .iter()
            .any(|(prefix, _)| relative.starts_with(prefix))
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if calls_the_api(line) {
                found.push(format!("{relative}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "Kubernetes API calls in src/cli (move them into src/client and pass the Target):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checker_sees_an_api_handle() {
    assert!(calls_the_api("    let api: Api<Pod> = target.all();"));
    assert!(calls_the_api("use kube::api::{Api, ListParams};"));
    assert!(calls_the_api("use kube::Api;"));
    assert!(!calls_the_api(
        "let pods = pods::list(&target, &which).await?;"
    ));
    assert!(!calls_the_api("// kube::Api is not used here"));
}
