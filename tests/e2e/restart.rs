//! A controller restart with nothing to do writes nothing: every object the controller keeps
//! (its namespace, CRDs, platform RBAC, webhook configuration, accounts' bindings and status,
//! tenants' namespaces, bindings and status) keeps its resourceVersion. On a local IKE of its
//! own, since the test kills the controller.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::ok;
use crate::tenants::PrivateIke;

/// Every object the controller could write, by `kind/namespace/name`, with its resourceVersion.
/// The Lease is left out: holding it means renewing it.
fn versions(ike: &PrivateIke) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for kind in [
        "namespaces",
        "customresourcedefinitions",
        "clusterroles",
        "clusterrolebindings",
        "validatingwebhookconfigurations",
        "accounts.ike.dev",
        "tenants.ike.dev",
        "rolebindings",
    ] {
        let list = ike.json(&[kind, "-A"]).expect("kubectl lists");
        for item in list["items"].as_array().unwrap() {
            let meta = &item["metadata"];
            let key = format!(
                "{kind}/{}/{}",
                meta["namespace"].as_str().unwrap_or(""),
                meta["name"].as_str().unwrap()
            );
            out.insert(key, meta["resourceVersion"].as_str().unwrap().to_string());
        }
    }
    out
}

/// The value of the metric line starting with `prefix` (0 when there is none).
fn metric(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn apply(ike: &PrivateIke, object: &Value) {
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    serde_json::to_writer(file.as_file(), object).unwrap();
    ok(ike.kubectl(&["apply", "-f", file.path().to_str().unwrap()]));
}

#[test]
fn a_controller_restart_with_nothing_to_do_writes_nothing() {
    let ike = PrivateIke::start();
    apply(
        &ike,
        &json!({
            "apiVersion": "ike.dev/v1alpha1", "kind": "Account",
            "metadata": { "name": "quiet-owner" }, "spec": { "admin": true },
        }),
    );
    apply(
        &ike,
        &json!({
            "apiVersion": "ike.dev/v1alpha1", "kind": "Tenant",
            "metadata": { "name": "quiet" },
            "spec": {
                "members": [{ "account": "quiet-owner", "role": "owner" }],
                "namespaces": ["quiet-a", "quiet-b"],
            },
        }),
    );
    let settled = |ike: &PrivateIke| -> bool {
        let ready = ike.json(&["tenant", "quiet"]).is_some_and(|t| {
            t["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        });
        let admin = ike
            .json(&["clusterrolebinding", "ike:admin:quiet-owner"])
            .is_some();
        let listed = ike
            .json(&["account", "quiet-owner"])
            .is_some_and(|a| a["status"]["tenants"][0]["tenant"] == "quiet");
        ready && admin && listed
    };
    let start = Instant::now();
    while !settled(&ike) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the tenant, the admin binding and the account status never settled"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let before = versions(&ike);
    assert!(before.contains_key("namespaces//ike-system"), "{before:?}");
    assert!(before.contains_key("rolebindings/quiet-a/ike:tenant:owner"));

    ike.restart_controller();
    // The new process has reconciled both accounts and the tenant (its counters start at 0).
    let url = format!("http://{}", ike.local().controller_addr);
    let start = Instant::now();
    let metrics = loop {
        let (_, text) = ike::local::http_get(&url, "/metrics").unwrap();
        let accounts = metric(
            &text,
            r#"ike_reconciles_total{controller="account",result="ok"}"#,
        );
        let tenants = metric(
            &text,
            r#"ike_reconciles_total{controller="tenant",result="ok"}"#,
        );
        if accounts >= 2.0 && tenants >= 1.0 {
            break text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the restarted controller never reconciled everything:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        metric(&metrics, "ike_reconcile_writes_total"),
        0.0,
        "{metrics}"
    );
    assert_eq!(metric(&metrics, "ike_crd_applies_total"), 0.0, "{metrics}");
    let after = versions(&ike);
    let changed: Vec<_> = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: {v} -> {:?}", after.get(k)))
        .collect();
    assert!(changed.is_empty(), "written on restart: {changed:#?}");
    assert_eq!(before.len(), after.len());

    // What it had to know it read from its stores: not one tenant object asked for by name,
    // as the controller counted its own requests (its watches show the count works).
    assert!(
        metric(
            &metrics,
            r#"ike_api_requests_total{verb="WATCH",resource="tenants"}"#
        ) >= 1.0,
        "{metrics}"
    );
    for kind in ["tenants", "rolebindings", "networkpolicies"] {
        assert_eq!(
            metric(
                &metrics,
                &format!(r#"ike_api_requests_total{{verb="GET",resource="{kind}"}}"#)
            ),
            0.0,
            "GETs of {kind} on a restart with nothing to do: {metrics}"
        );
    }

    // One watch per kind for the whole process, though the webhooks and four reconcilers read
    // Tenants and Sites: ike's own gauge, and the API server's count of its watchers.
    let watches: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("ike_watches{"))
        .collect();
    for kind in ["tenants", "sites", "accounts", "namespaces", "rolebindings"] {
        assert!(
            watches
                .iter()
                .any(|l| l.starts_with(&format!("ike_watches{{kind=\"{kind}\"}}"))),
            "no watch of {kind}: {watches:#?}"
        );
    }
    assert!(
        watches.iter().all(|l| l.ends_with(" 1")),
        "a kind watched more than once: {watches:#?}"
    );
    // kube-controller-manager's garbage collector also watches every kind (metadata only), once
    // its discovery (every 30 s) found it: the API server counts ike's one and at most that one
    // for each of ike's kinds (before: Tenants and Sites were watched 4 times by ike alone).
    let start = Instant::now();
    loop {
        let out = ike.kubectl(&["get", "--raw", "/metrics"]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let watchers = |kind: &str| {
            metric(
                &text,
                &format!(
                    "apiserver_registered_watchers{{group=\"ike.dev\",kind=\"{kind}\",version=\"v1alpha1\"}}"
                ),
            )
        };
        let counts: Vec<(&str, f64)> = ["Tenant", "Site", "Account", "ResourceRequest"]
            .into_iter()
            .map(|kind| (kind, watchers(kind)))
            .collect();
        let one_each = counts.iter().all(|(_, n)| (1.0..=2.0).contains(n));
        if one_each {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the API server counts these watchers of ike's kinds, not ike's one (and \
             kube-controller-manager's) each: {counts:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}
