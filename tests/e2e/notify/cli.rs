//! `ike notify` as people use it, against the real path.

use super::*;
use crate::harness::{BARRY_TOKEN, barry, fails, ike};

#[test]
fn ike_notify_writes_lists_shows_tests_and_deletes_configs() {
    let ns = namespace("cli");
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{BARRY_TOKEN}\n")).unwrap();
    let token_path = token_file.to_str().unwrap();
    let (loud, quiet) = (format!("cli-loud-{ns}"), format!("cli-quiet-{ns}"));
    let mail = format!("oncall@{ns}.example");

    // A dry run prints the object to commit, never the token, and changes nothing.
    let dry = ike(&[
        "notify",
        "barry",
        "oncall",
        "--channel",
        &loud,
        "--mute",
        &quiet,
        "--token-file",
        token_path,
        "-n",
        &ns,
        "--dry-run",
        "-o",
        "yaml",
    ]);
    let printed = ok(dry.clone());
    assert!(
        printed.contains("kind: BarryConfig")
            && printed.contains("tokenSecretName: oncall-barry-token"),
        "{printed}"
    );
    assert!(
        !printed.contains(BARRY_TOKEN)
            && !String::from_utf8_lossy(&dry.stderr).contains(BARRY_TOKEN)
    );
    assert!(
        !kubectl(&["get", "barryconfig", "oncall", "-n", &ns])
            .status
            .success()
    );

    // Written for real: the Secret from the file, the config, and the controller's verdict.
    let out = ike(&[
        "notify",
        "barry",
        "oncall",
        "--channel",
        &loud,
        "--mute",
        &quiet,
        "--token-file",
        token_path,
        "-n",
        &ns,
    ]);
    let shown = ok(out.clone());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("BarryConfig oncall is ready"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("{quiet} (ch-")) && shown.contains(", muted)"),
        "{shown}"
    );
    ok(ike(&["notify", "email", "ops", "--to", &mail, "-n", &ns]));

    let list = ok(ike(&["notify", "list", "-n", &ns]));
    let lines: Vec<&str> = list.lines().collect();
    assert!(lines[0].starts_with("NAME") && lines.len() == 3, "{list}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("oncall") && l.contains("barry") && l.contains("Ready")),
        "{list}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ops") && l.contains(&mail)),
        "{list}"
    );
    let all: Value =
        serde_json::from_str(&ok(ike(&["notify", "list", "-A", "-o", "json"]))).unwrap();
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|r| r["namespace"] == ns.as_str() && r["name"] == "oncall")
    );

    // A test goes through Alertmanager to the one config named, and reports where it arrived.
    let tested = ok(ike(&["notify", "test", "oncall", "-n", &ns]));
    assert!(
        tested.starts_with("Delivered: 1 alert delivered to Barry channels"),
        "{tested}"
    );
    assert!(
        tested.contains(&loud) && tested.contains(&quiet),
        "{tested}"
    );
    let config = get("barryconfig", &ns, "oncall");
    let id = config["status"]["lastTest"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let loud_id = channel_id(&config, &loud);
    let in_barry = barry().alerts_in(&loud_id);
    assert!(
        in_barry
            .iter()
            .any(|b| b["commonLabels"]["ike_notify_test_id"] == id.as_str())
    );
    let routed = ok(ike(&["notify", "test", "ops", "-n", &ns]));
    assert!(routed.starts_with("Routed: "), "{routed}");
    let email_id = get("emailconfig", &ns, "ops")["status"]["lastTest"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for("the test e-mail", || {
        mails()
            .into_iter()
            .find(|m| m.recipients == [mail.clone()] && m.text.contains(&email_id))
    });
    // The e-mail receiver got its own test and not Barry's.
    assert!(
        mails().iter().all(|m| !m.text.contains(&id)),
        "Barry's test went by e-mail"
    );

    // Show names where it sends and what the controller found.
    let show = ok(ike(&["notify", "show", "ops", "-n", &ns]));
    assert!(
        show.contains("Kind:          EmailConfig") && show.contains("Routed"),
        "{show}"
    );

    // Deleting takes the receiver out of Alertmanager.
    let receiver = format!("tenant/{ns}/barry/oncall");
    assert!(running_receivers().contains(&receiver));
    let out = ike(&["notify", "delete", "oncall", "-n", &ns]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Secret oncall-barry-token is kept"));
    ok(out);
    wait_for("the receiver gone from Alertmanager", || {
        (!running_receivers().contains(&receiver)).then_some(())
    });
    let err = fails(ike(&["notify", "show", "oncall", "-n", &ns]));
    assert!(err.contains("no notification config oncall"), "{err}");
}

#[test]
fn a_test_of_a_config_alertmanager_does_not_run_says_why() {
    let ns = namespace("cli-bad");
    email_config(&ns, "bad", &["not-an-address"]);
    wait_condition(
        "emailconfig",
        &ns,
        "bad",
        "ReceiverConfigured",
        "False",
        Some("InvalidAddress"),
    );
    let err = fails(ike(&[
        "notify",
        "test",
        "bad",
        "-n",
        &ns,
        "--timeout",
        "20s",
    ]));
    assert!(
        err.contains("did not arrive") && err.contains("InvalidAddress"),
        "{err}"
    );
}

#[test]
fn a_barry_config_the_api_server_refuses_leaves_no_secret_behind() {
    // Someone who may write Secrets in the namespace but not notification configs: the token
    // Secret would be written before the config is refused.
    let ns = namespace("cli-refused");
    let user = crate::harness::enrolled("secrets-only");
    apply(&format!(
        "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: secrets-only, namespace: {ns}}}
rules:
- apiGroups: [\"\"]
  resources: [secrets]
  verbs: [get, create, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: secrets-only, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: secrets-only}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: {}}}
",
        user.account
    ));
    let token_file = user.home().join("barry-token");
    std::fs::write(&token_file, "any-token\n").unwrap();
    let err = fails(user.ike(&[
        "notify",
        "barry",
        "oncall",
        "--channel",
        "c",
        "--token-file",
        token_file.to_str().unwrap(),
        "-n",
        &ns,
    ]));
    assert_eq!(
        err.trim(),
        format!(
            "error: your account may not change notification configs in namespace {ns}: owners and members of its tenant can ('ike whoami' shows your roles)"
        )
    );
    let secret = kubectl(&["get", "secret", "oncall-barry-token", "-n", &ns]);
    assert!(
        String::from_utf8_lossy(&secret.stderr).contains("NotFound"),
        "{secret:?}"
    );
}
