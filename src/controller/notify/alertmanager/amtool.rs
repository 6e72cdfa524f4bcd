//! The real `amtool` 0.25 (Debian `prometheus-alertmanager`) for the renderer's tests, and a
//! route evaluator that follows Alertmanager's `Route.Match` for the many cases where starting
//! amtool for each would be slow; the tests check the evaluator against amtool.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::equality_matcher;

/// amtool, or a failed test: these tests must not pass without the real checker.
pub(crate) fn amtool() -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("amtool"))
        .find(|p| p.is_file());
    found.expect("amtool not found: apt-get install prometheus-alertmanager (Alertmanager 0.25)")
}

fn write_config(yaml: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
    std::fs::write(file.path(), yaml).unwrap();
    file
}

/// `amtool check-config FILE`: Ok, or amtool's complaint.
pub(crate) fn check_config(yaml: &str) -> Result<(), String> {
    let file = write_config(yaml);
    let out = Command::new(amtool())
        .arg("check-config")
        .arg(file.path())
        .output()
        .unwrap();
    match out.status.success() {
        true => Ok(()),
        false => Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

pub(crate) fn assert_amtool_accepts(yaml: &str) {
    if let Err(e) = check_config(yaml) {
        panic!("amtool check-config rejected:\n{yaml}\n{e}");
    }
}

/// `amtool config routes test --config.file=F label="value"...`: the receivers, in order.
pub(crate) fn amtool_routes(yaml: &str, labels: &BTreeMap<&str, &str>) -> Vec<String> {
    let file = write_config(yaml);
    let out = Command::new(amtool())
        .args(["config", "routes", "test"])
        .arg(format!("--config.file={}", file.path().display()))
        .args(labels.iter().map(|(k, v)| equality_matcher(k, v)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout.trim().split(',').map(String::from).collect()
}

/// A matcher's operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~` with a pattern of literal alternatives (`a|b\\.c`), anchored as Alertmanager does.
    Regex,
}

/// One matcher string of the forms the configs here use: `l="v"`, `l=v`, `l!="v"`, `l=~"a|b"`.
pub(crate) fn parse_matcher(s: &str) -> (String, Op, String) {
    let end = s.find(['=', '!']).expect("a matcher operator");
    let (label, rest) = s.split_at(end);
    let (op, raw) = if let Some(raw) = rest.strip_prefix("!=") {
        (Op::NotEqual, raw)
    } else if let Some(raw) = rest.strip_prefix("=~") {
        (Op::Regex, raw)
    } else {
        let raw = rest
            .strip_prefix('=')
            .expect("only =, != and =~ are evaluated");
        (Op::Equal, raw)
    };
    let raw = raw.trim();
    let value = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        None => raw.to_string(),
        Some(quoted) => {
            let (mut value, mut chars) = (String::new(), quoted.chars());
            while let Some(c) = chars.next() {
                match (c, c == '\\') {
                    (_, true) => match chars.next() {
                        Some('n') => value.push('\n'),
                        Some(e @ ('"' | '\\')) => value.push(e),
                        Some(e) => value.extend(['\\', e]),
                        None => value.push('\\'),
                    },
                    ('"', _) => panic!("unescaped quote in {s}"),
                    (c, _) => value.push(c),
                }
            }
            value
        }
    };
    (label.trim().to_string(), op, value)
}

/// Whether `value` matches an anchored pattern of literal alternatives; any other regular
/// expression is left to amtool.
fn alternatives_match(pattern: &str, value: &str) -> bool {
    let mut alternatives = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '|' => alternatives.push(String::new()),
            '\\' => {
                let escaped = chars.next().expect("an escaped character");
                assert!(!escaped.is_alphanumeric(), "{pattern}: left to amtool");
                alternatives.last_mut().unwrap().push(escaped);
            }
            c if "^$.*+?()[]{}".contains(c) => panic!("{pattern}: left to amtool"),
            c => alternatives.last_mut().unwrap().push(c),
        }
    }
    alternatives.iter().any(|a| a == value)
}

pub(crate) fn route_matches(route: &Value, labels: &BTreeMap<&str, &str>) -> bool {
    let get = |l: &str| labels.get(l).copied().unwrap_or("");
    let matchers = route.get("matchers").and_then(Value::as_array);
    let by_matchers = matchers.into_iter().flatten().all(|m| {
        let (label, op, value) = parse_matcher(m.as_str().unwrap());
        match op {
            Op::Equal => get(&label) == value,
            Op::NotEqual => get(&label) != value,
            Op::Regex => alternatives_match(&value, get(&label)),
        }
    });
    let by_match = route.get("match").and_then(Value::as_object);
    let by_match = by_match
        .into_iter()
        .flatten()
        .all(|(l, v)| get(l) == v.as_str().unwrap());
    assert!(
        route.get("match_re").is_none(),
        "match_re is left to amtool"
    );
    by_matchers && by_match
}

/// Alertmanager's `Route.Match`: the receivers an alert with `labels` is delivered to.
pub(crate) fn evaluate(
    route: &Value,
    labels: &BTreeMap<&str, &str>,
    inherited: &str,
) -> Vec<String> {
    if !route_matches(route, labels) {
        return Vec::new();
    }
    let receiver = route.get("receiver").and_then(Value::as_str);
    let receiver = receiver.unwrap_or(inherited);
    let mut all = Vec::new();
    for child in route
        .get("routes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let matched = evaluate(child, labels, receiver);
        let stop = !matched.is_empty() && child.get("continue") != Some(&Value::Bool(true));
        all.extend(matched);
        if stop {
            break;
        }
    }
    if all.is_empty() {
        all.push(receiver.to_string());
    }
    all
}

pub(crate) fn route_of(yaml: &str) -> Value {
    let doc: Value = serde_saphyr::from_str(yaml).unwrap();
    doc["route"].clone()
}

/// `amtool template render` with Alertmanager's own templates: what a header value becomes.
pub(crate) fn render_template(text: &str) -> String {
    let out = Command::new(amtool())
        .args([
            "template",
            "render",
            "--template.glob=/usr/share/prometheus/alertmanager/*.tmpl",
        ])
        .arg(format!("--template.text={text}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
