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
    })
    .unwrap();
    assert!(plan.verdicts.is_empty());
    assert!(!plan.rendered.unwrap().contains("going"));
}
