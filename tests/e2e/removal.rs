//! Removal removes, and only platform admins act as platform admins: an owner's hand-made
//! RoleBinding does not outlive a member's removal, `ike tenant show` names what does, and a pod's
//! ServiceAccount token cannot create tenants it could not own. Against the shared control plane
//! and controller; kubectl as each person and as the cluster admin shows the effect.

use std::io::Write as _;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{User, admin, enrolled, env, fails, kubectl, ok, unique};

/// Polls `probe` every 200 ms until it gives a value; panics after 20 s saying `what`.
fn wait_until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waited 20 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// RoleBinding `name` in `ns` as the cluster admin sees it.
fn binding(ns: &str, name: &str) -> Option<Value> {
    let out = kubectl(&["get", "rolebinding", name, "-n", ns, "-o", "json"]);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("NotFound"), "{err}");
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn can_write_configmaps(user: &User, ns: &str) -> bool {
    let out = user.kubectl(&["auth", "can-i", "create", "configmaps", "-n", ns]);
    String::from_utf8_lossy(&out.stdout).trim() == "yes"
}

/// A tenant owned by a new account, holding one namespace, with `members` as viewers; waits
/// until it is Ready.
fn tenant_with_viewers(prefix: &str, members: &[&User]) -> (User, String, String) {
    let owner = enrolled(&format!("{prefix}-owner"));
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
    for m in members {
        ok(admin().ike(&[
            "tenant",
            "add-member",
            &name,
            &m.account,
            "--role",
            "viewer",
        ]));
    }
    (owner, name, ns)
}

#[test]
fn a_removed_member_loses_hand_made_access_within_seconds_and_a_current_members_binding_stays() {
    let _shared = crate::harness::sharing_the_tenant_controller();
    let bob = enrolled("bob");
    let carol = enrolled("carol");
    let (owner, tenant, ns) = tenant_with_viewers("handmade", &[&bob, &carol]);

    // The owner grants both viewers more by hand.
    for (who, name) in [(&bob, "bob-debug"), (&carol, "carol-debug")] {
        ok(owner.kubectl(&[
            "create",
            "rolebinding",
            name,
            "-n",
            &ns,
            "--clusterrole=edit",
            &format!("--user={}", who.account),
        ]));
    }
    wait_until("bob's hand-made edit access", || {
        can_write_configmaps(&bob, &ns).then_some(())
    });
    ok(bob.kubectl(&["create", "configmap", "by-bob", "-n", &ns]));
    let carols = binding(&ns, "carol-debug").expect("carol's binding");

    let out = owner.ike(&["tenant", "remove-member", &tenant, &bob.account]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            // No CRD was approved for the tenant: it has no binding of requested resources.
            "Revoked in {ns}: bob-debug (made by hand), ike:tenant:viewer."
        )),
        "{said}"
    );

    // Bob is forbidden within seconds, and his binding is gone.
    wait_until("bob to be forbidden", || {
        let out = bob.kubectl(&["get", "configmaps", "-n", &ns]);
        (!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("forbidden"))
            .then_some(())
    });
    assert!(binding(&ns, "bob-debug").is_none());
    // Carol, still a member, keeps her binding untouched and her access.
    let still = binding(&ns, "carol-debug").expect("carol's binding stays");
    assert_eq!(
        still["metadata"]["resourceVersion"],
        carols["metadata"]["resourceVersion"]
    );
    assert!(can_write_configmaps(&carol, &ns));

    // A binding made for bob now, as he is no member, goes the same way; one naming a member
    // too keeps the member.
    ok(owner.kubectl(&[
        "create",
        "rolebinding",
        "pair",
        "-n",
        &ns,
        "--clusterrole=view",
        &format!("--user={}", bob.account),
        &format!("--user={}", carol.account),
    ]));
    wait_until("bob to be taken out of the new binding", || {
        let b = binding(&ns, "pair")?;
        let names: Vec<&str> = b["subjects"]
            .as_array()?
            .iter()
            .filter_map(|s| s["name"].as_str())
            .collect();
        (names == [carol.account.as_str()]).then_some(())
    });
    assert!(!can_write_configmaps(&bob, &ns));

    // Disabling carol's account takes her hand-made access too.
    ok(admin().ike(&["account", "disable", &carol.account]));
    wait_until("carol's binding to be removed", || {
        binding(&ns, "carol-debug").is_none().then_some(())
    });
    assert!(
        binding(&ns, "pair").is_none(),
        "a binding naming nobody stays"
    );
    assert!(!can_write_configmaps(&carol, &ns));
    ok(admin().ike(&["tenant", "delete", &tenant, "--yes"]));
}

