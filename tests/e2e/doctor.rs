//! `ike doctor` end to end: run as real accounts against the real control plane and controller,
//! it reports what a tenant may and may not do, and names what is broken on a broken machine.
//!
//! Tenants are applied by the cluster admin with kubectl; every person is a real account with
//! their own home, certificate and kubeconfig (`enrolled`).

use std::os::unix::fs::PermissionsExt;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{User, admin, create_account, env, kubectl, ok, unique};

/// `harness::enrolled`, once the platform admin may create accounts: `admin()` returns as soon
/// as the admin has logged in, before the controller has bound `cluster-admin` to them, so the
/// first `ike account create` of a fresh run can be refused.
fn enrolled(prefix: &str) -> User {
    wait_until("the platform admin's cluster-admin binding", || {
        let out = admin().kubectl(&["auth", "can-i", "create", "accounts.ike.dev"]);
        String::from_utf8_lossy(&out.stdout).trim() == "yes"
    });
    crate::harness::enrolled(prefix)
}

/// Applies a Tenant as the cluster admin; `members` are (account, role).
fn apply_tenant(name: &str, members: &[(&str, &str)], namespace: &str) {
    let members: Vec<Value> = members
        .iter()
        .map(|(account, role)| json!({ "account": account, "role": role }))
        .collect();
    let tenant = json!({
        "apiVersion": "ike.dev/v1alpha1",
        "kind": "Tenant",
        "metadata": { "name": name },
        "spec": { "members": members, "namespaces": [namespace] },
    });
    let file = tempfile::Builder::new()
        .prefix("ike-e2e-doctor-")
        .suffix(".json")
        .tempfile()
        .unwrap();
    serde_json::to_writer(file.as_file(), &tenant).unwrap();
    ok(kubectl(&["apply", "-f", file.path().to_str().unwrap()]));
}

/// Polls `ready` every 200 ms for up to 30 s; panics naming `what` after that.
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "waited 30 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits until `ns` is the tenant's, has the default ServiceAccount pods need, and `user` sees
/// `tenant` in `ike whoami` with the RBAC of their role.
fn wait_for_tenant(tenant: &str, ns: &str, user: &User, verb: &str) {
    wait_until(
        &format!("namespace {ns} labelled for tenant {tenant}"),
        || {
            let out = kubectl(&[
                "get",
                "namespace",
                ns,
                "-o",
                "jsonpath={.metadata.labels.ike\\.dev/tenant}",
            ]);
            out.status.success() && String::from_utf8_lossy(&out.stdout) == tenant
        },
    );
    wait_until(&format!("the default ServiceAccount in {ns}"), || {
        kubectl(&["get", "serviceaccount", "default", "-n", ns])
            .status
            .success()
    });
    wait_until(&format!("{} to see tenant {tenant}", user.account), || {
        let out = user.ike(&["whoami", "-o", "json"]);
        out.status.success()
            && serde_json::from_slice::<Value>(&out.stdout).is_ok_and(|v| {
                v["tenants"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t["tenant"] == tenant))
            })
    });
    wait_until(
        &format!("{} to be allowed to {verb} pods in {ns}", user.account),
        || {
            let out = user.kubectl(&["auth", "can-i", verb, "pods", "-n", ns]);
            String::from_utf8_lossy(&out.stdout).trim() == "yes"
        },
    );
}

/// Runs `ike doctor -o json` as `user`; returns the exit code and the checks by name.
fn doctor(user: &User, extra: &[&str]) -> (i32, Vec<(String, String, String)>) {
    let mut args = vec!["doctor", "-o", "json"];
    args.extend_from_slice(extra);
    parse(user.ike(&args))
}

fn parse(out: Output) -> (i32, Vec<(String, String, String)>) {
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "ike doctor printed no JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let checks = report
        .as_array()
        .expect("a list of checks")
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap_or_else(|| panic!("no {k} in {c}"));
            (
                field("check").to_string(),
                field("result").to_string(),
                field("detail").to_string(),
            )
        })
        .collect();
    (out.status.code().expect("an exit code"), checks)
}

