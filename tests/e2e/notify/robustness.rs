//! Broken configs, Barry outages, and secrets that must stay secret.

use super::*;
use crate::harness::{BARRY_TOKEN, barry, ike, teams_fake};

#[test]
fn a_broken_config_gets_a_condition_while_the_others_keep_working() {
    let ns = namespace("broken");
    secret(&ns, "barry", "token", BARRY_TOKEN);
    let channel = format!("good-{ns}");
    barry_config(&ns, "good", &[&channel], "barry");
    barry_config(
        &ns,
        "tokenless",
        &[&format!("tokenless-{ns}")],
        "no-such-secret",
    );
    email_config(&ns, "bad", &["ops@broken.example, boss@elsewhere.example"]);
    teams_config(&ns, "urlless", "no-such-url");

    let email = wait_condition(
        "emailconfig",
        &ns,
        "bad",
        "ReceiverConfigured",
        "False",
        Some("InvalidAddress"),
    );
    let (_, _, message) = condition(&email, "ReceiverConfigured").unwrap();
    assert!(message.contains("not a plain e-mail address"), "{message}");
    let tokenless = wait_condition(
        "barryconfig",
        &ns,
        "tokenless",
        "ChannelReady",
        "False",
        Some("TokenSecretMissing"),
    );
    let (_, _, message) = condition(&tokenless, "ChannelReady").unwrap();
    assert!(
        message.contains("no-such-secret") && message.contains("--token-file"),
        "{message}"
    );
    wait_condition(
        "teamsconfig",
        &ns,
        "urlless",
        "WebhookReady",
        "False",
        Some("WebhookSecretMissing"),
    );

    // The good one works, and the configuration Alertmanager runs is valid and without the bad
    // address.
    let good = wait_condition(
        "barryconfig",
        &ns,
        "good",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    let id = channel_id(&good, &channel);
    let rendered = assert_rendered_config_passes_amtool();
    assert!(!rendered.contains("boss@elsewhere.example"));
    assert!(!running_receivers().contains(&format!("tenant/{ns}/email/bad")));
    let alert = unique("StillWorks");
    post_alert(&[("alertname", &alert), ("namespace", &ns)], None);
    wait_for("the good config's alert", || {
        barry_alerts(&id, &alert, "firing").into_iter().next()
    });

    // Fixing the broken one (the Secret appears) is noticed without touching the config.
    secret(&ns, "no-such-secret", "token", BARRY_TOKEN);
    wait_condition(
        "barryconfig",
        &ns,
        "tokenless",
        "ChannelReady",
        "True",
        Some("ChannelsOpen"),
    );
}

#[test]
fn barry_down_shows_in_the_status_is_retried_and_the_alert_arrives_once_it_is_back() {
    let ns = namespace("outage");
    let token = unique("outage-token");
    barry().accept(&token);
    barry().set_down_for(&token, true);
    secret(&ns, "barry", "token", &token);
    let channel = format!("outage-{ns}");
    barry_config(&ns, "oncall", &[&channel], "barry");

    let down = wait_condition(
        "barryconfig",
        &ns,
        "oncall",
        "ChannelReady",
        "False",
        Some("BarryUnreachable"),
    );
    let (_, _, message) = condition(&down, "ChannelReady").unwrap();
    // What Barry answered is told by its status only, never its body.
    assert!(
        message.contains("HTTP 503") && message.contains("keeps retrying"),
        "{message}"
    );
    assert!(!message.contains("maintenance"), "{message}");
    // The receiver is in Alertmanager all the same: nothing is lost while Barry is down.
    wait_condition(
        "barryconfig",
        &ns,
        "oncall",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    let alert = unique("DuringOutage");
    post_alert(&[("alertname", &alert), ("namespace", &ns)], None);
    let failed = wait_condition(
        "barryconfig",
        &ns,
        "oncall",
        "Delivered",
        "False",
        Some("BarryUnreachable"),
    );
    assert_eq!(failed["status"]["lastDelivery"]["result"], "Failed");

    barry().set_down_for(&token, false);
    let up = wait_condition(
        "barryconfig",
        &ns,
        "oncall",
        "ChannelReady",
        "True",
        Some("ChannelsOpen"),
    );
    let id = channel_id(&up, &channel);
    wait_for("the alert once Barry is back", || {
        barry_alerts(&id, &alert, "firing").into_iter().next()
    });
    wait_condition(
        "barryconfig",
        &ns,
        "oncall",
        "Delivered",
        "True",
        Some("Accepted"),
    );
}

#[test]
fn no_secret_value_appears_in_logs_events_status_or_notify_show() {
    let ns = namespace("secrets");
    let token = unique("tok-S3CRET");
    barry().accept(&token);
    secret(&ns, "barry", "token", &token);
    barry_config(&ns, "oncall", &[&format!("sec-{ns}")], "barry");
    let rejected = unique("rejected-S3CRET");
    // Barry answers this token with 401 "token <it> has expired", echoing it back; so does the
    // Teams fake the forged signature it refuses.
    barry().expire(&rejected);
    secret(&ns, "wrong", "token", &rejected);
    barry_config(&ns, "rejected", &[&format!("rej-{ns}")], "wrong");
    let fake = teams_fake();
    let forged = fake
        .url
        .replace(crate::support::teams_fake::SIGNATURE, "forged-S3CRET");
    secret(&ns, "teams", "url", &fake.url);
    teams_config(&ns, "chat", "teams");
    secret(&ns, "forged", "url", &forged);
    teams_config(&ns, "refused", "forged");
    // A URL the site never sends to: refused without a word of it in the refusal.
    secret(
        &ns,
        "inside",
        "url",
        "https://169.254.169.254/latest/meta-data?sig=inside-S3CRET",
    );
    teams_config(&ns, "inside", "inside");

    wait_condition(
        "barryconfig",
        &ns,
        "rejected",
        "ChannelReady",
        "False",
        Some("TokenRejected"),
    );
    wait_condition(
        "teamsconfig",
        &ns,
        "inside",
        "WebhookReady",
        "False",
        Some("DestinationNotAllowed"),
    );
    for (kind, name) in [
        ("barryconfig", "oncall"),
        ("teamsconfig", "chat"),
        ("teamsconfig", "refused"),
        ("teamsconfig", "inside"),
    ] {
        wait_condition(
            kind,
            &ns,
            name,
            "ReceiverConfigured",
            "True",
            Some("Configured"),
        );
    }
    let alert = unique("SecretsAlert");
    post_alert(&[("alertname", &alert), ("namespace", &ns)], None);
    wait_condition("barryconfig", &ns, "oncall", "Delivered", "True", None);
    wait_condition("teamsconfig", &ns, "chat", "Delivered", "True", None);
    wait_condition(
        "teamsconfig",
        &ns,
        "refused",
        "Delivered",
        "False",
        Some("Rejected"),
    );
    wait_condition(
        "teamsconfig",
        &ns,
        "inside",
        "Delivered",
        "False",
        Some("DestinationNotAllowed"),
    );
    wait_condition(
        "barryconfig",
        &ns,
        "rejected",
        "Delivered",
        "False",
        Some("TokenRejected"),
    );

    let secrets = [
        token.as_str(),
        rejected.as_str(),
        crate::support::teams_fake::SIGNATURE,
        "forged-S3CRET",
        "S3CRET",
    ];
    let mut places = vec![
        (
            "the controller's log",
            std::fs::read_to_string(env().dir.join("ike-controller.log")).unwrap(),
        ),
        (
            "Alertmanager's log",
            std::fs::read_to_string(env().dir.join("alertmanager.log")).unwrap(),
        ),
        (
            "the rendered configuration",
            assert_rendered_config_passes_amtool(),
        ),
        (
            "events",
            ok(kubectl(&["get", "events", "-A", "-o", "yaml"])),
        ),
        (
            "the configs",
            ok(kubectl(&[
                "get",
                "barryconfigs,emailconfigs,teamsconfigs",
                "-n",
                &ns,
                "-o",
                "yaml",
            ])),
        ),
    ];
    for name in ["oncall", "rejected"] {
        for format in ["table", "yaml"] {
            let shown = ok(ike(&[
                "notify", "show", name, "-n", &ns, "--kind", "barry", "-o", format,
            ]));
            places.push(("ike notify show", shown));
        }
    }
    for name in ["chat", "refused", "inside"] {
        places.push((
            "ike notify show",
            ok(ike(&["notify", "show", name, "-n", &ns])),
        ));
    }
    places.push((
        "ike notify list",
        ok(ike(&["notify", "list", "-n", &ns, "-o", "json"])),
    ));
    for (place, text) in &places {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{place} shows a secret value ({secret})"
            );
        }
    }
}

