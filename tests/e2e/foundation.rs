//! The foundation: the controller installs its CRDs, serves health and metrics, and `ike` talks
//! to the cluster.

use crate::harness::{controller_get, env, ike, kubectl, ok};

#[test]
fn controller_installs_its_crds_and_kubectl_lists_them() {
    env();
    let crds = ok(kubectl(&["get", "crd", "-o", "name"]));
    for name in ike::api::crds()
        .iter()
        .map(|c| c.metadata.name.clone().unwrap())
    {
        assert!(
            crds.lines()
                .any(|l| l == format!("customresourcedefinition.apiextensions.k8s.io/{name}")),
            "kubectl get crd does not list {name}:\n{crds}"
        );
        let established = ok(kubectl(&[
            "get",
            "crd",
            &name,
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"Established\")].status}",
        ]));
        assert_eq!(established, "True", "{name} is not established");
    }
    // The short names work for a user too.
    ok(kubectl(&["get", "tenants"]));
    ok(kubectl(&["get", "acct"]));
}

#[test]
fn controller_answers_healthz_readyz_and_metrics() {
    let (status, body) = controller_get("/healthz");
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    let (status, _) = controller_get("/readyz");
    assert_eq!(status, 200);
    let (status, metrics) = controller_get("/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("ike_controller_info{version=\"")
            && metrics.contains("ike_crd_applies_total "),
        "unexpected metrics:\n{metrics}"
    );
    assert!(
        metrics.ends_with("# EOF\n"),
        "not OpenMetrics text:\n{metrics}"
    );
}

#[test]
fn ike_version_reports_the_real_api_server() {
    let out = ok(ike(&["version", "-o", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["client"], env!("CARGO_PKG_VERSION"));
    assert!(
        v["server"].as_str().unwrap().starts_with("v1."),
        "server version: {out}"
    );
    let table = ok(ike(&["version"]));
    assert!(table.starts_with("COMPONENT"), "{table}");
}

#[test]
fn ike_with_an_unknown_site_says_what_to_run() {
    let out = ike(&["--site", "nowhere", "version"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "error: no context 'ike-nowhere' in the kubeconfig: run 'ike login --site nowhere' first"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn the_crd_schemas_from_the_rust_types_validate_what_kubectl_sends() {
    use crate::harness::unique;
    use std::io::Write;
    let apply = |yaml: &str| {
        let mut child = std::process::Command::new("kubectl")
            .args([
                "--kubeconfig",
                env().kubeconfig.to_str().unwrap(),
                "apply",
                "-f",
                "-",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(yaml.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let name = unique("schema");
    let good = format!(
        "apiVersion: ike.dev/v1alpha1\nkind: Tenant\nmetadata:\n  name: {name}\nspec:\n  members:\n  - account: alice\n    role: owner\n"
    );
    ok(apply(&good));
    let bad = good.replace("role: owner", "role: boss");
    let out = apply(&bad);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Unsupported value: \"boss\""), "{stderr}");
    ok(kubectl(&["delete", "tenant", &name, "--wait=false"]));
}
