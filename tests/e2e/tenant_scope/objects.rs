//! Tenant-wide objects (`ike tenant apply`): an owner declares an object once and
//! ike-controller keeps a copy in every namespace the tenant holds, one added later included,
//! written with the owner's rights (so RBAC and the webhooks judge each copy), repaired when
//! edited, removed with the declaration or from a namespace the tenant no longer holds, and never
//! taking over an object it did not make. kubectl (as the cluster admin, or `--as` a tenant's
//! ServiceAccount) is the independent client.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{
    DeletesTenant, User, admin, enrolled, kubectl, ok, sharing_the_tenant_controller, unique,
};
use crate::hostile::{allowed, create, text, wait_for};

/// A tenant with an enrolled owner, member and viewer, and `namespaces` namespaces, ready;
/// deleted when dropped.
struct Tenant {
    name: String,
    owner: User,
    member: User,
    viewer: User,
    ns: Vec<String>,
    _deleted: DeletesTenant,
}

impl Tenant {
    fn new(prefix: &str, namespaces: usize, keep: bool) -> Self {
        let _ = admin();
        let owner = enrolled(&format!("{prefix}-own"));
        let member = enrolled(&format!("{prefix}-mem"));
        let viewer = enrolled(&format!("{prefix}-view"));
        let name = unique(prefix);
        let ns: Vec<String> = (0..namespaces)
            .map(|i| unique(&format!("{prefix}-{i}")))
            .collect();
        let tenant = json!({
            "apiVersion": "ike.dev/v1alpha1", "kind": "Tenant",
            "metadata": {"name": name},
            "spec": {"members": [
                {"account": owner.account, "role": "owner"},
                {"account": member.account, "role": "member"},
                {"account": viewer.account, "role": "viewer"}],
                "namespaces": ns, "keepNamespaces": keep}
        });
        allowed(create(None, "default", &tenant));
        let t = Self {
            _deleted: DeletesTenant(name.clone()),
            name,
            owner,
            member,
            viewer,
            ns,
        };
        for ns in &t.ns {
            t.wait_held(ns);
        }
        t
    }

    /// Waits until the tenant's status records `ns` (whose a namespace is comes from there).
    fn wait_held(&self, ns: &str) {
        wait_for(
            &format!("tenant {} to hold {ns}", self.name),
            Duration::from_secs(30),
            || self.held().contains(&ns.to_string()).then_some(()),
        );
    }

    fn held(&self) -> Vec<String> {
        let out = kubectl(&[
            "get",
            "tenant",
            &self.name,
            "-o",
            "jsonpath={.status.namespaces}",
        ]);
        serde_json::from_str(&text(&out)).unwrap_or_default()
    }

    /// Sets the tenant's namespace list as the cluster admin.
    fn set_namespaces(&self, namespaces: &[String]) {
        let patch = json!({"spec": {"namespaces": namespaces}}).to_string();
        ok(kubectl(&[
            "patch",
            "tenant",
            &self.name,
            "--type=merge",
            "-p",
            &patch,
        ]));
    }

    /// `ike tenant apply -f FILE --tenant T` of `objects` as `user`.
    fn apply(&self, user: &User, objects: &[Value], extra: &[&str]) -> std::process::Output {
        let file = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
        let yaml: Vec<String> = objects
            .iter()
            .map(|o| serde_json::to_string(o).unwrap())
            .collect();
        std::fs::write(file.path(), yaml.join("\n---\n")).unwrap();
        let mut args = vec![
            "tenant",
            "apply",
            "-f",
            file.path().to_str().unwrap(),
            "--tenant",
            &self.name,
        ];
        args.extend_from_slice(extra);
        user.ike(&args)
    }
}

/// The object `kind/name` in `ns` as the cluster admin sees it, if it exists.
fn get(kind: &str, name: &str, ns: &str) -> Option<Value> {
    let out = kubectl(&["get", kind, name, "-n", ns, "-o", "json"]);
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).unwrap())
}

fn wait_gone(kind: &str, name: &str, ns: &str) {
    wait_for(
        &format!("{kind} {name} to be gone from {ns}"),
        Duration::from_secs(20),
        || get(kind, name, ns).is_none().then_some(()),
    );
}

fn wait_there(kind: &str, name: &str, ns: &str) -> Value {
    wait_for(
        &format!("{kind} {name} in {ns}"),
        Duration::from_secs(20),
        || get(kind, name, ns),
    )
}

fn binding(name: &str, role_kind: &str, role: &str, subjects: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": subjects})
}

