//! The renderer against the real `amtool` and the route evaluator (see `amtool.rs`).

use std::collections::{BTreeMap, BTreeSet};

use super::amtool::{
    amtool_routes, assert_amtool_accepts, check_config, evaluate, parse_matcher, render_template,
    route_of,
};
use super::*;
use crate::api::{BarryConfigSpec, EmailConfigSpec, TeamsConfigSpec};

const SMTP: &str = "global:
  smtp_smarthost: 127.0.0.1:2525
  smtp_from: alertmanager@ike.example
  smtp_require_tls: false
";

/// Bases that try to get in the way: a base route that catches one tenant namespace, broad
/// routes with and without `continue`, a catch-all, nesting with overrides, old `match`.
const BASES: [&str; 4] = [
    "route:\n  receiver: platform\nreceivers:\n- name: platform\n",
    "route:
  receiver: platform
  group_by: [alertname]
  routes:
  - matchers: ['severity=\"critical\"']
    receiver: oncall
    continue: true
  - matchers: ['namespace=\"shop\"']
    receiver: shop-watchers
  - receiver: sink
receivers:
- name: platform
- name: oncall
- name: shop-watchers
- name: sink
",
    "route:
  receiver: platform
  group_wait: 10s
  routes:
  - matchers: ['namespace!=\"kube-system\"']
    receiver: audit
    group_by: [namespace]
    routes:
    - match: {severity: critical}
      receiver: oncall
  - matchers: ['namespace=\"kube-system\"']
    receiver: oncall
inhibit_rules:
- source_matchers: ['severity=\"critical\"']
  target_matchers: ['severity=\"warning\"']
  equal: [alertname, namespace]
receivers:
- name: platform
- name: audit
- name: oncall
",
    "route:
  receiver: platform
  routes:
  - matchers: ['severity=~\"critical|warning\"']
    receiver: oncall
receivers:
- name: platform
- name: oncall
",
];

fn base(i: usize) -> BaseConfig {
    BaseConfig::from_yaml(&format!("{SMTP}{}", BASES[i])).unwrap()
}

fn options() -> Options {
    Options {
        relay_url: "https://ike-controller.ike-system.svc:8443/relay/".into(),
        relay_http_config: Some(
            json!({"authorization": {"credentials_file": "/etc/alertmanager/relay-token"}}),
        ),
        teams: TeamsDelivery::Relay,
    }
}

fn meta(namespace: &str, name: &str) -> kube::api::ObjectMeta {
    kube::api::ObjectMeta {
        namespace: Some(namespace.into()),
        name: Some(name.into()),
        ..Default::default()
    }
}

fn email(namespace: &str, name: &str, to: &[&str], prefix: Option<&str>) -> EmailConfig {
    EmailConfig {
        metadata: meta(namespace, name),
        spec: EmailConfigSpec {
            to: to.iter().map(|s| s.to_string()).collect(),
            send_resolved: Some(true),
            subject_prefix: prefix.map(String::from),
        },
        status: None,
    }
}

fn barry(namespace: &str, name: &str) -> TenantReceiver {
    TenantReceiver::barry(&BarryConfig {
        metadata: meta(namespace, name),
        spec: BarryConfigSpec::default(),
        status: None,
    })
}

fn teams(namespace: &str, name: &str, url: Option<&str>) -> TenantReceiver {
    let config = TeamsConfig {
        metadata: meta(namespace, name),
        spec: TeamsConfigSpec::default(),
        status: None,
    };
    TenantReceiver::teams(&config, url.map(String::from))
}

fn one_of_each() -> Vec<TenantReceiver> {
    vec![
        teams("shop", "chat", None),
        barry("shop", "oncall"),
        TenantReceiver::email(&email("bank", "ops", &["ops@bank.example"], Some("[bank]")))
            .unwrap(),
        barry("bank", "oncall"),
    ]
}

