//! The render's decisions, checked with the real amtool where a configuration is written.

use kube::api::ObjectMeta;

use super::*;
use crate::api::{BarryChannel, BarryConfigSpec, EmailConfigSpec, TeamsConfigSpec};
use crate::controller::notify::alertmanager::amtool::assert_amtool_accepts;

const BASE: &str = "global:
  smtp_smarthost: 127.0.0.1:2525
  smtp_from: alertmanager@ike.example
  smtp_require_tls: false
route:
  receiver: platform
receivers:
- name: platform
";

fn meta(namespace: &str, name: &str) -> ObjectMeta {
    ObjectMeta {
        namespace: Some(namespace.into()),
        name: Some(name.into()),
        generation: Some(2),
        ..Default::default()
    }
}

fn barry(namespace: &str, name: &str, channels: &[&str]) -> Arc<BarryConfig> {
    Arc::new(BarryConfig {
        metadata: meta(namespace, name),
        spec: BarryConfigSpec {
            channels: channels
                .iter()
                .map(|c| BarryChannel {
                    name: c.to_string(),
                    mute: false,
                })
                .collect(),
            token_secret_name: "barrytoken".into(),
        },
        status: None,
    })
}

fn email(namespace: &str, name: &str, to: &str) -> Arc<EmailConfig> {
    Arc::new(EmailConfig {
        metadata: meta(namespace, name),
        spec: EmailConfigSpec {
            to: vec![to.into()],
            ..Default::default()
        },
        status: None,
    })
}

fn teams(namespace: &str, name: &str) -> Arc<TeamsConfig> {
    Arc::new(TeamsConfig {
        metadata: meta(namespace, name),
        spec: TeamsConfigSpec {
            webhook_url_secret_name: "teams-url".into(),
        },
        status: None,
    })
}

fn options(teams: TeamsDelivery) -> Options {
    Options {
        relay_url: "https://127.0.0.1:8443/relay".into(),
        relay_http_config: None,
        teams,
    }
}

fn no_url(_: &str, _: &str) -> Option<String> {
    None
}

/// Every namespace its own tenant.
fn own_tenant(namespace: &str) -> String {
    format!("namespace/{namespace}")
}

fn left_out(plan: &Plan) -> Vec<(&str, &str)> {
    plan.verdicts
        .iter()
        .filter_map(|v| Some((v.receiver.as_str(), v.left_out.as_ref()?.0)))
        .collect()
}

#[test]
fn a_broken_config_is_left_out_with_its_reason_and_the_others_are_rendered() {
    let barry = [barry("shop", "oncall", &["a"]), barry("shop", "empty", &[])];
    let email = [
        email("shop", "ops", "ops@shop.example"),
        email("bank", "ops", "ops@bank.example, boss@shop.example"),
    ];
    let teams = [teams("shop", "chat")];
    let options = options(TeamsDelivery::Relay);
    let plan = plan(&Inputs {
        base: Some(BASE),
        base_name: "Secret ike-system/alertmanager-base",
        barry: &barry,
        email: &email,
        teams: &teams,
        native_url: &no_url,
        options: &options,
        policy: &NotificationPolicy::default(),
        destinations: &Destinations::new(&NotificationPolicy::default(), false),
        tenant_of: &own_tenant,
    })
    .unwrap();
    assert_eq!(
        left_out(&plan),
        [
            ("tenant/bank/email/ops", "InvalidAddress"),
            ("tenant/shop/barry/empty", "InvalidSpec"),
        ]
    );
    let rendered = plan.rendered.unwrap();
    assert_amtool_accepts(&rendered);
    for present in [
        "tenant/shop/barry/oncall",
        "tenant/shop/email/ops",
        "tenant/shop/teams/chat",
    ] {
        assert!(rendered.contains(present), "{present}");
    }
    assert!(!rendered.contains("boss@shop.example"));
    assert_eq!(plan.verdicts[0].generation, Some(2));
}

