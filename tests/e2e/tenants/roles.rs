//! Another tenant's roles are not bindable, and a tenant's roles of requested resources exist
//! only while it has a grant: an owner's RoleBinding to another tenant's ike role is refused at
//! admission (next to a plain binding and a binding of the tenant's own requested role), one
//! made while the webhook was not there is removed by the tenant reconciler, and a tenant
//! without a grant has no aggregated `requested-*` roles nor their bindings (the empty ones
//! earlier versions made go).

use std::time::Duration;

use serde_json::{Value, json};

use super::wait_for;
use crate::harness::{kubectl, ok, sharing_the_tenant_controller, unique};
use crate::hostile::{Team, allowed, create, refused, text};

fn exists(kind: &str, name: &str, ns: Option<&str>) -> bool {
    let mut args = vec!["get", kind, name];
    if let Some(ns) = ns {
        args.extend(["-n", ns]);
    }
    kubectl(&args).status.success()
}

/// Waits until `kind/name` (in `ns`) exists (`true`) or is gone (`false`).
fn wait_exists(kind: &str, name: &str, ns: Option<&str>, wanted: bool) {
    let what = format!(
        "{kind} {name} to be {}",
        if wanted { "there" } else { "gone" }
    );
    wait_for(&what, Duration::from_secs(30), || {
        (exists(kind, name, ns) == wanted).then_some(())
    });
}

/// A ClusterRole as the cluster admin makes it.
fn cluster_role(name: &str, labels: Value, aggregation: Option<Value>) {
    let mut role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": name, "labels": labels}, "rules": []});
    if let Some(rule) = aggregation {
        role["aggregationRule"] = rule;
    }
    allowed(create(None, "default", &role));
}

/// `kubectl create rolebinding NAME --clusterrole=ROLE --user=USER -n NS` as the team's owner.
fn bind(team: &Team, ns: &str, name: &str, role: &str) -> std::process::Output {
    team.owner.kubectl(&[
        "create",
        "rolebinding",
        name,
        "-n",
        ns,
        &format!("--clusterrole={role}"),
        &format!("--user={}", team.owner.account),
    ])
}

/// The rolebindings webhook taken out of the validating configuration until dropped, as on a
/// cluster before it existed; the configuration is put back as it was.
struct WithoutBindingsWebhook(Value);

impl WithoutBindingsWebhook {
    fn new() -> Self {
        let config: Value = serde_json::from_str(&ok(kubectl(&[
            "get",
            "validatingwebhookconfiguration",
            "ike-host-isolation",
            "-o",
            "json",
        ])))
        .unwrap();
        let index = config["webhooks"]
            .as_array()
            .unwrap()
            .iter()
            .position(|w| w["name"] == "rolebindings.isolation.ike.dev")
            .expect("the rolebindings webhook is installed");
        let patch = json!([{"op": "remove", "path": format!("/webhooks/{index}")}]);
        ok(kubectl(&[
            "patch",
            "validatingwebhookconfiguration",
            "ike-host-isolation",
            "--type=json",
            "-p",
            &patch.to_string(),
        ]));
        Self(config)
    }
}

impl Drop for WithoutBindingsWebhook {
    fn drop(&mut self) {
        let mut config = self.0.clone();
        config["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("resourceVersion");
        let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
        serde_json::to_writer(file.as_file(), &config).unwrap();
        let _ = kubectl(&["replace", "-f", file.path().to_str().unwrap()]);
    }
}

#[test]
fn another_tenants_roles_are_not_bindable_and_a_binding_made_before_is_removed() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = (Team::new("roles-a"), Team::new("roles-b"));
    // A grant of A whose rules B holds already (here: none), as the empty requested roles every
    // tenant had before were: RBAC alone lets B's owner bind it.
    let grant = format!("ike:requested:{}.example.com:edit", unique("grants"));
    cluster_role(
        &grant,
        json!({"ike.dev/tenant": a.name, "ike.dev/aggregate-to": "edit"}),
        None,
    );
    // A has a grant now: its aggregated roles and their bindings appear.
    let a_edit = format!("ike:tenant:{}:requested-edit", a.name);
    let a_view = format!("ike:tenant:{}:requested-view", a.name);
    wait_exists("clusterrole", &a_edit, None, true);
    wait_exists(
        "rolebinding",
        "ike:tenant:requested-edit",
        Some(&a.ns),
        true,
    );

    // B binds A's roles: refused, by name and by the grant's label.
    refused(
        bind(&b, &b.ns, "steal", &a_edit),
        &[&format!("ClusterRole {a_edit} is tenant {}'s", a.name)],
    );
    refused(
        bind(&b, &b.ns, "steal", &grant),
        &[&format!("ClusterRole {grant} is tenant {}'s", a.name)],
    );
    // Its neighbours: a plain binding in B, A's own requested role in A.
    allowed(bind(&b, &b.ns, "plain", "view"));
    allowed(bind(&a, &a.ns, "own", &a_view));

    // One made while the webhook was not there goes; the plain one stays.
    {
        let _off = WithoutBindingsWebhook::new();
        let mut last = String::new();
        wait_for(
            "a binding the webhook no longer reviews",
            Duration::from_secs(15),
            || {
                let out = bind(&b, &b.ns, "before", &a_edit);
                last = text(&out);
                out.status.success().then_some(())
            },
        );
        assert!(!last.contains("ike: "), "{last}");
    }
    wait_exists("rolebinding", "before", Some(&b.ns), false);
    assert!(exists("rolebinding", "plain", Some(&b.ns)));
    assert!(exists("rolebinding", "own", Some(&a.ns)));

    // A's last grant goes: so do its aggregated roles and their bindings.
    ok(kubectl(&["delete", "clusterrole", &grant]));
    wait_exists("clusterrole", &a_edit, None, false);
    wait_exists("clusterrole", &a_view, None, false);
    wait_exists(
        "rolebinding",
        "ike:tenant:requested-edit",
        Some(&a.ns),
        false,
    );
}

#[test]
fn a_tenant_without_a_grant_loses_the_empty_requested_roles_earlier_versions_made() {
    let _shared = sharing_the_tenant_controller();
    let t = Team::new("roles-old");
    assert!(
        !exists(
            "clusterrole",
            &format!("ike:tenant:{}:requested-edit", t.name),
            None
        ),
        "a new tenant without a grant has no requested roles (its namespace is ready: reconciled)"
    );
    // As earlier versions left every tenant: an empty aggregated role, bound in its namespace.
    let role = format!("ike:tenant:{}:requested-edit", t.name);
    cluster_role(
        &role,
        json!({"ike.dev/tenant": t.name, "app.kubernetes.io/managed-by": "ike-controller"}),
        Some(json!({"clusterRoleSelectors": [{"matchLabels": {
            "ike.dev/tenant": t.name, "ike.dev/aggregate-to": "edit"}}]})),
    );
    allowed(create(
        None,
        &t.ns,
        &json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "ike:tenant:requested-edit"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": t.owner.account}]}),
    ));
    // The binding's change reconciles the tenant: both go.
    wait_exists(
        "rolebinding",
        "ike:tenant:requested-edit",
        Some(&t.ns),
        false,
    );
    wait_exists("clusterrole", &role, None, false);
}
