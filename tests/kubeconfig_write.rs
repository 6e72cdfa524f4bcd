//! `ike::client::kubeconfig` writing as other processes see it: kubectl reading what ike wrote, many ike
//! processes writing one file at once, and writers killed at random moments.
//!
//! The writers are separate OS processes: this test binary re-executed, told by environment
//! variables which writer to be. That is why it has its own `main` (libtest-mimic): a child is
//! not a test that does nothing when run on its own, it is not a test at all.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use std::{env, fs};

use ike::client::kubeconfig::{SiteEntry, sites_in, upsert_site};
use serde_json::Value;

/// Three foreign contexts, with fields ike does not know.
const FOREIGN: &str = r#"apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    proxy-url: socks5://localhost:1080
- name: dev
  cluster:
    server: https://dev.example:6443
    insecure-skip-tls-verify: true
users:
- name: alice
  user:
    token: secret-token
- name: bob
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token]
      interactiveMode: IfAvailable
contexts:
- name: prod
  context: {cluster: prod, user: alice, namespace: web}
- name: dev
  context: {cluster: dev, user: bob}
- name: staging
  context: {cluster: dev, user: alice, namespace: staging}
current-context: prod
x-vendor: {keep: [me, 1, true]}
"#;

/// Tells the re-executed test binary which writer to be.
const ROLE: &str = "IKE_TEST_KUBECONFIG_WRITER";
const FILE: &str = "IKE_TEST_KUBECONFIG_FILE";
const SITE: &str = "IKE_TEST_KUBECONFIG_SITE";
const START: &str = "IKE_TEST_KUBECONFIG_START";
const GO: &str = "IKE_TEST_KUBECONFIG_GO";

fn entry(site: &str, server: String) -> SiteEntry {
    SiteEntry {
        site: site.into(),
        server,
        ca_pem: format!("-----BEGIN CERTIFICATE-----\n{site}\n-----END CERTIFICATE-----\n"),
        namespace: Some(format!("ns-{site}")),
        exec_command: "/usr/local/bin/ike".into(),
        exec_args: vec!["credential".into(), "--site".into(), site.into()],
    }
}

/// The entry of the crash test's n-th write.
fn crash_entry(n: u64) -> SiteEntry {
    entry("crash", format!("https://crash.example/{n}"))
}