#[test]
fn without_a_base_nothing_is_written_and_every_config_says_why() {
    let barry = [barry("shop", "oncall", &["a"])];
    let email = [email("shop", "ops", "ops@shop.example")];
    let options = options(TeamsDelivery::Relay);
    for (base, wanted) in [
        (None, "is missing"),
        (Some("route: ["), "not YAML"),
        (Some("receivers: []"), "has no route"),
    ] {
        let plan = plan(&Inputs {
            base,
            base_name: "Secret ike-system/alertmanager-base",
            barry: &barry,
            email: &email,
            teams: &[],
            native_url: &no_url,
            options: &options,
            policy: &NotificationPolicy::default(),
            destinations: &Destinations::new(&NotificationPolicy::default(), false),
            tenant_of: &own_tenant,
        })
        .unwrap();
        assert_eq!(plan.rendered, None);
        assert_eq!(plan.verdicts.len(), 2);
        for v in &plan.verdicts {
            let (reason, message) = v.left_out.as_ref().unwrap();
            assert_eq!(*reason, "NoBaseConfiguration");
            assert!(
                message.contains(wanted) && message.contains("ike-system/alertmanager-base"),
                "{message}"
            );
        }
    }
}

#[test]
fn e_mail_without_smtp_settings_is_left_out_and_barry_is_not() {
    let barry = [barry("shop", "oncall", &["a"])];
    let email = [email("shop", "ops", "ops@shop.example")];
    let options = options(TeamsDelivery::Relay);
    let plan = plan(&Inputs {
        base: Some("route: {receiver: p}\nreceivers: [{name: p}]\n"),
        base_name: "Secret ike-system/alertmanager-base",
        barry: &barry,
        email: &email,
        teams: &[],
        native_url: &no_url,
        options: &options,
        policy: &NotificationPolicy::default(),
        destinations: &Destinations::new(&NotificationPolicy::default(), false),
        tenant_of: &own_tenant,
    })
    .unwrap();
    assert_eq!(
        left_out(&plan),
        [("tenant/shop/email/ops", "SmtpNotConfigured")]
    );
    assert_amtool_accepts(&plan.rendered.unwrap());
}

#[test]
fn native_teams_needs_a_usable_url_and_relay_teams_needs_none() {
    let teams = [
        teams("shop", "chat"),
        teams("shop", "old"),
        teams("shop", "new"),
    ];
    let url = |_: &str, name: &str| match name {
        "old" => Some("https://x.webhook.office.com/webhookb2/a/IncomingWebhook/b".to_string()),
        "new" => Some("https://prod.logic.azure.com/workflows/x?sig=S3CRET".to_string()),
        _ => None,
    };
    let native = options(TeamsDelivery::Native);
    let plan = plan(&Inputs {
        base: Some(BASE),
        base_name: "b",
        barry: &[],
        email: &[],
        teams: &teams,
        native_url: &url,
        options: &native,
        policy: &NotificationPolicy::default(),
        destinations: &Destinations::new(&NotificationPolicy::default(), false),
        tenant_of: &own_tenant,
    })
    .unwrap();
    assert_eq!(
        left_out(&plan),
        [
            ("tenant/shop/teams/chat", "WebhookSecretMissing"),
            ("tenant/shop/teams/old", "InvalidWebhookUrl"),
        ]
    );
    assert!(plan.rendered.unwrap().contains("sig=S3CRET"));
    let relay = options(TeamsDelivery::Relay);
    let plan = super::plan(&Inputs {
        base: Some(BASE),
        base_name: "b",
        barry: &[],
        email: &[],
        teams: &teams,
        native_url: &url,
        options: &relay,
        policy: &NotificationPolicy::default(),
        destinations: &Destinations::new(&NotificationPolicy::default(), false),
        tenant_of: &own_tenant,
    })
    .unwrap();
    assert!(left_out(&plan).is_empty());
    assert!(!plan.rendered.unwrap().contains("S3CRET"));
}