fn service_account(ns: &str, name: &str) -> Value {
    json!([{"kind": "ServiceAccount", "name": name, "namespace": ns}])
}

/// Whether `as_user` may create a Deployment in `ns` (a server-side dry run, judged by RBAC).
fn deploys(as_user: &str, ns: &str) -> bool {
    let name = unique("web");
    kubectl(&[
        "create",
        "deployment",
        &name,
        "--image=registry.invalid/web:1",
        "-n",
        ns,
        "--as",
        as_user,
        "--dry-run=server",
    ])
    .status
    .success()
}

/// The output of a command that ended with exit status 5 (accepted, not in effect).
fn not_done(out: std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    text(&out)
}

#[test]
fn a_tenant_wide_binding_lets_a_service_account_deploy_in_every_namespace_a_new_one_within_two_seconds()
 {
    let _shared = sharing_the_tenant_controller();
    let t = Tenant::new("tobj-sa", 2, false);
    ok(kubectl(&["create", "serviceaccount", "ci", "-n", &t.ns[0]]));
    let sa = format!("system:serviceaccount:{}:ci", t.ns[0]);
    for ns in &t.ns {
        assert!(
            !deploys(&sa, ns),
            "the ServiceAccount deploys before any binding"
        );
    }
    let rb = binding(
        "ci-deployer",
        "ClusterRole",
        "edit",
        service_account(&t.ns[0], "ci"),
    );
    let out = t.apply(&t.owner, std::slice::from_ref(&rb), &[]);
    allowed(out);
    for ns in &t.ns {
        let copy = wait_there("rolebinding", "ci-deployer", ns);
        let labels = &copy["metadata"]["labels"];
        assert_eq!(labels["ike.dev/tenant"], json!(t.name));
        assert_eq!(labels["ike.dev/tenant-object"], "rolebinding-ci-deployer");
        assert_eq!(labels["ike.dev/tenant-object-namespace"], json!(t.ns[0]));
        assert_eq!(
            copy["metadata"]["annotations"]["ike.dev/declared-by"],
            json!(t.owner.account)
        );
        wait_for(
            &format!("{sa} to deploy in {ns}"),
            Duration::from_secs(10),
            || deploys(&sa, ns).then_some(()),
        );
    }
    // A namespace added later gets its copy within 2 s of the tenant holding it.
    let late = unique("tobj-sa-late");
    let mut namespaces = t.ns.clone();
    namespaces.push(late.clone());
    t.set_namespaces(&namespaces);
    wait_for(
        &format!("tenant to hold {late}"),
        Duration::from_secs(30),
        || t.held().contains(&late).then_some(()),
    );
    let held_at = Instant::now();
    wait_there("rolebinding", "ci-deployer", &late);
    let took = held_at.elapsed();
    eprintln!("the new namespace got its copy {took:?} after the tenant held it");
    assert!(
        took < Duration::from_secs(2),
        "the new namespace waited {took:?}"
    );
    wait_for(
        &format!("{sa} to deploy in {late}"),
        Duration::from_secs(5),
        || deploys(&sa, &late).then_some(()),
    );
    // Listed, with every copy Applied; a dry run of the same file changes nothing.
    wait_for(
        "the declaration to be Ready",
        Duration::from_secs(20),
        || {
            let listed = ok(t
                .owner
                .ike(&["tenant", "list-objects", "--tenant", &t.name]));
            (listed.contains("rolebinding-ci-deployer") && listed.contains("3/3")).then_some(listed)
        },
    );
    let listed = ok(t
        .owner
        .ike(&["tenant", "list-objects", "--tenant", &t.name]));
    eprintln!("$ ike tenant list-objects --tenant {}\n{listed}", t.name);
    let dry = ok(t.apply(&t.owner, &[rb], &["--dry-run"]));
    eprintln!(
        "$ ike tenant apply -f ci.yaml --tenant {} --dry-run\n{dry}",
        t.name
    );
    for ns in &namespaces {
        assert!(dry.contains(&format!("{ns}: unchanged")), "{dry}");
    }
    // A changed declaration shows per namespace what would change, and changes nothing.
    let view = binding(
        "ci-deployer",
        "ClusterRole",
        "view",
        service_account(&t.ns[0], "ci"),
    );
    let dry = ok(t.apply(&t.owner, &[view], &["--dry-run"]));
    eprintln!(
        "$ ike tenant apply -f ci-view.yaml --tenant {} --dry-run\n{dry}",
        t.name
    );
    for ns in &namespaces {
        assert!(dry.contains(&format!("{ns}: recreate")), "{dry}");
    }
    let copy = get("rolebinding", "ci-deployer", &t.ns[1]).unwrap();
    assert_eq!(copy["roleRef"]["name"], "edit", "a dry run wrote");
}