fn main() -> std::process::ExitCode {
    if let Ok(role) = env::var(ROLE) {
        child_writer(&role);
        return std::process::ExitCode::SUCCESS;
    }
    let args = libtest_mimic::Arguments::from_args();
    let tests: [(&str, fn()); 3] = [
        (
            "kubectl_reads_what_ike_wrote_and_sees_the_other_entries_unchanged",
            kubectl_reads_what_ike_wrote_and_sees_the_other_entries_unchanged,
        ),
        (
            "twenty_processes_logging_in_at_once_all_land_and_leave_the_rest_alone",
            twenty_processes_logging_in_at_once_all_land_and_leave_the_rest_alone,
        ),
        (
            "a_writer_killed_at_any_moment_leaves_the_old_or_a_new_whole_file",
            a_writer_killed_at_any_moment_leaves_the_old_or_a_new_whole_file,
        ),
    ];
    let trials = tests
        .into_iter()
        .map(|(name, test)| {
            libtest_mimic::Trial::test(name, move || {
                test();
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}

/// The writer process: one login at the go signal, or logins in a loop until killed.
fn child_writer(role: &str) {
    let file = PathBuf::from(env::var(FILE).unwrap());
    match role {
        "login" => {
            let go = PathBuf::from(env::var(GO).unwrap());
            let site = env::var(SITE).unwrap();
            // Tell the parent this writer is up and polling.
            fs::write(go.with_extension(format!("ready-{site}")), "").unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            while !go.exists() {
                assert!(Instant::now() < deadline, "never told to go");
                std::thread::sleep(Duration::from_millis(1));
            }
            let server = format!("https://{site}.example:6443");
            upsert_site(&file, &entry(&site, server), true).unwrap();
        }
        "loop" => {
            let start: u64 = env::var(START).unwrap().parse().unwrap();
            for n in start.. {
                upsert_site(&file, &crash_entry(n), true).unwrap();
            }
        }
        other => panic!("unknown writer role {other}"),
    }
}

fn child(role: &str, file: &Path) -> Command {
    let mut command = Command::new(env::current_exe().unwrap());
    command.env(ROLE, role).env(FILE, file);
    command
}

fn kubectl(file: &Path, args: &[&str]) -> String {
    let output = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(file)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run kubectl ({e}): these tests use it as an independent reader")
        });
    assert!(output.status.success(), "kubectl {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn yaml(bytes: &[u8]) -> Value {
    serde_saphyr::from_slice(bytes).unwrap()
}

/// The entries under `key` whose names do not start with `ike-`.
fn foreign_entries(config: &Value, key: &str) -> Vec<Value> {
    config[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| !item["name"].as_str().unwrap().starts_with("ike-"))
        .cloned()
        .collect()
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn kubectl_reads_what_ike_wrote_and_sees_the_other_entries_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(&file, FOREIGN).unwrap();
    let view = ["config", "view", "--raw", "-o", "json"];
    let before: Value = serde_json::from_str(&kubectl(&file, &view)).unwrap();

    upsert_site(&file, &entry("x", "https://x.example:6443".into()), true).unwrap();

    assert_eq!(
        kubectl(&file, &["config", "get-contexts", "-o", "name"]),
        "dev\nike-x\nprod\nstaging\n"
    );
    assert_eq!(kubectl(&file, &["config", "current-context"]), "ike-x\n");
    let exec = |field: &str| {
        let jsonpath = format!("jsonpath={{.users[0].user.exec.{field}}}");
        let args = ["config", "view", "--minify", "--context", "ike-x", "-o"];
        kubectl(&file, &[&args[..], &[&jsonpath]].concat())
    };
    assert_eq!(exec("apiVersion"), "client.authentication.k8s.io/v1");
    assert_eq!(exec("command"), "/usr/local/bin/ike");
    assert_eq!(exec("interactiveMode"), "Never");
    let after: Value = serde_json::from_str(&kubectl(&file, &view)).unwrap();
    for key in ["clusters", "users", "contexts", "preferences"] {
        if key == "preferences" {
            assert_eq!(after[key], before[key]);
        } else {
            assert_eq!(foreign_entries(&after, key), foreign_entries(&before, key));
        }
    }
    let minified = kubectl(
        &file,
        &["config", "view", "--minify", "--raw", "-o", "json"],
    );
    let minified: Value = serde_json::from_str(&minified).unwrap();
    assert_eq!(minified["contexts"][0]["context"]["namespace"], "ns-x");
    assert_eq!(
        minified["clusters"][0]["cluster"]["certificate-authority-data"],
        "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCngKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
    );

    // And the other way round: ike reads what kubectl rewrote.
    kubectl(
        &file,
        &["config", "set-context", "ike-x", "--namespace=other"],
    );
    assert_eq!(sites_in(&file).unwrap(), ["x"]);
}

fn twenty_processes_logging_in_at_once_all_land_and_leave_the_rest_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(&file, FOREIGN).unwrap();
    let signal = tempfile::tempdir().unwrap();
    let go = signal.path().join("go");

    let sites: Vec<String> = (0..20).map(|i| format!("site{i:02}")).collect();
    let children: Vec<_> = sites
        .iter()
        .map(|site| {
            child("login", &file)
                .env(SITE, site)
                .env(GO, &go)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // All processes are up and polling before any of them writes.
    let deadline = Instant::now() + Duration::from_secs(20);
    while fs::read_dir(go.parent().unwrap())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains(".ready-"))
        })
        .count()
        < children.len()
    {
        assert!(Instant::now() < deadline, "the writers never got ready");
        std::thread::sleep(Duration::from_millis(5));
    }
    let started = Instant::now();
    fs::write(&go, "").unwrap();
    for child in children {
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr),
        );
        assert!(status.success(), "{status}\n{stdout}\n{stderr}");
    }
    eprintln!("20 concurrent logins took {:?}", started.elapsed());

    let landed: BTreeSet<String> = sites_in(&file).unwrap().into_iter().collect();
    assert_eq!(landed, sites.iter().cloned().collect());
    let before = yaml(FOREIGN.as_bytes());
    let after = yaml(&fs::read(&file).unwrap());
    for key in ["clusters", "users", "contexts"] {
        assert_eq!(
            foreign_entries(&after, key),
            before[key].as_array().unwrap().clone()
        );
        assert_eq!(
            after[key].as_array().unwrap().len(),
            before[key].as_array().unwrap().len() + 20
        );
    }
    assert_eq!(after["x-vendor"], before["x-vendor"]);
    let contexts = kubectl(&file, &["config", "get-contexts", "-o", "name"]);
    assert_eq!(contexts.lines().count(), 23, "{contexts}");
    assert_eq!(
        dir_names(dir.path()),
        ["config"],
        "no lock or temp file left"
    );
}

