//! `ike get` end to end: tenant-wide reads as the person (member, viewer, outsider), compared
//! with what the cluster admin's `kubectl get -A` shows for the tenant's namespaces; `-w` as
//! one stream over every namespace, through an API server restart; and the tenant's view of
//! nodes, StorageClasses, CRDs and namespaces.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{
    DeletesTenant, OwnedTenant, User, admin, fails, kubectl, ok, sharing_the_tenant_controller,
    unique,
};
use crate::tenant_cli::enrolled;

/// `kubectl apply -f -` of `object` with `kubeconfig` (the shared cluster's admin by default).
fn apply_with(kubeconfig: &Path, object: &Value) {
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["apply", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(object.to_string().as_bytes())
        .unwrap();
    ok(child.wait_with_output().unwrap());
}

fn apply(object: &Value) {
    apply_with(&crate::harness::env().kubeconfig, object);
}

fn wait_until<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A table as printed (kubectl's or ike's): its header and rows, cells split at whitespace
/// (no cell of the kinds compared here holds a space).
#[derive(Debug, Clone, PartialEq)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(text: &str) -> Table {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let split = |l: &str| l.split_whitespace().map(String::from).collect::<Vec<_>>();
        Table {
            header: lines.next().map(split).unwrap_or_default(),
            rows: lines.map(split).collect(),
        }
    }

    /// Without column `name` (AGE moves between two calls; TENANT is ike's own).
    fn without(mut self, name: &str) -> Table {
        if let Some(i) = self.header.iter().position(|h| h == name) {
            self.header.remove(i);
            for r in &mut self.rows {
                r.remove(i);
            }
        }
        self
    }

    fn column(&self, name: &str) -> Vec<String> {
        let i = self.header.iter().position(|h| h == name).unwrap();
        self.rows.iter().map(|r| r[i].clone()).collect()
    }

    /// Only the rows whose NAMESPACE is in `namespaces`.
    fn in_namespaces(mut self, namespaces: &BTreeSet<String>) -> Table {
        let i = self.header.iter().position(|h| h == "NAMESPACE").unwrap();
        self.rows.retain(|r| namespaces.contains(&r[i]));
        self
    }
}

/// Two tenants: `a` with three namespaces (owner, member, viewer), `b` with one namespace
/// and the same member as a viewer. Deleted with their namespaces when dropped.
struct Scope {
    a: String,
    a_ns: Vec<String>,
    b: String,
    b_ns: Vec<String>,
    member: User,
    viewer: User,
    _deleted: [DeletesTenant; 2],
}

impl Scope {
    fn new(prefix: &str) -> Scope {
        let owner = enrolled(&format!("{prefix}-own"));
        let member = enrolled(&format!("{prefix}-mem"));
        let viewer = enrolled(&format!("{prefix}-view"));
        let (a, b) = (
            unique(&format!("{prefix}-a")),
            unique(&format!("{prefix}-b")),
        );
        // `a-x` before `a` in etcd's order: names chosen so that byte order and tuple order
        // differ.
        let a_ns = vec![format!("{a}-x"), format!("{a}-x-y"), format!("{a}-z")];
        let b_ns = vec![format!("{b}-x")];
        let create = |name: &str, nss: &[String], extra: &[&str]| {
            let mut args = vec!["tenant", "create", name, "--owner", &owner.account];
            args.extend_from_slice(extra);
            for ns in nss {
                args.extend_from_slice(&["--namespace", ns]);
            }
            ok(admin().ike(&args));
        };
        create(
            &a,
            &a_ns,
            &["--member", &member.account, "--viewer", &viewer.account],
        );
        create(&b, &b_ns, &["--viewer", &member.account]);
        let scope = Scope {
            _deleted: [DeletesTenant(a.clone()), DeletesTenant(b.clone())],
            a,
            a_ns,
            b,
            b_ns,
            member,
            viewer,
        };
        for ns in scope.all_ns() {
            wait_until(
                &format!("{ns}'s kube-root-ca.crt"),
                Duration::from_secs(20),
                || {
                    kubectl(&["get", "configmap", "kube-root-ca.crt", "-n", ns])
                        .status
                        .success()
                        .then_some(())
                },
            );
        }
        scope
    }

