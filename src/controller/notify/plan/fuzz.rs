//! Fuzzing the rendering of hostile config values through its real entry point
//! ([`plan`]: the checks, the budgets, the renderer). An input is a JSON description of
//! configs and of the site's policy; an input that is not one becomes raw values (each line an
//! address, a channel, a subject prefix, a Teams URL) of one config of each kind. A panic is a
//! finding; so is a plan that fails everyone (an error, or no configuration), a configuration
//! that is not YAML, and one where a tenant's value could be read as a template or a tenant
//! route matches anything but its own namespace.

use serde::Deserialize;
use serde_json::Value;

use super::*;
use crate::api::{BarryChannel, BarryConfigSpec, EmailConfigSpec, TeamsConfigSpec};
use crate::util::fuzz::{campaign, corpus};

const BASE: &str = "global:
  smtp_smarthost: 127.0.0.1:2525
  smtp_from: alertmanager@ike.example
route:
  receiver: platform
  group_by: [namespace]
  routes:
  - matchers: ['severity=\"page\"']
    receiver: platform
receivers:
- name: platform
";

const TOKENS: &[&[u8]] = &[
    b"{{ .CommonLabels }}",
    b"{{ template \\\"email.default.subject\\\" . }}",
    b"}}",
    b"\\n",
    b"\\r\\nBcc: x@evil.example",
    b"\\\"",
    b"\\u0000",
    b"@",
    b", ",
    b"\"kind\": \"teams\"",
    b"\"native\": true",
    b"\"ns\": \"kube-system\"",
    b"\"ns\": \"a/b\"",
    b"\"policy\": 1",
    b"https://169.254.169.254/",
    b"https://prod-1.westeurope.logic.azure.com/workflows/x?sig=s",
];