#[test]
fn every_kind_of_receiver_on_every_base_passes_amtool_check_config() {
    for i in 0..BASES.len() {
        let yaml = render(&base(i), &one_of_each(), &options()).unwrap();
        assert_amtool_accepts(&yaml);
    }
}

#[test]
fn amtool_routes_each_namespace_only_to_its_own_receivers_and_the_platforms() {
    let yaml = render(&base(1), &one_of_each(), &options()).unwrap();
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "shop",
            "critical",
            &[
                "tenant/shop/barry/oncall",
                "tenant/shop/teams/chat",
                "oncall",
                "shop-watchers",
            ],
        ),
        (
            "bank",
            "warning",
            &["tenant/bank/barry/oncall", "tenant/bank/email/ops", "sink"],
        ),
        ("other", "critical", &["oncall", "sink"]),
        ("shop\", namespace=~\".*", "none", &["sink"]),
    ];
    for (namespace, severity, expected) in cases {
        let labels = BTreeMap::from([("namespace", namespace), ("severity", severity)]);
        assert_eq!(amtool_routes(&yaml, &labels), expected, "{namespace}");
        assert_eq!(
            evaluate(&route_of(&yaml), &labels, ""),
            expected,
            "{namespace}"
        );
    }
}

/// A tiny deterministic generator: the same cases on every run, no new dependency.
struct XorShift(u64);
impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn random_tenant_sets_reach_only_their_own_namespace_and_leave_platform_routing_alone() {
    const NAMESPACES: [&str; 5] = ["a", "b", "shop", "kube-system", "a-b"];
    let mut rng = XorShift(0x1ce_2019_1206);
    for iteration in 0..200 {
        let b = rng.below(BASES.len());
        let mut receivers = BTreeMap::new();
        for _ in 0..rng.below(9) {
            let ns = NAMESPACES[rng.below(NAMESPACES.len())];
            let name = ["oncall", "ops", "team.a"][rng.below(3)];
            let r = match rng.below(3) {
                0 => barry(ns, name),
                1 => teams(ns, name, None),
                _ => TenantReceiver::email(&email(ns, name, &["x@y.example"], None)).unwrap(),
            };
            receivers.insert(r.receiver_name(), r);
        }
        let receivers: Vec<TenantReceiver> = receivers.into_values().rev().collect();
        let yaml = render(&base(b), &receivers, &options()).unwrap();
        assert_amtool_accepts(&yaml);
        let base_route = route_of(BASES[b]);
        let route = route_of(&yaml);
        for ns in NAMESPACES.iter().chain(&["", "other"]) {
            for severity in ["critical", "warning"] {
                let labels = BTreeMap::from([("namespace", *ns), ("severity", severity)]);
                if b == 3 {
                    // Regex matchers: amtool evaluates these.
                    if iteration % 10 == 0 {
                        let got = amtool_routes(&yaml, &labels);
                        assert!(got.iter().all(|r| !r.starts_with(TENANT_PREFIX)
                            || r.starts_with(&format!("{TENANT_PREFIX}{ns}/"))));
                    }
                    continue;
                }
                let got = evaluate(&route, &labels, "");
                if iteration < 10 {
                    assert_eq!(
                        got,
                        amtool_routes(&yaml, &labels),
                        "evaluator disagrees with amtool"
                    );
                }
                let (tenant, platform): (Vec<String>, Vec<String>) =
                    got.into_iter().partition(|r| r.starts_with(TENANT_PREFIX));
                let expected: Vec<String> = receivers
                    .iter()
                    .filter(|r| r.namespace == *ns)
                    .map(TenantReceiver::receiver_name)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                assert_eq!(tenant, expected, "namespace {ns:?} in\n{yaml}");
                assert_eq!(
                    platform,
                    evaluate(&base_route, &labels, ""),
                    "base routing changed"
                );
            }
        }
    }
}