#[test]
fn every_configuration_the_controller_writes_passes_amtool_check_config() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    // Every version of the file is checked as it appears, while configs of every kind, valid
    // and broken, come, change and go.
    let stop = Arc::new(AtomicBool::new(false));
    // Each version of the file, and amtool's complaint about it if any.
    type Seen = Vec<(String, Option<String>)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let watcher = {
        let (stop, seen, path) = (
            stop.clone(),
            seen.clone(),
            env().alertmanager_config.clone(),
        );
        std::thread::spawn(move || {
            let mut last = String::new();
            while !stop.load(Ordering::SeqCst) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if text != last {
                    let out = Command::new("amtool")
                        .arg("check-config")
                        .arg(&path)
                        .output()
                        .unwrap();
                    let refused = (!out.status.success())
                        .then(|| String::from_utf8_lossy(&out.stdout).into_owned());
                    seen.lock().unwrap().push((text.clone(), refused));
                    last = text;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let ns = namespace("amtool");
    secret(&ns, "barry", "token", BARRY_TOKEN);
    let fake = teams_fake();
    secret(&ns, "teams", "url", &fake.url);
    for i in 0..4 {
        barry_config(
            &ns,
            &format!("b{i}"),
            &[&format!("amtool-{ns}-{i}")],
            "barry",
        );
        email_config(&ns, &format!("e{i}"), &[&format!("x{i}@{ns}.example")]);
        teams_config(&ns, &format!("t{i}"), "teams");
    }
    email_config(&ns, "bad", &["\"quoted\"@x.example"]);
    barry_config(&ns, "dotted.name", &["amtool-dotted"], "barry");
    ok(kubectl(&["delete", "emailconfig", "e0", "-n", &ns]));
    email_config(&ns, "e1", &["changed@x.example", "second@x.example"]);
    wait_condition(
        "emailconfig",
        &ns,
        "bad",
        "ReceiverConfigured",
        "False",
        Some("InvalidAddress"),
    );
    wait_condition(
        "emailconfig",
        &ns,
        "e1",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    wait_condition(
        "barryconfig",
        &ns,
        "dotted.name",
        "ReceiverConfigured",
        "True",
        Some("Configured"),
    );
    wait_for("the last change in the file", || {
        let text = std::fs::read_to_string(&env().alertmanager_config).ok()?;
        (text.contains("changed@x.example") && !text.contains(&format!("tenant/{ns}/email/e0")))
            .then_some(())
    });
    std::thread::sleep(Duration::from_millis(100));
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 2, "only {} versions seen", seen.len());
    for (text, refused) in seen.iter() {
        assert!(refused.is_none(), "amtool refused:\n{refused:?}\n{text}");
    }
    assert_rendered_config_passes_amtool();
}

/// The relay answers on its own listener only, and only to Alertmanager's token: not on the
/// account API's, which people's machines reach.
#[test]
fn the_relay_is_served_on_its_own_listener_only_and_only_with_the_token() {
    let ca = crate::harness::env().dir.join("ca.crt");
    std::fs::write(&ca, &crate::harness::env().ca_cert_pem).unwrap();
    let post = |base: &str, token: Option<&str>| -> String {
        let mut args = vec![
            "-s".to_string(),
            "-o".into(),
            "/dev/null".into(),
            "-w".into(),
            "%{http_code}".into(),
            "--cacert".into(),
            ca.display().to_string(),
            "-H".into(),
            "content-type: application/json".into(),
            "-d".into(),
            r#"{"version":"4","receiver":"tenant/x/y","alerts":[]}"#.into(),
        ];
        if let Some(token) = token {
            args.extend(["-H".into(), format!("authorization: Bearer {token}")]);
        }
        args.push(format!("{base}/relay/barry/x/y"));
        let out = std::process::Command::new("curl")
            .args(&args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let env = crate::harness::env();
    let token = std::fs::read_to_string(env.dir.join("relay-token")).unwrap();
    // On the account API: no such route, token or not.
    assert_eq!(post(&env.account_api, Some(token.trim())), "404");
    // On its own listener: the token is required.
    assert_eq!(post(&env.relay, None), "401");
    assert_eq!(post(&env.relay, Some("not-the-token")), "401");
    // With it, the request gets past the check (the body names a receiver no config has).
    let answered = post(&env.relay, Some(token.trim()));
    assert!(
        !["401", "404", "000"].contains(&answered.as_str()),
        "{answered}"
    );
}

#[test]
fn the_prometheus_operator_output_is_a_secret_holding_the_configuration_amtool_accepts() {
    use ike::controller::notify::alertmanager::fingerprint;
    use ike::controller::notify::output::{Output, SECRET_KEY};
    // What the local IKE's controller wrote for its plain Alertmanager, amtool-checked.
    let rendered = assert_rendered_config_passes_amtool();
    let ns = namespace("am-operator");
    let output = Output::parse_secret(&format!("{ns}/alertmanager-main")).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let kubeconfig = kube::config::Kubeconfig::read_from(&env().kubeconfig).unwrap();
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .unwrap();
        let client = kube::Client::try_from(config).unwrap();
        assert_eq!(
            output.current(&client).await.unwrap(),
            None,
            "nothing there yet"
        );
        output
            .write(&client, &rendered, &fingerprint(&rendered))
            .await
            .unwrap();
        assert_eq!(
            output.current(&client).await.unwrap(),
            Some(fingerprint(&rendered)),
            "what is there is what was written: a resync writes nothing"
        );
    });
    // kubectl, the independent client: the key an Alertmanager resource's configSecret reads.
    let key = SECRET_KEY.replace('.', "\\.");
    let data = ok(kubectl(&[
        "get",
        "secret",
        "alertmanager-main",
        "-n",
        &ns,
        "-o",
        &format!("jsonpath={{.data.{key}}}"),
    ]));
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .unwrap();
    let text = String::from_utf8(decoded).unwrap();
    assert_eq!(text, rendered);
    let file = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    std::fs::write(file.path(), &text).unwrap();
    let out = Command::new("amtool")
        .arg("check-config")
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
