//! Requests for cluster-scoped objects end to end: a tenant member asks with `ike request`,
//! platform admins decide, ike-controller applies; kubectl, as the member, the other tenant and
//! the cluster admin, shows what each may do. Every attack is refused next to its legitimate
//! neighbour, and nothing refused is ever applied.

use std::sync::{RwLock, RwLockReadGuard};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{
    User, admin, create_account, kubectl, ok, sharing_the_tenant_controller, unique,
};
use crate::hostile::{Team, allowed, allowed_soon, create, refused, text, wait_for};

/// A file holding `object` as JSON (YAML's subset), kept until dropped.
fn file(object: &Value) -> (tempfile::NamedTempFile, String) {
    let f = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    serde_json::to_writer_pretty(f.as_file(), object).unwrap();
    let path = f.path().to_str().unwrap().to_string();
    (f, path)
}

/// The plural of a resource named `singular` in this run: names no earlier run's CRD serves (a
/// CRD named like one served already is refused).
fn plural(singular: &str) -> String {
    format!("{singular}{}s", std::process::id())
}

/// A namespaced CRD `<plural>.<group>` of kind `kind`, for [`plural`]`(singular)`.
fn crd(group: &str, singular: &str, kind: &str) -> Value {
    let plural = plural(singular);
    let singular = plural.trim_end_matches('s');
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{group}")},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": plural, "singular": singular, "kind": kind},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object",
                    "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]
        }
    })
}

mod capture;

/// The provisioner of the tests' StorageClasses.
const TEST_PROVISIONER: &str = "example.com/no-such-driver";

fn storage_class(name: &str) -> Value {
    json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": name}, "provisioner": TEST_PROVISIONER,
        "reclaimPolicy": "Delete"})
}

/// The Site's list of provisioners is shared by every test of this binary: the tests that
/// request StorageClasses hold it for reading (listing [`TEST_PROVISIONER`]); the one showing
/// what a site without a list does holds it for writing.
static PROVISIONERS: RwLock<()> = RwLock::new(());

/// Sets `Site.spec.requests.storageProvisioners` (`None`: unset).
fn set_provisioners(list: Option<&[&str]>) {
    let patch = json!({"spec": {"requests": {"storageProvisioners": list}}}).to_string();
    ok(kubectl(&[
        "patch",
        "site",
        "site",
        "--type=merge",
        "-p",
        &patch,
    ]));
}

/// `ike request storageclass --dry-run` of a class of [`TEST_PROVISIONER`] as `team`'s owner.
fn dry_run_class(team: &Team) -> std::process::Output {
    let (_f, path) = file(&storage_class(&unique("probe")));
    team.owner.ike(&[
        "request",
        "storageclass",
        "-f",
        &path,
        "--reason",
        "probe",
        "--dry-run",
        "-n",
        &team.ns,
    ])
}

/// The Site lists [`TEST_PROVISIONER`] while the guard lives; returns once `team`'s dry run
/// passes (the webhooks and the controller follow the Site through a watch).
fn storage_classes_allowed(team: &Team) -> RwLockReadGuard<'static, ()> {
    let guard = PROVISIONERS.read().unwrap_or_else(|p| p.into_inner());
    set_provisioners(Some(&[TEST_PROVISIONER]));
    allowed_soon("a StorageClass of the listed provisioner", || {
        dry_run_class(team)
    });
    guard
}

/// `ike request crd|storageclass -f FILE --reason R --name NAME -n NS` as `user`.
fn request(user: &User, kind: &str, object: &Value, ns: &str, name: &str) -> std::process::Output {
    let (_f, path) = file(object);
    user.ike(&[
        "request",
        kind,
        "-f",
        &path,
        "--reason",
        "our operator needs it",
        "--name",
        name,
        "-n",
        ns,
    ])
}

/// The request as the cluster admin reads it.
fn get(ns: &str, name: &str) -> Value {
    serde_json::from_str(&ok(kubectl(&[
        "get",
        "resourcerequest",
        name,
        "-n",
        ns,
        "-o",
        "json",
    ])))
    .unwrap()
}