/// The (result, detail) of `check`; panics with the whole report when it is missing.
fn find<'a>(checks: &'a [(String, String, String)], check: &str) -> (&'a str, &'a str) {
    checks
        .iter()
        .find(|(name, _, _)| name == check)
        .map(|(_, result, detail)| (result.as_str(), detail.as_str()))
        .unwrap_or_else(|| panic!("no check {check} in {checks:#?}"))
}

fn show(checks: &[(String, String, String)]) -> String {
    checks
        .iter()
        .map(|(c, r, d)| format!("{c:<40} {r:<5} {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every check `ike doctor` reports for an account with a tenant namespace and another
/// tenant's namespace to look at.
const ALL_CHECKS: [&str; 25] = [
    "kubeconfig.files",
    "kubeconfig.mode",
    "kubeconfig.context",
    "kubeconfig.user",
    "certificate",
    "clock",
    "api-server",
    "account-api",
    "tenant-namespace",
    "pod.ordinary",
    "pod.host-path",
    "pod.host-network",
    "pod.privileged",
    "service.external-ips",
    "service.node-port",
    "pod.dedicated-nodes",
    "namespace.reserved",
    "nodes.pool",
    "other-tenant.get-pods",
    "other-tenant.list-pods",
    "other-tenant.get-secrets",
    "other-tenant.list-secrets",
    "cluster.create-namespaces",
    "cluster.create-storageclasses",
    "cluster.create-customresourcedefinitions",
];

/// A tenant of `members`, and a second tenant (of an account no test logs in as) whose
/// namespace the first tenant's accounts must not reach. Returns (tenant, ns, other ns).
fn two_tenants(prefix: &str, members: &[(&str, &str)]) -> (String, String, String, String) {
    let tenant = unique(prefix);
    let ns = unique(&format!("{prefix}-ns"));
    let other = unique(&format!("{prefix}-other"));
    let other_ns = unique(&format!("{prefix}-other-ns"));
    apply_tenant(&tenant, members, &ns);
    let stranger = unique(&format!("{prefix}-stranger"));
    create_account(&stranger, &[]);
    apply_tenant(&other, &[(&stranger, "owner")], &other_ns);
    wait_until(&format!("namespace {other_ns}"), || {
        kubectl(&["get", "namespace", &other_ns]).status.success()
    });
    (tenant, ns, other, other_ns)
}

fn delete_tenants(names: &[&str]) {
    for name in names {
        let _ = kubectl(&["delete", "tenant", name, "--wait=false"]);
    }
}

#[test]
fn a_tenant_owner_passes_every_check_and_host_access_is_refused_three_times() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let owner = enrolled("doc-owner");
    let (tenant, ns, other, other_ns) = two_tenants("doc", &[(&owner.account, "owner")]);
    wait_for_tenant(&tenant, &ns, &owner, "create");

    let (code, checks) = doctor(&owner, &[]);
    let report = show(&checks);
    let names: Vec<&str> = checks.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(names, ALL_CHECKS, "{report}");
    for (check, result, detail) in &checks {
        assert_eq!(result, "pass", "{check}: {detail}\n{report}");
    }
    assert_eq!(code, 0, "{report}");

    let (_, detail) = find(&checks, "tenant-namespace");
    assert_eq!(
        detail,
        format!("{ns} of tenant {tenant} (your role: owner)"),
        "{report}"
    );
    let (_, detail) = find(&checks, "pod.ordinary");
    assert!(detail.contains("is allowed in"), "{report}");
    for (check, violation) in [
        ("pod.host-path", "is a hostPath"),
        ("pod.host-network", "hostNetwork is not allowed"),
        ("pod.privileged", "is privileged"),
    ] {
        let (_, detail) = find(&checks, check);
        assert!(
            detail.starts_with("refused by webhook pods.host-isolation.ike.dev: ike: pods in tenant namespaces cannot reach the host: ")
                && detail.contains(violation),
            "{check}: {detail}"
        );
    }
    for check in ALL_CHECKS.iter().filter(|c| c.starts_with("other-tenant.")) {
        let (_, detail) = find(&checks, check);
        assert!(
            detail.starts_with("denied: you may not ") && !detail.contains(&format!(" in {ns} ")),
            "{check}: {detail}"
        );
    }
    // The namespace it tried is another tenant's, and kubectl agrees that it is out of reach.
    let (_, detail) = find(&checks, "other-tenant.list-secrets");
    let tried = detail
        .split(" in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no namespace in {detail}"));
    let can_i = owner.kubectl(&["auth", "can-i", "list", "secrets", "-n", tried]);
    assert_eq!(String::from_utf8_lossy(&can_i.stdout).trim(), "no");
    let can_i = owner.kubectl(&["auth", "can-i", "list", "secrets", "-n", &other_ns]);
    assert_eq!(String::from_utf8_lossy(&can_i.stdout).trim(), "no");
    for check in ALL_CHECKS.iter().filter(|c| c.starts_with("cluster.")) {
        let (_, detail) = find(&checks, check);
        assert!(
            detail.starts_with("denied: you may not create "),
            "{check}: {detail}"
        );
    }
    // Nothing was created: every pod was a dry run.
    let pods = ok(kubectl(&["get", "pods", "-n", &ns, "-o", "name"]));
    assert_eq!(pods.trim(), "", "doctor left pods behind");

    // The table says the same for people.
    let table = ok(owner.ike(&["doctor"]));
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["CHECK", "RESULT", "DETAIL"], "{table}");
    assert_eq!(lines.count(), ALL_CHECKS.len(), "{table}");
    delete_tenants(&[&tenant, &other]);
}

