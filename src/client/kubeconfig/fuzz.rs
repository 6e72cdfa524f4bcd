//! Fuzzing kubeconfig files as ike reads and merges them: whatever a file holds, reading it,
//! adding ike's entries and removing them again never panics, and when adding succeeds the
//! result is a file kube-rs and ike read back with the site in it. Files live on tmpfs when
//! there is one (every write is fsynced).

use std::path::{Path, PathBuf};

use super::{context_for, load, remove_site, site_for, sites_in, upsert_site};
use crate::util::fuzz::{campaign, corpus};

const YAML_TOKENS: &[&[u8]] = &[
    b"contexts:\n",
    b"clusters:\n",
    b"users:\n",
    b"- name: ike-x\n",
    b"current-context: ike-x\n",
    b"&a ",
    b"*a",
    b"!!binary ",
    b"<<: *a\n",
    b"{",
    b"[",
    b"? ",
    b"\t",
    b"0755",
    b"~",
    b"---\n",
];

fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let mut builder = tempfile::Builder::new();
    builder.prefix("ike-fuzz-kubeconfig-");
    if shm.is_dir() {
        builder.tempdir_in(shm)
    } else {
        builder.tempdir()
    }
    .unwrap()
}

#[test]
fn fuzz_kubeconfig_reading_and_merging_never_panics() {
    let dir = scratch_dir();
    let file: PathBuf = dir.path().join("config");
    let entry = super::fixtures::entry("fuzz", "https://127.0.0.1:6443");
    let corpus = corpus("kubeconfig", Vec::new());
    campaign("kubeconfig", &corpus, YAML_TOKENS, 1_500, |input| {
        std::fs::write(&file, input).unwrap();
        let readable = match load(std::slice::from_ref(&file)) {
            Ok(config) => {
                let _ = context_for(&config, None);
                let _ = site_for(&config, None);
                true
            }
            Err(_) => false,
        };
        let _ = sites_in(&file);
        if upsert_site(&file, &entry, true).is_ok() {
            assert!(sites_in(&file).unwrap().contains(&"fuzz".to_string()));
            // Adding ike's entries never breaks a file ike could read (what it could not read
            // before, entries kube-rs refuses, is kept as it was).
            if readable {
                let config = load(std::slice::from_ref(&file)).unwrap();
                assert_eq!(context_for(&config, Some("fuzz")).unwrap(), "ike-fuzz");
            }
            assert!(remove_site(&file, "fuzz").unwrap());
            assert!(!sites_in(&file).unwrap().contains(&"fuzz".to_string()));
        }
    });
}