/// Waits for the request's phase to be `phase`.
fn wait_phase(ns: &str, name: &str, phase: &str) -> Value {
    wait_for(
        &format!("request {ns}/{name} to be {phase}"),
        Duration::from_secs(30),
        || {
            let r = get(ns, name);
            (r["status"]["phase"] == phase).then_some(r)
        },
    )
}

/// `ike request approve NAME -n NS --digest D EXTRA` as `user`, with the command `ike request
/// show` prints for the version ike-controller checked.
fn approve(user: &User, ns: &str, name: &str, extra: &[&str]) -> std::process::Output {
    let line = wait_for(
        &format!("request {ns}/{name} to be checked"),
        Duration::from_secs(30),
        || {
            let shown = ok(user.ike(&["request", "show", name, "-n", ns]));
            shown
                .lines()
                .find(|l| l.starts_with("Approve:") && l.contains("--digest"))
                .map(String::from)
        },
    );
    let digest = line.split("--digest ").nth(1).unwrap().trim().to_string();
    let mut args = vec!["request", "approve", name, "-n", ns, "--digest", &digest];
    args.extend_from_slice(extra);
    user.ike(&args)
}

/// Asserts RBAC refused `out` (not a webhook).
fn forbidden(out: std::process::Output) {
    let said = text(&out);
    assert!(
        !out.status.success(),
        "allowed, expected RBAC to refuse: {said}"
    );
    assert!(
        said.contains("forbidden") || said.contains("Forbidden"),
        "{said}"
    );
    assert!(
        !said.contains("ike: "),
        "refused by a webhook, not RBAC: {said}"
    );
}

fn exists(kind: &str, name: &str) -> bool {
    kubectl(&["get", kind, name]).status.success()
}

/// A second platform admin (the first is the harness's).
fn second_admin() -> User {
    let user = User::new(&unique("admin2"));
    let token = create_account(&user.account, &["--admin"]);
    ok(user.login(&token, &[]));
    wait_for(
        "the second admin to hold cluster-admin",
        Duration::from_secs(20),
        || {
            let can = user.kubectl(&["auth", "can-i", "patch", "resourcerequests.ike.dev", "-A"]);
            (String::from_utf8_lossy(&can.stdout).trim() == "yes").then_some(())
        },
    );
    user
}