#[test]
fn configs_being_deleted_are_gone_from_the_render() {
    let mut going = (*barry("shop", "going", &["a"])).clone();
    going.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        k8s_openapi::jiff::Timestamp::now(),
    ));
    let options = options(TeamsDelivery::Relay);
    let plan = plan(&Inputs {
        base: Some(BASE),
        base_name: "b",
        barry: &[Arc::new(going)],
        email: &[],
        teams: &[],
        native_url: &no_url,
        options: &options,
        policy: &NotificationPolicy::default(),
        destinations: &Destinations::new(&NotificationPolicy::default(), false),
        tenant_of: &own_tenant,
    })
    .unwrap();
    assert!(plan.verdicts.is_empty());
    assert!(!plan.rendered.unwrap().contains("going"));
}

fn created_at<K: Resource + Clone>(config: &Arc<K>, second: i64) -> Arc<K> {
    let mut c = (**config).clone();
    c.meta_mut().creation_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        k8s_openapi::jiff::Timestamp::from_second(1_796_000_000 + second).unwrap(),
    ));
    Arc::new(c)
}

fn with_policy(
    policy: &NotificationPolicy,
    barry: &[Arc<BarryConfig>],
    email: &[Arc<EmailConfig>],
    tenant_of: &dyn Fn(&str) -> String,
) -> Plan {
    plan(&Inputs {
        base: Some(BASE),
        base_name: "b",
        barry,
        email,
        teams: &[],
        native_url: &no_url,
        options: &options(TeamsDelivery::Relay),
        policy,
        destinations: &Destinations::new(policy, false),
        tenant_of,
    })
    .unwrap()
}

#[test]
fn one_tenant_at_its_limits_leaves_out_its_own_newest_and_another_tenants_new_config_is_in() {
    let policy = NotificationPolicy::default();
    // Tenant A: 21 configs in one namespace, one over the limit of 20.
    let full: Vec<Arc<EmailConfig>> = (0..21)
        .map(|i| {
            let c = email("a-ns", &format!("c{i:02}"), &format!("o{i}@a.example"));
            created_at(&c, i)
        })
        .collect();
    let mut all = full.clone();
    // Tenant B adds one, newer than all of A's.
    all.push(created_at(&email("b-ns", "new", "ops@b.example"), 100));
    let plan = with_policy(&policy, &[], &all, &own_tenant);
    let out = left_out(&plan);
    assert_eq!(out, [("tenant/a-ns/email/c20", "OverBudget")]);
    let message = &plan
        .verdicts
        .iter()
        .find(|v| v.left_out.is_some())
        .unwrap()
        .left_out
        .as_ref()
        .unwrap()
        .1;
    assert!(message.contains("maxConfigsPerNamespace"), "{message}");
    let rendered = plan.rendered.unwrap();
    assert!(rendered.contains("tenant/b-ns/email/new"));
    assert!(rendered.contains("tenant/a-ns/email/c19") && !rendered.contains("c20"));
    assert_amtool_accepts(&rendered);
}

#[test]
fn a_tenants_byte_budget_counts_all_its_namespaces() {
    let policy = NotificationPolicy {
        max_bytes_per_tenant: Some(1500),
        ..Default::default()
    };
    let barry: Vec<Arc<BarryConfig>> = (0..6)
        .map(|i| created_at(&barry(&format!("a{}", i % 3), &format!("b{i}"), &["x"]), i))
        .chain([barry("solo", "b", &["x"])])
        .collect();
    // a0, a1 and a2 are one tenant's; "solo" is a namespace of no tenant.
    let tenant_of = |ns: &str| match ns.strip_prefix('a') {
        Some(_) => "tenant/a".to_string(),
        None => format!("namespace/{ns}"),
    };
    let plan = with_policy(&policy, &barry, &[], &tenant_of);
    let out: Vec<&str> = left_out(&plan).into_iter().map(|(r, _)| r).collect();
    assert!(!out.is_empty() && out.len() < 6, "{out:?}");
    assert!(out.iter().all(|r| r.starts_with("tenant/a")), "{out:?}");
    // The newest are the ones out.
    assert!(out.contains(&"tenant/a2/barry/b5"), "{out:?}");
    assert!(!out.contains(&"tenant/a0/barry/b0"), "{out:?}");
}