    fn all_ns(&self) -> Vec<&String> {
        self.a_ns.iter().chain(&self.b_ns).collect()
    }
}

/// A namespaced CRD (`widgets.<group>`) the view and edit roles include, so tenants read it.
fn widget_crd(group: &str) -> String {
    let plural = "widgets";
    apply(&json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": plural, "singular": "widget", "kind": "Widget", "shortNames": ["wdg"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                "additionalPrinterColumns": [{"name": "Size", "type": "string", "jsonPath": ".spec.size"}]}]}
    }));
    for (level, verbs) in [
        ("view", json!(["get", "list", "watch"])),
        ("edit", json!(["*"])),
    ] {
        apply(&json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": format!("{group}-{level}"),
                "labels": {format!("rbac.authorization.k8s.io/aggregate-to-{level}"): "true"}},
            "rules": [{"apiGroups": [group], "resources": [plural], "verbs": verbs}]
        }));
    }
    let name = format!("{plural}.{group}");
    wait_until("the CRD to be established", Duration::from_secs(20), || {
        let out = kubectl(&["get", "crd", &name, "-o", "json"]);
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        v["status"]["conditions"]
            .as_array()?
            .iter()
            .any(|c| c["type"] == "Established" && c["status"] == "True")
            .then_some(())
    });
    name
}

/// `ike get ARGS` as `user` must print the rows the admin's `kubectl get -A KIND` shows in
/// `namespaces` (AGE and ike's TENANT left out), in the same order. Both read at nearly the
/// same time; a change in between (the controller's own objects) gets a second look.
fn same_rows_as_kubectl(user: &User, args: &[&str], kind: &str, namespaces: &BTreeSet<String>) {
    let mut last = String::new();
    for _ in 0..5 {
        let mine = Table::parse(&ok(user.ike(args)))
            .without("TENANT")
            .without("AGE");
        let theirs = Table::parse(&ok(kubectl(&["get", kind, "-A"])))
            .without("AGE")
            .in_namespaces(namespaces);
        if mine == theirs && !mine.rows.is_empty() {
            return;
        }
        last = format!("ike:\n{mine:#?}\nkubectl -A:\n{theirs:#?}");
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("ike get {args:?} and kubectl get {kind} -A differ:\n{last}");
}

#[test]
fn a_member_and_a_viewer_see_exactly_the_rows_kubectl_get_all_shows_for_their_tenants() {
    let _shared = sharing_the_tenant_controller();
    let s = Scope::new("get-rows");
    let group = format!("{}.example.com", unique("g"));
    let crd = widget_crd(&group);
    for (i, ns) in s.all_ns().into_iter().enumerate() {
        ok(kubectl(&[
            "create",
            "configmap",
            "c0",
            "-n",
            ns,
            "--from-literal=k=v",
        ]));
        ok(kubectl(&[
            "create",
            "configmap",
            &format!("n{i}"),
            "-n",
            ns,
        ]));
        apply(
            &json!({"apiVersion": format!("{group}/v1"), "kind": "Widget",
            "metadata": {"name": format!("w{i}"), "namespace": ns}, "spec": {"size": format!("s{i}")}}),
        );
    }
    let a: BTreeSet<String> = s.a_ns.iter().cloned().collect();
    let both: BTreeSet<String> = s.all_ns().into_iter().cloned().collect();

    // The viewer of `a` only: one tenant, no TENANT column; the CRD by plural.group, short
    // name and Kind.group.
    same_rows_as_kubectl(&s.viewer, &["get", "configmaps"], "configmaps", &a);
    same_rows_as_kubectl(
        &s.viewer,
        &["get", "cm", "--tenant", &s.a],
        "configmaps",
        &a,
    );
    for arg in [crd.clone(), "wdg".into(), format!("Widget.{group}")] {
        same_rows_as_kubectl(&s.viewer, &["get", &arg], &crd, &a);
    }
    let viewed = ok(s.viewer.ike(&["get", "cm"]));
    assert!(viewed.starts_with("NAMESPACE "), "{viewed}");
    assert!(!viewed.contains(&s.b), "another tenant's rows: {viewed}");

    // The member of `a` and viewer of `b`: both tenants, TENANT first.
    let out = ok(s.member.ike(&["get", "configmaps"]));
    println!("$ ike get configmaps   # as {}\n{out}", s.member.account);
    let t = Table::parse(&out);
    assert_eq!(t.header[..3], ["TENANT", "NAMESPACE", "NAME"], "{out}");
    let tenants: BTreeSet<String> = t.column("TENANT").into_iter().collect();
    assert_eq!(tenants, [s.a.clone(), s.b.clone()].into());
    same_rows_as_kubectl(&s.member, &["get", "configmaps"], "configmaps", &both);
    same_rows_as_kubectl(&s.member, &["get", &crd, "-o", "wide"], &crd, &both);
    same_rows_as_kubectl(
        &s.member,
        &["get", "cm", "--tenant", &s.b],
        "configmaps",
        &s.b_ns.iter().cloned().collect(),
    );

    // -o name, one name across namespaces, -l.
    let names = ok(s.viewer.ike(&["get", "cm", "c0", "-o", "name"]));
    println!("$ ike get cm c0 -o name\n{names}");
    assert_eq!(
        names.lines().collect::<Vec<_>>(),
        ["configmap/c0"; 3],
        "{names}"
    );
    let one = Table::parse(&ok(s.member.ike(&["get", &crd, "w0"])));
    assert_eq!(one.column("NAME"), ["w0"]);
    let json: Value =
        serde_json::from_str(&ok(s.viewer.ike(&["get", "widgets", "-o", "json"]))).unwrap();
    assert_eq!(json["kind"], "List");
    assert_eq!(json["items"].as_array().unwrap().len(), 3, "{json}");
    assert_eq!(json["items"][0]["kind"], "Widget");
    let none = s.viewer.ike(&["get", "cm", "-l", "no-such=label"]);
    assert!(none.status.success());
    assert!(none.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&none.stderr).trim(),
        format!("No resources found in tenant {}.", s.a)
    );
    let missing = fails(s.viewer.ike(&["get", "cm", "nope"]));
    assert!(missing.contains("not found: nope"), "{missing}");
    let unknown = fails(s.viewer.ike(&["get", "pots"]));
    assert!(
        unknown.contains("the server doesn't have a resource type \"pots\""),
        "{unknown}"
    );
    assert_eq!(unknown.trim().lines().count(), 1, "{unknown}");
}