#[test]
fn bindings_beyond_the_owner_or_the_tenant_are_refused() {
    let _shared = sharing_the_tenant_controller();
    let t = Tenant::new("tobj-esc", 1, false);
    let other = Tenant::new("tobj-other", 1, false);
    let ns = &t.ns[0];
    let sa = service_account(ns, "ci");
    let cases = [
        (
            binding("root", "ClusterRole", "cluster-admin", sa.clone()),
            "not cluster-admin",
        ),
        (
            binding(
                "steal",
                "ClusterRole",
                &format!("ike:tenant:{}:requested-edit", other.name),
                sa.clone(),
            ),
            "is tenant",
        ),
        (
            binding(
                "out",
                "ClusterRole",
                "edit",
                service_account(&other.ns[0], "ci"),
            ),
            "not in a namespace of tenant",
        ),
        (
            binding(
                "user",
                "ClusterRole",
                "edit",
                json!([{"kind": "User", "name": other.owner.account}]),
            ),
            "is not a member of tenant",
        ),
    ];
    for (object, words) in cases {
        let said = text(&t.apply(&t.owner, std::slice::from_ref(&object), &[]));
        assert!(
            said.contains(words) && said.contains("ike: "),
            "{words}: {said}"
        );
        // The same through kubectl, as a TenantObject.
        let declared = json!({"apiVersion": "ike.dev/v1alpha1", "kind": "TenantObject",
            "metadata": {"name": "x"}, "spec": {"template": object}});
        let out = create(Some(&t.owner), ns, &declared);
        assert!(
            !out.status.success() && text(&out).contains(words),
            "{}",
            text(&out)
        );
    }
    // What only RBAC can judge, it judges, because the copy is written as the owner: a Role
    // granting more than an owner holds is refused by the API server's escalation check.
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "everything"},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]});
    // Accepted, not in effect: `ike tenant apply` waits for the verdict and exits 5.
    let said = not_done(t.apply(&t.owner, &[role], &[]));
    assert!(said.contains("not applied everywhere (Refused)"), "{said}");
    let message = wait_for(
        "the Role's copy to be refused",
        Duration::from_secs(20),
        || {
            let got = get("tenantobject", "role-everything", ns)?;
            let state = got["status"]["namespaces"][0].clone();
            (state["state"] == "Refused").then(|| state["message"].to_string())
        },
    );
    assert!(
        message.contains("escalat") || message.contains("not currently held"),
        "{message}"
    );
    assert!(get("role", "everything", ns).is_none());
}

#[test]
fn a_hand_edited_copy_is_repaired_an_unlabelled_object_is_not_taken_over_and_removal_removes() {
    let _shared = sharing_the_tenant_controller();
    let t = Tenant::new("tobj-drift", 2, false);
    let (ns0, ns1) = (&t.ns[0], &t.ns[1]);
    // Someone's own binding of the same name in the second namespace.
    ok(kubectl(&[
        "create",
        "rolebinding",
        "readers",
        "-n",
        ns1,
        "--clusterrole=view",
        &format!("--user={}", t.member.account),
    ]));
    let rb = binding(
        "readers",
        "ClusterRole",
        "view",
        json!([{"kind": "User", "name": t.viewer.account}]),
    );
    let said = not_done(t.apply(&t.owner, &[rb], &[]));
    assert!(said.contains("not applied everywhere (Conflict)"), "{said}");
    let copy = wait_there("rolebinding", "readers", ns0);
    assert_eq!(copy["subjects"][0]["name"], json!(t.viewer.account));
    let state = wait_for(
        "the conflict to be reported",
        Duration::from_secs(20),
        || {
            let got = get("tenantobject", "rolebinding-readers", ns0)?;
            let states = got["status"]["namespaces"].as_array()?.clone();
            states
                .into_iter()
                .find(|s| s["namespace"] == json!(ns1) && s["state"] == "Conflict")
        },
    );
    assert!(
        state["message"].to_string().contains("never taken over"),
        "{state}"
    );
    let theirs = get("rolebinding", "readers", ns1).unwrap();
    assert_eq!(theirs["subjects"][0]["name"], json!(t.member.account));
    assert!(
        theirs["metadata"]["labels"]
            .get("ike.dev/tenant-object")
            .is_none()
    );

    // A hand-edited copy: a subject added, its label removed. Both are repaired.
    let patch = json!([
        {"op": "add", "path": "/subjects/-", "value": {"kind": "User", "name": "intruder", "apiGroup": "rbac.authorization.k8s.io"}},
    ]);
    ok(kubectl(&[
        "patch",
        "rolebinding",
        "readers",
        "-n",
        ns0,
        "--type=json",
        "-p",
        &patch.to_string(),
    ]));
    let edited_at = Instant::now();
    wait_for("the copy to be repaired", Duration::from_secs(10), || {
        let copy = get("rolebinding", "readers", ns0)?;
        (copy["subjects"].as_array()?.len() == 1).then_some(())
    });
    eprintln!("copy repaired {:?} after the edit", edited_at.elapsed());

    // Deleting the declaration removes its copy and leaves the unlabelled object alone.
    let out = ok(t.owner.ike(&[
        "tenant",
        "delete-object",
        "rolebinding-readers",
        "--tenant",
        &t.name,
    ]));
    eprintln!("{out}");
    wait_gone("rolebinding", "readers", ns0);
    wait_gone("tenantobject", "rolebinding-readers", ns0);
    assert!(
        get("rolebinding", "readers", ns1).is_some(),
        "someone's own binding was deleted"
    );
}