#[test]
fn the_same_configs_in_any_order_render_the_same_bytes() {
    let mut receivers = one_of_each();
    let first = render(&base(2), &receivers, &options()).unwrap();
    receivers.reverse();
    let second = render(&base(2), &receivers, &options()).unwrap();
    assert_eq!(first, second);
    assert_eq!(fingerprint(&first), fingerprint(&second));
    assert_eq!(fingerprint(&first).len(), 64);
}

#[test]
fn the_base_is_kept_as_given_and_tenant_receivers_follow_it() {
    let yaml = render(&base(2), &one_of_each(), &options()).unwrap();
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap();
    let original: Value = serde_saphyr::from_str(&format!("{SMTP}{}", BASES[2])).unwrap();
    assert_eq!(doc["global"], original["global"]);
    assert_eq!(doc["inhibit_rules"], original["inhibit_rules"]);
    assert_eq!(doc["route"]["group_wait"], "10s");
    let routes = doc["route"]["routes"].as_array().unwrap();
    let platform = routes.last().unwrap();
    assert_eq!(platform["receiver"], "platform");
    assert_eq!(platform["routes"], original["route"]["routes"]);
    let names: Vec<&str> = doc["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "platform",
            "audit",
            "oncall",
            "ike/discard",
            "tenant/bank/barry/oncall",
            "tenant/bank/email/ops",
            "tenant/shop/barry/oncall",
            "tenant/shop/teams/chat"
        ]
    );
}

#[test]
fn barry_and_teams_are_relay_webhooks_without_any_secret() {
    let receivers = [
        barry("shop", "oncall"),
        teams("shop", "chat", Some("https://secret.example/sig=abc")),
    ];
    let yaml = render(&base(0), &receivers, &options()).unwrap();
    assert!(!yaml.contains("sig=abc"), "{yaml}");
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap();
    let hook = &doc["receivers"][2]["webhook_configs"][0];
    assert_eq!(
        hook["url"],
        "https://ike-controller.ike-system.svc:8443/relay/barry/shop/oncall"
    );
    assert_eq!(hook["send_resolved"], true);
    assert_eq!(
        hook["http_config"]["authorization"]["credentials_file"],
        "/etc/alertmanager/relay-token"
    );
    assert_eq!(
        doc["receivers"][3]["webhook_configs"][0]["url"],
        "https://ike-controller.ike-system.svc:8443/relay/teams/shop/chat"
    );
}

#[test]
fn native_teams_copies_the_url_and_alertmanager_0_25_refuses_it() {
    let native = Options {
        teams: TeamsDelivery::Native,
        ..options()
    };
    let url = "https://prod-01.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=abc";
    let yaml = render(&base(0), &[teams("shop", "chat", Some(url))], &native).unwrap();
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(
        doc["receivers"][2]["msteamsv2_configs"][0]["webhook_url"],
        url
    );
    let err = check_config(&yaml).unwrap_err();
    assert!(err.contains("msteamsv2_configs"), "{err}");
    assert_eq!(
        render(&base(0), &[teams("shop", "chat", None)], &native),
        Err(RenderError::NoTeamsUrl("tenant/shop/teams/chat".into()))
    );
}

