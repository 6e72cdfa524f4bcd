//! One tenant's alerts never reach another's receivers, whatever the tenant writes, and only
//! those who may change a namespace may say where its alerts go.

use super::*;
use crate::harness::{admin, barry, enrolled, fails, sharing_the_tenant_controller, teams_fake};

/// A namespace with one config of each kind, its own Barry account and Teams webhook.
struct Tenantish {
    ns: String,
    token: String,
    channel: String,
    mail: String,
    teams: crate::support::teams_fake::TeamsFake,
}

impl Tenantish {
    fn new(prefix: &str) -> Self {
        let ns = namespace(prefix);
        let token = unique("token");
        barry().accept(&token);
        secret(&ns, "barry", "token", &token);
        let channel = format!("iso-{ns}");
        barry_config(&ns, "oncall", &[&channel], "barry");
        let mail = format!("ops@{ns}.example");
        email_config(&ns, "ops", &[&mail]);
        let teams = teams_fake();
        secret(&ns, "teams", "url", &teams.url);
        teams_config(&ns, "chat", "teams");
        Self {
            ns,
            token,
            channel,
            mail,
            teams,
        }
    }

    fn wait_configured(&self) -> String {
        let config = wait_condition(
            "barryconfig",
            &self.ns,
            "oncall",
            "ChannelReady",
            "True",
            None,
        );
        for (kind, name) in [
            ("barryconfig", "oncall"),
            ("emailconfig", "ops"),
            ("teamsconfig", "chat"),
        ] {
            wait_condition(
                kind,
                &self.ns,
                name,
                "ReceiverConfigured",
                "True",
                Some("Configured"),
            );
        }
        channel_id(&config, &self.channel)
    }

    /// Waits until `alert` reached all three of this namespace's receivers.
    fn wait_delivered(&self, channel_id: &str, alert: &str) {
        wait_for("the alert in Barry", || {
            barry_alerts(channel_id, alert, "firing").into_iter().next()
        });
        wait_for("the alert in Teams", || {
            self.teams
                .cards()
                .into_iter()
                .find(|c| c.to_string().contains(alert))
        });
        wait_for("the alert by e-mail", || {
            mails()
                .into_iter()
                .find(|m| m.subject.contains(alert) && m.recipients == [self.mail.clone()])
        });
    }

    /// Asserts `alert` reached none of this namespace's receivers.
    fn assert_never_got(&self, channel_id: &str, alert: &str) {
        let in_barry = barry().alerts_in(channel_id);
        assert!(
            in_barry.iter().all(|b| !b.to_string().contains(alert)),
            "{alert} reached {}'s Barry channel",
            self.ns
        );
        assert!(
            self.teams
                .cards()
                .iter()
                .all(|c| !c.to_string().contains(alert)),
            "{alert} reached {}'s Teams",
            self.ns
        );
        assert!(
            mails()
                .iter()
                .filter(|m| m.recipients.contains(&self.mail))
                .all(|m| !m.text.contains(alert)),
            "{alert} reached {}'s mailbox",
            self.ns
        );
        assert!(
            barry()
                .channels_of(&self.token)
                .iter()
                .all(|c| c.name == self.channel)
        );
    }
}

#[test]
fn an_alert_from_one_namespace_never_reaches_another_namespaces_barry_email_or_teams() {
    let a = Tenantish::new("iso-a");
    let b = Tenantish::new("iso-b");
    let (a_channel, b_channel) = (a.wait_configured(), b.wait_configured());

    let (alert_a, alert_b) = (unique("OnlyA"), unique("OnlyB"));
    post_alert(&[("alertname", &alert_a), ("namespace", &a.ns)], None);
    a.wait_delivered(&a_channel, &alert_a);
    // Posted after a's alert arrived everywhere: once b has its own, a's had every chance.
    post_alert(&[("alertname", &alert_b), ("namespace", &b.ns)], None);
    b.wait_delivered(&b_channel, &alert_b);

    b.assert_never_got(&b_channel, &alert_a);
    a.assert_never_got(&a_channel, &alert_b);
    assert_rendered_config_passes_amtool();
}

