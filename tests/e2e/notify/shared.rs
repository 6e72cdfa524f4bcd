//! What tenants share, tried as a hostile tenant would: the relay's reach, its delivery slots,
//! Alertmanager's one configuration, and values Alertmanager would execute. Each attack is
//! refused next to its legitimate neighbour.

use std::sync::atomic::Ordering;
use std::time::Instant;

use serde_json::json;

use super::*;
use crate::harness::{BARRY_TOKEN, barry, fails, fakes, ike, teams_fake};

/// A section of the Site set by a test (merge patch under `spec.notifications`); cleared again
/// when dropped. Other tests never set these fields, and what a test sets here concerns only
/// its own destinations and domains.
struct SiteNotifications(&'static str);

impl SiteNotifications {
    fn set(field: &'static str, value: serde_json::Value) -> Self {
        let patch = json!({ "spec": { "notifications": { field: value } } });
        ok(kubectl(&[
            "patch",
            "site",
            "site",
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]));
        Self(field)
    }
}

impl Drop for SiteNotifications {
    fn drop(&mut self) {
        let patch = json!({ "spec": { "notifications": { self.0: null } } });
        let _ = kubectl(&[
            "patch",
            "site",
            "site",
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]);
    }
}

#[test]
fn teams_urls_reach_only_where_the_site_allows_next_to_a_real_workflows_host() {
    let ns = namespace("reach");
    // A real Workflows URL: valid for the site (there is no internet here to deliver to it).
    let workflows = "https://prod-23.westeurope.logic.azure.com:443/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCd0123";
    secret(&ns, "real", "url", workflows);
    teams_config(&ns, "real", "real");
    for (name, url) in [
        ("metadata", "https://169.254.169.254/latest/meta-data/"),
        ("private", "https://10.0.0.1/workflows/x"),
        ("mapped", "https://[::ffff:10.1.2.3]/workflows/x"),
        ("elsewhere", "https://hooks.evil.example/workflows/x"),
    ] {
        secret(&ns, name, "url", url);
        teams_config(&ns, name, name);
    }
    let real = wait_condition("teamsconfig", &ns, "real", "WebhookReady", "True", None);
    assert_eq!(condition(&real, "WebhookReady").unwrap().1, "WebhookValid");
    for (name, says) in [
        ("metadata", "link-local"),
        ("private", "private"),
        ("mapped", "private"),
        ("elsewhere", "allowedHosts"),
    ] {
        let config = wait_condition(
            "teamsconfig",
            &ns,
            name,
            "WebhookReady",
            "False",
            Some("DestinationNotAllowed"),
        );
        let message = condition(&config, "WebhookReady").unwrap().2;
        assert!(message.contains(says), "{name}: {message}");
    }

    // The site's blocked networks: a Teams fake on 127.0.0.77 is blocked, the same fake on
    // 127.0.0.1 is not (loopback itself is allowed here by the local IKE's switch).
    let blocked = fakes().block_on(crate::support::teams_fake::TeamsFake::start_on(
        [127, 0, 0, 77].into(),
    ));
    let open = teams_fake();
    let _site = SiteNotifications::set("blockedNetworks", json!(["127.0.0.77/32"]));
    secret(&ns, "blocked", "url", &blocked.url);
    teams_config(&ns, "blocked", "blocked");
    secret(&ns, "open", "url", &open.url);
    teams_config(&ns, "open", "open");
    let refused = wait_condition(
        "teamsconfig",
        &ns,
        "blocked",
        "WebhookReady",
        "False",
        Some("DestinationNotAllowed"),
    );
    let message = condition(&refused, "WebhookReady").unwrap().2;
    assert!(message.contains("blockedNetworks"), "{message}");
    for name in ["blocked", "open"] {
        wait_condition(
            "teamsconfig",
            &ns,
            name,
            "ReceiverConfigured",
            "True",
            Some("Configured"),
        );
    }
    // The relay checks again when it delivers: an alert reaches the open fake, not the blocked.
    let alert = unique("Reach");
    post_alert(&[("alertname", &alert), ("namespace", &ns)], None);
    wait_condition("teamsconfig", &ns, "open", "Delivered", "True", None);
    wait_condition(
        "teamsconfig",
        &ns,
        "blocked",
        "Delivered",
        "False",
        Some("DestinationNotAllowed"),
    );
    assert_eq!(open.cards().len(), 1);
    assert_eq!(blocked.requests(), 0, "nothing reached the blocked address");
}

#[test]
fn a_channel_barry_opens_again_after_a_404_keeps_its_mute_and_pages_nobody() {
    let ns = namespace("reopen");
    secret(&ns, "barry", "token", BARRY_TOKEN);
    let quiet = format!("quiet-{ns}");
    apply(&format!(
        "apiVersion: monitoring.ike.dev/v1alpha1\nkind: BarryConfig\nmetadata:\n  name: oncall\n  namespace: {ns}\nspec:\n  channels:\n  - name: {quiet}\n    mute: true\n  tokenSecretName: barry\n"
    ));
    let config = wait_condition("barryconfig", &ns, "oncall", "ChannelReady", "True", None);
    let old = channel_id(&config, &quiet);
    wait_condition(
        "barryconfig",
        &ns,
        "oncall",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    // Someone deletes the channel in Barry: the status still names it.
    barry().forget_channel(&old);
    let alert = unique("Reopened");
    post_alert(&[("alertname", &alert), ("namespace", &ns)], None);
    let reopened = wait_for("the alert in the channel opened again", || {
        barry()
            .channels_of(BARRY_TOKEN)
            .into_iter()
            .find(|c| c.name == quiet && c.id != old)
            .filter(|c| !barry_alerts(&c.id, &alert, "firing").is_empty())
    });
    assert!(
        reopened.muted,
        "the channel opened again is muted as the config asks"
    );
    assert!(
        !barry().paged().contains(&reopened.id),
        "an alert reached the channel while it was unmuted"
    );
}

#[test]
fn e_mail_addresses_are_data_and_stay_in_the_sites_domains() {
    let ns = namespace("literal");
    // The API server refuses template syntax (the CRD's pattern), kubectl says so.
    let out = apply_with(
        &format!(
            "apiVersion: monitoring.ike.dev/v1alpha1\nkind: EmailConfig\nmetadata:\n  name: tpl\n  namespace: {ns}\nspec:\n  to: ['{{{{ .CommonLabels }}}}@{ns}.example']\n"
        ),
        &[],
    );
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("spec.to"), "{said}");
    // ike says so before it sends anything, and nothing is created.
    let err = fails(ike(&[
        "notify",
        "email",
        "tpl",
        "--to",
        &format!("{{{{template \"x\"}}}}@{ns}.example"),
        "-n",
        &ns,
    ]));
    assert!(err.contains("braces are not allowed"), "{err}");
    assert!(
        !kubectl(&["get", "emailconfig", "tpl", "-n", &ns])
            .status
            .success()
    );

    // The site's e-mail domains: a recipient elsewhere is left out, one inside is configured.
    let _site = SiteNotifications::set("emailDomains", json!([".example"]));
    let err = fails(ike(&[
        "notify",
        "email",
        "away",
        "--to",
        "ops@corp.test",
        "-n",
        &ns,
    ]));
    assert!(err.contains("emailDomains"), "{err}");
    email_config(&ns, "away", &["ops@corp.test"]);
    email_config(&ns, "plain", &[&format!("ops@{ns}.example")]);
    let away = wait_condition(
        "emailconfig",
        &ns,
        "away",
        "ReceiverConfigured",
        "False",
        Some("DomainNotAllowed"),
    );
    let message = condition(&away, "ReceiverConfigured").unwrap().2;
    assert!(message.contains("ops@corp.test"), "{message}");
    wait_condition(
        "emailconfig",
        &ns,
        "plain",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    let running = running_receivers();
    assert!(running.contains(&format!("tenant/{ns}/email/plain")));
    assert!(!running.contains(&format!("tenant/{ns}/email/away")));
    assert!(!assert_rendered_config_passes_amtool().contains("corp.test"));
}

#[test]
fn one_tenant_at_its_configuration_limit_and_another_adding_a_config_are_both_published() {
    let full = namespace("full");
    let other = namespace("other");
    // 21 configs in one namespace, one more than the default 20, in one apply.
    let yaml: String = (0..21)
        .map(|i| {
            format!(
                "---\napiVersion: monitoring.ike.dev/v1alpha1\nkind: EmailConfig\nmetadata:\n  name: c{i:02}\n  namespace: {full}\nspec:\n  to: ['o{i}@{full}.example']\n"
            )
        })
        .collect();
    apply(&yaml);
    let over = wait_condition(
        "emailconfig",
        &full,
        "c20",
        "ReceiverConfigured",
        "False",
        Some("OverBudget"),
    );
    let message = condition(&over, "ReceiverConfigured").unwrap().2;
    assert!(message.contains("maxConfigsPerNamespace"), "{message}");
    wait_condition(
        "emailconfig",
        &full,
        "c19",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    // Another tenant adds a config: Alertmanager runs it, and the full tenant's 20.
    email_config(&other, "ops", &[&format!("ops@{other}.example")]);
    wait_condition(
        "emailconfig",
        &other,
        "ops",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    let running = running_receivers();
    assert!(running.contains(&format!("tenant/{other}/email/ops")));
    let theirs = running
        .iter()
        .filter(|r| r.starts_with(&format!("tenant/{full}/")))
        .count();
    assert_eq!(theirs, 20);
    assert!(!running.contains(&format!("tenant/{full}/email/c20")));
    assert_rendered_config_passes_amtool();
}

/// Seconds from `ike notify test` until it reports the test delivered.
fn notify_test(ns: &str, name: &str) -> f64 {
    let started = Instant::now();
    ok(ike(&["notify", "test", name, "-n", ns, "--timeout", "60s"]));
    started.elapsed().as_secs_f64()
}

#[test]
fn a_tenant_flooding_the_relay_does_not_hold_up_another_tenants_delivery() {
    // Tenant B, quiet: its test's baseline.
    let b = namespace("quiet");
    let fake = teams_fake();
    secret(&b, "teams", "url", &fake.url);
    teams_config(&b, "chat", "teams");
    wait_condition(
        "teamsconfig",
        &b,
        "chat",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    let baseline = notify_test(&b, "chat");

    // Tenant A: five namespaces the controller recorded as one tenant's, 20 TeamsConfigs each,
    // all at a server that accepts and never answers.
    let (hole, accepted, task) = fakes().block_on(crate::support::black_hole());
    let tenant = unique("flood");
    let a: Vec<String> = (0..5).map(|_| namespace("flood")).collect();
    for ns in &a {
        ok(kubectl(&[
            "label",
            "namespace",
            ns,
            &format!("ike.dev/tenant={tenant}"),
        ]));
        secret(
            ns,
            "hole",
            "url",
            &format!("http://{hole}/workflows/x/triggers/manual/paths/invoke?sig=s"),
        );
        let yaml: String = (0..20)
            .map(|i| {
                format!(
                    "---\napiVersion: monitoring.ike.dev/v1alpha1\nkind: TeamsConfig\nmetadata:\n  name: t{i:02}\n  namespace: {ns}\nspec:\n  webhookUrlSecretName: hole\n"
                )
            })
            .collect();
        apply(&yaml);
    }
    for ns in &a {
        wait_condition(
            "teamsconfig",
            ns,
            "t19",
            "ReceiverConfigured",
            "True",
            Some("Configured"),
        );
    }
    // Alerts firing for all 100, and the flood on: the black hole holds deliveries.
    for ns in &a {
        post_alert(&[("alertname", &unique("Flood")), ("namespace", ns)], None);
    }
    wait_for("the black hole to hold deliveries", || {
        (accepted.load(Ordering::SeqCst) >= 4).then_some(())
    });
    // Some of A's deliveries were turned away rather than queued without end.
    wait_for(
        "one of the flooding tenant's deliveries refused as busy",
        || {
            let all: Value =
                serde_json::from_str(&ok(kubectl(&["get", "teamsconfigs", "-A", "-o", "json"])))
                    .unwrap();
            all["items"].as_array()?.iter().find_map(|c| {
                let ns = c["metadata"]["namespace"].as_str()?;
                let (status, reason, _) = condition(c, "Delivered")?;
                (a.iter().any(|mine| mine == ns) && status == "False" && reason == "Busy")
                    .then_some(())
            })
        },
    );
    let flooded = notify_test(&b, "chat");
    eprintln!("B's test: {baseline:.2} s quiet, {flooded:.2} s while A floods the relay");
    assert!(
        flooded < baseline.max(1.0) * 2.0 + 3.0,
        "B's test took {flooded:.2} s while A flooded, {baseline:.2} s quiet"
    );
    // Nothing of A's reached B's fake.
    assert_eq!(fake.cards().len(), 2, "B's two tests and nothing else");
    // A's configs go, and the black hole with them, so that the flood ends with the test.
    for ns in &a {
        let _ = kubectl(&["delete", "namespace", ns, "--wait=false"]);
    }
    task.abort();
}