#[test]
fn a_subject_prefix_is_literal_text_even_with_quotes_and_backslashes() {
    let prefix = r#"[shop] "quoted" \ $x "#;
    let r = TenantReceiver::email(&email("shop", "ops", &["b@x.org", "a@x.org"], Some(prefix)))
        .unwrap();
    let yaml = render(&base(0), &[r], &options()).unwrap();
    assert_amtool_accepts(&yaml);
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap();
    let config = &doc["receivers"][2]["email_configs"][0];
    assert_eq!(config["to"], "a@x.org, b@x.org");
    let subject = config["headers"]["Subject"].as_str().unwrap();
    let rendered = render_template(subject);
    assert!(
        rendered.starts_with(r#"[shop] "quoted" \ $x ["#),
        "{rendered}"
    );
}

#[test]
fn the_renderer_refuses_template_syntax_that_got_past_the_spec_checks() {
    // Built by hand, as no config that passes its checks can be.
    for (to, prefix) in [
        ("{{ .CommonLabels }}@x.org", None),
        ("a@x.org", Some("{{ template \"x\" }}")),
        ("a}}@x.org", None),
    ] {
        let r = TenantReceiver {
            namespace: "shop".into(),
            name: "ops".into(),
            target: Target::Email {
                to: vec![to.into()],
                send_resolved: false,
                subject_prefix: prefix.map(String::from),
            },
        };
        assert_eq!(
            render(&base(0), &[r], &options()),
            Err(RenderError::Template("tenant/shop/email/ops".into())),
            "{to} {prefix:?}"
        );
    }
    let url = Some("https://prod.logic.azure.com/x?a={{x}}".to_string());
    let native = Options {
        teams: TeamsDelivery::Native,
        ..options()
    };
    assert!(matches!(
        render(&base(0), &[teams("shop", "chat", url.as_deref())], &native),
        Err(RenderError::Template(_))
    ));
}

#[test]
fn relay_webhooks_carry_a_bounded_number_of_alerts() {
    let yaml = render(&base(0), &[barry("shop", "oncall")], &options()).unwrap();
    assert_amtool_accepts(&yaml);
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap();
    let receiver = doc["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "tenant/shop/barry/oncall")
        .unwrap();
    assert_eq!(
        receiver["webhook_configs"][0]["max_alerts"],
        RELAY_MAX_ALERTS
    );
}

#[test]
fn a_bad_address_is_left_out_with_a_reason() {
    let bad = email(
        "shop",
        "ops",
        &["ops@shop.example, boss@bank.example"],
        None,
    );
    let reason = TenantReceiver::email(&bad).unwrap_err();
    assert!(reason.contains("not a plain e-mail address"), "{reason}");
    assert_eq!(validate(&bad), Err(reason));
}

#[test]
fn email_without_global_smtp_is_refused_before_amtool_would() {
    let base = BaseConfig::from_yaml(BASES[0]).unwrap();
    assert!(!base.sends_email());
    let r = TenantReceiver::email(&email("shop", "ops", &["a@x.org"], None)).unwrap();
    assert_eq!(
        render(&base, &[r], &options()),
        Err(RenderError::NoSmtp("tenant/shop/email/ops".into()))
    );
    assert!(render(&base, &[barry("shop", "b")], &options()).is_ok());
}

#[test]
fn quoted_matcher_values_round_trip_through_amtool() {
    let nasty = r#"a"b\c.*|d,e}"#;
    let base = format!(
        "route:\n  receiver: p\n  routes:\n  - matchers: {}\n    receiver: hit\nreceivers:\n- name: p\n- name: hit\n",
        serde_json::to_string(&[equality_matcher("team", nasty)]).unwrap()
    );
    let yaml = render(&BaseConfig::from_yaml(&base).unwrap(), &[], &options()).unwrap();
    assert_amtool_accepts(&yaml);
    assert_eq!(parse_matcher(&equality_matcher("team", nasty)).2, nasty);
    for (value, expected) in [(nasty, "hit"), ("a", "p"), ("abc", "p")] {
        let labels = BTreeMap::from([("team", value)]);
        assert_eq!(amtool_routes(&yaml, &labels), [expected], "{value}");
    }
}

#[test]
fn base_problems_are_reported_before_rendering() {
    assert!(matches!(
        BaseConfig::from_yaml("route: ["),
        Err(BaseError::NotYaml(_))
    ));
    assert_eq!(
        BaseConfig::from_yaml("receivers: []"),
        Err(BaseError::Invalid("has no route"))
    );
    assert_eq!(
        BaseConfig::from_yaml("route: {receiver: x}\nreceivers: [{name: tenant/a/barry/b}]"),
        Err(BaseError::ReservedName("tenant/a/barry/b".into()))
    );
    assert_eq!(
        BaseConfig::from_yaml("route: {receiver: x}\nreceivers: [{name: x}, {name: ike/discard}]"),
        Err(BaseError::ReservedName("ike/discard".into()))
    );
    assert_eq!(
        render(&base(0), &[barry("Shop", "x")], &options()),
        Err(RenderError::InvalidName("Shop".into()))
    );
    assert_eq!(
        render(&base(0), &[barry("a", "x"), barry("a", "x")], &options()),
        Err(RenderError::Duplicate("tenant/a/barry/x".into()))
    );
    let relative = Options {
        relay_url: "ctrl/relay".into(),
        ..options()
    };
    assert!(matches!(
        render(&base(0), &[], &relative),
        Err(RenderError::RelayUrl(_))
    ));
}

#[test]
fn inhibit_rules_that_cross_namespaces_are_warned_about() {
    assert!(base(2).warnings().is_empty());
    let crossing = format!(
        "{}inhibit_rules:\n- source_matchers: [a=\"b\"]\n  equal: [alertname]\n",
        BASES[0]
    );
    let warnings = BaseConfig::from_yaml(&crossing).unwrap().warnings();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("inhibit_rules[0]"));
}

#[test]
fn a_test_alert_reaches_only_the_receiver_it_names_and_no_platform_receiver() {
    let receivers = [
        barry("shop", "oncall"),
        barry("shop", "on.call"),
        TenantReceiver::email(&email("shop", "ops", &["a@x.org"], None)).unwrap(),
        barry("bank", "oncall"),
    ];
    let yaml = render(&base(1), &receivers, &options()).unwrap();
    assert_amtool_accepts(&yaml);
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            "shop",
            "tenant/shop/barry/oncall",
            &["tenant/shop/barry/oncall", "ike/discard"],
        ),
        (
            "shop",
            "tenant/shop/barry/on.call",
            &["tenant/shop/barry/on.call", "ike/discard"],
        ),
        // The escaped dot matches only a dot.
        ("shop", "tenant/shop/barry/onxcall", &["ike/discard"]),
        (
            "shop",
            "tenant/shop/email/ops",
            &["tenant/shop/email/ops", "ike/discard"],
        ),
        // A test naming another namespace's receiver reaches nobody's.
        ("shop", "tenant/bank/barry/oncall", &["ike/discard"]),
    ];
    for (namespace, test, expected) in cases {
        let labels = BTreeMap::from([
            ("namespace", namespace),
            ("severity", "critical"),
            (TEST_RECEIVER_LABEL, test),
        ]);
        assert_eq!(amtool_routes(&yaml, &labels), expected, "{test}");
        assert_eq!(evaluate(&route_of(&yaml), &labels, ""), expected, "{test}");
    }
}

#[test]
fn tenant_routes_group_tests_apart_and_otherwise_as_the_root_does() {
    let yaml = render(&base(1), &[barry("shop", "oncall")], &options()).unwrap();
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(
        doc["route"]["routes"][0]["group_by"],
        json!(["alertname", TEST_ID_LABEL])
    );
    assert_eq!(doc["route"]["group_by"], json!(["alertname"]));
    let yaml = render(&base(0), &[barry("shop", "oncall")], &options()).unwrap();
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(
        doc["route"]["routes"][0]["group_by"],
        json!([TEST_ID_LABEL])
    );
    let every = BaseConfig::from_yaml(
        "route:\n  receiver: p\n  group_by: ['...']\nreceivers:\n- name: p\n",
    )
    .unwrap();
    let yaml = render(&every, &[barry("shop", "oncall")], &options()).unwrap();
    assert_amtool_accepts(&yaml);
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert!(
        doc["route"]["routes"][0].get("group_by").is_none(),
        "{yaml}"
    );
}
