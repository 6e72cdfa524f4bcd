//! Every rule of [`RunConfig::resolve`], each accepted and refused combination, from the flags
//! as a user types them.

use clap::Parser;

use super::*;

#[derive(Parser)]
struct Run {
    #[command(flatten)]
    args: RunArgs,
}

fn resolve(flags: &[&str]) -> Result<RunConfig, ConfigError> {
    let run = Run::try_parse_from(std::iter::once("run").chain(flags.iter().copied()))
        .unwrap_or_else(|e| panic!("{flags:?} do not parse: {e}"));
    RunConfig::resolve(run.args)
}

const CA: [&str; 4] = ["--ca-cert", "ca.crt", "--ca-key", "ca.key"];
const RELAY: [&str; 4] = [
    "--relay-url",
    "https://relay/relay",
    "--relay-token-file",
    "token",
];
const SECRET: [&str; 2] = ["--alertmanager-config-secret", "monitoring/am"];

fn with(parts: &[&[&str]]) -> Vec<&'static str> {
    parts
        .iter()
        .flat_map(|p| p.iter())
        .map(|s| &*String::leak(s.to_string()))
        .collect()
}

#[test]
fn no_flags_run_the_reconcilers_alone_in_ike_system() {
    let c = resolve(&[]).unwrap();
    assert_eq!(c.controller_namespace, "ike-system");
    assert_eq!(c.served, None);
    assert_eq!(c.notify, None);
    assert_eq!(c.bootstrap, None);
    assert_eq!(
        c.admin_service_accounts,
        ["system:serviceaccount:ike-system:ike-controller"]
    );
}

#[test]
fn the_controller_namespace_has_one_flag_and_the_old_one_as_an_alias() {
    for flag in ["--controller-namespace", "--lease-namespace"] {
        let c = resolve(&[flag, "platform"]).unwrap();
        assert_eq!(c.controller_namespace, "platform", "{flag}");
    }
}

#[test]
fn the_default_admin_service_account_is_the_controllers_own_in_its_namespace() {
    let c = resolve(&["--controller-namespace", "platform"]).unwrap();
    assert_eq!(
        c.admin_service_accounts,
        ["system:serviceaccount:platform:ike-controller"]
    );
    let c = resolve(&["--admin-service-account", "ops:deployer"]).unwrap();
    assert_eq!(
        c.admin_service_accounts,
        ["system:serviceaccount:ops:deployer"]
    );
}

#[test]
fn the_ca_needs_both_its_certificate_and_its_key() {
    assert!(resolve(&CA).unwrap().served.is_some());
    assert_eq!(resolve(&CA[..2]), Err(ConfigError::HalfCa));
    assert_eq!(resolve(&CA[2..]), Err(ConfigError::HalfCa));
}

#[test]
fn the_bootstrap_admin_needs_a_token_file_and_the_file_an_admin() {
    let both = ["--bootstrap-admin", "root", "--bootstrap-token-file", "t"];
    assert_eq!(
        resolve(&both).unwrap().bootstrap,
        Some(Bootstrap {
            admin: "root".into(),
            token_file: "t".into()
        })
    );
    assert_eq!(resolve(&both[..2]), Err(ConfigError::HalfBootstrap));
    assert_eq!(resolve(&both[2..]), Err(ConfigError::HalfBootstrap));
}

#[test]
fn the_default_ttl_may_not_exceed_the_max_ttl() {
    assert!(resolve(&["--default-ttl", "24h", "--max-ttl", "24h"]).is_ok());
    assert!(resolve(&["--default-ttl", "1h", "--max-ttl", "2h"]).is_ok());
    assert_eq!(
        resolve(&["--default-ttl", "13h", "--max-ttl", "12h"]),
        Err(ConfigError::TtlOrder {
            default: "13h 0m".into(),
            max: "12h 0m".into()
        })
    );
    // The default --default-ttl (12h) against a shorter --max-ttl.
    assert!(matches!(
        resolve(&["--max-ttl", "1h"]),
        Err(ConfigError::TtlOrder { .. })
    ));
}

#[test]
fn webhooks_need_the_ca() {
    let url = ["--webhook-url", "https://hooks"];
    let san = ["--webhook-san", "hooks.svc"];
    let served = resolve(&with(&[&CA, &url, &san])).unwrap().served.unwrap();
    assert_eq!(served.webhook_url.as_deref(), Some("https://hooks"));
    assert_eq!(served.webhooks.sans, ["hooks.svc"]);
    assert_eq!(
        resolve(&url),
        Err(ConfigError::WebhooksWithoutCa {
            flag: "--webhook-url"
        })
    );
    assert_eq!(
        resolve(&san),
        Err(ConfigError::WebhooksWithoutCa {
            flag: "--webhook-san"
        })
    );
}