#[test]
fn a_viewer_is_forbidden_pods_by_rbac_and_that_passes() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let owner = enrolled("doc-vowner");
    let viewer = enrolled("doc-viewer");
    let (tenant, ns, other, _) = two_tenants(
        "docv",
        &[(&owner.account, "owner"), (&viewer.account, "viewer")],
    );
    wait_for_tenant(&tenant, &ns, &viewer, "get");

    let (code, checks) = doctor(&viewer, &[]);
    let report = show(&checks);
    assert_eq!(code, 0, "{report}");
    for (check, result, detail) in &checks {
        assert_eq!(result, "pass", "{check}: {detail}\n{report}");
    }
    let (_, detail) = find(&checks, "tenant-namespace");
    assert!(detail.ends_with("(your role: viewer)"), "{report}");
    let (_, detail) = find(&checks, "pod.ordinary");
    assert!(
        detail.starts_with("forbidden (HTTP 403): your role in ")
            && detail.contains("may not create pods"),
        "{report}"
    );
    let (_, detail) = find(&checks, "pod.host-path");
    assert!(
        detail.contains("host isolation cannot be tried"),
        "{report}"
    );
    delete_tenants(&[&tenant, &other]);
}

#[test]
fn the_platform_admin_is_reported_as_allowed_and_host_access_is_still_refused() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let owner = enrolled("doc-aowner");
    let (tenant, ns, other, _) = two_tenants("doca", &[(&owner.account, "owner")]);
    wait_for_tenant(&tenant, &ns, &owner, "create");

    let (code, checks) = doctor(admin(), &["--tenant-namespace", &ns]);
    let report = show(&checks);
    assert_eq!(code, 0, "{report}");
    let (result, detail) = find(&checks, "cluster.create-namespaces");
    assert_eq!(
        (result, detail),
        ("pass", "admin: allowed to create namespaces")
    );
    let (result, detail) = find(&checks, "other-tenant.list-secrets");
    assert_eq!(result, "pass", "{report}");
    assert!(detail.starts_with("admin: allowed"), "{report}");
    let (result, detail) = find(&checks, "tenant-namespace");
    assert_eq!(result, "pass", "{report}");
    assert!(detail.ends_with("(you are not a member)"), "{report}");
    // The webhook refuses host access to admins too, in a tenant namespace.
    for check in ["pod.host-path", "pod.host-network", "pod.privileged"] {
        let (result, detail) = find(&checks, check);
        assert_eq!(result, "pass", "{report}");
        assert!(
            detail.starts_with("refused by webhook"),
            "{check}: {detail}"
        );
    }
    delete_tenants(&[&tenant, &other]);
}

