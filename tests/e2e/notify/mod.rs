//! Notifications end to end: the real Alertmanager 0.25 and amtool of the local IKE, its real
//! SMTP server (aiosmtpd), and the recording fakes of Barry and Teams; kubectl applies the
//! configs as a tenant would.

mod cli;
mod delivery;
mod isolation;
mod robustness;
mod shared;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{env, kubectl, ok, unique};

/// How long anything asynchronous may take here (generous: the machine is shared).
pub const DEADLINE: Duration = Duration::from_secs(45);

/// Polls `f` until it returns something, or fails with `what` after `DEADLINE`.
pub fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A fresh namespace.
pub fn namespace(prefix: &str) -> String {
    let ns = unique(prefix);
    ok(kubectl(&["create", "namespace", &ns]));
    ns
}

/// `kubectl apply -f -` of `yaml`, as the cluster admin.
pub fn apply(yaml: &str) -> String {
    ok(apply_with(yaml, &[]))
}

/// `kubectl apply -f - FLAGS` of `yaml`, as the cluster admin.
pub fn apply_with(yaml: &str, flags: &[&str]) -> std::process::Output {
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&env().kubeconfig)
        .args(["apply", "-f", "-"])
        .args(flags)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(yaml.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A Secret with one key.
pub fn secret(namespace: &str, name: &str, key: &str, value: &str) {
    ok(kubectl(&[
        "create",
        "secret",
        "generic",
        name,
        "-n",
        namespace,
        &format!("--from-literal={key}={value}"),
    ]));
}

/// A BarryConfig sending to `channels`, token in Secret `secret`.
pub fn barry_config(namespace: &str, name: &str, channels: &[&str], secret: &str) {
    let channels: Vec<String> = channels
        .iter()
        .map(|c| format!("  - name: {c}\n"))
        .collect();
    apply(&format!(
        "apiVersion: monitoring.ike.dev/v1alpha1\nkind: BarryConfig\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  channels:\n{}  tokenSecretName: {secret}\n",
        channels.concat()
    ));
}

/// An EmailConfig to `to`.
pub fn email_config(namespace: &str, name: &str, to: &[&str]) {
    let to: Vec<String> = to.iter().map(|a| format!("  - '{a}'\n")).collect();
    apply(&format!(
        "apiVersion: monitoring.ike.dev/v1alpha1\nkind: EmailConfig\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  sendResolved: true\n  to:\n{}",
        to.concat()
    ));
}

/// A TeamsConfig whose URL is in Secret `secret`.
pub fn teams_config(namespace: &str, name: &str, secret: &str) {
    apply(&format!(
        "apiVersion: monitoring.ike.dev/v1alpha1\nkind: TeamsConfig\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  webhookUrlSecretName: {secret}\n"
    ));
}

/// The object as kubectl shows it.
pub fn get(kind: &str, namespace: &str, name: &str) -> Value {
    let out = ok(kubectl(&["get", kind, name, "-n", namespace, "-o", "json"]));
    serde_json::from_str(&out).unwrap()
}

/// The condition `type_` of `object`: (status, reason, message).
pub fn condition(object: &Value, type_: &str) -> Option<(String, String, String)> {
    let conditions = object["status"]["conditions"].as_array()?;
    let c = conditions.iter().find(|c| c["type"] == type_)?;
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    Some((s("status"), s("reason"), s("message")))
}

/// Waits until `kind/name` has condition `type_` with `status` (and `reason`, if given) and
/// returns the object.
pub fn wait_condition(
    kind: &str,
    namespace: &str,
    name: &str,
    type_: &str,
    status: &str,
    reason: Option<&str>,
) -> Value {
    let mut last = None;
    let deadline = Instant::now() + DEADLINE;
    loop {
        let object = get(kind, namespace, name);
        let c = condition(&object, type_);
        if c.as_ref()
            .is_some_and(|(s, r, _)| s == status && reason.is_none_or(|want| r == want))
        {
            return object;
        }
        last = c.or(last);
        assert!(
            Instant::now() < deadline,
            "{kind} {namespace}/{name}: {type_} never became {status} {reason:?}; last {last:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Posts an alert with `labels` to Alertmanager with the real amtool; `end` resolves it.
pub fn post_alert(labels: &[(&str, &str)], end: Option<&str>) {
    let mut cmd = Command::new("amtool");
    cmd.args(["alert", "add"])
        .arg(format!("--alertmanager.url={}", env().alertmanager_url))
        .args(labels.iter().map(|(k, v)| format!("{k}={v}")))
        .arg("--annotation=summary=posted by an ike e2e test");
    if let Some(end) = end {
        cmd.arg(format!("--end={end}"));
    }
    let out = cmd
        .output()
        .expect("amtool (prometheus-alertmanager) is installed");
    assert!(
        out.status.success(),
        "amtool alert add: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Now, for `--end`.
pub fn now() -> String {
    ike::util::time::rfc3339(std::time::SystemTime::now())
}

/// The receivers of the configuration Alertmanager runs, as `amtool config show` reads them
/// from `GET /api/v2/status`.
pub fn running_receivers() -> Vec<String> {
    let out = Command::new("amtool")
        .args(["config", "show"])
        .arg(format!("--alertmanager.url={}", env().alertmanager_url))
        .output()
        .expect("amtool is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let running: Value = serde_saphyr::from_str(&String::from_utf8_lossy(&out.stdout)).unwrap();
    running["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// The rendered configuration file, checked with the real `amtool check-config`.
pub fn assert_rendered_config_passes_amtool() -> String {
    let path = &env().alertmanager_config;
    let out = Command::new("amtool")
        .arg("check-config")
        .arg(path)
        .output()
        .expect("amtool is installed");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        out.status.success(),
        "amtool check-config refused the rendered configuration:\n{}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// One message the SMTP server received.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The envelope recipients (aiosmtpd's `X-RcptTo`).
    pub recipients: Vec<String>,
    /// The subject.
    pub subject: String,
    /// The whole message.
    pub text: String,
}

/// Every message the local SMTP server kept.
pub fn mails() -> Vec<Mail> {
    let dir: &Path = &env().mail_dir;
    let Ok(entries) = std::fs::read_dir(dir.join("new")) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|text| {
            let header = |name: &str| {
                text.lines()
                    .take_while(|l| !l.is_empty())
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            Mail {
                recipients: header("X-RcptTo:")
                    .split(',')
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .collect(),
                subject: header("Subject:"),
                text: text.clone(),
            }
        })
        .collect()
}

/// The notifications Barry's fake accepted in channel `id` for alert `alertname` with `status`.
pub fn barry_alerts(id: &str, alertname: &str, status: &str) -> Vec<Value> {
    crate::harness::barry()
        .alerts_in(id)
        .into_iter()
        .filter(|b| b["commonLabels"]["alertname"] == alertname && b["status"] == status)
        .collect()
}

/// The channel id the config's status names for `channel`.
pub fn channel_id(config: &Value, channel: &str) -> String {
    config["status"]["channels"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == channel))
        .and_then(|c| c["channelId"].as_str())
        .unwrap_or_else(|| panic!("no channel {channel} in {config}"))
        .to_string()
}