#[derive(Deserialize, Default)]
#[serde(default)]
struct Description {
    policy: u8,
    native: bool,
    configs: Vec<Config>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Config {
    kind: String,
    ns: String,
    name: String,
    to: Vec<String>,
    prefix: Option<String>,
    channels: Vec<String>,
    url: Option<String>,
    created: i64,
}

fn meta(ns: &str, name: &str, created: i64) -> kube::api::ObjectMeta {
    kube::api::ObjectMeta {
        namespace: Some(ns.into()),
        name: Some(name.into()),
        generation: Some(1),
        creation_timestamp: k8s_openapi::jiff::Timestamp::from_second(created.rem_euclid(1 << 32))
            .ok()
            .map(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time),
        ..Default::default()
    }
}

/// The description in `input`, or raw lines as one config of each kind.
fn describe(input: &[u8]) -> Description {
    if let Ok(d) = serde_json::from_slice::<Description>(input) {
        return d;
    }
    let text = String::from_utf8_lossy(input);
    let lines: Vec<String> = text.lines().map(String::from).collect();
    let config = |kind: &str| Config {
        kind: kind.into(),
        ns: "raw".into(),
        name: kind.into(),
        to: lines.clone(),
        prefix: lines.first().cloned(),
        channels: lines.clone(),
        url: Some(text.to_string()),
        created: 0,
    };
    Description {
        policy: input.first().copied().unwrap_or(0) % 3,
        native: input.len() % 2 == 1,
        configs: vec![config("email"), config("barry"), config("teams")],
    }
}

fn policy(n: u8) -> NotificationPolicy {
    match n % 3 {
        0 => NotificationPolicy::default(),
        1 => NotificationPolicy {
            max_configs_per_namespace: Some(2),
            max_addresses_per_config: Some(2),
            max_bytes_per_tenant: Some(900),
            ..Default::default()
        },
        _ => NotificationPolicy {
            email_domains: vec![".example".into(), "corp.test".into()],
            allowed_hosts: Some(vec![".logic.azure.com".into(), "localhost".into()]),
            blocked_networks: vec!["20.0.0.0/8".into()],
            ..Default::default()
        },
    }
}

/// Checks what a rendered configuration must be, whatever the tenants gave.
fn check_rendered(rendered: &str) {
    let doc: Value = serde_saphyr::from_str(rendered).expect("the configuration is YAML");
    for route in doc["route"]["routes"].as_array().expect("routes") {
        let Some(receiver) = route["receiver"].as_str() else {
            continue;
        };
        let Some(rest) = receiver.strip_prefix(TENANT_RECEIVER) else {
            continue;
        };
        let namespace = rest.split('/').next().unwrap();
        let matchers: Vec<&str> = route["matchers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        assert_eq!(
            matchers[0],
            format!("namespace=\"{namespace}\""),
            "{receiver}"
        );
        assert_eq!(matchers.len(), 2, "{receiver}");
        assert!(route.get("routes").is_none(), "{receiver} has children");
    }
    for receiver in doc["receivers"].as_array().expect("receivers") {
        for email in receiver["email_configs"].as_array().into_iter().flatten() {
            let to = email["to"].as_str().unwrap();
            assert!(!to.contains(['{', '}']), "a template in to: {to}");
            if let Some(subject) = email["headers"]["Subject"].as_str() {
                let literal = subject
                    .strip_prefix("{{ ")
                    .and_then(|s| s.strip_suffix(" }} {{ template \"email.default.subject\" . }}"))
                    .unwrap_or_else(|| panic!("a subject that is not a literal: {subject}"));
                let prefix: String = serde_json::from_str(literal).expect("a string literal");
                assert!(!prefix.contains(['{', '}']), "{prefix}");
            }
        }
        for teams in receiver["msteamsv2_configs"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let url = teams["webhook_url"].as_str().unwrap();
            assert!(!url.contains(['{', '}']), "{url}");
        }
    }
}

const TENANT_RECEIVER: &str = crate::api::TENANT_RECEIVER_PREFIX;

#[test]
fn fuzz_rendering_hostile_config_values_never_fails_everyone() {
    let corpus = corpus("alertmanager_render", Vec::new());
    campaign("alertmanager_render", &corpus, TOKENS, 2_000, |input| {
        let d = describe(input);
        let (mut barry, mut email, mut teams) = (Vec::new(), Vec::new(), Vec::new());
        let mut urls = std::collections::HashMap::new();
        for c in d.configs.iter().take(64) {
            let meta = meta(&c.ns, &c.name, c.created);
            match c.kind.as_str() {
                "barry" => barry.push(Arc::new(BarryConfig {
                    metadata: meta,
                    spec: BarryConfigSpec {
                        channels: c
                            .channels
                            .iter()
                            .map(|name| BarryChannel {
                                name: name.clone(),
                                mute: false,
                            })
                            .collect(),
                        token_secret_name: "barry".into(),
                    },
                    status: None,
                })),
                "email" => email.push(Arc::new(EmailConfig {
                    metadata: meta,
                    spec: EmailConfigSpec {
                        to: c.to.clone(),
                        send_resolved: Some(true),
                        subject_prefix: c.prefix.clone(),
                    },
                    status: None,
                })),
                _ => {
                    if let Some(url) = &c.url {
                        urls.insert((c.ns.clone(), c.name.clone()), url.clone());
                    }
                    teams.push(Arc::new(TeamsConfig {
                        metadata: meta,
                        spec: TeamsConfigSpec {
                            webhook_url_secret_name: "teams".into(),
                        },
                        status: None,
                    }));
                }
            }
        }
        let native_url =
            |ns: &str, name: &str| urls.get(&(ns.to_string(), name.to_string())).cloned();
        let options = Options {
            relay_url: "https://ike-controller.ike-system.svc:9444/relay".into(),
            relay_http_config: None,
            teams: if d.native {
                TeamsDelivery::Native
            } else {
                TeamsDelivery::Relay
            },
        };
        let policy = policy(d.policy);
        let tenant_of = |ns: &str| format!("tenant/{}", ns.chars().take(1).collect::<String>());
        let plan = plan(&Inputs {
            base: Some(BASE),
            base_name: "Secret ike-system/alertmanager-base",
            barry: &barry,
            email: &email,
            teams: &teams,
            native_url: &native_url,
            options: &options,
            policy: &policy,
            destinations: &Destinations::new(&policy, false),
            tenant_of: &tenant_of,
        })
        .expect("a plan, whatever the tenants gave");
        assert_eq!(plan.verdicts.len(), barry.len() + email.len() + teams.len());
        let rendered = plan.rendered.expect("a configuration for everyone else");
        check_rendered(&rendered);
    });
}