#[test]
fn an_outsider_sees_nothing_and_a_refusal_everywhere_is_one_line_naming_the_role() {
    let _shared = sharing_the_tenant_controller();
    let s = Scope::new("get-deny");
    let outsider = enrolled("get-out");
    let out = outsider.ike(&["get", "pods"]);
    let err = fails(out.clone());
    assert!(out.stdout.is_empty());
    assert!(err.contains("you belong to no tenant"), "{err}");
    let err = fails(outsider.ike(&["get", "pods", "--tenant", &s.a]));
    assert!(
        err.contains("forbidden") && err.contains("ike whoami"),
        "{err}"
    );
    let err = fails(outsider.ike(&["get", "pods", "-n", &s.a_ns[0]]));
    assert!(err.contains("you may not list pods"), "{err}");

    // Secrets: the view role does not read them, in any of the three namespaces.
    let out = s.viewer.ike(&["get", "secrets"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("you may not list secrets in any of the 3 namespace(s)")
            && err.contains(&format!("viewer in {}", s.a)),
        "{err}"
    );
    // The member edits `a` (secrets readable) and views `b` (not): rows of `a`, one warning
    // for `b`'s namespace, exit status 4.
    let out = s.member.ike(&["get", "secrets"]);
    println!(
        "$ ike get secrets   # as {}\n{}{}",
        s.member.account,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = err.lines().collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with(&format!("warning: secrets in namespace {}: ", s.b_ns[0])),
        "{err}"
    );
    let namespaces: BTreeSet<String> = Table::parse(&String::from_utf8_lossy(&out.stdout))
        .column("NAMESPACE")
        .into_iter()
        .collect();
    assert!(
        namespaces.is_subset(&s.a_ns.iter().cloned().collect()),
        "{namespaces:?}"
    );
}

/// Lines of a running `ike get -w`, read on a thread as they come.
struct Watching {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watching {
    fn start(mut command: Command) -> Watching {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Watching {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing every word; returns it.
    fn expect(&mut self, words: &[&str], limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if words
                        .iter()
                        .all(|w| line.split_whitespace().any(|c| c == *w))
                    {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with {words:?} within {limit:?}; seen:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Stops it; all it printed, and its stderr.
    fn stop(mut self) -> (Vec<String>, String) {
        let _ = self.child.kill();
        let out = self.child.wait_with_output().unwrap();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(300)) {
            self.seen.push(line);
        }
        (self.seen, String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Each line once: no line repeats.
fn no_duplicates(lines: &[String]) {
    let mut seen = BTreeSet::new();
    for l in lines {
        assert!(
            seen.insert(l),
            "printed twice: {l}\nall:\n{}",
            lines.join("\n")
        );
    }
}

#[test]
fn watch_prints_each_change_in_any_namespace_once() {
    let _shared = sharing_the_tenant_controller();
    let s = Scope::new("get-watch");
    for ns in &s.a_ns {
        ok(kubectl(&["create", "configmap", "old", "-n", ns]));
    }
    let mut w =
        Watching::start(
            s.viewer
                .ike_command(&["get", "cm", "-w", "--output-watch-events"]),
        );
    w.expect(&["EVENT", "NAMESPACE", "NAME"], Duration::from_secs(20));
    // The first table in etcd's key order: `-x-y/` before `-x/`.
    for ns in [&s.a_ns[1], &s.a_ns[0], &s.a_ns[2]] {
        w.expect(&["ADDED", ns, "old"], Duration::from_secs(5));
    }
    ok(kubectl(&["create", "configmap", "new-1", "-n", &s.a_ns[0]]));
    w.expect(&["ADDED", &s.a_ns[0], "new-1"], Duration::from_secs(5));
    ok(kubectl(&["create", "configmap", "new-2", "-n", &s.a_ns[2]]));
    w.expect(&["ADDED", &s.a_ns[2], "new-2"], Duration::from_secs(5));
    ok(kubectl(&["delete", "configmap", "old", "-n", &s.a_ns[1]]));
    w.expect(&["DELETED", &s.a_ns[1], "old"], Duration::from_secs(5));
    // Another tenant's change is not printed: a change after it is, and it came first.
    ok(kubectl(&[
        "create",
        "configmap",
        "elsewhere",
        "-n",
        &s.b_ns[0],
    ]));
    ok(kubectl(&["create", "configmap", "last", "-n", &s.a_ns[1]]));
    w.expect(&["ADDED", &s.a_ns[1], "last"], Duration::from_secs(5));
    let (lines, _) = w.stop();
    println!(
        "$ ike get cm -w --output-watch-events\n{}",
        lines.join("\n")
    );
    assert!(!lines.iter().any(|l| l.contains("elsewhere")), "{lines:#?}");
    no_duplicates(&lines);
}

/// A person logged in with certificates of 60 s (every renewal asks for 60 s too): them, the
/// site, and their first certificate.
fn short_lived(prefix: &str) -> (User, String, ike::pki::CertInfo) {
    let member = enrolled(prefix);
    let site = crate::harness::env().site.clone();
    ok(member.ike(&["login", "--site", &site, "--ttl", "60s"]));
    let first = ike::pki::cert_info(&crate::accounts::identity(&member).0).unwrap();
    (member, site, first)
}

/// A tenant `owner` owns with one namespace, ready for use (its kube-root-ca.crt is there).
fn one_namespace(owner: &User, prefix: &str) -> OwnedTenant {
    let owned = OwnedTenant::new(prefix, owner);
    wait_until(
        "the namespace's kube-root-ca.crt",
        Duration::from_secs(20),
        || {
            kubectl(&["get", "configmap", "kube-root-ca.crt", "-n", &owned.ns])
                .status
                .success()
                .then_some(())
        },
    );
    owned
}

/// A watch outlives the certificate it began with: each re-watch is made with a client leased
/// until the certificate is due, renewed first when it is (as `ike credential` renews for
/// kubectl). With 60-second certificates (due after 42 s) the watch is made again at about 42 s
/// and 84 s, the second time after the first certificate expired, and a change after that is
/// still printed.
#[test]
fn watch_outlives_its_certificate_by_renewing_it_in_time() {
    let _shared = sharing_the_tenant_controller();
    let (member, _, first) = short_lived("get-renew");
    let owned = one_namespace(&member, "get-renew");
    let ns = owned.ns.clone();
    let mut w = Watching::start(member.ike_command(&["get", "cm", "-w", "--output-watch-events"]));
    w.expect(&["ADDED", &ns, "kube-root-ca.crt"], Duration::from_secs(20));
    // Half a minute past the first certificate's end, and past the second renewal.
    let wait = (first.not_after + Duration::from_secs(30))
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    std::thread::sleep(wait);
    let now = crate::accounts::identity(&member).0;
    let now = ike::pki::cert_info(&now).unwrap();
    // The second renewal's certificate ends more than a lifetime after the first one did.
    let later = now
        .not_after
        .duration_since(first.not_after)
        .unwrap_or_default();
    assert!(
        later > Duration::from_secs(60),
        "renewed {later:?} later, not twice: the watch was not made again after the first expired"
    );
    ok(kubectl(&["create", "configmap", "after-expiry", "-n", &ns]));
    w.expect(&["ADDED", &ns, "after-expiry"], Duration::from_secs(10));
    let (lines, stderr) = w.stop();
    println!(
        "$ ike get cm -w --output-watch-events\n{}",
        lines.join("\n")
    );
    no_duplicates(&lines);
    assert!(!stderr.contains("retrying"), "{stderr}");
}

/// A watch whose certificate ran out unrenewed (the account API out of reach) says so once on
/// stderr, with what to run, and goes on by itself once `ike login` has written a new one.
#[test]
fn watch_says_once_that_its_certificate_ran_out_and_goes_on_after_a_new_login() {
    let _shared = sharing_the_tenant_controller();
    let (member, site, first) = short_lived("get-expire");
    let owned = one_namespace(&member, "get-expire");
    let ns = owned.ns.clone();
    let mut w = Watching::start(member.ike_command(&["get", "cm", "-w", "--output-watch-events"]));
    w.expect(&["ADDED", &ns, "kube-root-ca.crt"], Duration::from_secs(20));
    // From now on renewals cannot reach the account API: the site's settings name a closed port.
    let settings = member.site_dir(&site).join("site.json");
    let saved = std::fs::read_to_string(&settings).unwrap();
    let mut unreachable: Value = serde_json::from_str(&saved).unwrap();
    unreachable["accountApi"] = json!("https://127.0.0.1:9");
    std::fs::write(&settings, unreachable.to_string()).unwrap();
    let wait = (first.not_after + Duration::from_secs(8))
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    std::thread::sleep(wait);
    // A new login, with a new token, as the person would in another terminal.
    std::fs::write(&settings, &saved).unwrap();
    let out = ok(admin().ike(&["account", "token", &member.account, "-o", "json"]));
    let token: Value = serde_json::from_str(&out).unwrap();
    ok(member.login(token["token"].as_str().unwrap(), &["--ttl", "10m"]));
    ok(kubectl(&["create", "configmap", "after-login", "-n", &ns]));
    w.expect(&["ADDED", &ns, "after-login"], Duration::from_secs(20));
    let (lines, stderr) = w.stop();
    println!("stderr of ike get cm -w:\n{stderr}");
    no_duplicates(&lines);
    let said = format!(
        "namespace {ns}: the certificate for site '{site}' is not valid now and cannot be renewed: run 'ike login --site {site}' with a new token; retrying"
    );
    assert_eq!(
        stderr.matches(&said).count(),
        1,
        "said once: {said}\n{stderr}"
    );
}

/// A kube-apiserver killed and started again with the same command line, as a crash and a
/// supervisor's restart would. The restarted one is the test's child: killed when dropped.
struct Restarted(Option<Child>);

impl Restarted {
    fn apiserver(ike: &crate::tenants::PrivateIke) -> Restarted {
        let plane = ike.local().plane.as_ref().expect("a private plane");
        let pid = plane.pids[1];
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        assert!(args[0].ends_with("kube-apiserver"), "{args:?}");
        let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap();
        ok(Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .output()
            .unwrap());
        std::thread::sleep(Duration::from_secs(1));
        let log = std::fs::File::create(cwd.join("kube-apiserver-restarted.log")).unwrap();
        let child = Command::new(&args[0])
            .args(&args[1..])
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_until(
            "the restarted API server to be ready",
            Duration::from_secs(60),
            || {
                let out = ike.kubectl(&["get", "--raw", "/readyz"]);
                out.status.success().then_some(())
            },
        );
        Restarted(Some(child))
    }
}

impl Drop for Restarted {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[test]
fn watch_survives_an_api_server_restart_and_410_without_lost_or_repeated_lines() {
    let ike = crate::tenants::PrivateIke::start();
    let kubeconfig = ike.local().admin_kubeconfig.clone();
    let owner = "get-restart-owner";
    apply_with(
        &kubeconfig,
        &json!({"apiVersion": "ike.dev/v1alpha1", "kind": "Account",
        "metadata": {"name": owner}, "spec": {}}),
    );
    let nss = ["gr-a", "gr-b", "gr-c"];
    apply_with(
        &kubeconfig,
        &json!({"apiVersion": "ike.dev/v1alpha1", "kind": "Tenant",
        "metadata": {"name": "gr"},
        "spec": {"members": [{"account": owner, "role": "owner"}], "namespaces": nss}}),
    );
    wait_until(
        "the tenant to hold its namespaces",
        Duration::from_secs(30),
        || {
            let t = ike.json(&["tenant", "gr"])?;
            (t["status"]["namespaces"].as_array()?.len() == nss.len()).then_some(())
        },
    );
    for ns in nss {
        ok(ike.kubectl(&["create", "configmap", "before", "-n", ns]));
    }
    // As the cluster admin (no ike site): the tenant is named.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ike"));
    cmd.env("KUBECONFIG", &kubeconfig)
        .env("NO_COLOR", "1")
        .args([
            "get",
            "cm",
            "--tenant",
            "gr",
            "-w",
            "--output-watch-events",
            "-v",
        ]);
    let mut w = Watching::start(cmd);
    for ns in nss {
        w.expect(&["ADDED", ns, "before"], Duration::from_secs(20));
    }
    ok(ike.kubectl(&["create", "configmap", "up-1", "-n", nss[0]]));
    w.expect(&["ADDED", nss[0], "up-1"], Duration::from_secs(5));
    // Other writes move the cluster's resourceVersion past every namespace's: after the
    // restart, the new watch cache starts there and a watch from before gets 410 Gone.
    for i in 0..5 {
        ok(ike.kubectl(&[
            "create",
            "configmap",
            &format!("elsewhere-{i}"),
            "-n",
            "default",
        ]));
    }
    let _restarted = Restarted::apiserver(&ike);
    ok(ike.kubectl(&["create", "configmap", "after-1", "-n", nss[1]]));
    ok(ike.kubectl(&["delete", "configmap", "up-1", "-n", nss[0]]));
    ok(ike.kubectl(&["create", "configmap", "after-2", "-n", nss[2]]));
    w.expect(&["ADDED", nss[1], "after-1"], Duration::from_secs(15));
    w.expect(&["DELETED", nss[0], "up-1"], Duration::from_secs(15));
    w.expect(&["ADDED", nss[2], "after-2"], Duration::from_secs(15));
    // One more change: the watch is live again, not only re-listed.
    ok(ike.kubectl(&["create", "configmap", "live", "-n", nss[1]]));
    w.expect(&["ADDED", nss[1], "live"], Duration::from_secs(10));
    let (lines, stderr) = w.stop();
    no_duplicates(&lines);
    for name in ["before", "up-1", "after-1", "after-2", "live"] {
        assert!(
            lines.iter().any(|l| l.contains(name)),
            "{name} lost: {lines:#?}"
        );
    }
    assert!(
        stderr.contains("410 Gone: listing again"),
        "no 410 was met, so the relist was not exercised: {stderr}"
    );
}

/// A Node object (no kubelet behind it), labelled.
fn node(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}})
}

#[test]
fn cluster_scope_shows_the_tenants_nodes_storage_classes_crds_and_namespaces() {
    let _shared = sharing_the_tenant_controller();
    let s = Scope::new("get-cluster");
    let pool = unique("pool");
    let (mine, other) = (unique("get-node-a"), unique("get-node-x"));
    apply(&node(&mine, json!({"ike.dev/pool": pool})));
    apply(&node(&other, json!({"ike.dev/pool": "someone-else"})));
    ok(kubectl(&[
        "patch",
        "tenant",
        &s.a,
        "--type=merge",
        "-p",
        &json!({"spec": {"nodeSelector": {"ike.dev/pool": pool}}}).to_string(),
    ]));
    let out = s.member.ike(&["get", "nodes"]);
    println!(
        "$ ike get nodes\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let t = Table::parse(&ok(out.clone()));
    assert_eq!(t.header[..2], ["TENANT", "NAME"]);
    assert_eq!(
        t.rows
            .iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect::<Vec<_>>(),
        [(s.a.clone(), mine.clone())]
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "tenant {} has no dedicated nodes; its pods run on the shared ones",
            s.b
        )),
        "{out:?}"
    );

    let (sc_a, sc_other, sc_shared) = (unique("sc-a"), unique("sc-x"), unique("sc-shared"));
    for (name, label) in [
        (&sc_a, Some(s.a.as_str())),
        (&sc_other, Some("someone-else")),
        (&sc_shared, None),
    ] {
        let labels = label.map_or(json!({}), |t| json!({"ike.dev/tenant": t}));
        apply(
            &json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": name, "labels": labels}, "provisioner": "example.com/none"}),
        );
    }
    let t = Table::parse(&ok(s.member.ike(&["get", "sc"])));
    let rows: Vec<(String, String)> = t
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert!(rows.contains(&(s.a.clone(), sc_a.clone())), "{rows:?}");
    assert!(rows.contains(&("-".into(), sc_shared.clone())), "{rows:?}");
    assert!(!rows.iter().any(|(_, n)| *n == sc_other), "{rows:?}");

    let group = format!("{}.example.com", unique("gc"));
    let crd = widget_crd(&group);
    ok(kubectl(&[
        "label",
        "crd",
        &crd,
        &format!("ike.dev/tenant={}", s.b),
    ]));
    let t = Table::parse(&ok(s.member.ike(&["get", "crds"])));
    let rows: Vec<(String, String)> = t
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert!(rows.contains(&(s.b.clone(), crd.clone())), "{rows:?}");
    assert!(
        rows.contains(&("-".into(), "tenants.ike.dev".into())),
        "{rows:?}"
    );
    // The viewer of `a` alone: `b`'s CRD is left out.
    let t = Table::parse(&ok(s.viewer.ike(&["get", "customresourcedefinitions"])));
    assert!(!t.column("NAME").contains(&crd));

    assert_eq!(
        ok(s.member.ike(&["get", "ns"])),
        ok(s.member.ike(&["ns", "list"]))
    );
    assert_eq!(
        ok(s.viewer.ike(&["get", "namespaces"])),
        ok(s.viewer.ike(&["ns", "list"]))
    );
    // Any other cluster-scoped kind: one plain list, as RBAC allows.
    let t = Table::parse(&ok(admin().ike(&[
        "get",
        "clusterroles",
        &format!("{group}-view"),
    ])));
    assert_eq!(t.column("NAME"), [format!("{group}-view")]);
    for n in [&mine, &other, &sc_a, &sc_other, &sc_shared, &crd] {
        let _ = kubectl(&[
            "delete",
            "node,sc,crd",
            n,
            "--ignore-not-found",
            "--wait=false",
        ]);
    }
}
