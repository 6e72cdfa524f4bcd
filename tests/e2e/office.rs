//! IKE Office end to end: `ike expose`, the controller publishing to a real BIND 9 (Debian's
//! `named`, started by the local IKE), `ike resolve` and `ike pod ip`, with `dig`, `nsupdate`
//! and kubectl as the independent clients. There is no kubelet: pod IPs and readiness are set
//! through the pod status API, as a node would.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{
    DeletesTenant, User, admin, enrolled, fails, ike, kubectl, ok, sharing_the_tenant_controller,
    unique,
};

mod limits;

const LIMIT: Duration = Duration::from_secs(15);
const ZONE: &str = "office.local";

/// Polls `probe` every 50 ms until it gives a value; panics after `limit` saying `what`.
fn within<T>(limit: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The site's Office DNS server as the Site object names it, and its TSIG key in a file (for
/// nsupdate), both read with kubectl.
struct Dns {
    port: String,
    key_file: PathBuf,
    _dir: tempfile::TempDir,
}

fn dns() -> &'static Dns {
    static DNS: OnceLock<Dns> = OnceLock::new();
    DNS.get_or_init(|| {
        let server = ok(kubectl(&[
            "get",
            "site",
            "site",
            "-o",
            "jsonpath={.spec.office.server}",
        ]));
        let port = server
            .rsplit_once(':')
            .unwrap_or_else(|| panic!("the local IKE's Site names no DNS server: {server:?}"))
            .1
            .to_string();
        let key = ok(kubectl(&[
            "get",
            "secret",
            "-n",
            "ike-system",
            "ike-office-tsig",
            "-o",
            "jsonpath={.data.tsig\\.key}",
        ]));
        use base64::Engine as _;
        let key = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .expect("the key Secret holds base64");
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("office.key");
        std::fs::write(&key_file, key).unwrap();
        Dns {
            port,
            key_file,
            _dir: dir,
        }
    })
}

/// `dig @127.0.0.1 -p PORT NAME TYPE +noall +answer`: (TTL, value) per record, sorted.
fn dig(name: &str, rtype: &str) -> Vec<(u32, String)> {
    let out = Command::new("dig")
        .args([
            "@127.0.0.1",
            "-p",
            &dns().port,
            name,
            rtype,
            "+noall",
            "+answer",
        ])
        .output()
        .expect("dig must be installed (Debian package bind9-dnsutils)");
    assert!(out.status.success(), "dig: {out:?}");
    let mut records: Vec<(u32, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.len() >= 5 && fields[3] == rtype)
                .then(|| (fields[1].parse().unwrap(), fields[4..].join(" ")))
        })
        .collect();
    records.sort();
    records
}

/// The A and AAAA values of `name`.
fn addresses(name: &str) -> Vec<String> {
    let mut all: Vec<String> = dig(name, "A")
        .into_iter()
        .chain(dig(name, "AAAA"))
        .map(|(_, ip)| ip)
        .collect();
    all.sort();
    all
}