#[test]
fn a_requested_crd_is_applied_once_an_admin_approves_and_only_its_tenant_may_use_it() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = (Team::new("rq-a"), Team::new("rq-b"));
    let group = format!("{}.example.com", unique("gadgets"));
    let manifest = crd(&group, "gadget", "Gadget");
    let gadgets = plural("gadget");
    let crd_name = format!("{gadgets}.{group}");

    // A dry run checks it all and shows the diff, and makes nothing.
    let (_dry, dry_path) = file(&manifest);
    let dry = a.owner.ike(&[
        "request",
        "crd",
        "-f",
        &dry_path,
        "--reason",
        "trying",
        "--dry-run",
        "-n",
        &a.ns,
    ]);
    let said = text(&dry);
    assert!(dry.status.success(), "{said}");
    assert!(said.contains(&format!("+  name: {crd_name}")), "{said}");
    assert!(
        said.contains(&format!("+    ike.dev/tenant: {}", a.name)),
        "{said}"
    );
    assert!(said.contains("(dry run)"), "{said}");
    assert!(
        ok(kubectl(&[
            "get",
            "resourcerequests",
            "-n",
            &a.ns,
            "-o",
            "name"
        ]))
        .trim()
        .is_empty(),
        "a dry run makes no request"
    );
    let out = ok(request(&a.owner, "crd", &manifest, &a.ns, "gadgets"));
    assert!(out.contains("pass  dry-run"), "{out}");
    assert!(
        out.contains(&format!("+  name: {crd_name}")),
        "the diff shows the new CRD: {out}"
    );
    let pending = get(&a.ns, "gadgets");
    assert_eq!(
        pending["spec"]["requester"],
        a.owner.account.as_str(),
        "stamped at admission"
    );
    assert_eq!(pending["status"]["phase"], "Pending");
    assert_eq!(pending["status"]["tenant"], a.name.as_str());

    // What the requester cannot do: decide, write the status, or apply the CRD directly.
    refused(
        approve(&a.owner, &a.ns, "gadgets", &[]),
        &["only platform admins decide on requests"],
    );
    forbidden(a.owner.kubectl(&[
        "patch",
        "resourcerequest",
        "gadgets",
        "-n",
        &a.ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"phase":"Applied"}}"#,
    ]));
    let (_f, path) = file(&manifest);
    forbidden(a.owner.kubectl(&["create", "-f", &path]));
    assert!(
        !exists("crd", &crd_name),
        "nothing applied before a decision"
    );

    // Without a terminal an approval names the version reviewed; a bare kubectl approval too.
    let said = text(&admin().ike(&["request", "approve", "gadgets", "-n", &a.ns]));
    assert!(said.contains("--digest DIGEST"), "{said}");
    refused(
        admin().kubectl(&[
            "patch",
            "resourcerequest",
            "gadgets",
            "-n",
            &a.ns,
            "--type=merge",
            "-p",
            r#"{"spec":{"review":{"decision":"Approve"}}}"#,
        ]),
        &["a decision names the digest of what was reviewed"],
    );
    let out = approve(admin(), &a.ns, "gadgets", &["--comment", "fine"]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Applied"), "{said}");

    // kubectl, the independent client: Established, labelled, annotated with the request.
    let applied: Value =
        serde_json::from_str(&ok(kubectl(&["get", "crd", &crd_name, "-o", "json"]))).unwrap();
    let established = applied["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["type"] == "Established" && c["status"] == "True");
    assert!(established, "{applied}");
    assert_eq!(
        applied["metadata"]["labels"]["ike.dev/tenant"],
        a.name.as_str()
    );
    assert_eq!(
        applied["metadata"]["annotations"]["ike.dev/request"],
        format!("{}/gadgets", a.ns).as_str()
    );
    let done = get(&a.ns, "gadgets");
    assert_eq!(done["status"]["phase"], "Applied");
    assert_eq!(done["status"]["reviewer"], admin().account.as_str());
    assert_eq!(done["status"]["comment"], "fine");
    let events: Vec<&str> = done["status"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        // Announced, too, where Alertmanager runs (the local IKE's does).
        .filter(|e| *e != "Announced")
        .collect();
    assert_eq!(events, ["Submitted", "Approved", "Applied"], "{done}");
    let recorded = ok(kubectl(&[
        "get",
        "events",
        "-n",
        &a.ns,
        "--field-selector",
        "involvedObject.name=gadgets",
        "-o",
        "jsonpath={.items[*].reason}",
    ]));
    for reason in ["Submitted", "Approved", "Applied"] {
        assert!(recorded.contains(reason), "no {reason} event: {recorded}");
    }

    // The requesting tenant uses it in its own namespaces (once the aggregated roles have the
    // rules), and nowhere else; the other tenant cannot even read it.
    let gadget = |name: &str| {
        json!({"apiVersion": format!("{group}/v1"), "kind": "Gadget",
            "metadata": {"name": name}, "spec": {"size": 1}})
    };
    allowed_soon("the owner's first Gadget", || {
        create(Some(&a.owner), &a.ns, &gadget("first"))
    });
    forbidden(create(Some(&a.owner), &b.ns, &gadget("elsewhere")));
    forbidden(
        b.owner
            .kubectl(&["get", &format!("{gadgets}.{group}"), "-n", &a.ns]),
    );
    forbidden(create(Some(&b.owner), &b.ns, &gadget("theirs")));
    let listed = ok(kubectl(&[
        "get",
        &format!("{gadgets}.{group}"),
        "-A",
        "-o",
        "name",
    ]));
    assert_eq!(listed.trim(), format!("gadget.{group}/first"));

    // A new version of the tenant's own CRD is a new request, showing what changes.
    let mut v2 = manifest.clone();
    v2["spec"]["versions"][0]["storage"] = json!(false);
    let mut second = v2["spec"]["versions"][0].clone();
    second["name"] = json!("v2");
    second["storage"] = json!(true);
    v2["spec"]["versions"].as_array_mut().unwrap().push(second);
    let out = ok(request(&a.owner, "crd", &v2, &a.ns, "gadgets-v2"));
    assert!(out.contains("+  - name: v2"), "{out}");
    assert!(out.contains("-    storage: true"), "{out}");
    assert!(
        out.contains(&format!("{crd_name} is tenant {}'s", a.name)),
        "{out}"
    );
    ok(approve(admin(), &a.ns, "gadgets-v2", &[]));
    let served = ok(kubectl(&[
        "get",
        "crd",
        &crd_name,
        "-o",
        "jsonpath={.spec.versions[*].name}",
    ]));
    assert_eq!(served, "v1 v2");
    // The other tenant cannot ask for a change of it.
    refused(
        request(&b.owner, "crd", &v2, &b.ns, "steal"),
        &[&format!("crd/{crd_name} belongs to another tenant")],
    );
}

#[test]
fn a_storage_class_request_is_applied_for_its_tenant_alone_and_a_deletion_request_removes_it() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = (Team::new("rq-sc-a"), Team::new("rq-sc-b"));
    let _listed = storage_classes_allowed(&a);
    let class = unique("fast");
    ok(request(
        &a.owner,
        "storageclass",
        &storage_class(&class),
        &a.ns,
        "fast",
    ));
    ok(approve(admin(), &a.ns, "fast", &[]));
    let label = ok(kubectl(&[
        "get",
        "storageclass",
        &class,
        "-o",
        r"jsonpath={.metadata.labels.ike\.dev/tenant}",
    ]));
    assert_eq!(label, a.name);

    // Only the tenant's own claims use it: its provisioner works with that tenant's storage.
    let claim = |name: &str| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {"storageClassName": class, "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}}}})
    };
    allowed(create(Some(&a.owner), &a.ns, &claim("data")));
    refused(
        create(Some(&b.owner), &b.ns, &claim("data")),
        &[&format!("StorageClass {class} is tenant {}'s", a.name)],
    );

    // Deleting it is a request too; another tenant cannot ask to delete it.
    refused(
        b.owner.ike(&[
            "request",
            "delete",
            &format!("storageclass/{class}"),
            "--reason",
            "mine now",
            "-n",
            &b.ns,
        ]),
        &["belongs to another tenant"],
    );
    ok(a.owner.ike(&[
        "request",
        "delete",
        &format!("storageclass/{class}"),
        "--reason",
        "moved to the platform class",
        "--name",
        "drop-fast",
        "-n",
        &a.ns,
    ]));
    let shown = ok(a.owner.ike(&["request", "show", "drop-fast", "-n", &a.ns]));
    assert!(
        shown.contains(&format!("-  name: {class}")),
        "the diff shows the removal: {shown}"
    );
    ok(approve(admin(), &a.ns, "drop-fast", &["--comment", "ok"]));
    wait_for("the class to be gone", Duration::from_secs(20), || {
        (!exists("storageclass", &class)).then_some(())
    });
    wait_phase(&a.ns, "drop-fast", "Applied");
}

#[test]
fn what_cannot_be_applied_is_refused_at_creation_and_nothing_is_applied() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = (Team::new("rq-bad-a"), Team::new("rq-bad-b"));
    let _listed = storage_classes_allowed(&a);

    // A Kubernetes group, ike's group, a cluster-scoped resource.
    refused(
        request(
            &a.owner,
            "crd",
            &crd("apps.k8s.io", "gizmo", "Gizmo"),
            &a.ns,
            "k8s",
        ),
        &["group apps.k8s.io belongs to Kubernetes"],
    );
    refused(
        request(
            &a.owner,
            "crd",
            &crd("tools.ike.dev", "gizmo", "Gizmo"),
            &a.ns,
            "ike",
        ),
        &["belongs to ike"],
    );
    let group = format!("{}.example.com", unique("gizmos"));
    let mut cluster_wide = crd(&group, "gizmo", "Gizmo");
    cluster_wide["spec"]["scope"] = json!("Cluster");
    refused(
        request(&a.owner, "crd", &cluster_wide, &a.ns, "cluster"),
        &["set spec.scope: Namespaced"],
    );
    // A conversion webhook the API server would call at a URL of the tenant's choosing.
    let mut converting = crd(&group, "gizmo", "Gizmo");
    converting["spec"]["conversion"] = json!({"strategy": "Webhook", "webhook": {
        "conversionReviewVersions": ["v1"], "clientConfig": {"url": "https://10.0.0.1/convert"}}});
    refused(
        request(&a.owner, "crd", &converting, &a.ns, "convert"),
        &["conversion webhook by URL"],
    );
    // An invalid manifest: the API server's own dry run says why.
    let mut invalid = crd(&group, "gizmo", "Gizmo");
    invalid["spec"]["versions"] = json!([]);
    refused(
        request(&a.owner, "crd", &invalid, &a.ns, "invalid"),
        &["the API server refuses it"],
    );
    // Another kind, through kubectl (ike refuses it before sending).
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": unique("escalate")}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]});
    let by_kubectl = json!({"apiVersion": "ike.dev/v1alpha1", "kind": "ResourceRequest",
        "metadata": {"name": "role"}, "spec": {"manifest": role, "reason": "admin please"}});
    refused(
        create(Some(&a.owner), &a.ns, &by_kubectl),
        &["not a ClusterRole"],
    );
    let (_f, path) = file(&role);
    let said = text(
        &a.owner
            .ike(&["request", "crd", "-f", &path, "--reason", "x", "-n", &a.ns]),
    );
    assert!(said.contains("not a ClusterRole"), "{said}");
    // Names that shadow what is served (a built-in short name), an owner reference (the
    // garbage collector would delete the object with its owner), category all.
    let mut shadowing = crd(&group, "gizmo", "Gizmo");
    shadowing["spec"]["names"]["shortNames"] = json!(["po"]);
    refused(
        request(&a.owner, "crd", &shadowing, &a.ns, "shadow"),
        &["its names are served already", "po (Kubernetes' or ike's)"],
    );
    let mut everywhere = crd(&group, "gizmo", "Gizmo");
    everywhere["spec"]["names"]["categories"] = json!(["all"]);
    refused(
        request(&a.owner, "crd", &everywhere, &a.ns, "all"),
        &["category all"],
    );
    let mut owned = storage_class(&unique("owned"));
    owned["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "Namespace",
        "name": a.ns, "uid": "00000000-0000-0000-0000-000000000000"}]);
    refused(
        request(&a.owner, "storageclass", &owned, &a.ns, "owned"),
        &["metadata.ownerReferences"],
    );
    // A class whose name volumes already carry: the tenant's claims would bind them.
    let orphaned = unique("orphaned");
    let pv = json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": orphaned},
        "spec": {"storageClassName": orphaned, "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/srv/someone-elses-data"}}});
    allowed(create(None, "default", &pv));
    refused(
        request(
            &a.owner,
            "storageclass",
            &storage_class(&orphaned),
            &a.ns,
            "orphaned",
        ),
        &["PersistentVolumes already name this class", &orphaned],
    );
    ok(kubectl(&["delete", "pv", &orphaned, "--wait=false"]));
    // A tenant cannot make another tenant's namespace its own to pass these checks.
    let claim = json!({"spec": {"namespaces": [a.ns, b.ns]}}).to_string();
    refused(
        a.owner
            .kubectl(&["patch", "tenant", &a.name, "--type=merge", "-p", &claim]),
        &[&format!("namespace {} is tenant {}'s", b.ns, b.name)],
    );
    // A request outside any tenant's namespace (the admin's, in default).
    refused(
        create(
            None,
            "default",
            &json!({"apiVersion": "ike.dev/v1alpha1", "kind": "ResourceRequest",
            "metadata": {"name": "nowhere"}, "spec": {"manifest": storage_class(&unique("x")), "reason": "r"}}),
        ),
        &["is no tenant's"],
    );
    // A group another tenant holds.
    ok(request(
        &a.owner,
        "crd",
        &crd(&group, "gizmo", "Gizmo"),
        &a.ns,
        "gizmos",
    ));
    refused(
        request(
            &b.owner,
            "crd",
            &crd(&group, "doodad", "Doodad"),
            &b.ns,
            "theirs",
        ),
        &["another tenant's request for the same group is open"],
    );
    // Its names, in another group: the second CRD would fail once the first is applied.
    let elsewhere = format!("{}.example.com", unique("elsewhere"));
    refused(
        request(
            &b.owner,
            "crd",
            &crd(&elsewhere, "gizmo", "Gizmo"),
            &b.ns,
            "same-names",
        ),
        &[&format!("(request {}/gizmos)", a.ns)],
    );
    ok(approve(admin(), &a.ns, "gizmos", &[]));
    refused(
        request(
            &b.owner,
            "crd",
            &crd(&group, "doodad", "Doodad"),
            &b.ns,
            "theirs",
        ),
        &[&format!(
            "group {group} is held by someone else: {}.{group} (another tenant's)",
            plural("gizmo")
        )],
    );
    let made = ok(kubectl(&[
        "get",
        "resourcerequests",
        "-n",
        &a.ns,
        "-o",
        "name",
    ]));
    assert_eq!(
        made.trim(),
        "resourcerequest.ike.dev/gizmos",
        "every refused request was never made"
    );
    assert!(
        ok(kubectl(&[
            "get",
            "resourcerequests",
            "-n",
            &b.ns,
            "-o",
            "name"
        ]))
        .trim()
        .is_empty()
    );
    assert!(!exists("crd", &format!("{}.{group}", plural("doodad"))));
    assert!(!exists("crd", &format!("{}.apps.k8s.io", plural("gizmo"))));

    // After approval the request is fixed; an approval of a manifest the admin did not review
    // is refused.
    refused(
        a.owner.kubectl(&[
            "patch",
            "resourcerequest",
            "gizmos",
            "-n",
            &a.ns,
            "--type=merge",
            "-p",
            r#"{"spec":{"reason":"something else"}}"#,
        ]),
        &["was decided (Approve by"],
    );
    let class = unique("slow");
    ok(request(
        &a.owner,
        "storageclass",
        &storage_class(&class),
        &a.ns,
        "slow",
    ));
    let reviewed = get(&a.ns, "slow")["status"]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    ok(a.owner.kubectl(&[
        "patch",
        "resourcerequest",
        "slow",
        "-n",
        &a.ns,
        "--type=merge",
        "-p",
        r#"{"spec":{"manifest":{"reclaimPolicy":"Retain"}}}"#,
    ]));
    let approval =
        json!({"spec": {"review": {"decision": "Approve", "digest": reviewed}}}).to_string();
    refused(
        admin().kubectl(&[
            "patch",
            "resourcerequest",
            "slow",
            "-n",
            &a.ns,
            "--type=merge",
            "-p",
            &approval,
        ]),
        &["the request changed since it was reviewed"],
    );
    assert!(
        !exists("storageclass", &class),
        "the edited manifest was not applied"
    );
    assert_eq!(get(&a.ns, "slow")["status"]["phase"], "Pending");
}