#[test]
fn a_kubeconfig_others_can_read_is_a_warning_and_the_exit_code_stays_zero() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let user = enrolled("doc-mode");
    let kubeconfig = user.kubeconfig();
    std::fs::set_permissions(&kubeconfig, std::fs::Permissions::from_mode(0o644)).unwrap();

    let (code, checks) = doctor(&user, &[]);
    let report = show(&checks);
    let (result, detail) = find(&checks, "kubeconfig.mode");
    assert_eq!(result, "warn", "{report}");
    assert!(
        detail.contains(&format!("{} is 0644", kubeconfig.display()))
            && detail.contains("chmod 600"),
        "{report}"
    );
    // No tenant: nothing to try pods in, which is not a failure.
    assert_eq!(find(&checks, "tenant-namespace").0, "skip", "{report}");
    assert!(checks.iter().all(|(_, r, _)| r != "fail"), "{report}");
    assert_eq!(code, 0, "{report}");
}

#[test]
fn removed_site_files_fail_the_certificate_and_the_cluster_checks_with_exit_code_1() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let user = enrolled("doc-gone");
    std::fs::remove_dir_all(user.site_dir(&env().site)).unwrap();

    let (code, checks) = doctor(&user, &[]);
    let report = show(&checks);
    assert_eq!(code, 1, "{report}");
    let site = &env().site;
    // The kubeconfig itself is still fine.
    for check in ["kubeconfig.files", "kubeconfig.context", "kubeconfig.user"] {
        assert_eq!(find(&checks, check).0, "pass", "{report}");
    }
    let (result, detail) = find(&checks, "certificate");
    assert_eq!(result, "fail", "{report}");
    assert_eq!(
        detail,
        format!("not logged in to site '{site}': run 'ike login --site {site}'")
    );
    // kubectl's credential plugin has nothing to hand out either, and says what to run.
    let (result, detail) = find(&checks, "api-server");
    assert_eq!(result, "fail", "{report}");
    assert!(
        detail.contains("the credential plugin failed")
            && detail.contains(&format!("ike login --site {site}")),
        "{report}"
    );
    assert_eq!(find(&checks, "account-api").0, "skip", "{report}");
    for check in ["tenant-namespace", "other-tenant", "cluster"] {
        assert_eq!(find(&checks, check).0, "skip", "{report}");
    }
}

#[test]
fn a_kubeconfig_pointing_at_a_missing_ike_fails_without_running_anything() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let user = enrolled("doc-exe");
    let kubeconfig = user.kubeconfig();
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    let exe = env!("CARGO_BIN_EXE_ike");
    assert!(text.contains(exe), "ike login wrote another path:\n{text}");
    let moved = "/nonexistent/ike";
    std::fs::write(&kubeconfig, text.replace(exe, moved)).unwrap();

    let (code, checks) = doctor(&user, &[]);
    let report = show(&checks);
    assert_eq!(code, 1, "{report}");
    let (result, detail) = find(&checks, "kubeconfig.user");
    assert_eq!(result, "fail", "{report}");
    assert!(
        detail.contains(&format!("{moved} does not exist"))
            && detail.contains(&format!("ike login --site {}", env().site)),
        "{report}"
    );
    // The site files are fine, so the certificate and the account API still pass.
    assert_eq!(find(&checks, "certificate").0, "pass", "{report}");
    assert_eq!(find(&checks, "account-api").0, "pass", "{report}");
    assert_eq!(find(&checks, "api-server").0, "skip", "{report}");
}