#[test]
fn a_tenant_cannot_route_other_namespaces_alerts_by_writing_matchers() {
    let victim = Tenantish::new("victim");
    let victim_channel = victim.wait_configured();
    let ns = namespace("greedy");
    let token = unique("token");
    barry().accept(&token);
    secret(&ns, "barry", "token", &token);
    let channel = format!("greedy-{ns}");
    // Fields the CRD does not have: kubectl refuses them, and past kubectl the API server drops
    // them; ike never reads them.
    let greedy = format!(
        "apiVersion: monitoring.ike.dev/v1alpha1
kind: BarryConfig
metadata:
  name: everything
  namespace: {ns}
spec:
  channels:
  - name: {channel}
  tokenSecretName: barry
  matchers: ['namespace=~\".+\"']
  route:
    matchers: ['namespace=\"{victim}\"']
    continue: true
  namespace: {victim}
",
        victim = victim.ns
    );
    let err = fails(apply_with(&greedy, &[]));
    assert!(err.contains("unknown field \"matchers\""), "{err}");
    ok(apply_with(&greedy, &["--validate=false"]));
    let config = wait_condition(
        "barryconfig",
        &ns,
        "everything",
        "ChannelReady",
        "True",
        None,
    );
    let spec = config["spec"].as_object().unwrap();
    assert!(
        !spec.contains_key("matchers")
            && !spec.contains_key("route")
            && !spec.contains_key("namespace"),
        "{spec:?}"
    );
    let greedy_channel = channel_id(&config, &channel);
    wait_condition(
        "barryconfig",
        &ns,
        "everything",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );

    // Its route matches its own namespace, and nothing else.
    let rendered: Value = serde_saphyr::from_str(&assert_rendered_config_passes_amtool()).unwrap();
    let receiver = format!("tenant/{ns}/barry/everything");
    let route = rendered["route"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["receiver"] == receiver.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        route["matchers"],
        serde_json::json!([
            format!("namespace=\"{ns}\""),
            format!("ike_notify_test=~\"|{receiver}\"")
        ])
    );

    // The victim's alert reaches the victim, and not the greedy tenant.
    let alert = unique("VictimAlert");
    post_alert(&[("alertname", &alert), ("namespace", &victim.ns)], None);
    victim.wait_delivered(&victim_channel, &alert);
    let greedy = barry().alerts_in(&greedy_channel);
    assert!(
        greedy.iter().all(|b| !b.to_string().contains(&alert)),
        "{greedy:?}"
    );
}

#[test]
fn members_without_write_rights_cannot_create_notification_configs() {
    let _tenants = sharing_the_tenant_controller();
    let (owner, member, viewer, stranger) = (
        enrolled("ntf-owner"),
        enrolled("ntf-member"),
        enrolled("ntf-viewer"),
        enrolled("ntf-stranger"),
    );
    let tenant = unique("ntf");
    let ns = unique("ntf-ns");
    ok(admin().ike(&[
        "tenant",
        "create",
        &tenant,
        "--owner",
        &owner.account,
        "--member",
        &member.account,
        "--viewer",
        &viewer.account,
        "-n",
        &ns,
    ]));
    // RoleBindings and the aggregated roles take a moment.
    wait_for("the viewer's read access", || {
        let out = viewer.kubectl(&[
            "auth",
            "can-i",
            "list",
            "emailconfigs.monitoring.ike.dev",
            "-n",
            &ns,
        ]);
        (String::from_utf8_lossy(&out.stdout).trim() == "yes").then_some(())
    });
    wait_for("the member's write access", || {
        let out = member.kubectl(&[
            "auth",
            "can-i",
            "create",
            "emailconfigs.monitoring.ike.dev",
            "-n",
            &ns,
        ]);
        (String::from_utf8_lossy(&out.stdout).trim() == "yes").then_some(())
    });

    // A viewer reads, and cannot write: neither with ike nor with kubectl.
    let to = format!("ops@{ns}.example");
    let err = fails(viewer.ike(&["notify", "email", "ops", "--to", &to, "-n", &ns]));
    assert!(
        err.contains("may not change notification configs in namespace"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    for verb in ["create", "update", "patch", "delete"] {
        let out = viewer.kubectl(&[
            "auth",
            "can-i",
            verb,
            "barryconfigs.monitoring.ike.dev",
            "-n",
            &ns,
        ]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "no",
            "viewer may {verb}"
        );
    }
    ok(viewer.ike(&["notify", "list", "-n", &ns]));
    // Someone outside the tenant cannot even read them.
    let out = stranger.kubectl(&[
        "auth",
        "can-i",
        "list",
        "barryconfigs.monitoring.ike.dev",
        "-n",
        &ns,
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");
    let out = member.kubectl(&[
        "auth",
        "can-i",
        "create",
        "barryconfigs.monitoring.ike.dev",
        "-n",
        "default",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");

    // A member writes a config, and still cannot write its status (the controller's).
    ok(member.ike(&["notify", "email", "ops", "--to", &to, "-n", &ns]));
    let out = member.kubectl(&[
        "auth",
        "can-i",
        "patch",
        "emailconfigs.monitoring.ike.dev",
        "--subresource=status",
        "-n",
        &ns,
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");
    let forged = member.kubectl(&[
        "patch", "emailconfig", "ops", "-n", &ns, "--subresource=status", "--type=merge", "-p",
        r#"{"status":{"conditions":[{"type":"ReceiverConfigured","status":"True","reason":"Forged","message":"","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}"#,
    ]);
    assert!(!forged.status.success(), "the member forged the status");
    // The owner may delete it.
    ok(owner.ike(&["notify", "delete", "ops", "-n", &ns]));
}