#[test]
fn tenant_show_warns_about_service_account_tokens_that_outlive_a_removal_with_the_fix() {
    let _shared = crate::harness::sharing_the_tenant_controller();
    let (owner, tenant, ns) = tenant_with_viewers("tokens", &[]);
    ok(owner.kubectl(&["create", "serviceaccount", "deployer", "-n", &ns]));
    ok(owner.kubectl(&[
        "create",
        "rolebinding",
        "deployer",
        "-n",
        &ns,
        "--clusterrole=edit",
        &format!("--serviceaccount={ns}:deployer"),
    ]));
    // Kubernetes 1.20 makes a token Secret for every ServiceAccount.
    let secret = wait_until("the deployer's token secret", || {
        let out = ok(kubectl(&[
            "get",
            "serviceaccount",
            "deployer",
            "-n",
            &ns,
            "-o",
            "jsonpath={.secrets[0].name}",
        ]));
        (!out.trim().is_empty()).then(|| out.trim().to_string())
    });
    let shown = ok(owner.ike(&["tenant", "show", &tenant]));
    assert!(shown.contains("Warnings"), "{shown}");
    assert!(
        shown.contains("ServiceAccount deployer has role edit; its tokens outlive"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("fix: kubectl -n {ns} delete secret {secret}\n")),
        "{shown}"
    );
    // For programs the object stays clean on stdout; the warning goes to stderr.
    let out = owner.ike(&["tenant", "show", &tenant, "-o", "json"]);
    let _: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&secret));
    ok(admin().ike(&["tenant", "delete", &tenant, "--yes"]));
}

/// Runs kubectl with `token` only (no kubeconfig credentials) against the shared cluster.
fn kubectl_with_token(token: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let server = ok(kubectl(&[
        "config",
        "view",
        "--minify",
        "-o",
        "jsonpath={.clusters[0].cluster.server}",
    ]));
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &env().ca_cert_pem).unwrap();
    let mut child = std::process::Command::new("kubectl")
        .args(["--kubeconfig", "/dev/null", "--server", &server])
        .arg("--certificate-authority")
        .arg(&ca)
        .args(["--token", token])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// A token of ServiceAccount `ns/name` (made if missing) that RBAC lets create Tenants.
fn tenant_writing_token(ns: &str, name: &str, role: &str) -> String {
    let _ = kubectl(&["create", "serviceaccount", name, "-n", ns]);
    let _ = kubectl(&[
        "create",
        "clusterrolebinding",
        &format!("{role}-{ns}-{name}"),
        &format!("--clusterrole={role}"),
        &format!("--serviceaccount={ns}:{name}"),
    ]);
    // The TokenRequest API, as a pod's projected token is made.
    ok(kubectl(&["create", "token", name, "-n", ns]))
        .trim()
        .to_string()
}

fn tenant_manifest(name: &str, owner: &str, ns: &str) -> String {
    serde_json::json!({
        "apiVersion": "ike.dev/v1alpha1",
        "kind": "Tenant",
        "metadata": { "name": name },
        "spec": {
            "members": [{ "account": owner, "role": "owner" }],
            "namespaces": [ns],
            "nodeSelector": { "pool": "gpu" },
        },
    })
    .to_string()
}

#[test]
fn a_pod_token_cannot_create_a_tenant_with_any_owner_or_dedicated_nodes_and_the_controllers_can() {
    let _shared = crate::harness::sharing_the_tenant_controller();
    let victim = enrolled("victim");
    // Someone gave a workload's ServiceAccount RBAC to write Tenants.
    let role = unique("tenant-writer");
    ok(kubectl(&[
        "create",
        "clusterrole",
        &role,
        "--verb=create,update,get",
        "--resource=tenants.ike.dev",
    ]));
    let workload_ns = unique("workload");
    ok(kubectl(&["create", "namespace", &workload_ns]));
    let stolen = tenant_writing_token(&workload_ns, "builder", &role);

    let name = unique("hijack");
    let out = kubectl_with_token(
        &stolen,
        &["create", "-f", "-"],
        Some(&tenant_manifest(
            &name,
            &victim.account,
            &unique("hijack-ns"),
        )),
    );
    let err = fails(out);
    assert!(err.contains("tenants.validation.ike.dev"), "{err}");
    assert!(
        err.contains("only platform admins create tenants on this site"),
        "{err}"
    );
    assert!(err.contains("dedicated nodes"), "{err}");
    assert!(
        !ok(kubectl(&["get", "tenants", "-o", "name"])).contains(&name),
        "the tenant was created"
    );

    // The platform admin can, and so can the controller's own ServiceAccount.
    let by_admin = unique("gpu-team");
    let admin_ns = unique("gpu-ns");
    ok(admin().ike(&[
        "tenant",
        "create",
        &by_admin,
        "--owner",
        &victim.account,
        "--namespace",
        &admin_ns,
        "--node-selector",
        "pool=gpu",
    ]));
    let controller = tenant_writing_token("ike-system", "ike-controller", &role);
    let by_controller = unique("by-controller");
    ok(kubectl_with_token(
        &controller,
        &["create", "-f", "-"],
        Some(&tenant_manifest(
            &by_controller,
            &victim.account,
            &unique("ctl-ns"),
        )),
    ));
    for t in [&by_admin, &by_controller] {
        ok(admin().ike(&["tenant", "delete", t, "--yes"]));
    }
    let _ = kubectl(&["delete", "namespace", &workload_ns, "--wait=false"]);
    let _ = kubectl(&["delete", "clusterrole", &role]);
}