#[test]
fn a_secret_is_copied_only_where_the_tenant_holds_the_namespace() {
    let _shared = sharing_the_tenant_controller();
    let t = Tenant::new("tobj-secret", 3, true);
    let other = Tenant::new("tobj-secret-other", 1, false);
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "regcred"},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": "eyJhdXRocyI6e319"}});
    // Never into another tenant's namespace, even when asked.
    let said = text(&t.apply(
        &t.owner,
        std::slice::from_ref(&secret),
        &["--only-in", &other.ns[0]],
    ));
    assert!(said.contains("does not hold namespace"), "{said}");
    assert!(get("secret", "regcred", &other.ns[0]).is_none());

    allowed(t.apply(&t.owner, &[secret], &[]));
    // The source lives in the home namespace; the copies in the others.
    for ns in &t.ns[1..] {
        let copy = wait_there("secret", "regcred", ns);
        assert_eq!(copy["type"], "kubernetes.io/dockerconfigjson");
        assert_eq!(copy["data"][".dockerconfigjson"], "eyJhdXRocyI6e319");
    }
    // A viewer reads the declaration but never the Secret's data through it.
    let declared = ok(t.viewer.kubectl(&[
        "get",
        "tenantobject",
        "secret-regcred",
        "-n",
        &t.ns[0],
        "-o",
        "json",
    ]));
    assert!(!declared.contains("eyJhdXRocyI6e319"), "{declared}");
    assert!(get("secret", "regcred", &other.ns[0]).is_none());

    // A namespace taken off the tenant (kept, released) loses its copy.
    let released = t.ns[2].clone();
    t.set_namespaces(&t.ns[..2]);
    wait_gone("secret", "regcred", &released);
    assert!(get("secret", "regcred", &t.ns[1]).is_some());
}

#[test]
fn a_member_or_viewer_cannot_declare() {
    let _shared = sharing_the_tenant_controller();
    let t = Tenant::new("tobj-who", 1, false);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
        "data": {"a": "1"}});
    for user in [&t.member, &t.viewer] {
        let out = t.apply(user, std::slice::from_ref(&cm), &[]);
        assert!(!out.status.success(), "{} declared", user.account);
        let said = text(&out);
        assert!(
            said.contains("only an owner of the tenant declares") && said.contains("forbidden"),
            "{said}"
        );
        assert_eq!(said.trim().lines().count(), 1, "{said}");
        assert!(!said.contains("panicked"), "{said}");
    }
    // Members and viewers still see what the owner declares.
    allowed(t.apply(&t.owner, &[cm], &[]));
    let listed = ok(t
        .member
        .ike(&["tenant", "list-objects", "--tenant", &t.name]));
    assert!(listed.contains("configmap-settings"), "{listed}");
}