#[test]
fn a_full_configuration_is_shared_and_never_fails_everyone() {
    // 200 tenants of 10 configs of 50 long addresses each want about 20 MiB; the small tenant
    // wants one config.
    let policy = NotificationPolicy {
        max_bytes_per_tenant: Some(u32::MAX),
        ..Default::default()
    };
    let mut email_configs: Vec<Arc<EmailConfig>> = Vec::new();
    for t in 0..200 {
        for i in 0..10 {
            let mut c = (*email(&format!("big{t}"), &format!("c{i}"), "x@x.example")).clone();
            c.spec.to = (0..50)
                .map(|a| format!("recipient-number-{a:02}-of-config-{i}@tenant-{t}.example"))
                .collect();
            email_configs.push(created_at(&Arc::new(c), i));
        }
    }
    email_configs.push(created_at(&email("small", "ops", "ops@small.example"), 50));
    let plan = with_policy(&policy, &[], &email_configs, &own_tenant);
    let rendered = plan.rendered.unwrap();
    assert!(
        rendered.len() <= MAX_CONFIGURATION_BYTES,
        "{}",
        rendered.len()
    );
    // Whole configs go: the room is used as far as they fit in it.
    assert!(
        rendered.len() > MAX_CONFIGURATION_BYTES / 2,
        "{}",
        rendered.len()
    );
    assert!(rendered.contains("tenant/small/email/ops"));
    // Every big tenant keeps its oldest config, and loses its newest.
    for t in 0..200 {
        assert!(
            rendered.contains(&format!("tenant/big{t}/email/c0\n")),
            "big{t}"
        );
        assert!(
            !rendered.contains(&format!("tenant/big{t}/email/c9\n")),
            "big{t}"
        );
    }
    let (_, message) = plan
        .verdicts
        .iter()
        .find_map(|v| v.left_out.clone())
        .unwrap();
    assert!(message.contains("full"), "{message}");
    let _: serde_json::Value = serde_saphyr::from_str(&rendered).unwrap();
}

#[test]
fn recipients_outside_the_sites_domains_and_beyond_its_count_are_left_out() {
    let policy = NotificationPolicy {
        email_domains: vec!["shop.example".into()],
        max_addresses_per_config: Some(2),
        ..Default::default()
    };
    let mut many = (*email("shop", "many", "a@shop.example")).clone();
    many.spec.to = ["a", "b", "c"]
        .map(|l| format!("{l}@shop.example"))
        .to_vec();
    let configs = [
        email("shop", "ok", "ops@shop.example"),
        email("shop", "away", "ops@elsewhere.example"),
        Arc::new(many),
    ];
    let plan = with_policy(&policy, &[], &configs, &own_tenant);
    assert_eq!(
        left_out(&plan),
        [
            ("tenant/shop/email/away", "DomainNotAllowed"),
            ("tenant/shop/email/many", "OverBudget"),
        ]
    );
    assert!(plan.rendered.unwrap().contains("ops@shop.example"));
}

#[test]
fn a_native_teams_url_to_the_platform_is_left_out() {
    let teams = [teams("shop", "inside"), teams("shop", "outside")];
    let url = |_: &str, name: &str| match name {
        "inside" => Some("https://169.254.169.254/latest/meta-data".to_string()),
        _ => Some("https://prod-1.westeurope.logic.azure.com/workflows/x?sig=s".to_string()),
    };
    let plan = plan(&Inputs {
        base: Some(BASE),
        base_name: "b",
        barry: &[],
        email: &[],
        teams: &teams,
        native_url: &url,
        options: &options(TeamsDelivery::Native),
        policy: &NotificationPolicy::default(),
        destinations: &Destinations::new(&NotificationPolicy::default(), false),
        tenant_of: &own_tenant,
    })
    .unwrap();
    assert_eq!(
        left_out(&plan),
        [("tenant/shop/teams/inside", "DestinationNotAllowed")]
    );
}
