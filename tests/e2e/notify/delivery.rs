//! Alerts reach Barry, e-mail and Teams through the real Alertmanager.

use super::*;
use crate::harness::{BARRY_TOKEN, barry, teams_fake};

#[test]
fn the_seed_example_opens_its_muted_channel_and_its_alerts_and_their_resolution_reach_barry() {
    let ns = namespace("seed");
    secret(&ns, "barrytoken", "token", BARRY_TOKEN);
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/barryconfig.yaml"
    ))
    .unwrap();
    assert!(example.contains("namespace: exmaple"));
    apply(&example.replace("namespace: exmaple", &format!("namespace: {ns}")));

    // The channel is opened in Barry, muted as the example asks, and its id is in the status.
    let config = wait_condition("barryconfig", &ns, "test", "ChannelReady", "True", None);
    let id = channel_id(&config, "example-channel");
    assert_eq!(config["status"]["channels"][0]["muted"], true);
    let fake_channel = barry().channels().into_iter().find(|c| c.id == id).unwrap();
    assert_eq!(fake_channel.name, "example-channel");
    assert!(fake_channel.muted, "the muted channel is muted in Barry");

    // Alertmanager runs with the receiver.
    wait_condition(
        "barryconfig",
        &ns,
        "test",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    let receiver = format!("tenant/{ns}/barry/test");
    assert!(running_receivers().contains(&receiver));
    assert_rendered_config_passes_amtool();

    // An alert of the namespace arrives in the channel, and so does its resolution.
    let alert = unique("SeedAlert");
    post_alert(&[("alertname", &alert), ("namespace", &ns)], None);
    let firing = wait_for("the firing alert in Barry", || {
        barry_alerts(&id, &alert, "firing").into_iter().next()
    });
    assert_eq!(firing["receiver"], receiver);
    assert_eq!(firing["commonLabels"]["namespace"], ns.as_str());
    post_alert(&[("alertname", &alert), ("namespace", &ns)], Some(&now()));
    wait_for("the resolved notification in Barry", || {
        barry_alerts(&id, &alert, "resolved").into_iter().next()
    });
    let config = wait_condition(
        "barryconfig",
        &ns,
        "test",
        "Delivered",
        "True",
        Some("Accepted"),
    );
    assert_eq!(config["status"]["lastDelivery"]["result"], "Delivered");

    // Unmuting in the spec unmutes the channel in Barry.
    ok(kubectl(&[
        "patch",
        "barryconfig",
        "test",
        "-n",
        &ns,
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/channels/0/mute","value":false}]"#,
    ]));
    wait_for("the channel unmuted in Barry", || {
        let c = barry().channels().into_iter().find(|c| c.id == id)?;
        (!c.muted).then_some(())
    });
    assert!(barry().mutes().contains(&(id.clone(), false)));
}

#[test]
fn e_mail_reaches_the_configured_recipients_and_nobody_else() {
    let (a, b) = (namespace("mail-a"), namespace("mail-b"));
    let (a1, a2, b1) = (
        format!("oncall@{a}.example"),
        format!("lead@{a}.example"),
        format!("ops@{b}.example"),
    );
    email_config(&a, "ops", &[&a1, &a2]);
    email_config(&b, "ops", &[&b1]);
    for ns in [&a, &b] {
        wait_condition(
            "emailconfig",
            ns,
            "ops",
            "ReceiverConfigured",
            "True",
            Some("Configured"),
        );
    }
    let (alert_a, alert_b) = (unique("MailA"), unique("MailB"));
    post_alert(&[("alertname", &alert_a), ("namespace", &a)], None);
    let mail = wait_for("the e-mail of namespace a", || {
        mails().into_iter().find(|m| m.subject.contains(&alert_a))
    });
    let mut recipients = mail.recipients.clone();
    recipients.sort();
    let mut wanted = vec![a1.clone(), a2.clone()];
    wanted.sort();
    assert_eq!(recipients, wanted, "{}", mail.text);
    assert!(
        mail.text.contains(&format!("To: {a1}, {a2}"))
            || mail.text.contains(&format!("To: {a2}, {a1}"))
    );

    // Once namespace b's own alert has reached b, a's alert would have too if it could.
    post_alert(&[("alertname", &alert_b), ("namespace", &b)], None);
    wait_for("the e-mail of namespace b", || {
        mails()
            .into_iter()
            .find(|m| m.subject.contains(&alert_b) && m.recipients == [b1.clone()])
    });
    for m in mails().iter().filter(|m| m.subject.contains(&alert_a)) {
        assert!(
            m.recipients.iter().all(|r| *r == a1 || *r == a2),
            "a's alert went to {:?}",
            m.recipients
        );
    }
    for m in mails().iter().filter(|m| m.subject.contains(&alert_b)) {
        assert_eq!(m.recipients, std::slice::from_ref(&b1));
    }
}