fn a_writer_killed_at_any_moment_leaves_the_old_or_a_new_whole_file() {
    const KILLS: u64 = 50;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    // Some bulk, so that a non-atomic write would be caught half-way.
    let padding: String = (0..100)
        .map(|i| format!("  note-{i}: {}\n", "x".repeat(100)))
        .collect();
    let base = format!("{FOREIGN}x-padding:\n{padding}");
    fs::write(&file, &base).unwrap();

    // Every state a write can leave: the base file plus the crash entries of some n.
    let scratch = tempfile::tempdir().unwrap();
    let expected = |n: u64| {
        let copy = scratch.path().join("config");
        fs::write(&copy, &base).unwrap();
        upsert_site(&copy, &crash_entry(n), true).unwrap();
        fs::read(&copy).unwrap()
    };

    let random = RandomState::new();
    let (mut written, mut stale_locks, mut mid_write, mut last) = (0, 0, 0, None);
    let started = Instant::now();
    for kill in 0..KILLS {
        let mut writer = child("loop", &file)
            .env(START, (kill * 1_000_000).to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The writer needs a few milliseconds to start: kill anywhere from before its first
        // write to well into its loop.
        let delay = 5 + random.hash_one(kill) % 100;
        std::thread::sleep(Duration::from_millis(delay));
        writer.kill().unwrap();
        writer.wait().unwrap();

        stale_locks += u32::from(dir.path().join("config.lock").exists());
        let bytes = fs::read(&file).unwrap();
        let config: Value = serde_saphyr::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("after kill {kill} the file does not parse: {e}"));
        let server = config["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "ike-crash")
            .map(|c| c["cluster"]["server"].as_str().unwrap().to_string());
        match server {
            None => assert_eq!(bytes, base.as_bytes(), "after kill {kill}"),
            Some(server) => {
                let n: u64 = server.rsplit('/').next().unwrap().parse().unwrap();
                assert!(
                    bytes == expected(n),
                    "after kill {kill}: not the file of write {n}"
                );
                written += u32::from(last != Some(n));
                last = Some(n);
            }
        }
        let names = dir_names(dir.path());
        mid_write += u32::from(names.iter().any(|name| name.starts_with(".config.ike-")));
        for name in names {
            assert!(
                name == "config" || name == "config.lock" || name.ends_with(".tmp"),
                "unexpected {name}"
            );
        }
    }
    // The test means something only if most writers got to write before being killed.
    assert!(
        written >= KILLS as u32 / 2,
        "only {written} of {KILLS} writers wrote"
    );

    // What the killed writers left (a lock, temporary files) does not hold up the next login
    // and is gone after it.
    let login = Instant::now();
    upsert_site(&file, &crash_entry(u64::MAX), true).unwrap();
    let login = login.elapsed();
    assert!(login < Duration::from_secs(1), "{login:?}");
    assert_eq!(dir_names(dir.path()), ["config"]);
    eprintln!(
        "{KILLS} kills in {:?}: {written} left a new file, {stale_locks} a stale lock, \
         {mid_write} a temporary file; the next login took {login:?}",
        started.elapsed()
    );
}