#[test]
fn only_another_admin_decides_a_denial_keeps_its_comment_and_withdrawal_comes_before_a_decision() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("rq-review");
    let _listed = storage_classes_allowed(&a);
    let second = second_admin();

    // An admin's own request needs a second admin.
    let own = json!({"apiVersion": "ike.dev/v1alpha1", "kind": "ResourceRequest",
        "metadata": {"name": "admins-own"},
        "spec": {"manifest": storage_class(&unique("own")), "reason": "platform test"}});
    allowed(create(Some(admin()), &a.ns, &own));
    refused(
        approve(admin(), &a.ns, "admins-own", &[]),
        &["another platform admin must decide"],
    );
    ok(approve(&second, &a.ns, "admins-own", &[]));
    assert_eq!(
        get(&a.ns, "admins-own")["status"]["reviewer"],
        second.account.as_str()
    );

    // A denial records who and why; it is final.
    ok(request(
        &a.owner,
        "storageclass",
        &storage_class(&unique("denied")),
        &a.ns,
        "denied",
    ));
    let said = text(&second.ike(&["request", "deny", "denied", "-n", &a.ns]));
    assert!(said.contains("say why with --comment"), "{said}");
    ok(second.ike(&[
        "request",
        "deny",
        "denied",
        "-n",
        &a.ns,
        "--comment",
        "use the platform's class",
    ]));
    let denied = wait_phase(&a.ns, "denied", "Denied");
    assert_eq!(denied["status"]["comment"], "use the platform's class");
    assert_eq!(denied["status"]["reviewer"], second.account.as_str());
    assert!(denied["status"]["decidedAt"].is_string());
    let shown = ok(a.owner.ike(&["request", "show", "denied", "-n", &a.ns]));
    assert!(shown.contains("use the platform's class"), "{shown}");
    let said = text(&a.owner.ike(&["request", "withdraw", "denied", "-n", &a.ns]));
    assert!(
        said.contains("only a request waiting for a decision can be withdrawn"),
        "{said}"
    );
    refused(
        a.owner.kubectl(&[
            "patch",
            "resourcerequest",
            "denied",
            "-n",
            &a.ns,
            "--type=merge",
            "-p",
            r#"{"spec":{"withdrawal":{}}}"#,
        ]),
        &["was decided (Deny by"],
    );

    // Only the requester (or an admin) changes a request; another member may not.
    ok(request(
        &a.owner,
        "storageclass",
        &storage_class(&unique("mine")),
        &a.ns,
        "mine",
    ));
    let member = crate::harness::enrolled("rq-member");
    let add = json!({"spec": {"members": [
        {"account": a.owner.account, "role": "owner"}, {"account": member.account, "role": "member"}]}})
    .to_string();
    ok(kubectl(&[
        "patch",
        "tenant",
        &a.name,
        "--type=merge",
        "-p",
        &add,
    ]));
    wait_for("the member's edit role", Duration::from_secs(20), || {
        let can = member.kubectl(&[
            "auth",
            "can-i",
            "patch",
            "resourcerequests.ike.dev",
            "-n",
            &a.ns,
        ]);
        (String::from_utf8_lossy(&can.stdout).trim() == "yes").then_some(())
    });
    refused(
        member.kubectl(&[
            "patch",
            "resourcerequest",
            "mine",
            "-n",
            &a.ns,
            "--type=merge",
            "-p",
            r#"{"spec":{"reason":"mine now"}}"#,
        ]),
        &[&format!("only {} (who asked)", a.owner.account)],
    );

    // A withdrawal, before any decision; then nobody decides on it.
    ok(request(
        &a.owner,
        "storageclass",
        &storage_class(&unique("gone")),
        &a.ns,
        "gone",
    ));
    ok(a.owner.ike(&["request", "withdraw", "gone", "-n", &a.ns]));
    let withdrawn = wait_phase(&a.ns, "gone", "Withdrawn");
    assert_eq!(
        withdrawn["spec"]["withdrawal"]["by"],
        a.owner.account.as_str()
    );
    refused(
        second.kubectl(&[
            "patch",
            "resourcerequest",
            "gone",
            "-n",
            &a.ns,
            "--type=merge",
            "-p",
            r#"{"spec":{"review":{"decision":"Approve"}}}"#,
        ]),
        &["was withdrawn"],
    );
    // Tenants cannot delete a request (it is the audit trail); admins see them all pending.
    forbidden(
        a.owner
            .kubectl(&["delete", "resourcerequest", "gone", "-n", &a.ns]),
    );
    ok(request(
        &a.owner,
        "storageclass",
        &storage_class(&unique("wait")),
        &a.ns,
        "waiting",
    ));
    let pending = ok(second.ike(&["request", "list", "--pending", "-o", "json"]));
    let rows: Vec<Value> = serde_json::from_str(&pending).unwrap();
    let ours: Vec<&str> = rows
        .iter()
        .filter(|r| r["namespace"] == a.ns.as_str())
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(ours, ["mine", "waiting"], "{pending}");
    let listed = ok(a.owner.ike(&["request", "list", "-n", &a.ns]));
    for name in ["admins-own", "denied", "gone", "mine", "waiting"] {
        assert!(listed.contains(name), "{listed}");
    }
}
