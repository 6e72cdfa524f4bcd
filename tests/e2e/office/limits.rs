//! The Office name registry and limits under a tenant that fills them: a tenant at its limits
//! is refused more names at admission while another tenant's new name is published (real BIND
//! answers it); a tenant beyond its limit (the site lowered it) loses its newest names with the
//! Service's condition saying why, and gets them back once it makes room. On a private local
//! IKE: the single registry ConfigMap of earlier versions is moved into the shards at start,
//! and the sweep at start removes a name whose Service vanished, well within the minute the
//! first sweep used to wait.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{
    LIMIT, Tenant, addresses, annotated_service, apply_as, dig, host, published_reason, set_pod,
    status, within,
};
use crate::harness::{fails, kubectl, ok, sharing_the_tenant_controller, unique};
use crate::tenants::PrivateIke;

/// The site's Office name limits as a test set them; taken off again when dropped.
struct OfficeLimits;

impl OfficeLimits {
    fn set(per_service: Option<u32>, per_tenant: Option<u32>) -> Self {
        let patch = json!({"spec": {"office": {
            "maxNamesPerService": per_service, "maxNamesPerTenant": per_tenant}}});
        ok(kubectl(&[
            "patch",
            "site",
            "site",
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]));
        OfficeLimits
    }
}

impl Drop for OfficeLimits {
    fn drop(&mut self) {
        let _ = kubectl(&[
            "patch",
            "site",
            "site",
            "--type=merge",
            "-p",
            r#"{"spec":{"office":{"maxNamesPerService":null,"maxNamesPerTenant":null}}}"#,
        ]);
    }
}

/// `kubectl annotate service NAME hostname=HOSTS --overwrite` as the tenant's owner.
fn rename(tenant: &Tenant, service: &str, hosts: &str) -> std::process::Output {
    tenant.kubectl(&[
        "annotate",
        "service",
        service,
        &format!("external-dns.alpha.kubernetes.io/hostname={hosts}"),
        "--overwrite",
    ])
}

/// Whether `name` carries ike's claim in DNS (published, with or without addresses).
fn claimed(name: &str) -> bool {
    !dig(name, "TXT").is_empty()
}

#[test]
fn a_tenant_at_its_name_limits_is_refused_more_while_another_tenants_name_is_published() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = (Tenant::new("lim-a"), Tenant::new("lim-b"));
    let _limits = OfficeLimits::set(Some(2), Some(3));
    let (a1, a2, a3, a4) = (host("a1"), host("a2"), host("a3"), host("a4"));
    // The webhook follows the Site through a watch: wait until it refuses a third name.
    within(LIMIT, "the webhook to apply the site's limits", || {
        let yaml = annotated_service("probe", &format!("{a1},{a2},{a3}"));
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), yaml).unwrap();
        let dry = a.kubectl(&[
            "apply",
            "--dry-run=server",
            "-f",
            &file.path().display().to_string(),
        ]);
        String::from_utf8_lossy(&dry.stderr)
            .contains("maxNamesPerService")
            .then_some(())
    });

    // A fills its limit: two Services, three names.
    ok(apply_as(
        &a,
        &annotated_service("first", &format!("{a1},{a2}")),
    ));
    ok(apply_as(&a, &annotated_service("second", &a3)));
    within(LIMIT, "A's names in DNS", || {
        [&a1, &a2, &a3].iter().all(|n| claimed(n)).then_some(())
    });
    // More is refused, in one line naming the limit: a new Service, a third name on one.
    let err = fails(apply_as(&a, &annotated_service("third", &a4)));
    assert!(
        err.contains("ike: ") && err.contains("maxNamesPerTenant"),
        "{err}"
    );
    let err = fails(rename(&a, "first", &format!("{a1},{a2},{a4}")));
    assert!(err.contains("maxNamesPerService"), "{err}");

    // B adds a name meanwhile: published, and BIND answers it with B's pod.
    let b1 = host("b1");
    ok(apply_as(&b, &annotated_service("web", &b1)));
    ok(b.kubectl(&["run", "web", "--image=nginx", "--labels=app=web"]));
    set_pod(&b.ns, "web", &["10.244.31.7"], true);
    within(LIMIT, "B's name to answer", || {
        (addresses(&b1) == ["10.244.31.7"]).then_some(())
    });
    assert_eq!(published_reason(&b.ns, "web").as_deref(), Some("Published"));

    // The site lowers A's limit: A's newest name goes, the condition says why, the rest stay.
    let _lower = OfficeLimits::set(Some(2), Some(2));
    within(LIMIT, "A's newest name to leave DNS", || {
        (status(&a3) == "NXDOMAIN").then_some(())
    });
    let reason = within(LIMIT, "the LimitReached condition", || {
        published_reason(&a.ns, "second").filter(|r| r == "LimitReached")
    });
    assert_eq!(reason, "LimitReached");
    let message = ok(kubectl(&[
        "get",
        "service",
        "second",
        "-n",
        &a.ns,
        "-o",
        r#"jsonpath={.status.conditions[?(@.type=="ike.dev/DNSPublished")].message}"#,
    ]));
    assert!(
        message.contains(&a3) && message.contains("maxNamesPerTenant"),
        "{message}"
    );
    assert!(claimed(&a1) && claimed(&a2), "the older names stay");
    assert!(claimed(&b1), "the other tenant's name stays");

    // A makes room: the waiting Service gets its name back.
    ok(rename(&a, "first", &a1));
    within(LIMIT, "A's waiting name to come back", || {
        (claimed(&a3) && status(&a2) == "NXDOMAIN").then_some(())
    });
    within(LIMIT, "the waiting Service to be Published", || {
        published_reason(&a.ns, "second").filter(|r| r == "Published")
    });
}