/// dig's `status:` for NAME A (NOERROR, NXDOMAIN, ...).
fn status(name: &str) -> String {
    let out = Command::new("dig")
        .args([
            "@127.0.0.1",
            "-p",
            &dns().port,
            name,
            "A",
            "+noall",
            "+comments",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split("status: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap_or_else(|| panic!("{text}"))
        .to_string()
}

/// `nsupdate -k KEY` with `updates` for the zone: a writer that is not ike.
fn nsupdate(updates: &str) {
    use std::io::Write as _;
    let mut child = Command::new("nsupdate")
        .arg("-k")
        .arg(&dns().key_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nsupdate must be installed (Debian package bind9-dnsutils)");
    let script = format!(
        "server 127.0.0.1 {}\nzone {ZONE}\n{updates}\nsend\n",
        dns().port
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "nsupdate: {out:?}");
}

/// A host name no other test uses.
fn host(prefix: &str) -> String {
    format!("{}.{ZONE}", unique(prefix))
}

/// A namespace for one test (not a tenant's), deleted when dropped.
struct Namespace(String);

impl Namespace {
    fn new(prefix: &str) -> Namespace {
        let ns = unique(prefix);
        ok(kubectl(&["create", "namespace", &ns]));
        Namespace(ns)
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = kubectl(&["delete", "namespace", &self.0, "--wait=false"]);
    }
}

/// Sets a pod's status as its node would: Running with `ips`, Ready or not.
fn set_pod(ns: &str, pod: &str, ips: &[&str], ready: bool) {
    let status = serde_json::json!({ "status": {
        "phase": "Running",
        "podIP": ips.first(),
        "podIPs": ips.iter().map(|ip| serde_json::json!({"ip": ip})).collect::<Vec<_>>(),
        "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
    }});
    ok(kubectl(&[
        "patch",
        "pod",
        "-n",
        ns,
        pod,
        "--subresource=status",
        "--type=merge",
        "-p",
        &status.to_string(),
    ]));
}

/// The names of the pods labelled app=`app`, once there are `count`.
fn pods_of(ns: &str, app: &str, count: usize) -> Vec<String> {
    within(LIMIT, &format!("{count} pods of {app}"), || {
        let out = ok(kubectl(&[
            "get",
            "pods",
            "-n",
            ns,
            "-l",
            &format!("app={app}"),
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ]));
        let names: Vec<String> = out.split_whitespace().map(String::from).collect();
        (names.len() == count).then_some(names)
    })
}

/// The reason of the Service's `ike.dev/DNSPublished` condition, if it has one.
fn published_reason(ns: &str, service: &str) -> Option<String> {
    let out = kubectl(&["get", "service", "-n", ns, service, "-o", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    v["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "ike.dev/DNSPublished")
        .and_then(|c| c["reason"].as_str().map(String::from))
}

/// A deployment of `replicas` pods labelled app=`app`, exposed as `name` by `ike expose`.
fn exposed_deployment(
    ns: &str,
    app: &str,
    name: &str,
    replicas: usize,
    extra: &[&str],
) -> Vec<String> {
    ok(kubectl(&[
        "create",
        "deployment",
        app,
        "-n",
        ns,
        "--image=nginx",
        &format!("--replicas={replicas}"),
    ]));
    let mut args = vec!["expose", "-n", ns, &format!("deploy/{app}")]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    args.extend(["--hostname".into(), name.into()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ok(ike(&args));
    assert!(out.contains(&format!("the name {name}")), "{out}");
    pods_of(ns, app, replicas)
}

#[test]
fn an_exposed_deployment_resolves_to_its_ready_pods_ips_with_the_ttl_asked_for() {
    let ns = Namespace::new("office-expose");
    let name = host("web");
    let pods = exposed_deployment(&ns.0, "web", &name, 2, &["--ttl", "45"]);
    // The name is the Service's from the start, without addresses while no pod is ready.
    within(LIMIT, "the name's claim", || {
        (dig(&name, "TXT").len() == 1).then_some(())
    });
    assert_eq!(
        dig(&name, "TXT")[0].1,
        format!(
            "\"heritage=ike,ike/owner=e2e,ike/resource=service/{}/web\"",
            ns.0
        )
    );
    assert!(addresses(&name).is_empty());
    set_pod(&ns.0, &pods[0], &["10.244.7.1", "fd00:7::1"], true);
    set_pod(&ns.0, &pods[1], &["10.244.7.2"], false);
    within(LIMIT, "the ready pod's addresses", || {
        (addresses(&name) == ["10.244.7.1", "fd00:7::1"]).then_some(())
    });
    assert_eq!(dig(&name, "A"), [(45, "10.244.7.1".to_string())]);
    assert_eq!(dig(&name, "AAAA"), [(45, "fd00:7::1".to_string())]);
    assert_eq!(published_reason(&ns.0, "web").as_deref(), Some("Published"));
    // The second pod becomes ready.
    set_pod(&ns.0, &pods[1], &["10.244.7.2"], true);
    within(LIMIT, "both pods' addresses", || {
        (addresses(&name) == ["10.244.7.1", "10.244.7.2", "fd00:7::1"]).then_some(())
    });
}

#[test]
fn a_pod_ip_change_reaches_dns_within_five_seconds_and_a_pod_going_not_ready_or_away_leaves_it() {
    let ns = Namespace::new("office-change");
    let name = host("moving");
    let pods = exposed_deployment(&ns.0, "moving", &name, 2, &[]);
    set_pod(&ns.0, &pods[0], &["10.244.8.1"], true);
    set_pod(&ns.0, &pods[1], &["10.244.8.2"], true);
    within(LIMIT, "both addresses", || {
        (addresses(&name) == ["10.244.8.1", "10.244.8.2"]).then_some(())
    });

    // As a node would after a restart: the pod's IP changes.
    set_pod(&ns.0, &pods[0], &["10.244.8.11"], true);
    let changed = Instant::now();
    within(Duration::from_secs(5), "the new IP in DNS", || {
        (addresses(&name) == ["10.244.8.11", "10.244.8.2"]).then_some(())
    });
    eprintln!("IP change in DNS after {:?}", changed.elapsed());

    // Not ready: out of DNS, the other one stays.
    set_pod(&ns.0, &pods[0], &["10.244.8.11"], false);
    within(LIMIT, "the not-ready pod out of DNS", || {
        (addresses(&name) == ["10.244.8.2"]).then_some(())
    });
    // Gone: out of DNS too; the name stays the Service's, with no address.
    ok(kubectl(&[
        "delete",
        "pod",
        "-n",
        &ns.0,
        &pods[1],
        "--wait=false",
    ]));
    within(LIMIT, "the deleted pod out of DNS", || {
        addresses(&name).is_empty().then_some(())
    });
    assert_eq!(status(&name), "NOERROR");

    // Deleting the Service removes the name: the finalizer waits for it.
    ok(kubectl(&["delete", "service", "-n", &ns.0, "moving"]));
    assert_eq!(status(&name), "NXDOMAIN");
}

#[test]
fn a_changed_or_removed_hostname_takes_the_old_name_out_of_dns() {
    let ns = Namespace::new("office-rename");
    let (old, new) = (host("old"), host("new"));
    let pods = exposed_deployment(&ns.0, "renamed", &old, 1, &[]);
    set_pod(&ns.0, &pods[0], &["10.244.14.1"], true);
    within(LIMIT, "the old name", || {
        (addresses(&old) == ["10.244.14.1"]).then_some(())
    });
    ok(ike(&[
        "expose",
        "-n",
        &ns.0,
        "deploy/renamed",
        "--hostname",
        &new,
    ]));
    within(LIMIT, "the new name, and the old one gone", || {
        (addresses(&new) == ["10.244.14.1"] && status(&old) == "NXDOMAIN").then_some(())
    });
    let annotation = "external-dns.alpha.kubernetes.io/hostname";
    ok(kubectl(&[
        "annotate",
        "service",
        "-n",
        &ns.0,
        "renamed",
        &format!("{annotation}-"),
    ]));
    within(
        LIMIT,
        "the name gone with the annotation, and the finalizer",
        || {
            let finalizers = ok(kubectl(&[
                "get",
                "service",
                "-n",
                &ns.0,
                "renamed",
                "-o",
                "jsonpath={.metadata.finalizers}",
            ]));
            (status(&new) == "NXDOMAIN"
                && !finalizers.contains("ike.dev/office-dns")
                && published_reason(&ns.0, "renamed").is_none())
            .then_some(())
        },
    );
}

#[test]
fn records_ike_did_not_publish_are_never_touched_and_the_service_says_not_owned() {
    let ns = Namespace::new("office-foreign");
    let name = host("printer");
    nsupdate(&format!("update add {name} 300 A 192.0.2.10"));
    let pods = exposed_deployment(&ns.0, "printer", &name, 1, &[]);
    set_pod(&ns.0, &pods[0], &["10.244.9.1"], true);
    within(LIMIT, "condition NotOwned", || {
        (published_reason(&ns.0, "printer").as_deref() == Some("NotOwned")).then_some(())
    });
    let events = ok(kubectl(&["get", "events", "-n", &ns.0, "-o", "json"]));
    assert!(events.contains("NotOwned"), "no NotOwned event: {events}");
    assert_eq!(dig(&name, "A"), [(300, "192.0.2.10".to_string())]);
    assert!(dig(&name, "TXT").is_empty());

    // Deleting the Service waits for the controller's cleanup (its finalizer), which leaves
    // the foreign record alone.
    ok(kubectl(&["delete", "service", "-n", &ns.0, "printer"]));
    assert_eq!(dig(&name, "A"), [(300, "192.0.2.10".to_string())]);
    nsupdate(&format!("update delete {name} A"));
}

#[test]
fn ike_resolve_reports_drift_when_a_record_changes_behind_ikes_back_and_traces_an_ip_to_its_pod() {
    let ns = Namespace::new("office-resolve");
    let name = host("api");
    let pods = exposed_deployment(&ns.0, "api", &name, 1, &[]);
    set_pod(&ns.0, &pods[0], &["10.244.10.1"], true);
    within(LIMIT, "the address in DNS", || {
        (addresses(&name) == ["10.244.10.1"]).then_some(())
    });
    let resolved = ike(&["resolve", &name, "-o", "json"]);
    assert!(resolved.status.success(), "{resolved:?}");
    let v: Value = serde_json::from_slice(&resolved.stdout).unwrap();
    let row = &v["hosts"][0]["rows"][0];
    assert_eq!(row["ip"], "10.244.10.1");
    assert_eq!(row["dnsTtl"], 30);
    assert_eq!(row["state"], "ok");
    assert_eq!(row["pod"], format!("{}/{}", ns.0, pods[0]));

    // Someone adds an address with nsupdate: ike resolve says so and exits 3.
    nsupdate(&format!("update add {name} 30 A 192.0.2.99"));
    let drift = ike(&["resolve", &name]);
    assert_eq!(drift.status.code(), Some(3), "{drift:?}");
    let table = String::from_utf8_lossy(&drift.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.contains("192.0.2.99")
                && l.contains("stale: no pod of the Service has this IP")),
        "{table}"
    );
    // And a ready pod missing from DNS (its records replaced behind ike's back).
    nsupdate(&format!("update delete {name} A 10.244.10.1"));
    let drift = ike(&["resolve", "svc/api", "-n", &ns.0, "-o", "json"]);
    assert_eq!(drift.status.code(), Some(3), "{drift:?}");
    let v: Value = serde_json::from_slice(&drift.stdout).unwrap();
    let states: Vec<(&str, &str)> = v["hosts"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["ip"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [("192.0.2.99", "stale"), ("10.244.10.1", "missing")]
    );

    // Reverse: the IP leads to the pod and its namespace, and to its name, drifting still.
    let traced = ike(&["resolve", "10.244.10.1", "-o", "json"]);
    assert_eq!(traced.status.code(), Some(3), "{traced:?}");
    let v: Value = serde_json::from_slice(&traced.stdout).unwrap();
    assert_eq!(v["hosts"][0]["host"], name.as_str());
    assert_eq!(v["holders"][0]["name"], pods[0].as_str());
    assert_eq!(v["holders"][0]["namespace"], ns.0.as_str());
}

#[test]
fn ike_pod_ip_prints_what_kubectl_jsonpath_prints_for_the_same_selector_ipv4_and_ipv6() {
    let ns = Namespace::new("office-podip");
    for (pod, ips) in [
        ("a", vec!["10.244.11.1", "fd00:11::1"]),
        ("b", vec!["fd00:11::2"]),
        ("c", vec!["10.244.11.3"]),
    ] {
        ok(kubectl(&[
            "run",
            pod,
            "-n",
            &ns.0,
            "--image=nginx",
            "--labels=app=office-ip",
        ]));
        set_pod(&ns.0, pod, &ips, true);
    }
    ok(kubectl(&[
        "run",
        "other",
        "-n",
        &ns.0,
        "--image=nginx",
        "--labels=app=else",
    ]));
    set_pod(&ns.0, "other", &["10.244.11.9"], true);
    let jsonpath = ok(kubectl(&[
        "get",
        "pods",
        "-n",
        &ns.0,
        "-l",
        "app=office-ip",
        "-o",
        "jsonpath={range .items[*]}{range .status.podIPs[*]}{.ip}{\"\\n\"}{end}{end}",
    ]));
    // Not a terminal: one IP per line.
    let plain = ok(ike(&["pod", "ip", "-n", &ns.0, "-l", "app=office-ip"]));
    assert_eq!(plain, jsonpath);
    assert_eq!(plain.lines().count(), 4, "{plain}");
    let v4 = ok(ike(&[
        "pod",
        "ip",
        "-n",
        &ns.0,
        "-l",
        "app=office-ip",
        "-4",
    ]));
    assert_eq!(v4, "10.244.11.1\n10.244.11.3\n");
    let one = ok(ike(&["pod", "ip", "-n", &ns.0, "b"]));
    assert_eq!(one, "fd00:11::2\n");
    let table = ok(ike(&[
        "pod",
        "ip",
        "-n",
        &ns.0,
        "-l",
        "app=office-ip",
        "-o",
        "table",
    ]));
    assert!(
        table.lines().any(|l| l.starts_with("a ")
            && l.contains("true")
            && l.ends_with("10.244.11.1,fd00:11::1")),
        "{table}"
    );
    let err = fails(ike(&["pod", "ip", "-n", &ns.0, "-l", "app=nothing"]));
    assert!(err.contains("no pods matching app=nothing"), "{err}");
}

#[test]
fn ike_pod_ip_wait_returns_once_a_ready_pod_has_an_ip() {
    let ns = Namespace::new("office-wait");
    ok(kubectl(&[
        "run",
        "late",
        "-n",
        &ns.0,
        "--image=nginx",
        "--labels=app=late",
    ]));
    let waiting = Command::new(env!("CARGO_BIN_EXE_ike"))
        .env("KUBECONFIG", &crate::harness::env().kubeconfig)
        .args([
            "pod",
            "ip",
            "-n",
            &ns.0,
            "-l",
            "app=late",
            "--wait",
            "--timeout",
            "30s",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Still waiting while the pod has no IP: it has not printed anything.
    std::thread::sleep(Duration::from_millis(500));
    set_pod(&ns.0, "late", &["10.244.12.1"], true);
    let out: Output = waiting.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "10.244.12.1\n");
}

/// A tenant with an owner and one namespace, created by the admin; deleted when dropped.
struct Tenant {
    name: String,
    ns: String,
    owner: User,
    _deleted: DeletesTenant,
}

impl Tenant {
    fn new(prefix: &str) -> Tenant {
        let owner = enrolled(&format!("{prefix}-own"));
        let name = unique(prefix);
        let ns = unique(&format!("{prefix}-ns"));
        ok(admin().ike(&[
            "tenant",
            "create",
            &name,
            "--owner",
            &owner.account,
            "--namespace",
            &ns,
        ]));
        // The owner's binding comes from the tenant controller, shortly after.
        within(LIMIT, "the owner's access to the namespace", || {
            let can = owner.kubectl(&["auth", "can-i", "create", "services", "-n", &ns]);
            (String::from_utf8_lossy(&can.stdout).trim() == "yes").then_some(())
        });
        Tenant {
            _deleted: DeletesTenant(name.clone()),
            name,
            ns,
            owner,
        }
    }

    fn kubectl(&self, args: &[&str]) -> Output {
        let mut all = vec!["-n", self.ns.as_str()];
        all.extend_from_slice(args);
        self.owner.kubectl(&all)
    }
}

/// A headless Service named `name` in the tenant's namespace, as YAML, annotated with `host`.
fn annotated_service(name: &str, host: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  annotations:\n    external-dns.alpha.kubernetes.io/hostname: {host}\nspec:\n  clusterIP: None\n  selector:\n    app: {name}\n"
    )
}

fn apply_as(tenant: &Tenant, yaml: &str) -> Output {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), yaml).unwrap();
    tenant.kubectl(&["apply", "-f", &file.path().display().to_string()])
}

#[test]
fn tenant_b_can_take_neither_tenant_a_s_name_nor_one_outside_the_allowed_domains() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = (Tenant::new("office-a"), Tenant::new("office-b"));
    let taken = host("shared");

    // A names its deployment; B's own name next to it works (the use next to the abuse).
    ok(a.kubectl(&["create", "deployment", "web", "--image=nginx"]));
    let out = a
        .owner
        .ike(&["expose", "-n", &a.ns, "deploy/web", "--hostname", &taken]);
    assert!(out.status.success(), "{out:?}");
    ok(b.kubectl(&["create", "deployment", "web", "--image=nginx"]));
    let mine = host("mine");
    ok(b.owner
        .ike(&["expose", "-n", &b.ns, "deploy/web", "--hostname", &mine]));

    // The same name through ike: refused by the site (its webhook), in one line.
    let err = fails(b.owner.ike(&[
        "expose",
        "-n",
        &b.ns,
        "deploy/web",
        "--name",
        "web2",
        "--hostname",
        &taken,
    ]));
    assert!(
        err.contains(&format!(
            "{taken} is taken by a Service outside your tenant"
        )),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // Through kubectl, create and annotate alike.
    let err = fails(apply_as(&b, &annotated_service("thief", &taken)));
    assert!(err.contains("services.hostnames.ike.dev"), "{err}");
    assert!(
        err.contains("is taken by a Service outside your tenant"),
        "{err}"
    );
    ok(b.kubectl(&[
        "create",
        "service",
        "clusterip",
        "plain",
        "--clusterip=None",
    ]));
    let annotate = |value: &str| {
        b.kubectl(&[
            "annotate",
            "service",
            "plain",
            &format!("external-dns.alpha.kubernetes.io/hostname={value}"),
        ])
    };
    let err = fails(annotate(&taken));
    assert!(
        err.contains("is taken by a Service outside your tenant"),
        "{err}"
    );

    // A name outside the allowed domains: ike says so before asking, the webhook refuses it.
    let outside = format!("{}.example.com", unique("x"));
    let err = fails(b.owner.ike(&[
        "expose",
        "-n",
        &b.ns,
        "deploy/web",
        "--name",
        "web3",
        "--hostname",
        &outside,
    ]));
    assert!(err.contains("use a name ending in .office.local"), "{err}");
    let err = fails(annotate(&outside));
    assert!(err.contains("services.hostnames.ike.dev"), "{err}");
    assert!(err.contains("use a name ending in .office.local"), "{err}");
    let err = fails(annotate(&format!("*.{ZONE}")));
    assert!(err.contains("no wildcard"), "{err}");

    // An IP leads its tenant's owner to the pod and the tenant; B sees no pod of A's.
    let a_pod = pods_of(&a.ns, "web", 1).remove(0);
    set_pod(&a.ns, &a_pod, &["10.244.13.1"], true);
    let traced = ok(a.owner.ike(&["resolve", "10.244.13.1", "-o", "json"]));
    let v: Value = serde_json::from_str(&traced).unwrap();
    assert_eq!(v["holders"][0]["name"], a_pod.as_str());
    assert_eq!(v["holders"][0]["tenant"], a.name.as_str());
    let err = fails(b.owner.ike(&["resolve", "10.244.13.1"]));
    assert!(
        err.contains("no pod you may see has IP 10.244.13.1"),
        "{err}"
    );

    // Nothing of B's reached A's name: DNS claims it for A's Service.
    let claim = within(LIMIT, "A's claim in DNS", || {
        let txt = dig(&taken, "TXT");
        (txt.len() == 1).then(|| txt[0].1.clone())
    });
    assert!(claim.contains(&format!("service/{}/web", a.ns)), "{claim}");
}