#[test]
fn the_webhooks_and_the_relay_default_to_the_account_apis_names() {
    let served = resolve(&with(&[&CA, &SECRET, &RELAY, &["--san", "api.example"]]))
        .unwrap()
        .served
        .unwrap();
    assert_eq!(served.account_api.sans, ["api.example"]);
    assert_eq!(served.webhooks.sans, ["api.example"]);
    assert_eq!(served.relay.unwrap().sans, ["api.example"]);
    let served = resolve(&with(&[
        &CA,
        &SECRET,
        &RELAY,
        &["--relay-san", "relay.svc"],
    ]))
    .unwrap()
    .served
    .unwrap();
    assert_eq!(served.relay.unwrap().sans, ["relay.svc"]);
    assert_eq!(served.webhooks.sans, ["127.0.0.1", "localhost"]);
}

#[test]
fn notifications_are_on_with_an_output_and_the_relay_is_served_only_then() {
    let c = resolve(&with(&[&CA, &SECRET, &RELAY])).unwrap();
    let notify = c.notify.unwrap();
    assert_eq!(notify.outputs.len(), 1);
    assert_eq!(notify.relay_url, "https://relay/relay");
    assert!(c.served.unwrap().relay.is_some());
    assert_eq!(resolve(&CA).unwrap().served.unwrap().relay, None);
}

#[test]
fn notifications_need_the_relay_url_and_token() {
    assert_eq!(resolve(&with(&[&CA, &SECRET])), Err(ConfigError::NoRelay));
    assert_eq!(
        resolve(&with(&[&CA, &SECRET, &RELAY[..2]])),
        Err(ConfigError::NoRelay)
    );
    assert_eq!(
        resolve(&with(&[&CA, &SECRET, &RELAY[2..]])),
        Err(ConfigError::NoRelay)
    );
}

#[test]
fn notifications_need_the_ca_for_the_relay() {
    assert_eq!(
        resolve(&with(&[&SECRET, &RELAY])),
        Err(ConfigError::NotifyWithoutCa)
    );
}

#[test]
fn a_config_file_needs_alertmanagers_url_to_reload_it() {
    let file = ["--alertmanager-config-file", "am.yaml"];
    let url = ["--alertmanager-url", "http://am:9093"];
    let c = resolve(&with(&[&CA, &RELAY, &file, &url])).unwrap();
    assert_eq!(c.notify.unwrap().outputs, [Output::File("am.yaml".into())]);
    assert_eq!(
        resolve(&with(&[&CA, &RELAY, &file])),
        Err(ConfigError::FileWithoutReload)
    );
    // Both outputs at once.
    let c = resolve(&with(&[&CA, &RELAY, &file, &url, &SECRET])).unwrap();
    assert_eq!(c.notify.unwrap().outputs.len(), 2);
}

#[test]
fn notification_flags_are_refused_while_notifications_are_off() {
    for (flag, value) in [
        ("--alertmanager-url", Some("http://am:9093")),
        ("--alertmanager-base-seed", Some("base.yaml")),
        ("--relay-url", Some("https://relay/relay")),
        ("--relay-token-file", Some("token")),
        ("--relay-credentials-file", Some("/etc/token")),
        ("--relay-ca-file", Some("/etc/ca.crt")),
        ("--barry-url", Some("https://barry")),
        ("--barry-ca-file", Some("barry.crt")),
        ("--teams-native", None),
    ] {
        let flags: Vec<&str> = CA.iter().copied().chain([flag]).chain(value).collect();
        assert_eq!(
            resolve(&flags),
            Err(ConfigError::NotifyOff { flag }),
            "{flag}"
        );
    }
}

#[test]
fn barry_is_reached_over_https_unless_insecure_destinations_are_allowed() {
    let on = with(&[&CA, &SECRET, &RELAY]);
    let https = with(&[&on, &["--barry-url", "https://barry"]]);
    assert!(resolve(&https).is_ok());
    let http = with(&[&on, &["--barry-url", "http://127.0.0.1:1"]]);
    assert_eq!(resolve(&http), Err(ConfigError::InsecureBarry));
    let allowed = with(&[&http, &["--allow-insecure-destinations"]]);
    assert!(
        resolve(&allowed)
            .unwrap()
            .notify
            .unwrap()
            .allow_insecure_destinations
    );
}

#[test]
fn teams_native_renders_msteamsv2() {
    let c = resolve(&with(&[&CA, &SECRET, &RELAY, &["--teams-native"]])).unwrap();
    assert_eq!(c.notify.unwrap().teams, TeamsDelivery::Native);
}

#[test]
fn every_refusal_is_one_line() {
    let refusals = [
        ConfigError::HalfCa,
        ConfigError::HalfBootstrap,
        ConfigError::TtlOrder {
            default: "13h 0m".into(),
            max: "12h 0m".into(),
        },
        ConfigError::WebhooksWithoutCa {
            flag: "--webhook-url",
        },
        ConfigError::NoRelay,
        ConfigError::NotifyWithoutCa,
        ConfigError::FileWithoutReload,
        ConfigError::NotifyOff {
            flag: "--barry-url",
        },
        ConfigError::InsecureBarry,
    ];
    for refusal in refusals {
        let text = refusal.to_string();
        // Each names the flag (or the feature) that breaks the rule, then what to do.
        assert!(!text.contains('\n'), "{text}");
        assert!(
            text.starts_with("--") || text.starts_with("notifications need"),
            "{text}"
        );
    }
}