/// dig's `status:` for NAME A at the DNS server on `port`.
fn status_at(port: &str, name: &str) -> String {
    let out = Command::new("dig")
        .args(["@127.0.0.1", "-p", port, name, "A", "+noall", "+comments"])
        .output()
        .expect("dig must be installed (Debian package bind9-dnsutils)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split("status: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap_or_else(|| panic!("{text}"))
        .to_string()
}

fn apply_at(ike: &PrivateIke, object: &Value) {
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    serde_json::to_writer(file.as_file(), object).unwrap();
    ok(ike.kubectl(&["apply", "-f", file.path().to_str().unwrap()]));
}

fn set_publish(ike: &PrivateIke, on: bool) {
    let patch = json!({"spec": {"office": {"publish": on}}}).to_string();
    ok(ike.kubectl(&["patch", "site", "site", "--type=merge", "-p", &patch]));
}

#[test]
fn the_legacy_registry_is_moved_into_shards_at_start_and_the_first_sweep_runs_at_once() {
    let ike = PrivateIke::start();
    let server = ok(ike.kubectl(&[
        "get",
        "site",
        "site",
        "-o",
        "jsonpath={.spec.office.server}",
    ]));
    let port = server.rsplit_once(':').expect("a DNS server").1.to_string();
    let ns = unique("legacy");
    let name = format!("{}.office.local", unique("orphan"));
    ok(ike.kubectl(&["create", "namespace", &ns]));
    apply_at(
        &ike,
        &json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "old", "namespace": ns,
                "annotations": {"external-dns.alpha.kubernetes.io/hostname": name}},
            "spec": {"clusterIP": "None", "selector": {"app": "old"}}}),
    );
    within(LIMIT, "the name in DNS", || {
        (status_at(&port, &name) == "NOERROR").then_some(())
    });

    // As an earlier version would leave it: the Service gone behind the controller's back (no
    // finalizer, publishing off meanwhile) and its entry in the single legacy ConfigMap.
    set_publish(&ike, false);
    within(LIMIT, "the finalizer to come off", || {
        let out = ok(ike.kubectl(&[
            "get",
            "service",
            "old",
            "-n",
            &ns,
            "-o",
            "jsonpath={.metadata.finalizers}",
        ]));
        out.trim().is_empty().then_some(())
    });
    ok(ike.kubectl(&["delete", "service", "old", "-n", &ns]));
    let shards = ike
        .json(&[
            "configmaps",
            "-n",
            "ike-system",
            "-l",
            "ike.dev/office-names",
        ])
        .unwrap();
    let (shard, key, value) = shards["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|cm| {
            cm["data"].as_object()?.iter().find_map(|(k, v)| {
                v.as_str()?.starts_with(&format!("{name} ")).then(|| {
                    (
                        cm["metadata"]["name"].as_str().unwrap().to_string(),
                        k.clone(),
                        v.as_str().unwrap().to_string(),
                    )
                })
            })
        })
        .expect("the name's entry in a shard");
    assert_eq!(value, format!("{name} service/{ns}/old"));
    apply_at(
        &ike,
        &json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "ike-office-names", "namespace": "ike-system"},
            "data": {key.clone(): value}}),
    );
    let patch = json!({"data": {key.clone(): null}}).to_string();
    ok(ike.kubectl(&[
        "patch",
        "configmap",
        &shard,
        "-n",
        "ike-system",
        "--type=merge",
        "-p",
        &patch,
    ]));
    assert_eq!(status_at(&port, &name), "NOERROR", "still published");

    // A new controller: it finds the name only through the legacy ConfigMap, and removes it
    // at start, not a minute later.
    set_publish(&ike, true);
    ike.restart_controller();
    let restarted = Instant::now();
    within(
        Duration::from_secs(20),
        "the orphaned name to leave DNS",
        || (status_at(&port, &name) == "NXDOMAIN").then_some(()),
    );
    assert!(restarted.elapsed() < Duration::from_secs(30));
    assert!(
        !ike.kubectl(&["get", "configmap", "ike-office-names", "-n", "ike-system"])
            .status
            .success(),
        "the legacy ConfigMap is gone"
    );
    let after = ike
        .json(&["configmap", &shard, "-n", "ike-system"])
        .unwrap();
    assert!(after["data"].get(&key).is_none(), "{after}");
}