#[test]
fn a_declaration_writes_only_while_its_declarer_owns_the_tenant_until_another_owner_applies_it() {
    let _shared = sharing_the_tenant_controller();
    let t = Tenant::new("tobj-left", 1, false);
    let ns = &t.ns[0];
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
        "data": {"a": "1"}});
    allowed(t.apply(&t.owner, std::slice::from_ref(&cm), &[]));
    let ready = |reason: &str| {
        let got = get("tenantobject", "configmap-settings", ns)?;
        let conditions = got["status"]["conditions"].as_array()?.clone();
        conditions
            .into_iter()
            .find(|c| c["type"] == "Ready" && c["reason"] == reason)
            .map(|_| got)
    };
    wait_for(
        "the declaration to be applied",
        Duration::from_secs(20),
        || ready("Applied"),
    );
    // The owner steps down to viewer, the member becomes the owner.
    let members = json!({"spec": {"members": [
        {"account": t.owner.account, "role": "viewer"},
        {"account": t.member.account, "role": "owner"},
        {"account": t.viewer.account, "role": "viewer"}]}});
    ok(kubectl(&[
        "patch",
        "tenant",
        &t.name,
        "--type=merge",
        "-p",
        &members.to_string(),
    ]));
    let got = wait_for(
        "the declaration to stop writing",
        Duration::from_secs(20),
        || ready("NotAnOwner"),
    );
    let message = got["status"]["conditions"][0]["message"].to_string();
    assert!(message.contains("no longer an owner"), "{message}");
    // The new owner applies it again, unchanged: it is theirs now, and written again.
    allowed(t.apply(&t.member, &[cm], &[]));
    let got = wait_for(
        "the declaration to be applied again",
        Duration::from_secs(20),
        || ready("Applied"),
    );
    assert_eq!(got["spec"]["declaredBy"], json!(t.member.account));
}

#[test]
fn deleting_the_home_of_tenant_wide_objects_needs_them_named_and_then_takes_their_copies() {
    let _shared = sharing_the_tenant_controller();
    let t = Tenant::new("tobj-home", 2, false);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
        "data": {"a": "1"}});
    allowed(t.apply(&t.owner, &[cm], &[]));
    wait_there("configmap", "settings", &t.ns[1]);

    // `--yes` alone does not take the declarations with it: one line naming them, and nothing
    // changes (the tenant still holds the namespace, the copy stays).
    let delete = ["ns", "delete", &t.ns[0], "--tenant", &t.name, "--yes"];
    let out = t.owner.ike(&delete);
    assert!(!out.status.success(), "deleted: {}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("configmap-settings") && said.contains("--with-tenant-objects"),
        "{said}"
    );
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    assert!(t.held().contains(&t.ns[0]), "{:?}", t.held());
    assert!(get("namespace", &t.ns[0], "default").is_some());
    assert!(get("configmap", "settings", &t.ns[1]).is_some());

    // Said by name: the namespace goes, its declaration with it, and the copy elsewhere.
    let out = t
        .owner
        .ike(&[&delete[..], &["--with-tenant-objects"]].concat());
    allowed(out);
    wait_gone("configmap", "settings", &t.ns[1]);
    wait_for(
        &format!("tenant {} to hold only {}", t.name, t.ns[1]),
        Duration::from_secs(20),
        || (t.held() == [t.ns[1].clone()]).then_some(()),
    );
}

#[test]
fn a_hand_edited_or_deleted_config_map_copy_is_put_back_within_thirty_seconds() {
    let _shared = sharing_the_tenant_controller();
    let t = Tenant::new("tobj-cmdrift", 2, false);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
        "data": {"level": "info"}});
    allowed(t.apply(&t.owner, &[cm], &[]));
    let ns1 = &t.ns[1];
    wait_there("configmap", "settings", ns1);

    // ConfigMap copies are not watched: the declaration's 30 s round puts them back.
    let patch = json!({"data": {"level": "debug"}}).to_string();
    ok(kubectl(&[
        "patch",
        "configmap",
        "settings",
        "-n",
        ns1,
        "--type=merge",
        "-p",
        &patch,
    ]));
    let edited_at = Instant::now();
    wait_for(
        "the edited copy to be put back",
        Duration::from_secs(40),
        || {
            let copy = get("configmap", "settings", ns1)?;
            (copy["data"]["level"] == "info").then_some(())
        },
    );
    eprintln!(
        "edited copy put back {:?} after the edit",
        edited_at.elapsed()
    );

    ok(kubectl(&["delete", "configmap", "settings", "-n", ns1]));
    let deleted_at = Instant::now();
    let copy = wait_for(
        "the deleted copy to be made again",
        Duration::from_secs(40),
        || get("configmap", "settings", ns1),
    );
    assert_eq!(copy["data"]["level"], "info");
    assert_eq!(
        copy["metadata"]["labels"]["ike.dev/tenant-object"],
        "configmap-settings"
    );
    eprintln!("deleted copy made again {:?} after", deleted_at.elapsed());
}
