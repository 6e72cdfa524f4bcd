//! A foreign kubeconfig and helpers for the kubeconfig tests.

#![allow(dead_code)]

use std::error::Error as _;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::SiteEntry;
use super::edit::{entries, has_name};
use super::file::{WriteError, parse as parse_yaml, read};
use crate::api::consts::CONTEXT_PREFIX;

/// Someone else's kubeconfig: entries in a non-alphabetical order, fields ike does not know
/// at every level, a YAML 1.1 octal and boolean, an anchor.
pub const FOREIGN: &str = r#"# my clusters
apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority: /etc/prod-ca.crt
    proxy-url: socks5://localhost:1080
    extensions:
    - name: vendor
      extension: {region: "eu-1", replicas: 3, mode: 0755, "on": off, empty: ""}
- name: dev
  cluster:
    server: https://dev.example:6443
    insecure-skip-tls-verify: true
users:
- name: alice
  user: &alice
    token: secret-token
    x-unknown-user-field: [1, "two", {three: 3.5}]
- name: bob
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token]
      env:
      - {name: AWS_PROFILE, value: "123"}
- name: alice-again
  user: *alice
contexts:
- name: prod
  context: {cluster: prod, user: alice, namespace: web}
  x-entry-level: kept
- name: dev
  context:
    cluster: dev
    user: bob
current-context: prod
extensions:
- name: top
  extension: {anything: [goes, null, "multi\nline"]}
x-vendor-top-level: {keep: me}
"#;

pub fn entry(site: &str, server: &str) -> SiteEntry {
    SiteEntry {
        site: site.into(),
        server: server.into(),
        ca_pem: format!("-----BEGIN CERTIFICATE-----\n{site}\n-----END CERTIFICATE-----\n"),
        namespace: None,
        exec_command: "/usr/local/bin/ike".into(),
        exec_args: vec!["credential".into(), "--site".into(), site.into()],
    }
}

pub fn parse(file: &Path) -> Map<String, Value> {
    read(file).unwrap().expect("a kubeconfig")
}

pub fn foreign_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(&file, FOREIGN).unwrap();
    (dir, file)
}

/// The list under `key` without ike's entries.
pub fn without_ike(config: &Map<String, Value>, key: &str) -> Vec<Value> {
    entries(config, key)
        .filter(|item| {
            !item["name"]
                .as_str()
                .is_some_and(|name| name.starts_with(CONTEXT_PREFIX))
        })
        .cloned()
        .collect()
}

pub fn named<'a>(config: &'a Map<String, Value>, key: &str, name: &str) -> &'a Value {
    entries(config, key)
        .find(|item| has_name(item, name))
        .unwrap_or_else(|| panic!("no {name} in {key}"))
}

pub fn names(config: &Map<String, Value>, key: &str) -> Vec<String> {
    entries(config, key)
        .map(|item| item["name"].as_str().unwrap().to_string())
        .collect()
}

pub fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The error and its sources, as the chain printer shows them.
pub fn chain(err: &WriteError) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(next) = source {
        text = format!("{text}: {next}");
        source = next.source();
    }
    text
}

pub fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A YAML mapping parsed as ike reads kubeconfigs.
pub fn parse_str(yaml: &str) -> Map<String, Value> {
    match parse_yaml(yaml.as_bytes()).unwrap() {
        Value::Object(config) => config,
        other => panic!("not a mapping: {other}"),
    }
}