#[test]
fn teams_receives_a_valid_adaptive_card_and_a_retired_connector_url_is_refused() {
    let fake = teams_fake();
    let ns = namespace("teams");
    secret(&ns, "teams-url", "url", &fake.url);
    teams_config(&ns, "chat", "teams-url");
    secret(
        &ns,
        "old-url",
        "url",
        "https://contoso.webhook.office.com/webhookb2/1234@5678/IncomingWebhook/abcd/ef01",
    );
    teams_config(&ns, "old", "old-url");

    wait_condition(
        "teamsconfig",
        &ns,
        "chat",
        "WebhookReady",
        "True",
        Some("WebhookValid"),
    );
    wait_condition(
        "teamsconfig",
        &ns,
        "chat",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    let old = wait_condition(
        "teamsconfig",
        &ns,
        "old",
        "WebhookReady",
        "False",
        Some("InvalidWebhookUrl"),
    );
    let (_, _, message) = condition(&old, "WebhookReady").unwrap();
    assert!(message.contains("Workflows webhook"), "{message}");

    let alert = unique("TeamsAlert");
    post_alert(
        &[
            ("alertname", &alert),
            ("namespace", &ns),
            ("severity", "critical"),
        ],
        None,
    );
    // The fake accepts only a message with one valid Adaptive Card.
    let card = wait_for("the card in Teams", || {
        fake.cards()
            .into_iter()
            .find(|c| c.to_string().contains(&alert))
    });
    assert_eq!(card["type"], "AdaptiveCard");
    assert!(
        card.to_string().contains(&format!("[FIRING:1] {alert}")),
        "{card}"
    );
    wait_condition(
        "teamsconfig",
        &ns,
        "chat",
        "Delivered",
        "True",
        Some("Accepted"),
    );
    // The URL (a secret) is in no configuration Alertmanager reads.
    let rendered = assert_rendered_config_passes_amtool();
    assert!(!rendered.contains(crate::support::teams_fake::SIGNATURE));
}

#[test]
fn a_new_resource_request_is_announced_to_the_platform_admins_notification_configs() {
    let _shared = crate::harness::sharing_the_tenant_controller();
    // The platform admins' configs live in the controller's namespace.
    let admins = unique("admins");
    let to = format!("{admins}@platform.example");
    email_config("ike-system", &admins, &[&to]);
    wait_condition(
        "emailconfig",
        "ike-system",
        &admins,
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    let team = crate::hostile::Team::new("announce");
    let request = serde_json::json!({"apiVersion": "ike.dev/v1alpha1", "kind": "ResourceRequest",
        "metadata": {"name": "fast"},
        "spec": {"reason": "databases", "manifest": crd(&format!("{}.example.com", unique("announced")))}});
    crate::hostile::allowed(crate::hostile::create(
        Some(&team.owner),
        &team.ns,
        &request,
    ));
    let reference = format!("{}/fast", team.ns);
    let mail = wait_for("the announcement e-mail", || {
        mails()
            .into_iter()
            .find(|m| m.recipients == [to.clone()] && m.text.contains(&reference))
    });
    assert!(
        mail.subject.contains("IkeResourceRequest"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text
            .contains(&format!("ike request approve fast -n {}", team.ns)),
        "{}",
        mail.text
    );
    let history = ok(kubectl(&[
        "get",
        "resourcerequest",
        "fast",
        "-n",
        &team.ns,
        "-o",
        "jsonpath={.status.history[*].event}",
    ]));
    assert!(history.contains("Announced"), "{history}");
    ok(kubectl(&[
        "delete",
        "emailconfig",
        &admins,
        "-n",
        "ike-system",
    ]));
}

/// A namespaced CRD of `group`: what a tenant may request without the site's provisioner list
/// (which the requests tests change).
fn crd(group: &str) -> serde_json::Value {
    serde_json::json!({"apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition", "metadata": {"name": format!("backups.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": "backups", "singular": "backup", "kind": "Backup"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object"}}}]}})
}
